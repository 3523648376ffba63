// View semantics: offsets relative to globalOffset and inside the view, sub-views and
// read-only rules, toJSON / View.fromJSON (also in a worker thread), forEachChunk and
// forZippedChunks with their chunk rules and failure handling.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { inspect } from "node:util";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { Dataset, BoundingBox, View, InProcessExecutor } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { rejectsWkw, throwsWkw, snapshot, makeArray, bytes, at } from "./support/dataset.mjs";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js");

async function setup(t, { compress = false, bbox = new BoundingBox([5, 5, 5], [10, 10, 10]) } = {}) {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color");
  const m1 = await layer.addMag(1, { blockLen: 8, fileLen: 2, compress });
  const m2 = await layer.addMag(2, { blockLen: 8, fileLen: 2, compress });
  await layer.setBoundingBox(bbox);
  return { dir, ds, layer, m1, m2 };
}

const ramp = (shape) => makeArray(Uint8Array, shape, (c, x, y, z) => 1 + ((x + 3 * y + 7 * z) % 250));

test("offsets are relative to globalOffset; read/write must lie inside the view", async (t) => {
  const { dir, m1, layer } = await setup(t);
  const all = ramp([1, 20, 20, 20]);
  await m1.write(all, [0, 0, 0]);
  await layer.setBoundingBox(new BoundingBox([5, 5, 5], [10, 10, 10]));
  const v = m1.getView();
  assert.deepEqual(bytes((await v.read([1, 2, 3], [2, 2, 2])).data), bytes((await m1.read([6, 7, 8], [2, 2, 2])).data));
  assert.deepEqual(bytes((await v.read()).data), bytes((await m1.read([5, 5, 5], [10, 10, 10])).data));
  assert.deepEqual((await v.read([2, 2, 2])).shape, [1, 8, 8, 8]);
  assert.deepEqual(bytes((await v.readBbox(new BoundingBox([1, 1, 1], [3, 3, 3]))).data), bytes((await m1.read([6, 6, 6], [3, 3, 3])).data));
  await v.write(makeArray(Uint8Array, [1, 2, 2, 2], () => 255), [1, 1, 1]);
  assert.deepEqual([...(await m1.read([5, 5, 5], [4, 1, 1])).data], [at(all, 0, 5, 5, 5), at(all, 0, 6, 5, 5), at(all, 0, 7, 5, 5), at(all, 0, 8, 5, 5)]);
  assert.deepEqual([...(await m1.read([5, 6, 6], [4, 1, 1])).data], [at(all, 0, 5, 6, 6), 255, 255, at(all, 0, 8, 6, 6)]);
  assert.equal(layer.boundingBox.toCsv(), "5,5,5,10,10,10", "a View write does not grow the bbox");

  const before = snapshot(dir);
  await rejectsWkw(v.read([9, 0, 0], [2, 1, 1]), "ERR_WKW_OUT_OF_BOUNDS", "size");
  await rejectsWkw(v.read([10, 0, 0], [1, 1, 1]), "ERR_WKW_OUT_OF_BOUNDS", "size");
  await rejectsWkw(v.read([10, 0, 0]), "ERR_WKW_ARGUMENT", "size");
  await rejectsWkw(v.read([-1, 0, 0], [1, 1, 1]), "ERR_WKW_ARGUMENT", "offset");
  await rejectsWkw(v.read([0, 0, 0], [0, 1, 1]), "ERR_WKW_ARGUMENT", "size");
  await rejectsWkw(v.write(makeArray(Uint8Array, [1, 2, 2, 2], () => 1), [9, 0, 0]), "ERR_WKW_OUT_OF_BOUNDS", "offset");
  await rejectsWkw(v.write(makeArray(Uint8Array, [1, 11, 1, 1], () => 1)), "ERR_WKW_OUT_OF_BOUNDS", "offset");
  await rejectsWkw(v.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 1), [0, -1, 0]), "ERR_WKW_ARGUMENT", "offset");
  await rejectsWkw(v.write({ data: new Int8Array(1), shape: [1, 1, 1] }), "ERR_WKW_ARGUMENT", "data.data");
  assert.deepEqual(snapshot(dir), before);
});

