// End-to-end: the built page (client/dist) served by the real deJPEG server, driven in
// headless Debian Chromium by playwright-core. Run: `npm run e2e` (after `npm run build`).
// Screenshots go to <repo>/test-artifacts/e2e/ (ignored by git): look at them.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "e2e");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const DEJPEG = process.env.DEJPEG ?? path.join(ROOT, ".venv", "bin", "dejpeg");
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ANALYSIS_MS = 60_000; // the first request loads the detector; the CPU may be busy
const RESTORATION_MS = 120_000;

let server;
let serverLog = "";
let browser;
let baseUrl;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}):\n${serverLog}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server did not answer /api/health within ${ms / 1000} s:\n${serverLog}`);
}

let lastPage;

/** A fresh page; an uncaught page error or a console error fails the test that opened it. */
async function openPage(t, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  lastPage = page;
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    // an API error answer (e.g. 415 for a non-image) is logged by the browser itself: expected
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text());
  });
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors, [], "the page threw or logged errors");
  });
  await page.goto(baseUrl);
  // React renders after the load event: wait for the page's first control before any keystroke
  await page.getByText("Choose an image…").waitFor();
  return page;
}

async function shot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}

/** A test with a page: on failure, a screenshot of where it stood and the server's log. */
function pageTest(name, body) {
  test(name, async (t) => {
    try {
      await body(t);
    } catch (error) {
      const slug = name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40);
      await lastPage?.screenshot({ path: path.join(ARTIFACTS, `failed-${slug}.png`), fullPage: true }).catch(() => {});
      error.message += `\n--- server log (last lines) ---\n${serverLog.slice(-3000)}`;
      throw error;
    }
  });
}

const verdict = (page) => page.getByTestId("verdict");

/**
 * The box of `element` in the pixels of the image `image` (a locator of an <img> showing a
 * `width` x `height` picture, its box the picture's): [left, top, right, bottom].
 */
async function boxInImage(element, image, width, height) {
  const [box, frame] = [await element.boundingBox(), await image.boundingBox()];
  const x = (v) => ((v - frame.x) / frame.width) * width;
  const y = (v) => ((v - frame.y) / frame.height) * height;
  return [x(box.x), y(box.y), x(box.x + box.width), y(box.y + box.height)].map(Math.round);
}

/** Within `tolerance` pixels of `expected`, side by side. */
function assertNear(actual, expected, tolerance, what) {
  assert.ok(
    actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance),
    `${what}: ${actual} is not within ${tolerance} px of ${expected}`,
  );
}
const comparisonHeading = (page) => page.getByRole("heading", { name: "Before / after" });

before(async () => {
  assert.ok(existsSync(path.join(ROOT, "client", "dist", "index.html")), "build the page first: npm run build");
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: make setup installs Debian's chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(DEJPEG, ["serve", "--host", "127.0.0.1", "--port", String(port), "--workers", "1"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: gunicorn's worker goes with it
  });
  const keep = (chunk) => (serverLog = (serverLog + chunk).slice(-8000));
  server.stdout.on("data", keep);
  server.stderr.on("data", keep);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  await waitForHealth(baseUrl, 120_000);
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) process.kill(-server.pid, "SIGTERM");
});

describe("the deJPEG page", { concurrency: false }, () => {
  pageTest("a never-compressed image: verdict none, restored only when forced", async (t) => {
    const page = await openPage(t);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Choose an image…");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Never compressed");
    await page.keyboard.press("Enter"); // the demo choices work from the keyboard
    await page.getByRole("img", { name: /Preview of uncompressed\.png/ }).waitFor();
    await verdict(page).filter({ hasText: "Never compressed" }).waitFor({ timeout: ANALYSIS_MS });
    assert.equal(await page.getByText("A PNG file, not a JPEG").count(), 1);

    const force = page.getByRole("switch", { name: "Force restore" });
    assert.equal(await force.isChecked(), false);
    await page.waitForTimeout(500); // nothing may start on its own
    assert.equal(await page.getByText(/Restoring|Uploading for restoration/).count(), 0);
    assert.equal(await comparisonHeading(page).count(), 0);
    await shot(page, "1-uncompressed-verdict");

    await force.focus();
    await page.keyboard.press("Space"); // the switch works from the keyboard
    assert.equal(await force.isChecked(), true);
    await comparisonHeading(page).waitFor({ timeout: RESTORATION_MS });
    await page.getByTestId("restoration-done").waitFor();
    await shot(page, "2-uncompressed-forced-restoration");

    await page.getByRole("switch", { name: "Self-ensemble" }).check(); // restores again, 8 orientations
    await page
      .getByTestId("restoration-done")
      .filter({ hasText: "(8-orientation ensemble)" })
      .waitFor({ timeout: RESTORATION_MS });
  });

  pageTest("a QF-10 JPEG: compressed, QF near 10, comparison with fullscreen and download", async (t) => {
    const page = await openPage(t);
    await page.getByLabel("Image file").setInputFiles(path.join(ROOT, "demo", "single-q10.jpg"));
    await verdict(page).filter({ hasText: /Compressed (once|twice)/ }).waitFor({ timeout: ANALYSIS_MS });
    const pixelQf = Number(await page.getByTestId("pixel-qf").textContent());
    assert.ok(Math.abs(pixelQf - 10) <= 3, `pixel QF ${pixelQf} is not near 10`);
    assert.equal(await page.getByTestId("header-qf").textContent(), "10");
    assert.equal(await page.getByRole("table", { name: "Luma quantization table" }).locator("td").count(), 64);

    await comparisonHeading(page).waitFor({ timeout: RESTORATION_MS });
    await page.getByRole("img", { name: /After: the restored image/ }).waitFor();
    await shot(page, "3-q10-comparison");

    const comparison = page.locator("section.comparison");
    await page.getByRole("button", { name: "Fullscreen" }).click();
    await page.waitForFunction(() => document.querySelector("section.comparison.fullscreen") !== null);
    const box = await comparison.boundingBox();
    assert.ok(box.width >= 1270 && box.height >= 890, `fullscreen covers ${box.width}x${box.height}`);
    const frame = await page.locator(".compare-frame").boundingBox();
    assert.ok(frame.width >= 1240 && frame.height >= 800, `the fullscreen image area is ${frame.width}x${frame.height}`);
    await page.getByRole("button", { name: "Zoom in" }).click();
    assert.equal(await page.getByLabel("Zoom level").textContent(), "150%");
    const transforms = await page.locator(".side .zoomed").evaluateAll((sides) => sides.map((s) => s.style.transform));
    assert.equal(new Set(transforms).size, 1, `both sides share one zoom: ${transforms}`);
    await shot(page, "4-q10-fullscreen-zoomed", { fullPage: false });
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.querySelector("section.comparison.fullscreen") === null);
    assert.equal(await page.getByRole("button", { name: "Fullscreen" }).count(), 1);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download restored PNG" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "single-q10.restored.png");
    const png = readFileSync(await download.path());
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"

    const override = page.getByRole("spinbutton", { name: "Quality factor override" });
    await override.fill("20");
    await override.press("Enter");
    await page.getByTestId("restoration-done").filter({ hasText: "at QF 20 (your override)" }).waitFor({
      timeout: RESTORATION_MS,
    });

    await page.getByText("Evidence", { exact: true }).click();
    assert.ok((await page.getByTestId("partition").count()) >= 1, "partition predictions drawn");
    await page.locator(".histogram svg").first().waitFor();
    assert.equal(await page.locator(".histogram").count(), 6);
    await shot(page, "5-q10-evidence");
  });

  pageTest("a spliced collage: the QF map outlines the pasted region, over the image and in the comparison", async (t) => {
    // demo/spliced.png: 384 x 256, never compressed but for x 176-336, y 64-208 (QF 20, grid (3, 5))
    const pasted = [176, 64, 336, 208];
    const page = await openPage(t);
    await page.getByLabel("Image file").setInputFiles(path.join(ROOT, "demo", "spliced.png"));
    await verdict(page).waitFor({ timeout: ANALYSIS_MS });
    assert.match(
      await page.getByTestId("maps-summary").textContent(),
      /^Dominant history: uncompressed\. 1 region with a different compression history\.$/,
    );

    const overlay = page.getByRole("switch", { name: "Map overlay" });
    await overlay.focus();
    await page.keyboard.press("Space"); // the switch works from the keyboard
    const preview = page.locator(".preview-image");
    const label = preview.getByTestId("region-label");
    const qf = Number((await label.textContent()).match(/^1 · QF (\d+) vs rest uncompressed$/)?.[1]);
    assert.ok(Math.abs(qf - 20) <= 8, `the region's QF ${qf} is not near 20`);
    const legend = page.locator(".qf-map-card").getByTestId("qf-legend");
    assert.match(await legend.textContent(), /none.*1.*20.*40.*60.*80.*100.*QF of the last compression/);
    const outline = preview.getByTestId("region-outline");
    await outline.waitFor(); // after the maps' PNGs are decoded
    const image = preview.getByRole("img", { name: "Preview of spliced.png" });
    assertNear(await boxInImage(outline, image, 384, 256), pasted, 12, "the outline over the preview");
    // the label in the region's top right corner (the region lies in the image's right half)
    const [, top, right] = await boxInImage(label, image, 384, 256);
    assertNear([right, top], [pasted[2], pasted[1]], 16, "the label");
    await shot(page, "9-spliced-qf-map");

    const layer = preview.getByTestId("qf-map-layer");
    assert.equal(await layer.evaluate((canvas) => canvas.style.opacity), "0.6");
    const opacity = page.getByRole("slider", { name: /Opacity/ });
    await opacity.focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowLeft");
    assert.equal(await page.locator(".opacity output").textContent(), "30%");
    assert.equal(await layer.evaluate((canvas) => canvas.style.opacity), "0.3");

    // the comparison: the map on the Before side, following zoom and pan (fullscreen too)
    if ((await verdict(page).textContent()).startsWith("Never")) {
      await page.getByRole("switch", { name: "Force restore" }).check();
    }
    const comparison = page.locator("section.comparison");
    await comparison.getByTestId("region-outline").waitFor({ timeout: RESTORATION_MS });
    const before = comparison.getByRole("img", { name: "Before: the uploaded image" });
    assertNear(await boxInImage(comparison.getByTestId("region-outline"), before, 384, 256), pasted, 12, "in the comparison");
    await comparison.getByTestId("region-label").waitFor();
    assert.equal(await comparison.getByTestId("qf-legend").count(), 1);
    await comparison.getByRole("slider", { name: /Drag to move/ }).focus(); // the handle: uncover more Before
    for (let i = 0; i < 8; i++) await page.keyboard.press("ArrowRight");
    await comparison.scrollIntoViewIfNeeded();
    await shot(page, "10-spliced-comparison", { fullPage: false });

    await page.getByRole("button", { name: "Fullscreen" }).click();
    await page.waitForFunction(() => document.querySelector("section.comparison.fullscreen") !== null);
    await page.getByRole("button", { name: "Zoom in" }).click();
    await page.getByRole("button", { name: "Zoom in" }).click();
    assert.equal(await page.getByLabel("Zoom level").textContent(), "225%");
    assertNear(await boxInImage(comparison.getByTestId("region-outline"), before, 384, 256), pasted, 12, "zoomed");
    await shot(page, "11-spliced-fullscreen-zoomed", { fullPage: false });
    await comparison.getByRole("button", { name: "Map overlay" }).click(); // off from the comparison
    assert.equal(await page.getByTestId("qf-map-overlay").count(), 0);
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.querySelector("section.comparison.fullscreen") === null);
    assert.equal(await overlay.isChecked(), false);

    await overlay.check();
    await page.getByRole("radio", { name: "Compression flag" }).check();
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
    assertNear(await boxInImage(outline, image, 384, 256), pasted, 12, "on a phone");
    await shot(page, "12-spliced-phone-flag-map");
  });

  pageTest("a non-image: a clear error, and the page stays usable", async (t) => {
    const page = await openPage(t);
    await page.getByLabel("Image file").setInputFiles({
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("these are not pixels\n"),
    });
    const error = page.getByTestId("analysis-error");
    await error.waitFor({ timeout: ANALYSIS_MS });
    assert.match(await error.textContent(), /Could not analyse notes\.txt: The file is not an image/);
    await shot(page, "6-non-image-error");

    await page.getByRole("button", { name: "JPEG, QF 10" }).click();
    await verdict(page).filter({ hasText: /Compressed/ }).waitFor({ timeout: ANALYSIS_MS });
    assert.equal(await error.count(), 0, "the error goes with the next image");
  });

  pageTest("every demo image is offered and analysed", async (t) => {
    const page = await openPage(t);
    const demos = JSON.parse(readFileSync(path.join(ROOT, "demo", "demos.json"), "utf8"));
    for (const demo of demos) {
      await page.getByRole("button", { name: demo.title, exact: true }).click();
      await page.getByRole("img", { name: `Preview of ${demo.file}` }).waitFor();
      await verdict(page).waitFor({ timeout: ANALYSIS_MS });
      assert.equal(await page.getByRole("alert").count(), 0, `${demo.file} gave an error`);
      await page.getByText("Evidence", { exact: true }).click();
      await shot(page, `8-demo-${demo.file.replace(/\.\w+$/, "")}`);
    }
  });

  pageTest("drop and paste anywhere; a phone-wide page does not overflow", async (t) => {
    const page = await openPage(t, { width: 390, height: 844 });
    /** Fire a drop on the page body, or a paste, carrying one demo file. */
    const send = (type, file, mimeType) =>
      page.evaluate(
        ([type, name, mimeType, base64]) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const data = new DataTransfer();
          data.items.add(new File([bytes], name, { type: mimeType }));
          const init = { bubbles: true, cancelable: true };
          const event =
            type === "drop"
              ? new DragEvent("drop", { ...init, dataTransfer: data })
              : new ClipboardEvent("paste", { ...init, clipboardData: data });
          document.body.dispatchEvent(event);
        },
        [type, file, mimeType, readFileSync(path.join(ROOT, "demo", file)).toString("base64")],
      );

    await send("drop", "double-q50-q70.jpg", "image/jpeg");
    await page.getByRole("img", { name: /Preview of double-q50-q70\.jpg/ }).waitFor();
    await verdict(page).filter({ hasText: /Compressed/ }).waitFor({ timeout: ANALYSIS_MS });

    await send("paste", "uncompressed.png", "image/png");
    await page.getByRole("img", { name: /Preview of uncompressed\.png/ }).waitFor();
    await verdict(page).filter({ hasText: "Never compressed" }).waitFor({ timeout: ANALYSIS_MS });
    await page.getByRole("switch", { name: "Force restore" }).check();
    await comparisonHeading(page).waitFor({ timeout: RESTORATION_MS });
    await page.getByText("Evidence", { exact: true }).click();
    await page.locator(".histogram svg").first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
    await shot(page, "7-phone-pasted-forced");
  });
});
