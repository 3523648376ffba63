"use strict";
// Whole-file writes of the 512³ EM volume and compress of a layer, on file length 8 (the
// rows of issue #4, kept to show that nothing got slower); each against the addon's own
// single-threaded path (concurrency 1) in the same run.
const fs = require("node:fs");
const path = require("node:path");
const { WkwDataset } = require("..");
const { datasetPath } = require("./setup.js");
const { measureBatches, nowMs } = require("./measure.js");
const { TYPE_BYTES, VOLUME_LABEL } = require("./common.js");

function writeWhole(blockType, concurrency) {
  return async ({ dir, params }) => {
    const n = params.edge;
    const fileVx = params.blockLen * params.fileLen.small;
    const source = await WkwDataset.open(datasetPath(dir, "em", "raw", "small"));
    const data = (await source.read([0, 0, 0], [n, n, n])).data;
    source.close();
    const target = path.join(dir, `write-${blockType}-${concurrency}-${process.pid}`);
    const ds = await WkwDataset.create(target, { voxelType: "uint8", blockLen: params.blockLen, fileLen: params.fileLen.small, blockType });
    // Warm-up: one whole file.
    await ds.write([0, 0, 0], { data, shape: [fileVx, fileVx, fileVx], stride: [1, n, n * n] }, { concurrency });
    const r = await measureBatches(() => ds.write([0, 0, 0], { data, shape: [n, n, n] }, { concurrency, level: 9 }), {
      min: 2, max: 10, budgetMs: params.budgetMs * 3,
    });
    ds.close();
    fs.rmSync(target, { recursive: true, force: true });
    return { ...r, bytesPerOp: n ** 3 };
  };
}

/** Reads every file of a folder through a small buffer: warms the page cache, not the RSS. */
function warmFolder(dir) {
  const buf = Buffer.alloc(1 << 20);
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const fd = fs.openSync(path.join(e.parentPath ?? e.path, e.name), "r");
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    fs.closeSync(fd);
  }
}

function compressLayer(volume, blockType, concurrency) {
  return async ({ dir, params }) => {
    const srcPath = datasetPath(dir, volume, "raw", "small");
    warmFolder(srcPath);
    const src = await WkwDataset.open(srcPath);
    let k = 0;
    const once = async () => {
      const target = path.join(dir, `compress-${volume}-${blockType}-${concurrency}-${process.pid}-${k++}`);
      const ds = await src.compress(target, { blockType, concurrency, level: 9 });
      ds.close();
      fs.rmSync(target, { recursive: true, force: true });
    };
    const r = await measureBatches(once, { min: 2, max: 6, budgetMs: params.budgetMs * 3 });
    src.close();
    return { ...r, bytesPerOp: params.edge ** 3 * TYPE_BYTES[volume] };
  };
}

function configurations(params) {
  const n = params.edge;
  const list = [];
  const section = `write and compress, file length ${params.fileLen.small}`;
  for (const [blockType, mbps] of [["lz4hc", 80], ["lz4", 800], ["raw", undefined]]) {
    const id = `write.em.${blockType}`;
    const label = `${n}³ EM uint8 whole files, ${blockType === "lz4hc" ? "LZ4HC-9" : blockType}`;
    list.push({ id: `${id}.c1`, section, label: `${label}, concurrency 1`, run: writeWhole(blockType, 1), baselineOnly: true });
    list.push({ id, section, label, run: writeWhole(blockType, undefined), baseline: `${id}.c1`, target: mbps ? { mbps } : undefined });
  }
  for (const [volume, blockType] of [["em", "lz4hc"], ["seg", "lz4"]]) {
    const id = `compress.${volume}.${blockType}`;
    const label = `compress ${n}³ ${VOLUME_LABEL[volume]} raw → ${blockType === "lz4hc" ? "LZ4HC-9" : blockType}`;
    list.push({ id: `${id}.c1`, section, label: `${label}, concurrency 1`, run: compressLayer(volume, blockType, 1), baselineOnly: true });
    list.push({ id, section, label, run: compressLayer(volume, blockType, undefined), baseline: `${id}.c1` });
  }
  return list;
}

module.exports = { configurations };