test("sub-views: relative offsets, defaults, writable ones inside, read-only ones inherited", async (t) => {
  const { dir, m1 } = await setup(t);
  const v = m1.getView();
  const s = v.getView({ offset: [1, 1, 1], size: [3, 3, 3] });
  assert.deepEqual([[...s.globalOffset], [...s.size], s.readOnly], [[6, 6, 6], [3, 3, 3], false]);
  const d = v.getView({ offset: [4, 4, 4] });
  assert.deepEqual([[...d.globalOffset], [...d.size]], [[9, 9, 9], [6, 6, 6]]);
  const whole = v.getView();
  assert.deepEqual([[...whole.globalOffset], [...whole.size]], [[5, 5, 5], [10, 10, 10]]);
  const ro = v.getView({ offset: [8, 8, 8], size: [10, 10, 10], readOnly: true });
  assert.deepEqual([[...ro.globalOffset], [...ro.size], ro.readOnly], [[13, 13, 13], [10, 10, 10], true]);
  const roSub = ro.getView({ offset: [5, 5, 5], size: [20, 1, 1] });
  assert.equal(roSub.readOnly, true, "a read-only view gives read-only sub-views");
  assert.deepEqual([...roSub.globalOffset], [18, 18, 18]);
  assert.ok((await roSub.read()).data.every((x) => x === 0));
  assert.equal(ro.getView({ readOnly: true }).readOnly, true);
  assert.equal(s.mag.toLayerName(), "1");
  assert.equal(s.path, m1.path);
  assert.equal(s.header, m1.header);

  const before = snapshot(dir);
  throwsWkw(() => v.getView({ offset: [8, 0, 0], size: [3, 1, 1] }), "ERR_WKW_OUT_OF_BOUNDS", "options.size");
  throwsWkw(() => v.getView({ offset: [10, 0, 0] }), "ERR_WKW_OUT_OF_BOUNDS", "options.offset");
  throwsWkw(() => v.getView({ offset: [-1, 0, 0], readOnly: true }), "ERR_WKW_ARGUMENT", "options.offset");
  throwsWkw(() => v.getView({ size: [1, 0, 1] }), "ERR_WKW_ARGUMENT", "options.size");
  throwsWkw(() => ro.getView({ readOnly: false }), "ERR_WKW_READ_ONLY", "options.readOnly");
  await rejectsWkw(ro.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 1)), "ERR_WKW_READ_ONLY");
  await rejectsWkw(roSub.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 1)), "ERR_WKW_READ_ONLY");
  assert.deepEqual(snapshot(dir), before);
});

test("toJSON / View.fromJSON: a plain descriptor; the copy reads and writes the same voxels", async (t) => {
  const { m1, m2, layer } = await setup(t);
  await m1.write(ramp([1, 16, 16, 16]), [0, 0, 0]);
  await layer.setBoundingBox(new BoundingBox([5, 5, 5], [10, 10, 10]));
  const v = m1.getView({ offset: [6, 6, 6], size: [4, 4, 4] });
  const json = JSON.parse(JSON.stringify(v));
  assert.deepEqual(json, {
    type: "wkw.View",
    version: 1,
    path: m1.path,
    mag: [1, 1, 1],
    header: { blockLen: 8, fileLen: 2, blockType: "raw", voxelType: "uint8", numChannels: 1 },
    globalOffset: [6, 6, 6],
    size: [4, 4, 4],
    readOnly: false,
    magBoundingBox: { topLeft: [5, 5, 5], size: [10, 10, 10] },
  });
  const copy = View.fromJSON(json);
  assert.equal(inspect(copy), inspect(v));
  assert.deepEqual(bytes((await copy.read()).data), bytes((await v.read()).data));
  await copy.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 77), [3, 3, 3]);
  assert.deepEqual([...(await m1.read([9, 9, 9], [1, 1, 1])).data], [77]);
  copy.close();
  const roJson = m2.getView({ readOnly: true }).toJSON();
  assert.equal(View.fromJSON(roJson).readOnly, true);
  assert.deepEqual(m1.toJSON().globalOffset, [0, 0, 0]);
  assert.deepEqual(m1.toJSON().size, [15, 15, 15]);

  for (const [bad, parameter] of [
    [null, "json"], [{}, "json.type"], [{ ...json, type: "x" }, "json.type"], [{ ...json, path: "" }, "json.path"],
    [{ ...json, mag: [3, 3, 3] }, "json.mag"], [{ ...json, globalOffset: [-1, 0, 0] }, "json.globalOffset"],
    [{ ...json, size: [1, 1] }, "json.size"], [{ ...json, readOnly: "no" }, "json.readOnly"],
    [{ ...json, header: { ...json.header, voxelType: "uint7" } }, "json.header.voxelType"],
    [{ ...json, header: { ...json.header, blockType: "zstd" } }, "json.header.blockType"],
    [{ ...json, magBoundingBox: null }, "json.magBoundingBox"],
  ]) {
    throwsWkw(() => View.fromJSON(bad), "ERR_WKW_ARGUMENT", parameter);
  }
});

