// Corrupt, truncated and foreign files are WkwErrors naming the file (and block), never a
// crash or wrong data; a failed write leaves every file as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, readdirSync, truncateSync } from "node:fs";
import path from "node:path";
import { WkwDataset, WkwError } from "../dist/index.js";
import { REFERENCE, copyFixture, sha256 } from "./support/fixtures.mjs";

const FILE = "z1/y0/x0.wkw"; // covers (0..64, 0..64, 64..128)
const REGION = [[0, 0, 64], [64, 64, 64]];

async function expectError(promise, code, { file, block } = {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof WkwError, `WkwError, got ${err}`);
    assert.equal(err.code, code, err.message);
    if (file) {
      assert.equal(err.path, file);
      assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
    }
    if (block !== undefined) {
      assert.equal(err.blockIndex, block);
      assert.ok(err.message.includes(`block ${block}`), err.message);
    }
    return true;
  });
}

function mutated(t, fixture, mutate) {
  const dir = copyFixture(t, path.join(REFERENCE, fixture));
  const file = path.join(dir, FILE);
  const bytes = readFileSync(file);
  const copy = Buffer.from(bytes);
  const out = mutate(copy) ?? copy;
  writeFileSync(file, out);
  return { dir, file };
}

function jumpTable(bytes, n) {
  return Array.from({ length: n }, (_, i) => bytes.readBigUInt64LE(16 + 8 * i));
}

const headerCases = [
  ["bad magic", (b) => { b.write("XYZ", 0); }],
  ["bad version", (b) => { b[3] = 2; }],
  ["block length nibble differs from the dataset", (b) => { b[4] = 0x14; }],
  ["file length nibble beyond the supported maximum", (b) => { b[4] = 0x95; }],
  ["unknown block type", (b) => { b[5] = 4; }],
  ["unknown voxel type", (b) => { b[6] = 11; }],
  ["voxel size not a multiple of the type size", (b) => { b[6] = 2; }],
  ["data offset overlapping the jump table", (b) => { b.writeBigUInt64LE(20n, 8); }],
];
for (const [name, mutate] of headerCases) {
  test(`corrupt cube file header: ${name} → ERR_WKW_HEADER`, async (t) => {
    const { dir, file } = mutated(t, "u8_lz4", mutate);
    const ds = await WkwDataset.open(dir);
    await expectError(ds.read(...REGION), "ERR_WKW_HEADER", { file });
    assert.throws(() => ds.readSync(...REGION), (e) => e instanceof WkwError && e.code === "ERR_WKW_HEADER");
    ds.close();
  });
}

test("truncated compressed file → ERR_WKW_TRUNCATED naming file and block", async (t) => {
  const { dir, file } = mutated(t, "u8_lz4", (b) => b.subarray(0, b.length - 100));
  const ds = await WkwDataset.open(dir);
  await expectError(ds.read(...REGION), "ERR_WKW_TRUNCATED", { file, block: 7 });
  ds.close();
});

test("file cut inside its header or jump table → ERR_WKW_TRUNCATED", async (t) => {
  for (const length of [0, 10, 40]) {
    const { dir, file } = mutated(t, "u8_lz4", (b) => b.subarray(0, length));
    const ds = await WkwDataset.open(dir);
    await expectError(ds.read(...REGION), "ERR_WKW_TRUNCATED", { file });
    ds.close();
  }
});

test("truncated raw file → ERR_WKW_TRUNCATED", async (t) => {
  const dir = copyFixture(t, path.join(REFERENCE, "u8_raw"));
  truncateSync(path.join(dir, FILE), 16 + 32768 * 3);
  const ds = await WkwDataset.open(dir);
  await expectError(ds.read(...REGION), "ERR_WKW_TRUNCATED", { file: path.join(dir, FILE) });
  ds.close();
});

test("jump table going backwards → ERR_WKW_CORRUPT with the block index", async (t) => {
  const { dir, file } = mutated(t, "u8_lz4", (b) => {
    const jt = jumpTable(b, 8);
    b.writeBigUInt64LE(jt[2], 16 + 8 * 3); // entry 3 = entry 2: block 3 would be empty
  });
  const ds = await WkwDataset.open(dir);
  await expectError(ds.read(...REGION), "ERR_WKW_CORRUPT", { file, block: 3 });
  await assert.rejects(ds.read(...REGION), /Corrupt jump table/);
  ds.close();
});

test("jump table pointing past the end of the file → error naming file and block", async (t) => {
  const { dir, file } = mutated(t, "u8_lz4", (b) => {
    const jt = jumpTable(b, 8);
    b.writeBigUInt64LE(jt[7] + 10n, 16 + 8 * 7);
  });
  const ds = await WkwDataset.open(dir);
  await expectError(ds.read(...REGION), "ERR_WKW_TRUNCATED", { file, block: 7 });
  ds.close();
});

test("garbage LZ4 payload → ERR_WKW_CORRUPT for that block only", async (t) => {
  const { dir, file } = mutated(t, "u8_lz4", (b) => {
    const jt = jumpTable(b, 8);
    b.fill(0xff, Number(jt[4]), Number(jt[5])); // block 5 = (1,0,1)
  });
  const ds = await WkwDataset.open(dir);
  await expectError(ds.read(...REGION), "ERR_WKW_CORRUPT", { file, block: 5 });
  // Blocks other than 5 still read: block 0 is (0..32, 0..32, 64..96).
  const ok = await ds.read([0, 0, 64], [32, 32, 32]);
  const ref = await (await WkwDataset.open(path.join(REFERENCE, "u8_lz4"))).read([0, 0, 64], [32, 32, 32]);
  assert.equal(sha256(ok.data), sha256(ref.data));
  ds.close();
});

