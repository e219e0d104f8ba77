/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The built page is served by Flask from client/dist on the same origin as /api.
// For development (`npm run dev`) Vite proxies /api to the Flask server on port 5000.
export default defineConfig({
  plugins: [react()],
  build: {
    // Demo images stay separate files (fetched only when chosen), never inlined.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:5000" },
    fs: { allow: [".", "../demo"] },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
