/**
 * Dataset.fromImages / dataset.addLayerFromImages: an image stack becomes a layer with mag 1
 * from offset 0 (column → x, row → y, slice → z). The layer is built in a hidden folder of
 * the dataset and listed in datasource-properties.json only once complete (moved into
 * place and listed under the properties lock); on any failure the folder is removed.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { isIntegerType, isVoxelType, type VoxelType } from "../dtypes.js";
import { WkwError } from "../errors.js";
import { resolveSlices } from "../import/sources.js";
import { checkExecutor, type Executor } from "../ops/executor.js";
import { canConvert, importSlices, type ImportProgress } from "../ops/image-import.js";
import { checkSignal } from "../util/abort.js";
import { removeDeadTemps, tempTag } from "../util/liveness.js";
import { argumentError, checkInteger, checkOptionsObject, checkString } from "../util/validate.js";
import { WkwDataset } from "../wkw/dataset.js";
import { checkKeys, checkLayerName, checkOptionalBoolean, checkScale } from "./checks.js";
import type { Dataset, CreateDatasetOptions } from "./dataset.js";
import { elementClassFor } from "./element-class.js";
import type { DownsampleOptions } from "./downsample-layer.js";
import { checkSegmentId, type Layer } from "./layer.js";
import type { LayerCategory, LayerProperties } from "./properties.js";

/** Temporary folders of imports in the dataset folder: `.import-<writer tag>`. */
const IMPORT_PREFIX = ".import-";

export interface AddLayerFromImagesOptions {
  /** default "color" */
  layerName?: string;
  /** default "color" */
  category?: LayerCategory;
  /** voxel type of the layer (default: the images' type); only lossless widenings */
  dtype?: VoxelType;
  /** LZ4HC cube files (default true); false writes raw files */
  compress?: boolean;
  /** build the pyramid after the import: true, or the options of Layer.downsample (default false) */
  downsample?: boolean | DownsampleOptions;
  /** voxels per block edge (default 32) */
  blockLen?: number;
  /** blocks per file edge (default 32) */
  fileLen?: number;
  /** upper bound of one slab's buffer in bytes (default 256 MiB): the memory bound */
  maxSlabBytes?: number;
  /** runs one job per slab (default: in process, one slab at a time) */
  executor?: Executor;
  signal?: AbortSignal;
  /** `{ done, total, unit: "slices" }`, on the main thread, at the start and the end too */
  onProgress?: (progress: ImportProgress) => void;
}

export interface FromImagesOptions extends AddLayerFromImagesOptions {
  /** voxel size in nm (x, y, z) */
  voxelSize: readonly number[];
}

const LAYER_KEYS = ["layerName", "category", "dtype", "compress", "downsample", "blockLen", "fileLen", "maxSlabBytes", "executor", "signal", "onProgress"];

function checkLen(parameter: string, value: unknown): number {
  if (value === undefined) return 32;
  const n = checkInteger(parameter, value, 1, 128);
  if ((n & (n - 1)) !== 0) throw argumentError(parameter, "a power of two in [1, 128]", value);
  return n;
}

function checkLayerOptions(options: unknown) {
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, LAYER_KEYS);
  const layerName = o.layerName === undefined ? "color" : checkLayerName("options.layerName", o.layerName);
  const category = o.category === undefined ? "color" : o.category;
  if (category !== "color" && category !== "segmentation") throw argumentError("options.category", '"color" or "segmentation"', category);
  if (o.dtype !== undefined && !isVoxelType(o.dtype)) throw argumentError("options.dtype", "a voxel type (uint8 … int64, float32, float64)", o.dtype);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw argumentError("options.onProgress", "a function", o.onProgress);
  const downsample = o.downsample ?? false;
  if (typeof downsample !== "boolean" && (downsample === null || typeof downsample !== "object" || Array.isArray(downsample))) {
    throw argumentError("options.downsample", "a boolean or an options object for Layer.downsample", downsample);
  }
  return {
    layerName,
    category: category as LayerCategory,
    dtype: o.dtype as VoxelType | undefined,
    compress: checkOptionalBoolean("options.compress", o.compress) ?? true,
    downsample: downsample === false ? undefined : downsample === true ? {} : (downsample as DownsampleOptions),
    blockLen: checkLen("options.blockLen", o.blockLen),
    fileLen: checkLen("options.fileLen", o.fileLen),
    maxSlabBytes: o.maxSlabBytes === undefined ? undefined : checkInteger("options.maxSlabBytes", o.maxSlabBytes, 1),
    executor: o.executor === undefined ? undefined : checkExecutor("options.executor", o.executor),
    signal: checkSignal(o.signal),
    onProgress: o.onProgress as ((p: ImportProgress) => void) | undefined,
  };
}

