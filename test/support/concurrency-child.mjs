// Child process (and worker thread) of test/concurrency.test.mjs.
//
//   node concurrency-child.mjs <mode> '<json args>'
//
// Prints one JSON line with its result on stdout; exits non-zero on failure.
import { isMainThread, parentPort, workerData, Worker } from "node:worker_threads";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import wkwPkg from "../../dist/wkw/dataset.js";
import propertiesPkg from "../../dist/dataset/properties.js";
import { WRITES, EDGE, layout, setUp, readAll, snapshot, writeData } from "./concurrency-plan.mjs";
import { formulaBytes } from "./fixtures.mjs";

const { WkwDataset } = wkwPkg;
const { updateProperties } = propertiesPkg;
const SELF = fileURLToPath(import.meta.url);

function sameBytes(a, b) {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Writes the listed WRITES concurrently while reading the read files `reads` times. */
async function disjoint(ds, indices, reads) {
  const writes = indices.map((i) => ds.write(WRITES[i].offset, writeData(WRITES[i])));
  const checks = Array.from({ length: reads }, () => readAll(ds));
  await Promise.all(writes);
  return (await Promise.all(checks)).reduce((a, b) => a + b, 0);
}

/** A whole workload in one folder: set-up, all writes concurrently, reads; returns mismatches. */
async function workload(dir, blockType) {
  const ds = await WkwDataset.create(dir, layout(blockType));
  await setUp(ds);
  const bad = await disjoint(ds, WRITES.map((w) => w.index), 3);
  ds.close();
  return bad;
}

async function main(mode, args) {
  switch (mode) {
    case "disjoint": {
      const ds = await WkwDataset.open(args.dir);
      const bad = await disjoint(ds, args.indices, args.reads);
      ds.close();
      return { bad };
    }
    case "grow": {
      // Grows the first layer's bounding box along its own axis (negative: topLeft moves down).
      for (let i = 1; i <= args.n; i++) {
        await updateProperties(args.dir, (fresh) => {
          const b = fresh.dataLayers[0].boundingBox;
          const lo = [...b.topLeft];
          const hi = [lo[0] + b.width, lo[1] + b.height, lo[2] + b.depth];
          if (args.axis < 3) hi[args.axis] = Math.max(hi[args.axis], 100 + i);
          else lo[args.axis - 3] = Math.min(lo[args.axis - 3], -i);
          b.topLeft = lo;
          [b.width, b.height, b.depth] = [0, 1, 2].map((a) => hi[a] - lo[a]);
          fresh.extra = { ...fresh.extra, [`p${args.axis}`]: i };
        });
      }
      return { done: args.n };
    }
    case "workers": {
      // Several worker threads load the addon and work at once; one more is terminated in
      // the middle of a long write. The process must then exit by itself with code 0.
      const shared = path.join(args.dir, "shared");
      const main = await WkwDataset.create(shared, layout("lz4"));
      const big = { data: new Uint8Array(formulaBytes("uint8", 1, [0, 0, 0], [64, 64, 64], 77)), shape: [64, 64, 64] };
      await main.write([0, 0, 0], big);
      const spawnWorker = (data) => new Worker(SELF, { workerData: data });
      const results = [];
      const exits = [];
      for (let i = 0; i < args.workers; i++) {
        const w = spawnWorker({ kind: "work", dir: path.join(args.dir, `w${i}`), shared, blockType: i % 2 ? "raw" : "lz4hc" });
        w.on("message", (m) => results.push(m));
        exits.push(new Promise((resolve, reject) => { w.on("exit", resolve); w.on("error", reject); }));
      }
      const victim = spawnWorker({ kind: "long", dir: path.join(args.dir, "victim") });
      const victimExit = new Promise((resolve, reject) => {
        victim.on("message", () => setTimeout(() => victim.terminate(), 5));
        victim.on("exit", resolve);
        victim.on("error", reject);
      });
      // The main thread works at the same time.
      let mainBad = 0;
      for (let k = 0; k < 5; k++) {
        const got = await main.read([0, 0, 0], [64, 64, 64]);
        if (!sameBytes(got.data, big.data)) mainBad++;
      }
      const codes = await Promise.all(exits);
      const victimCode = await victimExit;
      main.close();
      return { codes, victimCode, results, mainBad, victimTemps: temps(path.join(args.dir, "victim")) };
    }
    case "pool": {
      // Run with UV_THREADPOOL_SIZE=1: parallel reads, overlapping writes of one file,
      // a compress, properties updates, and synchronous calls on the main thread.
      const ds = await WkwDataset.create(path.join(args.dir, "ds"), layout("lz4hc"));
      await setUp(ds);
      // voxels of one new file outside the workload's 64³ (different regions of one file)
      const same = Array.from({ length: 12 }, (_, i) => ({ offset: [65 + i, 3, 5], value: 10 + i }));
      const jobs = [
        disjoint(ds, WRITES.map((w) => w.index), 4),
        ...same.map((s) => ds.write(s.offset, { data: Uint8Array.of(s.value), shape: [1, 1, 1] }, { concurrency: 4 })),
        ds.compress(path.join(args.dir, "c"), { concurrency: 8 }),
        ...Array.from({ length: 5 }, (_, i) => updateProperties(args.dir, (fresh) => { fresh.dataLayers[0].boundingBox.width += i + 1; })),
      ];
      // The origin voxel of the first rewritten file lies outside its asynchronous write:
      // the synchronous write waits for the file's lock on the main thread.
      const origin = WRITES[0].file.map((v) => v * EDGE);
      ds.writeSync(origin, { data: Uint8Array.of(200), shape: [1, 1, 1] });
      const syncRead = ds.readSync(origin, [1, 1, 1]).data[0];
      const out = await Promise.all(jobs);
      const c = out[same.length + 1];
      const bad = out[0];
      const row = (await ds.read([65, 3, 5], [same.length, 1, 1])).data;
      const rowOk = same.every((s, i) => row[i] === s.value);
      const originAfter = (await ds.read(origin, [1, 1, 1])).data[0];
      const compressedFiles = (await c.listFiles()).length;
      await c.read([0, 0, 0], [64 + EDGE, 64, 64]); // every compressed file decodes
      c.close();
      ds.close();
      return { bad, rowOk, syncRead, originAfter, compressedFiles };
    }
    case "detach": {
      // Known issue (see docs/crash-safety.md): the caller detaches the buffer of a read's
      // `out` (or a write's data) while the operation is in flight; run with --expose-gc.
      const ds = await WkwDataset.create(path.join(args.dir, "ds"), { voxelType: "uint8", blockLen: 32, fileLen: 4, blockType: "lz4" });
      const N = 256;
      await ds.write([0, 0, 0], { data: new Uint8Array(N ** 3).fill(7), shape: [N, N, N] });
      let bad = 0;
      for (let round = 0; round < 20; round++) {
        const out = { data: new Uint8Array(N ** 3), shape: [1, N, N, N] };
        const p = ds.read([0, 0, 0], [N, N, N], { out, concurrency: 1 });
        structuredClone(out.data.buffer, { transfer: [out.data.buffer] }); // the new owner is garbage at once
        globalThis.gc();
        const others = Array.from({ length: 50 }, () => new Uint8Array(N ** 3 / 50).fill(1));
        await p.catch(() => undefined);
        for (const o of others) if (o.some((v) => v !== 1)) bad++;
      }
      ds.close();
      return { bad };
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

function temps(dir) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.includes("_tmp")) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

async function worker(data) {
  if (data.kind === "long") {
    const ds = await WkwDataset.create(data.dir, { voxelType: "uint8", blockLen: 16, fileLen: 2, blockType: "lz4hc" });
    const size = [128, 128, 128];
    const big = { data: new Uint8Array(formulaBytes("uint8", 1, [0, 0, 0], size, 5)), shape: size };
    const p = ds.write([3, 3, 3], big, { level: 12 });
    parentPort.postMessage("started");
    await p;
    return;
  }
  const bad = await workload(data.dir, data.blockType);
  const shared = await WkwDataset.open(data.shared);
  const part = await shared.read([10, 20, 30], [40, 30, 20]);
  const expect = formulaBytes("uint8", 1, [10, 20, 30], [40, 30, 20], 77);
  shared.close();
  parentPort.postMessage({ blockType: data.blockType, bad, sharedOk: Buffer.compare(Buffer.from(part.data), expect) === 0, snapshot: snapshot(data.dir) });
}

if (isMainThread) {
  const [mode, json] = process.argv.slice(2);
  main(mode, JSON.parse(json)).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
} else {
  await worker(workerData);
}
