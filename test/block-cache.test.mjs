// BlockCache: counters, invalidation by writes and compress in this process, files replaced
// on disk, tiny budgets, concurrent reads on the pool, the Dataset API, bad options; the
// handle cache's public capacity; pooled result arrays are fully written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, renameSync } from "node:fs";
import path from "node:path";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import {
  BlockCache, Dataset, WkwDataset, WkwError, arrayPoolStats, fileCacheStats, setArrayPoolCapacity, setFileCacheCapacity,
} from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";

const isArg = (parameter) => (e) => e instanceof WkwError && e.code === "ERR_WKW_ARGUMENT" && (parameter === undefined || e.parameter === parameter);

/** Deterministic content: voxel (x, y, z) of volume `seed`. */
function volume(n, seed) {
  const data = new Uint8Array(n ** 3);
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i + 1, 2654435761) >>> 24) ^ seed;
  return { data, shape: [n, n, n] };
}

/** The box [o, o + s) of a Fortran-order n³ volume. */
function crop(v, n, o, s) {
  const out = new Uint8Array(s[0] * s[1] * s[2]);
  let k = 0;
  for (let z = 0; z < s[2]; z++)
    for (let y = 0; y < s[1]; y++)
      for (let x = 0; x < s[0]; x++) out[k++] = v.data[o[0] + x + n * (o[1] + y + n * (o[2] + z))];
  return out;
}

// 64³ voxels, block 16, file length 2: 8 files of 8 blocks of 4 KiB each.
async function makeDataset(t, { blockType = "lz4", cache, seed = 1, name = "m" } = {}) {
  const dir = path.join(tempDir(t), name);
  const ds = await WkwDataset.create(dir, { voxelType: "uint8", blockLen: 16, fileLen: 2, blockType, cache });
  const v = volume(64, seed);
  await ds.write([0, 0, 0], v);
  t.after(() => ds.close());
  return { ds, v, dir };
}

test("hits and misses count blocks; cached reads return the same data", async (t) => {
  const cache = new BlockCache({ maxBytes: 1 << 20 });
  assert.deepEqual(cache.stats(), { hits: 0, misses: 0, bytes: 0, evictions: 0, blocks: 0, maxBytes: 1 << 20 });
  const { ds, v } = await makeDataset(t, { cache });
  assert.equal(ds.cache, cache);
  // [8, 24) on each axis touches blocks 0 and 1 per axis: 8 blocks.
  const a = await ds.read([8, 8, 8], [16, 16, 16]);
  assert.deepEqual(a.data, crop(v, 64, [8, 8, 8], [16, 16, 16]));
  assert.deepEqual(cache.stats(), { hits: 0, misses: 8, bytes: 8 * 4096, evictions: 0, blocks: 8, maxBytes: 1 << 20 });
  const b = ds.readSync([8, 8, 8], [16, 16, 16]);
  assert.deepEqual(b.data, a.data);
  assert.deepEqual(cache.stats(), { hits: 8, misses: 8, bytes: 8 * 4096, evictions: 0, blocks: 8, maxBytes: 1 << 20 });
  // An aligned one-block read is served from the cache too.
  const c = ds.readSync([16, 16, 16], [16, 16, 16]);
  assert.deepEqual(c.data, crop(v, 64, [16, 16, 16], [16, 16, 16]));
  assert.equal(cache.stats().hits, 9);
  cache.clear();
  assert.equal(cache.stats().bytes, 0);
  assert.equal(cache.stats().blocks, 0);
  ds.readSync([16, 16, 16], [16, 16, 16]);
  assert.equal(cache.stats().misses, 9);
});

test("without a cache option nothing is cached; one cache can serve several datasets", async (t) => {
  const { ds: plain } = await makeDataset(t, { name: "plain" });
  assert.equal(plain.cache, undefined);
  const cache = new BlockCache({ maxBytes: 1 << 20 });
  const { ds: a, v: va } = await makeDataset(t, { cache, seed: 3, name: "a" });
  const { ds: b, v: vb } = await makeDataset(t, { cache, seed: 4, name: "b" });
  assert.deepEqual((await a.read([0, 0, 0], [16, 16, 16])).data, crop(va, 64, [0, 0, 0], [16, 16, 16]));
  assert.deepEqual((await b.read([0, 0, 0], [16, 16, 16])).data, crop(vb, 64, [0, 0, 0], [16, 16, 16]));
  assert.deepEqual((await a.read([0, 0, 0], [16, 16, 16])).data, crop(va, 64, [0, 0, 0], [16, 16, 16]));
  assert.deepEqual(cache.stats().hits, 1);
  assert.deepEqual(cache.stats().misses, 2);
});

