/** Voxel types of the WKW format and the TypedArrays that hold them. */
export const VOXEL_TYPES = [
  "uint8", "uint16", "uint32", "uint64", "float32", "float64", "int8", "int16", "int32", "int64",
] as const;
export type VoxelType = (typeof VOXEL_TYPES)[number];

/** Header code of each voxel type (1-based, in the order above). */
export function voxelTypeCode(t: VoxelType): number {
  return VOXEL_TYPES.indexOf(t) + 1;
}

export const TYPE_SIZE: Record<VoxelType, number> = {
  uint8: 1, uint16: 2, uint32: 4, uint64: 8, float32: 4, float64: 8, int8: 1, int16: 2, int32: 4, int64: 8,
};

export type VoxelData =
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | Float32Array | Float64Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array;

/** The TypedArray of each voxel type: a uint8 read is a VoxelArray<Uint8Array>. */
export interface VoxelDataMap {
  uint8: Uint8Array; uint16: Uint16Array; uint32: Uint32Array; uint64: BigUint64Array;
  float32: Float32Array; float64: Float64Array; int8: Int8Array; int16: Int16Array;
  int32: Int32Array; int64: BigInt64Array;
}
export type VoxelDataOf<T extends VoxelType> = VoxelDataMap[T];

type Ctor = { new (length: number): VoxelData; new (buffer: ArrayBufferLike, byteOffset: number, length: number): VoxelData; BYTES_PER_ELEMENT: number };

export const TYPED_ARRAY: Record<VoxelType, Ctor> = {
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
  float32: Float32Array, float64: Float64Array, int8: Int8Array, int16: Int16Array,
  int32: Int32Array, int64: BigInt64Array,
} as unknown as Record<VoxelType, Ctor>;

/** The voxel type a TypedArray holds, or undefined for Uint8ClampedArray, DataView, etc. */
export function voxelTypeOf(data: unknown): VoxelType | undefined {
  for (const t of VOXEL_TYPES) if (data instanceof (TYPED_ARRAY[t] as unknown as Function)) return t;
  return undefined;
}

export function isVoxelType(t: unknown): t is VoxelType {
  return typeof t === "string" && (VOXEL_TYPES as readonly string[]).includes(t);
}

/** Whether voxels of `t` are integers (segment ids need one). */
export function isIntegerType(t: VoxelType): boolean {
  return t !== "float32" && t !== "float64";
}
