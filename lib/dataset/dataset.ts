/**
 * Dataset: a folder with datasource-properties.json and one folder per layer (2021
 * webknossos-libs API in Node idiom: metadata setters are async `setX` methods because every
 * change is saved at once).
 *
 * Every metadata change is a read-modify-write of the JSON under a cross-process lock
 * (updateProperties): the file is re-read, the change applied to the fresh copy and saved
 * atomically, so changes of other processes (another layer added, a bounding-box growth)
 * are kept. This object keeps the metadata it loaded plus, for each part it changed, that
 * part as saved; reopen to see layers or mags other processes added.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { TYPE_SIZE, isVoxelType, type VoxelType } from "../dtypes.js";
import { WkwError, toWkwError } from "../errors.js";
import { withFileLock } from "../util/atomic-file.js";
import { argumentError, checkInteger, checkOptionsObject, checkString, misuseError } from "../util/validate.js";
import { BlockCache } from "../wkw/block-cache.js";
import { checkKeys, checkLayerName, checkOptionalBoolean, checkScale, type Scale } from "./checks.js";
import { checkExecutor, type Executor } from "../ops/executor.js";
import { copyView } from "../ops/copy.js";
import { addLayerFromImages, datasetFromImages, type AddLayerFromImagesOptions, type FromImagesOptions } from "./from-images.js";
import { dtypePerChannelFromPerLayer, elementClassFor } from "./element-class.js";
import { Layer, SegmentationLayer, checkSegmentId } from "./layer.js";
import {
  LAYER_CATEGORIES, PROPERTIES_LOCK_FILE_NAME, loadProperties, propertiesPath, saveProperties, updateProperties,
  type DatasetProperties, type DatasetViewConfiguration, type LayerCategory, type LayerProperties,
} from "./properties.js";

export interface CopyDatasetOptions {
  /** default: the source's scale */
  scale?: readonly number[];
  /** default: each source mag's blockLen */
  blockLen?: number;
  /** default: each source mag's fileLen */
  fileLen?: number;
  /** default: compressed where the source mag is */
  compress?: boolean;
  /** runs one job per target cube file (any executor) */
  executor?: Executor;
}

function checkPowerOfTwoLen(parameter: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = checkInteger(parameter, value, 1, 128);
  if ((n & (n - 1)) !== 0) throw argumentError(parameter, "a power of two in [1, 128]", value);
  return n;
}

export interface CreateDatasetOptions {
  /** voxel size in nm (x, y, z) */
  scale: readonly number[];
  /** default: the folder's name */
  name?: string;
  /** decoded blocks of every read through this dataset are kept in (and served from) this cache */
  cache?: BlockCache;
}

export interface OpenDatasetOptions {
  /** refuse every change (metadata and voxels) with ERR_WKW_READ_ONLY */
  readOnly?: boolean;
  /** decoded blocks of every read through this dataset are kept in (and served from) this cache */
  cache?: BlockCache;
}

function checkCache(value: unknown): BlockCache | undefined {
  if (value === undefined || value instanceof BlockCache) return value;
  throw argumentError("options.cache", "a BlockCache (new BlockCache({ maxBytes }))", value);
}

/** A per-channel dtype name: a voxel type, or "float" / "double" (float32 / float64). */
export type DtypePerChannelName = VoxelType | "float" | "double";
/** The voxel type a dtypePerChannel name stands for. */
export type VoxelTypeOfDtype<D extends DtypePerChannelName> = D extends "float" ? "float32" : D extends "double" ? "float64" : D;

interface LayerOptionsBase {
  /** default 1 */
  numChannels?: number;
  /** segmentation only */
  largestSegmentId?: number | bigint;
  /** segmentation only: names of mapping files */
  mappings?: string[];
}

