export { WkwDataset, listCubeFiles, type CreateOptions, type ReadOptions, type WriteOptions, type CompressOptions, type OpenOptions } from "./dataset.js";
export { BLOCK_TYPES, type BlockType, type WkwHeader } from "./header.js";
export type { VoxelArray, NdArrayLike, Shape4 } from "./voxel-array.js";
export { BlockCache, type BlockCacheOptions, type BlockCacheStats } from "./block-cache.js";
export {
  setFileCacheCapacity, fileCacheStats, setArrayPoolCapacity, arrayPoolStats,
  type FileCacheCapacity, type FileCacheStats, type ArrayPoolCapacity, type ArrayPoolStats,
} from "./caches.js";
