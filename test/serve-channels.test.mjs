// The native channel reorder behind multi-channel chunks (binding.channelsToPlanar): exact
// results for every element size, and refusal of every bad argument without touching memory.
import assert from "node:assert/strict";
import { test } from "node:test";
import bindingPkg from "../dist/binding.js";

const { binding } = bindingPkg;

function isArg(re) {
  return (e) => e.code === "ERR_WKW_ARGUMENT" && re.test(e.message);
}

test("channel-fastest → channel-slowest for 1, 2, 4 and 8-byte elements", () => {
  for (const C of [Uint8Array, Int16Array, Float32Array, BigUint64Array]) {
    const channels = 3, voxels = 5;
    const src = new C(channels * voxels);
    for (let v = 0; v < voxels; v++) for (let c = 0; c < channels; c++) src[v * channels + c] = C === BigUint64Array ? BigInt(10 * c + v) : 10 * c + v;
    const dst = new C(src.length);
    binding.channelsToPlanar(src, dst, channels);
    const want = Array.from({ length: channels * voxels }, (_, i) => Math.floor(i / voxels) * 10 + (i % voxels));
    assert.deepEqual(Array.from(dst, Number), want, C.name);
  }
  // a view at a byte offset into a larger buffer
  const buf = new Uint8Array(20);
  const src = buf.subarray(3, 9);
  src.set([1, 2, 3, 4, 5, 6]);
  const dst = new Uint8Array(6);
  binding.channelsToPlanar(src, dst, 2);
  assert.deepEqual([...dst], [1, 3, 5, 2, 4, 6]);
});

test("bad arguments are ERR_WKW_ARGUMENT and leave dst as it was", () => {
  const dst = new Uint8Array(6).fill(9);
  assert.throws(() => binding.channelsToPlanar([1, 2, 3], dst, 3), isArg(/src must be a TypedArray/));
  assert.throws(() => binding.channelsToPlanar(new Uint8Array(6), {}, 3), isArg(/dst must be a TypedArray/));
  assert.throws(() => binding.channelsToPlanar(new Uint8Array(6), dst, 0), isArg(/channels/));
  assert.throws(() => binding.channelsToPlanar(new Uint8Array(6), dst, 2.5), isArg(/channels/));
  assert.throws(() => binding.channelsToPlanar(new Uint8Array(6), dst, "3"), isArg(/channels/));
  assert.throws(() => binding.channelsToPlanar(new Uint8Array(6), dst, 4), isArg(/multiple of channels/));
  assert.throws(() => binding.channelsToPlanar(new Uint8Array(8), dst, 2), isArg(/same element size and length/));
  assert.throws(() => binding.channelsToPlanar(new Uint16Array(3), dst, 3), isArg(/same element size and length/));
  assert.throws(() => binding.channelsToPlanar(dst.subarray(0, 3), dst.subarray(2, 5), 3), isArg(/overlap/));
  assert.deepEqual([...dst], [9, 9, 9, 9, 9, 9]);
});
