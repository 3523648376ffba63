// Image import: Dataset.fromImages / addLayerFromImages over generated stacks of every
// supported format and type, checked voxel for voxel; order, multi-page TIFF, slabs and
// staging, broken inputs (nothing left behind), cancellation, progress.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, truncateSync, statSync } from "node:fs";
import path from "node:path";
import { Dataset, WkwError } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { binding } from "../dist/binding.js";
import { rejectsWkw, snapshot } from "./support/dataset.mjs";
import { writeTiff, writeWithSharp, writeMultiPageTiff, decodeWithSharp, sliceData } from "./support/images.mjs";

const W = 37, H = 23;
const SMALL = { blockLen: 8, fileLen: 2 }; // file edge 16: several files per axis

function bytesOf(a) {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes `n` slices of `kind` into `dir`; returns the expected (c, x, y, z) bytes. */
async function makeStack(dir, { kind, Ctor, channels, n = 3, width = W, height = H }) {
  mkdirSync(dir, { recursive: true });
  const ext = kind === "png" ? "png" : kind === "jpeg" ? "jpg" : "tif";
  const parts = [];
  for (let z = 0; z < n; z++) {
    const data = sliceData(Ctor, width, height, channels, z);
    const file = path.join(dir, `s_${z}.${ext}`);
    if (kind === "tiff") await writeTiff(file, data, width, height, channels);
    else await writeWithSharp(file, data, width, height, channels, kind, path.join(dir, `.tmp${z}.tif`));
    // JPEG is lossy: the reference is what the decoder gives for the written file
    parts.push(kind === "jpeg" ? await decodeWithSharp(file, channels) : bytesOf(data));
  }
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}

const CASES = [
  { name: "TIFF uint8 gray", kind: "tiff", Ctor: Uint8Array, channels: 1, dtype: "uint8" },
  { name: "TIFF uint16 gray", kind: "tiff", Ctor: Uint16Array, channels: 1, dtype: "uint16" },
  { name: "TIFF uint32 gray", kind: "tiff", Ctor: Uint32Array, channels: 1, dtype: "uint32" },
  { name: "TIFF float32 gray", kind: "tiff", Ctor: Float32Array, channels: 1, dtype: "float32" },
  { name: "TIFF uint8 RGB", kind: "tiff", Ctor: Uint8Array, channels: 3, dtype: "uint8" },
  { name: "TIFF uint8 RGBA", kind: "tiff", Ctor: Uint8Array, channels: 4, dtype: "uint8" },
  { name: "TIFF uint16 RGB (multi-sample 16-bit)", kind: "tiff", Ctor: Uint16Array, channels: 3, dtype: "uint16" },
  { name: "TIFF LZW uint8 gray", kind: "lzw", Ctor: Uint8Array, channels: 1, dtype: "uint8" },
  { name: "TIFF LZW uint16 gray", kind: "lzw", Ctor: Uint16Array, channels: 1, dtype: "uint16" },
  { name: "TIFF Deflate uint8 RGB", kind: "deflate", Ctor: Uint8Array, channels: 3, dtype: "uint8" },
  { name: "TIFF Deflate uint16 gray", kind: "deflate", Ctor: Uint16Array, channels: 1, dtype: "uint16" },
  { name: "PNG 8-bit gray", kind: "png", Ctor: Uint8Array, channels: 1, dtype: "uint8" },
  { name: "PNG 8-bit RGB", kind: "png", Ctor: Uint8Array, channels: 3, dtype: "uint8" },
  { name: "PNG 8-bit RGBA", kind: "png", Ctor: Uint8Array, channels: 4, dtype: "uint8" },
  { name: "PNG 16-bit gray", kind: "png", Ctor: Uint16Array, channels: 1, dtype: "uint16" },
  { name: "PNG 16-bit RGB", kind: "png", Ctor: Uint16Array, channels: 3, dtype: "uint16" },
  { name: "JPEG gray", kind: "jpeg", Ctor: Uint8Array, channels: 1, dtype: "uint8" },
  { name: "JPEG RGB", kind: "jpeg", Ctor: Uint8Array, channels: 3, dtype: "uint8" },
];
assert.ok(CASES.length > 0);

for (const [i, c] of CASES.entries()) {
  test(`fromImages: ${c.name}, voxel for voxel`, async (t) => {
    const root = tempDir(t);
    const expected = await makeStack(path.join(root, "in"), c);
    const compress = i % 2 === 0; // both layer kinds across the table
    const ds = await Dataset.fromImages(path.join(root, "in"), path.join(root, "out"), { voxelSize: [11.24, 11.24, 25], compress, ...SMALL });
    const layer = ds.getLayer("color");
    assert.equal(layer.category, "color");
    assert.equal(layer.dtypePerChannel, c.dtype);
    assert.equal(layer.numChannels, c.channels);
    assert.deepEqual([...layer.boundingBox.topLeft, ...layer.boundingBox.size], [0, 0, 0, W, H, 3]);
    const mag = layer.getMag(1);
    assert.equal(mag.header.blockType, compress ? "lz4hc" : "raw");
    const arr = await mag.read([0, 0, 0], [W, H, 3]);
    assert.deepEqual(arr.shape, [c.channels, W, H, 3]);
    assert.ok(bytesOf(arr.data).equals(expected), "voxels differ");
    const json = JSON.parse(readFileSync(path.join(root, "out/datasource-properties.json"), "utf8"));
    assert.deepEqual(json.scale, [11.24, 11.24, 25]);
    assert.deepEqual(json.dataLayers[0].wkwResolutions, [{ resolution: [1, 1, 1], cubeLength: 16 }]);
    assert.deepEqual(readdirSync(path.join(root, "out")).sort(), ["color", "datasource-properties.json"].concat(readdirSync(path.join(root, "out")).filter((n) => n.endsWith(".lock"))).sort());
    ds.close();
  });
}

test("natural sort: slice_2 before slice_10; a list keeps its order; a glob sorts naturally", async (t) => {
  const root = tempDir(t);
  const dir = path.join(root, "in");
  mkdirSync(dir);
  const ids = [10, 2, 1, 33, 3];
  for (const id of ids) await writeTiff(path.join(dir, `slice_${id}.tif`), new Uint8Array(4 * 3).fill(id), 4, 3);
  writeFileSync(path.join(dir, "notes.txt"), "not an image"); // ignored in a folder
  const zValues = async (ds) => {
    const a = await ds.getLayer("color").getMag(1).read([0, 0, 0], [1, 1, 5]);
    return [...a.data];
  };
  const a = await Dataset.fromImages(dir, path.join(root, "a"), { voxelSize: [1, 1, 1] });
  assert.deepEqual(await zValues(a), [1, 2, 3, 10, 33]);
  const list = ids.map((id) => path.join(dir, `slice_${id}.tif`));
  const b = await Dataset.fromImages(list, path.join(root, "b"), { voxelSize: [1, 1, 1] });
  assert.deepEqual(await zValues(b), ids);
  const c = await Dataset.fromImages(path.join(dir, "slice_*.tif"), path.join(root, "c"), { voxelSize: [1, 1, 1] });
  assert.deepEqual(await zValues(c), [1, 2, 3, 10, 33]);
  for (const ds of [a, b, c]) ds.close();
});

test("a multi-page TIFF: pages are slices", async (t) => {
  const root = tempDir(t);
  const pages = [0, 1, 2, 3].map((z) => sliceData(Uint8Array, 9, 7, 1, z));
  await writeMultiPageTiff(path.join(root, "stack.tif"), pages, 9, 7);
  const ds = await Dataset.fromImages(path.join(root, "stack.tif"), path.join(root, "out"), { voxelSize: [1, 1, 1], layerName: "em" });
  const layer = ds.getLayer("em");
  assert.deepEqual([...layer.boundingBox.size], [9, 7, 4]);
  const arr = await layer.getMag(1).read([0, 0, 0], [9, 7, 4]);
  assert.ok(bytesOf(arr.data).equals(Buffer.concat(pages.map(bytesOf))));
  ds.close();
});

test("slabs: thin slabs (memory bound) give the same voxels, raw and compressed (staged)", async (t) => {
  const root = tempDir(t);
  const w = 40, h = 30, n = 21;
  const expected = await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint16Array, channels: 1, n, width: w, height: h });
  const geometry = { blockLen: 4, fileLen: 2 }; // file edge 8
  for (const compress of [false, true]) {
    for (const maxSlabBytes of [undefined, w * h * 2 * 5]) {
      const out = path.join(root, `out-${compress}-${maxSlabBytes}`);
      const events = [];
      const ds = await Dataset.fromImages(path.join(root, "in"), out, {
        voxelSize: [1, 1, 1], compress, maxSlabBytes, ...geometry, onProgress: (p) => events.push({ ...p }),
      });
      const mag = ds.getLayer("color").getMag(1);
      const arr = await mag.read([0, 0, 0], [w, h, n]);
      assert.ok(bytesOf(arr.data).equals(expected), `compress ${compress} maxSlabBytes ${maxSlabBytes}`);
      assert.deepEqual(events[0], { done: 0, total: n, unit: "slices" });
      assert.deepEqual(events.at(-1), { done: n, total: n, unit: "slices" });
      assert.equal((await mag.getBoundingBoxesOnDisk()).length, 5 * 4 * 3);
      assert.deepEqual(readdirSync(path.join(out, "color")), ["1"], "no staging folder left");
      ds.close();
    }
  }
});

