// MagView semantics of API.md "MagView and View" (2021 coordinates: mag-local, absolute):
// extent, read/readBbox defaults, write with bbox growth (in mag1, also across processes),
// getView rules, read-only rules, compressed unaligned writes, bounding boxes on disk.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { fileURLToPath } from "node:url";
import { Dataset, BoundingBox, View } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import {
  rejectsWkw, throwsWkw, snapshot, propertiesOf, makeArray, bytes, captureWarnings, isArgError,
} from "./support/dataset.mjs";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js");

async function layerWithBox(t, { compress = false, channels = 1 } = {}) {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color", { dtypePerChannel: "uint8", numChannels: channels });
  const m1 = await layer.addMag(1, { blockLen: 8, fileLen: 2, compress });
  const m2 = await layer.addMag("2-2-1", { blockLen: 8, fileLen: 2, compress });
  const m4 = await layer.addMag(4, { blockLen: 8, fileLen: 2, compress });
  await layer.setBoundingBox(new BoundingBox([5, 5, 5], [10, 10, 10]));
  return { dir, ds, layer, m1, m2, m4 };
}

test("extent: globalOffset (0,0,0); size up to the bbox bottom-right aligned (ceil) to the mag", async (t) => {
  const { m1, m2, m4, layer } = await layerWithBox(t);
  assert.deepEqual([...m1.globalOffset], [0, 0, 0]);
  assert.deepEqual([...m1.size], [15, 15, 15]);
  assert.deepEqual([...m2.size], [8, 8, 15]);
  assert.deepEqual([...m4.size], [4, 4, 4]);
  assert.equal(inspect(m2), "MagView(name=2-2-1, globalOffset=[0,0,0], size=[8,8,15])");
  assert.equal(String(m1), "MagView(name=1, globalOffset=[0,0,0], size=[15,15,15])");
  await layer.setBoundingBox(new BoundingBox([0, 0, 0], [0, 0, 0]));
  assert.deepEqual([...m2.size], [0, 0, 0]);
  assert.equal(m1.readOnly, false);
});

test("read defaults: offset (0,0,0), size = magView.size; readBbox; reads beyond the bbox give zeros", async (t) => {
  const { m1, m2 } = await layerWithBox(t, { channels: 3 });
  const data = makeArray(Uint8Array, [3, 10, 10, 10], (c, x, y, z) => 1 + c + x + 2 * y + 3 * z);
  await m1.write(data, [5, 5, 5]);
  const all = await m1.read();
  assert.deepEqual(all.shape, [3, 15, 15, 15]);
  const expected = makeArray(Uint8Array, [3, 15, 15, 15], (c, x, y, z) => (x >= 5 && y >= 5 && z >= 5 ? 1 + c + (x - 5) + 2 * (y - 5) + 3 * (z - 5) : 0));
  assert.deepEqual(bytes(all.data), bytes(expected.data));
  assert.deepEqual(bytes((await m1.readBbox()).data), bytes(expected.data));
  const part = await m1.readBbox(new BoundingBox([5, 5, 5], [10, 10, 10]));
  assert.deepEqual(bytes(part.data), bytes(data.data));
  assert.deepEqual(bytes((await m1.read([5, 5, 5], [10, 10, 10])).data), bytes(data.data));
  assert.deepEqual(bytes((await m1.read([5, 5, 5])).data), bytes(data.data), "size defaults to the rest of magView.size");
  const beyond = await m1.read([100, 100, 100], [2, 2, 2]);
  assert.ok(beyond.data.every((v) => v === 0));
  assert.deepEqual((await m2.read()).shape, [3, 8, 8, 15]);
  // a caller-supplied buffer is filled
  const out = { data: new Uint8Array(3 * 1000), shape: [3, 10, 10, 10] };
  const filled = await m1.read([5, 5, 5], [10, 10, 10], { out });
  assert.equal(filled.data, out.data);
});

