// Bad input for every public entry point of the dataset API: a WkwError with a stable code
// and the parameter's name, and nothing changed on disk. Read-only datasets refuse every
// mutation the same way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { Dataset, BoundingBox } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { rejectsWkw, throwsWkw, snapshot, makeArray } from "./support/dataset.mjs";

const BAD_VEC3 = [undefined, null, 3, "1,2,3", {}, [1, 2], [1, 2, 3, 4], [1.5, 0, 0], [NaN, 0, 0], [Infinity, 0, 0], ["1", 2, 3], [1n, 2n, 3n]];
const BAD_MAGS = [0, -1, 3, 1.5, NaN, "2-2", "x", "", [2, 2], [3, 1, 1], null, undefined, {}];
const BAD_STRINGS = [undefined, null, 5, "", {}, ["a"]];

async function sample(t) {
  const root = tempDir(t);
  const dir = path.join(root, "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const color = await ds.addLayer("color", "color");
  const seg = await ds.addLayer("seg", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 1 });
  const mag = await color.addMag(1, { blockLen: 8, fileLen: 2 });
  await seg.addMag(1, { blockLen: 8, fileLen: 2 });
  await mag.write(makeArray(Uint8Array, [1, 8, 8, 8], () => 1), [0, 0, 0]);
  return { root, dir, ds, color, seg, mag };
}

test("Dataset.create / open / getOrCreate: bad arguments create nothing", async (t) => {
  const root = tempDir(t);
  const target = path.join(root, "new");
  for (const create of [Dataset.create, Dataset.getOrCreate]) {
    for (const p of BAD_STRINGS) await rejectsWkw(create(p, { scale: [1, 1, 1] }), "ERR_WKW_ARGUMENT", "path");
    await rejectsWkw(create(target), "ERR_WKW_ARGUMENT", "options");
    await rejectsWkw(create(target, 5), "ERR_WKW_ARGUMENT", "options");
    for (const scale of [undefined, [1, 1], [0, 1, 1], [-1, 1, 1], [NaN, 1, 1], [Infinity, 1, 1], ["1", 1, 1], "1,1,1"]) {
      await rejectsWkw(create(target, { scale }), "ERR_WKW_ARGUMENT", "options.scale");
    }
    for (const name of [null, 5, ""]) await rejectsWkw(create(target, { scale: [1, 1, 1], name }), "ERR_WKW_ARGUMENT", "options.name");
    await rejectsWkw(create(target, { scale: [1, 1, 1], voxelSize: [1, 1, 1] }), "ERR_WKW_ARGUMENT", "options.voxelSize");
  }
  for (const p of BAD_STRINGS) await rejectsWkw(Dataset.open(p), "ERR_WKW_ARGUMENT", "path");
  await rejectsWkw(Dataset.open(target, 5), "ERR_WKW_ARGUMENT", "options");
  await rejectsWkw(Dataset.open(target, { readOnly: "yes" }), "ERR_WKW_ARGUMENT", "options.readOnly");
  await rejectsWkw(Dataset.open(target, { readonly: true }), "ERR_WKW_ARGUMENT", "options.readonly");
  await rejectsWkw(Dataset.open(target), "ERR_WKW_NOT_FOUND");
  assert.equal(existsSync(target), false);
});