test("dtype: a lossless widening converts; a narrowing is refused before anything is written", async (t) => {
  const root = tempDir(t);
  const expected = await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint8Array, channels: 1, n: 2 });
  const ds = await Dataset.fromImages(path.join(root, "in"), path.join(root, "out"), { voxelSize: [1, 1, 1], dtype: "uint16" });
  const arr = await ds.getLayer("color").getMag(1).read([0, 0, 0], [W, H, 2]);
  assert.ok(arr.data instanceof Uint16Array);
  assert.deepEqual([...arr.data], [...expected]);
  const before = snapshot(path.join(root, "out"));
  await rejectsWkw(ds.addLayerFromImages(path.join(root, "in"), { layerName: "x", dtype: "int8" }), "ERR_WKW_ARGUMENT", "options.dtype");
  assert.deepEqual(snapshot(path.join(root, "out")), before);
  ds.close();
});

test("addLayerFromImages: a segmentation layer beside an existing one; listed only when complete", async (t) => {
  const root = tempDir(t);
  const expected = await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint32Array, channels: 1, n: 2 });
  const ds = await Dataset.create(path.join(root, "ds"), { scale: [1, 1, 1] });
  await ds.addLayer("color", "color");
  const seen = [];
  const layer = await ds.addLayerFromImages(path.join(root, "in"), {
    layerName: "cells", category: "segmentation",
    onProgress: () => seen.push(JSON.parse(readFileSync(path.join(root, "ds/datasource-properties.json"), "utf8")).dataLayers.map((l) => l.name)),
  });
  assert.ok(seen.length >= 2 && seen.every((names) => names.join() === "color"), "the layer is not listed while it is being written");
  assert.equal(layer.category, "segmentation");
  assert.deepEqual([...ds.layers.keys()], ["color", "cells"]);
  const arr = await layer.getMag(1).read([0, 0, 0], [W, H, 2]);
  assert.ok(bytesOf(arr.data).equals(expected));
  // the import finds the largest segment id on its way (the stack's largest value)
  const ids = new Uint32Array(expected.buffer, expected.byteOffset, expected.byteLength / 4);
  const largest = ids.reduce((m, v) => (v > m ? v : m), 0);
  assert.ok(largest > 0);
  assert.equal(layer.largestSegmentId, largest);
  assert.equal(ds.getLayer("color").largestSegmentId, undefined);
  const reopened = await Dataset.open(path.join(root, "ds"));
  assert.equal(reopened.getLayer("cells").elementClass, "uint32");
  assert.equal(reopened.getLayer("cells").largestSegmentId, largest);
  await rejectsWkw(ds.addLayerFromImages(path.join(root, "in"), { layerName: "cells" }), "ERR_WKW_EXISTS", "options.layerName");
  ds.close();
  reopened.close();
});

