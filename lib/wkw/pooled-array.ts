/**
 * Result arrays of reads from the native pool of recycled memory: a fresh array whose
 * pages are already mapped, so filling it costs no page faults (docs/performance.md).
 */
import { binding } from "../binding.js";
import { TYPED_ARRAY, TYPE_SIZE, type VoxelType } from "../dtypes.js";
import { type Shape4, type VoxelArray, fortranStrides } from "./voxel-array.js";

/** Below this, V8's own allocation (from malloc's reused heap) is cheaper. */
export const POOLED_MIN_BYTES = 128 * 1024;

/**
 * A small (c, x, y, z) array of V8 memory that is not zeroed (Buffer.allocUnsafeSlow: a
 * block malloc just freed, still in the cache); undefined from POOLED_MIN_BYTES on. A
 * read whose `out` is not zeroed writes every voxel (zeros where files are missing), so
 * zeroing first is wasted: a tenth of a 32³ uint8 read.
 */
export function allocateUnfilledVoxelArray(dtype: VoxelType, channels: number, size: readonly number[]): VoxelArray | undefined {
  const shape: Shape4 = [channels, size[0]!, size[1]!, size[2]!];
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  const bytes = n * TYPE_SIZE[dtype];
  if (bytes >= POOLED_MIN_BYTES || bytes === 0) return undefined;
  const data = new TYPED_ARRAY[dtype](Buffer.allocUnsafeSlow(bytes).buffer, 0, n);
  return { data, shape, stride: fortranStrides(shape), dtype };
}

/**
 * A (c, x, y, z) array of pooled, not zeroed memory, or undefined (then use V8's) for
 * small arrays and at the pool's limit. Arrays return to the pool once a garbage
 * collection has found them dead.
 */
export function allocatePooledVoxelArray(dtype: VoxelType, channels: number, size: readonly number[]): VoxelArray | undefined {
  const shape: Shape4 = [channels, size[0]!, size[1]!, size[2]!];
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  const bytes = n * TYPE_SIZE[dtype];
  if (bytes < POOLED_MIN_BYTES) return undefined;
  // Larger than a typed array may be, or no memory: V8's allocation reports it (RangeError).
  if (n > 2 ** 32) return undefined;
  let buffer: ArrayBuffer | null;
  try {
    buffer = binding.allocateOutput(bytes);
  } catch {
    return undefined;
  }
  if (buffer === null) return undefined; // the pool's limit: see setArrayPoolCapacity
  const data = new TYPED_ARRAY[dtype](buffer, 0, n);
  return { data, shape, stride: fortranStrides(shape), dtype };
}
