// WkwDataset semantics: the WKW library scenarios of the notes (§4, 1-17) and more.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { WkwDataset, WkwError } from "../dist/index.js";
import { sha256, tempDir } from "./support/fixtures.mjs";

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
function randomBytes(n, seed) {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

test("create writes header.wkw; open reports the header; create twice fails", async (t) => {
  const dir = path.join(tempDir(t), "a/b");
  const ds = await WkwDataset.create(dir, { voxelType: "uint8" });
  assert.deepEqual({ ...ds.header }, { version: 1, blockLen: 32, fileLen: 32, blockType: "raw", voxelType: "uint8", voxelSize: 1, numChannels: 1 });
  assert.equal(readFileSync(path.join(dir, "header.wkw")).toString("hex"), "574b5701550101010000000000000000");
  const again = await WkwDataset.open(dir);
  assert.deepEqual(again.header, ds.header);
  await assert.rejects(WkwDataset.create(dir, { voxelType: "uint16" }), (e) => e instanceof WkwError && e.code === "ERR_WKW_EXISTS");
  assert.equal(readFileSync(path.join(dir, "header.wkw")).toString("hex"), "574b5701550101010000000000000000");
  assert.deepEqual(readdirSync(dir), ["header.wkw"]);
});

test("open of a missing path or a folder without header.wkw → ERR_WKW_NOT_FOUND", async (t) => {
  const dir = tempDir(t);
  await assert.rejects(WkwDataset.open(path.join(dir, "nope")), (e) => e instanceof WkwError && e.code === "ERR_WKW_NOT_FOUND" && /header\.wkw/.test(e.message));
  await assert.rejects(WkwDataset.open(dir), (e) => e instanceof WkwError && e.code === "ERR_WKW_NOT_FOUND");
});

test("zero-size read returns an empty (c,0,0,0) array; negative offsets are refused", async (t) => {
  const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint8", numChannels: 3 });
  const empty = await ds.read([0, 0, 0], [0, 0, 0]);
  assert.deepEqual(empty.shape, [3, 0, 0, 0]);
  assert.equal(empty.data.length, 0);
  await assert.rejects(ds.read([-1, 0, 0], [1, 1, 1]), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "offset");
  await assert.rejects(ds.read([0, 0, 0], [1, -1, 1]), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "size");
});

test("raw write of 32³ at the origin: full-size file, read back equal", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(dir, { voxelType: "uint8" });
  const data = randomBytes(32 ** 3, 1);
  await ds.write([0, 0, 0], { data, shape: [32, 32, 32] });
  assert.equal(statSync(path.join(dir, "z0/y0/x0.wkw")).size, 16 + 1024 ** 3);
  const back = await ds.read([0, 0, 0], [32, 32, 32]);
  assert.deepEqual(back.data, data);
  assert.deepEqual(back.stride, [1, 1, 32, 1024]);
  assert.equal(back.dtype, "uint8");
});

for (const blockType of ["lz4", "lz4hc"]) {
  test(`${blockType}, fileLen 4: 128³ round trip, smaller than raw; all-ones rewrite is smaller still`, async (t) => {
    const dir = tempDir(t);
    const ds = await WkwDataset.create(dir, { voxelType: "uint8", fileLen: 4, blockType });
    const data = randomBytes(128 ** 3, 2).map((v) => v & 0x0f); // compressible
    await ds.write([0, 0, 0], { data, shape: [128, 128, 128] });
    assert.deepEqual((await ds.read([0, 0, 0], [128, 128, 128])).data, data);
    const size = statSync(path.join(dir, "z0/y0/x0.wkw")).size;
    assert.ok(size < 16 + 128 ** 3);
    await ds.write([0, 0, 0], { data: new Uint8Array(128 ** 3).fill(1), shape: [128, 128, 128] });
    assert.ok(statSync(path.join(dir, "z0/y0/x0.wkw")).size < size);
    assert.deepEqual([...new Set((await ds.read([0, 0, 0], [128, 128, 128])).data)], [1]);
    assert.deepEqual(readdirSync(path.join(dir, "z0/y0")), ["x0.wkw"], "no temporary file left");
  });
}

