// SegmentationLayer.refreshLargestSegmentId: a chunked scan of the finest mag that saves
// the largest voxel value (webknossos-libs' refresh_largest_segment_id), on every executor.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, truncateSync, statSync } from "node:fs";
import path from "node:path";
import { Dataset, WorkerThreadExecutor, BoundingBox } from "../dist/index.js";
import { binding } from "../dist/binding.js";
import { tempDir } from "./support/fixtures.mjs";
import { rejectsWkw, snapshot, propertiesOf, makeArray } from "./support/dataset.mjs";

async function segmentation(t, dtypePerChannel, options = {}) {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  t.after(() => ds.close());
  const layer = await ds.addLayer("seg", "segmentation", { dtypePerChannel, ...options });
  return { dir, ds, layer };
}

test("refreshLargestSegmentId: the largest id of the finest mag, saved; coarser mags do not count", async (t) => {
  const { dir, ds, layer } = await segmentation(t, "uint32", { largestSegmentId: 1 });
  const m1 = await layer.addMag(1, { blockLen: 8, fileLen: 2 });
  const m2 = await layer.addMag(2, { blockLen: 8, fileLen: 2 });
  // 40³ over several 16³ files; the largest id sits in one voxel of the last file
  await m1.write(makeArray(Uint32Array, [1, 40, 40, 40], (c, x, y, z) => (x * 7 + y * 3 + z) % 1000), [0, 0, 0]);
  await m1.write(makeArray(Uint32Array, [1, 1, 1, 1], () => 4_000_000_000), [37, 38, 39]);
  await m2.write(makeArray(Uint32Array, [1, 1, 1, 1], () => 4_294_967_295), [0, 0, 0]);
  const events = [];
  const id = await layer.refreshLargestSegmentId({ onProgress: (p) => events.push(p) });
  assert.equal(id, 4_000_000_000);
  assert.equal(layer.largestSegmentId, 4_000_000_000);
  assert.equal(propertiesOf(dir).dataLayers[0].largestSegmentId, 4_000_000_000);
  assert.deepEqual(events.at(-1), { done: 27, total: 27, unit: "chunks" }); // 3³ files of 16³
  const reopened = await Dataset.open(dir);
  assert.equal(reopened.getLayer("seg").largestSegmentId, 4_000_000_000);
  reopened.close();
  // a smaller chunk shape gives the same id in more jobs; so does a worker-thread executor
  const small = [];
  assert.equal(await layer.refreshLargestSegmentId({ chunkShape: [8, 8, 8], onProgress: (p) => small.push(p.total) }), 4_000_000_000);
  assert.equal(small.at(-1), 125);
  const executor = new WorkerThreadExecutor({ threads: 2 });
  t.after(() => executor.close());
  assert.equal(await layer.refreshLargestSegmentId({ executor }), 4_000_000_000);
  assert.equal(ds.getLayer("seg").largestSegmentId, 4_000_000_000);
});

test("refreshLargestSegmentId: uint64 ids beyond 2^53 come back exactly as bigint; all zeros is 0", async (t) => {
  const { dir, layer } = await segmentation(t, "uint64");
  const mag = await layer.addMag(1, { blockLen: 8, fileLen: 2 });
  await mag.write(makeArray(BigUint64Array, [1, 16, 16, 16], () => 0n), [0, 0, 0]);
  assert.equal(await layer.refreshLargestSegmentId(), 0);
  assert.equal(propertiesOf(dir).dataLayers[0].largestSegmentId, 0);
  const big = 2n ** 63n + 12345n;
  await mag.write(makeArray(BigUint64Array, [1, 1, 1, 1], () => big), [3, 5, 7]);
  assert.equal(await layer.refreshLargestSegmentId(), big);
  assert.equal(layer.largestSegmentId, big);
  assert.match(readFileSync(path.join(dir, "datasource-properties.json"), "utf8"), new RegExp(`"largestSegmentId": ${big}\\b`));
});

test("refreshLargestSegmentId: signed ids (negatives count as 0), sparse layers read only their files", async (t) => {
  const { layer } = await segmentation(t, "int16");
  const mag = await layer.addMag(1, { blockLen: 4, fileLen: 2 });
  // two far-apart writes: the bounding box spans 8³ files, only 2 of them exist
  await mag.write(makeArray(Int16Array, [1, 2, 2, 2], () => -5), [0, 0, 0]);
  await mag.write(makeArray(Int16Array, [1, 2, 2, 2], (c, x) => 300 + x), [60, 60, 60]);
  const totals = [];
  assert.equal(await layer.refreshLargestSegmentId({ onProgress: (p) => totals.push(p.total) }), 301);
  assert.equal(totals.at(-1), 2);
  await mag.write(makeArray(Int16Array, [1, 2, 2, 2], () => -7), [60, 60, 60]);
  assert.equal(await layer.refreshLargestSegmentId(), 0);
});

