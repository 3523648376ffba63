// downsampleArray / downsampleArraySync: every mode × voxel type × channel count × factor
// set against the independent reference routines of support/downsample-reference.mjs
// (ties, negative integers, 64-bit values beyond 2^53, floats, NaN, zero padding), strided
// input, the uniform and all-zero fast paths, and bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { downsampleArray, downsampleArraySync, INTERPOLATION_MODES, WkwError } from "../dist/index.js";
import { referenceDownsample } from "./support/downsample-reference.mjs";
import { bytes, isArgError } from "./support/dataset.mjs";

const TYPES = {
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array, float32: Float32Array,
  float64: Float64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
};
const FACTORS = [[2, 2, 2], [2, 2, 1], [3, 3, 1], [4, 4, 4], [1, 1, 1], [2, 3, 5], [1, 1, 2]];
const SHAPES = [[8, 8, 8], [7, 8, 9]];

/** Deterministic values with many ties, negatives for signed types and extremes of each type. */
function values(dtype, n, seed) {
  const A = TYPES[dtype];
  const a = new A(n);
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const signed = dtype.startsWith("int");
  for (let i = 0; i < n; i++) {
    const r = next();
    const small = (r % 6) - (signed ? 3 : 0);
    const extreme = (r >>> 8) % 7 === 0; // some voxels at the edges of the type
    switch (dtype) {
      case "uint8": a[i] = extreme ? 250 + (r % 6) : small; break;
      case "int8": a[i] = extreme ? ((r & 1) ? 127 : -128) : small; break;
      case "uint16": a[i] = extreme ? 65530 + (r % 6) : small; break;
      case "int16": a[i] = extreme ? ((r & 1) ? 32767 : -32768) : small; break;
      case "uint32": a[i] = extreme ? 4294967290 + (r % 6) : small; break;
      case "int32": a[i] = extreme ? ((r & 1) ? 2147483647 : -2147483648) : small; break;
      case "uint64": a[i] = extreme ? 2n ** 60n + BigInt(r % 6) * 12345n : BigInt(small); break;
      case "int64": a[i] = extreme ? ((r & 1) ? 1n : -1n) * (2n ** 61n + BigInt(r % 6) * 777n) : BigInt(small); break;
      case "float32": a[i] = extreme ? 1e30 * (r % 3) : small * 0.1 + 0.01; break;
      case "float64": a[i] = extreme ? -1e300 : small * 0.1 + 1e-9; break;
    }
  }
  return a;
}

function sameValues(got, exp, what) {
  assert.deepEqual(got.shape, exp.shape, what);
  if (got.data instanceof Float32Array || got.data instanceof Float64Array) {
    // NaN payloads aside, the bytes must match: compare NaN-ness, then the rest bitwise.
    for (let i = 0; i < exp.data.length; i++) {
      if (Number.isNaN(exp.data[i])) assert.ok(Number.isNaN(got.data[i]), `${what} [${i}] NaN`);
      else if (!Object.is(got.data[i], exp.data[i])) assert.fail(`${what} [${i}]: ${got.data[i]} !== ${exp.data[i]}`);
    }
    return;
  }
  if (Buffer.compare(bytes(got.data), bytes(exp.data)) !== 0) {
    const i = got.data.findIndex((v, k) => v !== exp.data[k]);
    assert.fail(`${what}: first difference at ${i}: ${got.data[i]} !== ${exp.data[i]}`);
  }
}

test("every mode × voxel type × channels × factors equals the reference routines", () => {
  let cases = 0;
  for (const [dtype] of Object.entries(TYPES)) {
    for (const channels of [1, 3]) {
      for (const [k, xyz] of SHAPES.entries()) {
        const shape = [channels, ...xyz];
        const data = values(dtype, shape.reduce((a, b) => a * b), 17 + k * 31 + channels);
        for (const factors of FACTORS) {
          for (const mode of INTERPOLATION_MODES) {
            const exp = referenceDownsample({ data, shape }, factors, mode);
            const got = downsampleArraySync({ data, shape }, factors, mode);
            assert.equal(got.dtype, dtype);
            assert.deepEqual(got.stride, [1, channels, channels * exp.shape[1], channels * exp.shape[1] * exp.shape[2]]);
            sameValues(got, exp, `${dtype} c${channels} ${xyz} ${factors} ${mode}`);
            cases++;
          }
        }
      }
    }
  }
  assert.equal(cases, 10 * 2 * 2 * FACTORS.length * 6);
});