for (const blockType of ["lz4", "raw"]) {
  test(`a write in this process invalidates cached blocks (${blockType}: ${blockType === "raw" ? "in place" : "file replaced"})`, async (t) => {
    const cache = new BlockCache({ maxBytes: 1 << 20 });
    const { ds, v } = await makeDataset(t, { cache, blockType });
    const before = await ds.read([0, 0, 0], [32, 32, 32]);
    assert.deepEqual(before.data, crop(v, 64, [0, 0, 0], [32, 32, 32]));
    // Partial writes: a raw file is changed in place (same inode, maybe the same mtime).
    const patch = { data: new Uint8Array(8 ** 3).fill(201), shape: [8, 8, 8] };
    ds.writeSync([4, 4, 4], patch);
    const after = ds.readSync([0, 0, 0], [32, 32, 32]);
    for (let i = 0; i < 32 ** 3; i++) {
      const x = i % 32, y = (i >> 5) % 32, z = i >> 10;
      const inside = x >= 4 && x < 12 && y >= 4 && y < 12 && z >= 4 && z < 12;
      if (after.data[i] !== (inside ? 201 : before.data[i])) assert.fail(`voxel ${x},${y},${z}: ${after.data[i]}`);
    }
    await ds.write([0, 0, 0], { data: new Uint8Array(32 ** 3).fill(7), shape: [32, 32, 32] });
    assert.ok((await ds.read([0, 0, 0], [32, 32, 32])).data.every((x) => x === 7));
  });
}

test("compress into a dataset in this process invalidates its cached blocks", async (t) => {
  const cache = new BlockCache({ maxBytes: 1 << 20 });
  const { ds: src, v: vs } = await makeDataset(t, { seed: 9, name: "src", blockType: "raw" });
  const { ds: target, v: vt } = await makeDataset(t, { cache, seed: 10, name: "target", blockType: "lz4hc" });
  assert.deepEqual((await target.read([0, 0, 0], [32, 32, 32])).data, crop(vt, 64, [0, 0, 0], [32, 32, 32]));
  await src.compressFilesInto(target, [[0, 0, 0]]);
  assert.deepEqual((await target.read([0, 0, 0], [32, 32, 32])).data, crop(vs, 64, [0, 0, 0], [32, 32, 32]));
  // A file not compressed into the target keeps the target's content.
  assert.deepEqual((await target.read([32, 0, 0], [32, 32, 32])).data, crop(vt, 64, [32, 0, 0], [32, 32, 32]));
});

test("a cube file replaced on disk (by another process) never serves stale blocks", async (t) => {
  const cache = new BlockCache({ maxBytes: 1 << 20 });
  const { ds, dir } = await makeDataset(t, { cache, seed: 1 });
  const { v: other, dir: otherDir } = await makeDataset(t, { seed: 2, name: "other" });
  await ds.read([0, 0, 0], [32, 32, 32]);
  // As another process would: a new file renamed over the old one (new inode).
  const file = path.join(dir, "z0", "y0", "x0.wkw");
  copyFileSync(path.join(otherDir, "z0", "y0", "x0.wkw"), `${file}.new`);
  renameSync(`${file}.new`, file);
  assert.deepEqual((await ds.read([0, 0, 0], [32, 32, 32])).data, crop(other, 64, [0, 0, 0], [32, 32, 32]));
  assert.deepEqual(ds.readSync([0, 0, 0], [32, 32, 32]).data, crop(other, 64, [0, 0, 0], [32, 32, 32]));
});

