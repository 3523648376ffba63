// MagView.compress: in place (swap by renames, views keep working), to a target, with an
// executor, refusals, and the open-time recovery of interrupted in-place compressions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync, cpSync, statSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { Dataset, WkwDataset, InProcessExecutor } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { rejectsWkw, snapshot, makeArray, bytes, captureWarnings } from "./support/dataset.mjs";

async function withData(t) {
  const root = tempDir(t);
  const dir = path.join(root, "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color", { dtypePerChannel: "uint16", numChannels: 2 });
  const mag = await layer.addMag("2-2-1", { blockLen: 8, fileLen: 2 });
  const data = makeArray(Uint16Array, [2, 40, 20, 18], (c, x, y, z) => c * 1000 + ((x * y + z) % 97));
  await mag.write(data, [3, 10, 0]);
  return { root, dir, ds, layer, mag, data };
}

const region = (mag, data) => mag.read([3, 10, 0], data.shape.slice(1));
/** A pid that no longer runs. */
function deadPid() {
  return spawnSync(process.execPath, ["-e", ""]).pid;
}

test("compress in place: LZ4HC header, same data, same JSON, no temporary folder, views keep working", async (t) => {
  const { dir, layer, mag, data } = await withData(t);
  const view = mag.getView();
  const before = await view.read();
  const filesBefore = (await mag.getBoundingBoxesOnDisk()).map(String);
  const json = snapshot(dir)["datasource-properties.json"];
  const rawSize = statSync(path.join(mag.path, "z0/y0/x0.wkw")).size;
  await mag.compress();
  assert.equal(mag.header.blockType, "lz4hc");
  assert.equal((await WkwDataset.open(mag.path)).header.blockType, "lz4hc");
  assert.equal(mag.path, path.join(dir, "color", "2-2-1"));
  assert.deepEqual(bytes((await region(mag, data)).data), bytes(data.data));
  assert.deepEqual(bytes((await view.read()).data), bytes(before.data));
  assert.deepEqual((await mag.getBoundingBoxesOnDisk()).map(String), filesBefore);
  assert.ok(statSync(path.join(mag.path, "z0/y0/x0.wkw")).size < rawSize);
  assert.deepEqual(readdirSync(layer.path), ["2-2-1"]);
  assert.equal(snapshot(dir)["datasource-properties.json"], json);
  const again = await Dataset.open(dir);
  assert.deepEqual(bytes((await region(again.getLayer("color").getMag("2-2-1"), data)).data), bytes(data.data));
  // writes after the swap go to the compressed mag and keep the data around them
  await captureWarnings("WKW_UNALIGNED_COMPRESSED_WRITE", () => mag.write(makeArray(Uint16Array, [2, 1, 1, 1], () => 9), [3, 10, 0]));
  assert.deepEqual([...(await mag.read([3, 10, 0], [2, 1, 1])).data], [9, 9, data.data[2], data.data[3]]);
  // an already compressed mag is left as it is
  const snap = snapshot(dir);
  await mag.compress();
  assert.deepEqual(snapshot(dir), snap);
});

test("compress with an executor runs one job per cube file", async (t) => {
  const { mag, data } = await withData(t);
  const files = (await mag.getBoundingBoxesOnDisk()).length;
  assert.equal(files, 12); // x 3..43, y 10..30, z 0..18 with file edge 16
  let jobs = 0;
  const inner = new InProcessExecutor({ concurrency: 2 });
  // Jobs are references to the package's compress module, so any executor can run them.
  const refs = new Set();
  const counted = function* (items) {
    for (const item of items) (jobs++, yield item);
  };
  await mag.compress({ executor: { map: (job, items, o) => (refs.add(`${job.module.split("/").pop()}#${job.name}`), inner.map(job, counted(items), o)) } });
  assert.deepEqual([...refs], ["compress.js#compressFile"]);
  assert.equal(jobs, files);
  assert.deepEqual(bytes((await region(mag, data)).data), bytes(data.data));
});

test("compress to a target: <target>/<layer>/<mag>, the source untouched; an existing target is refused", async (t) => {
  const { root, dir, mag, data } = await withData(t);
  const before = snapshot(dir);
  const target = path.join(root, "out");
  await mag.compress({ targetPath: target });
  assert.deepEqual(snapshot(dir), before);
  assert.equal(mag.header.blockType, "raw");
  assert.deepEqual(readdirSync(target), ["color"]);
  const copy = await WkwDataset.open(path.join(target, "color", "2-2-1"));
  assert.deepEqual({ ...copy.header, blockType: "raw" }, { ...mag.header });
  assert.equal(copy.header.blockType, "lz4hc");
  assert.deepEqual(bytes((await copy.read([3, 10, 0], data.shape.slice(1))).data), bytes(data.data));
  copy.close();
  const out = snapshot(target);
  await rejectsWkw(mag.compress({ targetPath: target }), "ERR_WKW_EXISTS", "options.targetPath");
  assert.deepEqual(snapshot(target), out);
  assert.deepEqual(snapshot(dir), before);
});

