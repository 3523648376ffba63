// Strict options: every public function rejects an unknown option key with ERR_WKW_ARGUMENT
// naming the key and the known ones (a typo never passes silently), and changes nothing on
// disk. Also: data longer than its shape, missing required options, conflicting options, and
// stride-0 data (only as an explicit broadcast), each with its exact message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import {
  BlockCache, BoundingBox, Dataset, InProcessExecutor, Mag, WkwDataset, WkwError, setArrayPoolCapacity, setFileCacheCapacity,
} from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { snapshot } from "./support/dataset.mjs";

/** Asserts a WkwError ERR_WKW_ARGUMENT with exactly this message (and parameter). */
function exact(message, parameter) {
  return (e) => {
    assert.ok(e instanceof WkwError, `expected a WkwError, got ${e?.stack ?? e}`);
    assert.equal(e.code, "ERR_WKW_ARGUMENT");
    assert.equal(e.message, message);
    if (parameter !== undefined) assert.equal(e.parameter, parameter);
    return true;
  };
}

/**
 * The unknown-option error for `key`: the exact message form, and a list of known options that
 * holds `known` in this order (features added later may append options of their own).
 */
function unknown(key, known, hint = "") {
  return (e) => {
    assert.ok(e instanceof WkwError, `expected a WkwError, got ${e?.stack ?? e}`);
    assert.equal(e.code, "ERR_WKW_ARGUMENT");
    assert.equal(e.parameter, `options.${key}`);
    const prefix = `options.${key} is not a known option${hint}; the known options are: `;
    assert.ok(e.message.startsWith(prefix), e.message);
    const list = e.message.slice(prefix.length).split(", ");
    const want = known.split(", ");
    assert.deepEqual(list.filter((k) => want.includes(k)), want, e.message);
    assert.ok(!list.includes(key), e.message);
    return true;
  };
}

test("WkwDataset: create, open, read, readSync, write, writeSync, compress, compressFilesInto", async (t) => {
  const dir = tempDir(t);
  // { blocktype: "lz4" } used to make a raw dataset silently
  await assert.rejects(WkwDataset.create(path.join(dir, "typo"), { voxelType: "uint8", blocktype: "lz4" }),
    unknown("blocktype", "voxelType, numChannels, blockLen, fileLen, blockType, version, voxelSize"));
  assert.equal(existsSync(path.join(dir, "typo")), false, "nothing created");
  await assert.rejects(WkwDataset.create(path.join(dir, "none")), exact("options is missing: it must be an options object with at least voxelType", "options"));
  const ds = await WkwDataset.create(path.join(dir, "ds"), { voxelType: "uint8", blockLen: 8, fileLen: 2, blockType: "lz4" });
  // A header passes as create options (version and voxelSize are checked, not ignored).
  const twin = await WkwDataset.create(path.join(dir, "twin"), { ...ds.header, blockType: "raw" });
  assert.deepEqual(twin.header, { ...ds.header, blockType: "raw" });
  await assert.rejects(WkwDataset.create(path.join(dir, "v2"), { ...ds.header, version: 2 }), exact("options.version must be 1 (the only WKW version), received number 2", "options.version"));
  await assert.rejects(WkwDataset.create(path.join(dir, "vs"), { ...ds.header, numChannels: 2 }), exact("options.voxelSize must be 2 (2 × uint8) or absent, received number 1", "options.voxelSize"));
  assert.equal(existsSync(path.join(dir, "v2")) || existsSync(path.join(dir, "vs")), false);
  await ds.write([0, 0, 0], { data: new Uint8Array(8 ** 3).fill(3), shape: [8, 8, 8] });
  const before = snapshot(dir);
  await assert.rejects(WkwDataset.open(ds.path, { voxeltype: "uint8" }), unknown("voxeltype", "voxelType"));
  const signal = new AbortController().signal;
  await assert.rejects(ds.read([0, 0, 0], [2, 2, 2], { sigal: signal }), unknown("sigal", "out, signal, concurrency"));
  assert.throws(() => ds.readSync([0, 0, 0], [2, 2, 2], { signal }), unknown("signal", "out"));
  const one = { data: new Uint8Array(8), shape: [2, 2, 2] };
  await assert.rejects(ds.write([0, 0, 0], one, { durabel: true }), unknown("durabel", "signal, concurrency, level, durable, broadcast"));
  assert.throws(() => ds.writeSync([0, 0, 0], one, { signal }), unknown("signal", "level, durable, broadcast"));
  await assert.rejects(ds.compress(path.join(dir, "hc"), { blocktype: "lz4" }), unknown("blocktype", "blockType, signal, concurrency, level, durable"));
  const target = await WkwDataset.create(path.join(dir, "target"), { voxelType: "uint8", blockLen: 8, fileLen: 2, blockType: "raw" });
  const before2 = snapshot(dir);
  await assert.rejects(ds.compressFilesInto(target, [[0, 0, 0]], { blockType: "raw" }), unknown("blockType", "signal, concurrency, level, durable"));
  assert.deepEqual(snapshot(dir), before2, "nothing on disk changed");
  assert.deepEqual(Object.keys(before).every((k) => k in before2), true);
  // An expected voxel type is checked against the header.
  await assert.rejects(WkwDataset.open(ds.path, { voxelType: "uint16" }), (e) => e.code === "ERR_WKW_HEADER" && e.message === `${path.join(ds.path, "header.wkw")} holds voxel type uint8, not uint16 (options.voxelType)`);
  assert.equal((await WkwDataset.open(ds.path, { voxelType: "uint8" })).header.voxelType, "uint8");
});

