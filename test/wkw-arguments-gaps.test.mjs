// Bad arguments of WkwDataset not covered by wkw-arguments.test.mjs: write options, NaN and
// detached or foreign buffers, regions too large to allocate, compress options,
// compressFilesInto. Every case is a WkwError ERR_WKW_ARGUMENT naming the parameter, and
// nothing on disk changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { WkwDataset, WkwError } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { isArgError, snapshot } from "./support/dataset.mjs";

function detached(TypedArray, n) {
  const a = new TypedArray(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  assert.equal(a.length, 0);
  return a;
}

test("write()/writeSync(): options, NaN offsets, detached and foreign buffers; nothing written", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(dir, { voxelType: "uint16", blockLen: 8, fileLen: 2, blockType: "lz4" });
  await ds.write([0, 0, 0], { data: new Uint16Array(8 ** 3).fill(5), shape: [8, 8, 8] });
  const before = snapshot(dir);
  const one = () => ({ data: new Uint16Array(8), shape: [2, 2, 2] });
  const both = [
    [[[0, 0, 0], one(), "fast"], "options"],
    [[[0, 0, 0], one(), { durable: "yes" }], "options.durable"],
    [[[0, 0, 0], one(), { durable: 1 }], "options.durable"],
    [[[0, 0, 0], one(), { level: 2.5 }], "options.level"],
    [[[NaN, 0, 0], one()], "offset"],
    [[[0, 0, Infinity], one()], "offset"],
    [[[0, 0, 0], { data: detached(Uint16Array, 8), shape: [2, 2, 2] }], "data.data"],
    [[[0, 0, 0], { data: new DataView(new ArrayBuffer(16)), shape: [2, 2, 2] }], "data.data"],
    [[[0, 0, 0], { data: new Uint16Array(8), shape: [2, 2, 2], stride: [1, 1.5, 4] }], "data.stride"],
    [[[0, 0, 0], { data: new Uint16Array(8), shape: [2, 2, NaN] }], "data.shape"],
    [[[0, 0, 0], { data: new Uint16Array(8), shape: [2, 2, 2], offset: NaN }], "data.offset"],
  ];
  for (const [args, parameter] of both) {
    await assert.rejects(ds.write(...args), isArgError(parameter));
    assert.throws(() => ds.writeSync(...args), isArgError(parameter));
  }
  const asyncOnly = [
    [[[0, 0, 0], one(), { signal: {} }], "options.signal"],
    [[[0, 0, 0], one(), { signal: "stop" }], "options.signal"],
    [[[0, 0, 0], one(), { concurrency: 0 }], "options.concurrency"],
    [[[0, 0, 0], one(), { concurrency: 1.5 }], "options.concurrency"],
    [[[0, 0, 0], one(), { concurrency: NaN }], "options.concurrency"],
  ];
  for (const [args, parameter] of asyncOnly) await assert.rejects(ds.write(...args), isArgError(parameter));
  assert.deepEqual(snapshot(dir), before, "nothing on disk changed");
});

test("a zero-size write is a no-op that writes nothing (like a zero-size read)", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(dir, { voxelType: "uint8", blockLen: 8, fileLen: 2 });
  await ds.write([0, 0, 0], { data: new Uint8Array(0), shape: [0, 3, 3] });
  ds.writeSync([5, 5, 5], { data: new Uint8Array(0), shape: [3, 0, 3] });
  assert.deepEqual(readdirSync(dir), ["header.wkw"]);
});

test("read()/readSync(): detached out buffers and regions too large to allocate", async (t) => {
  const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint16", blockLen: 8, fileLen: 2 });
  const out = { data: detached(Uint16Array, 8), shape: [1, 2, 2, 2] };
  await assert.rejects(ds.read([0, 0, 0], [2, 2, 2], { out }), isArgError("options.out.data"));
  assert.throws(() => ds.readSync([0, 0, 0], [2, 2, 2], { out }), isArgError("options.out.data"));
  // 2^60 items: a RangeError from the allocation would not be a WkwError
  const huge = [2 ** 20, 2 ** 20, 2 ** 20];
  await assert.rejects(ds.read([0, 0, 0], huge), isArgError("size"));
  assert.throws(() => ds.readSync([0, 0, 0], huge), isArgError("size"));
  await assert.rejects(WkwDataset.open(""), isArgError("dir"));
});

test("compress(): options; nothing is created", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(path.join(dir, "src"), { voxelType: "uint8", blockLen: 8, fileLen: 2 });
  await ds.write([0, 0, 0], { data: new Uint8Array(8).fill(1), shape: [2, 2, 2] });
  const cases = [
    [["", {}], "targetDir"],
    [[path.join(dir, "x"), null], "options"],
    [[path.join(dir, "x"), "lz4"], "options"],
    [[path.join(dir, "x"), { signal: "x" }], "options.signal"],
    [[path.join(dir, "x"), { concurrency: -1 }], "options.concurrency"],
    [[path.join(dir, "x"), { durable: 1 }], "options.durable"],
    [[path.join(dir, "x"), { level: 13 }], "options.level"],
  ];
  for (const [args, parameter] of cases) await assert.rejects(ds.compress(...args), isArgError(parameter));
  assert.deepEqual(readdirSync(dir), ["src"]);
});

test("compressFilesInto(): target, files and options; nothing written", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(path.join(dir, "src"), { voxelType: "uint16", blockLen: 8, fileLen: 2 });
  await ds.write([0, 0, 0], { data: new Uint16Array(8).fill(1), shape: [2, 2, 2] });
  const target = await WkwDataset.create(path.join(dir, "t"), { voxelType: "uint16", blockLen: 8, fileLen: 2, blockType: "lz4" });
  const other = await WkwDataset.create(path.join(dir, "o"), { voxelType: "uint8", blockLen: 8, fileLen: 2, blockType: "lz4" });
  const cases = [
    [[{}, [[0, 0, 0]]], "target"],
    [[path.join(dir, "t"), [[0, 0, 0]]], "target"],
    [[other, [[0, 0, 0]]], "target"],
    [[ds, [[0, 0, 0]]], "target"],
    [[target, "0,0,0"], "files"],
    [[target, [[0, -1, 0]]], "files[0]"],
    [[target, [[0, 0, 0], [0, NaN, 0]]], "files[1]"],
    [[target, [[0, 0]]], "files[0]"],
    [[target, [[0, 0, 0]], { level: 0 }], "options.level"],
    [[target, [[0, 0, 0]], { signal: 5 }], "options.signal"],
    [[target, [[0, 0, 0]], { durable: "no" }], "options.durable"],
    [[target, [[0, 0, 0]], []], "options"],
  ];
  for (const [args, parameter] of cases) await assert.rejects(ds.compressFilesInto(...args), isArgError(parameter));
  assert.deepEqual(readdirSync(path.join(dir, "t")), ["header.wkw"], "nothing written");
  target.close();
  await assert.rejects(ds.compressFilesInto(target, [[0, 0, 0]]), (e) => e instanceof WkwError && e.code === "ERR_WKW_CLOSED");
  assert.ok(!existsSync(path.join(dir, "t", "z0")));
});
