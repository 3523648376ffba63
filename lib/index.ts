export { WkwError, type WkwErrorCode } from "./errors.js";
export { VOXEL_TYPES, type VoxelType, type VoxelData, type VoxelDataMap, type VoxelDataOf } from "./dtypes.js";
export * from "./wkw/index.js";
export * from "./geometry/index.js";
export {
  Dataset, type CreateDatasetOptions, type OpenDatasetOptions, type AddLayerOptions, type AddLayerOptionsPerChannel,
  type DtypePerChannelName, type VoxelTypeOfDtype,
} from "./dataset/dataset.js";
export { Layer, SegmentationLayer, type AddMagOptions, type RefreshLargestSegmentIdOptions } from "./dataset/layer.js";
export { MagView, type CompressMagOptions } from "./dataset/mag-view.js";
export { View, type ViewWriteOptions, type ViewJSON, type GetViewOptions, type ForEachChunkOptions, type ForZippedChunksOptions, type ChunkRunOptions, type ChunkWork } from "./dataset/view.js";
export type { CopyDatasetOptions } from "./dataset/dataset.js";
export type { Scale } from "./dataset/checks.js";
export type {
  LayerCategory, DatasetViewConfiguration, LayerViewConfiguration,
} from "./dataset/properties.js";
export { InProcessExecutor, getDefaultExecutor, type Executor, type Job, type InProcessExecutorOptions } from "./ops/executor.js";
export { WorkerThreadExecutor, type WorkerThreadExecutorOptions } from "./ops/worker-thread-executor.js";
export { BullMQExecutor, type BullMQExecutorOptions } from "./ops/bullmq-executor.js";
export { createWorker, type CreateWorkerOptions, type WkwWorker } from "./ops/bullmq-worker.js";
export { type JobRef, ownJob } from "./ops/job-ref.js";
export type { JobContext, MapOptions } from "./ops/executor.js";
export type { AddLayerFromImagesOptions, FromImagesOptions } from "./dataset/from-images.js";
export type { ImportProgress } from "./ops/image-import.js";
export * from "./ops/downsample-exports.js";
export type { DownsampleMagOptions, DownsampleOptions, UpsampleOptions } from "./dataset/downsample-layer.js";
export { serve, type ServeHandle, type ServeOptions, type SkippedLayer } from "./serve/index.js";
