// The operations every executor must run with identical results: a user chunk job (fill),
// a zipped user job (invert into a second layer), downsampleMag, compress and copyDataset. run() returns
// the sha256 of every file of the layer folders (datasource-properties.json aside).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BoundingBox, Dataset } from "../../dist/index.js";
import { snapshot } from "./dataset.mjs";

export const JOBS = fileURLToPath(new URL("./jobs/user-jobs.mjs", import.meta.url));
export const JOBS_DIR = path.dirname(JOBS);
export const ref = (name, args) => ({ module: new URL(`file://${JOBS}`).href, name, ...(args ? { args } : {}) });

/** 96×96×64 uint8, blockLen 8, fileLen 4: 3×3×2 = 18 cube files of 32³. */
export async function makeDataset(dir) {
  const ds = await Dataset.create(dir, { scale: [11, 11, 25] });
  const color = await ds.addLayer("color", "color", { dtypePerChannel: "uint8" });
  await color.setBoundingBox(new BoundingBox([0, 0, 0], [96, 96, 64]));
  await color.addMag(1, { blockLen: 8, fileLen: 4 });
  const inv = await ds.addLayer("inverted", "color", { dtypePerChannel: "uint8" });
  await inv.setBoundingBox(new BoundingBox([0, 0, 0], [96, 96, 64]));
  await inv.addMag(1, { blockLen: 8, fileLen: 4 });
  return ds;
}

export function layerSnapshot(dsDir) {
  const all = snapshot(dsDir);
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith("datasource-properties")));
}

/** Runs the scenario in `root` with `executor` (undefined: the default in-process one). */
export async function runScenario(root, executor, extra = {}) {
  mkdirSync(root, { recursive: true });
  const ds = await makeDataset(path.join(root, "ds"));
  const color = ds.getLayer("color").getMag(1);
  const inv = ds.getLayer("inverted").getMag(1);
  const progress = [];
  await color.forEachChunk(ref(extra.fillJob ?? "fill", { salt: 7, ms: extra.ms ?? 0 }), {
    chunkSize: [32, 32, 32],
    executor,
    onProgress: ({ done, total, unit }) => progress.push([done, total, unit]),
    ...(extra.signal ? { signal: extra.signal } : {}),
  });
  await color.forZippedChunks(ref("invert"), inv, { sourceChunkSize: [32, 32, 32], targetChunkSize: [32, 32, 32], executor });
  await ds.getLayer("color").downsampleMag(1, [2, 2, 1], { executor });
  await inv.compress({ executor });
  const copy = await ds.copyDataset(path.join(root, "copy"), { fileLen: 2, compress: true, executor });
  ds.close();
  copy.close();
  return { ds: layerSnapshot(path.join(root, "ds")), copy: layerSnapshot(path.join(root, "copy")), progress };
}