test("write grows the layer bbox in mag1; writes inside it leave the JSON alone", async (t) => {
  const { dir, layer, m1, m2 } = await layerWithBox(t);
  const file = path.join(dir, "datasource-properties.json");
  // inside the bbox (mag 2-2-1 region (2,2,5)+(6,6,10)): no save at all
  const ino = statSync(file).ino;
  await m2.write(makeArray(Uint8Array, [1, 2, 2, 2], () => 1), [3, 3, 6]);
  assert.equal(statSync(file).ino, ino);
  // outside: union (in mag1) with the existing box
  await m2.write(makeArray(Uint8Array, [1, 2, 3, 4], () => 2), [10, 1, 20]);
  assert.equal(layer.boundingBox.toCsv(), "5,2,5,19,13,19");
  assert.deepEqual(propertiesOf(dir).dataLayers[0].boundingBox, { topLeft: [5, 2, 5], width: 19, height: 13, depth: 19 });
  await m1.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 3), [0, 0, 0]);
  assert.equal(layer.boundingBox.toCsv(), "0,0,0,24,15,24");
  assert.deepEqual([...m2.size], [12, 8, 24]);
  assert.equal((await m2.read([10, 1, 20], [2, 3, 4])).data.every((v) => v === 2), true);
  // a fresh open sees the same box
  assert.equal((await Dataset.open(dir)).getLayer("color").boundingBox.toCsv(), "0,0,0,24,15,24");
});

test("an empty layer's first write sets the bbox to exactly the written region", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color");
  const m = await layer.addMag("2-2-1", { blockLen: 8, fileLen: 2 });
  await m.write(makeArray(Uint8Array, [1, 5, 5, 5], () => 1), [10, 10, 10]);
  assert.equal(layer.boundingBox.toCsv(), "20,20,10,10,10,5");
});

test("concurrent writes in one process keep every growth", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color");
  const m = await layer.addMag(1, { blockLen: 8, fileLen: 2 });
  await Promise.all(Array.from({ length: 12 }, (_, i) => m.write(makeArray(Uint8Array, [1, 1, 1, 1], () => i + 1), [i * 10, (i % 3) * 7, (i % 4) * 5])));
  assert.equal(layer.boundingBox.toCsv(), "0,0,0,111,15,16");
  assert.deepEqual(propertiesOf(dir).dataLayers[0].boundingBox, { topLeft: [0, 0, 0], width: 111, height: 15, depth: 16 });
});

