// The job functions in the job-reference shape fn(view, index, args), run from JSON as an
// executor in another process would run them; and the addon's own argument checks of the
// downsampling functions (memory safety does not rely on the TypeScript layer).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Dataset, View, WkwDataset, downsampleArraySync } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { bytes, makeArray } from "./support/dataset.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const jobs = require("../dist/ops/downsample.js");
const binding = require("node-gyp-build")(root);

test("downsampleFileJob / upsampleFileJob run from JSON (view and args), one target file each", async (t) => {
  const dir = tempDir(t);
  const ds = await Dataset.create(path.join(dir, "ds"), { scale: [1, 1, 1] });
  const layer = await ds.addLayer("seg", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 9 });
  const mag1 = await layer.addMag(1, { blockLen: 4, fileLen: 2 });
  await mag1.write(makeArray(Uint32Array, [1, 30, 20, 12], (c, x, y, z) => ((x >> 1) + (y >> 2) * 3 + z) % 6), [1, 2, 3]);
  const region = layer.boundingBox.alignWithMag(2, { ceil: true }).inMag(2);
  const header = { blockLen: 4, fileLen: 2, blockType: "lz4", voxelType: "uint32", numChannels: 1 };
  const target = path.join(dir, "target2");
  (await WkwDataset.create(target, header)).close();
  const args = { target, targetHeader: header, factors: [2, 2, 2], mode: "mode", region: [...region.topLeft, ...region.bottomRight] };
  const ref = jobs.resampleJobReference(false, args);
  assert.equal(require(ref.module)[ref.name], jobs.downsampleFileJob);
  assert.ok(path.isAbsolute(ref.module));
  assert.deepEqual(JSON.parse(JSON.stringify(ref.args)), args);
  const files = await jobs.plannedTargetFiles(mag1, args, false, region);
  assert.deepEqual(files, [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]]); // mag-2 region [0,1,1]..[16,11,8), files of 8³
  for (const [i, f] of files.entries()) {
    const view = mag1.getView({ offset: f.map((v) => v * 16), size: [16, 16, 16], readOnly: true });
    const remote = View.fromJSON(JSON.parse(JSON.stringify(view)));
    await jobs.downsampleFileJob(remote, i, JSON.parse(JSON.stringify(args)));
    remote.close();
  }
  const got = await (await WkwDataset.open(target)).read(region.topLeft, region.size);
  const src = await mag1.read(region.topLeft.map((v) => v * 2), region.size.map((v) => v * 2));
  assert.ok(Buffer.compare(bytes(got.data), bytes(downsampleArraySync(src, 2, "mode").data)) === 0);

  // upsample the result back into mag 1 of a new folder: each voxel becomes a 2×2×2 block
  const up = path.join(dir, "target1");
  (await WkwDataset.create(up, { ...header, blockType: "raw" })).close();
  const upArgs = { ...args, target: up, targetHeader: { ...header, blockType: "raw" }, mode: "nearest", region: [...region.topLeft.map((v) => v * 2), ...region.bottomRight.map((v) => v * 2)] };
  const src2 = View.fromJSON({ ...JSON.parse(JSON.stringify(mag1)), path: target, mag: [2, 2, 2], header: { ...header } });
  await jobs.upsampleFileJob(src2.getView({ offset: [0, 0, 0], size: [8, 8, 8], readOnly: true }), 0, upArgs);
  // target file 0 is [0, 8)³ (blockLen 4 × fileLen 2); its neighbours were not written
  const back = await (await WkwDataset.open(up)).read([0, 0, 0], [16, 16, 16]);
  const coarse = await (await WkwDataset.open(target)).read([0, 0, 0], [8, 8, 8]);
  let nonzero = 0;
  for (let z = 0; z < 16; z++) for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
    const inFile = x < 8 && y < 8 && z < 8 && x >= upArgs.region[0] && y >= upArgs.region[1] && z >= upArgs.region[2];
    const v = back.data[x + 16 * (y + 16 * z)];
    assert.equal(v, inFile ? coarse.data[(x >> 1) + 8 * ((y >> 1) + 8 * (z >> 1))] : 0, `${x},${y},${z}`);
    if (v) nonzero++;
  }
  assert.ok(nonzero > 100);
  ds.close();
});