test("eviction takes the least recently used block: a hit makes a block recent again", async (t) => {
  // Three 4 KiB blocks of budget (one shard below 8 MiB). One-block reads: 16³ at block corners.
  const cache = new BlockCache({ maxBytes: 3 * 4096 });
  const { ds, v } = await makeDataset(t, { cache });
  const A = [0, 0, 0], B = [16, 0, 0], C = [0, 16, 0], D = [0, 0, 16];
  const read = (o) => assert.deepEqual(ds.readSync(o, [16, 16, 16]).data, crop(v, 64, o, [16, 16, 16]));
  const counts = () => { const s = cache.stats(); return [s.hits, s.misses, s.evictions]; };
  for (const o of [A, B, C]) read(o);
  assert.deepEqual(counts(), [0, 3, 0]);
  read(A); // A is the most recent now; B the least
  assert.deepEqual(counts(), [1, 3, 0]);
  read(D); // evicts B
  assert.deepEqual(counts(), [1, 4, 1]);
  read(A);
  read(C);
  read(D);
  assert.deepEqual(counts(), [4, 4, 1], "A, C and D stayed");
  read(B); // a miss: it was evicted; now evicts A (used before C and D)
  assert.deepEqual(counts(), [4, 5, 2]);
  read(C);
  read(A);
  assert.deepEqual(counts(), [5, 6, 3], "C stayed, A was evicted");
});

test("tiny budgets still give correct data", async (t) => {
  for (const maxBytes of [0, 1, 4096, 3 * 4096]) {
    const cache = new BlockCache({ maxBytes });
    const { ds, v } = await makeDataset(t, { cache, name: `tiny-${maxBytes}` });
    for (let k = 0; k < 3; k++) {
      assert.deepEqual((await ds.read([5, 6, 7], [40, 30, 20])).data, crop(v, 64, [5, 6, 7], [40, 30, 20]));
      assert.deepEqual(ds.readSync([5, 6, 7], [40, 30, 20]).data, crop(v, 64, [5, 6, 7], [40, 30, 20]));
    }
    const s = cache.stats();
    assert.ok(s.bytes <= maxBytes, `${s.bytes} ≤ ${maxBytes}`);
    assert.equal(s.bytes, s.blocks * 4096);
    assert.equal(s.hits + s.misses, 18 * 3 * 2); // 3 × 3 × 2 blocks per read
    if (maxBytes >= 4096) assert.ok(s.evictions > 0, "evicts to stay in budget");
    else assert.equal(s.blocks, 0);
  }
});

test("concurrent reads on the pool through a small shared cache are all correct", async (t) => {
  const cache = new BlockCache({ maxBytes: 16 * 4096 });
  const { ds, v } = await makeDataset(t, { cache });
  const regions = [];
  for (let i = 0; i < 64; i++) {
    const o = [(i * 7) % 40, (i * 13) % 40, (i * 5) % 40];
    regions.push([o, [24, 20 + (i % 5), 17]]);
  }
  for (let round = 0; round < 3; round++) {
    const arrays = await Promise.all(regions.map(([o, s], i) => ds.read(o, s, { concurrency: 1 + (i % 3) })));
    arrays.forEach((a, i) => assert.deepEqual(a.data, crop(v, 64, ...regions[i]), `region ${i}`));
  }
  const s = cache.stats();
  assert.ok(s.hits > 0 && s.evictions > 0, JSON.stringify(s));
  assert.ok(s.bytes <= 16 * 4096);
});

