// Results of reads come in arrays that are not zeroed first (small ones from V8's heap,
// large ones from the array pool): every voxel must be written by the read, zeros where
// files are missing, even when the memory held other data before; with and without a
// BlockCache, sync and async, regions narrower and wider than a block, aligned or not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");

// In a child with --expose-gc: dirty freed memory (0xAB-filled buffers of every result
// size, collected), then read regions with and without files, fresh arrays each time.
const CHILD = `
const { WkwDataset, BlockCache } = require(${JSON.stringify(dist)});
const fs = require("node:fs"), os = require("node:os"), path = require("node:path");
(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wkw-fresh-"));
  const sizes = [[32, 32, 32], [16, 8, 4], [50, 40, 30], [64, 64, 64], [70, 33, 65]];
  const bad = [];
  for (const blockType of ["raw", "lz4"]) {
    for (const voxelType of ["uint8", "uint32"]) {
      const ds = await WkwDataset.create(path.join(dir, blockType + voxelType), { voxelType, blockLen: 8, fileLen: 4, blockType });
      // one file of data (x, y, z < 32) filled with 7; everything else is missing
      const n = 32 ** 3, Ctor = voxelType === "uint8" ? Uint8Array : Uint32Array;
      await ds.write([0, 0, 0], { data: new Ctor(n).fill(7), shape: [1, 32, 32, 32] });
      // every other round through a BlockCache (blocks decoded once, copied from the cache)
      const cached = await WkwDataset.open(path.join(dir, blockType + voxelType), { cache: new BlockCache({ maxBytes: 1 << 20 }) });
      for (let round = 0; round < 30; round++) {
        const reader = round % 4 < 2 ? ds : cached;
        // dirty V8's heap (small results) and the array pool (large ones: a result
        // filled with 0xAB and dropped comes back for the next read of its size)
        for (const s of sizes) { Buffer.allocUnsafeSlow(s[0] * s[1] * s[2] * 4).fill(0xab); ds.readSync([0, 0, 0], s).data.fill(0xab); }
        global.gc();
        for (const s of sizes) {
          for (const o of [[0, 0, 0], [20, 20, 20], [40, 0, 0], [100, 100, 100]]) {
            const a = round % 2 ? reader.readSync(o, s) : await reader.read(o, s);
            let i = 0;
            for (let z = 0; z < s[2]; z++) for (let y = 0; y < s[1]; y++) for (let x = 0; x < s[0]; x++, i++) {
              const inside = o[0] + x < 32 && o[1] + y < 32 && o[2] + z < 32;
              if (a.data[i] !== (inside ? 7 : 0)) { bad.push([blockType, voxelType, reader === ds ? "direct" : "cached", o, s, x, y, z, a.data[i]].join(" ")); x = s[0]; y = s[1]; z = s[2]; }
            }
          }
        }
      }
      ds.close();
      cached.close();
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(bad.slice(0, 5)));
})();
`;

test("fresh results are fully written: zeros where files are missing, in reused dirty memory", () => {
  const r = spawnSync(process.execPath, ["--expose-gc", "-e", CHILD], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});
