// Layer / SegmentationLayer: mags (add/get/getOrAdd/delete, folder lookup, header checks on
// open), bounding box, rename, segmentation metadata.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { Dataset, SegmentationLayer, WkwDataset, BoundingBox, Mag } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { rejectsWkw, throwsWkw, snapshot, propertiesOf, makeArray, bytes, captureWarnings } from "./support/dataset.mjs";

async function fresh(t, scale = [1, 1, 1]) {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale });
  return { dir, ds };
}

test("addMag writes header.wkw with the layer's dtype and channels and a wkwResolutions entry", async (t) => {
  const { dir, ds } = await fresh(t);
  const layer = await ds.addLayer("rgb", "color", { dtypePerChannel: "uint16", numChannels: 3 });
  const raw = await layer.addMag(1, { blockLen: 16, fileLen: 8 });
  const hc = await layer.addMag([4, 4, 2], { compress: true });
  assert.deepEqual({ ...raw.header }, { version: 1, blockLen: 16, fileLen: 8, blockType: "raw", voxelType: "uint16", voxelSize: 6, numChannels: 3 });
  assert.deepEqual({ ...hc.header }, { version: 1, blockLen: 32, fileLen: 32, blockType: "lz4hc", voxelType: "uint16", voxelSize: 6, numChannels: 3 });
  assert.equal(raw.path, path.join(dir, "rgb", "1"));
  assert.equal(hc.path, path.join(dir, "rgb", "4-4-2"));
  assert.equal(hc.name, "4-4-2");
  assert.ok(hc.mag.equals([4, 4, 2]));
  assert.equal(hc.layer, layer);
  assert.deepEqual(propertiesOf(dir).dataLayers[0].wkwResolutions, [
    { resolution: [1, 1, 1], cubeLength: 128 },
    { resolution: [4, 4, 2], cubeLength: 1024 },
  ]);
  assert.deepEqual(readdirSync(path.join(dir, "rgb")).sort(), ["1", "4-4-2"]);
  for (const m of [1, "1", [1, 1, 1], new Mag(1), "1-1-1"]) assert.equal(layer.getMag(m), raw);

  const before = snapshot(dir);
  await rejectsWkw(layer.addMag("1-1-1"), "ERR_WKW_EXISTS", "mag");
  await rejectsWkw(layer.addMag(3), "ERR_WKW_ARGUMENT", "mag");
  await rejectsWkw(layer.addMag(2, { blockLen: 3 }), "ERR_WKW_ARGUMENT", "options.blockLen");
  await rejectsWkw(layer.addMag(2, { fileLen: 256 }), "ERR_WKW_ARGUMENT", "options.fileLen");
  await rejectsWkw(layer.addMag(2, { compress: "yes" }), "ERR_WKW_ARGUMENT", "options.compress");
  await rejectsWkw(layer.addMag(2, { chunkSize: 32 }), "ERR_WKW_ARGUMENT", "options.chunkSize");
  throwsWkw(() => layer.getMag(2), "ERR_WKW_NOT_FOUND", "mag");
  mkdirSync(path.join(dir, "rgb", "2-2-2"));
  await rejectsWkw(layer.addMag(2), "ERR_WKW_EXISTS", "mag");
  assert.deepEqual(snapshot(dir), { ...before, "rgb/2-2-2": "dir" });
});

test("32: getOrAddMag compares only what was passed", async (t) => {
  const { dir, ds } = await fresh(t);
  const layer = await ds.addLayer("color", "color");
  const m = await layer.addMag(1, { blockLen: 64, fileLen: 8 });
  assert.equal(await layer.getOrAddMag(1), m);
  assert.equal(await layer.getOrAddMag(1, { blockLen: 64 }), m);
  assert.equal(await layer.getOrAddMag(1, { fileLen: 8, compress: false }), m);
  const before = snapshot(dir);
  await rejectsWkw(layer.getOrAddMag(1, { blockLen: 32 }), "ERR_WKW_ARGUMENT", "options.blockLen");
  await rejectsWkw(layer.getOrAddMag(1, { fileLen: 32 }), "ERR_WKW_ARGUMENT", "options.fileLen");
  await rejectsWkw(layer.getOrAddMag(1, { compress: true }), "ERR_WKW_ARGUMENT", "options.compress");
  assert.deepEqual(snapshot(dir), before);
  const m2 = await layer.getOrAddMag(2, { compress: true });
  assert.equal(m2.header.blockType, "lz4hc");
  assert.deepEqual([...layer.mags.keys()], ["1", "2"]);
});

