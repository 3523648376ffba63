// Every public WkwDataset entry point rejects bad arguments with a WkwError naming the
// parameter, and writes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { WkwDataset, WkwError } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { isArgError, snapshot } from "./support/dataset.mjs";

test("create(): wrong dir and options", async (t) => {
  const dir = tempDir(t);
  const cases = [
    [[123, { voxelType: "uint8" }], "dir"],
    [["", { voxelType: "uint8" }], "dir"],
    [[path.join(dir, "a"), null], "options"],
    [[path.join(dir, "a"), {}], "options.voxelType"],
    [[path.join(dir, "a"), { voxelType: "uint24" }], "options.voxelType"],
    [[path.join(dir, "a"), { voxelType: "uint8", numChannels: 0 }], "options.numChannels"],
    [[path.join(dir, "a"), { voxelType: "uint64", numChannels: 32 }], "options.numChannels"],
    [[path.join(dir, "a"), { voxelType: "uint8", numChannels: 1.5 }], "options.numChannels"],
    [[path.join(dir, "a"), { voxelType: "uint8", blockLen: 3 }], "options.blockLen"],
    [[path.join(dir, "a"), { voxelType: "uint8", blockLen: 256 }], "options.blockLen"],
    [[path.join(dir, "a"), { voxelType: "uint8", fileLen: NaN }], "options.fileLen"],
    [[path.join(dir, "a"), { voxelType: "uint8", blockType: "zip" }], "options.blockType"],
  ];
  for (const [args, parameter] of cases) await assert.rejects(WkwDataset.create(...args), isArgError(parameter));
  assert.deepEqual(readdirSync(dir), [], "nothing created");
  await assert.rejects(WkwDataset.open(42), isArgError("dir"));
});

test("read()/readSync(): wrong offsets, sizes and options", async (t) => {
  const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint16", blockLen: 8, fileLen: 2 });
  const bad = [
    [[[0, 0], [1, 1, 1]], "offset"],
    [["0,0,0", [1, 1, 1]], "offset"],
    [[[0, NaN, 0], [1, 1, 1]], "offset"],
    [[[0, 0.5, 0], [1, 1, 1]], "offset"],
    [[[-1, 0, 0], [1, 1, 1]], "offset"],
    [[[2 ** 31, 0, 0], [1, 1, 1]], "offset"],
    [[[0, 0, 0], [1, 1]], "size"],
    [[[0, 0, 0], [1, -2, 1]], "size"],
    [[[0, 0, 0], [1, 1, Infinity]], "size"],
    [[[2 ** 31 - 1, 0, 0], [2, 1, 1]], "size"],
    [[[0, 0, 0], [1, 1, 1], "fast"], "options"],
    [[[0, 0, 0], [1, 1, 1], { out: new Uint16Array(1) }], "options.out.data"],
    [[[0, 0, 0], [2, 1, 1], { out: { data: new Uint8Array(2), shape: [1, 2, 1, 1] } }], "options.out.data"],
    [[[0, 0, 0], [2, 1, 1], { out: { data: new Uint16Array(2), shape: [1, 1, 2, 1] } }], "options.out.shape"],
    [[[0, 0, 0], [2, 2, 1], { out: { data: new Uint16Array(4), shape: [1, 2, 2, 1], stride: [1, 2, 1, 4] } }], "options.out.stride"],
    [[[0, 0, 0], [1, 1, 1], { signal: "stop" }], "options.signal"],
    [[[0, 0, 0], [1, 1, 1], { concurrency: 0 }], "options.concurrency"],
  ];
  for (const [args, parameter] of bad) {
    await assert.rejects(ds.read(...args), isArgError(parameter));
    const o = typeof args[2] === "object" ? args[2] : {};
    if (!("signal" in o) && !("concurrency" in o)) assert.throws(() => ds.readSync(...args), isArgError(parameter));
  }
});

test("write()/writeSync(): wrong data, dtype, channels, shapes, offsets; nothing written", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(dir, { voxelType: "uint16", numChannels: 2, blockLen: 8, fileLen: 2, blockType: "lz4" });
  await ds.write([0, 0, 0], { data: new Uint16Array(2 * 8 ** 3).fill(5), shape: [2, 8, 8, 8] });
  const before = snapshot(dir);
  const good = () => new Uint16Array(2 * 27);
  const bad = [
    [[[0, 0, 0], good()], "data"],
    [[[0, 0, 0], null], "data"],
    [[[0, 0, 0], { data: [1, 2, 3], shape: [1, 1, 3] }], "data.data"],
    [[[0, 0, 0], { data: new Uint8Array(54), shape: [2, 3, 3, 3] }], "data.data"],
    [[[0, 0, 0], { data: new Float32Array(54), shape: [2, 3, 3, 3] }], "data.data"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3, 3], dtype: "uint8" }], "data.dtype"],
    [[[0, 0, 0], { data: good(), shape: [3, 3, 3] }], "data.shape"],
    [[[0, 0, 0], { data: good(), shape: [1, 3, 3, 3] }], "data.shape"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3] }], "data.shape"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3, 3.5] }], "data.shape"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3, 4] }], "data.data"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3, 3], stride: [1, 2, 6] }], "data.stride"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3, 3], stride: [1, 2, 6, 19] }], "data.data"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3, 3], offset: -1 }], "data.offset"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3, 3], offset: 1 }], "data.data"],
    [[[-3, 0, 0], { data: good(), shape: [2, 3, 3, 3] }], "offset"],
    [[[0, 0, 1.5], { data: good(), shape: [2, 3, 3, 3] }], "offset"],
    [[[0, 0, 2 ** 31 - 2], { data: good(), shape: [2, 3, 3, 3] }], "size"],
    [[[0, 0, 0], { data: good(), shape: [2, 3, 3, 3] }, { level: 13 }], "options.level"],
  ];
  for (const [args, parameter] of bad) {
    await assert.rejects(ds.write(...args), isArgError(parameter));
    assert.throws(() => ds.writeSync(...args), isArgError(parameter));
  }
  assert.deepEqual(snapshot(dir), before, "nothing on disk changed");
});

test("compress(): wrong target and options", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(path.join(dir, "src"), { voxelType: "uint8", blockLen: 8, fileLen: 2 });
  await assert.rejects(ds.compress(5), isArgError("targetDir"));
  await assert.rejects(ds.compress(path.join(dir, "x"), { blockType: "gzip" }), isArgError("options.blockType"));
  await assert.rejects(ds.compress(path.join(dir, "x"), { level: 0 }), isArgError("options.level"));
  assert.deepEqual(readdirSync(dir), ["src"]);
});
