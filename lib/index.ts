export { WkwError, type WkwErrorCode } from "./errors.js";
export { VOXEL_TYPES, type VoxelType, type VoxelData } from "./dtypes.js";
export * from "./wkw/index.js";
export * from "./geometry/index.js";
