// The demo images of ../demo, bundled into the build (Flask serves only client/dist).
import manifest from "../../demo/demos.json";

export interface DemoImage {
  file: string;
  title: string;
  description: string;
  url: string;
}

const urls = import.meta.glob<string>("../../demo/*.{png,jpg}", { eager: true, query: "?url", import: "default" });

export const DEMO_IMAGES: DemoImage[] = manifest.flatMap((demo) => {
  const url = urls[`../../demo/${demo.file}`];
  return url ? [{ ...demo, url }] : [];
});

/** Fetch a demo image as a File, as if the user had picked it. */
export async function demoFile(demo: DemoImage): Promise<File> {
  const response = await fetch(demo.url);
  if (!response.ok) throw new Error(`The demo image ${demo.file} could not be loaded (HTTP ${response.status}).`);
  const blob = await response.blob();
  return new File([blob], demo.file, { type: blob.type });
}