test("compressed: an unaligned write is merged with the surrounding file data", async (t) => {
  const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint16", fileLen: 2, blockType: "lz4" });
  const ones = new Uint16Array(70 * 70 * 70).fill(1);
  await ds.write([0, 0, 0], { data: ones, shape: [70, 70, 70] });
  await ds.write([1, 2, 3], { data: new Uint16Array(35 ** 3).fill(5), shape: [35, 35, 35] });
  const all = await ds.read([0, 0, 0], [70, 70, 70]);
  for (const [x, y, z, v] of [[0, 0, 0, 1], [1, 2, 3, 5], [35, 36, 37, 5], [36, 36, 37, 1], [69, 69, 69, 1], [1, 2, 38, 1]]) {
    assert.equal(all.data[x + 70 * (y + 70 * z)], v, `(${x},${y},${z})`);
  }
});

test("C-order, Fortran-order, strided and channel inputs all write the same voxels", async (t) => {
  const dir = tempDir(t);
  const [sx, sy, sz, c] = [5, 4, 3, 2];
  const values = (x, y, z, ch) => (x + 10 * y + 100 * z + 1000 * ch) & 0xffff;
  const fortran = new Uint16Array(c * sx * sy * sz);
  const corder = new Uint16Array(c * sx * sy * sz);
  for (let ch = 0; ch < c; ch++) for (let z = 0; z < sz; z++) for (let y = 0; y < sy; y++) for (let x = 0; x < sx; x++) {
    fortran[ch + c * (x + sx * (y + sy * z))] = values(x, y, z, ch);
    corder[z + sz * (y + sy * (x + sx * ch))] = values(x, y, z, ch);
  }
  for (const [name, input] of [
    ["fortran", { data: fortran, shape: [c, sx, sy, sz] }],
    ["c-order", { data: corder, shape: [c, sx, sy, sz], stride: [sx * sy * sz, sy * sz, sz, 1] }],
    // every second element of a twice as long array, starting at offset 1
    ["strided", { data: (() => { const a = new Uint16Array(2 * fortran.length + 1); fortran.forEach((v, i) => { a[1 + 2 * i] = v; }); return a; })(), shape: [c, sx, sy, sz], stride: [2, 2 * c, 2 * c * sx, 2 * c * sx * sy], offset: 1 }],
    // negative stride along z (scijs ndarray after .step(-1)), offset at the last z slice
    ["reversed z", { data: (() => { const a = new Uint16Array(fortran.length); for (let z = 0; z < sz; z++) a.set(fortran.subarray(z * c * sx * sy, (z + 1) * c * sx * sy), (sz - 1 - z) * c * sx * sy); return a; })(), shape: [c, sx, sy, sz], stride: [1, c, c * sx, -c * sx * sy], offset: (sz - 1) * c * sx * sy }],
  ]) {
    for (const offset of [[15, 2, 0], [3, 1, 0], [30, 31, 29]]) {
      const ds = await WkwDataset.create(path.join(dir, `${name}-${offset.join("-")}`), { voxelType: "uint16", numChannels: c, blockLen: 8, fileLen: 4 });
      await ds.write(offset, input);
      assert.deepEqual((await ds.read(offset, [sx, sy, sz])).data, fortran, `${name} at ${offset}`);
    }
  }
});

test("3-D input for one channel, 4-D with a leading 1, and multi-channel (3×uint8) regions", async (t) => {
  const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint8", numChannels: 3, blockLen: 16, fileLen: 4 });
  const data = randomBytes(3 * 100 * 200 * 30, 3);
  await ds.write([30, 20, 10], { data, shape: [3, 100, 200, 30] });
  const back = await ds.read([30, 20, 10], [100, 200, 30]);
  assert.deepEqual(back.shape, [3, 100, 200, 30]);
  assert.equal(sha256(back.data), sha256(data));
  const one = await WkwDataset.create(tempDir(t), { voxelType: "float32" });
  const f = Float32Array.from({ length: 24 }, (_, i) => i / 4 - 2);
  await one.write([1, 1, 1], { data: f, shape: [1, 2, 3, 4] });
  assert.deepEqual((await one.read([1, 1, 1], [2, 3, 4])).data, f);
});