test("a serialised view works in a worker thread", async (t) => {
  const { m1 } = await setup(t);
  const data = ramp([1, 10, 10, 10]);
  await m1.write(data, [5, 5, 5]);
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const { View } = require(${JSON.stringify(DIST)});
    (async () => {
      const view = View.fromJSON(workerData);
      const arr = await view.read();
      await view.write({ data: new Uint8Array([201]), shape: [1, 1, 1] }, [0, 0, 0]);
      view.close();
      parentPort.postMessage(Array.from(arr.data));
    })();`;
  const result = await new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: m1.getView().toJSON() });
    w.once("message", resolve);
    w.once("error", reject);
  });
  assert.deepEqual(result, [...data.data]);
  assert.deepEqual([...(await m1.read([5, 5, 5], [1, 1, 1])).data], [201]);
});

test("forEachChunk: grid aligned to multiples of chunkSize over the bbox part; x outer, z inner", async (t) => {
  const { m1, layer } = await setup(t);
  const seen = [];
  await m1.forEachChunk(async (view, index) => {
    seen.push([index, view.globalOffset.join(","), view.size.join(","), view.readOnly]);
    const [sx, sy, sz] = view.size;
    await view.write(makeArray(Uint8Array, [1, sx, sy, sz], () => index + 1));
  }, { chunkSize: [8, 8, 8] });
  seen.sort((a, b) => a[0] - b[0]);
  assert.deepEqual(seen, [
    [0, "5,5,5", "3,3,3", false], [1, "5,5,8", "3,3,7", false], [2, "5,8,5", "3,7,3", false], [3, "5,8,8", "3,7,7", false],
    [4, "8,5,5", "7,3,3", false], [5, "8,5,8", "7,3,7", false], [6, "8,8,5", "7,7,3", false], [7, "8,8,8", "7,7,7", false],
  ]);
  const back = await m1.read([5, 5, 5], [10, 10, 10]);
  assert.equal(at(back, 0, 0, 0, 0), 1);
  assert.equal(at(back, 0, 3, 0, 9), 6);
  assert.equal(at(back, 0, 9, 9, 9), 8);
  assert.equal(layer.boundingBox.toCsv(), "5,5,5,10,10,10");

  // A View: its own region, on the same absolute grid; sub-views inherit readOnly.
  const v = m1.getView({ offset: [6, 6, 6], size: [9, 2, 2], readOnly: true });
  const got = [];
  await v.forEachChunk((sub, i) => got.push([i, sub.globalOffset.join(","), sub.size.join(","), sub.readOnly]), { chunkSize: [4, 4, 4] });
  assert.deepEqual(got, [[0, "6,6,6", "2,2,2", true], [1, "8,6,6", "4,2,2", true], [2, "12,6,6", "3,2,2", true]]);

  // An empty layer: no chunks.
  await layer.setBoundingBox(new BoundingBox([0, 0, 0], [0, 0, 0]));
  let calls = 0;
  await m1.forEachChunk(() => calls++, { chunkSize: [8, 8, 8] });
  assert.equal(calls, 0);
});

test("forEachChunk: chunk rules for writers, executor, first failure after the running jobs", async (t) => {
  const { dir, m1 } = await setup(t);
  const before = snapshot(dir);
  await rejectsWkw(m1.forEachChunk(() => {}, { chunkSize: [4, 8, 8] }), "ERR_WKW_ARGUMENT", "options.chunkSize");
  await rejectsWkw(m1.forEachChunk(() => {}, { chunkSize: [0, 8, 8] }), "ERR_WKW_ARGUMENT", "options.chunkSize");
  await rejectsWkw(m1.forEachChunk(() => {}, {}), "ERR_WKW_ARGUMENT", "options.chunkSize");
  await rejectsWkw(m1.forEachChunk(() => {}), "ERR_WKW_ARGUMENT", "options.chunkSize");
  await rejectsWkw(m1.forEachChunk("work", { chunkSize: [8, 8, 8] }), "ERR_WKW_ARGUMENT", "work");
  await rejectsWkw(m1.forEachChunk(() => {}, { chunkSize: [8, 8, 8], executor: {} }), "ERR_WKW_ARGUMENT", "options.executor");
  await rejectsWkw(m1.forEachChunk(() => {}, { chunkSize: [8, 8, 8], size: 1 }), "ERR_WKW_ARGUMENT", "options.size");
  assert.deepEqual(snapshot(dir), before);
  // read-only views take any chunk size
  let n = 0;
  await m1.getView({ readOnly: true }).forEachChunk(() => n++, { chunkSize: [5, 5, 5] });
  assert.equal(n, 8);
  // compressed writable mags: whole files (edge 16)
  const c = await setup(t, { compress: true });
  await rejectsWkw(c.m1.forEachChunk(() => {}, { chunkSize: [8, 8, 8] }), "ERR_WKW_ARGUMENT", "options.chunkSize");
  await c.m1.forEachChunk(() => n++, { chunkSize: [16, 16, 16] });
  assert.equal(n, 9);

  // the first failure rejects after the running jobs settle
  const big = await setup(t, { bbox: new BoundingBox([0, 0, 0], [64, 8, 8]) });
  const finished = [];
  const boom = new Error("chunk 1 failed");
  await assert.rejects(
    big.m1.forEachChunk(async (view, i) => {
      if (i === 1) throw boom;
      await new Promise((r) => setTimeout(r, 20));
      finished.push(i);
    }, { chunkSize: [8, 8, 8], executor: new InProcessExecutor({ concurrency: 2 }) }),
    (err) => err === boom,
  );
  assert.deepEqual(finished, [0]);
});

test("forZippedChunks: pairs source and target chunks by the size ratio; sources read-only", async (t) => {
  const { dir, m1, m2, layer } = await setup(t, { bbox: new BoundingBox([0, 0, 0], [64, 64, 32]) });
  const src = ramp([1, 64, 64, 32]);
  await m1.write(src, [0, 0, 0]);
  const pairs = [];
  await m1.forZippedChunks(async (s, tgt, i) => {
    pairs.push([i, s.globalOffset.join(","), s.size.join(","), s.readOnly, tgt.globalOffset.join(","), tgt.size.join(","), tgt.readOnly]);
    // 2×2×2 nearest "downsampling" in JS (test only)
    const a = await s.read();
    const [sx, sy, sz] = tgt.size;
    await tgt.write(makeArray(Uint8Array, [1, sx, sy, sz], (c, x, y, z) => at(a, 0, 2 * x, 2 * y, 2 * z)));
  }, m2, { sourceChunkSize: [32, 32, 32], targetChunkSize: [16, 16, 16] });
  pairs.sort((a, b) => a[0] - b[0]);
  assert.deepEqual(pairs, [
    [0, "0,0,0", "32,32,32", true, "0,0,0", "16,16,16", false],
    [1, "0,32,0", "32,32,32", true, "0,16,0", "16,16,16", false],
    [2, "32,0,0", "32,32,32", true, "16,0,0", "16,16,16", false],
    [3, "32,32,0", "32,32,32", true, "16,16,0", "16,16,16", false],
  ]);
  const down = await m2.read([0, 0, 0], [32, 32, 16]);
  assert.deepEqual(bytes(down.data), bytes(makeArray(Uint8Array, [1, 32, 32, 16], (c, x, y, z) => at(src, 0, 2 * x, 2 * y, 2 * z)).data));
  assert.equal(layer.boundingBox.toCsv(), "0,0,0,64,64,32");

  const before = snapshot(dir);
  const opts = { sourceChunkSize: [32, 32, 32], targetChunkSize: [16, 16, 16] };
  await rejectsWkw(m1.forZippedChunks(() => {}, m2, { ...opts, sourceChunkSize: [16, 16, 16] }), "ERR_WKW_ARGUMENT", "options.sourceChunkSize");
  await rejectsWkw(m1.forZippedChunks(() => {}, m2, { sourceChunkSize: [16, 16, 16], targetChunkSize: [8, 8, 8] }), "ERR_WKW_ARGUMENT", "options.targetChunkSize");
  await rejectsWkw(m1.forZippedChunks(() => {}, m2.getView({ readOnly: true }), opts), "ERR_WKW_READ_ONLY", "targetView");
  await rejectsWkw(m1.forZippedChunks(() => {}, {}, opts), "ERR_WKW_ARGUMENT", "targetView");
  await rejectsWkw(m1.forZippedChunks(null, m2, opts), "ERR_WKW_ARGUMENT", "work");
  await rejectsWkw(m1.forZippedChunks(() => {}, m2, { ...opts, targetChunkSize: undefined }), "ERR_WKW_ARGUMENT", "options.targetChunkSize");
  await rejectsWkw(m1.forZippedChunks(() => {}, m2, { ...opts, executor: 3 }), "ERR_WKW_ARGUMENT", "options.executor");
  const boom = new Error("pair failed");
  await rejectsWkw(m1.forZippedChunks(() => {}, m2, { ...opts, sourceChunkSize: [32, 32, 32.5] }), "ERR_WKW_ARGUMENT", "options.sourceChunkSize");
  await assert.rejects(m1.forZippedChunks(() => { throw boom; }, m2, opts), (err) => err === boom);
  assert.deepEqual(snapshot(dir), before);
});

test("Views keep working across a layer rename and share the mag's state", async (t) => {
  const { m1, layer } = await setup(t);
  await m1.write(ramp([1, 15, 15, 15]), [0, 0, 0]);
  const sub = m1.getView().getView({ offset: [1, 1, 1], size: [2, 2, 2] });
  const before = await sub.read();
  await layer.setName("renamed");
  assert.equal(sub.path, m1.path);
  assert.match(sub.path, /renamed/);
  assert.deepEqual(bytes((await sub.read()).data), bytes(before.data));
});