test("native downsampling functions re-validate their arguments", async () => {
  const rejectsArg = (p) => assert.rejects(p, (e) => e.code === "ERR_WKW_ARGUMENT");
  const throwsArg = (fn) => assert.throws(fn, (e) => e.code === "ERR_WKW_ARGUMENT");
  const d = new Uint8Array(64), out = new Uint8Array(8);
  throwsArg(() => binding.downsampleArraySync(d, 0, [1, 4, 4, 4], [1, 1, 4, 16], [2, 2, 2], "median", new Uint8Array(7)));
  throwsArg(() => binding.downsampleArraySync(d, 0, [1, 4, 4, 4], [1, 1, 4, 16], [2, 2, 2], "median", new Uint16Array(8)));
  throwsArg(() => binding.downsampleArraySync(d, 1, [1, 4, 4, 4], [1, 1, 4, 16], [2, 2, 2], "median", out));
  throwsArg(() => binding.downsampleArraySync(d, 0, [1, 4, 4, 4], [1, 1, 4, -16], [2, 2, 2], "median", out));
  throwsArg(() => binding.downsampleArraySync(d, 0, [1, 4, 4, 4], [1, 1, 4, 16], [0, 2, 2], "median", out));
  throwsArg(() => binding.downsampleArraySync(d, 0, [1, 4, 4, 4], [1, 1, 4, 16], [1024, 1024, 2], "max", out));
  throwsArg(() => binding.downsampleArraySync(d, 0, [1, 4, 4, 4], [1, 1, 4, 16], [2, 2, 2], "bilinear", out));
  throwsArg(() => binding.downsampleArraySync(d, 0, [0, 4, 4, 4], [1, 1, 4, 16], [2, 2, 2], "max", out));
  throwsArg(() => binding.downsampleArraySync(new Uint8ClampedArray(64), 0, [1, 4, 4, 4], [1, 1, 4, 16], [2, 2, 2], "max", out));
  throwsArg(() => binding.downsampleArraySync(d, 0, [1, 4, 4], [1, 1, 4, 16], [2, 2, 2], "max", out));
  await rejectsArg(binding.downsampleArray(d, 0, [1, 4, 4, 4], [1, 1, 4, 16], [2, 2, 2], "median", new Uint8Array(7)));
  binding.downsampleArraySync(d, 0, [1, 4, 4, 4], [1, 1, 4, 16], [2, 2, 2], "max", out);

  const h8 = binding.serializeHeader({ blockLen: 8, fileLen: 2, blockType: 1, voxelType: 1, voxelSize: 1 });
  const h16 = binding.serializeHeader({ blockLen: 8, fileLen: 2, blockType: 1, voxelType: 2, voxelSize: 2 });
  const ok = ["/nonexistent-src", h8, "/nonexistent-dst", h8, [0, 0, 0], [2, 2, 2], "max", false, [0, 0, 0, 16, 16, 16], {}];
  const bad = (i, v) => { const a = [...ok]; a[i] = v; return binding.resampleFile(...a); };
  await assert.rejects(bad(1, new Uint8Array(3)), (e) => e.code === "ERR_WKW_TRUNCATED");
  await assert.rejects(bad(1, new Uint8Array(16)), (e) => e.code === "ERR_WKW_HEADER");
  await rejectsArg(bad(3, h16));
  await rejectsArg(bad(2, "/nonexistent-src"));
  await rejectsArg(bad(4, [0, 0]));
  await rejectsArg(bad(4, [0, 0, 2 ** 31]));
  await rejectsArg(bad(5, [2, 2, 0]));
  await rejectsArg(bad(6, "bicubic"));
  await rejectsArg(bad(8, [0, 0, 0, 2 ** 31, 16, 16]));
  await rejectsArg(bad(8, [0, 0, 0, -1, 16, 16]));
  await rejectsArg(bad(9, { level: 13 }));
  await rejectsArg(bad(0, 5));
});
