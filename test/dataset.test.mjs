// Dataset: create/open/getOrCreate, layers, properties JSON, copyDataset, the
// simple_wkw_dataset fixture and the dataset of issue 3's "Done when" list.
// Scenario numbers refer to webknossos-libs-notes.md §4.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import {
  Dataset, Layer, SegmentationLayer, MagView, WkwDataset, InProcessExecutor, BoundingBox,
} from "../dist/index.js";
import { tempDir, copyFixture, sha256, WEBKNOSSOS } from "./support/fixtures.mjs";
import {
  rejectsWkw, throwsWkw, snapshot, propertiesOf, readJson, makeArray, bytes, captureWarnings,
} from "./support/dataset.mjs";

const FIXTURE = path.join(WEBKNOSSOS, "simple_wkw_dataset");

test("26: create, add layer color with mags 1 and 2-2-1 → folders color/1 and color/2-2-1", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const color = await ds.addLayer("color", "color");
  await color.addMag(1);
  await color.addMag("2-2-1");
  assert.ok(statSync(path.join(dir, "color/1/header.wkw")).isFile());
  assert.ok(statSync(path.join(dir, "color/2-2-1/header.wkw")).isFile());
  assert.equal(ds.layers.size, 1);
  assert.deepEqual([...color.mags.keys()], ["1", "2-2-1"]);
  assert.ok(color.mags.get("1") instanceof MagView);
  assert.equal(color.getMag([2, 2, 1]), color.mags.get("2-2-1"));
  const again = await Dataset.open(dir);
  assert.deepEqual([...again.getLayer("color").mags.keys()], ["1", "2-2-1"]);
});

test("27: uint48 with 3 channels; mag 1 block 64/file 64 and mag 2-2-1 with defaults", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color", { dtypePerLayer: "uint48", numChannels: 3 });
  await layer.addMag(1, { blockLen: 64, fileLen: 64 });
  await layer.addMag("2-2-1");
  assert.equal(layer.dtypePerChannel, "uint16");
  assert.equal(layer.dtypePerLayer, "uint48");
  const json = propertiesOf(dir).dataLayers[0];
  assert.equal(json.elementClass, "uint48");
  assert.deepEqual(json.wkwResolutions, [{ resolution: [1, 1, 1], cubeLength: 4096 }, { resolution: [2, 2, 1], cubeLength: 1024 }]);
  const h1 = (await WkwDataset.open(path.join(dir, "color/1"))).header;
  const h2 = (await WkwDataset.open(path.join(dir, "color/2-2-1"))).header;
  assert.deepEqual([h1.blockLen, h1.fileLen, h1.voxelType, h1.numChannels, h1.blockType], [64, 64, "uint16", 3, "raw"]);
  assert.deepEqual([h2.blockLen, h2.fileLen, h2.voxelType, h2.numChannels, h2.blockType], [32, 32, "uint16", 3, "raw"]);
});

test("28: simple_wkw_dataset opens, reads 3 channels matching the manifest; JSON round-trips; add layer, reopen", async (t) => {
  const dir = copyFixture(t, FIXTURE);
  const original = propertiesOf(dir);
  const manifest = readJson(`${FIXTURE}.manifest.json`);
  const ds = await Dataset.open(dir);
  assert.equal(ds.name, "simple_wkw_dataset");
  assert.deepEqual([...ds.scale], [1, 1, 1]);
  assert.deepEqual([...ds.layers.keys()], ["color"]);
  const color = ds.getLayer("color");
  assert.equal(color.numChannels, 3);
  assert.equal(color.dtypePerChannel, "uint8");
  assert.equal(color.dtypePerLayer, "uint24");
  assert.ok(color.boundingBox.equals(new BoundingBox([0, 0, 0], [24, 24, 24])));
  assert.deepEqual(color.defaultViewConfiguration, { color: [255, 0, 0] });
  assert.deepEqual(ds.defaultViewConfiguration, { position: [12, 12, 12] });
  const mag = color.getMag(1);
  assert.deepEqual([...mag.size], [24, 24, 24]);
  for (const region of manifest.mags[0].regions) {
    const arr = await mag.read(region.offset, region.size);
    assert.deepEqual(arr.shape, [3, ...region.size]);
    assert.equal(arr.data.byteLength, region.bytes);
    assert.equal(sha256(arr.data), region.sha256, `region ${region.offset}+${region.size}`);
  }
  const whole = await mag.read();
  assert.deepEqual(whole.shape, [3, 24, 24, 24]);

  // A save that changes nothing writes the same JSON (it already has numChannels).
  await ds.setName("simple_wkw_dataset");
  assert.deepEqual(propertiesOf(dir), original);

  const seg = await ds.addLayer("segmentation", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 0 });
  await seg.addMag(1, { blockLen: 8, fileLen: 4 });
  const after = propertiesOf(dir);
  assert.deepEqual(after.dataLayers[0], original.dataLayers[0]);
  assert.deepEqual({ ...after, dataLayers: [] }, { ...original, dataLayers: [] });
  assert.deepEqual(after.dataLayers[1], {
    name: "segmentation",
    category: "segmentation",
    boundingBox: { topLeft: [0, 0, 0], width: 0, height: 0, depth: 0 },
    elementClass: "uint32",
    numChannels: 1,
    dataFormat: "wkw",
    wkwResolutions: [{ resolution: [1, 1, 1], cubeLength: 32 }],
    largestSegmentId: 0,
  });
  const reopened = await Dataset.open(dir);
  assert.deepEqual([...reopened.layers.keys()], ["color", "segmentation"]);
  assert.equal(sha256((await reopened.getLayer("color").getMag(1).read([0, 0, 0], [32, 32, 32])).data), manifest.mags[0].regions[0].sha256);
  assert.ok(reopened.getLayer("segmentation") instanceof SegmentationLayer);
});