test("broken inputs: WkwError naming the file; nothing left behind", async (t) => {
  const root = tempDir(t);
  const make = async (name, files) => {
    const dir = path.join(root, name);
    mkdirSync(dir);
    for (const [file, fn] of files) await fn(path.join(dir, file));
    return dir;
  };
  const slice = (z, w = 16, h = 8) => (f) => writeTiff(f, sliceData(Uint8Array, w, h, 1, z), w, h);
  const png = (z) => (f) => writeWithSharp(f, sliceData(Uint8Array, 16, 8, 1, z), 16, 8, 1, "png");
  const cases = [
    { name: "truncated PNG", code: "ERR_WKW_CORRUPT", bad: "s2.png", files: [["s1.png", png(1)], ["s2.png", async (f) => { await png(2)(f); truncateSync(f, 40); }], ["s3.png", png(3)]] },
    { name: "corrupt TIFF", code: "ERR_WKW_CORRUPT", bad: "s2.tif", files: [["s1.tif", slice(1)], ["s2.tif", (f) => writeFileSync(f, Buffer.from("II*\0garbage that is no IFD"))]] },
    { name: "truncated TIFF", code: "ERR_WKW_CORRUPT", bad: "s2.tif", files: [["s1.tif", slice(1)], ["s2.tif", async (f) => { await slice(2)(f); truncateSync(f, 60); }]] },
    { name: "slice of another size", code: "ERR_WKW_ARGUMENT", bad: "s3.tif", files: [["s1.tif", slice(1)], ["s2.tif", slice(2)], ["s3.tif", slice(3, 17, 8)]] },
    { name: "slice of another type", code: "ERR_WKW_ARGUMENT", bad: "s2.tif", files: [["s1.tif", slice(1)], ["s2.tif", (f) => writeTiff(f, new Uint16Array(16 * 8), 16, 8)]] },
    { name: "a PNG among TIFFs with other channels", code: "ERR_WKW_ARGUMENT", bad: "s2.png", files: [["s1.tif", slice(1)], ["s2.png", (f) => writeWithSharp(f, new Uint8Array(16 * 8 * 3), 16, 8, 3, "png")]] },
  ];
  for (const c of cases) {
    const dir = await make(c.name.replace(/ /g, "_"), c.files);
    const out = path.join(root, `out-${c.name.replace(/ /g, "_")}`);
    await assert.rejects(Dataset.fromImages(dir, out, { voxelSize: [1, 1, 1], compress: false }), (err) => {
      assert.ok(err instanceof WkwError, `${c.name}: ${err}`);
      assert.equal(err.code, c.code, `${c.name}: ${err.message}`);
      assert.equal(err.path, path.join(dir, c.bad), `${c.name}: ${err.message}`);
      assert.ok(err.message.includes(path.join(dir, c.bad)), err.message);
      return true;
    });
    assert.equal(existsSync(out), false, `${c.name}: the output folder is removed`);
  }
  // Into an existing dataset: the dataset is left exactly as it was (no temp folder either).
  const ds = await Dataset.create(path.join(root, "ds"), { scale: [1, 1, 1] });
  const before = snapshot(ds.path);
  await rejectsWkw(ds.addLayerFromImages(path.join(root, "truncated_PNG")), "ERR_WKW_CORRUPT");
  assert.deepEqual(snapshot(ds.path), before);
  assert.equal(ds.layers.size, 0);
  ds.close();
});

