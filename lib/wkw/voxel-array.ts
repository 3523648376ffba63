/**
 * Voxel arrays: the (c, x, y, z) Fortran-order result of a read, and the normalisation of
 * any ndarray-like write input into data + element offset + strides for the native core.
 */
import { TYPED_ARRAY, type VoxelData, type VoxelType, voxelTypeOf } from "../dtypes.js";
import { argumentError, misuseError } from "../util/validate.js";

export type Shape4 = [number, number, number, number];

export interface VoxelArray<T extends VoxelData = VoxelData> {
  data: T;
  /** [channels, x, y, z] */
  shape: Shape4;
  /** Element strides for (c, x, y, z): Fortran order, [1, c, c·x, c·x·y]. */
  stride: Shape4;
  dtype: VoxelType;
}

/** Anything shaped like an ndarray: scijs ndarray, a VoxelArray, or a plain object. */
export interface NdArrayLike<T extends VoxelData = VoxelData> {
  data: T;
  shape: readonly number[];
  /** Element strides; absent means Fortran order (x fastest), as a VoxelArray. */
  stride?: readonly number[];
  /** Element offset of item (0, 0, 0[, 0]) in data (scijs ndarray). */
  offset?: number;
  dtype?: string;
}

export function fortranStrides(shape: readonly number[]): Shape4 {
  const [c, x, y] = shape as Shape4;
  return [1, c, c * x, c * x * y];
}

export function allocateVoxelArray(dtype: VoxelType, channels: number, size: readonly number[]): VoxelArray {
  const shape: Shape4 = [channels, size[0]!, size[1]!, size[2]!];
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  return { data: new TYPED_ARRAY[dtype](n), shape, stride: fortranStrides(shape), dtype };
}

export interface StridedInput {
  data: VoxelData;
  elementOffset: number;
  strides: [number, number, number, number];
  /** [x, y, z] */
  size: [number, number, number];
}

function isInt(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n);
}

/**
 * Checks a write input against the dataset's dtype and channel count and returns what the
 * native core needs. Shape [x, y, z] is one channel; [c, x, y, z] must match the channel
 * count (a leading 1 is accepted for one channel).
 */
export function toStridedInput(value: unknown, dtype: VoxelType, channels: number, parameter = "data", broadcast = false): StridedInput {
  if (ArrayBuffer.isView(value)) {
    throw argumentError(parameter, "an ndarray-like { data, shape, stride? } (a plain TypedArray needs an explicit shape)", value);
  }
  if (value === null || typeof value !== "object") {
    throw argumentError(parameter, "an ndarray-like { data, shape, stride?, offset? }", value);
  }
  const v = value as Partial<NdArrayLike>;
  const actual = voxelTypeOf(v.data);
  if (actual === undefined) throw argumentError(`${parameter}.data`, `a ${TYPED_ARRAY[dtype].name} (dtype ${dtype})`, v.data);
  if (actual !== dtype) throw argumentError(`${parameter}.data`, `dtype ${dtype} (${TYPED_ARRAY[dtype].name})`, `${actual} (${v.data!.constructor.name})`);
  if (v.dtype !== undefined && v.dtype !== dtype) throw argumentError(`${parameter}.dtype`, `"${dtype}"`, v.dtype);
  const shape = v.shape;
  if (!Array.isArray(shape) || (shape.length !== 3 && shape.length !== 4) || !shape.every((n) => isInt(n) && n >= 0)) {
    throw argumentError(`${parameter}.shape`, "[x, y, z] or [c, x, y, z] of non-negative integers", shape);
  }
  const four = shape.length === 4;
  const c = four ? shape[0]! : 1;
  if (c !== channels) {
    throw argumentError(`${parameter}.shape`, `${channels} channel(s) (shape [${channels}, x, y, z]${channels === 1 ? " or [x, y, z]" : ""})`, shape);
  }
  let strides: number[];
  if (v.stride === undefined) {
    strides = fortranStrides(four ? shape : [1, ...shape]);
  } else {
    const s = v.stride;
    if (!Array.isArray(s) || s.length !== shape.length || !s.every(isInt)) {
      throw argumentError(`${parameter}.stride`, `${shape.length} integer strides`, s);
    }
    strides = four ? [...s] : [1, ...s];
  }
  const dims = four ? shape : [1, ...shape];
  // A stride of 0 repeats one item along an axis: allowed only as an explicit broadcast.
  const zero = strides.findIndex((st, i) => st === 0 && dims[i]! > 1);
  if (zero >= 0 && !broadcast && !dims.includes(0)) {
    const axis = "cxyz"[zero];
    throw misuseError(`${parameter}.stride`, `is 0 on axis ${axis} (length ${dims[zero]}), which repeats one item along it: pass { broadcast: true } to mean that`, v.stride);
  }
  const elementOffset = v.offset ?? 0;
  if (!isInt(elementOffset) || elementOffset < 0) throw argumentError(`${parameter}.offset`, "a non-negative integer", elementOffset);
  // Reachable element range must lie inside data (checked again natively).
  let lo = elementOffset;
  let hi = elementOffset;
  for (let i = 0; i < 4; i++) {
    const span = (dims[i]! - 1) * strides[i]!;
    if (span < 0) lo += span;
    else hi += span;
  }
  const empty = dims.some((d) => d === 0);
  if (!empty && (lo < 0 || hi >= v.data!.length)) {
    throw argumentError(`${parameter}.data`, `at least ${hi + 1} items for shape [${shape.join(", ")}] and its strides`, v.data);
  }
  // Dense data (no strides given) must be exactly as long as its shape: a longer array
  // usually means a wrong shape.
  const count = dims.reduce((a, b) => a * b, 1);
  if (v.stride === undefined && v.data!.length !== elementOffset + count) {
    throw argumentError(`${parameter}.data`, `exactly ${elementOffset + count} items for shape [${shape.join(", ")}]${elementOffset ? ` at offset ${elementOffset}` : ""}`, v.data);
  }
  return {
    data: v.data!,
    elementOffset,
    strides: strides as [number, number, number, number],
    size: [dims[1]!, dims[2]!, dims[3]!],
  };
}

/** Checks a caller-supplied output array: right dtype, shape [c, ...size], dense Fortran order. */
export function checkOutArray(out: unknown, dtype: VoxelType, channels: number, size: readonly number[]): VoxelArray {
  if (out === null || typeof out !== "object") throw argumentError("options.out", "a VoxelArray { data, shape, stride, dtype }", out);
  const o = out as Partial<VoxelArray>;
  const actual = voxelTypeOf(o.data);
  if (actual !== dtype) throw argumentError("options.out.data", `a ${TYPED_ARRAY[dtype].name} (dtype ${dtype})`, o.data);
  const shape: Shape4 = [channels, size[0]!, size[1]!, size[2]!];
  if (!Array.isArray(o.shape) || o.shape.length !== 4 || o.shape.some((n, i) => n !== shape[i])) {
    throw argumentError("options.out.shape", `[${shape.join(", ")}]`, o.shape);
  }
  const stride = fortranStrides(shape);
  if (o.stride !== undefined && (!Array.isArray(o.stride) || o.stride.some((n, i) => shape[i]! > 1 && n !== stride[i]))) {
    throw argumentError("options.out.stride", `dense Fortran strides [${stride.join(", ")}]`, o.stride);
  }
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  if (o.data!.length !== n) throw argumentError("options.out.data", `exactly ${n} items`, o.data);
  return { data: o.data!, shape, stride, dtype };
}
