// Fuzzes the binding surface: every function and method of the addon gets random argument
// types, shapes and values (and methods random receivers). Prints a JSON summary. Run by
// test/binding-fuzz.test.mjs in a child process, so a crash fails the test instead of
// killing the runner. Usage: node binding-fuzz-child.mjs <calls> <seed>
//
// Valid calls happen too (about one in ten goes through to the core) and write small files
// into a temporary folder; `broadcast` and `durable` are never passed, so a valid write is
// bounded by its (small) data array and costs no fsync.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const b = createRequire(import.meta.url)("node-gyp-build")(root);
const CALLS = Number(process.argv[2] ?? 100_000);
let seed = Number(process.argv[3] ?? 1) >>> 0 || 1;
const tmp = mkdtempSync(path.join(tmpdir(), "wkw-binding-fuzz-"));
// Random paths such as "abc" are relative: they must land in the temporary folder, never
// in the checkout the test was started from.
process.chdir(tmp);

function rnd() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 2 ** 32;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
// Mostly a plausible value, sometimes anything at all.
const choose = (good, bad) => (rnd() < 0.8 ? pick(good)() : pick(bad)());

function detached() {
  const a = new Uint8Array(64);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}
const ANY = [
  () => undefined, () => null, () => 0, () => -1, () => 1.5, () => NaN, () => Infinity, () => 2 ** 53, () => 2 ** 64,
  () => "", () => "abc", () => "/", () => true, () => 10n, () => Symbol("s"), () => ({}), () => [], () => [1, 2, 3],
  () => new Uint8Array(16), () => new ArrayBuffer(8), () => new DataView(new ArrayBuffer(8)), () => () => 1,
  () => new Uint8ClampedArray(16), () => detached(), () => new b.CancelToken(), () => pick(mags), () => new Date(0),
];
const SMALL = [0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 100];
const HUGE = [2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 50, 2 ** 53, -1, -(2 ** 50), 16385, 1e300];
const intArg = () => choose([() => pick(SMALL), () => int(1000)], [...ANY, () => pick(HUGE)]);
const vec = (f) => [f(), f(), f()];
const vec3 = () => choose(
  [() => vec(() => pick(SMALL)), () => [0, 0, 0], () => vec(() => int(80))],
  [...ANY, () => vec(() => pick(HUGE)), () => [1, 2], () => [1, 2, 3, 4], () => ({ 0: 1, 1: 1, 2: 1, length: 3 }),
    () => [NaN, 0, 0], () => new Uint32Array([1, 1, 1]), () => [2 ** 31, 2 ** 31, 4], () => [16385, 1, 1], () => vec(intArg)],
);
const shape = () => choose(
  [() => [1, 1, 1], () => [2, 3, 4], () => [8, 8, 8], () => [16, 16, 16], () => [0, 5, 5], () => vec(() => 1 + int(9))],
  [() => vec3(), () => [2 ** 31, 2 ** 31, 2 ** 31], () => [2 ** 31, 1, 1], () => [4096, 4096, 4096]],
);
const ARRAYS = [Uint8Array, Uint16Array, Uint32Array, BigUint64Array, Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, BigInt64Array];
const typed = () => choose(
  [() => new (pick(ARRAYS))(pick([0, 1, 8, 64, 512, 1000, 4096, 3 * 4096])), () => new Uint8Array(4096), () => new Uint8Array(4096).subarray(7)],
  ANY,
);
const strides = () => choose(
  [() => [1, 1, 8, 64], () => [1, 1, 2, 6], () => [1, 3, 3 * 8, 3 * 64], () => [1, 1, 16, 256], () => [1, -1, -8, -64],
    () => [int(3), int(5), int(70), int(600)]],
  [...ANY, () => [0, 0, 0, 0], () => [1, 2 ** 50, 1, 1], () => [1, 1, -(2 ** 50), 1], () => [1, 1, 1], () => [intArg(), intArg(), intArg(), intArg()]],
);
const LAYOUTS = [
  { blockLen: 8, fileLen: 2, blockType: 1, voxelType: 1, voxelSize: 1 },
  { blockLen: 8, fileLen: 1, blockType: 2, voxelType: 2, voxelSize: 2 },
  { blockLen: 4, fileLen: 4, blockType: 3, voxelType: 1, voxelSize: 3 },
  { blockLen: 16, fileLen: 1, blockType: 1, voxelType: 6, voxelSize: 8 },
  { blockLen: 8, fileLen: 2, blockType: 2, voxelType: 1, voxelSize: 1 },
];
const headerFields = () => choose(
  [() => ({ ...pick(LAYOUTS) }), () => ({ ...pick(LAYOUTS), dataOffset: pick([0, 16, undefined]) })],
  [...ANY, () => ({ ...pick(LAYOUTS), [pick(["blockLen", "fileLen", "blockType", "voxelType", "voxelSize", "dataOffset"])]: pick(ANY)() }),
    () => ({ blockLen: intArg(), fileLen: intArg(), blockType: intArg(), voxelType: intArg(), voxelSize: intArg() })],
);
const header = () => choose(
  [() => b.serializeHeader(pick(LAYOUTS))],
  [...ANY, () => { const h = b.serializeHeader(pick(LAYOUTS)); h[int(16)] = int(256); return h; },
    () => new Uint8Array(Array.from({ length: 16 }, () => int(256))), () => new Uint8Array(4), () => new Uint16Array(8)],
);
const dir = () => choose([() => path.join(tmp, `m${int(6)}`), () => path.join(tmp, `m${int(6)}`) + "/"], [() => pick(ANY)(), () => ""]);
const writeOptions = () => choose([() => undefined, () => ({}), () => ({ level: 1 + int(12) }), () => ({ durable: false })],
  [...ANY, () => ({ level: intArg() }), () => ({ level: pick(ANY)() })]);
