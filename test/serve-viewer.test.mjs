// The viewer page of `wkw serve` in a real browser: Debian's chromium (puppeteer-core, WebGL
// via SwiftShader) loads `/`, Neuroglancer fetches info and chunks from the server, and the
// data panels must show the dataset (EM-like grey rings and coloured segments), with no page
// error. WKW_UPDATE_SCREENSHOT=1 also writes the screenshot to docs/images/serve-viewer.png.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { serve } from "../dist/index.js";
import { launchBrowser, pngStats } from "./support/browser.mjs";
import { tempDir } from "./support/fixtures.mjs";
import { buildServeDataset } from "./support/serve-dataset.mjs";

const CHUNK = /^\/(color|segmentation)\/[^/]+\/\d+-\d+_\d+-\d+_\d+-\d+$/;

test("the viewer page shows every layer of the dataset in Chromium", { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const root = await buildServeDataset(dir, { typeLayers: false });
  const server = await serve(root, { port: 0 });
  t.after(() => server.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());

  const page = await browser.newPage();
  const pageErrors = [];
  const failed = [];
  const chunks = { color: 0, segmentation: 0 };
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("requestfailed", (req) => failed.push(`${req.url()}: ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    const url = new URL(res.url());
    if (res.status() >= 400) failed.push(`${res.url()}: HTTP ${res.status()}`);
    const m = CHUNK.exec(url.pathname);
    if (m && res.status() === 200) chunks[m[1]]++;
  });

  await page.goto(server.url, { waitUntil: "load" });
  // Chunks of both layers arrive, then the network goes quiet (everything visible is loaded).
  await waitFor(() => chunks.color > 0 && chunks.segmentation > 0, 90_000, () => `chunks fetched: ${JSON.stringify(chunks)}`);
  await page.waitForNetworkIdle({ idleTime: 1500, timeout: 60_000 });

  // The four panels of the 4-panel layout (xy, xz, 3D, yz): data (the layer colour shaded
  // by the EM-like image) fills a good part of each; retried while the GPU catches up.
  // (the background is black: blank panels would have no non-background pixel at all)
  let stats;
  try {
    await waitFor(async () => {
      const panels = await page.$$(".neuroglancer-rendered-data-panel");
      if (panels.length !== 4) return false;
      stats = [];
      for (const panel of panels) stats.push(await pngStats(browser, await panel.screenshot({ type: "png" })));
      return stats.every((s) => s.nonBackground > 0.1 && s.coloured > 0.1 && s.distinctColours > 1000);
    }, 60_000, () => `panel statistics ${JSON.stringify(stats)}`);
  } finally {
    const failedShot = path.join(process.env.WKW_SCREENSHOT_DIR ?? dir, "serve-viewer.png");
    writeFileSync(failedShot, await page.screenshot({ type: "png" }));
  }
  t.diagnostic(`panels: ${JSON.stringify(stats)}`);
  const shot = await page.screenshot({ type: "png" });
  if (process.env.WKW_UPDATE_SCREENSHOT === "1") {
    writeFileSync(fileURLToPath(new URL("../docs/images/serve-viewer.png", import.meta.url)), shot);
  }

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(failed, []);
  assert.ok(chunks.color >= 1 && chunks.segmentation >= 1, JSON.stringify(chunks));
  const whole = await pngStats(browser, shot);
  assert.ok(whole.nonBackground > 0.2, JSON.stringify(whole));
});

async function waitFor(predicate, timeoutMs, describe) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
}