/** Adds a layer from an image stack: see AddLayerFromImagesOptions; returns the new layer. */
export async function addLayerFromImages(dataset: Dataset, input: unknown, options: AddLayerFromImagesOptions = {}): Promise<Layer> {
  const o = checkLayerOptions(options);
  dataset._checkWritable();
  if (dataset.layers.has(o.layerName)) {
    throw new WkwError("ERR_WKW_EXISTS", `dataset ${dataset.name} already has a layer ${o.layerName}`, { parameter: "options.layerName", received: o.layerName, path: dataset.path });
  }
  const { slices, first } = await resolveSlices(input);
  const dtype = o.dtype ?? first.dtype;
  if (!canConvert(first.dtype, dtype)) {
    throw argumentError("options.dtype", `a type that holds every ${first.dtype} value (${first.dtype} or a lossless widening; narrowing is not supported)`, dtype);
  }
  const format = { width: first.width, height: first.height, channels: first.channels, dtype: first.dtype };
  // The layer is built in a temporary folder named after its writer and adopted when
  // complete. Folders of imports whose process died are removed first; a folder's mtime
  // does not follow the files written below it, so age does not count (staleMs -1): an
  // import running on another host is never taken for dead.
  await removeDeadTemps(dataset.path, IMPORT_PREFIX, -1);
  const temp = path.join(dataset.path, `${IMPORT_PREFIX}${tempTag()}`);
  try {
    const magDir = path.join(temp, "1");
    (await WkwDataset.create(magDir, { voxelType: dtype, numChannels: format.channels, blockLen: o.blockLen, fileLen: o.fileLen, blockType: o.compress ? "lz4hc" : "raw" })).close();
    // A segmentation layer of an integer type gets its largestSegmentId from the import itself.
    const findMax = o.category === "segmentation" && isIntegerType(dtype);
    const { max } = await importSlices(magDir, slices, { format, dtype, executor: o.executor, signal: o.signal, onProgress: o.onProgress, maxSlabBytes: o.maxSlabBytes, findMax });
    const props: LayerProperties = {
      name: o.layerName,
      category: o.category,
      boundingBox: { topLeft: [0, 0, 0], width: format.width, height: format.height, depth: slices.length },
      elementClass: elementClassFor(dtype, format.channels),
      dataFormat: "wkw",
      numChannels: format.channels,
      wkwResolutions: [{ resolution: [1, 1, 1], cubeLength: o.blockLen * o.fileLen }],
      ...(max !== undefined ? { largestSegmentId: checkSegmentId("largestSegmentId", max) } : {}),
    };
    const layer = await dataset._adoptLayer(temp, props);
    if (o.downsample) await layer.downsample({ ...(o.executor ? { executor: o.executor } : {}), ...(o.signal ? { signal: o.signal } : {}), ...o.downsample });
    return layer;
  } finally {
    await fsp.rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Creates a dataset at `outputPath` with one layer from an image stack. On failure the
 * dataset folder is removed again (it must not exist, or be empty, before).
 */
export async function datasetFromImages(
  create: (datasetPath: string, options: CreateDatasetOptions) => Promise<Dataset>,
  input: unknown,
  outputPath: string,
  options: FromImagesOptions,
): Promise<Dataset> {
  checkString("outputPath", outputPath);
  const o = checkOptionsObject("options", options);
  if (o.voxelSize === undefined) throw argumentError("options.voxelSize", "an array of 3 positive numbers (voxel size in nm)", undefined);
  const scale = checkScale("options.voxelSize", o.voxelSize);
  const { voxelSize: _, ...layerOptions } = o;
  checkLayerOptions(layerOptions); // every argument is checked before anything is created
  const existed = await fsp.stat(outputPath).then(() => true, () => false);
  const dataset = await create(outputPath, { scale: [...scale] });
  try {
    await addLayerFromImages(dataset, input, layerOptions as AddLayerFromImagesOptions);
    return dataset;
  } catch (err) {
    dataset.close();
    if (existed) {
      for (const name of await fsp.readdir(dataset.path).catch(() => [] as string[])) await fsp.rm(path.join(dataset.path, name), { recursive: true, force: true }).catch(() => undefined);
    } else {
      await fsp.rm(dataset.path, { recursive: true, force: true }).catch(() => undefined);
    }
    throw err;
  }
}