test("known values: mode ties go to the smallest, median truncates, float median in its own type", () => {
  const d = new Uint8Array([1, 3, 1, 4, 4, 2, 3, 1]);
  assert.deepEqual([...downsampleArraySync({ data: d, shape: [2, 2, 2] }, 2, "mode").data], [1]);
  assert.deepEqual([...downsampleArraySync({ data: d, shape: [2, 2, 2] }, 2, "median").data], [2]); // (2 + 3) / 2
  const tie = new Uint32Array([7, 7, 5, 5, 9, 9, 2, 3]);
  assert.deepEqual([...downsampleArraySync({ data: tie, shape: [2, 2, 2] }, 2, "mode").data], [5]);
  const neg = new Int16Array([-3, -2, -2, -3]);
  assert.deepEqual([...downsampleArraySync({ data: neg, shape: [2, 2, 1] }, [2, 2, 1], "median").data], [-2]); // -2.5 → -2
  assert.deepEqual([...downsampleArraySync({ data: neg, shape: [2, 2, 1] }, [2, 2, 1], "average").data], [-2]); // -2.5 → -2 (even)
  assert.deepEqual([...downsampleArraySync({ data: new Int16Array([1, 2, 2, 2]), shape: [2, 2, 1] }, [2, 2, 1], "average").data], [2]); // 1.75
  assert.deepEqual([...downsampleArraySync({ data: new Uint8Array([255, 255, 254, 254]), shape: [2, 2, 1] }, [2, 2, 1], "median").data], [254]);
  // float32: 16777216 + 16777218 rounds in float32 before the halving
  const f = new Float32Array([16777216, 16777218, 0, 1e9]);
  assert.deepEqual([...downsampleArraySync({ data: f, shape: [4, 1, 1] }, [4, 1, 1], "median").data], [Math.fround(Math.fround(16777216 + 16777218) / 2)]);
  const nan = new Float32Array([1, NaN, 3, 4]);
  for (const m of ["median", "max", "min"]) assert.ok(Number.isNaN(downsampleArraySync({ data: nan, shape: [4, 1, 1] }, [4, 1, 1], m).data[0]), m);
  // int64 beyond 2^53: the median goes through float64, as numpy's
  const big = new BigInt64Array([2n ** 53n + 1n, 2n ** 53n + 1n, 2n ** 53n + 1n]);
  assert.deepEqual([...downsampleArraySync({ data: big, shape: [3, 1, 1] }, [3, 1, 1], "median").data], [2n ** 53n]);
  assert.deepEqual([...downsampleArraySync({ data: big, shape: [3, 1, 1] }, [3, 1, 1], "mode").data], [2n ** 53n + 1n]);
  // nearest: the lowest corner
  const ramp = Uint8Array.from({ length: 64 }, (_, i) => i);
  assert.deepEqual([...downsampleArraySync({ data: ramp, shape: [4, 4, 4] }, 2, "nearest").data], [0, 2, 8, 10, 32, 34, 40, 42]);
});

test("zero padding: sizes that are not multiples of the factors", () => {
  const d = new Uint8Array([9, 9, 9]); // 3 × 1 × 1, factor 2 → [9, (9 + 0)]
  assert.deepEqual([...downsampleArraySync({ data: d, shape: [3, 1, 1] }, [2, 1, 1], "max").data], [9, 9]);
  assert.deepEqual([...downsampleArraySync({ data: d, shape: [3, 1, 1] }, [2, 1, 1], "min").data], [9, 0]);
  assert.deepEqual([...downsampleArraySync({ data: d, shape: [3, 1, 1] }, [2, 1, 1], "median").data], [9, 4]);
  const r = downsampleArraySync({ data: new Uint8Array(5 * 5 * 5).fill(3), shape: [5, 5, 5] }, 2, "mode");
  assert.deepEqual(r.shape, [1, 3, 3, 3]);
  // corner output voxel: 1 voxel of 3 and 7 padding zeros
  assert.equal(r.data[26], 0);
  assert.equal(r.data[0], 3);
});

test("uniform and all-zero inputs (fast paths) give the value for every mode and type", () => {
  for (const [dtype, A] of Object.entries(TYPES)) {
    for (const v of [0, 5]) {
      const data = new A(16 * 16 * 16).fill(typeof new A(1)[0] === "bigint" ? BigInt(v) : v);
      for (const mode of INTERPOLATION_MODES) {
        const got = downsampleArraySync({ data, shape: [16, 16, 16] }, [2, 2, 2], mode);
        const exp = referenceDownsample({ data, shape: [1, 16, 16, 16] }, [2, 2, 2], mode);
        sameValues(got, exp, `${dtype} ${v} ${mode}`);
      }
    }
  }
  // Huge uniform int64 values are not passed through unchanged by the median (float64).
  const big = new BigInt64Array(8).fill(2n ** 62n + 1n);
  assert.deepEqual([...downsampleArraySync({ data: big, shape: [2, 2, 2] }, 2, "median").data], [2n ** 62n]);
  assert.deepEqual([...downsampleArraySync({ data: big, shape: [2, 2, 2] }, 2, "max").data], [2n ** 62n + 1n]);
});