test("WkwDataset: data longer than its shape, out arrays of the wrong length", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(dir, { voxelType: "uint16", blockLen: 8, fileLen: 2 });
  const before = snapshot(dir);
  const long = { data: new Uint16Array(9), shape: [2, 2, 2] };
  await assert.rejects(ds.write([0, 0, 0], long), exact("data.data must be exactly 8 items for shape [2, 2, 2], received Uint16Array(9)", "data.data"));
  assert.throws(() => ds.writeSync([0, 0, 0], long), exact("data.data must be exactly 8 items for shape [2, 2, 2], received Uint16Array(9)", "data.data"));
  await assert.rejects(ds.write([0, 0, 0], { data: new Uint16Array(10), shape: [2, 2, 2], offset: 1 }), exact("data.data must be exactly 9 items for shape [2, 2, 2] at offset 1, received Uint16Array(10)", "data.data"));
  await assert.rejects(ds.read([0, 0, 0], [2, 2, 2], { out: { data: new Uint16Array(9), shape: [1, 2, 2, 2] } }), exact("options.out.data must be exactly 8 items, received Uint16Array(9)", "options.out.data"));
  assert.deepEqual(snapshot(dir), before);
  // With explicit strides, data may be a view into a larger array (scijs ndarray).
  const big = new Uint16Array(100).map((_, i) => i);
  await ds.write([0, 0, 0], { data: big, shape: [2, 2, 2], stride: [1, 10, 20], offset: 5 });
  assert.deepEqual([...(await ds.read([0, 0, 0], [2, 2, 2])).data], [5, 6, 15, 16, 25, 26, 35, 36]);
});

