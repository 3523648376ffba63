// The mag pyramid of a layer: mag sequences of the three sampling modes, each new mag equal
// to the kernel applied to the mag below over the aligned bounding box, default modes by
// category, compressed/raw targets, upsampling by replication, overwrite, abort, progress,
// the CLI, and bad input that leaves the dataset as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  Dataset, Mag, BoundingBox, WkwDataset, WorkerThreadExecutor, downsampleArraySync, calculateMagsToDownsample, calculateDefaultCoarsestMag, calculateMagsToUpsample,
} from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { bytes, makeArray, propertiesOf, rejectsWkw, snapshot } from "./support/dataset.mjs";
import { referenceDownsample, referenceUpsample } from "./support/downsample-reference.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const names = (mags) => mags.map((m) => (m instanceof Mag ? m : m.mag).toLayerName());

/** Color-like noise or segmentation-like cells (ties, runs) at mag-1 voxel (x, y, z). */
const noise = (c, x, y, z) => (Math.imul(x * 73 + y * 151 + z * 211 + c * 17, 2654435761) >>> 24) & 0xff;
const cells = (c, x, y, z) => ((x >> 2) * 7 + (y / 3 | 0) * 13 + (z >> 1) * 29 + c) % 5 === 0 ? 0 : 1 + (((x >> 2) + (y / 3 | 0) * 3 + (z >> 1) * 11) % 9);

async function makeLayer(t, { name = "color", category = "color", dtype = "uint8", channels = 1, scale = [11.24, 11.24, 25], fill = noise, offset = [3, 5, 2], size = [45, 38, 21] } = {}) {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale });
  const layer = await ds.addLayer(name, category, { dtypePerChannel: dtype, numChannels: channels, ...(category === "segmentation" ? { largestSegmentId: 9 } : {}) });
  const mag1 = await layer.addMag(1, { blockLen: 8, fileLen: 2 }); // 16³-voxel files: many files
  const Ctor = { uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, int16: Int16Array, float32: Float32Array }[dtype];
  await mag1.write(makeArray(Ctor, [channels, ...size], fill), offset);
  return { dir, ds, layer, mag1 };
}

/** Asserts that mag `to` equals `mode` applied to mag `from` over the layer bbox aligned to `to`. */
async function assertKernel(layer, from, to, mode) {
  const f = new Mag(to).toArray().map((v, i) => v / new Mag(from).toArray()[i]);
  const region = layer.boundingBox.alignWithMag(to, { ceil: true });
  const t = region.inMag(to), s = region.inMag(from);
  const src = await layer.getMag(from).read(s.topLeft, s.size);
  const got = await layer.getMag(to).read(t.topLeft, t.size);
  const exp = downsampleArraySync(src, f, mode);
  assert.deepEqual(got.shape, exp.shape);
  assert.ok(Buffer.compare(bytes(got.data), bytes(exp.data)) === 0, `mag ${new Mag(to)} = ${mode}(mag ${new Mag(from)})`);
  return { src, got };
}

