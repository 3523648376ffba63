// The `wkw` command: help/version without stack traces, text and --json output, exit codes,
// info/verify on a dataset, a layer and a mag, atomic and sparse compress, --level checks,
// convert and copy, progress (--quiet) and Ctrl-C.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Dataset, WkwDataset } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { writeWithSharp, sliceData } from "./support/images.mjs";

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/cli/main.js");
const run = (args, env = {}) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, WKW_PROGRESS: "0", ...env } });
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const noStack = (r) => assert.doesNotMatch(r.stdout + r.stderr, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");

/** A dataset with layers color (mags 1 and 2, the latter in a long-named folder 2-2-2) and cells. */
async function makeDataset(root) {
  const dir = path.join(root, "ds");
  const ds = await Dataset.create(dir, { scale: [11.24, 11.24, 25] });
  const color = await ds.addLayer("color", "color");
  const m1 = await color.addMag(1, { blockLen: 8, fileLen: 2 });
  const data = new Uint8Array(40 * 20 * 20).map((_, i) => (i * 7) % 251);
  await m1.write({ data, shape: [40, 20, 20] }, [0, 0, 0]);
  const m2 = await color.addMag(2, { blockLen: 8, fileLen: 2, compress: true });
  await m2.write({ data: data.subarray(0, 20 * 10 * 10), shape: [20, 10, 10] }, [0, 0, 0]);
  const cells = await ds.addLayer("cells", "segmentation", { dtypePerChannel: "uint32", largestSegmentId: 7 });
  const c1 = await cells.addMag(1, { blockLen: 8, fileLen: 2, compress: true });
  await c1.write({ data: new Uint32Array(16 * 16 * 16).fill(7), shape: [16, 16, 16] }, [0, 0, 0]);
  ds.close();
  renameSync(path.join(dir, "color/2"), path.join(dir, "color/2-2-2"));
  return dir;
}

test("--version, --help and command help: exit 0, no stack trace", () => {
  for (const args of [["--version"], ["-v"]]) {
    const r = run(args);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  }
  assert.deepEqual(JSON.parse(run(["--version", "--json"]).stdout), { version: pkg.version });
  for (const args of [["--help"], ["help"], ["help", "convert"], ["info", "--help"], ["compress", "-h"], ["verify", "--help", "x", "y", "z"]]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: wkw /);
    noStack(r);
  }
  assert.match(run(["convert", "--help"]).stdout, /--voxel-size X,Y,Z/);
});

test("usage errors: exit 2 with the usage, no stack trace; JSON errors with --json", (t) => {
  for (const args of [[], ["bogus"], ["info"], ["info", "a", "b"], ["info", "--bogus", "x"], ["help", "bogus"], ["compress", "a", "b", "--level"]]) {
    const r = run(args);
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.match(r.stderr, /Usage: wkw/);
    noStack(r);
  }
  const r = run(["info", "--bogus", "x", "--json"]);
  assert.equal(r.status, 2);
  assert.equal(JSON.parse(r.stderr).error.message, "Unknown option '--bogus'");
  const missing = run(["info", path.join(tempDir(t), "none"), "--json"]);
  assert.equal(missing.status, 1);
  assert.equal(JSON.parse(missing.stderr).error.code, "ERR_WKW_NOT_FOUND");
  const text = run(["verify", path.join(tempDir(t), "none")]);
  assert.equal(text.status, 1);
  assert.match(text.stderr, /^wkw: ERR_WKW_NOT_FOUND: .*none is not a dataset/);
});

test("info: a dataset, a layer and a mag; text by default, --json everywhere; mags named as their folders", async (t) => {
  const dir = await makeDataset(tempDir(t));
  const text = run(["info", dir]);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, [
    "dataset ds scale [11.24,11.24,25]",
    "  layer color (color, uint8) bbox [0,0,0]+[40,20,20]",
    "    mag 1: uint8 × 1, raw, blockLen 8, fileLen 2, 12 file(s)",
    "    mag 2-2-2: uint8 × 1, lz4hc, blockLen 8, fileLen 2, 2 file(s)",
    "  layer cells (segmentation, uint32) bbox [0,0,0]+[16,16,16]",
    "    mag 1: uint32 × 1, lz4hc, blockLen 8, fileLen 2, 1 file(s)",
    "",
  ].join("\n"));
  const json = JSON.parse(run(["info", dir, "--json"]).stdout);
  assert.equal(json.kind, "dataset");
  assert.deepEqual(json.layers.map((l) => [l.name, l.mags.map((m) => m.name)]), [["color", ["1", "2-2-2"]], ["cells", ["1"]]]);
  assert.equal(json.layers[1].largestSegmentId, 7);
  const layer = run(["info", path.join(dir, "cells")]);
  assert.equal(layer.stdout, "layer cells (segmentation, uint32) bbox [0,0,0]+[16,16,16]\n  mag 1: uint32 × 1, lz4hc, blockLen 8, fileLen 2, 1 file(s)\n");
  assert.equal(JSON.parse(run(["info", path.join(dir, "cells"), "--json"]).stdout).kind, "layer");
  const mag = run(["info", path.join(dir, "color/2-2-2")]);
  assert.equal(mag.stdout, `${path.join(dir, "color/2-2-2")}\nmag 2-2-2: uint8 × 1, lz4hc, blockLen 8, fileLen 2, 2 file(s)\n`);
  const magJson = JSON.parse(run(["info", path.join(dir, "color/2-2-2"), "--json"]).stdout);
  assert.deepEqual({ ...magJson, path: undefined }, {
    kind: "mag", dataset: dir, layer: "color", name: "2-2-2", path: undefined, blockLen: 8, fileLen: 2, blockType: "lz4hc", voxelType: "uint8", numChannels: 1, files: 2,
  });
});

