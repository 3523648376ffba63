// The addon exports exactly what binding.d.ts declares, and its vendored LZ4 is 1.9.4.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const binding = createRequire(import.meta.url)("node-gyp-build")(root);

test("addon exports match binding.d.ts exactly", () => {
  const dts = readFileSync(path.join(root, "binding.d.ts"), "utf8");
  const declared = [...dts.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(Object.keys(binding).sort(), declared);
  assert.equal(binding.lz4Version, 10904);
  assert.ok(binding.defaultConcurrency() >= 1);
});

test("header parse/serialize round trip, with validation", () => {
  const bytes = binding.serializeHeader({ blockLen: 32, fileLen: 2, blockType: 2, voxelType: 3, voxelSize: 4 });
  assert.equal(bytes.toString("hex"), "574b5701150203040000000000000000");
  assert.deepEqual(binding.parseHeader(bytes), { version: 1, blockLen: 32, fileLen: 2, blockType: 2, voxelType: 3, voxelSize: 4, numChannels: 1, dataOffset: 0 });
  assert.throws(() => binding.serializeHeader({ blockLen: 24, fileLen: 2, blockType: 2, voxelType: 3, voxelSize: 4 }), (e) => e.code === "ERR_WKW_ARGUMENT");
  assert.throws(() => binding.parseHeader(new Uint8Array(4)), (e) => e.code === "ERR_WKW_TRUNCATED");
  assert.throws(() => binding.parseHeader("WKW"), (e) => e.code === "ERR_WKW_ARGUMENT");
});

test("native methods re-validate arguments (memory safety does not rely on the TS layer)", () => {
  const header = binding.serializeHeader({ blockLen: 8, fileLen: 2, blockType: 1, voxelType: 1, voxelSize: 1 });
  const mag = new binding.NativeMag("/nonexistent-wkw", header);
  assert.throws(() => mag.readSync([0, 0, 0], [4, 4, 4], new Uint8Array(63), 1), (e) => e.code === "ERR_WKW_ARGUMENT");
  assert.throws(() => mag.readSync([0, 0, 0], [4, 4, 4], new Uint16Array(64), 1), (e) => e.code === "ERR_WKW_ARGUMENT");
  assert.throws(() => mag.writeSync([0, 0, 0], [4, 4, 4], new Uint8Array(64), 1, [1, 1, 4, 16]), (e) => e.code === "ERR_WKW_ARGUMENT");
  assert.throws(() => mag.writeSync([0, 0, 0], [4, 4, 4], new Uint8Array(64), 0, [1, 1, 4, -16]), (e) => e.code === "ERR_WKW_ARGUMENT");
  assert.throws(() => mag.writeSync([0, 0, 0], [4, 4, 4], new Uint8Array(64), 0, [1, 1, 4]), (e) => e.code === "ERR_WKW_ARGUMENT");
  const out = new Uint8Array(64).fill(9);
  assert.throws(() => mag.readSync([0, 0, 0], [4, 4, 4], out, 3), { code: "ERR_WKW_ARGUMENT", message: "outKind must be 0, 1 or 2" });
  assert.throws(() => mag.readSync([0, 0, 0], [4, 4, 4], out, true), { code: "ERR_WKW_ARGUMENT", message: "outKind must be 0, 1 or 2" });
  mag.readSync([0, 0, 0], [4, 4, 4], out, 0);
  assert.deepEqual([...new Set(out)], [0]);
  mag.close();
  assert.throws(() => mag.readSync([0, 0, 0], [1, 1, 1], new Uint8Array(1), 1), (e) => e.code === "ERR_WKW_CLOSED");
});