test("inputs that are not images, empty or missing; bad options", async (t) => {
  const root = tempDir(t);
  mkdirSync(path.join(root, "empty"));
  mkdirSync(path.join(root, "text"));
  writeFileSync(path.join(root, "text/a.txt"), "x");
  const out = path.join(root, "out");
  const opts = { voxelSize: [1, 1, 1] };
  await rejectsWkw(Dataset.fromImages(path.join(root, "empty"), out, opts), "ERR_WKW_ARGUMENT", "input");
  await rejectsWkw(Dataset.fromImages(path.join(root, "text"), out, opts), "ERR_WKW_ARGUMENT", "input");
  await rejectsWkw(Dataset.fromImages(path.join(root, "text/a.txt"), out, opts), "ERR_WKW_ARGUMENT", "input");
  await rejectsWkw(Dataset.fromImages(path.join(root, "nothing/*.tif"), out, opts), "ERR_WKW_ARGUMENT", "input");
  await rejectsWkw(Dataset.fromImages(path.join(root, "missing"), out, opts), "ERR_WKW_NOT_FOUND", "input");
  await rejectsWkw(Dataset.fromImages([], out, opts), "ERR_WKW_ARGUMENT", "input");
  await rejectsWkw(Dataset.fromImages([42], out, opts), "ERR_WKW_ARGUMENT", "input[0]");
  await rejectsWkw(Dataset.fromImages(42, out, opts), "ERR_WKW_ARGUMENT", "input");
  await rejectsWkw(Dataset.fromImages(path.join(root, "empty"), out, {}), "ERR_WKW_ARGUMENT", "options.voxelSize");
  await rejectsWkw(Dataset.fromImages(path.join(root, "empty"), out, { ...opts, compres: false }), "ERR_WKW_ARGUMENT", "options.compres");
  await rejectsWkw(Dataset.fromImages(path.join(root, "empty"), out, { ...opts, category: "labels" }), "ERR_WKW_ARGUMENT", "options.category");
  await rejectsWkw(Dataset.fromImages(path.join(root, "empty"), out, { ...opts, dtype: "uint12" }), "ERR_WKW_ARGUMENT", "options.dtype");
  await rejectsWkw(Dataset.fromImages(path.join(root, "empty"), out, { ...opts, layerName: ".hidden" }), "ERR_WKW_ARGUMENT", "options.layerName");
  await rejectsWkw(Dataset.fromImages(path.join(root, "empty"), out, { ...opts, blockLen: 3 }), "ERR_WKW_ARGUMENT", "options.blockLen");
  await rejectsWkw(Dataset.fromImages(path.join(root, "empty"), out, { ...opts, signal: {} }), "ERR_WKW_ARGUMENT", "options.signal");
  assert.equal(existsSync(out), false);
});