test("verify: a dataset checks every mag of every layer; a layer; a mag; damage → exit 1 naming the file", async (t) => {
  const dir = await makeDataset(tempDir(t));
  const ok = run(["verify", dir]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.equal(ok.stdout, "color/1: 12 files checked, 0 damaged\ncolor/2-2-2: 2 files checked, 0 damaged\ncells/1: 1 files checked, 0 damaged\n15 files checked, 0 damaged\n");
  // damage the LZ4 payload of the segmentation layer's only file
  const file = path.join(dir, "cells/1/z0/y0/x0.wkw");
  const bytes = readFileSync(file);
  const dataOffset = bytes.readUInt32LE(8);
  bytes.fill(0xff, dataOffset, bytes.length);
  writeFileSync(file, bytes);
  const bad = run(["verify", dir]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /^cells\/1\/z0\/y0\/x0\.wkw: ERR_WKW_CORRUPT \(block 0\): /m);
  assert.match(bad.stdout, /15 files checked, 1 damaged\n$/);
  const json = JSON.parse(run(["verify", dir, "--json"]).stdout);
  assert.equal(json.ok, false);
  assert.deepEqual(json.mags.map((m) => [m.layer, m.mag, m.files, m.problems.map((p) => p.file)]), [
    ["color", "1", 12, []], ["color", "2-2-2", 2, []], ["cells", "1", 1, ["z0/y0/x0.wkw"]],
  ]);
  assert.equal(run(["verify", path.join(dir, "color")]).status, 0);
  const magRun = run(["verify", path.join(dir, "cells/1")]);
  assert.equal(magRun.status, 1);
  assert.match(magRun.stdout, /^z0\/y0\/x0\.wkw: ERR_WKW_CORRUPT/m);
});

test("compress: a mag, a layer, a dataset; raw output is sparse; the data is identical", async (t) => {
  const root = tempDir(t);
  const src = path.join(root, "sparse");
  // one file of 256³ voxels (blockLen 32, fileLen 8) with a single nonzero block
  const ds = await WkwDataset.create(src, { voxelType: "uint8", blockLen: 32, fileLen: 8, blockType: "lz4" });
  await ds.write([64, 64, 64], { data: new Uint8Array(32 ** 3).fill(9), shape: [32, 32, 32] });
  ds.close();
  const raw = path.join(root, "raw");
  const r = run(["compress", src, raw, "--block-type", "raw"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `1 files written to ${raw} (raw)\n`);
  const st = statSync(path.join(raw, "z0/y0/x0.wkw"));
  assert.equal(st.size, 16 + 512 * 32 ** 3, "full logical length");
  assert.ok(st.blocks * 512 <= 1024 * 1024, `allocated ${st.blocks * 512} bytes: sparse`);
  const back = await WkwDataset.open(raw);
  const a = await back.read([0, 0, 0], [256, 256, 256]);
  assert.equal(a.data.reduce((s, v) => s + v, 0), 9 * 32 ** 3);
  assert.equal(a.data[64 + 64 * 256 + 64 * 65536], 9);
  back.close();

  const dir = await makeDataset(root);
  const out = path.join(root, "ds-lz4");
  const all = run(["compress", dir, out, "--block-type", "lz4", "--json"]);
  assert.equal(all.status, 0, all.stderr);
  assert.deepEqual(JSON.parse(all.stdout).mags, ["color/1", "color/2-2-2", "cells/1"]);
  const copy = await Dataset.open(out);
  const orig = await Dataset.open(dir);
  for (const [name, layer] of orig.layers) {
    for (const [magName, mv] of layer.mags) {
      const other = copy.getLayer(name).getMag(magName);
      assert.equal(other.header.blockType, "lz4");
      assert.deepEqual(await other.read(), await mv.read(), `${name}/${magName}`);
    }
  }
  copy.close();
  orig.close();
  const layerOut = path.join(root, "color-hc");
  assert.equal(run(["compress", path.join(dir, "color"), layerOut, "--level", "3"]).status, 0);
  assert.deepEqual(readdirSync(layerOut).sort(), ["1", "2-2-2"]);
  assert.equal(run(["compress", path.join(dir, "color"), layerOut]).status, 1, "an existing target is refused");
});

test("compress: a failure leaves no target, so a retry works; --level is checked", async (t) => {
  const root = tempDir(t);
  const src = path.join(root, "src");
  const ds = await WkwDataset.create(src, { voxelType: "uint8", blockLen: 8, fileLen: 2, blockType: "lz4" });
  await ds.write([0, 0, 0], { data: new Uint8Array(32 * 32 * 16).fill(3), shape: [32, 32, 16] });
  ds.close();
  const file = path.join(src, "z0/y0/x1.wkw");
  const good = readFileSync(file);
  const bad = Buffer.from(good);
  bad.fill(0xee, bad.readUInt32LE(8));
  writeFileSync(file, bad);
  const target = path.join(root, "out");
  const failed = run(["compress", src, target]);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /ERR_WKW_CORRUPT/);
  assert.equal(existsSync(target), false, "nothing left");
  assert.deepEqual(readdirSync(root).sort(), ["src"], "no temporary folder either");
  writeFileSync(file, good);
  const retry = run(["compress", src, target]);
  assert.equal(retry.status, 0, retry.stderr);
  for (const [args, message] of [
    [["--level", "abc"], /--level must be an integer in 1\.\.12, received "abc"/],
    [["--level", "13"], /--level must be an integer in 1\.\.12, received "13"/],
    [["--level", "2.5"], /--level must be an integer/],
    [["--block-type", "lz4", "--level", "4"], /--level applies to --block-type lz4hc only \(LZ4 has no levels\)/],
    [["--block-type", "raw", "--level", "4"], /--level applies to --block-type lz4hc only/],
    [["--block-type", "zip"], /--block-type must be one of raw, lz4, lz4hc, received "zip"/],
  ]) {
    const r = run(["compress", src, path.join(root, "never"), ...args]);
    assert.equal(r.status, 2, `${args}`);
    assert.match(r.stderr, message);
    noStack(r);
  }
  assert.equal(existsSync(path.join(root, "never")), false);
  assert.equal(run(["compress", src, path.join(root, "l5"), "--level", "5"]).status, 0);
});

async function writeStack(dir, n, w = 64, h = 48) {
  mkdirSync(dir, { recursive: true });
  for (let z = 0; z < n; z++) await writeWithSharp(path.join(dir, `slice_${z}.png`), sliceData(Uint8Array, w, h, 1, z), w, h, 1, "png");
}

test("convert: a new dataset, then a second layer into it; --json; exit codes", async (t) => {
  const root = tempDir(t);
  await writeStack(path.join(root, "in"), 5);
  const out = path.join(root, "ds");
  const r = run(["convert", path.join(root, "in"), out, "--voxel-size", "11.24,11.24,25", "--no-compress", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { dataset: out, layer: "color", category: "color", dtypePerChannel: "uint8", numChannels: 1, size: [64, 48, 5], mags: ["1"], compressed: false });
  const files = readdirSync(path.join(root, "in")).map((f) => path.join(root, "in", f));
  const second = run(["convert", ...files, out, "--layer", "cells", "--category", "segmentation", "--dtype", "uint32", "--jobs", "2"]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /layer cells \(segmentation, 1 × uint32\) 64×48×5 voxels, mags 1, LZ4HC/);
  const ds = await Dataset.open(out);
  assert.deepEqual([...ds.layers.keys()], ["color", "cells"]);
  const a = await ds.getLayer("color").getMag(1).read();
  const b = await ds.getLayer("cells").getMag(1).read();
  assert.deepEqual([...b.data], [...a.data]);
  ds.close();
  assert.equal(run(["convert", path.join(root, "in"), path.join(root, "new")]).status, 2, "a new dataset needs --voxel-size");
  assert.equal(run(["convert", path.join(root, "in"), path.join(root, "new"), "--voxel-size", "1,1"]).status, 2);
  assert.equal(run(["convert", path.join(root, "in"), path.join(root, "new"), "--voxel-size", "1,1,1", "--dtype", "uint12"]).status, 2);
  const dup = run(["convert", path.join(root, "in"), out, "--layer", "cells"]);
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /ERR_WKW_EXISTS/);
  assert.equal(existsSync(path.join(root, "new")), false);
});

test("copy: the whole dataset, recompressed; the target appears complete", async (t) => {
  const root = tempDir(t);
  const dir = await makeDataset(root);
  const out = path.join(root, "copy");
  const r = run(["copy", dir, out, "--no-compress"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `2 layer(s) copied to ${out}\n`);
  const copy = await Dataset.open(out);
  assert.equal(copy.name, "copy");
  assert.equal(copy.getLayer("cells").getMag(1).header.blockType, "raw");
  assert.deepEqual(await copy.getLayer("color").getMag(1).read(), await (await Dataset.open(dir)).getLayer("color").getMag(1).read());
  copy.close();
  assert.equal(run(["copy", dir, out]).status, 1, "an existing target is refused");
  assert.equal(run(["copy", path.join(dir, "color"), path.join(root, "x")]).status, 2, "copy takes a dataset");
});

test("progress: bars on stderr when enabled, none with --quiet or --json", async (t) => {
  const root = tempDir(t);
  await writeStack(path.join(root, "in"), 4);
  const shown = run(["convert", path.join(root, "in"), path.join(root, "a"), "--voxel-size", "1,1,1"], { WKW_PROGRESS: "1" });
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stderr, /convert \[.*\] 100% \| 4\/4 slices/);
  const quiet = run(["verify", path.join(root, "a"), "--quiet"], { WKW_PROGRESS: "1" });
  assert.equal(quiet.status, 0);
  assert.equal(quiet.stderr, "");
  const verbose = run(["verify", path.join(root, "a")], { WKW_PROGRESS: "1" });
  assert.match(verbose.stderr, /verify \[.*\] 100% \| 1\/1 files/);
  const json = run(["verify", path.join(root, "a"), "--json"], { WKW_PROGRESS: "1" });
  assert.equal(json.stderr, "");
  assert.equal(JSON.parse(json.stdout).ok, true);
});

test("Ctrl-C cancels a convert cleanly: exit 130, nothing left", async (t) => {
  const root = tempDir(t);
  await writeStack(path.join(root, "in"), 60, 512, 512);
  const out = path.join(root, "ds");
  const child = spawn(process.execPath, [cli, "convert", path.join(root, "in"), out, "--voxel-size", "1,1,1", "--block-len", "4", "--file-len", "1"], {
    env: { ...process.env, WKW_PROGRESS: "1" },
  });
  let stderr = "";
  let sent = false;
  child.stderr.on("data", (d) => {
    stderr += d;
    if (!sent && /convert \[/.test(stderr)) {
      sent = true;
      child.kill("SIGINT");
    }
  });
  const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c)));
  assert.ok(sent, "the convert started");
  assert.equal(code, 130, stderr);
  assert.match(stderr, /ERR_WKW_ABORTED: cancelled \(Ctrl-C\)/);
  assert.equal(existsSync(out), false, "no dataset left");
});