test("boundingBox: mag1, setter saves; shrinking keeps the data; negative topLeft refused", async (t) => {
  const { dir, ds } = await fresh(t);
  const layer = await ds.addLayer("color", "color");
  assert.ok(layer.boundingBox.equals(BoundingBox.empty()));
  const mag = await layer.addMag(2, { blockLen: 8, fileLen: 2 });
  await mag.write(makeArray(Uint8Array, [1, 4, 4, 4], () => 9), [2, 2, 2]);
  assert.equal(String(layer.boundingBox), "BoundingBox(topLeft=[4,4,4], size=[8,8,8])");
  await layer.setBoundingBox(new BoundingBox([0, 0, 0], [6, 6, 6]));
  assert.deepEqual(propertiesOf(dir).dataLayers[0].boundingBox, { topLeft: [0, 0, 0], width: 6, height: 6, depth: 6 });
  assert.deepEqual([...mag.size], [3, 3, 3]);
  assert.equal((await mag.read([2, 2, 2], [4, 4, 4])).data.every((v) => v === 9), true, "data outside the box is kept");
  assert.ok((await Dataset.open(dir)).getLayer("color").boundingBox.equals(new BoundingBox([0, 0, 0], [6, 6, 6])));
  const before = snapshot(dir);
  await rejectsWkw(layer.setBoundingBox(new BoundingBox([-1, 0, 0], [6, 6, 6])), "ERR_WKW_ARGUMENT", "bbox");
  await rejectsWkw(layer.setBoundingBox({ topLeft: [0, 0, 0], width: 1, height: 1, depth: 1 }), "ERR_WKW_ARGUMENT", "bbox");
  assert.deepEqual(snapshot(dir), before);
});

test("41: rename: folder moved, JSON updated, old MagView and View objects keep working", async (t) => {
  const { dir, ds } = await fresh(t);
  const color = await ds.addLayer("color", "color");
  await ds.addLayer("other", "segmentation");
  const mag = await color.addMag(1, { blockLen: 8, fileLen: 2 });
  const data = makeArray(Uint8Array, [1, 20, 20, 20], (c, x, y, z) => (x ^ y ^ z) + 1);
  await mag.write(data, [0, 0, 0]);
  const view = mag.getView();
  await color.setName("color2");
  assert.equal(color.name, "color2");
  assert.equal(existsSync(path.join(dir, "color")), false);
  assert.ok(existsSync(path.join(dir, "color2", "1", "header.wkw")));
  assert.deepEqual(propertiesOf(dir).dataLayers.map((l) => l.name), ["color2", "other"]);
  assert.deepEqual([...ds.layers.keys()], ["color2", "other"]);
  assert.equal(ds.getLayer("color2"), color);
  throwsWkw(() => ds.getLayer("color"), "ERR_WKW_NOT_FOUND", "name");
  assert.equal(mag.path, path.join(dir, "color2", "1"));
  assert.deepEqual(bytes((await mag.read([0, 0, 0], [20, 20, 20])).data), bytes(data.data));
  assert.deepEqual(bytes((await view.read()).data), bytes(data.data));
  await mag.write(makeArray(Uint8Array, [1, 1, 1, 1], () => 200), [40, 0, 0]);
  assert.equal(existsSync(path.join(dir, "color")), false, "writes go to the new folder");
  assert.equal((await Dataset.open(dir)).getLayer("color2").boundingBox.toCsv(), "0,0,0,41,20,20");

  const before = snapshot(dir);
  await rejectsWkw(color.setName("other"), "ERR_WKW_EXISTS", "name");
  await rejectsWkw(color.setName("../x"), "ERR_WKW_ARGUMENT", "name");
  await rejectsWkw(color.setName(".hidden"), "ERR_WKW_ARGUMENT", "name");
  await rejectsWkw(color.setName(""), "ERR_WKW_ARGUMENT", "name");
  assert.deepEqual(snapshot(dir), before);
});

test("SegmentationLayer: largestSegmentId and mappings; color layers take neither", async (t) => {
  const { dir, ds } = await fresh(t);
  const seg = await ds.addLayer("seg", "segmentation", { dtypePerChannel: "uint64", largestSegmentId: 5, mappings: ["a", "b"] });
  assert.ok(seg instanceof SegmentationLayer);
  assert.equal(seg.largestSegmentId, 5);
  assert.deepEqual(seg.mappings, ["a", "b"]);
  await seg.setLargestSegmentId(6);
  assert.equal(propertiesOf(dir).dataLayers[0].largestSegmentId, 6);
  assert.deepEqual(propertiesOf(dir).dataLayers[0].mappings, ["a", "b"]);
  const before = snapshot(dir);
  for (const bad of [-1, 1.5, NaN, "7", null, 2n ** 64n]) await rejectsWkw(seg.setLargestSegmentId(bad), "ERR_WKW_ARGUMENT", "id");
  await rejectsWkw(ds.addLayer("c", "color", { largestSegmentId: 1 }), "ERR_WKW_ARGUMENT", "options.largestSegmentId");
  await rejectsWkw(ds.addLayer("c", "color", { mappings: ["a"] }), "ERR_WKW_ARGUMENT", "options.mappings");
  await rejectsWkw(ds.addLayer("c", "segmentation", { mappings: "a" }), "ERR_WKW_ARGUMENT", "options.mappings");
  assert.deepEqual(snapshot(dir), before);
  assert.equal(inspect(seg), "SegmentationLayer(name=seg, category=segmentation, dtypePerChannel=uint64, numChannels=1, mags=[])");
});