test("mag sequences: anisotropic, isotropic, constantZ; default coarsest; unreachable is an error", () => {
  assert.deepEqual(names(calculateMagsToDownsample(1, 8, [11.24, 11.24, 25])), ["2-2-1", "4-4-2", "8-8-4"]);
  assert.deepEqual(names(calculateMagsToDownsample(1, 8, null)), ["2", "4", "8"]);
  assert.deepEqual(names(calculateMagsToDownsample(1, [8, 8, 1], null)), ["2-2-1", "4-4-1", "8-8-1"]);
  assert.deepEqual(names(calculateMagsToDownsample(1, 4, [1, 1, 2])), ["2-2-1", "4-4-2"]);
  assert.deepEqual(names(calculateMagsToDownsample(1, 16, [1, 1, 1])), ["2", "4", "8", "16"]);
  assert.deepEqual(names(calculateMagsToDownsample([2, 2, 1], [2, 2, 1], [1, 1, 1])), []);
  assert.deepEqual(names(calculateMagsToUpsample(8, 1, [11.24, 11.24, 25])), ["4-4-2", "2-2-1", "1"]);
  assert.throws(() => calculateMagsToDownsample(1, [1, 1, 4], [1, 1, 1]), (e) => e.code === "ERR_WKW_ARGUMENT" && /cannot be reached/.test(e.message));
  assert.throws(() => calculateMagsToDownsample(4, 2, null), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "coarsestMag");
  assert.throws(() => calculateMagsToDownsample(1, 3, null), (e) => e.code === "ERR_WKW_ARGUMENT");
  assert.throws(() => calculateMagsToDownsample(1, 8, [1, 0, 1]), (e) => e.code === "ERR_WKW_ARGUMENT" && e.parameter === "voxelSize");
  assert.equal(calculateDefaultCoarsestMag([1000, 500, 10]).toLayerName(), "16");
  assert.equal(calculateDefaultCoarsestMag([100, 100, 1000]).toLayerName(), "4");
  assert.equal(calculateDefaultCoarsestMag([10, 401, 3]).toLayerName(), "8");
  assert.equal(calculateDefaultCoarsestMag([0, 0, 0]).toLayerName(), "4");
  assert.throws(() => calculateDefaultCoarsestMag([1, 2]), (e) => e.code === "ERR_WKW_ARGUMENT");
});

test("layer.downsample builds the pyramid of each sampling mode; each mag = median of the mag below", async (t) => {
  for (const [sampling, coarsest, expected] of [
    ["anisotropic", 8, ["2-2-1", "4-4-2", "8-8-4"]],
    ["auto", 8, ["2-2-1", "4-4-2", "8-8-4"]],
    ["isotropic", 8, ["2", "4", "8"]],
    ["constantZ", [8, 8, 1], ["2-2-1", "4-4-1", "8-8-1"]],
  ]) {
    const { dir, layer } = await makeLayer(t);
    const events = [];
    const built = await layer.downsample({ coarsestMag: coarsest, samplingMode: sampling, onProgress: (p) => events.push(p) });
    assert.deepEqual(names(built), expected, sampling);
    let prev = "1";
    for (const m of expected) {
      await assertKernel(layer, prev, m, "median");
      prev = m;
    }
    assert.deepEqual(propertiesOf(dir).dataLayers[0].wkwResolutions.map((r) => r.resolution.join("-")), ["1-1-1", ...expected.map((m) => new Mag(m).toLongLayerName())]);
    assert.ok(built.every((mv) => mv.header.blockType === "lz4hc" && mv.header.blockLen === 8 && mv.header.fileLen === 2));
    assert.ok(events.length > 0 && events.every((e, i) => e.unit === "files" && e.done === i + 1 && e.total === events.length), JSON.stringify(events.slice(-2)));
    assert.deepEqual(readdirSync(layer.path).filter((n) => n.startsWith(".")), []);
    assert.ok(!existsSync(path.join(built[0].path, ".wkw-downsample-complete")));
  }
});

test("default mode follows the category, not the name; the result matches the reference routines", async (t) => {
  // a segmentation layer named "color": mode
  const seg = await makeLayer(t, { name: "color", category: "segmentation", dtype: "uint32", fill: cells });
  const [m2] = await seg.layer.downsample({ coarsestMag: 2, samplingMode: "isotropic" });
  const { src, got } = await assertKernel(seg.layer, 1, 2, "mode");
  assert.ok(Buffer.compare(bytes(got.data), bytes(referenceDownsample(src, [2, 2, 2], "mode").data)) === 0);
  assert.ok(Buffer.compare(bytes(got.data), bytes(downsampleArraySync(src, [2, 2, 2], "median").data)) !== 0, "mode and median differ on this data");
  assert.equal(m2.name, "2");
  // a color layer named "segmentation": median, checked against the independent reference
  const col = await makeLayer(t, { name: "segmentation", category: "color" });
  await col.layer.downsampleMag(1, [2, 2, 1]);
  const r = await assertKernel(col.layer, 1, [2, 2, 1], "median");
  assert.ok(Buffer.compare(bytes(r.got.data), bytes(referenceDownsample(r.src, [2, 2, 1], "median").data)) === 0);
});

