/**
 * downsampleArray: the native downsampling filters on an ndarray-like, as a pure function.
 * Sizes that are not multiples of the factors are padded with zeros (webknossos-libs).
 */
import { binding } from "../binding.js";
import { TYPED_ARRAY, voxelTypeOf } from "../dtypes.js";
import { WkwError, toWkwError } from "../errors.js";
import { argumentError, checkInteger } from "../util/validate.js";
import { type NdArrayLike, type VoxelArray, fortranStrides, toStridedInput } from "../wkw/voxel-array.js";

/** The filters; median/mode/max/min equal webknossos-libs' numpy kernels byte for byte. */
export const INTERPOLATION_MODES = ["median", "mode", "max", "min", "average", "nearest"] as const;
export type InterpolationMode = (typeof INTERPOLATION_MODES)[number];

/** Factors of one step per axis: an integer (all axes) or [fx, fy, fz], each in [1, 1024]. */
export type DownsampleFactors = number | readonly [number, number, number];

const MAX_FACTOR = 1024;

export function checkInterpolationMode(parameter: string, value: unknown): InterpolationMode {
  if (typeof value === "string" && (INTERPOLATION_MODES as readonly string[]).includes(value)) return value as InterpolationMode;
  const why = value === "bilinear" || value === "bicubic" ? ` (${value} is not implemented)` : "";
  throw new WkwError("ERR_WKW_ARGUMENT", `${parameter} must be one of ${INTERPOLATION_MODES.join(", ")}${why}, received ${JSON.stringify(value)}`, {
    parameter,
    expected: INTERPOLATION_MODES.join(", "),
    received: String(value),
  });
}

export function checkFactors(parameter: string, value: unknown): [number, number, number] {
  if (typeof value === "number") {
    const f = checkInteger(parameter, value, 1, MAX_FACTOR);
    return [f, f, f];
  }
  if (!Array.isArray(value) || value.length !== 3) throw argumentError(parameter, `an integer or an array of 3 integers in [1, ${MAX_FACTOR}]`, value);
  return value.map((v) => checkInteger(parameter, v, 1, MAX_FACTOR)) as [number, number, number];
}

function plan(input: unknown, factors: unknown, mode: unknown) {
  const f = checkFactors("factors", factors);
  const m = checkInterpolationMode("mode", mode);
  if (input === null || typeof input !== "object" || ArrayBuffer.isView(input)) {
    throw argumentError("input", "an ndarray-like { data, shape: [c, x, y, z] | [x, y, z], stride?, offset? }", input);
  }
  const v = input as Partial<NdArrayLike>;
  const dtype = voxelTypeOf(v.data);
  if (dtype === undefined) throw argumentError("input.data", "a TypedArray of a voxel type (Uint8Array … BigInt64Array, Float32Array, Float64Array)", v.data);
  const channels = Array.isArray(v.shape) && v.shape.length === 4 ? v.shape[0] : 1;
  if (typeof channels !== "number" || !Number.isInteger(channels) || channels < 1 || channels > 65535) {
    throw argumentError("input.shape", "[c, x, y, z] with 1 to 65535 channels, or [x, y, z]", v.shape);
  }
  const s = toStridedInput(input, dtype, channels, "input");
  const shape = [channels, ...s.size.map((n, i) => Math.ceil(n / f[i]!))] as [number, number, number, number];
  const count = shape[0] * shape[1] * shape[2] * shape[3];
  let data;
  try {
    data = new TYPED_ARRAY[dtype](count);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw argumentError("input.shape", `a result whose ${count} items fit in one typed array`, v.shape);
  }
  const out: VoxelArray = { data, shape, stride: fortranStrides(shape), dtype };
  const args = [s.data, s.elementOffset, [channels, ...s.size], s.strides, f, m, data] as const;
  return { out, args };
}

/**
 * Downsamples `input` ((c, x, y, z) or (x, y, z), any strides) by `factors` with `mode`
 * ("median" | "mode" | "max" | "min" | "average" | "nearest"), per channel. Returns a
 * Fortran-order VoxelArray of shape [c, ceil(x/fx), ceil(y/fy), ceil(z/fz)]. Runs on the
 * libuv pool; `input.data` must not be transferred or changed until the Promise settles.
 */
export async function downsampleArray(input: NdArrayLike, factors: DownsampleFactors, mode: InterpolationMode): Promise<VoxelArray> {
  const { out, args } = plan(input, factors, mode);
  try {
    await binding.downsampleArray(...args);
  } catch (err) {
    throw toWkwError(err);
  }
  return out;
}

/** downsampleArray on the calling thread (small arrays; no pool hop). */
export function downsampleArraySync(input: NdArrayLike, factors: DownsampleFactors, mode: InterpolationMode): VoxelArray {
  const { out, args } = plan(input, factors, mode);
  try {
    binding.downsampleArraySync(...args);
  } catch (err) {
    throw toWkwError(err);
  }
  return out;
}
