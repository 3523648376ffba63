// The parallel paths of the native core: whole files encoded in parts by several pool
// threads, compress parallel across blocks, the direct decode of aligned blocks, and no
// deadlock with a pool of one thread. (Results only: nothing here depends on timing.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WkwDataset, WkwError } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Compressible test data: runs of random length and value, some noise. */
function volume(n, seed) {
  const r = rng(seed);
  const data = new Uint8Array(n ** 3);
  for (let i = 0; i < data.length;) {
    const run = 1 + Math.floor(r() * 40);
    const v = Math.floor(r() * 256);
    for (let k = 0; k < run && i < data.length; k++) data[i++] = r() < 0.1 ? Math.floor(r() * 256) : v;
  }
  return data;
}

function allFiles(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".wkw") || f.includes("_tmp")).sort();
}

// 256³ uint8 per file in blocks of 16³: 16 MiB of raw blocks, encoded in 8 parts.
const layout = { voxelType: "uint8", blockLen: 16, fileLen: 16 };

test("whole-file writes encoded in parallel parts are byte-identical to one-thread and sync writes", async (t) => {
  const dir = tempDir(t);
  const n = 256;
  const data = { data: volume(n, 1), shape: [n, n, n] };
  const variants = [["c1", { concurrency: 1 }], ["c2", { concurrency: 2 }], ["c8", { concurrency: 8 }], ["default", {}], ["sync", null]];
  const bytes = {};
  for (const [name, options] of variants) {
    const ds = await WkwDataset.create(path.join(dir, name), { ...layout, blockType: "lz4" });
    if (options) await ds.write([0, 0, 0], data, options);
    else ds.writeSync([0, 0, 0], data);
    assert.deepEqual(allFiles(path.join(dir, name)), ["header.wkw", "z0/y0/x0.wkw"]);
    bytes[name] = readFileSync(path.join(dir, name, "z0/y0/x0.wkw"));
    assert.deepEqual((await ds.read([0, 0, 0], [n, n, n])).data, data.data, `${name} reads back`);
    // Rewriting the whole file replaces it with the same bytes.
    await ds.write([0, 0, 0], data, options ?? {});
    assert.deepEqual(readFileSync(path.join(dir, name, "z0/y0/x0.wkw")), bytes[name]);
  }
  for (const [name] of variants) assert.ok(bytes[name].equals(bytes.c1), `${name} equals c1`);
});

test("compress runs parallel across blocks: same bytes at every concurrency, same voxels as the source", async (t) => {
  const dir = tempDir(t);
  const n = 256;
  const src = await WkwDataset.create(path.join(dir, "src"), { ...layout, blockType: "raw" });
  const data = volume(n, 2);
  await src.write([0, 0, 0], { data, shape: [n, n, n] });
  const out = {};
  for (const concurrency of [1, 2, 5]) {
    const target = await src.compress(path.join(dir, `lz4-${concurrency}`), { blockType: "lz4", concurrency });
    out[concurrency] = readFileSync(path.join(target.path, "z0/y0/x0.wkw"));
    assert.deepEqual((await target.read([0, 0, 0], [n, n, n])).data, data);
    assert.deepEqual(allFiles(target.path), ["header.wkw", "z0/y0/x0.wkw"]);
  }
  assert.ok(out[2].equals(out[1]) && out[5].equals(out[1]));
  // And back to raw (one task per file).
  const raw = await (await WkwDataset.open(path.join(dir, "lz4-2"))).compress(path.join(dir, "raw"), { blockType: "raw" });
  assert.deepEqual((await raw.read([0, 0, 0], [n, n, n])).data, data);
});

test("a corrupt block fails compress with ERR_WKW_CORRUPT and leaves no file of it in the target", async (t) => {
  const dir = tempDir(t);
  const n = 256;
  const src = await WkwDataset.create(path.join(dir, "src"), { ...layout, blockType: "lz4" });
  await src.write([0, 0, 0], { data: volume(n, 3), shape: [n, n, n] });
  src.close();
  // Overwrite the payload of a block in the middle of the file with garbage.
  const file = path.join(dir, "src/z0/y0/x0.wkw");
  const bytes = readFileSync(file);
  const table = new DataView(bytes.buffer, bytes.byteOffset + 16, 8 * 4096);
  const begin = Number(table.getBigUint64(8 * 2999, true));
  bytes.fill(0xff, begin, begin + 16);
  writeFileSync(file, bytes);
  const corrupt = await WkwDataset.open(path.join(dir, "src"));
  await assert.rejects(corrupt.compress(path.join(dir, "out")), (e) => e instanceof WkwError && e.code === "ERR_WKW_CORRUPT" && e.blockIndex === 3000);
  assert.deepEqual(allFiles(path.join(dir, "out")), ["header.wkw"]);
});

