"use strict";
// Writes the benchmark datasets into a temporary folder: EM-like uint8 and
// segmentation-like uint32 volumes, each as raw, LZ4 and LZ4HC, one cube file at a time.
const fs = require("node:fs");
const path = require("node:path");
const { WkwDataset } = require("..");
const { EmVolume, SegVolume } = require("./data.js");
const { nowMs } = require("./measure.js");

const VOLUMES = {
  em: { voxelType: "uint8", Array: Uint8Array, Volume: EmVolume },
  seg: { voxelType: "uint32", Array: Uint32Array, Volume: SegVolume },
};
const BLOCK_TYPES = ["raw", "lz4", "lz4hc"];

function datasetPath(dir, volume, blockType) {
  return path.join(dir, `${volume}-${blockType}`);
}

/** Sum of the sizes of the files under `dir`. */
function folderBytes(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
  }
  return total;
}

/** Generates every dataset; returns facts about them (compression ratios, timings). */
async function buildDatasets(dir, params, log) {
  const { edge, blockLen, fileLen } = params;
  // Written in chunks of at most one file and 256³ voxels: with webKnossos' file length 32
  // one file is 1024³ voxels, larger than the volume and than memory should hold.
  const chunkVx = Math.min(blockLen * fileLen, 256, edge);
  const info = {};
  for (const [name, v] of Object.entries(VOLUMES)) {
    const t0 = nowMs();
    const volume = new v.Volume(edge);
    const sets = [];
    for (const blockType of BLOCK_TYPES) {
      sets.push(await WkwDataset.create(datasetPath(dir, name, blockType), { voxelType: v.voxelType, blockLen, fileLen, blockType }));
    }
    const chunk = new v.Array(chunkVx ** 3);
    let genMs = 0;
    const writeMs = { raw: 0, lz4: 0, lz4hc: 0 };
    for (let z = 0; z < edge; z += chunkVx)
      for (let y = 0; y < edge; y += chunkVx)
        for (let x = 0; x < edge; x += chunkVx) {
          const g0 = nowMs();
          volume.fill([x, y, z], [chunkVx, chunkVx, chunkVx], chunk);
          genMs += nowMs() - g0;
          for (const ds of sets) {
            const w0 = nowMs();
            await ds.write([x, y, z], { data: chunk, shape: [chunkVx, chunkVx, chunkVx] });
            writeMs[ds.header.blockType] += nowMs() - w0;
          }
        }
    for (const ds of sets) ds.close();
    const voxelBytes = edge ** 3 * v.Array.BYTES_PER_ELEMENT;
    info[name] = {
      voxelBytes,
      ratio: Object.fromEntries(BLOCK_TYPES.slice(1).map((t) => [t, voxelBytes / folderBytes(datasetPath(dir, name, t))])),
      generateMs: genMs,
      writeMs,
    };
    log(`  ${name}: generated in ${(genMs / 1000).toFixed(1)} s, written in ${((nowMs() - t0 - genMs) / 1000).toFixed(1)} s; ` +
      `LZ4 ratio ${info[name].ratio.lz4.toFixed(2)}, LZ4HC ratio ${info[name].ratio.lz4hc.toFixed(2)}`);
  }
  return info;
}

module.exports = { buildDatasets, datasetPath, VOLUMES };
