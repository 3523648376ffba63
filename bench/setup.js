"use strict";
// Writes the benchmark datasets into a temporary folder: EM-like uint8 and
// segmentation-like uint32 volumes in two geometries (file length 32, webKnossos'
// default, as raw and LZ4; file length 8 as raw, LZ4 and LZ4HC), chunk by chunk.
const fs = require("node:fs");
const path = require("node:path");
const { WkwDataset } = require("..");
const { EmVolume, SegVolume } = require("./data.js");
const { nowMs } = require("./measure.js");

const VOLUMES = {
  em: { voxelType: "uint8", Array: Uint8Array, Volume: EmVolume },
  seg: { voxelType: "uint32", Array: Uint32Array, Volume: SegVolume },
};
const BLOCK_TYPES = { wk: ["raw", "lz4"], small: ["raw", "lz4", "lz4hc"] };

/** geometry: "wk" (file length params.fileLen.wk) or "small" (params.fileLen.small). */
function datasetPath(dir, volume, blockType, geometry = "small") {
  return path.join(dir, `${volume}-${blockType}-${geometry}`);
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
  const info = {};
  for (const geometry of Object.keys(BLOCK_TYPES)) {
    info[geometry] = await buildGeometry(dir, params, geometry, log);
  }
  return info;
}

async function buildGeometry(dir, params, geometry, log) {
  const { edge, blockLen } = params;
  const fileLen = params.fileLen[geometry];
  const blockTypes = BLOCK_TYPES[geometry];
  // Written in chunks of at most one file and 256³ voxels: with webKnossos' file length 32
  // one file is 1024³ voxels, larger than the volume and than memory should hold.
  const chunkVx = Math.min(blockLen * fileLen, 256, edge);
  const info = {};
  for (const [name, v] of Object.entries(VOLUMES)) {
    const t0 = nowMs();
    const volume = new v.Volume(edge);
    const sets = [];
    for (const blockType of blockTypes) {
      sets.push(await WkwDataset.create(datasetPath(dir, name, blockType, geometry), { voxelType: v.voxelType, blockLen, fileLen, blockType }));
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
      ratio: Object.fromEntries(blockTypes.slice(1).map((t) => [t, voxelBytes / folderBytes(datasetPath(dir, name, t, geometry))])),
      generateMs: genMs,
      writeMs,
    };
    const ratios = Object.entries(info[name].ratio).map(([t, r]) => `${t.toUpperCase()} ratio ${r.toFixed(2)}`).join(", ");
    log(`  ${name}, file length ${fileLen}: generated in ${(genMs / 1000).toFixed(1)} s, written in ${((nowMs() - t0 - genMs) / 1000).toFixed(1)} s; ${ratios}`);
  }
  return info;
}

module.exports = { buildDatasets, datasetPath, VOLUMES };