test("cached reads copy every piece length right: dtypes, channels, missing files, garbage out arrays", async (t) => {
  // Blocks from the cache go out output row by output row (row_gather.cc) where a file
  // holds several blocks of a region's x-row: rows of the regions below start at every x
  // offset in a block, so pieces take every length from one voxel to a whole block row
  // (32 bytes uint8, 96 with 3 channels, 128 uint32). Files of 2³ blocks; only the first
  // file (64³) is written, so regions reaching past it meet missing files, which must read
  // as zeros also into recycled or garbage-filled memory.
  for (const [voxelType, numChannels, Ctor] of [["uint8", 1, Uint8Array], ["uint8", 3, Uint8Array], ["uint32", 1, Uint32Array]]) {
    const cache = new BlockCache({ maxBytes: 64 << 20 });
    const dir = path.join(tempDir(t), `${voxelType}-${numChannels}`);
    const ds = await WkwDataset.create(dir, { voxelType, numChannels, blockLen: 32, fileLen: 2, blockType: "lz4", cache });
    t.after(() => ds.close());
    const n = 64, c = numChannels;
    const value = (ch, x, y, z) => (x < n && y < n && z < n ? (Math.imul(ch + 7 * (x + 97 * (y + 89 * z)) + 1, 2654435761) >>> (voxelType === "uint8" ? 24 : 0)) : 0);
    const full = new Ctor(c * n ** 3);
    for (let z = 0, k = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) for (let ch = 0; ch < c; ch++) full[k++] = value(ch, x, y, z);
    await ds.write([0, 0, 0], { data: full, shape: [c, n, n, n] });
    const expected = (o, sz) => {
      const e = new Ctor(c * sz[0] * sz[1] * sz[2]);
      let k = 0;
      for (let z = 0; z < sz[2]; z++) for (let y = 0; y < sz[1]; y++) for (let x = 0; x < sz[0]; x++) for (let ch = 0; ch < c; ch++) e[k++] = value(ch, o[0] + x, o[1] + y, o[2] + z);
      return e;
    };
    const regions = [];
    for (let x0 = 0; x0 < 32; x0 += 1) regions.push([[x0, (x0 * 5) % 32, 40 - x0], [100 - 2 * x0 + (x0 % 7), 9, 7]]);
    regions.push([[30, 31, 29], [3, 2, 40]], [[50, 50, 50], [40, 30, 20]], [[64, 0, 0], [64, 33, 2]], [[1, 2, 3], [62, 61, 60]]);
    for (const [o, sz] of regions) ds.readSync(o, sz); // fills the cache: every later read hits
    const misses = cache.stats().misses;
    for (const [o, sz] of regions) {
      const want = expected(o, sz);
      const label = `${voxelType}×${c} at ${o} size ${sz}`;
      assert.deepEqual((await ds.read(o, sz)).data, want, `${label}, async`);
      assert.deepEqual(ds.readSync(o, sz).data, want, `${label}, sync`);
      const out = { data: new Ctor(want.length).fill(0xab), shape: [c, ...sz] };
      ds.readSync(o, sz, { out });
      assert.deepEqual(out.data, want, `${label}, into a garbage-filled out`);
      out.data.fill(0xcd);
      await ds.read(o, sz, { out, concurrency: 2 });
      assert.deepEqual(out.data, want, `${label}, async into a garbage-filled out`);
    }
    assert.equal(cache.stats().misses, misses, "all from the cache");
  }
});

test("Dataset.open/create take a cache that every mag reads through", async (t) => {
  const cache = new BlockCache({ maxBytes: 4 << 20 });
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1], cache });
  t.after(() => ds.close());
  assert.equal(ds.cache, cache);
  const color = await ds.addLayer("color", "color", { dtypePerChannel: "uint8" });
  const mag = await color.addMag(1, { compress: true });
  const v = volume(64, 5);
  await mag.write(v, [0, 0, 0]);
  const view = mag.getView({ offset: [0, 0, 0], size: [64, 64, 64], readOnly: true });
  assert.deepEqual((await view.read([3, 3, 3], [20, 20, 20])).data, crop(v, 64, [3, 3, 3], [20, 20, 20]));
  const misses = cache.stats().misses;
  assert.ok(misses > 0);
  assert.deepEqual((await view.read([3, 3, 3], [20, 20, 20])).data, crop(v, 64, [3, 3, 3], [20, 20, 20]));
  assert.equal(cache.stats().misses, misses);
  assert.ok(cache.stats().hits >= misses);
  const again = await Dataset.open(dir, { cache, readOnly: true });
  t.after(() => again.close());
  assert.equal(again.cache, cache);
  const got = await again.getLayer("color").getMag(1).getView({ offset: [0, 0, 0], size: [64, 64, 64], readOnly: true }).read([3, 3, 3], [20, 20, 20]);
  assert.deepEqual(got.data, crop(v, 64, [3, 3, 3], [20, 20, 20]));
});