test("cancel: an aborted import rejects with ERR_WKW_ABORTED and leaves nothing", async (t) => {
  const root = tempDir(t);
  await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint8Array, channels: 1, n: 12 });
  const controller = new AbortController();
  const out = path.join(root, "out");
  await rejectsWkw(
    Dataset.fromImages(path.join(root, "in"), out, {
      voxelSize: [1, 1, 1], blockLen: 2, fileLen: 2, maxSlabBytes: W * H * 2,
      onProgress: (p) => { if (p.done === 3) controller.abort(); },
      signal: controller.signal,
    }),
    "ERR_WKW_ABORTED",
  );
  assert.equal(existsSync(out), false);
});

test("importSlab is a job function: (view, index, args) with a View from JSON and JSON args", async (t) => {
  const { importSlab } = (await import("../dist/ops/image-import.js")).default;
  const { View, WkwDataset } = await import("../dist/index.js");
  const root = tempDir(t);
  const expected = await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint16Array, channels: 1, n: 6 });
  const mag = await WkwDataset.create(path.join(root, "mag"), { voxelType: "uint16", blockLen: 4, fileLen: 1 });
  mag.close();
  const files = readdirSync(path.join(root, "in")).filter((f) => f.endsWith(".tif")).sort();
  const args = JSON.parse(JSON.stringify({ slices: files.map((f) => ({ file: path.join(root, "in", f), page: 0 })), format: { width: W, height: H, channels: 1, dtype: "uint16" }, dtype: "uint16" }));
  const json = (z, d) => ({
    type: "wkw.View", version: 1, path: path.join(root, "mag"), mag: [1, 1, 1],
    header: { blockLen: 4, fileLen: 1, blockType: "raw", voxelType: "uint16", numChannels: 1 },
    globalOffset: [0, 0, z], size: [W, H, d], readOnly: false, magBoundingBox: { topLeft: [0, 0, 0], size: [W, H, 6] },
  });
  // two jobs, in any order: slices 4..5, then 0..3
  assert.deepEqual(await importSlab(View.fromJSON(json(4, 2)), 1, args), { slices: 2 });
  assert.deepEqual(await importSlab(View.fromJSON(json(0, 4)), 0, args), { slices: 4 });
  const back = await WkwDataset.open(path.join(root, "mag"));
  assert.ok(bytesOf((await back.read([0, 0, 0], [W, H, 6])).data).equals(expected));
  back.close();
  await rejectsWkw(importSlab(View.fromJSON({ ...json(0, 4), size: [W - 1, H, 4] }), 0, args), "ERR_WKW_ARGUMENT", "view");
});

