// Runs one of the calls that once crashed the process (SIGSEGV, SIGABRT) and prints what it
// threw as JSON. Run by test/native-regressions.test.mjs in a child process, so a crash
// fails that test instead of killing the test runner.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WkwDataset } from "../../dist/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const binding = createRequire(import.meta.url)("node-gyp-build")(root);
const dir = mkdtempSync(path.join(tmpdir(), "wkw-native-regression-"));

function nativeMag(blockType = 1) {
  const header = binding.serializeHeader({ blockLen: 32, fileLen: 1, blockType, voxelType: 1, voxelSize: 1 });
  return new binding.NativeMag(dir, header);
}

const CASES = {
  // (16385 - 1) * 2^50 = 2^64 wrapped to 0: the range check passed and the copy ran wild.
  "stride-2^50": () => nativeMag().writeSync([0, 0, 0], [16385, 1, 1], new Uint8Array(16), 0, [1, 2 ** 50, 1, 1]),
  "stride-2^50-async": () => nativeMag().write([0, 0, 0], [16385, 1, 1], new Uint8Array(16), 0, [1, 2 ** 50, 1, 1]),
  "negative-stride-2^50": () => nativeMag().writeSync([0, 0, 0], [1, 16385, 1], new Uint8Array(16), 0, [1, 1, -(2 ** 50), 1]),
  // 1 * 2^31 * 2^31 * 4 items = 2^64 wrapped to 0: a 1-item array passed as big enough.
  "read-count-wraps": () => nativeMag().readSync([0, 0, 0], [2 ** 31, 2 ** 31, 4], new Uint8Array(1), 1),
  // A stride-0 write of 2^31 voxels per axis planned ~2^33 tasks: std::bad_alloc → terminate.
  "broadcast-2^31-native": () => nativeMag(2).writeSync([0, 0, 0], [2 ** 31, 2 ** 31, 2 ** 31], new Uint8Array(1), 0, [0, 0, 0, 0], { broadcast: true }),
  "stride-0-native": () => nativeMag().writeSync([0, 0, 0], [4, 4, 4], new Uint8Array(1), 0, [0, 0, 0, 0]),
  "broadcast-2^31-public": async () => {
    const ds = await WkwDataset.create(path.join(dir, "public"), { voxelType: "uint8", blockType: "lz4" });
    return ds.write([0, 0, 0], { data: new Uint8Array(1), shape: [2 ** 31, 2 ** 31, 2 ** 31], stride: [0, 0, 0] }, { broadcast: true });
  },
  "stride-0-public": async () => {
    const ds = await WkwDataset.create(path.join(dir, "public0"), { voxelType: "uint8" });
    return ds.write([0, 0, 0], { data: new Uint8Array(1), shape: [2 ** 31, 2 ** 31, 2 ** 31], stride: [0, 0, 0] });
  },
  // A NativeMag passed as the cancel token was read as an atomic flag.
  "mag-as-cancel-token": () => nativeMag().read([0, 0, 0], [1, 1, 1], new Uint8Array(1), 1, 1, nativeMag()),
  // A CancelToken as `this` of a NativeMag method was unwrapped as a NativeMag.
  "token-as-this": () => binding.NativeMag.prototype.readSync.call(new binding.CancelToken(), [0, 0, 0], [1, 1, 1], new Uint8Array(1), 1),
  "plain-object-as-this": () => binding.NativeMag.prototype.close.call({}),
  // A sparse array of 2^32 - 1 file indices: a 32 GiB allocation on the JS thread.
  "huge-file-list": () => {
    const a = [];
    a.length = 2 ** 32 - 1 - ((2 ** 32 - 1) % 3);
    return nativeMag().compressFiles(path.join(dir, "target"), binding.serializeHeader({ blockLen: 32, fileLen: 1, blockType: 2, voxelType: 1, voxelSize: 1 }), a);
  },
};

const name = process.argv[2];
let result;
try {
  await CASES[name]();
  result = { ok: true };
} catch (err) {
  result = { ok: false, name: err?.name, code: err?.code, message: err?.message, isError: err instanceof Error };
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result));