test("33: properties without numChannels → taken from header.wkw; written with the next save", async (t) => {
  const dir = copyFixture(t, FIXTURE);
  const json = propertiesOf(dir);
  delete json.dataLayers[0].numChannels;
  writeFileSync(path.join(dir, "datasource-properties.json"), JSON.stringify(json));
  const before = snapshot(dir);
  const ds = await Dataset.open(dir);
  assert.equal(ds.getLayer("color").numChannels, 3);
  assert.deepEqual(snapshot(dir), before, "opening writes nothing");
  await ds.setScale([1, 1, 1]);
  const saved = propertiesOf(dir);
  assert.equal(saved.dataLayers[0].numChannels, 3);
  delete saved.dataLayers[0].numChannels;
  assert.deepEqual(saved, json);

  // No mags (or no header in the first mag) and no numChannels: an error naming the file.
  json.dataLayers[0].wkwResolutions = [];
  writeFileSync(path.join(dir, "datasource-properties.json"), JSON.stringify(json));
  await rejectsWkw(Dataset.open(dir), "ERR_WKW_PROPERTIES");
});

test("35: a properties file with extra keys, mappings, team and several mags round-trips", async (t) => {
  const dir = path.join(tempDir(t), "complex");
  const json = {
    id: { name: "complex", team: "lab", owner: "x" },
    scale: [11.24, 11.24, 28],
    dataLayers: [
      {
        name: "seg",
        category: "segmentation",
        boundingBox: { topLeft: [8, 16, 4], width: 100, height: 50, depth: 20 },
        elementClass: "uint64",
        numChannels: 1,
        dataFormat: "wkw",
        wkwResolutions: [
          { resolution: [1, 1, 1], cubeLength: 32 },
          { resolution: [2, 2, 1], cubeLength: 32 },
          { resolution: [4, 4, 2], cubeLength: 32 },
        ],
        largestSegmentId: 123456789012,
        mappings: ["agglomerate_view_5", "agglomerate_view_10"],
        adminViewConfiguration: { alpha: 50 },
      },
    ],
    somethingNewer: { a: [1, 2] },
  };
  for (const m of ["1", "2-2-1", "4-4-2"]) await WkwDataset.create(path.join(dir, "seg", m), { voxelType: "uint64", blockLen: 8, fileLen: 4 });
  writeFileSync(path.join(dir, "datasource-properties.json"), JSON.stringify(json));
  const ds = await Dataset.open(dir);
  const seg = ds.getLayer("seg");
  assert.equal(seg.largestSegmentId, 123456789012);
  assert.deepEqual(seg.mappings, ["agglomerate_view_5", "agglomerate_view_10"]);
  await ds.setName("complex");
  assert.deepEqual(propertiesOf(dir), json);
});