test("aligned block reads (decoded straight into the output) equal the same voxels of a large read", async (t) => {
  const dir = tempDir(t);
  const n = 128;
  const data = volume(n, 4);
  for (const blockType of ["raw", "lz4"]) {
    const ds = await WkwDataset.create(path.join(dir, blockType), { voxelType: "uint8", blockLen: 32, fileLen: 2, blockType });
    await ds.write([0, 0, 0], { data, shape: [n, n, n] });
    const whole = (await ds.read([0, 0, 0], [n, n, n])).data;
    assert.deepEqual(whole, data);
    const box = (o, s) => {
      const out = new Uint8Array(s[0] * s[1] * s[2]);
      for (let z = 0; z < s[2]; z++) for (let y = 0; y < s[1]; y++) {
        const at = o[0] + n * (o[1] + y + n * (o[2] + z));
        out.set(data.subarray(at, at + s[0]), s[0] * (y + s[1] * z));
      }
      return out;
    };
    const r = rng(5);
    for (let i = 0; i < 20; i++) {
      const o = [0, 1, 2].map(() => 32 * Math.floor(r() * 4));
      assert.deepEqual(ds.readSync(o, [32, 32, 32]).data, box(o, [32, 32, 32]), `${blockType} sync ${o}`);
      assert.deepEqual((await ds.read(o, [32, 32, 32])).data, box(o, [32, 32, 32]), `${blockType} async ${o}`);
      // A column one block wide in x and y, several blocks deep, into a reused array.
      const col = [o[0], o[1], 0];
      const out = { data: new Uint8Array(32 * 32 * 96).fill(7), shape: [1, 32, 32, 96] };
      assert.deepEqual((await ds.read(col, [32, 32, 96], { out })).data, box(col, [32, 32, 96]));
    }
    // An unaligned region across the four blocks around (32, 32, 32), and one past the data.
    assert.deepEqual((await ds.read([20, 30, 40], [40, 50, 30])).data, box([20, 30, 40], [40, 50, 30]));
    const past = (await ds.read([96, 96, 96], [64, 64, 64])).data;
    for (let z = 0; z < 64; z++) for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) {
      const inside = x < 32 && y < 32 && z < 32;
      const expect = inside ? data[96 + x + n * (96 + y + n * (96 + z))] : 0;
      if (past[x + 64 * (y + 64 * z)] !== expect) assert.fail(`${blockType} voxel ${x},${y},${z} past the data`);
    }
  }
});

test("a pool of one thread (UV_THREADPOOL_SIZE=1) runs whole-file writes, compress and concurrent reads without deadlock", (t) => {
  const dir = tempDir(t);
  const script = `
    const { WkwDataset } = require(${JSON.stringify(root)});
    const path = require("node:path");
    (async () => {
      const dir = ${JSON.stringify(dir)};
      const ds = await WkwDataset.create(path.join(dir, "a"), { voxelType: "uint8", blockLen: 16, fileLen: 4, blockType: "lz4hc" });
      const n = 128, data = new Uint8Array(n ** 3).map((_, i) => (i * 7) % 251);
      await Promise.all([ds.write([0, 0, 0], { data, shape: [n, n, n] }), ds.write([n, 0, 0], { data, shape: [n, n, n] })]);
      const c = await ds.compress(path.join(dir, "b"), { blockType: "lz4" });
      const reads = [];
      for (let i = 0; i < 200; i++) reads.push(c.read([(i * 16) % 240, 16, 32], [16, 16, 16]));
      reads.push(c.read([0, 0, 0], [2 * n, n, n]), require("node:fs/promises").readdir(dir));
      await Promise.all(reads);
      const back = await c.read([n, 0, 0], [n, n, n]);
      if (!Buffer.from(back.data).equals(Buffer.from(data))) throw new Error("wrong data");
      console.log("ok");
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, UV_THREADPOOL_SIZE: "1" }, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "ok");
});