test("a small write far out reads as values only inside the written box", async (t) => {
  const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint8", blockLen: 32, fileLen: 4 });
  await ds.write([100, 200, 640], { data: new Uint8Array(1000).fill(1), shape: [10, 10, 10] });
  const all = await ds.read([0, 0, 600], [256, 256, 100]);
  let ones = 0;
  all.data.forEach((v, i) => {
    if (v === 0) return;
    ones++;
    const x = i % 256, y = Math.floor(i / 256) % 256, z = 600 + Math.floor(i / 65536);
    assert.ok(x >= 100 && x < 110 && y >= 200 && y < 210 && z >= 640 && z < 650);
  });
  assert.equal(ones, 1000);
});

test("random overlapping writes mirror an in-memory volume (raw and lz4)", async (t) => {
  for (const blockType of ["raw", "lz4"]) {
    const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint8", blockLen: 8, fileLen: 2, blockType });
    const N = 48;
    const mirror = new Uint8Array(N ** 3);
    const r = rng(7);
    for (let i = 0; i < 10; i++) {
      const o = [0, 1, 2].map(() => Math.floor(r() * 40));
      const s = o.map((v) => 1 + Math.floor(r() * (N - v)));
      const d = randomBytes(s[0] * s[1] * s[2], 100 + i);
      await ds.write(o, { data: d, shape: s });
      for (let z = 0; z < s[2]; z++) for (let y = 0; y < s[1]; y++) for (let x = 0; x < s[0]; x++) {
        mirror[o[0] + x + N * (o[1] + y + N * (o[2] + z))] = d[x + s[0] * (y + s[1] * z)];
      }
    }
    assert.equal(sha256((await ds.read([0, 0, 0], [N, N, N])).data), sha256(mirror), blockType);
  }
});

test("a stale temporary file from a dead writer is ignored and cleaned by the next write", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(dir, { voxelType: "uint8", blockLen: 8, fileLen: 2, blockType: "lz4" });
  await ds.write([0, 0, 0], { data: new Uint8Array(16 ** 3).fill(2), shape: [16, 16, 16] });
  const folder = path.join(dir, "z0/y0");
  writeFileSync(path.join(folder, "x0.wkw_tmp"), "garbage header");
  writeFileSync(path.join(folder, "x0.wkw_tmp.999999999.0"), "garbage");
  assert.deepEqual(await ds.listFiles(), [[0, 0, 0]]);
  assert.deepEqual([...new Set((await ds.read([0, 0, 0], [16, 16, 16])).data)], [2]);
  await ds.write([1, 1, 1], { data: new Uint8Array(8).fill(4), shape: [2, 2, 2] });
  assert.deepEqual(readdirSync(folder), ["x0.wkw"]);
  assert.equal((await ds.read([1, 1, 1], [1, 1, 1])).data[0], 4);
});

test("read into a caller-supplied out array, reused between reads (stale values overwritten)", async (t) => {
  const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint32", blockLen: 8, fileLen: 2 });
  await ds.write([0, 0, 0], { data: new Uint32Array(8 ** 3).fill(7), shape: [8, 8, 8] });
  const out = { data: new Uint32Array(16 ** 3).fill(99), shape: [1, 16, 16, 16], stride: [1, 1, 16, 256], dtype: "uint32" };
  const r = await ds.read([0, 0, 0], [16, 16, 16], { out });
  assert.equal(r.data, out.data);
  assert.equal(out.data[0], 7);
  assert.equal(out.data[15], 0, "voxels without data are zeroed in a reused buffer");
  assert.equal(out.data[16 ** 3 - 1], 0);
  ds.readSync([100, 100, 100], [16, 16, 16], { out }); // missing file
  assert.deepEqual([...new Set(out.data)], [0]);
  await assert.rejects(ds.read([0, 0, 0], [8, 8, 8], { out }), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "options.out.shape");
});