test("old forms: int resolution and topLeft -1 open; the mag is normalised to [x, y, z] on save", async (t) => {
  const dir = copyFixture(t, FIXTURE);
  const json = propertiesOf(dir);
  json.dataLayers[0].wkwResolutions[0].resolution = 1;
  json.dataLayers[0].boundingBox = { topLeft: [-1, -1, -1], width: 0, height: 0, depth: 0 };
  writeFileSync(path.join(dir, "datasource-properties.json"), JSON.stringify(json));
  const ds = await Dataset.open(dir);
  const color = ds.getLayer("color");
  assert.ok(color.boundingBox.isEmpty());
  assert.deepEqual([...color.getMag(1).size], [0, 0, 0]);
  await color.getMag(1).write(makeArray(Uint8Array, [3, 2, 2, 2], () => 7), [4, 4, 4]);
  const saved = propertiesOf(dir).dataLayers[0];
  assert.deepEqual(saved.wkwResolutions, [{ resolution: [1, 1, 1], cubeLength: 32 }]);
  assert.deepEqual(saved.boundingBox, { topLeft: [4, 4, 4], width: 2, height: 2, depth: 2 });
});

test("29: two handles: A adds a layer, B adds a segmentation layer → both on disk", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  await Dataset.create(dir, { scale: [1, 1, 1] });
  const a = await Dataset.open(dir);
  const b = await Dataset.open(dir);
  await a.addLayer("color", "color");
  await b.addLayer("seg", "segmentation", { dtypePerChannel: "uint32" });
  await a.setName("renamed");
  assert.deepEqual(propertiesOf(dir).dataLayers.map((l) => l.name), ["color", "seg"]);
  assert.equal(propertiesOf(dir).id.name, "renamed");
  const c = await Dataset.open(dir);
  assert.deepEqual([...c.layers.keys()], ["color", "seg"]);
  // Adding a layer that another handle added meanwhile is refused, nothing changes.
  const before = snapshot(dir);
  await rejectsWkw(b.addLayer("color", "color"), "ERR_WKW_EXISTS", "name");
  assert.deepEqual(snapshot(dir), before);
});

test("34: largestSegmentId: optional, saved, setter persists (bigint beyond 2^53)", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const none = await ds.addLayer("none", "segmentation");
  assert.equal(none.largestSegmentId, undefined);
  assert.equal("largestSegmentId" in propertiesOf(dir).dataLayers[0], false);
  const ten = await ds.addLayer("ten", "segmentation", { dtypePerChannel: "uint64", largestSegmentId: 10 });
  assert.equal(ten.largestSegmentId, 10);
  let again = await Dataset.open(dir);
  assert.equal(again.getLayer("ten").largestSegmentId, 10);
  await ten.setLargestSegmentId(2n ** 60n + 1n);
  again = await Dataset.open(dir);
  assert.equal(again.getLayer("ten").largestSegmentId, 2n ** 60n + 1n);
  assert.match(readFileSync(path.join(dir, "datasource-properties.json"), "utf8"), /"largestSegmentId": 1152921504606846977/);
  await ten.setLargestSegmentId(11n);
  assert.equal(ten.largestSegmentId, 11);
});

test("36: dtype mapping per layer / per channel and back after reopen", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const cases = [
    ["a", { dtypePerLayer: "uint24", numChannels: 3 }, "uint24", "uint8", "uint24"],
    ["b", { dtypePerLayer: "uint8", numChannels: 1 }, "uint8", "uint8", "uint8"],
    ["c", { dtypePerChannel: "uint8", numChannels: 3 }, "uint24", "uint8", "uint24"],
    ["d", { dtypePerChannel: "float" }, "float", "float32", "float32"],
    ["e", { dtypePerChannel: "float32" }, "float", "float32", "float32"],
    ["f", { dtypePerChannel: "double" }, "double", "float64", "float64"],
    ["g", { dtypePerChannel: "float", numChannels: 3 }, "float96", "float32", "float96"],
    ["h", { dtypePerLayer: "float" }, "float", "float32", "float32"],
    ["i", { dtypePerLayer: "int64", numChannels: 4 }, "int64", "int16", "int64"],
    ["j", {}, "uint8", "uint8", "uint8"],
  ];
  for (const [name, options, elementClass, perChannel, perLayer] of cases) {
    const layer = await ds.addLayer(name, "color", options);
    assert.deepEqual([layer.elementClass, layer.dtypePerChannel, layer.dtypePerLayer], [elementClass, perChannel, perLayer], name);
  }
  const again = await Dataset.open(dir);
  for (const [name, , elementClass, perChannel, perLayer] of cases) {
    const layer = again.getLayer(name);
    assert.deepEqual([layer.elementClass, layer.dtypePerChannel, layer.dtypePerLayer], [elementClass, perChannel, perLayer], name);
  }
  assert.deepEqual(propertiesOf(dir).dataLayers.map((l) => [l.elementClass, l.numChannels]), [
    ["uint24", 3], ["uint8", 1], ["uint24", 3], ["float", 1], ["float", 1], ["double", 1], ["float96", 3], ["float", 1], ["int64", 4], ["uint8", 1],
  ]);
});