export interface AddLayerOptions extends LayerOptionsBase {
  /** per-voxel type over all channels, e.g. "uint24" for 3 × uint8 (or "float", "uint8") */
  dtypePerLayer?: string;
  /** per-channel voxel type, e.g. "uint8" ("float"/"double" mean float32/float64) */
  dtypePerChannel?: DtypePerChannelName;
}

/** addLayer options with the dtype given per channel (or not at all: uint8), which types the layer. */
export interface AddLayerOptionsPerChannel<D extends DtypePerChannelName> extends LayerOptionsBase {
  dtypePerChannel?: D;
  dtypePerLayer?: undefined;
}

/** The arguments of create() and getOrCreate(), checked; `dir` is the absolute folder. */
function checkCreateArgs(datasetPath: unknown, options: unknown): { dir: string; scale: Scale; name: string | undefined; cache: BlockCache | undefined } {
  const dir = path.resolve(checkString("path", datasetPath));
  if (options === undefined) throw argumentError("options", "an options object with at least scale", options);
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, ["scale", "name", "cache"]);
  const scale = checkScale("options.scale", o.scale);
  const name = o.name === undefined ? undefined : checkString("options.name", o.name);
  return { dir, scale, name, cache: checkCache(o.cache) };
}

const ADD_LAYER_KEYS = ["dtypePerLayer", "dtypePerChannel", "numChannels", "largestSegmentId", "mappings"] as const;

interface LayerSpec {
  category: LayerCategory;
  dtype: VoxelType;
  numChannels: number;
  largestSegmentId?: number | bigint;
  mappings?: string[];
}

function checkCategory(value: unknown): LayerCategory {
  if (!(LAYER_CATEGORIES as readonly unknown[]).includes(value)) throw argumentError("category", '"color" or "segmentation"', value);
  return value as LayerCategory;
}

/** Per-channel dtype names: the voxel types plus numpy's "float"/"double" spellings. */
function checkDtypePerChannel(value: unknown): VoxelType {
  if (value === "float") return "float32";
  if (value === "double") return "float64";
  if (!isVoxelType(value)) throw argumentError("options.dtypePerChannel", "one of uint8, uint16, uint32, uint64, int8, int16, int32, int64, float32 (float), float64 (double)", value);
  return value;
}

/** The dtype and channel count an addLayer call asks for (undefined fields: not passed). */
function resolveDtype(o: Record<string, unknown>, numChannels: number): VoxelType | undefined {
  if (o.dtypePerLayer !== undefined && o.dtypePerChannel !== undefined) {
    throw misuseError("options.dtypePerChannel", "and options.dtypePerLayer were both given: pass only one of them", o.dtypePerChannel);
  }
  if (o.dtypePerChannel !== undefined) return checkDtypePerChannel(o.dtypePerChannel);
  if (o.dtypePerLayer !== undefined) {
    try {
      return dtypePerChannelFromPerLayer(o.dtypePerLayer as string, numChannels);
    } catch (err) {
      if (!(err instanceof WkwError)) throw err;
      throw new WkwError("ERR_WKW_ARGUMENT", `options.${err.message}`, { parameter: "options.dtypePerLayer", expected: err.expected, received: err.received });
    }
  }
  return undefined;
}

function checkLayerSpec(category: unknown, options: unknown): LayerSpec {
  const cat = checkCategory(category);
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, ADD_LAYER_KEYS);
  const numChannels = o.numChannels === undefined ? 1 : checkInteger("options.numChannels", o.numChannels, 1, 255);
  const dtype = resolveDtype(o, numChannels) ?? "uint8";
  if (TYPE_SIZE[dtype] * numChannels > 255) {
    throw argumentError("options.numChannels", `at most ${Math.floor(255 / TYPE_SIZE[dtype])} channels of ${dtype} (a WKW voxel holds at most 255 bytes)`, o.numChannels);
  }
  const spec: LayerSpec = { category: cat, dtype, numChannels };
  for (const key of ["largestSegmentId", "mappings"] as const) {
    if (o[key] !== undefined && cat !== "segmentation") throw misuseError(`options.${key}`, `is only for segmentation layers (this layer's category is "${cat}")`, o[key]);
  }
  if (o.largestSegmentId !== undefined) spec.largestSegmentId = checkSegmentId("options.largestSegmentId", o.largestSegmentId);
  if (o.mappings !== undefined) {
    if (!Array.isArray(o.mappings) || !o.mappings.every((m) => typeof m === "string" && m.length > 0)) {
      throw argumentError("options.mappings", "an array of mapping names (non-empty strings)", o.mappings);
    }
    spec.mappings = [...o.mappings];
  }
  return spec;
}

