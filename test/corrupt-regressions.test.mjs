// Regression inputs of the fuzzer and the defensive-decoding review
// (test/fixtures/fuzz-regressions/manifest.json, docs/reliability.md): each cube file image
// is placed in a fresh dataset and read through WkwDataset. Every listed read must fail
// with a WkwError of the expected code naming the file (and block) — never crash the
// process or return data — and a small write into a damaged block must fail and leave the
// file as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WkwDataset, WkwError } from "../dist/index.js";
import { sha256, tempDir } from "./support/fixtures.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.join(here, "fixtures/fuzz-regressions");
const manifest = JSON.parse(readFileSync(path.join(DIR, "manifest.json"), "utf8"));

function checkError(err, c, file, r) {
  assert.ok(err instanceof WkwError, `expected a WkwError, got ${err && err.stack}`);
  assert.equal(err.code, c.code, `${c.file} ${JSON.stringify(r)}: ${err.message}`);
  assert.equal(err.path, file);
  assert.ok(err.message.includes(file), `message names the file: ${err.message}`);
  if (r.blockIndex !== undefined) {
    assert.equal(err.blockIndex, r.blockIndex, err.message);
    assert.ok(err.message.includes(`block ${r.blockIndex}`), err.message);
  }
  return true;
}

async function datasetWith(t, c) {
  const dir = path.join(tempDir(t, "wkw-regress-"), "ds");
  const ds = await WkwDataset.create(dir, c.header);
  t.after(() => ds.close());
  const file = path.join(dir, "z0/y0/x0.wkw");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, readFileSync(path.join(DIR, c.file)));
  return { ds, file };
}

test("every regression input is listed in the manifest", () => {
  const listed = new Set(manifest.cases.map((c) => c.file));
  for (const f of readdirSync(DIR).filter((n) => n.endsWith(".wkw"))) {
    assert.ok(listed.has(f), `${f} has a manifest entry`);
  }
});

for (const c of manifest.cases) {
  test(`regression ${c.file}: ${c.code}, never a crash`, async (t) => {
    const { ds, file } = await datasetWith(t, c);
    const before = sha256(readFileSync(file));
    for (const r of c.reads) {
      await assert.rejects(ds.read(r.offset, r.size), (e) => checkError(e, c, file, r));
      assert.throws(() => ds.readSync(r.offset, r.size), (e) => checkError(e, c, file, r));
    }
    for (const r of c.readable ?? []) {
      const a = await ds.read(r.offset, r.size);
      assert.equal(a.data.length, r.size[0] * r.size[1] * r.size[2] * ds.header.numChannels);
    }
    // One voxel written into the first damaged region: merging needs the old block, so the
    // write fails the same way and the file stays as it was.
    const r0 = c.reads[0];
    const one = { data: new Uint8Array(ds.header.numChannels).fill(7), shape: [ds.header.numChannels, 1, 1, 1] };
    await assert.rejects(ds.write(r0.offset, one), (e) => checkError(e, c, file, r0));
    assert.equal(sha256(readFileSync(file)), before, "the damaged file is unchanged");
    assert.deepEqual(readdirSync(path.dirname(file)), ["x0.wkw"], "no temporary file left");
  });
}

test("a FIFO in place of a cube file is ERR_WKW_IO, not a hang", async (t) => {
  const dir = path.join(tempDir(t, "wkw-regress-"), "ds");
  const ds = await WkwDataset.create(dir, { voxelType: "uint8", blockLen: 4, fileLen: 2 });
  t.after(() => ds.close());
  const file = path.join(dir, "z0/y0/x0.wkw");
  mkdirSync(path.dirname(file), { recursive: true });
  execFileSync("mkfifo", [file]);
  await assert.rejects(ds.read([0, 0, 0], [2, 2, 2]), (e) => e instanceof WkwError && e.code === "ERR_WKW_IO" && e.path === file);
});