test("37: impossible dtypes and the legacy dtype option are refused, nothing saved", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const before = snapshot(dir);
  await rejectsWkw(ds.addLayer("x", "color", { dtypePerLayer: "uint30", numChannels: 3 }), "ERR_WKW_ARGUMENT", "options.dtypePerLayer");
  await rejectsWkw(ds.addLayer("x", "color", { dtypePerLayer: "int64", numChannels: 3 }), "ERR_WKW_ARGUMENT", "options.dtypePerLayer");
  await rejectsWkw(ds.addLayer("x", "color", { dtypePerLayer: "uint24" }), "ERR_WKW_ARGUMENT", "options.dtypePerLayer");
  await rejectsWkw(ds.addLayer("x", "color", { dtype: "uint8" }), "ERR_WKW_ARGUMENT", "options.dtype");
  await rejectsWkw(ds.addLayer("x", "color", { dtypePerLayer: "uint8", dtypePerChannel: "uint8" }), "ERR_WKW_ARGUMENT", "options.dtypePerChannel");
  await rejectsWkw(ds.addLayer("x", "color", { dtypePerChannel: "uint24" }), "ERR_WKW_ARGUMENT", "options.dtypePerChannel");
  await rejectsWkw(ds.addLayer("x", "color", { dtypePerChannel: "float64", numChannels: 32 }), "ERR_WKW_ARGUMENT", "options.numChannels");
  assert.deepEqual(snapshot(dir), before);
});

test("38: getOrCreate opens with the same scale/name, refuses a different one, creates otherwise", async (t) => {
  const root = tempDir(t);
  const dir = path.join(root, "ds");
  const created = await Dataset.getOrCreate(dir, { scale: [1, 2, 3] });
  await created.addLayer("color", "color");
  const opened = await Dataset.getOrCreate(dir, { scale: [1, 2, 3] });
  assert.deepEqual([...opened.layers.keys()], ["color"]);
  await Dataset.getOrCreate(dir, { scale: [1, 2, 3], name: "ds" });
  const before = snapshot(dir);
  await rejectsWkw(Dataset.getOrCreate(dir, { scale: [1, 2, 4] }), "ERR_WKW_ARGUMENT", "options.scale");
  await rejectsWkw(Dataset.getOrCreate(dir, { scale: [1, 2, 3], name: "other" }), "ERR_WKW_ARGUMENT", "options.name");
  assert.deepEqual(snapshot(dir), before);
});

test("39: name defaults to the folder name, setName persists, an explicit name is kept", async (t) => {
  const root = tempDir(t);
  const a = await Dataset.create(path.join(root, "folder_name"), { scale: [1, 1, 1] });
  assert.equal(a.name, "folder_name");
  assert.deepEqual(propertiesOf(a.path).id, { name: "folder_name", team: "" });
  await a.setName("new_name");
  assert.equal(a.name, "new_name");
  assert.equal((await Dataset.open(a.path)).name, "new_name");
  const b = await Dataset.create(path.join(root, "b"), { scale: [2, 2, 2], name: "explicit" });
  assert.equal((await Dataset.open(b.path)).name, "explicit");
  await b.setScale([4, 4, 40]);
  assert.deepEqual(propertiesOf(b.path).scale, [4, 4, 40]);
  assert.deepEqual([...b.scale], [4, 4, 40]);
});

test("40: getColorLayers / getSegmentationLayers", async (t) => {
  const ds = await Dataset.create(path.join(tempDir(t), "ds"), { scale: [1, 1, 1] });
  assert.deepEqual(ds.getColorLayers(), []);
  assert.deepEqual(ds.getSegmentationLayers(), []);
  await ds.addLayer("c1", "color");
  await ds.addLayer("s1", "segmentation");
  await ds.addLayer("c2", "color");
  assert.deepEqual(ds.getColorLayers().map((l) => l.name), ["c1", "c2"]);
  assert.deepEqual(ds.getSegmentationLayers().map((l) => l.name), ["s1"]);
  assert.ok(ds.getColorLayers().every((l) => l instanceof Layer && !(l instanceof SegmentationLayer)));
});