test("async equals sync; strided (C-order, offset) input equals the Fortran copy", async () => {
  const shape = [2, 40, 36, 34];
  const data = values("uint16", shape.reduce((a, b) => a * b), 99);
  // C order of (c, x, y, z): z fastest
  const c = new Uint16Array(data.length + 5);
  const [nc, nx, ny, nz] = shape;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) for (let ch = 0; ch < nc; ch++) {
    c[5 + ((ch * nx + x) * ny + y) * nz + z] = data[ch + nc * (x + nx * (y + ny * z))];
  }
  const cStride = [nx * ny * nz, ny * nz, nz, 1];
  for (const mode of INTERPOLATION_MODES) {
    const exp = downsampleArraySync({ data, shape }, [2, 2, 2], mode);
    const got = await downsampleArray({ data: c, shape, stride: cStride, offset: 5 }, [2, 2, 2], mode);
    assert.deepEqual(got.shape, exp.shape);
    assert.ok(Buffer.compare(bytes(got.data), bytes(exp.data)) === 0, mode);
    sameValues(got, referenceDownsample({ data, shape }, [2, 2, 2], mode), mode);
  }
  // A 3-D shape is one channel; a large volume runs as several pool tasks.
  const vol = values("uint8", 96 * 96 * 96, 5);
  const a = await downsampleArray({ data: vol, shape: [96, 96, 96] }, [2, 2, 1], "median");
  const b = downsampleArraySync({ data: vol, shape: [1, 96, 96, 96] }, [2, 2, 1], "median");
  assert.deepEqual(a.shape, [1, 48, 48, 96]);
  assert.ok(Buffer.compare(bytes(a.data), bytes(b.data)) === 0);
  // many channels (more than a WKW voxel holds): filtered per channel
  const wide = { data: values("int32", 300 * 4 * 3 * 2, 3), shape: [300, 4, 3, 2] };
  sameValues(await downsampleArray(wide, 2, "mode"), referenceDownsample(wide, [2, 2, 2], "mode"), "300 channels");
  const empty = downsampleArraySync({ data: new Uint8Array(0), shape: [0, 4, 4] }, 2, "max");
  assert.deepEqual(empty.shape, [1, 0, 2, 2]);
});

test("bad input is a WkwError naming the parameter", async () => {
  const data = new Uint8Array(8);
  const ok = { data, shape: [2, 2, 2] };
  for (const m of ["bilinear", "bicubic"]) {
    assert.throws(() => downsampleArraySync(ok, 2, m), (e) => e instanceof WkwError && e.code === "ERR_WKW_ARGUMENT" && e.parameter === "mode" &&
      e.message.includes("median, mode, max, min, average, nearest") && e.message.includes("not implemented"));
  }
  assert.throws(() => downsampleArraySync(ok, 2, "MEDIAN"), isArgError("mode"));
  assert.throws(() => downsampleArraySync(ok, 2, undefined), isArgError("mode"));
  await assert.rejects(downsampleArray(ok, 2, "spline"), isArgError("mode"));
  assert.throws(() => downsampleArraySync(ok, 0, "max"), isArgError("factors"));
  assert.throws(() => downsampleArraySync(ok, 1.5, "max"), isArgError("factors"));
  assert.throws(() => downsampleArraySync(ok, [2, 2], "max"), isArgError("factors"));
  assert.throws(() => downsampleArraySync(ok, [2, 2, 2000], "max"), isArgError("factors"));
  assert.throws(() => downsampleArraySync(data, 2, "max"), isArgError("input"));
  assert.throws(() => downsampleArraySync(null, 2, "max"), isArgError("input"));
  assert.throws(() => downsampleArraySync({ data: new Uint8ClampedArray(8), shape: [2, 2, 2] }, 2, "max"), isArgError("input.data"));
  assert.throws(() => downsampleArraySync({ data: [1, 2], shape: [2, 1, 1] }, 2, "max"), isArgError("input.data"));
  assert.throws(() => downsampleArraySync({ data, shape: [2, 2, 3] }, 2, "max"), isArgError("input.data"));
  assert.throws(() => downsampleArraySync({ data, shape: [2, 2] }, 2, "max"), isArgError("input.shape"));
  assert.throws(() => downsampleArraySync({ data, shape: [0, 2, 2, 2] }, 2, "max"), isArgError("input.shape"));
  assert.throws(() => downsampleArraySync({ data, shape: [2, 2, 2], stride: [1, 2] }, 2, "max"), isArgError("input.stride"));
  assert.throws(() => downsampleArraySync({ data, shape: [2, 2, 2], stride: [1, 2, 8] }, 2, "max"), isArgError("input.data"));
  assert.throws(() => downsampleArraySync({ data, shape: [2, 2, 2], offset: -1 }, 2, "max"), isArgError("input.offset"));
});