test("stride 0 only as an explicit broadcast: { broadcast: true } fills a region from one item", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(dir, { voxelType: "uint32", blockLen: 8, fileLen: 2, blockType: "lz4" });
  const fill = { data: new Uint32Array([0xdeadbeef]), shape: [20, 17, 3], stride: [0, 0, 0] };
  await assert.rejects(ds.write([1, 2, 3], fill), exact("data.stride is 0 on axis x (length 20), which repeats one item along it: pass { broadcast: true } to mean that", "data.stride"));
  assert.deepEqual(await ds.listFiles(), []);
  await ds.write([1, 2, 3], fill, { broadcast: true });
  ds.writeSync([30, 0, 0], { data: new Uint32Array([7, 8]), shape: [2, 3, 1], stride: [1, 0, 0] }, { broadcast: true });
  const all = await ds.read([0, 0, 0], [32, 20, 7]);
  let n = 0;
  for (let z = 0; z < 7; z++)
    for (let y = 0; y < 20; y++)
      for (let x = 0; x < 32; x++) {
        const v = all.data[x + 32 * (y + 20 * z)];
        const inFill = x >= 1 && x < 21 && y >= 2 && y < 19 && z >= 3 && z < 6;
        const inRow = x >= 30 && y < 3 && z === 0;
        assert.equal(v, inFill ? 0xdeadbeef : inRow ? 7 + (x - 30) : 0, `(${x}, ${y}, ${z})`);
        n += v !== 0;
      }
  assert.equal(n, 20 * 17 * 3 + 6);
  await assert.rejects(ds.write([0, 0, 0], fill, { broadcast: 1 }), exact("options.broadcast must be a boolean, received number 1", "options.broadcast"));
});

test("dataset API: every options object is strict", async (t) => {
  const root = tempDir(t);
  const dir = path.join(root, "ds");
  await assert.rejects(Dataset.create(dir, { scale: [1, 1, 1], voxelSize: [1, 1, 1] }), unknown("voxelSize", "scale, name"));
  await assert.rejects(Dataset.create(dir, {}), exact("options.scale is missing: it must be an array of 3 positive numbers (voxel size in nm)", "options.scale"));
  await assert.rejects(Dataset.create(dir), exact("options is missing: it must be an options object with at least scale", "options"));
  await assert.rejects(Dataset.getOrCreate(dir), exact("options is missing: it must be an options object with at least scale", "options"));
  await assert.rejects(Dataset.create(dir, null), exact("options must be an options object, received null", "options"));
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  await assert.rejects(Dataset.open(dir, { readonly: true }), unknown("readonly", "readOnly"));
  await assert.rejects(Dataset.getOrCreate(dir, { scale: [1, 1, 1], nme: "x" }), unknown("nme", "scale, name"));
  const layerKeys = "dtypePerLayer, dtypePerChannel, numChannels, largestSegmentId, mappings";
  await assert.rejects(ds.addLayer("c", "color", { dtype: "uint8" }), unknown("dtype", layerKeys, " (use dtypePerLayer or dtypePerChannel)"));
  await assert.rejects(ds.addLayer("c", "color", { dtypePerChanel: "uint8" }), unknown("dtypePerChanel", layerKeys));
  await assert.rejects(ds.addLayer("c", "color", { dtypePerChannel: "uint8", dtypePerLayer: "uint8" }),
    exact("options.dtypePerChannel and options.dtypePerLayer were both given: pass only one of them", "options.dtypePerChannel"));
  await assert.rejects(ds.addLayer("c", "color", { largestSegmentId: 5 }),
    exact('options.largestSegmentId is only for segmentation layers (this layer\'s category is "color")', "options.largestSegmentId"));
  const color = await ds.addLayer("color", "color");
  await assert.rejects(ds.getOrAddLayer("color", "color", { numChanels: 1 }), unknown("numChanels", layerKeys));
  await assert.rejects(color.addMag(1, { compres: true }), unknown("compres", "blockLen, fileLen, compress"));
  const mag = await color.addMag(1, { blockLen: 8, fileLen: 2 });
  await assert.rejects(color.getOrAddMag(1, { blocklen: 8 }), unknown("blocklen", "blockLen, fileLen, compress"));
  await mag.write({ data: new Uint8Array(8), shape: [2, 2, 2] }, [0, 0, 0]);
  const before = snapshot(root);
  assert.throws(() => mag.getView({ ofset: [0, 0, 0] }), unknown("ofset", "offset, size, readOnly"));
  await assert.rejects(mag.compress({ target: path.join(root, "x") }), unknown("target", "targetPath, executor"));
  const view = mag.getView({ size: [2, 2, 2] });
  assert.throws(() => view.getView({ readonly: true }), unknown("readonly", "offset, size, readOnly"));
  await assert.rejects(view.read([0, 0, 0], [1, 1, 1], { sigal: null }), unknown("sigal", "out, signal, concurrency"));
  await assert.rejects(view.write({ data: new Uint8Array(1), shape: [1, 1, 1] }, [0, 0, 0], { warnunaligned: false }),
    unknown("warnunaligned", "signal, concurrency, level, durable, broadcast, warnUnaligned"));
  await assert.rejects(view.forEachChunk(() => {}, { chunksize: [2, 2, 2] }), unknown("chunksize", "chunkSize, executor"));
  await assert.rejects(view.forZippedChunks(() => {}, view, { sourceChunkSize: [2, 2, 2], targetChunkSize: [16, 16, 16], exector: null }),
    unknown("exector", "sourceChunkSize, targetChunkSize, executor"));
  await assert.rejects(ds.copyDataset(path.join(root, "copy"), { blocklen: 8 }), unknown("blocklen", "scale, blockLen, fileLen, compress, executor"));
  assert.deepEqual(snapshot(root), before, "nothing on disk changed");
});

