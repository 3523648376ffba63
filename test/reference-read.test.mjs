// Every named read of the reference and webKnossos fixtures returns the listed bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { WkwDataset } from "../dist/index.js";
import { REFERENCE, WEBKNOSSOS, referenceManifest, sha256 } from "./support/fixtures.mjs";

const manifest = referenceManifest();
// test/fixtures/reference holds a subset of the reference set (the manifest lists all of it):
// every voxel type in LZ4, every block type and geometry for the narrow types.
const present = manifest.datasets.filter((d) => existsSync(path.join(REFERENCE, d.path, "header.wkw")));

test("the fixture subset covers every voxel type and block type, and nothing unlisted", () => {
  const folders = readdirSync(REFERENCE, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual(folders, present.map((d) => d.path).sort());
  assert.equal(present.length, 31);
  const types = new Set(present.map((d) => d.header.voxel_type));
  assert.deepEqual([...types].sort(), ["float32", "float64", "int16", "int32", "int64", "int8", "uint16", "uint32", "uint64", "uint8"]);
  assert.deepEqual([...new Set(present.map((d) => d.header.block_type))].sort(), ["lz4", "lz4hc", "raw"]);
});

for (const ds of present) {
  test(`reference ${ds.name}: header and every named read match the manifest`, async () => {
    const dataset = await WkwDataset.open(path.join(REFERENCE, ds.path));
    try {
      const h = dataset.header;
      assert.equal(h.blockLen, ds.header.block_len);
      assert.equal(h.fileLen, ds.header.file_len);
      assert.equal(h.blockType, ds.header.block_type);
      assert.equal(h.voxelType, ds.header.voxel_type);
      assert.equal(h.voxelSize, ds.header.voxel_size);
      assert.equal(h.numChannels, ds.header.num_channels);
      for (const r of ds.reads) {
        const arr = await dataset.read(r.offset, r.size);
        assert.deepEqual(arr.shape, [ds.header.num_channels, ...r.size]);
        assert.equal(arr.data.byteLength, r.nbytes, r.name);
        assert.equal(sha256(arr.data), r.sha256, `${ds.name} ${r.name}`);
        if (r.expected_hex) assert.equal(Buffer.from(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength).toString("hex"), r.expected_hex);
        // The sync twin returns the same bytes.
        assert.equal(sha256(dataset.readSync(r.offset, r.size).data), r.sha256, `${ds.name} ${r.name} (sync)`);
      }
      const files = (await dataset.listFiles()).map(([x, y, z]) => `z${z}/y${y}/x${x}.wkw`).sort();
      assert.deepEqual(files, ds.files.map((f) => f.path).sort());
    } finally {
      dataset.close();
    }
  });
}

for (const name of readdirSync(WEBKNOSSOS).filter((n) => n.endsWith(".manifest.json"))) {
  const m = JSON.parse(readFileSync(path.join(WEBKNOSSOS, name), "utf8"));
  const folder = name.replace(/\.manifest\.json$/, "");
  for (const mag of m.mags) {
    test(`webknossos ${folder}/${mag.path}: regions match the manifest`, async () => {
      const dataset = await WkwDataset.open(path.join(WEBKNOSSOS, folder, mag.path));
      try {
        assert.equal(dataset.header.blockLen, mag.header.blockLen);
        assert.equal(dataset.header.fileLen, mag.header.fileLen);
        assert.equal(dataset.header.voxelType, mag.header.voxelType);
        assert.equal(dataset.header.numChannels, mag.header.numChannels);
        assert.equal((await dataset.listFiles()).length, mag.files);
        for (const r of mag.regions) {
          const arr = await dataset.read(r.offset, r.size);
          assert.equal(arr.data.byteLength, r.bytes);
          assert.equal(sha256(arr.data), r.sha256, `${mag.path} ${JSON.stringify(r.offset)}`);
        }
      } finally {
        dataset.close();
      }
    });
  }
}