test("open checks each mag's header.wkw against the JSON (dtype, channels, cubeLength)", async (t) => {
  const { dir, ds } = await fresh(t);
  const layer = await ds.addLayer("color", "color", { dtypePerChannel: "uint8" });
  await layer.addMag(1, { blockLen: 8, fileLen: 4 });
  ds.close();
  const good = propertiesOf(dir);
  const write = (json) => writeFileSync(path.join(dir, "datasource-properties.json"), JSON.stringify(json));

  write({ ...good, dataLayers: [{ ...good.dataLayers[0], wkwResolutions: [{ resolution: [1, 1, 1], cubeLength: 1024 }] }] });
  await rejectsWkw(Dataset.open(dir), "ERR_WKW_PROPERTIES");
  write({ ...good, dataLayers: [{ ...good.dataLayers[0], elementClass: "uint16" }] });
  await rejectsWkw(Dataset.open(dir), "ERR_WKW_PROPERTIES");
  write({ ...good, dataLayers: [{ ...good.dataLayers[0], elementClass: "uint24", numChannels: 3 }] });
  await rejectsWkw(Dataset.open(dir), "ERR_WKW_PROPERTIES");
  write(good);
  await Dataset.open(dir);
});

test("a listed mag without folder: warning, skipped, its JSON entry kept; deleteMag removes the entry", async (t) => {
  const { dir, ds } = await fresh(t);
  const layer = await ds.addLayer("color", "color");
  await layer.addMag(1, { blockLen: 8, fileLen: 4 });
  await layer.addMag(2, { blockLen: 8, fileLen: 4 });
  ds.close();
  const { rmSync } = await import("node:fs");
  rmSync(path.join(dir, "color", "2"), { recursive: true });
  let again;
  const warnings = await captureWarnings("WKW_MAG_MISSING", async () => {
    again = await Dataset.open(dir);
  });
  assert.equal(warnings.length, 1);
  const l = again.getLayer("color");
  assert.deepEqual([...l.mags.keys()], ["1"]);
  throwsWkw(() => l.getMag(2), "ERR_WKW_NOT_FOUND", "mag");
  await rejectsWkw(l.addMag(2), "ERR_WKW_EXISTS", "mag");
  await l.setBoundingBox(new BoundingBox([0, 0, 0], [1, 1, 1]));
  assert.equal(propertiesOf(dir).dataLayers[0].wkwResolutions.length, 2);
  await l.deleteMag(2);
  assert.deepEqual(propertiesOf(dir).dataLayers[0].wkwResolutions, [{ resolution: [1, 1, 1], cubeLength: 32 }]);
  await l.addMag(2);
});

test("addMag adopts an empty leftover folder with the same header (crashed addMag), refuses others", async (t) => {
  const { dir, ds } = await fresh(t);
  const layer = await ds.addLayer("color", "color");
  await WkwDataset.create(path.join(dir, "color", "1"), { voxelType: "uint8", blockLen: 8, fileLen: 4 });
  const m = await layer.addMag(1, { blockLen: 8, fileLen: 4 });
  assert.equal(m.header.blockLen, 8);
  await WkwDataset.create(path.join(dir, "color", "2"), { voxelType: "uint16" });
  const before = snapshot(dir);
  await rejectsWkw(layer.addMag(2), "ERR_WKW_EXISTS", "mag");
  assert.deepEqual(snapshot(dir), before);
});

test("layer accessors and inspect", async (t) => {
  const { dir, ds } = await fresh(t);
  const layer = await ds.addLayer("color", "color", { dtypePerChannel: "float32", numChannels: 2 });
  await layer.addMag(1);
  await layer.addMag("2-2-1");
  assert.equal(layer.path, path.join(dir, "color"));
  assert.equal(layer.dataset, ds);
  assert.equal(layer.category, "color");
  assert.equal(layer.numChannels, 2);
  assert.equal(layer.dtypePerChannel, "float32");
  assert.equal(layer.dtypePerLayer, "float64");
  assert.equal(layer.elementClass, "float64");
  assert.equal(inspect(layer), "Layer(name=color, category=color, dtypePerChannel=float32, numChannels=2, mags=[1, 2-2-1])");
  const mags = layer.mags;
  mags.delete("1");
  assert.equal(layer.mags.size, 2, "mags is a copy");
});