test("addMag({ compress }): true / \"lz4hc\" → LZ4HC, \"lz4\" → LZ4, false → raw; getOrAddMag checks it", async (t) => {
  const ds = await Dataset.create(path.join(tempDir(t), "ds"), { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color");
  const cases = [[1, true, "lz4hc"], [2, "lz4hc", "lz4hc"], [4, "lz4", "lz4"], [8, false, "raw"], [16, undefined, "raw"]];
  for (const [m, compress, blockType] of cases) {
    const mag = await layer.addMag(m, compress === undefined ? {} : { compress });
    assert.equal(mag.header.blockType, blockType, `compress ${compress}`);
    await mag.write({ data: new Uint8Array(8).fill(m), shape: [2, 2, 2] }, [0, 0, 0]);
    assert.deepEqual([...(await mag.read([0, 0, 0], [2, 1, 1])).data], [m, m]);
  }
  assert.equal((await layer.getOrAddMag(4, { compress: true })).header.blockType, "lz4", "true accepts any compressed mag");
  assert.equal((await layer.getOrAddMag(4, { compress: "lz4" })).header.blockType, "lz4");
  await assert.rejects(layer.getOrAddMag(4, { compress: "lz4hc" }), exact('options.compress: mag 4 of layer color exists with compress "lz4", received "lz4hc"', "options.compress"));
  await assert.rejects(layer.getOrAddMag(8, { compress: true }), exact("options.compress: mag 8 of layer color exists with compress false, received true", "options.compress"));
  await assert.rejects(layer.addMag(32, { compress: "zstd" }), exact('options.compress must be true, false, "lz4" or "lz4hc", received "zstd"', "options.compress"));
});

test("caches and downsampling: strict options through the same helper", async (t) => {
  assert.throws(() => new BlockCache({ maxBytes: 1024, maxbytes: 1 }), unknown("maxbytes", "maxBytes"));
  assert.throws(() => setFileCacheCapacity({ maxFile: 1 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.message === "capacity.maxFile is not a known option; the known options are: maxFiles, maxBytes");
  assert.throws(() => setArrayPoolCapacity({ bytes: 1 }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.message === "capacity.bytes is not a known option; the known options are: maxBytes");
  const ds = await Dataset.create(path.join(tempDir(t), "ds"), { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color");
  await layer.addMag(1, { blockLen: 8, fileLen: 2 });
  await assert.rejects(layer.downsample({ coarsestmag: 4 }), unknown("coarsestmag", "coarsestMag"));
});

test("executors and geometry: strict options", () => {
  assert.throws(() => new InProcessExecutor({ concurency: 2 }), unknown("concurency", "concurrency"));
  const box = new BoundingBox([0, 0, 0], [4, 4, 4]);
  assert.throws(() => box.intersectedWith(box, { allowempty: true }), unknown("allowempty", "allowEmpty"));
  assert.throws(() => box.alignWithMag(new Mag(2), { Ceil: true }), unknown("Ceil", "ceil"));
});