test("30/31: getOrAddLayer returns the existing layer; mismatches are refused", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const color = await ds.getOrAddLayer("color", "color", { dtypePerLayer: "uint24", numChannels: 3 });
  assert.equal(await ds.getOrAddLayer("color", "color", { dtypePerLayer: "uint24", numChannels: 3 }), color);
  assert.equal(await ds.getOrAddLayer("color", "color"), color);
  assert.equal(await ds.getOrAddLayer("color", "color", { dtypePerChannel: "uint8" }), color);
  const mag = await (await ds.getOrAddLayer("color", "color")).getOrAddMag("1");
  assert.equal(await (await ds.getOrAddLayer("color", "color")).getOrAddMag("1"), mag);
  assert.deepEqual(propertiesOf(dir).dataLayers[0].wkwResolutions, [{ resolution: [1, 1, 1], cubeLength: 1024 }]);
  const before = snapshot(dir);
  await rejectsWkw(ds.getOrAddLayer("color", "segmentation"), "ERR_WKW_ARGUMENT", "category");
  await rejectsWkw(ds.getOrAddLayer("color", "color", { numChannels: 1 }), "ERR_WKW_ARGUMENT", "options.numChannels");
  await rejectsWkw(ds.getOrAddLayer("color", "color", { dtypePerLayer: "uint48", numChannels: 3 }), "ERR_WKW_ARGUMENT", "options.dtypePerLayer");
  await rejectsWkw(ds.getOrAddLayer("color", "color", { dtypePerChannel: "uint16" }), "ERR_WKW_ARGUMENT", "options.dtypePerChannel");
  assert.deepEqual(snapshot(dir), before);
});

test("42: delete a mag, then a layer; the other layer is untouched", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const color = await ds.addLayer("color", "color");
  await color.addMag(1, { blockLen: 8, fileLen: 2 });
  const mag2 = await color.addMag(2, { blockLen: 8, fileLen: 2 });
  await mag2.write(makeArray(Uint8Array, [1, 4, 4, 4], () => 1), [0, 0, 0]);
  const seg = await ds.addLayer("seg", "segmentation");
  await seg.addMag(1, { blockLen: 8, fileLen: 2 });
  const segBefore = Object.fromEntries(Object.entries(snapshot(dir)).filter(([k]) => k.startsWith("seg")));

  await color.deleteMag(1);
  assert.deepEqual(propertiesOf(dir).dataLayers[0].wkwResolutions, [{ resolution: [2, 2, 2], cubeLength: 16 }]);
  assert.equal(existsSync(path.join(dir, "color/1")), false);
  assert.deepEqual([...color.mags.keys()], ["2"]);
  await rejectsWkw(color.deleteMag(1), "ERR_WKW_NOT_FOUND", "mag");
  throwsWkw(() => color.getMag(1), "ERR_WKW_NOT_FOUND", "mag");

  await ds.deleteLayer("color");
  assert.deepEqual(propertiesOf(dir).dataLayers.map((l) => l.name), ["seg"]);
  assert.equal(existsSync(path.join(dir, "color")), false);
  assert.deepEqual([...ds.layers.keys()], ["seg"]);
  await rejectsWkw(ds.deleteLayer("color"), "ERR_WKW_NOT_FOUND", "name");
  await rejectsWkw(mag2.read([0, 0, 0], [1, 1, 1]), "ERR_WKW_NOT_FOUND");
  await rejectsWkw(color.addMag(4), "ERR_WKW_NOT_FOUND", "layer");
  const segAfter = Object.fromEntries(Object.entries(snapshot(dir)).filter(([k]) => k.startsWith("seg")));
  assert.deepEqual(segAfter, segBefore);
});

test("47: view configurations write only the keys that are set and survive reopening", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const color = await ds.addLayer("color", "color");
  await ds.setDefaultViewConfiguration({ fourBit: true });
  await color.setDefaultViewConfiguration({ color: [255, 0, 0] });
  let json = propertiesOf(dir);
  assert.deepEqual(json.defaultViewConfiguration, { fourBit: true });
  assert.deepEqual(json.dataLayers[0].defaultViewConfiguration, { color: [255, 0, 0] });
  await ds.setDefaultViewConfiguration({ position: [1, 2, 3], zoom: 2, renderMissingDataBlack: false });
  await color.setDefaultViewConfiguration({ alpha: 50, isDisabled: true });
  const again = await Dataset.open(dir);
  assert.deepEqual(again.defaultViewConfiguration, { position: [1, 2, 3], zoom: 2, renderMissingDataBlack: false });
  assert.deepEqual(again.getLayer("color").defaultViewConfiguration, { alpha: 50, isDisabled: true });
  await color.setDefaultViewConfiguration(undefined);
  json = propertiesOf(dir);
  assert.equal("defaultViewConfiguration" in json.dataLayers[0], false);
});

