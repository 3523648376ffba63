// The `wkw` command: info, verify (finds a damaged block), compress, usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WkwDataset } from "../dist/index.js";
import { REFERENCE, WEBKNOSSOS, copyFixture, sha256, tempDir } from "./support/fixtures.mjs";

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/cli/main.js");
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

test("info prints a mag header and a dataset's layers", () => {
  const mag = run("info", path.join(REFERENCE, "u16_c2_lz4"));
  assert.equal(mag.status, 0, mag.stderr);
  const parsed = JSON.parse(mag.stdout);
  assert.deepEqual(parsed.header, { version: 1, blockLen: 32, fileLen: 2, blockType: "lz4", voxelType: "uint16", voxelSize: 4, numChannels: 2 });
  assert.equal(parsed.files, 4);
  const ds = run("info", path.join(WEBKNOSSOS, "simple_wkw_dataset"));
  assert.equal(ds.status, 0, ds.stderr);
  assert.match(ds.stdout, /layer color \(color, uint24\) bbox \[0,0,0\]\+\[24,24,24\]/);
});

test("verify passes a healthy mag and names the damaged file and block", (t) => {
  const ok = run("verify", path.join(REFERENCE, "u8_f1_lz4"));
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /18 files checked, 0 damaged/);
  const dir = copyFixture(t, path.join(REFERENCE, "u8_f1_lz4"));
  const file = path.join(dir, "z1/y1/x1.wkw");
  const bytes = readFileSync(file);
  bytes.fill(0xff, 24, bytes.length); // the one block's LZ4 payload (fileLen 1: data offset 24)
  writeFileSync(file, bytes);
  const bad = run("verify", dir);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /^z1\/y1\/x1\.wkw: ERR_WKW_CORRUPT \(block 0\)/m);
  assert.match(bad.stdout, /18 files checked, 1 damaged/);
});

test("compress writes a copy with the requested block type", async (t) => {
  const target = path.join(tempDir(t), "hc");
  const r = run("compress", path.join(REFERENCE, "u8_raw"), target, "--block-type", "lz4");
  assert.equal(r.status, 0, r.stderr);
  const ds = await WkwDataset.open(target);
  assert.equal(ds.header.blockType, "lz4");
  const ref = JSON.parse(readFileSync(path.join(REFERENCE, "manifest.json"), "utf8")).datasets.find((d) => d.name === "u8_lz4");
  for (const f of ref.files) assert.equal(sha256(readFileSync(path.join(target, f.path))), f.sha256);
  ds.close();
});

test("usage errors exit non-zero with a message", (t) => {
  assert.equal(run("bogus").status, 2);
  assert.equal(run().status, 2);
  assert.equal(run("help").status, 0);
  const missing = run("info", path.join(tempDir(t), "none"));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /ERR_WKW_NOT_FOUND/);
  const bad = run("compress", path.join(REFERENCE, "u8_raw"), path.join(tempDir(t), "x"), "--block-type", "zip");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /ERR_WKW_ARGUMENT: --block-type must be one of raw, lz4, lz4hc/);
  assert.equal(run("verify").status, 1);
});
