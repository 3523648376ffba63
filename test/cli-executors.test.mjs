// `wkw` commands on every executor: --executor inprocess|threads|bullmq (--redis, --queue)
// give the same voxels; `wkw worker` is a command of the CLI (help, usage errors, exit codes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Dataset } from "../dist/index.js";
import { tempDir } from "./support/fixtures.mjs";
import { writeWithSharp, sliceData } from "./support/images.mjs";
import { redisAvailable, startRedis } from "./support/redis.mjs";
import { CLI, startWorker } from "./support/workers.mjs";

const env = { ...process.env, WKW_PROGRESS: "0" };
const run = (args) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env });
// async: the test process keeps reading its worker children's pipes meanwhile
const runAsync = async (args) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { encoding: "utf8", env, timeout: 120_000 });
    return { status: 0, stdout, stderr };
  } catch (err) {
    return { status: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

async function writeStack(dir, n, w = 64, h = 48) {
  mkdirSync(dir, { recursive: true });
  for (let z = 0; z < n; z++) await writeWithSharp(path.join(dir, `slice_${z}.png`), sliceData(Uint8Array, w, h, 1, z), w, h, 1, "png");
}

/** convert (with its pyramid), then copy, on one executor; the voxels of every mag of both. */
async function pipeline(root, name, executorArgs) {
  const ds = path.join(root, `${name}-ds`);
  const copy = path.join(root, `${name}-copy`);
  const common = ["--block-len", "8", "--file-len", "2", "--json", ...executorArgs];
  const c = await runAsync(["convert", path.join(root, "in"), ds, "--voxel-size", "10,10,20", "--downsample", ...common]);
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout).mags, ["1", "2-2-1", "4-4-2"]);
  const up = await runAsync(["upsample", path.join(ds, "color"), "--from", "2-2-1", "--overwrite", "--json", ...executorArgs]);
  assert.equal(up.status, 0, up.stderr);
  const cp = await runAsync(["copy", ds, copy, "--json", ...executorArgs]);
  assert.equal(cp.status, 0, cp.stderr);
  const voxels = [];
  for (const dir of [ds, copy]) {
    const d = await Dataset.open(dir);
    for (const mag of ["1", "2-2-1", "4-4-2"]) voxels.push(Buffer.from((await d.getLayer("color").getMag(mag).read()).data.buffer).toString("base64"));
    d.close();
  }
  return voxels;
}

test("wkw help lists worker; worker --help; usage errors exit 2, no stack trace", () => {
  const help = run(["help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^ {2}worker +run BullMQExecutor jobs/m);
  for (const args of [["help", "worker"], ["worker", "--help"]]) {
    const r = run(args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: wkw worker --redis URL --queue NAME/);
    assert.match(r.stdout, /--allow-module DIR/);
  }
  for (const args of [["worker"], ["worker", "--redis", "redis://127.0.0.1:1"], ["worker", "--queue", "q"], ["worker", "--redis", "redis://x", "--queue", "q", "--concurrency", "0"], ["worker", "extra"]]) {
    const r = run(args);
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.match(r.stderr, /Usage: wkw worker/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
  assert.match(run(["convert", "--help"]).stdout, /--executor E .*inprocess \(default\), threads .* or bullmq/);
});

test("--executor options are checked before anything is written", (t) => {
  const root = tempDir(t);
  const target = path.join(root, "never");
  const cases = [
    [["--executor", "gpu"], /--executor must be one of inprocess, threads, bullmq/],
    [["--redis", "redis://127.0.0.1:1"], /--redis and --queue apply to --executor bullmq only/],
    [["--executor", "threads", "--queue", "q"], /--redis and --queue apply to --executor bullmq only/],
    [["--executor", "bullmq", "--redis", "redis://127.0.0.1:1"], /--executor bullmq needs --redis URL and --queue NAME/],
    [["--executor", "bullmq", "--redis", "redis://127.0.0.1:1", "--queue", "q", "--jobs", "2"], /--jobs does not apply to --executor bullmq/],
  ];
  for (const [extra, message] of cases) {
    const r = run(["convert", root, target, "--voxel-size", "1,1,1", ...extra]);
    assert.equal(r.status, 2, `${extra}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const bad = run(["convert", root, target, "--voxel-size", "1,1,1", "--executor", "bullmq", "--redis", "http://x", "--queue", "q"]);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--redis: .*redis:\/\//);
  assert.equal(existsSync(target), false, "nothing written");
});

test("convert --downsample, upsample and copy give the same voxels in process, on worker threads and on wkw worker processes", async (t) => {
  const root = tempDir(t);
  await writeStack(path.join(root, "in"), 8);
  const inprocess = await pipeline(root, "inprocess", []);
  assert.deepEqual(await pipeline(root, "threads", ["--executor", "threads", "--jobs", "2"]), inprocess);
  if (!redisAvailable()) return t.skip("redis-server is not installed (.ci/run installs it)");
  const redis = await startRedis();
  const workers = [0, 1].map(() => startWorker(redis.url, "cli"));
  t.after(async () => {
    await Promise.all(workers.map((w) => w.stop())); // workers first: they close their Redis connections
    await redis.stop();
  });
  await Promise.all(workers.map((w) => w.ready));
  assert.deepEqual(await pipeline(root, "bullmq", ["--executor", "bullmq", "--redis", redis.url, "--queue", "cli"]), inprocess);
});