test("bad cache options fail with ERR_WKW_ARGUMENT", async (t) => {
  for (const bad of [undefined, null, 5, "x", {}, { maxBytes: -1 }, { maxBytes: 1.5 }, { maxBytes: "1" }, { maxBytes: 2 ** 53 }, { maxBytes: 1, maxbytes: 1 }]) {
    assert.throws(() => new BlockCache(bad), isArg(), `new BlockCache(${JSON.stringify(bad)})`);
  }
  const { dir } = await makeDataset(t);
  for (const bad of [5, {}, { maxBytes: 1 }, new Map()]) {
    await assert.rejects(WkwDataset.open(dir, { cache: bad }), isArg("options.cache"));
    await assert.rejects(WkwDataset.create(path.join(dir, "x"), { voxelType: "uint8", cache: bad }), isArg("options.cache"));
    await assert.rejects(Dataset.create(path.join(dir, "d"), { scale: [1, 1, 1], cache: bad }), isArg("options.cache"));
    await assert.rejects(Dataset.open(dir, { cache: bad }), isArg("options.cache"));
  }
  await assert.rejects(WkwDataset.open(dir, { cahce: new BlockCache({ maxBytes: 1 }) }), isArg("options.cahce"));
  await assert.rejects(WkwDataset.open(dir, 5), isArg("options"));
});

test("setFileCacheCapacity bounds the handle cache by files and bytes", async (t) => {
  const defaults = fileCacheStats();
  t.after(() => setFileCacheCapacity({ maxFiles: defaults.maxFiles, maxBytes: defaults.maxBytes }));
  assert.equal(defaults.maxFiles, 256);
  assert.equal(defaults.maxBytes, 256 * 2 ** 20);
  const { ds, v } = await makeDataset(t);
  setFileCacheCapacity({ maxFiles: 2 });
  assert.deepEqual((await ds.read([0, 0, 0], [64, 64, 64])).data, v.data); // 8 files
  let s = fileCacheStats();
  assert.equal(s.maxFiles, 2);
  assert.equal(s.maxBytes, defaults.maxBytes, "an omitted field keeps its value");
  assert.ok(s.files <= 2 && s.files > 0, JSON.stringify(s));
  assert.ok(s.bytes > 0);
  setFileCacheCapacity({ maxBytes: 0 });
  s = fileCacheStats();
  assert.equal(s.files, 0);
  assert.equal(s.bytes, 0);
  assert.deepEqual(ds.readSync([0, 0, 0], [64, 64, 64]).data, v.data);
  assert.equal(fileCacheStats().files, 0);
  setFileCacheCapacity({ maxFiles: 100, maxBytes: 1 << 20 });
  ds.readSync([0, 0, 0], [64, 64, 64]);
  assert.equal(fileCacheStats().files, 8);
  for (const bad of [undefined, null, 5, { maxFiles: -1 }, { maxFiles: 2 ** 21 }, { maxBytes: 0.5 }, { maxBytes: "1" }, { maxFile: 3 }]) {
    assert.throws(() => setFileCacheCapacity(bad), isArg(), JSON.stringify(bad));
  }
});

test("pooled result arrays are fully written: zeros where no file exists", async (t) => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const { ds, v } = await makeDataset(t);
  const big = [64, 64, 64]; // 256 KiB: from the pool
  for (let i = 0; i < 4; i++) assert.deepEqual((await ds.read([0, 0, 0], big)).data, v.data);
  gc();
  await new Promise((r) => setTimeout(r, 20)); // arrays return to the pool after the event loop turns
  gc();
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(arrayPoolStats().bytes > 0, JSON.stringify(arrayPoolStats()));
  // The same size over missing files: recycled memory (holding old voxels) reads as zeros.
  const empty = await ds.read([64, 64, 64], big);
  assert.ok(empty.data.every((x) => x === 0));
  const emptySync = ds.readSync([64, 0, 0], big);
  assert.ok(emptySync.data.every((x) => x === 0));
  // Half inside, half outside the written volume.
  const half = await ds.read([32, 32, 32], big);
  assert.deepEqual(half.data, crop({ data: (() => {
    const w = new Uint8Array(128 ** 3);
    for (let z = 0; z < 64; z++) for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) w[x + 128 * (y + 128 * z)] = v.data[x + 64 * (y + 64 * z)];
    return w;
  })() }, 128, [32, 32, 32], big));
  for (const bad of [undefined, {}, { maxBytes: -1 }, { maxBytes: 1, x: 1 }]) assert.throws(() => setArrayPoolCapacity(bad), isArg());
  const before = arrayPoolStats();
  setArrayPoolCapacity({ maxBytes: 0 });
  assert.equal(arrayPoolStats().bytes, 0);
  assert.deepEqual((await ds.read([0, 0, 0], big)).data, v.data); // V8's allocation past the limit
  setArrayPoolCapacity({ maxBytes: before.maxBytes });
});