async function isEmptyOrMissingDir(dir: string): Promise<"missing" | "empty" | "file" | "nonEmpty"> {
  try {
    const st = await fsp.stat(dir);
    if (!st.isDirectory()) return "file";
    return (await fsp.readdir(dir)).length === 0 ? "empty" : "nonEmpty";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw toWkwError(err, dir);
  }
}

export class Dataset {
  /** Absolute path of the dataset folder. */
  readonly path: string;
  readonly readOnly: boolean;
  /** The BlockCache every mag of this dataset reads through, if one was given. */
  readonly cache: BlockCache | undefined;
  #props: DatasetProperties; // top-level keys; layers live in their Layer objects
  #seq = 0; // sequence number (lock order) of the save #props reflects
  #issued = 0;
  #layers = new Map<string, Layer>();

  private constructor(dir: string, props: DatasetProperties, readOnly: boolean, cache: BlockCache | undefined) {
    this.path = dir;
    this.readOnly = readOnly;
    this.cache = cache;
    this.#props = { ...props, dataLayers: [] };
  }

  /**
   * Creates the folder (or uses an empty one) and a properties file with
   * `id: { name, team: "" }`, `scale` and no layers. A file or a non-empty folder at
   * `path` is ERR_WKW_EXISTS.
   */
  static async create(datasetPath: string, options: CreateDatasetOptions): Promise<Dataset> {
    const { dir, scale, cache, ...given } = checkCreateArgs(datasetPath, options);
    const name = given.name ?? path.basename(dir);
    const state = await isEmptyOrMissingDir(dir);
    if (state === "file" || state === "nonEmpty") {
      throw new WkwError("ERR_WKW_EXISTS", `cannot create a dataset at ${dir}: ${state === "file" ? "it is a file" : "the folder is not empty"}`, { path: dir, parameter: "path" });
    }
    try {
      await fsp.mkdir(dir, { recursive: true });
    } catch (err) {
      throw toWkwError(err, dir);
    }
    const model: DatasetProperties = { id: { name, team: "" }, scale: [scale[0], scale[1], scale[2]], dataLayers: [] };
    await withFileLock(path.join(dir, PROPERTIES_LOCK_FILE_NAME), async () => {
      const file = propertiesPath(dir);
      if (await fsp.access(file).then(() => true, () => false)) {
        throw new WkwError("ERR_WKW_EXISTS", `a dataset was created at ${dir} meanwhile`, { path: file, parameter: "path" });
      }
      await saveProperties(dir, model);
    });
    return Dataset.open(dir, { cache });
  }

  /** Opens the dataset at `path` (ERR_WKW_NOT_FOUND without datasource-properties.json). */
  static async open(datasetPath: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
    checkString("path", datasetPath);
    const o = checkOptionsObject("options", options);
    checkKeys("options", o, ["readOnly", "cache"]);
    const readOnly = checkOptionalBoolean("options.readOnly", o.readOnly) ?? false;
    const cache = checkCache(o.cache);
    const dir = path.resolve(datasetPath);
    const props = await loadProperties(dir);
    const ds = new Dataset(dir, props, readOnly, cache);
    try {
      for (const [i, lp] of props.dataLayers.entries()) {
        ds.#layers.set(lp.name, await Layer._open(ds, lp, propertiesPath(dir), i));
      }
    } catch (err) {
      ds.close();
      throw err;
    }
    return ds;
  }

