// The viewer page of `wkw serve` in a real browser: Debian's chromium (puppeteer-core, WebGL
// via SwiftShader) loads `/`, Neuroglancer fetches info and chunks from the server, and the
// data panels must show the dataset (EM-like rings shading coloured segments), with no page
// error. WKW_UPDATE_SCREENSHOT=1 also writes the screenshot to docs/images/serve-viewer.png.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { serve } from "../dist/index.js";
import { launchBrowser, pngStats } from "./support/browser.mjs";
import { tempDir } from "./support/fixtures.mjs";
import { buildServeDataset } from "./support/serve-dataset.mjs";

const CHUNK = /^\/([^/]+)\/[^/]+\/\d+-\d+_\d+-\d+_\d+-\d+$/;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(() => browser?.close());

/** Opens the viewer of `server` in a new page, recording errors and chunk fetches per layer. */
async function openViewer(server) {
  const page = await browser.newPage();
  const seen = { pageErrors: [], failed: [], chunks: {}, console: [] };
  page.on("pageerror", (err) => seen.pageErrors.push(err.message));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warn") seen.console.push(m.text().slice(0, 300)); });
  page.on("requestfailed", (req) => seen.failed.push(`${req.url()}: ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) seen.failed.push(`${res.url()}: HTTP ${res.status()}`);
    const m = CHUNK.exec(new URL(res.url()).pathname);
    if (m && res.status() === 200) seen.chunks[m[1]] = (seen.chunks[m[1]] ?? 0) + 1;
  });
  await page.goto(server.url, { waitUntil: "load" });
  await page.bringToFront();
  return { page, seen };
}

test("the viewer page shows the colour and segmentation layers in Chromium", { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const server = await serve(await buildServeDataset(dir, { typeLayers: false }), { port: 0 });
  t.after(() => server.close());
  const { page, seen } = await openViewer(server);
  t.after(() => page.close());

  // Chunks of both layers arrive, then the network goes quiet (everything visible is loaded).
  await waitFor(() => seen.chunks.color > 0 && seen.chunks.segmentation > 0, 90_000, () => `chunks fetched: ${JSON.stringify(seen)}`);
  await page.waitForNetworkIdle({ idleTime: 1500, timeout: 60_000 });

  // The four panels of the 4-panel layout (xy, xz, 3D, yz): data (the EM-like image, partly
  // under segment colours) fills a good part of each, on a black background; retried while
  // the GPU catches up.
  let stats;
  try {
    await waitFor(async () => {
      const panels = await page.$$(".neuroglancer-rendered-data-panel");
      if (panels.length !== 4) return false;
      stats = [];
      for (const panel of panels) stats.push(await pngStats(browser, await panel.screenshot({ type: "png" })));
      // grey: the image where no segment covers it; coloured: segments
      return stats.every((s) => s.nonBackground > 0.1 && s.coloured > 0.05 && s.nonBackground - s.coloured > 0.02 && s.distinctColours > 1000);
    }, 60_000, () => `panel statistics ${JSON.stringify(stats)}`);
  } finally {
    writeFileSync(path.join(process.env.WKW_SCREENSHOT_DIR ?? dir, "serve-viewer.png"), await page.screenshot({ type: "png" }));
  }
  t.diagnostic(`panels: ${JSON.stringify(stats)}`);
  const shot = await page.screenshot({ type: "png" });
  if (process.env.WKW_UPDATE_SCREENSHOT === "1") {
    writeFileSync(fileURLToPath(new URL("../docs/images/serve-viewer.png", import.meta.url)), shot);
  }

  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.failed, []);
  const whole = await pngStats(browser, shot);
  assert.ok(whole.nonBackground > 0.2, JSON.stringify(whole));
});

test("every served layer (all Neuroglancer voxel types, 3 channels) loads without a page error", { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const server = await serve(await buildServeDataset(dir), { port: 0 });
  t.after(() => server.close());
  const served = ["color", "segmentation", "rgb", "t_uint16", "t_int8", "t_int16", "t_int32", "t_uint64", "t_float32"];
  const { page, seen } = await openViewer(server);
  t.after(() => page.close());
  await waitFor(() => served.every((l) => seen.chunks[l] > 0), 90_000, () => `chunks fetched: ${JSON.stringify(seen)}`);
  await page.waitForNetworkIdle({ idleTime: 1000, timeout: 60_000 });
  assert.deepEqual(Object.keys(seen.chunks).sort(), [...served].sort());
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.failed, []);
});

async function waitFor(predicate, timeoutMs, describe) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
}