test("an aborted signal cancels a long write and leaves no torn or temporary file", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(dir, { voxelType: "uint8", blockLen: 16, fileLen: 2, blockType: "lz4hc" });
  const data = { data: randomBytes(256 ** 3, 9), shape: [256, 256, 256] };
  const already = new AbortController();
  already.abort();
  await assert.rejects(ds.write([0, 0, 0], data, { signal: already.signal }), (e) => e.code === "ERR_WKW_ABORTED");
  assert.deepEqual(await ds.listFiles(), []);
  const ac = new AbortController();
  const p = ds.write([0, 0, 0], data, { signal: ac.signal, concurrency: 1 });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(p, (e) => e instanceof WkwError && e.code === "ERR_WKW_ABORTED");
  const files = await ds.listFiles();
  assert.ok(files.length < 512, `some files were skipped (${files.length} written)`);
  for (const [x, y, z] of files) {
    const part = await ds.read([x * 32, y * 32, z * 32], [32, 32, 32]);
    const expect = new Uint8Array(32 ** 3);
    for (let k = 0; k < 32; k++) for (let j = 0; j < 32; j++) expect.set(data.data.subarray(x * 32 + 256 * (y * 32 + j + 256 * (z * 32 + k)), x * 32 + 32 + 256 * (y * 32 + j + 256 * (z * 32 + k))), 32 * (j + 32 * k));
    assert.deepEqual(part.data, expect, `file ${x},${y},${z} is complete`);
  }
  for (const z of readdirSync(dir).filter((n) => n.startsWith("z"))) for (const y of readdirSync(path.join(dir, z))) {
    assert.ok(readdirSync(path.join(dir, z, y)).every((n) => /^x\d+\.wkw$/.test(n)), "no temporary files");
  }
});

test("close() makes later calls fail with ERR_WKW_CLOSED; pending reads still finish", async (t) => {
  const ds = await WkwDataset.create(tempDir(t), { voxelType: "uint8", blockLen: 8, fileLen: 2 });
  await ds.write([0, 0, 0], { data: new Uint8Array(64).fill(1), shape: [4, 4, 4] });
  const pending = ds.read([0, 0, 0], [64, 64, 64]);
  ds.close();
  assert.equal((await pending).data[0], 1);
  await assert.rejects(ds.read([0, 0, 0], [1, 1, 1]), (e) => e.code === "ERR_WKW_CLOSED");
  assert.throws(() => ds.writeSync([0, 0, 0], { data: new Uint8Array(1), shape: [1, 1, 1] }), (e) => e.code === "ERR_WKW_CLOSED");
  ds.close();
});

test("compress() into an existing dataset is refused; to raw/lz4 keeps the data", async (t) => {
  const dir = tempDir(t);
  const ds = await WkwDataset.create(path.join(dir, "src"), { voxelType: "int16", blockLen: 8, fileLen: 2 });
  const data = Int16Array.from({ length: 20 * 20 * 20 }, (_, i) => (i % 700) - 350);
  await ds.write([3, 4, 5], { data, shape: [20, 20, 20] });
  const c = await ds.compress(path.join(dir, "c"), { blockType: "lz4" });
  assert.deepEqual((await c.read([3, 4, 5], [20, 20, 20])).data, data);
  assert.deepEqual(await c.listFiles(), await ds.listFiles());
  await assert.rejects(ds.compress(path.join(dir, "c")), (e) => e.code === "ERR_WKW_EXISTS");
  await assert.rejects(ds.compress(path.join(dir, "src")), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "targetDir");
  assert.ok(!existsSync(path.join(dir, "c", "header.wkw.tmp")));
});