test("multi-channel, other dtypes, explicit modes, raw targets; data outside the bbox is kept as on disk", async (t) => {
  for (const [dtype, mode] of [["uint16", "max"], ["int16", "min"], ["float32", "average"], ["uint8", "nearest"]]) {
    const { layer, mag1 } = await makeLayer(t, { dtype, channels: 3, fill: (c, x, y, z) => (noise(c, x, y, z) - (dtype === "int16" ? 128 : 0)) * (dtype === "float32" ? 0.37 : 1) });
    // voxels outside the bbox but inside the aligned box: the shrunken bbox leaves them on disk
    await layer.setBoundingBox(new BoundingBox([5, 5, 2], [42, 38, 21]));
    const mv = await layer.downsampleMag(1, [4, 4, 2], { interpolationMode: mode, compress: false });
    assert.equal(mv.header.blockType, "raw");
    assert.equal(mv.header.numChannels, 3);
    const { src } = await assertKernel(layer, 1, [4, 4, 2], mode);
    assert.equal(src.shape[1], 44); // x [5, 47) aligned outward: [4, 48)
    const outside = await mag1.read([4, 5, 2], [1, 38, 21]); // outside the bbox, inside the aligned box
    assert.ok(outside.data.some((v) => v !== 0), "the test needs data there");
  }
});

test("large compressed target files are streamed block by block (one task per file)", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  const layer = await ds.addLayer("color", "color", { dtypePerChannel: "uint8" });
  const mag1 = await layer.addMag(1, { blockLen: 16, fileLen: 32, compress: true }); // 512³ files: 128 MiB decoded
  await mag1.write(makeArray(Uint8Array, [1, 70, 40, 24], noise), [500, 3, 1]); // across two files in x
  const mv = await layer.downsampleMag(1, 2);
  assert.equal(mv.header.blockType, "lz4hc");
  assert.deepEqual((await mv.getBoundingBoxesOnDisk()).map((b) => b.topLeft), [[0, 0, 0]]);
  await assertKernel(layer, 1, 2, "median");
  ds.close();
});

test("downsampleMagList sorts and chains; upsample replicates every voxel into its whole block", async (t) => {
  const { layer } = await makeLayer(t, { scale: [1, 1, 2] });
  const built = await layer.downsampleMagList(1, [[4, 4, 2], [2, 2, 1]], { interpolationMode: "max" });
  assert.deepEqual(names(built), ["2-2-1", "4-4-2"]);
  await assertKernel(layer, [2, 2, 1], [4, 4, 2], "max");
  await rejectsWkw(layer.downsampleMagList(1, [[2, 2, 4], [4, 4, 2]]), "ERR_WKW_ARGUMENT", "targetMags");

  // upsample: a layer with only mag 4-4-2
  const up = await makeLayer(t, { scale: [1, 1, 2], offset: [8, 16, 4], size: [40, 28, 18] });
  await up.layer.downsampleMag(1, [4, 4, 2], { interpolationMode: "nearest" });
  await up.layer.deleteMag(1);
  const made = await up.layer.upsample({ fromMag: [4, 4, 2], finestMag: 1 });
  assert.deepEqual(names(made), ["2-2-1", "1"]);
  for (const [from, to] of [[[4, 4, 2], [2, 2, 1]], [[2, 2, 1], [1, 1, 1]]]) {
    const f = from.map((v, i) => v / to[i]);
    const region = up.layer.boundingBox.alignWithMag(from, { ceil: true });
    const s = region.inMag(from), tt = region.inMag(to);
    const src = await up.layer.getMag(from).read(s.topLeft, s.size);
    const got = await up.layer.getMag(to).read(tt.topLeft, tt.size);
    const exp = referenceUpsample(src, f);
    assert.deepEqual(got.shape, exp.shape);
    assert.ok(Buffer.compare(bytes(got.data), bytes(exp.data)) === 0, `upsample ${from} → ${to}`);
  }
  // mag 1 = nearest of the original at mag 4-4-2, replicated: every 4×4×2 block is uniform
  const m1 = await up.layer.getMag(1).read([8, 16, 4], [4, 4, 2]);
  assert.equal(new Set(m1.data).size, 1);
});