// A hand-made LZ4 file of 8 blocks with the given payloads (block 32³ uint8 = 32768 bytes).
function handMadeLz4(payloads) {
  const head = Buffer.from("574b5701150201010000000000000000", "hex");
  const dataOffset = 16 + 8 * 8;
  head.writeBigUInt64LE(BigInt(dataOffset), 8);
  const table = Buffer.alloc(64);
  let pos = dataOffset;
  payloads.forEach((p, i) => { pos += p.length; table.writeBigUInt64LE(BigInt(pos), 8 * i); });
  return Buffer.concat([head, table, ...payloads]);
}
const literals = (n) => Buffer.concat([Buffer.from([n << 4]), Buffer.alloc(n, 7)]); // n < 15 literal bytes

test("an LZ4 block decoding to fewer bytes than a block → ERR_WKW_CORRUPT", async (t) => {
  const { dir, file } = mutated(t, "u8_lz4", () => handMadeLz4(Array.from({ length: 8 }, () => literals(10))));
  const ds = await WkwDataset.open(dir);
  await expectError(ds.read([0, 0, 64], [1, 1, 1]), "ERR_WKW_CORRUPT", { file, block: 0 });
  await assert.rejects(ds.read([0, 0, 64], [1, 1, 1]), /decodes to 10 bytes instead of 32768/);
  ds.close();
});

test("an LZ4 block decoding to more bytes than a block → ERR_WKW_CORRUPT", async (t) => {
  // 1 literal, then a match of offset 1 and length 40000, then 5 final literals.
  const extra = 40000 - 19;
  const long = Buffer.concat([
    Buffer.from([0x1f, 0x61, 1, 0]), Buffer.alloc(Math.floor(extra / 255), 255), Buffer.from([extra % 255]), literals(5),
  ]);
  const { dir, file } = mutated(t, "u8_lz4", () => handMadeLz4(Array.from({ length: 8 }, () => long)));
  const ds = await WkwDataset.open(dir);
  await expectError(ds.read([0, 0, 64], [1, 1, 1]), "ERR_WKW_CORRUPT", { file, block: 0 });
  ds.close();
});

test("corrupt header.wkw or a foreign file → ERR_WKW_HEADER / ERR_WKW_TRUNCATED at open", async (t) => {
  const dir = copyFixture(t, path.join(REFERENCE, "u8_raw"));
  const header = path.join(dir, "header.wkw");
  writeFileSync(header, Buffer.from("PK\u0003\u0004 this is a zip file"));
  await assert.rejects(WkwDataset.open(dir), (e) => e instanceof WkwError && e.code === "ERR_WKW_HEADER" && e.path === header);
  writeFileSync(header, Buffer.from("WKW\u0001"));
  await assert.rejects(WkwDataset.open(dir), (e) => e instanceof WkwError && e.code === "ERR_WKW_TRUNCATED");
});

test("a write into a file that is corrupt fails and changes nothing on disk", async (t) => {
  const { dir, file } = mutated(t, "u8_lz4", (b) => {
    const jt = jumpTable(b, 8);
    b.fill(0xff, 16 + 8 * 8, Number(jt[0])); // block 0 starts at the data offset
  });
  const before = sha256(readFileSync(file));
  const other = path.join(dir, "z1/y0/x1.wkw");
  const otherBefore = sha256(readFileSync(other));
  const ds = await WkwDataset.open(dir);
  // Crosses both files: the healthy one may not be rewritten either… per file atomic, so
  // check the corrupt one is untouched and no temporary file is left.
  const data = { data: new Uint8Array(10 * 10 * 10).fill(9), shape: [10, 10, 10] };
  await expectError(ds.write([5, 5, 70], data), "ERR_WKW_CORRUPT", { file, block: 0 });
  assert.equal(sha256(readFileSync(file)), before);
  assert.equal(sha256(readFileSync(other)), otherBefore);
  assert.deepEqual(readdirSync(path.dirname(file)).sort(), ["x0.wkw", "x1.wkw"]);
  // A write covering the whole damaged file replaces it.
  const whole = { data: new Uint8Array(64 ** 3).fill(3), shape: [64, 64, 64] };
  await ds.write([0, 0, 64], whole);
  assert.deepEqual([...new Set((await ds.read([0, 0, 64], [64, 64, 64])).data)], [3]);
  ds.close();
});

test("a cube file whose header does not match the dataset is refused for writes too", async (t) => {
  const { dir, file } = mutated(t, "u8_raw", (b) => { b[6] = 2; b[7] = 2; });
  const before = sha256(readFileSync(file));
  const ds = await WkwDataset.open(dir);
  await expectError(ds.write([1, 1, 65], { data: new Uint8Array(8), shape: [2, 2, 2] }), "ERR_WKW_HEADER", { file });
  assert.equal(sha256(readFileSync(file)), before);
  ds.close();
});
