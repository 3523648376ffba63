// Debian's chromium driven by puppeteer-core (no browser download): headless, WebGL through
// SwiftShader, a fresh profile per launch, nothing fetched from the network by the browser.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import puppeteer from "puppeteer-core";

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no chromium found (tried ${candidates.join(", ")}); .ci/run installs Debian's chromium, or set CHROMIUM_PATH`);
  return found;
}

/** Launches chromium; the returned browser's close() also removes its profile folder. */
export async function launchBrowser() {
  const profile = mkdtempSync(path.join(tmpdir(), "wkw-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    defaultViewport: { width: 1280, height: 800 },
    args: [
      "--headless", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      // A page that is not the active tab must keep rendering (Neuroglancer requests the
      // chunks it needs from its render loop).
      "--disable-renderer-backgrounding", "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
      `--user-data-dir=${profile}`,
    ],
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
  return browser;
}

/**
 * Pixel statistics of a PNG, decoded by the browser itself (a 2D canvas) so the test needs
 * no image library: share of pixels that are not background, of coloured pixels (segment
 * colours) and the number of distinct colours (data shading makes thousands; flat segment
 * colours alone a few dozen).
 */
export async function pngStats(browser, png) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const n = img.width * img.height;
      let nonBackground = 0, coloured = 0;
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i], g = data[i + 1], b = data[i + 2];
        const max = Math.max(r, g, b), min = Math.min(r, g, b);
        if (max > 12) nonBackground++;
        if (max - min > 60) coloured++;
        colours.add((r << 16) | (g << 8) | b);
      }
      return { width: img.width, height: img.height, nonBackground: nonBackground / n, coloured: coloured / n, distinctColours: colours.size };
    }, Buffer.from(png).toString("base64"));
  } finally {
    await page.close();
  }
}