test("allowOverwrite swaps a mag in; without it an existing target is ERR_WKW_EXISTS", async (t) => {
  const { dir, layer } = await makeLayer(t);
  const old = await layer.downsampleMag(1, 2, { interpolationMode: "min" });
  const before = snapshot(dir);
  await rejectsWkw(layer.downsampleMag(1, 2), "ERR_WKW_EXISTS", "targetMag");
  assert.deepEqual(snapshot(dir), before);
  const mv = await layer.downsampleMag(1, 2, { interpolationMode: "max", allowOverwrite: true, compress: false });
  assert.equal(mv, old); // the same MagView, reopened on the new folder
  assert.equal(old.header.blockType, "raw");
  await assertKernel(layer, 1, 2, "max");
  assert.deepEqual(readdirSync(layer.path).sort(), ["1", "2"]);
  // downsample() keeps existing mags (a rerun finishes the pyramid) unless allowOverwrite
  const more = await layer.downsample({ coarsestMag: 4, samplingMode: "isotropic" });
  assert.deepEqual(names(more), ["4"]);
  await assertKernel(layer, 2, 4, "median");
});

test("AbortSignal: no partial mag is listed or left behind; progress counts files", async (t) => {
  const { dir, layer } = await makeLayer(t, { size: [60, 60, 40] });
  const before = propertiesOf(dir);
  const ac = new AbortController();
  const seen = [];
  await rejectsWkw(layer.downsample({ coarsestMag: 8, samplingMode: "isotropic", onProgress: (p) => { seen.push(p); if (p.done === 2) ac.abort(); }, signal: ac.signal }), "ERR_WKW_ABORTED");
  assert.ok(seen.length >= 2);
  assert.deepEqual(propertiesOf(dir), before);
  assert.deepEqual(readdirSync(layer.path).sort(), ["1"]);
  const aborted = new AbortController();
  aborted.abort();
  await rejectsWkw(layer.downsampleMag(1, 2, { signal: aborted.signal }), "ERR_WKW_ABORTED");
  assert.deepEqual(readdirSync(layer.path).sort(), ["1"]);
});

test("AbortSignal reaches a running file job (in process and in worker threads): a 1024³ target file stops within one block", async (t) => {
  const dir = path.join(tempDir(t), "ds");
  const ds = await Dataset.create(dir, { scale: [1, 1, 1] });
  t.after(() => ds.close());
  const layer = await ds.addLayer("color", "color");
  const mag = await layer.addMag(1, { blockLen: 32, fileLen: 32 });
  await mag.write(makeArray(Uint8Array, [1, 32, 32, 32], () => 7), [0, 0, 0]);
  // One target file of 1024³ voxels (1 GiB decoded, streamed block by block): its one job
  // takes seconds here (7.5 s measured), so an abort that waited for it would show.
  await layer.setBoundingBox(new BoundingBox([0, 0, 0], [2048, 2048, 2048]));
  const before = propertiesOf(dir);
  const threads = new WorkerThreadExecutor({ threads: 2 });
  t.after(() => threads.close());
  for (const executor of [undefined, threads]) {
    const ac = new AbortController();
    let abortedAt;
    setTimeout(() => { abortedAt = performance.now(); ac.abort(); }, 300);
    await rejectsWkw(layer.downsampleMag(1, 2, { signal: ac.signal, ...(executor ? { executor } : {}) }), "ERR_WKW_ABORTED");
    const latency = performance.now() - abortedAt;
    assert.ok(latency < 2500, `the running job stopped ${latency.toFixed(0)} ms after the abort (${executor ? "threads" : "in process"})`);
    assert.deepEqual(propertiesOf(dir), before);
    assert.deepEqual(readdirSync(layer.path).sort(), ["1"]);
  }
});