test("refreshLargestSegmentId: a layer without mags or with an empty bounding box loses the id", async (t) => {
  const { dir, layer } = await segmentation(t, "uint8", { largestSegmentId: 9 });
  assert.equal(await layer.refreshLargestSegmentId(), undefined);
  assert.equal(layer.largestSegmentId, undefined);
  assert.equal("largestSegmentId" in propertiesOf(dir).dataLayers[0], false);
  await layer.setLargestSegmentId(3);
  await layer.addMag(1);
  await layer.setBoundingBox(new BoundingBox([0, 0, 0], [0, 0, 0]));
  assert.equal(await layer.refreshLargestSegmentId(), undefined);
  assert.equal("largestSegmentId" in propertiesOf(dir).dataLayers[0], false);
});

test("refreshLargestSegmentId: bad options, float layers, read-only datasets, abort and corrupt files fail with WkwError and change nothing", async (t) => {
  const { dir, ds, layer } = await segmentation(t, "uint32", { largestSegmentId: 5 });
  const mag = await layer.addMag(1, { blockLen: 8, fileLen: 2, compress: "lz4" });
  await mag.write(makeArray(Uint32Array, [1, 32, 32, 32], (c, x, y, z) => x + y + z + 1), [0, 0, 0]);
  const before = snapshot(dir);
  const bad = [
    [null, "options"], [5, "options"], [{ chunkSize: [8, 8, 8] }, "options.chunkSize"],
    [{ chunkShape: [0, 8, 8] }, "options.chunkShape"], [{ chunkShape: "8" }, "options.chunkShape"],
    [{ executor: {} }, "options.executor"], [{ signal: "stop" }, "options.signal"], [{ onProgress: 1 }, "options.onProgress"],
  ];
  for (const [options, parameter] of bad) await rejectsWkw(layer.refreshLargestSegmentId(options), "ERR_WKW_ARGUMENT", parameter);
  await rejectsWkw(layer.refreshLargestSegmentId({ signal: AbortSignal.abort() }), "ERR_WKW_ABORTED");
  assert.deepEqual(snapshot(dir), before);
  const floats = await ds.addLayer("f", "segmentation", { dtypePerChannel: "float32" });
  await floats.addMag(1);
  await rejectsWkw(floats.refreshLargestSegmentId(), "ERR_WKW_ARGUMENT", "layer");
  const afterFloat = snapshot(dir);
  const readOnly = await Dataset.open(dir, { readOnly: true });
  await rejectsWkw(readOnly.getLayer("seg").refreshLargestSegmentId(), "ERR_WKW_READ_ONLY");
  readOnly.close();
  assert.deepEqual(snapshot(dir), afterFloat);
  // a truncated cube file: the scan fails naming it, and the saved id stays
  const file = path.join(dir, "seg", "1", "z1", "y1", "x1.wkw");
  truncateSync(file, statSync(file).size - 100);
  await assert.rejects(layer.refreshLargestSegmentId(), (e) => e.name === "WkwError" && /ERR_WKW_(CORRUPT|TRUNCATED)/.test(e.code) && e.path === file);
  assert.equal(propertiesOf(dir).dataLayers.find((l) => l.name === "seg").largestSegmentId, 5);
  assert.equal(layer.largestSegmentId, 5);
});

test("binding.maxValue: integer arrays only, null when empty", () => {
  assert.equal(binding.maxValue(new Uint8Array([3, 250, 7])), 250);
  assert.equal(binding.maxValue(new Int32Array([-9, -2, -30])), -2);
  assert.equal(binding.maxValue(new BigInt64Array([-5n, 2n ** 62n])), 2n ** 62n);
  assert.equal(binding.maxValue(new Uint16Array(0)), null);
  for (const bad of [new Float64Array(2), [1, 2], undefined, Buffer.from("ab").buffer]) {
    assert.throws(() => binding.maxValue(bad), (e) => e.code === "ERR_WKW_ARGUMENT" && /integer voxel type/.test(e.message));
  }
});
