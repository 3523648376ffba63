// The import's memory bound: a 1 GiB stack (256 slices of 2048² uint8) converts in a child
// process whose peak RSS stays ≤ 1 GiB (slabs, not the stack, are held in memory).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Dataset } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { writeWithSharp } from "./support/images.mjs";

const CHILD = fileURLToPath(new URL("./support/import-memory-child.mjs", import.meta.url));
const N = 256, EDGE = 2048;

test("a 1 GiB stack converts to a raw layer in ≤ 1 GiB peak RSS, voxels in place", async (t) => {
  const root = tempDir(t);
  const input = path.join(root, "in");
  mkdirSync(input);
  const slice = new Uint8Array(EDGE * EDGE);
  for (let z = 0; z < N; z++) {
    slice.fill(0);
    slice.fill((z % 255) + 1, 0, EDGE); // row 0 holds z + 1
    slice[EDGE * EDGE - 1] = 255 - (z % 255); // and the last voxel a second marker
    await writeWithSharp(path.join(input, `slice_${z}.tif`), slice, EDGE, EDGE, 1, "none");
  }
  const output = path.join(root, "out");
  const result = JSON.parse(execFileSync(process.execPath, [CHILD, input, output, "0"], { encoding: "utf8" }));
  assert.deepEqual(result.size, [EDGE, EDGE, N]);
  const stackBytes = N * EDGE * EDGE;
  assert.ok(result.maxRssBytes <= stackBytes, `peak RSS ${(result.maxRssBytes / 2 ** 20).toFixed(0)} MiB > 1 GiB`);
  t.diagnostic(`peak RSS ${(result.maxRssBytes / 2 ** 20).toFixed(0)} MiB for a ${stackBytes / 2 ** 20} MiB stack`);
  const ds = await Dataset.open(output);
  const mag = ds.getLayer("color").getMag(1);
  const row = await mag.read([0, 0, 0], [EDGE, 1, N]);
  const corner = await mag.read([EDGE - 1, EDGE - 1, 0], [1, 1, N]);
  for (let z = 0; z < N; z++) {
    assert.equal(row.data[z * EDGE + 5], (z % 255) + 1, `row 0 of slice ${z}`);
    assert.equal(corner.data[z], 255 - (z % 255), `last voxel of slice ${z}`);
  }
  const middle = await mag.read([1000, 1000, 100], [8, 8, 8]);
  assert.ok(middle.data.every((v) => v === 0));
  ds.close();
});