test("48: mag 2 stored as folder 2; renamed to 2-2-2 it still opens and reads; deleteMag removes 2-2-2", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const color = await ds.addLayer("color", "color");
  const mag = await color.addMag("2", { blockLen: 8, fileLen: 2 });
  assert.ok(existsSync(path.join(dir, "color/2/header.wkw")));
  const data = makeArray(Uint8Array, [1, 10, 10, 10], (c, x, y, z) => x + y + z);
  await mag.write(data, [3, 3, 3]);
  ds.close();
  renameSync(path.join(dir, "color/2"), path.join(dir, "color/2-2-2"));
  const again = await Dataset.open(dir);
  const m = again.getLayer("color").getMag(2);
  assert.equal(m.path, path.join(dir, "color/2-2-2"));
  assert.deepEqual(bytes((await m.read([3, 3, 3], [10, 10, 10])).data), bytes(data.data));
  await again.getLayer("color").deleteMag(2);
  assert.equal(existsSync(path.join(dir, "color/2-2-2")), false);
  assert.deepEqual(propertiesOf(dir).dataLayers[0].wkwResolutions, []);
});

test("49: open of a missing path → ERR_WKW_NOT_FOUND; unsupported version → ERR_WKW_PROPERTIES", async (t) => {
  const root = tempDir(t);
  await rejectsWkw(Dataset.open(path.join(root, "wrong_path")), "ERR_WKW_NOT_FOUND");
  await rejectsWkw(Dataset.open(root), "ERR_WKW_NOT_FOUND");
  const dir = copyFixture(t, FIXTURE);
  const json = propertiesOf(dir);
  writeFileSync(path.join(dir, "datasource-properties.json"), JSON.stringify({ ...json, version: 2 }));
  await rejectsWkw(Dataset.open(dir), "ERR_WKW_PROPERTIES");
});

test("create refuses a file or a non-empty folder; accepts an empty one", async (t) => {
  const root = tempDir(t);
  writeFileSync(path.join(root, "file"), "x");
  await rejectsWkw(Dataset.create(path.join(root, "file"), { scale: [1, 1, 1] }), "ERR_WKW_EXISTS", "path");
  await rejectsWkw(Dataset.create(root, { scale: [1, 1, 1] }), "ERR_WKW_EXISTS", "path");
  const ds = await Dataset.create(path.join(root, "a", "b"), { scale: [1, 1, 1] });
  await rejectsWkw(Dataset.create(ds.path, { scale: [1, 1, 1] }), "ERR_WKW_EXISTS", "path");
  assert.deepEqual(propertiesOf(ds.path), { id: { name: "b", team: "" }, scale: [1, 1, 1], dataLayers: [] });
  assert.equal(inspect(ds), `Dataset(name=b, path=${ds.path}, scale=[1,1,1], layers=[])`);
});

// ---------------------------------------------------------------------------------------
// Issue 3, "Done when": color uint8 and uint24, segmentation uint32, mags 1 and 2-2-1,
// compressed and raw; JSON of the notes' §2 form; data read back exactly by WkwDataset and
// by a fresh Dataset.open.