test("collected result arrays are reused even before the event loop turns", async (t) => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const { ds, v } = await makeDataset(t);
  // Returns a checksum only: the 256 KiB array is unreachable once this returns.
  const readSum = () => ds.readSync([0, 0, 0], [64, 64, 64]).data.reduce((s, x) => s + x, 0);
  const expected = v.data.reduce((s, x) => s + x, 0);
  const { maxBytes } = arrayPoolStats();
  setArrayPoolCapacity({ maxBytes: 0 }); // drops the free arrays earlier tests returned
  setArrayPoolCapacity({ maxBytes });
  assert.equal(arrayPoolStats().bytes, 0);
  readSum();
  gc();
  const before = arrayPoolStats().mappedBytes;
  for (let i = 0; i < 20; i++) {
    assert.equal(readSum(), expected);
    gc(); // a synchronous loop: no event loop turn, so only the weak reference tells
  }
  // Without reuse, 20 reads would map 20 × 256 KiB of new memory.
  assert.ok(arrayPoolStats().mappedBytes - before <= 2 * 256 * 1024, JSON.stringify(arrayPoolStats()));
});

test("after a garbage collection the first read already reuses collected arrays", async (t) => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const { ds, v } = await makeDataset(t);
  const { maxBytes } = arrayPoolStats();
  setArrayPoolCapacity({ maxBytes: 0 }); // drops the free arrays earlier tests returned
  setArrayPoolCapacity({ maxBytes });
  // 64 arrays out at once: the periodic look at the weak references alone would come
  // only every 4 misses, and map new memory for the reads in between.
  let held = Array.from({ length: 64 }, () => ds.readSync([0, 0, 0], [64, 64, 64]));
  assert.deepEqual(held[63].data, v.data);
  held = null;
  gc();
  const before = arrayPoolStats().mappedBytes;
  const again = Array.from({ length: 8 }, () => ds.readSync([0, 0, 0], [64, 64, 64]));
  for (const a of again) assert.deepEqual(a.data, v.data);
  assert.equal(arrayPoolStats().mappedBytes, before, JSON.stringify(arrayPoolStats()));
});

test("result arrays below 2 MiB share huge pages: eight 256 KiB arrays map 2 MiB", async (t) => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const { ds, v } = await makeDataset(t);
  // Arrays of earlier tests die here and the next miss (on an empty pool) takes them
  // back; `keep` is held so that it cannot come back during the test. Then the pool is
  // emptied again, and a miss maps new memory.
  const { maxBytes } = arrayPoolStats();
  const emptyPool = () => {
    setArrayPoolCapacity({ maxBytes: 0 });
    setArrayPoolCapacity({ maxBytes });
  };
  gc();
  emptyPool();
  const keep = ds.readSync([0, 0, 0], [64, 64, 64]);
  emptyPool();
  const before = arrayPoolStats();
  const held = Array.from({ length: 8 }, () => ds.readSync([0, 0, 0], [64, 64, 64]));
  for (const a of held) assert.deepEqual(a.data, v.data);
  const after = arrayPoolStats();
  assert.equal(after.mappedBytes - before.mappedBytes, 2 * 1024 * 1024, JSON.stringify(after));
  assert.equal(after.bytes, 0); // all eight pieces are out
  held.push(ds.readSync([0, 0, 0], [64, 64, 64]));
  assert.equal(arrayPoolStats().mappedBytes - before.mappedBytes, 4 * 1024 * 1024);
  assert.equal(arrayPoolStats().bytes, 7 * 256 * 1024); // the other pieces of the new page
  assert.deepEqual(held[8].data, v.data);
  assert.deepEqual(keep.data, v.data);
});
