// Large results (from 4 MiB on) are written with non-temporal stores where the rows of a
// block are whole cache lines (uint16 and uint32 with block 32): the data must be exactly
// what was written, into fresh (pooled) and caller-supplied arrays, aligned or not, cold
// or through a BlockCache.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { BlockCache, WkwDataset } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";

const N = 128;

function volume(Type, seed) {
  const data = new Type(N ** 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.imul(i + seed, 2654435761) >>> (Type === Uint16Array ? 16 : 0);
  return { data, shape: [N, N, N] };
}

function crop(Type, v, o, s) {
  const out = new Type(s[0] * s[1] * s[2]);
  let k = 0;
  for (let z = 0; z < s[2]; z++)
    for (let y = 0; y < s[1]; y++)
      for (let x = 0; x < s[0]; x++) out[k++] = v.data[o[0] + x + N * (o[1] + y + N * (o[2] + z))];
  return out;
}

for (const [voxelType, Type] of [["uint32", Uint32Array], ["uint16", Uint16Array]]) {
  for (const blockType of ["lz4", "raw"]) {
    test(`${voxelType} ${blockType}: large reads return exactly the written voxels`, async (t) => {
      const cache = new BlockCache({ maxBytes: 64 << 20 });
      const dir = path.join(tempDir(t), "d");
      const ds = await WkwDataset.create(dir, { voxelType, blockLen: 32, fileLen: 2, blockType });
      t.after(() => ds.close());
      const v = volume(Type, 7);
      await ds.write([0, 0, 0], v);
      const cached = await WkwDataset.open(dir, { cache });
      t.after(() => cached.close());
      const regions = [
        [[0, 0, 0], [N, N, N]], // whole, aligned: 64/128-byte rows, streamed
        [[32, 1, 2], [96, 120, 120]], // x aligned, y and z not: still streamed
        [[3, 5, 7], [120, 110, 100]], // x unaligned: plain copies
      ];
      for (const [o, s] of regions) {
        const expected = crop(Type, v, o, s);
        assert.deepEqual(ds.readSync(o, s).data, expected, `readSync ${o} ${s}`);
        assert.deepEqual((await ds.read(o, s)).data, expected, `read ${o} ${s}`);
        const out = { data: new Type(s[0] * s[1] * s[2]).fill(0xffff), shape: [1, ...s] };
        ds.readSync(o, s, { out });
        assert.deepEqual(out.data, expected, `readSync into out ${o} ${s}`);
        await cached.read(o, s); // fills the cache
        assert.deepEqual((await cached.read(o, s)).data, expected, `cached ${o} ${s}`);
      }
      assert.ok(cache.stats().hits > 0);
    });
  }
}