test("bad input: a WkwError with a code, nothing written or listed", async (t) => {
  const { dir, ds, layer } = await makeLayer(t);
  await layer.downsampleMag(1, 2);
  const before = snapshot(dir);
  await rejectsWkw(layer.downsampleMag(1, 4, { interpolationMode: "bilinear" }), "ERR_WKW_ARGUMENT", "options.interpolationMode");
  await rejectsWkw(layer.downsample({ interpolationMode: "cubic" }), "ERR_WKW_ARGUMENT", "options.interpolationMode");
  await rejectsWkw(layer.downsampleMag(8, 16), "ERR_WKW_NOT_FOUND", "mag");
  await rejectsWkw(layer.downsample({ fromMag: 8 }), "ERR_WKW_NOT_FOUND", "mag");
  await rejectsWkw(layer.downsampleMag(1, 2), "ERR_WKW_EXISTS", "targetMag");
  await rejectsWkw(layer.downsampleMag(2, [4, 4, 1]), "ERR_WKW_ARGUMENT", "targetMag");
  await rejectsWkw(layer.downsampleMag(2, 2, { allowOverwrite: true }), "ERR_WKW_ARGUMENT", "targetMag");
  await rejectsWkw(layer.downsampleMag(1, 3), "ERR_WKW_ARGUMENT", "targetMag");
  await rejectsWkw(layer.downsample({ fromMag: 2, coarsestMag: 1 }), "ERR_WKW_ARGUMENT", "coarsestMag");
  await rejectsWkw(layer.downsample({ samplingMode: "diagonal" }), "ERR_WKW_ARGUMENT", "options.samplingMode");
  await rejectsWkw(layer.downsample({ compress: "yes" }), "ERR_WKW_ARGUMENT", "options.compress");
  await rejectsWkw(layer.downsample({ onProgress: 5 }), "ERR_WKW_ARGUMENT", "options.onProgress");
  await rejectsWkw(layer.downsample({ coarse: 8 }), "ERR_WKW_ARGUMENT", "options.coarse");
  await rejectsWkw(layer.downsample({ signal: {} }), "ERR_WKW_ARGUMENT", "options.signal");
  await rejectsWkw(layer.downsampleMagList(1, "4"), "ERR_WKW_ARGUMENT", "targetMags");
  await rejectsWkw(layer.upsample({ fromMag: 2, finestMag: 4 }), "ERR_WKW_ARGUMENT", "options.finestMag");
  await rejectsWkw(layer.upsample({}), "ERR_WKW_ARGUMENT", "options.fromMag");
  assert.deepEqual(snapshot(dir), before);
  ds.close();
  const ro = await Dataset.open(dir, { readOnly: true });
  await rejectsWkw(ro.getLayer("color").downsampleMag(2, 4), "ERR_WKW_READ_ONLY");
  await rejectsWkw(ro.getLayer("color").downsample(), "ERR_WKW_READ_ONLY");
  await rejectsWkw(ro.getLayer("color").upsample({ fromMag: 2 }), "ERR_WKW_READ_ONLY");
  assert.deepEqual(snapshot(dir), before);
});

