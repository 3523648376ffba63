/**
 * The bundled Neuroglancer page (dist/viewer, built by scripts/build-viewer.js) and the
 * state it opens: every served layer at the centre of the dataset, segmentation layers as
 * segmentation. Assets are read into memory at start: no URL is ever mapped to a file path.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { WkwError } from "../errors.js";
import type { Scale } from "../dataset/checks.js";
import { BoundingBox } from "../geometry/bounding-box.js";
import type { ServedLayer } from "./info.js";

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** The folder of the bundle: dist/viewer beside dist/serve. */
export const VIEWER_DIR = path.join(__dirname, "..", "viewer");

/** name → asset, for every file of the bundle (index.html included). */
export function loadViewerAssets(dir = VIEWER_DIR): Map<string, Asset> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new WkwError("ERR_WKW_NOT_FOUND", `The viewer bundle is missing at ${dir} (npm run build:viewer builds it)`, { path: dir, cause: err });
  }
  const assets = new Map<string, Asset>();
  for (const name of names) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const body = readFileSync(path.join(dir, name));
    assets.set(name, { body, type, etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 27)}"` });
  }
  if (!assets.has("index.html") || !assets.has("main.js")) {
    throw new WkwError("ERR_WKW_NOT_FOUND", `The viewer bundle at ${dir} is incomplete (npm run build:viewer builds it)`, { path: dir });
  }
  return assets;
}

/** Shows three channels as RGB; Neuroglancer's default shader would show the first only. */
const RGB_SHADER = `void main() {
  emitRGB(vec3(toNormalized(getDataValue(0)), toNormalized(getDataValue(1)), toNormalized(getDataValue(2))));
}
`;

/** The Neuroglancer state of the page; layer sources are relative URLs the page resolves. */
export function viewerState(name: string, scale: Scale, layers: readonly ServedLayer[]): Record<string, unknown> {
  let union: BoundingBox | undefined;
  for (const l of layers) union = union ? union.extendedBy(l.layer.boundingBox) : l.layer.boundingBox;
  const centre = union ? union.topLeft.map((t, i) => t + union!.size[i]! / 2) : [0, 0, 0];
  // Zoom (mag-1 voxels per screen pixel) so the dataset's width fits a panel of ~350 px,
  // but never beyond what the coarsest mag shows at one voxel per pixel: the visible chunks
  // stay few even when a dataset has only mag 1.
  const extent = union ? Math.max(union.size[0], union.size[1]) : 350;
  const coarsest = Math.max(1, ...layers.flatMap((l) => [...l.scales.values()].map((s) => s.magView.mag.maxDim)));
  const crossSectionScale = Math.max(0.25, Math.min(extent / 350, coarsest));
  return {
    title: `${name} (wkw serve)`,
    dimensions: { x: [scale[0] * 1e-9, "m"], y: [scale[1] * 1e-9, "m"], z: [scale[2] * 1e-9, "m"] },
    position: centre,
    crossSectionScale,
    crossSectionBackgroundColor: "#000000",
    layers: layers.map((l) => ({
      type: l.layer.category === "segmentation" ? "segmentation" : "image",
      source: encodeURIComponent(l.name),
      name: l.name,
      ...(l.layer.category !== "segmentation" && l.layer.numChannels === 3 ? { shader: RGB_SHADER } : {}),
    })),
    layout: "4panel",
  };
}
