// Writing the reference datasets' regions (values from the fixture formula) into fresh
// datasets gives byte-identical cube files, raw and compressed, and every named read matches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { WkwDataset } from "../dist/index.js";
import { formulaBytes, referenceManifest, sha256, tempDir } from "./support/fixtures.mjs";

const ARRAYS = {
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array, float32: Float32Array,
  float64: Float64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
};

function regionArray(voxelType, channels, region) {
  const bytes = formulaBytes(voxelType, channels, region.offset, region.size, region.salt);
  assert.equal(sha256(bytes), region.input_sha256, "formula reproduces the reference input");
  const T = ARRAYS[voxelType];
  return { data: new T(bytes.buffer, bytes.byteOffset, bytes.byteLength / T.BYTES_PER_ELEMENT), shape: [channels, ...region.size] };
}

const manifest = referenceManifest();
for (const ds of manifest.datasets.filter((d) => d.name !== "u8_mixed_raw_lz4hc")) {
  test(`write ${ds.name}: files byte-identical to the reference, reads match`, async (t) => {
    const h = ds.header;
    const dir = path.join(tempDir(t), ds.name);
    const dataset = await WkwDataset.create(dir, {
      voxelType: h.voxel_type, numChannels: h.num_channels, blockLen: h.block_len, fileLen: h.file_len, blockType: h.block_type,
    });
    try {
      assert.equal(readFileSync(path.join(dir, "header.wkw")).toString("hex"), ds.header_wkw_hex);
      for (const region of ds.written_regions) {
        await dataset.write(region.offset, regionArray(h.voxel_type, h.num_channels, region));
      }
      const files = (await dataset.listFiles()).map(([x, y, z]) => `z${z}/y${y}/x${x}.wkw`).sort();
      assert.deepEqual(files, ds.files.map((f) => f.path).sort());
      for (const f of ds.files) {
        const bytes = readFileSync(path.join(dir, f.path));
        assert.equal(bytes.length, f.bytes, `${f.path} size`);
        assert.equal(sha256(bytes), f.sha256, `${f.path} bytes`);
      }
      for (const r of ds.reads) {
        assert.equal(sha256((await dataset.read(r.offset, r.size)).data), r.sha256, r.name);
      }
    } finally {
      dataset.close();
    }
  });
}

test("the sync writer produces the same files as the async one", async (t) => {
  const ds = manifest.datasets.find((d) => d.name === "u16_overwrite_raw");
  const h = ds.header;
  const dir = path.join(tempDir(t), "sync");
  const dataset = await WkwDataset.create(dir, { voxelType: h.voxel_type, blockLen: h.block_len, fileLen: h.file_len });
  for (const region of ds.written_regions) dataset.writeSync(region.offset, regionArray(h.voxel_type, 1, region));
  for (const f of ds.files) assert.equal(sha256(readFileSync(path.join(dir, f.path))), f.sha256);
  dataset.close();
});

test("compress(): LZ4HC level 9 of a raw dataset equals the reference's compress output", async (t) => {
  const raw = manifest.datasets.find((d) => d.name === "u32_raw");
  const hc = manifest.datasets.find((d) => d.name === "u32_lz4hc");
  const dir = tempDir(t);
  const src = await WkwDataset.create(path.join(dir, "raw"), { voxelType: "uint32", blockLen: 32, fileLen: 2 });
  for (const region of raw.written_regions) await src.write(region.offset, regionArray("uint32", 1, region));
  const dst = await src.compress(path.join(dir, "hc"));
  assert.equal(dst.header.blockType, "lz4hc");
  for (const f of hc.files) assert.equal(sha256(readFileSync(path.join(dir, "hc", f.path))), f.sha256, f.path);
  const lz4 = await src.compress(path.join(dir, "lz4"), { blockType: "lz4" });
  const lz4ref = manifest.datasets.find((d) => d.name === "u32_lz4");
  for (const f of lz4ref.files) assert.equal(sha256(readFileSync(path.join(dir, "lz4", f.path))), f.sha256, f.path);
  // And back to raw.
  const back = await dst.compress(path.join(dir, "back"), { blockType: "raw" });
  for (const f of raw.files) assert.equal(sha256(readFileSync(path.join(dir, "back", f.path))), f.sha256, f.path);
  for (const d of [src, dst, lz4, back]) d.close();
});