  /** Opens the dataset if it exists (its scale, and name if given, must match), else creates it. */
  static async getOrCreate(datasetPath: string, options: CreateDatasetOptions): Promise<Dataset> {
    const { dir, scale, name, cache } = checkCreateArgs(datasetPath, options);
    let ds: Dataset;
    if (await fsp.access(propertiesPath(dir)).then(() => true, () => false)) {
      ds = await Dataset.open(dir, { cache });
    } else {
      try {
        return await Dataset.create(dir, { scale, ...(name !== undefined ? { name } : {}), cache });
      } catch (err) {
        if (!(err instanceof WkwError && err.code === "ERR_WKW_EXISTS" && err.path === propertiesPath(dir))) throw err;
        ds = await Dataset.open(dir, { cache }); // created by someone else meanwhile
      }
    }
    const mismatch = (parameter: string, existing: unknown, given: unknown) => {
      ds.close();
      return new WkwError("ERR_WKW_ARGUMENT", `${parameter}: the dataset at ${dir} exists with ${parameter.slice(8)} ${inspect(existing)}, received ${inspect(given)}`, {
        parameter,
        expected: inspect(existing),
        received: inspect(given),
        path: dir,
      });
    };
    if (ds.scale.some((v, i) => v !== scale[i])) throw mismatch("options.scale", [...ds.scale], [...scale]);
    if (name !== undefined && ds.name !== name) throw mismatch("options.name", ds.name, name);
    return ds;
  }

  // ---- top-level metadata ----------------------------------------------------------------

  get name(): string {
    return this.#props.id.name;
  }

  /** Voxel size (nm unless the file says otherwise). */
  get scale(): Scale {
    return Object.freeze([...this.#props.scale]) as unknown as Scale;
  }

  get defaultViewConfiguration(): Readonly<DatasetViewConfiguration> | undefined {
    const c = this.#props.defaultViewConfiguration;
    return c === undefined ? undefined : structuredClone(c);
  }

  async setName(name: string): Promise<void> {
    checkString("name", name);
    await this.#updateTop((f) => {
      f.id.name = name;
    });
  }

