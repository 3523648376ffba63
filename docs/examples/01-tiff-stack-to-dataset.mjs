// 1. A TIFF stack to a dataset: import (LZ4HC) with its pyramid, check every block.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import sharp from "sharp";
import { Dataset } from "wkw";

const work = process.argv[2] ?? "cookbook-data"; // the folder these examples work in

// A demo stack of 64 slices of 300 × 200 (use your microscope's folder instead).
const slices = path.join(work, "slices");
mkdirSync(slices, { recursive: true });
for (let z = 0; z < 64; z++) {
  const pixels = Buffer.alloc(300 * 200).map((_, i) => (i % 300) + z);
  await sharp(pixels, { raw: { width: 300, height: 200, channels: 1 } })
    .toColourspace("b-w").tiff({ compression: "lzw" }).toFile(path.join(slices, `slice_${z}.tif`));
}

// Folder → dataset: slices in natural order (slice_2 before slice_10), column → x,
// row → y, slice → z; LZ4HC cube files; the layer is listed only when complete; then the
// mag pyramid (anisotropic for this voxel size).
const ds = await Dataset.fromImages(slices, path.join(work, "em"), {
  voxelSize: [11.24, 11.24, 25],
  layerName: "color",
  downsample: { coarsestMag: 4 },
  onProgress: ({ done, total, unit }) => done === total && console.log(`${done} ${unit} imported`),
});
const color = ds.getLayer("color");
console.log(`${color}`, color.boundingBox.toString());
// Layer(name=color, category=color, dtypePerChannel=uint8, numChannels=1, mags=[1, 2-2-1, 4-4-2]) BoundingBox(topLeft=[0,0,0], size=[300,200,64])

// Decode every block of every file (the same as `npx wkw verify cookbook-data/em`).
const wkw = createRequire(import.meta.url).resolve("wkw/package.json").replace("package.json", "dist/cli/main.js");
console.log(execFileSync(process.execPath, [wkw, "verify", path.join(work, "em")], { encoding: "utf8" }).trim().split("\n").at(-1));
// 3 files checked, 0 damaged
ds.close();