test("Dataset methods: bad arguments change nothing", async (t) => {
  const { root, dir, ds } = await sample(t);
  const before = snapshot(dir);
  for (const name of BAD_STRINGS) await rejectsWkw(ds.setName(name), "ERR_WKW_ARGUMENT", "name");
  for (const scale of [[1, 1], [0, 1, 1], [NaN, 1, 1], null]) await rejectsWkw(ds.setScale(scale), "ERR_WKW_ARGUMENT", "scale");
  for (const config of [null, 5, "x", [1]]) await rejectsWkw(ds.setDefaultViewConfiguration(config), "ERR_WKW_ARGUMENT", "config");
  await rejectsWkw(ds.setDefaultViewConfiguration({ fourBit: "yes" }), "ERR_WKW_ARGUMENT", "defaultViewConfiguration.fourBit");
  for (const name of BAD_STRINGS) throwsWkw(() => ds.getLayer(name), "ERR_WKW_ARGUMENT", "name");
  throwsWkw(() => ds.getLayer("nope"), "ERR_WKW_NOT_FOUND", "name");
  for (const name of [...BAD_STRINGS, "a/b", "..", ".hidden", "a b", "ä"]) {
    await rejectsWkw(ds.addLayer(name, "color"), "ERR_WKW_ARGUMENT", "name");
  }
  for (const category of [undefined, "colour", 1, null]) await rejectsWkw(ds.addLayer("x", category), "ERR_WKW_ARGUMENT", "category");
  await rejectsWkw(ds.addLayer("x", "color", 5), "ERR_WKW_ARGUMENT", "options");
  for (const n of [0, -1, 1.5, NaN, "3", 256]) await rejectsWkw(ds.addLayer("x", "color", { numChannels: n }), "ERR_WKW_ARGUMENT", "options.numChannels");
  for (const d of ["int", "uint24", 8, null]) await rejectsWkw(ds.addLayer("x", "color", { dtypePerChannel: d }), "ERR_WKW_ARGUMENT", "options.dtypePerChannel");
  for (const d of ["uint7", 8, "bool"]) await rejectsWkw(ds.addLayer("x", "color", { dtypePerLayer: d }), "ERR_WKW_ARGUMENT", "options.dtypePerLayer");
  await rejectsWkw(ds.addLayer("x", "segmentation", { largestSegmentId: -1 }), "ERR_WKW_ARGUMENT", "options.largestSegmentId");
  await rejectsWkw(ds.addLayer("color", "color"), "ERR_WKW_EXISTS", "name");
  for (const name of BAD_STRINGS) await rejectsWkw(ds.getOrAddLayer(name, "color"), "ERR_WKW_ARGUMENT", "name");
  await rejectsWkw(ds.getOrAddLayer("color", "color", { numChannels: 0 }), "ERR_WKW_ARGUMENT", "options.numChannels");
  for (const name of BAD_STRINGS) await rejectsWkw(ds.deleteLayer(name), "ERR_WKW_ARGUMENT", "name");
  await rejectsWkw(ds.deleteLayer("nope"), "ERR_WKW_NOT_FOUND", "name");
  const out = path.join(root, "copy");
  for (const p of BAD_STRINGS) await rejectsWkw(ds.copyDataset(p), "ERR_WKW_ARGUMENT", "newPath");
  await rejectsWkw(ds.copyDataset(out, 5), "ERR_WKW_ARGUMENT", "options");
  await rejectsWkw(ds.copyDataset(out, { scale: [0, 1, 1] }), "ERR_WKW_ARGUMENT", "options.scale");
  await rejectsWkw(ds.copyDataset(out, { blockLen: 3 }), "ERR_WKW_ARGUMENT", "options.blockLen");
  await rejectsWkw(ds.copyDataset(out, { fileLen: 0 }), "ERR_WKW_ARGUMENT", "options.fileLen");
  await rejectsWkw(ds.copyDataset(out, { compress: 1 }), "ERR_WKW_ARGUMENT", "options.compress");
  await rejectsWkw(ds.copyDataset(out, { executor: () => {} }), "ERR_WKW_ARGUMENT", "options.executor");
  await rejectsWkw(ds.copyDataset(out, { chunkSize: 32 }), "ERR_WKW_ARGUMENT", "options.chunkSize");
  await rejectsWkw(ds.copyDataset(dir), "ERR_WKW_EXISTS", "path");
  assert.equal(existsSync(out), false);
  assert.deepEqual(snapshot(dir), before);
});