  async setScale(scale: readonly number[]): Promise<void> {
    const s = checkScale("scale", scale);
    await this.#updateTop((f) => {
      f.scale = [s[0], s[1], s[2]];
    });
  }

  /** Sets (or with undefined removes) the dataset's defaultViewConfiguration; only the keys set are written. */
  async setDefaultViewConfiguration(config: DatasetViewConfiguration | undefined): Promise<void> {
    if (config !== undefined && (config === null || typeof config !== "object" || Array.isArray(config))) {
      throw argumentError("config", "a view configuration object or undefined", config);
    }
    const copy = config === undefined ? undefined : structuredClone(config);
    await this.#updateTop((f) => {
      if (copy === undefined) delete f.defaultViewConfiguration;
      else f.defaultViewConfiguration = copy;
    });
  }

  async #updateTop(mutate: (fresh: DatasetProperties) => void): Promise<void> {
    const { fresh, seq } = await this._update(mutate);
    if (seq > this.#seq) {
      this.#seq = seq;
      this.#props = structuredClone({ ...fresh, dataLayers: [] });
    }
  }

  // ---- layers ------------------------------------------------------------------------------

  /** Layers by name, in the JSON's order. */
  get layers(): ReadonlyMap<string, Layer> {
    return new Map(this.#layers);
  }

  getLayer(name: string): Layer {
    checkString("name", name);
    const layer = this.#layers.get(name);
    if (!layer) {
      throw new WkwError("ERR_WKW_NOT_FOUND", `dataset ${this.name} has no layer ${JSON.stringify(name)}; it has ${[...this.#layers.keys()].join(", ") || "none"}`, {
        parameter: "name",
        received: name,
        path: this.path,
      });
    }
    return layer;
  }

  getColorLayers(): Layer[] {
    return [...this.#layers.values()].filter((l) => l.category === "color");
  }

  getSegmentationLayers(): SegmentationLayer[] {
    return [...this.#layers.values()].filter((l): l is SegmentationLayer => l instanceof SegmentationLayer);
  }

  /**
   * Adds a layer (empty bounding box, no mags, `dataFormat: "wkw"`) and its folder. One of
   * dtypePerLayer / dtypePerChannel (default uint8 per channel), numChannels default 1.
   */
  async addLayer<D extends DtypePerChannelName = "uint8">(name: string, category: "segmentation", options?: AddLayerOptionsPerChannel<D>): Promise<SegmentationLayer<VoxelTypeOfDtype<D>>>;
  async addLayer(name: string, category: "segmentation", options?: AddLayerOptions): Promise<SegmentationLayer>;
  async addLayer<D extends DtypePerChannelName = "uint8">(name: string, category: "color", options?: AddLayerOptionsPerChannel<D>): Promise<Layer<VoxelTypeOfDtype<D>>>;
  async addLayer(name: string, category: LayerCategory, options?: AddLayerOptions): Promise<Layer>;
  async addLayer(name: string, category: LayerCategory, options: AddLayerOptions = {}): Promise<Layer> {
    checkLayerName("name", name);
    const spec = checkLayerSpec(category, options);
    this._checkWritable();
    if (this.#layers.has(name)) {
      throw new WkwError("ERR_WKW_EXISTS", `dataset ${this.name} already has a layer ${name}`, { parameter: "name", received: name, path: this.path });
    }
    const layerDir = path.join(this.path, name);
    const state = await isEmptyOrMissingDir(layerDir);
    if (state === "file" || state === "nonEmpty") {
      throw new WkwError("ERR_WKW_EXISTS", `cannot add layer ${name}: ${layerDir} exists and is ${state === "file" ? "a file" : "not empty"}`, { parameter: "name", path: layerDir });
    }
    const props: LayerProperties = {
      name,
      category: spec.category,
      boundingBox: { topLeft: [0, 0, 0], width: 0, height: 0, depth: 0 },
      elementClass: elementClassFor(spec.dtype, spec.numChannels),
      dataFormat: "wkw",
      numChannels: spec.numChannels,
      wkwResolutions: [],
    };
    if (spec.largestSegmentId !== undefined) props.largestSegmentId = spec.largestSegmentId;
    if (spec.mappings !== undefined && spec.mappings.length > 0) props.mappings = spec.mappings;
    const { fresh, seq } = await this._update((f) => {
      if (f.dataLayers.some((l) => l.name === name)) {
        throw new WkwError("ERR_WKW_EXISTS", `dataset ${this.name} already has a layer ${name} (added by another process)`, { parameter: "name", path: this.path });
      }
      f.dataLayers.push(structuredClone(props));
    });
    try {
      await fsp.mkdir(layerDir, { recursive: true });
    } catch (err) {
      throw toWkwError(err, layerDir);
    }
    const layer = Layer._make(this, props, spec.dtype);
    layer._sync(fresh.dataLayers.find((l) => l.name === name)!, seq);
    this.#layers.set(name, layer);
    return layer;
  }

  /**
   * The existing layer, after checking category and the options that were passed
   * (numChannels, dtypePerLayer / dtypePerChannel), or a new one.
   */
  async getOrAddLayer<D extends DtypePerChannelName = "uint8">(name: string, category: "segmentation", options?: AddLayerOptionsPerChannel<D>): Promise<SegmentationLayer<VoxelTypeOfDtype<D>>>;
  async getOrAddLayer(name: string, category: "segmentation", options?: AddLayerOptions): Promise<SegmentationLayer>;
  async getOrAddLayer<D extends DtypePerChannelName = "uint8">(name: string, category: "color", options?: AddLayerOptionsPerChannel<D>): Promise<Layer<VoxelTypeOfDtype<D>>>;
  async getOrAddLayer(name: string, category: LayerCategory, options?: AddLayerOptions): Promise<Layer>;
  async getOrAddLayer(name: string, category: LayerCategory, options: AddLayerOptions = {}): Promise<Layer> {
    checkString("name", name);
    const existing = this.#layers.get(name);
    if (!existing) return this.addLayer(name, category, options);
    const cat = checkCategory(category);
    const o = checkOptionsObject("options", options);
    checkKeys("options", o, ADD_LAYER_KEYS);
    const numChannels = o.numChannels === undefined ? undefined : checkInteger("options.numChannels", o.numChannels, 1, 255);
    const dtype = resolveDtype(o, numChannels ?? existing.numChannels);
    const mismatch = (parameter: string, have: unknown, given: unknown) =>
      new WkwError("ERR_WKW_ARGUMENT", `${parameter}: layer ${name} exists with ${parameter.replace("options.", "")} ${String(have)}, received ${String(given)}`, {
        parameter,
        expected: String(have),
        received: String(given),
      });
    if (cat !== existing.category) throw mismatch("category", existing.category, cat);
    if (numChannels !== undefined && numChannels !== existing.numChannels) throw mismatch("options.numChannels", existing.numChannels, numChannels);
    if (dtype !== undefined && dtype !== existing.dtypePerChannel) {
      const parameter = o.dtypePerLayer !== undefined ? "options.dtypePerLayer" : "options.dtypePerChannel";
      throw mismatch(parameter, parameter === "options.dtypePerLayer" ? existing.dtypePerLayer : existing.dtypePerChannel, o.dtypePerLayer ?? o.dtypePerChannel);
    }
    return existing;
  }

  /** Removes the layer's JSON entry (saved first), then its folder (a symlink: only the link). */
  async deleteLayer(name: string): Promise<void> {
    const layer = this.getLayer(name);
    this._checkWritable();
    await this._update((f) => {
      f.dataLayers = f.dataLayers.filter((l) => l.name !== name);
    });
    this.#layers.delete(name);
    layer._close(true);
    try {
      await fsp.rm(layer.path, { recursive: true, force: true });
    } catch (err) {
      throw toWkwError(err, layer.path);
    }
  }

  /**
   * Copies every layer and mag into a new dataset at `newPath`, chunk by chunk (one chunk
   * per target file, through the executor). blockLen, fileLen and compression default to
   * each source mag's; `scale` to this dataset's.
   */
  async copyDataset(newPath: string, options: CopyDatasetOptions = {}): Promise<Dataset> {
    checkString("newPath", newPath);
    const o = checkOptionsObject("options", options);
    checkKeys("options", o, ["scale", "blockLen", "fileLen", "compress", "executor"]);
    const scale = o.scale === undefined ? this.scale : checkScale("options.scale", o.scale);
    const blockLen = checkPowerOfTwoLen("options.blockLen", o.blockLen);
    const fileLen = checkPowerOfTwoLen("options.fileLen", o.fileLen);
    const compress = checkOptionalBoolean("options.compress", o.compress);
    const executor = checkExecutor("options.executor", o.executor);
    const target = await Dataset.create(newPath, { scale: [...scale] });
    if (this.defaultViewConfiguration) await target.setDefaultViewConfiguration(this.defaultViewConfiguration);
    for (const layer of this.layers.values()) {
      const spec: AddLayerOptions = { dtypePerChannel: layer.dtypePerChannel, numChannels: layer.numChannels };
      if (layer instanceof SegmentationLayer) {
        if (layer.largestSegmentId !== undefined) spec.largestSegmentId = layer.largestSegmentId;
        if (layer.mappings.length > 0) spec.mappings = [...layer.mappings];
      }
      const copy = await target.addLayer(layer.name, layer.category, spec);
      await copy.setBoundingBox(layer.boundingBox);
      if (layer.defaultViewConfiguration) await copy.setDefaultViewConfiguration(layer.defaultViewConfiguration);
      for (const mv of layer.mags.values()) {
        const h = mv.header;
        const dst = await copy.addMag(mv.mag, {
          blockLen: blockLen ?? h.blockLen,
          fileLen: fileLen ?? h.fileLen,
          compress: compress ?? h.blockType !== "raw",
        });
        await copyView(mv, dst, { executor });
      }
    }
    return target;
  }

  /**
   * A new dataset at `outputPath` with one layer from an image stack (a folder of slices in
   * natural order, a glob pattern, a list of files or a multi-page TIFF). See
   * AddLayerFromImagesOptions; `voxelSize` is the dataset's scale. Errors: ERR_WKW_ARGUMENT
   * (bad option, no images, a slice of another size or type), ERR_WKW_CORRUPT (an image
   * that does not decode, `path` names it), ERR_WKW_NOT_FOUND, ERR_WKW_EXISTS, ERR_WKW_ABORTED.
   * On failure nothing is left.
   */
  static async fromImages(input: string | readonly string[], outputPath: string, options: FromImagesOptions): Promise<Dataset> {
    return datasetFromImages((p, o) => Dataset.create(p, o), input, outputPath, options);
  }

  /**
   * Adds a layer (default name and category "color") from an image stack, listed only once
   * complete. Errors as for Dataset.fromImages.
   */
  async addLayerFromImages(input: string | readonly string[], options: AddLayerFromImagesOptions = {}): Promise<Layer> {
    return addLayerFromImages(this, input, options);
  }

  /** Releases the file handles of every mag; later I/O fails with ERR_WKW_CLOSED. */
  close(): void {
    for (const layer of this.#layers.values()) layer._close(false);
  }

  // ---- internal: the update protocol -----------------------------------------------------

  /** @internal */
  _checkWritable(): void {
    if (this.readOnly) {
      throw new WkwError("ERR_WKW_READ_ONLY", `the dataset ${this.path} was opened read-only`, { path: this.path });
    }
  }

  /**
   * @internal Read-modify-write of the JSON under the lock. `seq` orders the saves of this
   * object (assigned under the lock), so a late-finishing older save never overwrites what a
   * newer one taught this object.
   */
  async _update(mutate: (fresh: DatasetProperties) => void | Promise<void>): Promise<{ fresh: DatasetProperties; seq: number }> {
    this._checkWritable();
    let seq = 0;
    const fresh = await updateProperties(this.path, async (f) => {
      // A numChannels inferred from header.wkw at open is written with the next save.
      for (const l of f.dataLayers) {
        if (l.numChannels === undefined) {
          const known = this.#layers.get(l.name)?.numChannels;
          if (known !== undefined) l.numChannels = known;
        }
      }
      await mutate(f);
      seq = ++this.#issued;
    });
    return { fresh, seq };
  }

  /** @internal Updates one layer's entry and lets the layer adopt it as saved. */
  async _updateLayer(layer: Layer, mutate: (fresh: LayerProperties, all: DatasetProperties) => void): Promise<void> {
    layer._checkUsable();
    const name = layer.name;
    const { fresh, seq } = await this._update((f) => {
      const entry = f.dataLayers.find((l) => l.name === name);
      if (!entry) {
        throw new WkwError("ERR_WKW_NOT_FOUND", `layer ${name} is no longer in ${propertiesPath(this.path)} (deleted by another process?)`, { path: this.path });
      }
      mutate(entry, f);
    });
    const entry = fresh.dataLayers.find((l) => l.name === name);
    if (entry) layer._sync(entry, seq);
  }

  /**
   * @internal Image import: moves a complete layer folder into place and lists it, both
   * under the properties lock, so no reader ever sees the layer listed before its data.
   */
  async _adoptLayer(folder: string, props: LayerProperties): Promise<Layer> {
    this._checkWritable();
    const name = props.name;
    const exists = () => new WkwError("ERR_WKW_EXISTS", `dataset ${this.name} already has a layer ${name}`, { parameter: "layerName", received: name, path: this.path });
    if (this.#layers.has(name)) throw exists();
    const layerDir = path.join(this.path, name);
    let moved = false;
    let result: { fresh: DatasetProperties; seq: number };
    try {
      result = await this._update(async (f) => {
        if (f.dataLayers.some((l) => l.name === name)) throw exists();
        const state = await isEmptyOrMissingDir(layerDir);
        if (state === "file" || state === "nonEmpty") throw new WkwError("ERR_WKW_EXISTS", `cannot add layer ${name}: ${layerDir} exists and is ${state === "file" ? "a file" : "not empty"}`, { parameter: "layerName", path: layerDir });
        try {
          await fsp.rename(folder, layerDir);
        } catch (err) {
          throw toWkwError(err, folder);
        }
        moved = true;
        f.dataLayers.push(structuredClone(props));
      });
    } catch (err) {
      if (moved) await fsp.rename(layerDir, folder).catch(() => undefined);
      throw err;
    }
    const index = result.fresh.dataLayers.findIndex((l) => l.name === name);
    const layer = await Layer._open(this, structuredClone(result.fresh.dataLayers[index]!), propertiesPath(this.path), index);
    this.#layers.set(name, layer);
    return layer;
  }

  /** @internal Layer.setName: folder rename inside the locked update, undone if the save fails. */
  async _renameLayer(layer: Layer, newName: string): Promise<void> {
    this._checkWritable();
    const oldName = layer.name;
    if (this.#layers.has(newName)) {
      throw new WkwError("ERR_WKW_EXISTS", `dataset ${this.name} already has a layer ${newName}`, { parameter: "name", received: newName, path: this.path });
    }
    const oldDir = path.join(this.path, oldName);
    const newDir = path.join(this.path, newName);
    if ((await isEmptyOrMissingDir(newDir)) !== "missing") {
      throw new WkwError("ERR_WKW_EXISTS", `cannot rename layer ${oldName}: ${newDir} exists`, { parameter: "name", path: newDir });
    }
    let moved = false;
    let result: { fresh: DatasetProperties; seq: number };
    try {
      result = await this._update(async (f) => {
        const entry = f.dataLayers.find((l) => l.name === oldName);
        if (!entry) throw new WkwError("ERR_WKW_NOT_FOUND", `layer ${oldName} is no longer in ${propertiesPath(this.path)}`, { path: this.path });
        if (f.dataLayers.some((l) => l.name === newName)) {
          throw new WkwError("ERR_WKW_EXISTS", `dataset ${this.name} already has a layer ${newName} (added by another process)`, { parameter: "name", path: this.path });
        }
        entry.name = newName;
        if ((await isEmptyOrMissingDir(oldDir)) !== "missing") {
          try {
            await fsp.rename(oldDir, newDir);
          } catch (err) {
            throw toWkwError(err, oldDir);
          }
          moved = true;
        }
      });
    } catch (err) {
      if (moved) await fsp.rename(newDir, oldDir).catch(() => undefined);
      throw err;
    }
    // Keep the layer's position in the map.
    this.#layers = new Map([...this.#layers].map(([k, v]) => (k === oldName ? [newName, v] : [k, v])));
    const entry = result.fresh.dataLayers.find((l) => l.name === newName);
    if (entry) layer._sync(entry, result.seq);
  }

  toString(): string {
    return `Dataset(name=${this.name}, path=${this.path}, scale=[${this.#props.scale.join(",")}], layers=[${[...this.#layers.keys()].join(", ")}]${this.readOnly ? ", readOnly" : ""})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
