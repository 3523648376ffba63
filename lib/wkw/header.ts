/** The WKW header in the form the public API uses (names instead of codes). */
import { binding } from "../binding.js";
import { TYPE_SIZE, VOXEL_TYPES, type VoxelType, voxelTypeCode } from "../dtypes.js";
import { toWkwError } from "../errors.js";

export const BLOCK_TYPES = ["raw", "lz4", "lz4hc"] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

export interface WkwHeader {
  readonly version: 1;
  readonly blockLen: number;
  readonly fileLen: number;
  readonly blockType: BlockType;
  readonly voxelType: VoxelType;
  /** Bytes per voxel over all channels. */
  readonly voxelSize: number;
  readonly numChannels: number;
}

/** The fields WkwDataset.create takes, from a header (optionally with another block type). */
export function layoutOf(h: WkwHeader, blockType: BlockType = h.blockType) {
  return { voxelType: h.voxelType, numChannels: h.numChannels, blockLen: h.blockLen, fileLen: h.fileLen, blockType };
}

export function headerFromBytes(bytes: Uint8Array, name: string): WkwHeader {
  let h;
  try {
    h = binding.parseHeader(bytes, name);
  } catch (err) {
    throw toWkwError(err, name);
  }
  return Object.freeze({
    version: 1,
    blockLen: h.blockLen,
    fileLen: h.fileLen,
    blockType: BLOCK_TYPES[h.blockType - 1]!,
    voxelType: VOXEL_TYPES[h.voxelType - 1]!,
    voxelSize: h.voxelSize,
    numChannels: h.numChannels,
  });
}

/** The 16 bytes of header.wkw (dataOffset 0) for a header. */
export function headerToBytes(h: Omit<WkwHeader, "version" | "voxelSize"> & { voxelSize?: number }): Buffer {
  return binding.serializeHeader({
    blockLen: h.blockLen,
    fileLen: h.fileLen,
    blockType: BLOCK_TYPES.indexOf(h.blockType) + 1,
    voxelType: voxelTypeCode(h.voxelType),
    voxelSize: h.voxelSize ?? TYPE_SIZE[h.voxelType] * h.numChannels,
    dataOffset: 0,
  });
}