test("Layer and SegmentationLayer methods: bad arguments change nothing", async (t) => {
  const { dir, color, seg } = await sample(t);
  const before = snapshot(dir);
  for (const name of [...BAD_STRINGS, "a/b", ".x"]) await rejectsWkw(color.setName(name), "ERR_WKW_ARGUMENT", "name");
  await rejectsWkw(color.setName("seg"), "ERR_WKW_EXISTS", "name");
  for (const b of [null, [0, 0, 0, 1, 1, 1], { topLeft: [0, 0, 0], width: 1, height: 1, depth: 1 }, new BoundingBox([0, -1, 0], [1, 1, 1])]) {
    await rejectsWkw(color.setBoundingBox(b), "ERR_WKW_ARGUMENT", "bbox");
  }
  await rejectsWkw(color.setDefaultViewConfiguration(5), "ERR_WKW_ARGUMENT", "config");
  await rejectsWkw(color.setDefaultViewConfiguration({ color: [1, 2] }), "ERR_WKW_ARGUMENT", "dataLayers[0].defaultViewConfiguration.color");
  for (const m of BAD_MAGS) {
    await rejectsWkw(color.addMag(m), "ERR_WKW_ARGUMENT", "mag");
    await rejectsWkw(color.getOrAddMag(m), "ERR_WKW_ARGUMENT", "mag");
    await rejectsWkw(color.deleteMag(m), "ERR_WKW_ARGUMENT", "mag");
    throwsWkw(() => color.getMag(m), "ERR_WKW_ARGUMENT", "mag");
  }
  await rejectsWkw(color.addMag(2, 5), "ERR_WKW_ARGUMENT", "options");
  for (const n of [0, 3, 256, 1.5, NaN, "8"]) {
    await rejectsWkw(color.addMag(2, { blockLen: n }), "ERR_WKW_ARGUMENT", "options.blockLen");
    await rejectsWkw(color.addMag(2, { fileLen: n }), "ERR_WKW_ARGUMENT", "options.fileLen");
  }
  await rejectsWkw(color.addMag(2, { compress: "zstd" }), "ERR_WKW_ARGUMENT", "options.compress");
  await rejectsWkw(color.getOrAddMag(1, { blockLen: 16 }), "ERR_WKW_ARGUMENT", "options.blockLen");
  await rejectsWkw(color.deleteMag(4), "ERR_WKW_NOT_FOUND", "mag");
  for (const id of [-1, 0.5, NaN, "1", null, undefined, 2n ** 64n, -1n]) await rejectsWkw(seg.setLargestSegmentId(id), "ERR_WKW_ARGUMENT", "id");
  assert.deepEqual(snapshot(dir), before);
});