test("two processes growing one layer's bbox keep both growths", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color");
  await layer.addMag(1, { blockLen: 8, fileLen: 2 });
  const child = (axis) => `
    import { Dataset } from ${JSON.stringify(DIST)};
    const ds = await Dataset.open(${JSON.stringify(dir)});
    const m = ds.getLayer("color").getMag(1);
    for (let i = 0; i < 15; i++) {
      const o = [0, 0, 0]; o[${axis}] = i * 16;
      await m.write({ data: new Uint8Array(1).fill(${axis} + 1), shape: [1, 1, 1] }, o);
    }`;
  const run = (axis) =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ["--input-type=module", "-e", child(axis)], { stdio: ["ignore", "inherit", "inherit"] });
      p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${code}`))));
    });
  await Promise.all([run(0), run(1), run(2)]);
  assert.deepEqual(propertiesOf(dir).dataLayers[0].boundingBox, { topLeft: [0, 0, 0], width: 225, height: 225, depth: 225 });
  const m = (await Dataset.open(dir)).getLayer("color").getMag(1);
  assert.deepEqual([...(await m.read([224, 0, 0], [1, 1, 1])).data, ...(await m.read([0, 224, 0], [1, 1, 1])).data, ...(await m.read([0, 0, 224], [1, 1, 1])).data], [1, 2, 3]);
});

test("getView: defaults to the bbox in this mag; writable views inside it, read-only ones may exceed", async (t) => {
  const { dir, m1, m2 } = await layerWithBox(t);
  const v1 = m1.getView();
  assert.ok(v1 instanceof View);
  assert.deepEqual([[...v1.globalOffset], [...v1.size], v1.readOnly], [[5, 5, 5], [10, 10, 10], false]);
  const v2 = m2.getView();
  assert.deepEqual([[...v2.globalOffset], [...v2.size]], [[2, 2, 5], [6, 6, 10]]);
  assert.equal(inspect(v2), "View(mag=2-2-1, globalOffset=[2,2,5], size=[6,6,10])");
  const v3 = m1.getView({ offset: [6, 6, 6] });
  assert.deepEqual([[...v3.globalOffset], [...v3.size]], [[6, 6, 6], [9, 9, 9]]);
  const v4 = m1.getView({ size: [2, 3, 4] });
  assert.deepEqual([[...v4.globalOffset], [...v4.size]], [[5, 5, 5], [2, 3, 4]]);
  const ro = m1.getView({ offset: [0, 0, 0], size: [100, 100, 100], readOnly: true });
  assert.deepEqual([[...ro.globalOffset], [...ro.size], ro.readOnly], [[0, 0, 0], [100, 100, 100], true]);
  assert.equal(inspect(ro), "View(mag=1, globalOffset=[0,0,0], size=[100,100,100], readOnly)");

  const before = snapshot(dir);
  throwsWkw(() => m1.getView({ offset: [0, 0, 0], size: [10, 10, 10] }), "ERR_WKW_OUT_OF_BOUNDS", "options.offset");
  throwsWkw(() => m1.getView({ offset: [5, 5, 5], size: [11, 10, 10] }), "ERR_WKW_OUT_OF_BOUNDS", "options.size");
  throwsWkw(() => m1.getView({ offset: [15, 5, 5] }), "ERR_WKW_OUT_OF_BOUNDS", "options.offset");
  throwsWkw(() => m1.getView({ offset: [-1, 5, 5], readOnly: true }), "ERR_WKW_ARGUMENT", "options.offset");
  throwsWkw(() => m1.getView({ size: [0, 1, 1], readOnly: true }), "ERR_WKW_ARGUMENT", "options.size");
  throwsWkw(() => m1.getView({ size: [1.5, 1, 1] }), "ERR_WKW_ARGUMENT", "options.size");
  throwsWkw(() => m1.getView({ readOnly: "no" }), "ERR_WKW_ARGUMENT", "options.readOnly");
  throwsWkw(() => m1.getView({ ofset: [1, 1, 1] }), "ERR_WKW_ARGUMENT", "options.ofset");
  throwsWkw(() => m1.getView(5), "ERR_WKW_ARGUMENT", "options");
  assert.deepEqual(snapshot(dir), before);
});

test("an empty layer has no default view (empty sizes are errors); explicit read-only views work", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const m = await (await ds.addLayer("color", "color")).addMag(1, { blockLen: 8, fileLen: 2 });
  throwsWkw(() => m.getView(), "ERR_WKW_OUT_OF_BOUNDS", "options.size");
  throwsWkw(() => m.getView({ offset: [0, 0, 0], size: [1, 1, 1] }), "ERR_WKW_OUT_OF_BOUNDS", "options.offset");
  const ro = m.getView({ offset: [0, 0, 0], size: [4, 4, 4], readOnly: true });
  assert.ok((await ro.read()).data.every((v) => v === 0));
  await rejectsWkw(m.read(), "ERR_WKW_ARGUMENT", "size");
});

test("read-only dataset: MagView and its views refuse writes and writable views; reads work", async (t) => {
  const { dir, m1 } = await layerWithBox(t);
  await m1.write(makeArray(Uint8Array, [1, 2, 2, 2], () => 4), [5, 5, 5]);
  const before = snapshot(dir);
  const ds = await Dataset.open(dir, { readOnly: true });
  const m = ds.getLayer("color").getMag(1);
  assert.equal(m.readOnly, true);
  await rejectsWkw(m.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 1), [5, 5, 5]), "ERR_WKW_READ_ONLY");
  const v = m.getView();
  assert.equal(v.readOnly, true);
  throwsWkw(() => m.getView({ readOnly: false }), "ERR_WKW_READ_ONLY", "options.readOnly");
  throwsWkw(() => v.getView({ readOnly: false }), "ERR_WKW_READ_ONLY", "options.readOnly");
  await rejectsWkw(v.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 1)), "ERR_WKW_READ_ONLY");
  assert.deepEqual([...(await v.read([0, 0, 0], [2, 2, 1])).data], [4, 4, 4, 4]);
  assert.deepEqual(snapshot(dir), before);
});

test("write input checks: dtype, channels, shapes, offsets (nothing written, bbox unchanged)", async (t) => {
  const { dir, m1 } = await layerWithBox(t, { channels: 3 });
  const before = snapshot(dir);
  const ok = makeArray(Uint8Array, [3, 2, 2, 2], () => 1);
  await rejectsWkw(m1.write({ data: new Uint16Array(24), shape: [3, 2, 2, 2] }), "ERR_WKW_ARGUMENT", "data.data");
  await rejectsWkw(m1.write(makeArray(Uint8Array, [1, 2, 2, 2], () => 1)), "ERR_WKW_ARGUMENT", "data.shape");
  await rejectsWkw(m1.write({ data: new Uint8Array(8), shape: [2, 2, 2] }), "ERR_WKW_ARGUMENT", "data.shape");
  await rejectsWkw(m1.write({ data: new Uint8Array(0), shape: [3, 0, 2, 2] }), "ERR_WKW_ARGUMENT", "data.shape");
  await rejectsWkw(m1.write(new Uint8Array(24)), "ERR_WKW_ARGUMENT", "data");
  await rejectsWkw(m1.write(null), "ERR_WKW_ARGUMENT", "data");
  for (const offset of [[-1, 0, 0], [0.5, 0, 0], [NaN, 0, 0], [0, 0], "0,0,0", null]) {
    await rejectsWkw(m1.write(ok, offset), "ERR_WKW_ARGUMENT", "offset");
  }
  await rejectsWkw(m1.write(ok, [0, 0, 0], { level: 13 }), "ERR_WKW_ARGUMENT", "options.level");
  for (const [offset, size, parameter] of [[[-1, 0, 0], [1, 1, 1], "offset"], [[0, 0, 0], [0, 1, 1], "size"], [[0, 0, 0], [1, 1, 1.5], "size"], [[0, 0, 0], "big", "size"]]) {
    await rejectsWkw(m1.read(offset, size), "ERR_WKW_ARGUMENT", parameter);
  }
  await rejectsWkw(m1.readBbox({ topLeft: [0, 0, 0] }), "ERR_WKW_ARGUMENT", "bbox");
  assert.deepEqual(snapshot(dir), before);
  // a leading channel axis and [x, y, z] for one channel
  const one = await layerWithBox(t);
  await one.m1.write({ data: new Uint8Array([1, 2]), shape: [2, 1, 1] }, [5, 5, 5]);
  await one.m1.write({ data: new Uint8Array([3, 4]), shape: [1, 2, 1, 1] }, [5, 6, 5]);
  assert.deepEqual([...(await one.m1.read([5, 5, 5], [2, 2, 1])).data], [1, 2, 3, 4]);
});

/** A compressed layer whose mag 1 holds (3,3,0)+(40,40,16) (file edge 16), written without a warning. */
async function compressedBase(t) {
  const { layer, m1 } = await layerWithBox(t, { compress: true });
  await layer.setBoundingBox(new BoundingBox([0, 0, 0], [0, 0, 0]));
  const base = makeArray(Uint8Array, [1, 40, 40, 16], (c, x, y, z) => 1 + ((x + y + z) % 200));
  const w0 = await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", () => m1.write(base, [3, 3, 0]));
  assert.equal(w0.length, 0, "a write growing an empty layer is all border");
  assert.equal(layer.boundingBox.toCsv(), "3,3,0,40,40,16");
  return { layer, m1 };
}

const UNALIGNED_CASES = [
  [[5, 5, 5], [4, 4, 4], 1], // interior faces
  [[3, 3, 0], [5, 5, 16], 1], // high x/y faces at 8: interior
  [[3, 3, 0], [13, 13, 16], 0], // on the border (3) and file-aligned (16)
  [[32, 32, 0], [11, 11, 16], 0], // aligned (32) and on the border (43)
  [[40, 40, 0], [3, 3, 16], 1], // low faces at 40: interior
  [[43, 0, 0], [5, 16, 16], 1], // low face 43 at the border, but there is box data before it in its file
  [[16, 16, 0], [16, 16, 16], 0], // whole file
];

test("compressed mags: the unaligned-write warning rule (each case on a fresh mag)", async (t) => {
  for (const [offset, shape, warns] of UNALIGNED_CASES) {
    const { m1 } = await compressedBase(t);
    const w = await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", () => m1.write(makeArray(Uint8Array, [1, ...shape], () => 250), offset));
    assert.equal(w.length, warns, `write at ${offset} of ${shape}`);
    if (warns) {
      assert.match(w[0].message, /not aligned to its files \(edge 16\)/);
      assert.match(w[0].message, /Warned once per mag and process; \{ warnUnaligned: false \} silences it per call\./);
    }
  }
});

test("compressed mags: unaligned writes keep the surrounding data; the warning comes once per mag", async (t) => {
  const { m1 } = await compressedBase(t);
  const expected = makeArray(Uint8Array, [1, 48, 48, 16], (c, x, y, z) => (x >= 3 && y >= 3 && x < 43 && y < 43 ? 1 + ((x - 3 + y - 3 + z) % 200) : 0));
  const put = (offset, shape, value) => {
    for (let z = 0; z < shape[2]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < shape[0]; x++) expected.data[offset[0] + x + 48 * (offset[1] + y + 48 * (offset[2] + z))] = value;
    return m1.write(makeArray(Uint8Array, [1, ...shape], () => value), offset);
  };
  const w = await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", async () => {
    // 32 sequential unaligned writes (the loop of the bug report) and the cases above
    for (let i = 0; i < 32; i++) await put([5 + (i % 4), 5, 5], [4, 4, 4], 100 + i);
    for (const [offset, shape] of UNALIGNED_CASES) await put(offset, shape, 250);
  });
  assert.equal(w.length, 1, "one warning per mag and process");
  assert.deepEqual(bytes((await m1.read([0, 0, 0], [48, 48, 16])).data), bytes(expected.data));
  // Views of the same mag folder share the once-only state.
  assert.equal((await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", () => m1.getView({ offset: [3, 3, 0], size: [40, 40, 16] }).write(makeArray(Uint8Array, [1, 2, 2, 2], () => 7), [2, 2, 2]))).length, 0);
});

test("compressed mags: { warnUnaligned: false } silences the warning for that call only", async (t) => {
  const { m1 } = await compressedBase(t);
  const patch = makeArray(Uint8Array, [1, 4, 4, 4], () => 9);
  assert.equal((await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", () => m1.write(patch, [5, 5, 5], { warnUnaligned: false }))).length, 0);
  assert.deepEqual([...(await m1.read([5, 5, 5], [1, 1, 1])).data], [9]);
  assert.equal((await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", () => m1.write(patch, [5, 5, 5]))).length, 1);
  await assert.rejects(m1.write(patch, [5, 5, 5], { warnUnaligned: "no" }), isArgError("options.warnUnaligned"));
});

test("compressed mags: the border is the bbox captured when the view was created", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color");
  const m = await layer.addMag(1, { blockLen: 8, fileLen: 2, compress: true });
  await m.write(makeArray(Uint8Array, [1, 20, 16, 16], () => 1), [0, 0, 0]);
  const old = m.getView();
  await m.write(makeArray(Uint8Array, [1, 12, 16, 16], () => 2), [20, 0, 0], { warnUnaligned: false }); // (its face at x=20 is unaligned)
  assert.equal(layer.boundingBox.toCsv(), "0,0,0,32,16,16");
  const patch = makeArray(Uint8Array, [1, 4, 16, 16], () => 3);
  assert.equal((await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", () => old.write(patch, [16, 0, 0]))).length, 0);
  assert.equal((await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", () => m.getView().write(patch, [16, 0, 0]))).length, 1);
  assert.deepEqual([...(await m.read([15, 0, 0], [7, 1, 1])).data], [1, 3, 3, 3, 3, 2, 2]);
});

test("getBoundingBoxesOnDisk: one mag-local box per cube file, not clipped", async (t) => {
  const { m1, m2 } = await layerWithBox(t);
  assert.deepEqual(await m1.getBoundingBoxesOnDisk(), []);
  await m1.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 1), [0, 0, 0]);
  await m1.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 1), [40, 17, 70]);
  await m2.write(makeArray(Uint8Array, [1, 2, 1, 1], () => 1), [15, 0, 0]);
  assert.deepEqual((await m1.getBoundingBoxesOnDisk()).map(String), [
    "BoundingBox(topLeft=[0,0,0], size=[16,16,16])",
    "BoundingBox(topLeft=[32,16,64], size=[16,16,16])",
  ]);
  assert.deepEqual((await m2.getBoundingBoxesOnDisk()).map((b) => b.toCsv()), ["0,0,0,16,16,16", "16,0,0,16,16,16"]);
});