test("a corrupt or truncated source file fails with its code and path; nothing is listed or left", async (t) => {
  const { truncateSync, writeFileSync: write, readFileSync: read } = await import("node:fs");
  for (const [what, damage, code] of [
    ["truncated", (f) => truncateSync(f, 200), "ERR_WKW_TRUNCATED"],
    ["corrupt", (f) => { const b = read(f); b.fill(0xff, b.length - 64); write(f, b); }, "ERR_WKW_CORRUPT"],
  ]) {
    const { dir, layer, mag1 } = await makeLayer(t);
    await mag1.compress();
    const file = path.join(mag1.path, "z0", "y1", "x1.wkw");
    damage(file);
    const before = snapshot(dir);
    await assert.rejects(layer.downsample({ coarsestMag: 4, samplingMode: "isotropic" }), (e) => e.code === code && e.path === file, what);
    assert.deepEqual(snapshot(dir), before, what);
    assert.deepEqual([...layer.mags.keys()], ["1"]);
  }
});

test("an unlisted folder with the target's name is refused (or replaced with allowOverwrite)", async (t) => {
  const { dir, layer } = await makeLayer(t);
  (await WkwDataset.create(path.join(layer.path, "2-2-2"), { voxelType: "uint8" })).close();
  const before = snapshot(dir);
  await rejectsWkw(layer.downsampleMag(1, 2), "ERR_WKW_EXISTS", "targetMag");
  assert.deepEqual(snapshot(dir), before);
  await layer.downsampleMag(1, 2, { allowOverwrite: true });
  assert.deepEqual(readdirSync(layer.path).sort(), ["1", "2"]); // the foreign folder was replaced
  assert.equal(layer.getMag(2).header.blockLen, 8);
  await assertKernel(layer, 1, 2, "median");
});

test("CLI: wkw downsample <dataset> --coarsest --mode --sampling", async (t) => {
  const { dir, ds } = await makeLayer(t);
  ds.close();
  const out = execFileSync(process.execPath, [path.join(root, "dist/cli/main.js"), "downsample", dir, "--coarsest", "4", "--mode", "max", "--sampling", "isotropic"], { encoding: "utf8" });
  assert.match(out, /color: built mags 2, 4 in/);
  const re = await Dataset.open(dir);
  await assertKernel(re.getLayer("color"), 2, 4, "max");
  const again = execFileSync(process.execPath, [path.join(root, "dist/cli/main.js"), "downsample", path.join(dir, "color"), "--coarsest", "4", "--sampling", "isotropic"], { encoding: "utf8" });
  assert.match(again, /color: built mags none/);
  assert.throws(() => execFileSync(process.execPath, [path.join(root, "dist/cli/main.js"), "downsample", dir, "--mode", "bicubic"], { encoding: "utf8", stdio: "pipe" }),
    (e) => e.status === 1 && /ERR_WKW_ARGUMENT/.test(e.stderr) && /median, mode, max, min, average, nearest/.test(e.stderr));
});

// Optional cross-check with the reference WKW library's command-line tool (not part of the
// package): WKWREF=/path/to/wkwref node --test test/downsample-layer.test.mjs
test("compressed and raw targets read identically with the reference decoder (WKWREF)", { skip: !process.env.WKWREF && "set WKWREF to the wkwref tool" }, async (t) => {
  const { readFileSync } = await import("node:fs");
  const { layer } = await makeLayer(t, { category: "segmentation", dtype: "uint32", fill: cells, channels: 1 });
  const hc = await layer.downsampleMag(1, 2); // LZ4HC
  const raw = await layer.downsampleMag(1, [4, 4, 2], { compress: false });
  for (const mv of [hc, raw]) {
    const out = path.join(tempDir(t), "out.raw");
    const box = layer.boundingBox.alignWithMag(mv.mag, { ceil: true }).inMag(mv.mag);
    execFileSync(process.env.WKWREF, ["read", mv.path, ...box.topLeft.map(String), ...box.size.map(String), out]);
    const ours = await mv.read(box.topLeft, box.size);
    assert.ok(Buffer.compare(readFileSync(out), bytes(ours.data)) === 0, `${mv.name} (${mv.header.blockType})`);
    assert.ok(ours.data.some((v) => v !== 0));
  }
});