test("done-when: the demo dataset has the §2 JSON and its data reads back exactly", async (t) => {
  const dir = path.join(tempDir(t), "demo_stack");
  const ds = await Dataset.create(dir, { scale: [9, 9, 25] });
  const gray = await ds.addLayer("gray", "color", { dtypePerChannel: "uint8" });
  const rgb = await ds.addLayer("rgb", "color", { dtypePerLayer: "uint24", numChannels: 3 });
  const cells = await ds.addLayer("cells", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 4711 });
  await rgb.setDefaultViewConfiguration({ color: [255, 255, 255], alpha: 100 });
  await ds.setDefaultViewConfiguration({ position: [40, 30, 10], zoom: 1.5 });

  const g = makeArray(Uint8Array, [1, 40, 30, 12], (c, x, y, z) => (x * 7 + y * 3 + z) & 255);
  const g2 = makeArray(Uint8Array, [1, 20, 15, 12], (c, x, y, z) => (x + y * 5 + z * 11) & 255);
  const c3 = makeArray(Uint8Array, [3, 32, 32, 8], (c, x, y, z) => (c * 80 + x + y + z) & 255);
  const c3b = makeArray(Uint8Array, [3, 16, 16, 8], (c, x, y, z) => (c * 60 + 2 * x + y) & 255);
  const s = makeArray(Uint32Array, [1, 26, 26, 25], (c, x, y, z) => 1 + x + 100 * y + 10000 * z);
  const s2 = makeArray(Uint32Array, [1, 13, 13, 25], (c, x, y, z) => 4000000 + x * y * z);
  const layers = [
    [gray, g, [10, 20, 5], g2, [5, 10, 5]],
    [rgb, c3, [0, 0, 0], c3b, [0, 0, 0]],
    [cells, s, [100, 50, 3], s2, [50, 25, 3]],
  ];
  const warnings = await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", async () => {
    for (const [layer, d1, o1, d2, o2] of layers) {
      const m1 = await layer.addMag(1, { blockLen: 8, fileLen: 4 });
      const m2 = await layer.addMag("2-2-1", { blockLen: 8, fileLen: 4, compress: true });
      await m1.write(d1, o1);
      await m2.write(d2, o2);
    }
  });
  // Every compressed write lies on (or outside) the bounding box or on file borders.
  assert.equal(warnings.length, 0);

  const bbox = (topLeft, width, height, depth) => ({ topLeft, width, height, depth });
  const mags = [{ resolution: [1, 1, 1], cubeLength: 32 }, { resolution: [2, 2, 1], cubeLength: 32 }];
  assert.deepEqual(propertiesOf(dir), {
    id: { name: "demo_stack", team: "" },
    scale: [9, 9, 25],
    dataLayers: [
      { name: "gray", category: "color", boundingBox: bbox([10, 20, 5], 40, 30, 12), elementClass: "uint8", numChannels: 1, dataFormat: "wkw", wkwResolutions: mags },
      {
        name: "rgb", category: "color", boundingBox: bbox([0, 0, 0], 32, 32, 8), elementClass: "uint24", numChannels: 3, dataFormat: "wkw", wkwResolutions: mags,
        defaultViewConfiguration: { color: [255, 255, 255], alpha: 100 },
      },
      {
        name: "cells", category: "segmentation", boundingBox: bbox([100, 50, 3], 26, 26, 25), elementClass: "uint32", numChannels: 1, dataFormat: "wkw", wkwResolutions: mags,
        largestSegmentId: 4711,
      },
    ],
    defaultViewConfiguration: { position: [40, 30, 10], zoom: 1.5 },
  });
  for (const name of ["gray", "rgb", "cells"]) {
    assert.equal((await WkwDataset.open(path.join(dir, name, "1"))).header.blockType, "raw");
    assert.equal((await WkwDataset.open(path.join(dir, name, "2-2-1"))).header.blockType, "lz4hc");
  }

  const fresh = await Dataset.open(dir);
  for (const [layer, d1, o1, d2, o2] of layers) {
    const low1 = await WkwDataset.open(path.join(dir, layer.name, "1"));
    const low2 = await WkwDataset.open(path.join(dir, layer.name, "2-2-1"));
    assert.deepEqual(bytes((await low1.read(o1, d1.shape.slice(1))).data), bytes(d1.data), `${layer.name} mag 1 (WkwDataset)`);
    assert.deepEqual(bytes((await low2.read(o2, d2.shape.slice(1))).data), bytes(d2.data), `${layer.name} mag 2-2-1 (WkwDataset)`);
    const l = fresh.getLayer(layer.name);
    assert.deepEqual(bytes((await l.getMag(1).read(o1, d1.shape.slice(1))).data), bytes(d1.data), `${layer.name} mag 1 (Dataset)`);
    assert.deepEqual(bytes((await l.getMag("2-2-1").read(o2, d2.shape.slice(1))).data), bytes(d2.data), `${layer.name} mag 2-2-1 (Dataset)`);
    // With a margin of 2 voxels: the data inside, zeros around it.
    const [c, sx, sy, sz] = d1.shape;
    const margin = [0, 1, 2].map((a) => Math.min(2, o1[a]));
    const from = o1.map((v, a) => v - margin[a]);
    const size = [sx + margin[0] + 2, sy + margin[1] + 2, sz + margin[2] + 2];
    const expected = makeArray(d1.data.constructor, [c, ...size], (ch, x, y, z) => {
      const [i, j, k] = [x - margin[0], y - margin[1], z - margin[2]];
      return i >= 0 && j >= 0 && k >= 0 && i < sx && j < sy && k < sz ? d1.data[ch + c * (i + sx * (j + sy * k))] : 0;
    });
    assert.deepEqual(bytes((await l.getMag(1).read(from, size)).data), bytes(expected.data));
    low1.close();
    low2.close();
  }
  assert.equal(fresh.getLayer("cells").largestSegmentId, 4711);
});