test("MagView and View methods: bad arguments change nothing", async (t) => {
  const { dir, mag } = await sample(t);
  const view = mag.getView();
  const one = makeArray(Uint8Array, [1, 1, 1, 1], () => 5);
  const before = snapshot(dir);
  for (const target of [mag, view]) {
    for (const v of BAD_VEC3.filter((x) => x !== undefined)) {
      await rejectsWkw(target.read(v, [1, 1, 1]), "ERR_WKW_ARGUMENT", "offset");
      await rejectsWkw(target.read([0, 0, 0], v), "ERR_WKW_ARGUMENT", "size");
      await rejectsWkw(target.write(one, v), "ERR_WKW_ARGUMENT", "offset");
      throwsWkw(() => target.getView({ offset: v, readOnly: true }), "ERR_WKW_ARGUMENT", "options.offset");
      throwsWkw(() => target.getView({ size: v, readOnly: true }), "ERR_WKW_ARGUMENT", "options.size");
      await rejectsWkw(target.forEachChunk(() => {}, { chunkSize: v }), "ERR_WKW_ARGUMENT", "options.chunkSize");
    }
    await rejectsWkw(target.read([-1, 0, 0]), "ERR_WKW_ARGUMENT", "offset");
    await rejectsWkw(target.read([0, 0, 0], [1, 0, 1]), "ERR_WKW_ARGUMENT", "size");
    await rejectsWkw(target.read([0, 0, 0], [1, 1, 1], { out: { data: new Uint16Array(1), shape: [1, 1, 1, 1] } }), "ERR_WKW_ARGUMENT", "options.out.data");
    await rejectsWkw(target.readBbox([0, 0, 0, 1, 1, 1]), "ERR_WKW_ARGUMENT", "bbox");
    await rejectsWkw(target.write(one, [0, 0, 0], { durable: "yes", level: 0 }), "ERR_WKW_ARGUMENT", "options.level");
    for (const data of [undefined, null, 5, new Uint8Array(1), { data: [1], shape: [1, 1, 1] }]) {
      await rejectsWkw(target.write(data), "ERR_WKW_ARGUMENT", data?.data ? "data.data" : "data");
    }
    await rejectsWkw(target.write({ data: new Float32Array(1), shape: [1, 1, 1] }), "ERR_WKW_ARGUMENT", "data.data");
    await rejectsWkw(target.write({ data: new Uint8Array(3), shape: [3, 1, 1, 1] }), "ERR_WKW_ARGUMENT", "data.shape");
    await rejectsWkw(target.write({ data: new Uint8Array(1), shape: [1, 1] }), "ERR_WKW_ARGUMENT", "data.shape");
    await rejectsWkw(target.write({ data: new Uint8Array(1), shape: [2, 1, 1] }), "ERR_WKW_ARGUMENT", "data.data");
    throwsWkw(() => target.getView(null), "ERR_WKW_ARGUMENT", "options");
    throwsWkw(() => target.getView({ readOnly: 1 }), "ERR_WKW_ARGUMENT", "options.readOnly");
    await rejectsWkw(target.forEachChunk(undefined, { chunkSize: [8, 8, 8] }), "ERR_WKW_ARGUMENT", "work");
    await rejectsWkw(target.forZippedChunks(() => {}, mag, { sourceChunkSize: [16, 16, 0], targetChunkSize: [16, 16, 16] }), "ERR_WKW_ARGUMENT", "options.sourceChunkSize");
  }
  await rejectsWkw(view.write(one, [8, 0, 0]), "ERR_WKW_OUT_OF_BOUNDS", "offset");
  await rejectsWkw(view.read([0, 0, 0], [9, 1, 1]), "ERR_WKW_OUT_OF_BOUNDS", "size");
  await rejectsWkw(mag.write(one, [2 ** 31, 0, 0]), "ERR_WKW_ARGUMENT", "offset");
  await rejectsWkw(mag.compress({ targetPath: null }), "ERR_WKW_ARGUMENT", "options.targetPath");
  assert.deepEqual(snapshot(dir), before);
});

test("read-only datasets refuse every mutation with ERR_WKW_READ_ONLY and change nothing", async (t) => {
  const { dir } = await sample(t);
  const before = snapshot(dir);
  const ds = await Dataset.open(dir, { readOnly: true });
  assert.equal(ds.readOnly, true);
  const color = ds.getLayer("color");
  const seg = ds.getLayer("seg");
  const mag = color.getMag(1);
  const one = makeArray(Uint8Array, [1, 1, 1, 1], () => 5);
  const refusals = [
    () => ds.setName("x"), () => ds.setScale([2, 2, 2]), () => ds.setDefaultViewConfiguration({ zoom: 1 }),
    () => ds.addLayer("new", "color"), () => ds.getOrAddLayer("new", "color"), () => ds.deleteLayer("color"),
    () => color.setName("renamed"), () => color.setBoundingBox(new BoundingBox([0, 0, 0], [1, 1, 1])),
    () => color.setDefaultViewConfiguration({ alpha: 1 }), () => color.addMag(2), () => color.getOrAddMag(2), () => color.deleteMag(1),
    () => seg.setLargestSegmentId(5), () => mag.write(one), () => mag.compress(), () => mag.getView().write(one),
    () => mag.forEachChunk((v) => v.write(one), { chunkSize: [8, 8, 8] }),
  ];
  for (const fn of refusals) await rejectsWkw(fn, "ERR_WKW_READ_ONLY");
  throwsWkw(() => mag.getView({ readOnly: false }), "ERR_WKW_READ_ONLY", "options.readOnly");
  assert.deepEqual([...(await mag.read([0, 0, 0], [1, 1, 1])).data], [1]);
  assert.deepEqual(snapshot(dir), before);
});