test("Ctrl-C cancels a compress cleanly: exit 130, no target, no temporary folder", async (t) => {
  const root = tempDir(t);
  const src = path.join(root, "src");
  const ds = await WkwDataset.create(src, { voxelType: "uint8", blockLen: 32, fileLen: 2 });
  let seed = 1;
  const data = new Uint8Array(256 * 256 * 256).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
  await ds.write([0, 0, 0], { data, shape: [256, 256, 256] });
  ds.close();
  const target = path.join(root, "hc");
  const child = spawn(process.execPath, [cli, "compress", src, target, "--level", "12"], { env: { ...process.env, WKW_PROGRESS: "1" } });
  let stderr = "";
  let sent = false;
  child.stderr.on("data", (d) => {
    stderr += d;
    if (!sent && /compress \[/.test(stderr)) {
      sent = true;
      child.kill("SIGINT");
    }
  });
  const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c)));
  assert.ok(sent);
  assert.equal(code, 130, stderr);
  assert.deepEqual(readdirSync(root), ["src"]);
});

test("convert --downsample, then downsample and upsample: pyramids through the CLI, --json", async (t) => {
  const root = tempDir(t);
  await writeStack(path.join(root, "in"), 8);
  const out = path.join(root, "ds");
  const r = run(["convert", path.join(root, "in"), out, "--voxel-size", "10,10,20", "--downsample", "--block-len", "8", "--file-len", "2", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).mags, ["1", "2-2-1", "4-4-2"]); // default coarsest for 64×48×8
  const again = run(["downsample", out, "--json"]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout).layers.map((l) => [l.layer, l.mags]), [["color", []]]);
  const up = run(["upsample", path.join(out, "color"), "--from", "2-2-1", "--overwrite"]);
  assert.equal(up.status, 0, up.stderr);
  assert.match(up.stdout, /^color: built mags 1 in /);
  assert.equal(run(["upsample", out]).status, 2, "--from is required");
  assert.equal(run(["downsample", path.join(out, "color/1")]).status, 2, "a mag folder is not a layer");
  const bad = run(["downsample", out, "--mode", "bicubic"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /ERR_WKW_ARGUMENT.*median, mode, max, min, average, nearest/);
});