test("46: copyDataset copies layers, mags, headers and data; overrides and an executor apply", async (t) => {
  const root = tempDir(t);
  const src = await Dataset.create(path.join(root, "src"), { scale: [2, 2, 5] });
  const seg = await src.addLayer("seg", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 99, mappings: ["m1"] });
  const color = await src.addLayer("color", "color", { dtypePerChannel: "uint8", numChannels: 3 });
  const segData = makeArray(Uint32Array, [1, 40, 30, 20], (c, x, y, z) => x * y + z);
  const colData = makeArray(Uint8Array, [3, 33, 20, 10], (c, x, y, z) => (c + x * 3 + y + z) & 255);
  const seg1 = await seg.addMag(1, { blockLen: 8, fileLen: 16 });
  const seg2 = await seg.addMag(2, { blockLen: 8, fileLen: 16, compress: true });
  const col1 = await color.addMag(1, { blockLen: 8, fileLen: 16 });
  const col2 = await color.addMag(2, { blockLen: 8, fileLen: 16 });
  await seg1.write(segData, [130, 5, 7]);
  await seg2.write(makeArray(Uint32Array, [1, 20, 15, 10], () => 5), [65, 3, 4]);
  await col1.write(colData, [10, 120, 0]);
  await col2.write(makeArray(Uint8Array, [3, 16, 10, 5], (c) => c + 1), [5, 60, 0]);
  await color.setDefaultViewConfiguration({ alpha: 20 });

  const copy = await src.copyDataset(path.join(root, "copy"));
  assert.deepEqual([...copy.scale], [2, 2, 5]);
  assert.equal(copy.name, "copy");
  const srcJson = propertiesOf(src.path), copyJson = propertiesOf(copy.path);
  assert.deepEqual(copyJson.dataLayers, srcJson.dataLayers);
  for (const [name, m] of [["seg", "1"], ["seg", "2"], ["color", "1"], ["color", "2"]]) {
    const a = src.getLayer(name).getMag(m), b = copy.getLayer(name).getMag(m);
    assert.deepEqual(b.header, a.header, `${name}/${m}`);
    const box = new BoundingBox([0, 0, 0], a.size);
    assert.deepEqual(bytes((await b.readBbox(box)).data), bytes((await a.readBbox(box)).data), `${name}/${m}`);
  }
  assert.deepEqual(
    (await copy.getLayer("seg").getMag(1).getBoundingBoxesOnDisk()).map(String),
    (await seg1.getBoundingBoxesOnDisk()).map(String),
    "chunks without source files are skipped",
  );

  let jobs = 0;
  // copy jobs are references ({ module, name }) to the package's copy module
  const counted = function* (items) {
    for (const item of items) (jobs++, yield item);
  };
  const counting = { map: (job, items, o) => (assert.equal(job.name, "copyChunk"), new InProcessExecutor({ concurrency: 2 }).map(job, counted(items), o)) };
  const copy2 = await src.copyDataset(path.join(root, "copy2"), { scale: [1, 1, 1], blockLen: 4, fileLen: 8, compress: true, executor: counting });
  assert.ok(jobs > 0);
  const h = copy2.getLayer("color").getMag(1).header;
  assert.deepEqual([h.blockLen, h.fileLen, h.blockType], [4, 8, "lz4hc"]);
  assert.equal(propertiesOf(copy2.path).dataLayers[1].wkwResolutions[0].cubeLength, 32);
  assert.deepEqual([...copy2.scale], [1, 1, 1]);
  assert.deepEqual(bytes((await copy2.getLayer("color").getMag(1).read([10, 120, 0], [33, 20, 10])).data), bytes(colData.data));
  assert.deepEqual(bytes((await copy2.getLayer("seg").getMag(1).read([130, 5, 7], [40, 30, 20])).data), bytes(segData.data));

  await rejectsWkw(src.copyDataset(path.join(root, "copy")), "ERR_WKW_EXISTS", "path");
});