test("downsample: true builds the pyramid after the import (Layer.downsample)", async (t) => {
  const root = tempDir(t);
  await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint8Array, channels: 1, n: 8, width: 64, height: 32 });
  const ds = await Dataset.fromImages(path.join(root, "in"), path.join(root, "out"), { voxelSize: [10, 10, 20], downsample: { coarsestMag: 4 }, ...SMALL });
  const layer = ds.getLayer("color");
  assert.deepEqual([...layer.mags.keys()], ["1", "2-2-1", "4-4-2"]);
  const full = await layer.getMag(1).read([0, 0, 0], [2, 2, 1]);
  const half = await layer.getMag("2-2-1").read([0, 0, 0], [1, 1, 1]);
  const sorted = [...full.data].sort((a, b) => a - b);
  assert.ok(half.data[0] >= sorted[0] && half.data[0] <= sorted[3], "a median of the 2×2×1 voxels");
  ds.close();
});

test("an executor running jobs elsewhere: worker threads import the slabs through the job reference", async (t) => {
  const { WorkerThreadExecutor } = await import("../dist/index.js");
  const root = tempDir(t);
  const expected = await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint8Array, channels: 3, n: 20 });
  const executor = new WorkerThreadExecutor({ threads: 2 });
  t.after(() => executor.close());
  const events = [];
  const ds = await Dataset.fromImages(path.join(root, "in"), path.join(root, "out"), {
    voxelSize: [1, 1, 1], blockLen: 4, fileLen: 2, executor, onProgress: (p) => events.push(p.done),
  });
  const arr = await ds.getLayer("color").getMag(1).read([0, 0, 0], [W, H, 20]);
  assert.ok(bytesOf(arr.data).equals(expected));
  assert.deepEqual([events[0], events.at(-1)], [0, 20]);
  assert.ok(events.length >= 3, "progress per slab");
  ds.close();
});

test("worker threads: a segmentation import finds largestSegmentId from the slabs' jobs; a float layer gets none", async (t) => {
  const { WorkerThreadExecutor } = await import("../dist/index.js");
  const root = tempDir(t);
  const expected = await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint16Array, channels: 1, n: 9 });
  const executor = new WorkerThreadExecutor({ threads: 2 });
  t.after(() => executor.close());
  const ds = await Dataset.fromImages(path.join(root, "in"), path.join(root, "out"), {
    voxelSize: [1, 1, 1], blockLen: 4, fileLen: 2, category: "segmentation", layerName: "seg", executor,
  });
  const ids = new Uint16Array(expected.buffer, expected.byteOffset, expected.byteLength / 2);
  assert.equal(ds.getLayer("seg").largestSegmentId, ids.reduce((m, v) => (v > m ? v : m), 0));
  const floats = await ds.addLayerFromImages(path.join(root, "in"), { layerName: "f", category: "segmentation", dtype: "float32", blockLen: 4, fileLen: 2 });
  assert.equal(floats.largestSegmentId, undefined);
  ds.close();
});

test("a killed import's hidden folder is removed by the next import on this host; a live writer's is kept", async (t) => {
  const root = tempDir(t);
  const expected = await makeStack(path.join(root, "in"), { kind: "tiff", Ctor: Uint8Array, channels: 1, n: 2 });
  const ds = await Dataset.create(path.join(root, "ds"), { scale: [1, 1, 1] });
  const host = binding.hostTag();
  // pid 2^22 + 1 is above Linux's pid_max: no such process
  const dead = path.join(ds.path, `.import-4194305-0a1b2c-${host}`);
  const live = path.join(ds.path, `.import-${process.pid}-3d4e5f-${host}`);
  const otherHost = path.join(ds.path, ".import-4194305-0a1b2c-elsewhere");
  for (const dir of [dead, live, otherHost]) {
    mkdirSync(path.join(dir, "1", "z0"), { recursive: true });
    writeFileSync(path.join(dir, "1", "z0", "x0.wkw"), "partial");
  }
  const layer = await ds.addLayerFromImages(path.join(root, "in"), { layerName: "color" });
  assert.ok(bytesOf((await layer.getMag(1).read([0, 0, 0], [W, H, 2])).data).equals(expected));
  assert.equal(existsSync(dead), false, "the dead writer's folder is gone");
  assert.equal(existsSync(live), true, "a live writer's folder stays");
  assert.equal(existsSync(otherHost), true, "another host's folder stays");
  assert.deepEqual(readdirSync(ds.path).filter((n) => n.startsWith(".import-")).sort(), [path.basename(otherHost), path.basename(live)].sort());
  ds.close();
});