const concurrency = () => choose([() => undefined, () => 0, () => 1, () => 2, () => 4], [...ANY, () => 1025, () => intArg()]);
const cancel = () => choose([() => undefined, () => null, () => new b.CancelToken(), () => { const t = new b.CancelToken(); t.cancel(); return t; }], ANY);
const fileIndices = () => choose(
  [() => [], () => [0, 0, 0], () => [0, 0, 0, 1, 0, 0], () => [int(3), int(3), int(3)]],
  [...ANY, () => [0, 0], () => [-1, 0, 0], () => [2 ** 31, 0, 0], () => ["0", 0, 0], () => { const a = []; a.length = 3 * 200_000; return a; }],
);

const mags = [];
function newMag() {
  const m = new b.NativeMag(path.join(tmp, `m${int(6)}`), b.serializeHeader(pick(LAYOUTS)));
  if (mags.length >= 12) mags.splice(int(mags.length), 1)[0].close();
  mags.push(m);
  return m;
}
for (let i = 0; i < 6; i++) newMag();
const self = () => choose([() => pick(mags)], ANY);

// name → a function making one call (returning its result or promise)
const CALLS_TABLE = {
  parseHeader: () => b.parseHeader(header(), choose([() => undefined, () => "name"], ANY)),
  serializeHeader: () => b.serializeHeader(headerFields()),
  setFileCacheCapacity: () => b.setFileCacheCapacity(choose([() => 64, () => 0, () => 1024], [...ANY, () => 2 ** 21, () => intArg()])),
  fileCacheSize: () => b.fileCacheSize(pick(ANY)()),
  defaultConcurrency: () => b.defaultConcurrency(pick(ANY)()),
  NativeMag: () => (rnd() < 0.5 ? newMag() : new b.NativeMag(dir(), header())),
  CancelToken: () => new b.CancelToken(pick(ANY)()),
  cancel: () => b.CancelToken.prototype.cancel.call(choose([() => new b.CancelToken()], ANY)),
  read: () => b.NativeMag.prototype.read.call(self(), vec3(), shape(), typed(), pick([0, 1, 2, true, undefined]), concurrency(), cancel()),
  readSync: () => b.NativeMag.prototype.readSync.call(self(), vec3(), shape(), typed(), pick([0, 1, 2, true])),
  write: () => b.NativeMag.prototype.write.call(self(), vec3(), shape(), typed(), choose([() => 0, () => int(8)], [() => intArg()]), strides(), writeOptions(), concurrency(), cancel()),
  writeSync: () => b.NativeMag.prototype.writeSync.call(self(), vec3(), shape(), typed(), choose([() => 0, () => int(8)], [() => intArg()]), strides(), writeOptions()),
  compressFiles: () => b.NativeMag.prototype.compressFiles.call(self(), dir(), header(), fileIndices(), writeOptions(), concurrency(), cancel()),
  close: () => {
    const r = b.NativeMag.prototype.close.call(self());
    if (rnd() < 0.5) newMag();
    return r;
  },
};
// The binding as it is now: calls of functions it no longer exports are dropped, and a
// function or class it exports that the table does not know yet is called with random
// arguments (classes with `new`), so no export goes unfuzzed.
const EXPORT_OF = { read: "NativeMag", readSync: "NativeMag", write: "NativeMag", writeSync: "NativeMag", compressFiles: "NativeMag", close: "NativeMag", cancel: "CancelToken" };
for (const name of Object.keys(CALLS_TABLE)) if (typeof b[EXPORT_OF[name] ?? name] !== "function") delete CALLS_TABLE[name];
const anyArgs = () => Array.from({ length: int(7) }, () => pick([...ANY, intArg, vec3, typed, header])());
for (const name of Object.keys(b)) {
  if (typeof b[name] !== "function" || name in CALLS_TABLE) continue;
  CALLS_TABLE[name] = () => {
    try {
      return b[name](...anyArgs());
    } catch (e) {
      if (e instanceof TypeError && /without 'new'/.test(e.message)) return new b[name](...anyArgs());
      throw e;
    }
  };
}
const NAMES = Object.keys(CALLS_TABLE);

const summary = { calls: 0, ok: 0, errors: {}, foreign: [], perFunction: {}, okPerFunction: {} };
function record(name, err) {
  if (err === undefined) {
    summary.ok++;
    summary.okPerFunction[name] = (summary.okPerFunction[name] ?? 0) + 1;
    return;
  }
  const wkw = err instanceof Error && typeof err.code === "string" && err.code.startsWith("ERR_WKW_");
  if (!wkw) {
    if (summary.foreign.length < 20) summary.foreign.push(`${name}: ${err?.name} ${err?.code} ${err?.message ?? String(err)}`);
    return;
  }
  summary.errors[err.code] = (summary.errors[err.code] ?? 0) + 1;
}

const pending = [];
while (summary.calls < CALLS) {
  const name = pick(NAMES);
  summary.calls++;
  summary.perFunction[name] = (summary.perFunction[name] ?? 0) + 1;
  try {
    const r = CALLS_TABLE[name]();
    if (r instanceof Promise) pending.push(r.then(() => record(name), (e) => record(name, e)));
    else record(name);
  } catch (e) {
    record(name, e);
  }
  if (pending.length >= 64) await Promise.all(pending.splice(0));
}
await Promise.all(pending);
for (const m of mags) m.close();
rmSync(tmp, { recursive: true, force: true });
process.stdout.write(JSON.stringify(summary));