test("compress: read-only datasets compress only to a target; argument checks", async (t) => {
  const { root, dir } = await withData(t);
  const ro = await Dataset.open(dir, { readOnly: true });
  const mag = ro.getLayer("color").getMag("2-2-1");
  const before = snapshot(dir);
  await rejectsWkw(mag.compress(), "ERR_WKW_READ_ONLY");
  await rejectsWkw(mag.compress({ targetPath: "" }), "ERR_WKW_ARGUMENT", "options.targetPath");
  await rejectsWkw(mag.compress({ targetPath: 5 }), "ERR_WKW_ARGUMENT", "options.targetPath");
  await rejectsWkw(mag.compress({ executor: [] }), "ERR_WKW_ARGUMENT", "options.executor");
  await rejectsWkw(mag.compress({ target: "x" }), "ERR_WKW_ARGUMENT", "options.target");
  await rejectsWkw(mag.compress("x"), "ERR_WKW_ARGUMENT", "options");
  assert.deepEqual(snapshot(dir), before);
  await mag.compress({ targetPath: path.join(root, "elsewhere") });
  assert.ok(existsSync(path.join(root, "elsewhere", "color", "2-2-1", "header.wkw")));
  assert.deepEqual(snapshot(dir), before);
});

// ---- recovery of interrupted in-place compressions (see lib/dataset/mag-folder.ts) ----

/** Builds the state a crash between "old renamed away" and "new renamed in" leaves. */
async function crashBetweenRenames(t, owner) {
  const { dir, layer, mag, data } = await withData(t);
  const tmp = path.join(layer.path, ".compress-deadbeef");
  mkdirSync(tmp);
  if (owner !== undefined) writeFileSync(path.join(tmp, "owner.json"), JSON.stringify(owner));
  await mag.compress({ targetPath: path.join(tmp, "x") }); // a complete compressed copy …
  renameSync(path.join(tmp, "x", "color", "2-2-1"), path.join(tmp, "2-2-1")); // … at <tmp>/<mag>
  mag.layer.dataset.close();
  renameSync(mag.path, path.join(tmp, "2-2-1.old"));
  return { dir, layer, tmp, data };
}

test("recovery: mag missing, <tmp>/<mag>.old present, owner dead → a writable open restores the original", async (t) => {
  const { dir, tmp, data } = await crashBetweenRenames(t, { pid: deadPid(), hostname: hostname() });
  // a read-only open changes nothing and reads from the backup
  const before = snapshot(dir);
  const ro = await Dataset.open(dir, { readOnly: true });
  const roMag = ro.getLayer("color").getMag("2-2-1");
  assert.equal(roMag.path, path.join(tmp, "2-2-1.old"));
  assert.deepEqual(bytes((await region(roMag, data)).data), bytes(data.data));
  assert.deepEqual(snapshot(dir), before);
  ro.close();
  // a writable open puts the original back and removes the temporary folder
  const ds = await Dataset.open(dir);
  const mag = ds.getLayer("color").getMag("2-2-1");
  assert.equal(mag.path, path.join(dir, "color", "2-2-1"));
  assert.equal(mag.header.blockType, "raw");
  assert.deepEqual(readdirSync(path.join(dir, "color")), ["2-2-1"]);
  assert.deepEqual(bytes((await region(mag, data)).data), bytes(data.data));
});

test("recovery: a temporary folder without owner file (crash right after mkdir) is removed", async (t) => {
  const { dir, layer, mag, data } = await withData(t);
  const tmp = path.join(layer.path, ".compress-0123");
  mkdirSync(path.join(tmp, "2-2-1", "z0"), { recursive: true });
  writeFileSync(path.join(tmp, "2-2-1", "header.wkw"), "partial");
  layer.dataset.close();
  const ds = await Dataset.open(dir);
  assert.deepEqual(readdirSync(path.join(dir, "color")), ["2-2-1"]);
  assert.deepEqual(bytes((await region(ds.getLayer("color").getMag("2-2-1"), data)).data), bytes(data.data));
  void mag;
});

test("recovery: new mag in place and the old one still in the temporary folder → the temporary folder goes", async (t) => {
  const { dir, layer, mag, data } = await withData(t);
  await mag.compress();
  const tmp = path.join(layer.path, ".compress-feed");
  mkdirSync(tmp);
  writeFileSync(path.join(tmp, "owner.json"), JSON.stringify({ pid: deadPid(), hostname: hostname() }));
  cpSync(mag.path, path.join(tmp, "2-2-1.old"), { recursive: true });
  layer.dataset.close();
  const ds = await Dataset.open(dir);
  const m = ds.getLayer("color").getMag("2-2-1");
  assert.equal(m.header.blockType, "lz4hc");
  assert.deepEqual(readdirSync(path.join(dir, "color")), ["2-2-1"]);
  assert.deepEqual(bytes((await region(m, data)).data), bytes(data.data));
});

test("recovery: a temporary folder of a live owner (or another host) is left alone; the backup is read", async (t) => {
  const { dir, tmp, data } = await crashBetweenRenames(t, { pid: process.pid, hostname: hostname() });
  const before = snapshot(dir);
  const ds = await Dataset.open(dir);
  const mag = ds.getLayer("color").getMag("2-2-1");
  assert.equal(mag.path, path.join(tmp, "2-2-1.old"));
  assert.deepEqual(bytes((await region(mag, data)).data), bytes(data.data));
  assert.deepEqual(snapshot(dir), before);
  assert.equal(mag.readOnly, true, "a mag read from its backup takes no writes");
  await rejectsWkw(mag.compress(), "ERR_WKW_READ_ONLY");
  await rejectsWkw(mag.write(makeArray(Uint16Array, [2, 1, 1, 1], () => 1)), "ERR_WKW_READ_ONLY");
  assert.deepEqual(snapshot(dir), before);
  writeFileSync(path.join(tmp, "owner.json"), JSON.stringify({ pid: deadPid(), hostname: `not-${hostname()}` }));
  ds.close();
  const other = await Dataset.open(dir);
  assert.equal(other.getLayer("color").getMag("2-2-1").path, path.join(tmp, "2-2-1.old"));
});
