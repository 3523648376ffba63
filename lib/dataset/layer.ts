/**
 * Layer and SegmentationLayer: one `dataLayers` entry of datasource-properties.json and
 * its folder `<dataset>/<name>/` with one folder per mag.
 *
 * Metadata changes go through Dataset._updateLayer (cross-process lock, fresh re-read,
 * atomic save); afterwards the layer adopts the layer entry as saved, so it sees what other
 * processes changed in that entry (e.g. their bounding-box growth).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { TYPE_SIZE, type VoxelType } from "../dtypes.js";
import { WkwError, toWkwError } from "../errors.js";
import { BoundingBox } from "../geometry/bounding-box.js";
import { Mag, type MagLike } from "../geometry/mag.js";
import type { Vec3Like } from "../geometry/vec3.js";
import { argumentError, checkInteger, checkOptionsObject } from "../util/validate.js";
import { WkwDataset } from "../wkw/dataset.js";
import type { BlockCache } from "../wkw/block-cache.js";
import type { BlockType, WkwHeader } from "../wkw/header.js";
import { dtypePerChannelFrom, dtypePerLayerFor } from "./element-class.js";
import type { LayerCategory, LayerProperties, LayerViewConfiguration } from "./properties.js";
import { checkKeys, checkLayerName, checkOptionalBoolean } from "./checks.js";
import type { Dataset } from "./dataset.js";
import { findMagDir, recoverLayerFolder } from "./mag-folder.js";
import { MagView } from "./mag-view.js";
import * as pyramid from "./downsample-layer.js";
import { checkExecutor, type Executor } from "../ops/executor.js";
import { largestValueOf } from "../ops/segment-ids.js";
import { abortError, checkSignal } from "../util/abort.js";
import type { Progress } from "../util/progress.js";
import { checkSize } from "./view.js";
import type { DownsampleMagOptions, DownsampleOptions, UpsampleOptions } from "./downsample-layer.js";

export interface AddMagOptions {
  /** voxels per block edge, a power of two in [1, 128] (default 32) */
  blockLen?: number;
  /** blocks per file edge, a power of two in [1, 128] (default 32) */
  fileLen?: number;
  /**
   * Compressed blocks instead of raw ones (default false): true or "lz4hc" for LZ4HC (smallest
   * files), "lz4" for LZ4 (faster to write).
   */
  compress?: boolean | "lz4" | "lz4hc";
}

const ADD_MAG_OPTION_KEYS = ["blockLen", "fileLen", "compress"] as const;

function checkCompress(parameter: string, value: unknown): BlockType | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === "lz4hc") return "lz4hc";
  if (value === false) return "raw";
  if (value === "lz4") return "lz4";
  throw argumentError(parameter, 'true, false, "lz4" or "lz4hc"', value);
}

function checkLen(parameter: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = checkInteger(parameter, value, 1, 128);
  if ((n & (n - 1)) !== 0) throw argumentError(parameter, "a power of two in [1, 128]", value);
  return n;
}

function checkAddMagOptions(options: unknown) {
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, ADD_MAG_OPTION_KEYS);
  return {
    blockLen: checkLen("options.blockLen", o.blockLen),
    fileLen: checkLen("options.fileLen", o.fileLen),
    blockType: checkCompress("options.compress", o.compress),
    compress: o.compress as AddMagOptions["compress"],
  };
}

function notFound(what: string, parameter: string, received: string, pathName?: string): WkwError {
  return new WkwError("ERR_WKW_NOT_FOUND", what, { parameter, received, path: pathName });
}

/** `T`: the voxel type per channel when known (from addLayer's dtypePerChannel). */
export class Layer<T extends VoxelType = VoxelType> {
  readonly dataset: Dataset;
  #props: LayerProperties;
  #seq = 0; // sequence number (lock order) of the save #props reflects
  readonly #dtype: VoxelType;
  readonly #mags = new Map<string, MagView<T>>();
  /** mags listed in the JSON whose folder is missing (warned about at open; entry kept) */
  readonly #missing = new Set<string>();
  #deleted = false;

  /** @internal The constructor (a SegmentationLayer for a segmentation entry), for Dataset. */
  static _make(dataset: Dataset, props: LayerProperties, dtype: VoxelType): Layer {
    return props.category === "segmentation" ? new SegmentationLayer(dataset, props, dtype) : new Layer(dataset, props, dtype);
  }

  /** Layers are made by Dataset (open, addLayer, getLayer). */
  protected constructor(dataset: Dataset, props: LayerProperties, dtype: VoxelType) {
    this.dataset = dataset;
    this.#props = props;
    this.#dtype = dtype;
  }

  /**
   * @internal Opens a layer entry: recovers interrupted compressions, finds each mag folder
   * (short name, then long name), infers a missing numChannels from the first mag's
   * header.wkw and checks every header against the JSON (dtype, channels, cubeLength).
   */
  static async _open(dataset: Dataset, props: LayerProperties, file: string, index: number): Promise<Layer> {
    const layerDir = path.join(dataset.path, props.name);
    const backups = await recoverLayerFolder(layerDir, !dataset.readOnly);
    const keyPath = `dataLayers[${index}]`;
    const opened: { mag: Mag; dirName: string; wkw: WkwDataset; fixedPath?: string }[] = [];
    const missing: Mag[] = [];
    try {
      for (const entry of props.wkwResolutions) {
        const mag = new Mag(entry.resolution);
        const dirName = await findMagDir(layerDir, mag);
        const backup = backups.get(mag.toLayerName()) ?? backups.get(mag.toLongLayerName());
        if (dirName !== undefined) {
          opened.push({ mag, dirName, wkw: await WkwDataset.open(path.join(layerDir, dirName), { cache: dataset.cache }) });
        } else if (backup !== undefined) {
          opened.push({ mag, dirName: path.basename(backup).replace(/\.old$/, ""), wkw: await WkwDataset.open(backup, { cache: dataset.cache }), fixedPath: backup });
        } else {
          missing.push(mag);
        }
      }
      let numChannels = props.numChannels;
      if (numChannels === undefined) {
        const first = props.wkwResolutions[0];
        const firstOpen = first && opened.find((o) => o.mag.equals(first.resolution));
        if (!firstOpen) {
          throw new WkwError(
            "ERR_WKW_PROPERTIES",
            `invalid ${file}: ${keyPath}.numChannels is missing and cannot be taken from the header.wkw of the layer's first mag (${first ? `no folder ${new Mag(first.resolution).toLayerName()} with a header.wkw in ${layerDir}` : "the layer has no mags"})`,
            { path: file },
          );
        }
        numChannels = firstOpen.wkw.header.numChannels;
        props.numChannels = numChannels;
      }
      const dtype = dtypePerChannelFrom(props.elementClass, numChannels, { path: file, keyPath: `${keyPath}.elementClass` });
      for (const o of opened) {
        const h = o.wkw.header;
        const entry = props.wkwResolutions.find((e) => o.mag.equals(e.resolution))!;
        const problem =
          h.voxelType !== dtype || h.numChannels !== numChannels
            ? `holds ${h.numChannels} × ${h.voxelType}, the JSON says ${numChannels} × ${dtype} (elementClass ${props.elementClass})`
            : h.blockLen * h.fileLen !== entry.cubeLength
              ? `has a file edge of ${h.blockLen * h.fileLen} voxels (blockLen ${h.blockLen} × fileLen ${h.fileLen}), the JSON's cubeLength is ${entry.cubeLength}`
              : undefined;
        if (problem) {
          throw new WkwError("ERR_WKW_PROPERTIES", `invalid ${file}: mag ${o.mag.toLayerName()} of layer ${props.name}: ${path.join(o.wkw.path, "header.wkw")} ${problem}`, {
            path: file,
          });
        }
      }
      const layer = Layer._make(dataset, props, dtype);
      for (const o of opened) layer.#mags.set(o.mag.toLayerName(), new MagView(layer, o.mag, o.dirName, o.wkw, o.fixedPath));
      for (const mag of missing) {
        layer.#missing.add(mag.toLayerName());
        // Kept in the JSON (webknossos-libs 2021 dropped it and so lost it at the next save).
        process.emitWarning(`mag ${mag.toLayerName()} of layer ${props.name} is listed in ${file} but ${layerDir} has no folder ${mag.toLayerName()} or ${mag.toLongLayerName()} with a header.wkw; it is skipped`, {
          code: "WKW_MAG_MISSING",
        });
      }
      return layer;
    } catch (err) {
      for (const o of opened) o.wkw.close();
      throw err;
    }
  }

  // ---- accessors -------------------------------------------------------------------------

  get name(): string {
    return this.#props.name;
  }

  /** The layer folder. */
  get path(): string {
    return path.join(this.dataset.path, this.#props.name);
  }

  get category(): LayerCategory {
    return this.#props.category;
  }

  get numChannels(): number {
    return this.#props.numChannels!;
  }

  get dtypePerChannel(): T {
    return this.#dtype as T;
  }

  /** webknossos-libs' per-voxel dtype: "uint24" for 3 × uint8, "float32" for 1 × float32. */
  get dtypePerLayer(): string {
    return dtypePerLayerFor(this.#dtype, this.numChannels);
  }

  /** The JSON's per-voxel type name ("uint24", "float", "double", …). */
  get elementClass(): string {
    return this.#props.elementClass;
  }

  /** In mag1 voxels. */
  get boundingBox(): BoundingBox {
    const b = this.#props.boundingBox;
    return new BoundingBox(b.topLeft, [b.width, b.height, b.depth]);
  }

  /** Mags by short name ("1", "2-2-1"), in the JSON's order. */
  get mags(): ReadonlyMap<string, MagView<T>> {
    return new Map(this.#mags);
  }

  get defaultViewConfiguration(): Readonly<LayerViewConfiguration> | undefined {
    const c = this.#props.defaultViewConfiguration;
    return c === undefined ? undefined : structuredClone(c);
  }

  // ---- internal hooks --------------------------------------------------------------------

  /** @internal The layer entry as this object knows it (read-only use). */
  _properties(): LayerProperties {
    return this.#props;
  }

  /** @internal Adopts the entry as saved by the update with sequence number `seq`. */
  _sync(fresh: LayerProperties, seq: number): void {
    if (seq <= this.#seq) return; // an older save finishing late
    this.#seq = seq;
    this.#props = structuredClone(fresh);
  }

  /** @internal */
  _checkUsable(): void {
    if (this.#deleted) throw notFound(`layer ${this.name} was deleted`, "layer", this.name, this.path);
  }

  /** @internal Dataset.deleteLayer / close. */
  _close(deleted: boolean): void {
    if (deleted) this.#deleted = true;
    for (const mv of this.#mags.values()) {
      if (deleted) mv._markDeleted();
      else mv._closeHandle();
    }
  }

  /** @internal Grows the bounding box (mag1) to cover `region` unless it already does. */
  async _growBoundingBox(region: BoundingBox): Promise<void> {
    const current = this.boundingBox;
    if (!current.isEmpty() && current.containsBbox(region)) return;
    await this.dataset._updateLayer(this, (fresh) => {
      const b = fresh.boundingBox;
      const grown = new BoundingBox(b.topLeft, [b.width, b.height, b.depth]).extendedBy(region);
      fresh.boundingBox = { ...grown.toWkw(), ...(b.extra ? { extra: b.extra } : {}) };
    });
  }

  // ---- metadata setters (saved at once) ------------------------------------------------

  /** Sets the bounding box (mag1) and saves. Shrinking deletes no data; growing shows zeros. */
  async setBoundingBox(bbox: BoundingBox): Promise<void> {
    if (!(bbox instanceof BoundingBox)) throw argumentError("bbox", "a BoundingBox", bbox);
    if (bbox.topLeft.some((v) => v < 0)) throw argumentError("bbox", "a BoundingBox with a non-negative topLeft", String(bbox));
    await this.dataset._updateLayer(this, (fresh) => {
      const extra = fresh.boundingBox.extra;
      fresh.boundingBox = { ...bbox.toWkw(), ...(extra ? { extra } : {}) };
    });
  }

  /** Sets (or with undefined removes) the layer's defaultViewConfiguration and saves. */
  async setDefaultViewConfiguration(config: LayerViewConfiguration | undefined): Promise<void> {
    if (config !== undefined && (config === null || typeof config !== "object" || Array.isArray(config))) {
      throw argumentError("config", "a view configuration object or undefined", config);
    }
    const copy = config === undefined ? undefined : structuredClone(config);
    await this.dataset._updateLayer(this, (fresh) => {
      if (copy === undefined) delete fresh.defaultViewConfiguration;
      else fresh.defaultViewConfiguration = copy;
    });
  }

  /**
   * Renames the layer: its folder, its JSON entry and the dataset's layer map. MagView and
   * View objects of the layer keep working (their handles are reopened at the new path).
   */
  async setName(name: string): Promise<void> {
    checkLayerName("name", name);
    this._checkUsable();
    if (name === this.name) return;
    await this.dataset._renameLayer(this, name);
    for (const mv of this.#mags.values()) await mv._reopen();
  }

  // ---- mags ----------------------------------------------------------------------------

  /** The MagView of `mag`; ERR_WKW_NOT_FOUND if the layer has no such mag. */
  getMag(mag: MagLike): MagView<T> {
    const m = Mag.from(mag, "mag");
    const mv = this.#mags.get(m.toLayerName());
    if (mv) return mv;
    const why = this.#missing.has(m.toLayerName()) ? " (it is listed in the JSON but its folder is missing)" : "";
    throw notFound(`layer ${this.name} has no mag ${m.toLayerName()}${why}; it has ${[...this.#mags.keys()].join(", ") || "none"}`, "mag", m.toLayerName(), this.path);
  }

  /**
   * Creates `<layer>/<mag.toLayerName()>/header.wkw` (raw, or LZ4HC with `compress`) and
   * its `wkwResolutions` entry { resolution: [x, y, z], cubeLength: blockLen × fileLen }.
   */
  async addMag(mag: MagLike, options: AddMagOptions = {}): Promise<MagView<T>> {
    const m = Mag.from(mag, "mag");
    const o = checkAddMagOptions(options);
    this._checkUsable();
    this.dataset._checkWritable();
    if (this.#mags.has(m.toLayerName()) || this.#missing.has(m.toLayerName())) {
      throw new WkwError("ERR_WKW_EXISTS", `layer ${this.name} already has mag ${m.toLayerName()}`, { parameter: "mag", received: m.toLayerName(), path: this.path });
    }
    const header = {
      voxelType: this.#dtype,
      numChannels: this.numChannels,
      blockLen: o.blockLen ?? 32,
      fileLen: o.fileLen ?? 32,
      blockType: o.blockType ?? "raw",
    };
    if (TYPE_SIZE[this.#dtype] * this.numChannels > 255) {
      throw argumentError("mag", `a layer whose voxels fit in 255 bytes (WKW limit); ${this.name} has ${this.numChannels} × ${this.#dtype}`, m.toLayerName());
    }
    const dirName = m.toLayerName();
    const dir = path.join(this.path, dirName);
    const longDir = path.join(this.path, m.toLongLayerName());
    if (longDir !== dir && (await fsp.access(longDir).then(() => true, () => false))) {
      throw new WkwError("ERR_WKW_EXISTS", `the folder ${longDir} already exists`, { parameter: "mag", path: longDir });
    }
    const wkw = await createOrAdoptMag(dir, header, this.dataset.cache);
    try {
      await this.dataset._updateLayer(this, (fresh) => {
        if (fresh.wkwResolutions.some((e) => m.equals(e.resolution))) {
          throw new WkwError("ERR_WKW_EXISTS", `layer ${this.name} already has mag ${m.toLayerName()} (added by another process)`, { parameter: "mag", path: this.path });
        }
        fresh.wkwResolutions.push({ resolution: [m.x, m.y, m.z], cubeLength: header.blockLen * header.fileLen });
      });
    } catch (err) {
      wkw.close();
      await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
    const mv = new MagView(this, m, dirName, wkw);
    this.#mags.set(dirName, mv);
    return mv;
  }

  /**
   * The existing mag (after checking the options that were passed: blockLen, fileLen,
   * compress) or a new one.
   */
  async getOrAddMag(mag: MagLike, options: AddMagOptions = {}): Promise<MagView<T>> {
    const m = Mag.from(mag, "mag");
    const o = checkAddMagOptions(options);
    const mv = this.#mags.get(m.toLayerName());
    if (!mv) return this.addMag(m, options);
    const h = mv.header;
    const mismatch = (parameter: string, expected: unknown, received: unknown) =>
      new WkwError("ERR_WKW_ARGUMENT", `${parameter}: mag ${m.toLayerName()} of layer ${this.name} exists with ${parameter.slice(8)} ${String(expected)}, received ${String(received)}`, {
        parameter,
        expected: String(expected),
        received: String(received),
      });
    if (o.blockLen !== undefined && o.blockLen !== h.blockLen) throw mismatch("options.blockLen", h.blockLen, o.blockLen);
    if (o.fileLen !== undefined && o.fileLen !== h.fileLen) throw mismatch("options.fileLen", h.fileLen, o.fileLen);
    // true asks for a compressed mag (LZ4 or LZ4HC); "lz4" / "lz4hc" for that block type.
    const fits = o.compress === true ? h.blockType !== "raw" : o.blockType === undefined || o.blockType === h.blockType;
    if (!fits) throw mismatch("options.compress", h.blockType === "raw" ? false : JSON.stringify(h.blockType), typeof o.compress === "string" ? JSON.stringify(o.compress) : o.compress);
    return mv;
  }

  /** Removes the mag's JSON entry (saved first), then its folder. */
  async deleteMag(mag: MagLike): Promise<void> {
    const m = Mag.from(mag, "mag");
    this._checkUsable();
    this.dataset._checkWritable();
    const mv = this.#mags.get(m.toLayerName());
    if (!mv && !this.#missing.has(m.toLayerName())) this.getMag(m); // throws ERR_WKW_NOT_FOUND
    await this.dataset._updateLayer(this, (fresh) => {
      fresh.wkwResolutions = fresh.wkwResolutions.filter((e) => !m.equals(e.resolution));
    });
    this.#mags.delete(m.toLayerName());
    this.#missing.delete(m.toLayerName());
    if (mv) {
      const dir = mv.path;
      mv._markDeleted();
      try {
        await fsp.rm(dir, { recursive: true, force: true });
      } catch (err) {
        throw toWkwError(err, dir);
      }
    }
  }

  /** @internal A new mag folder put in place by downsampling (already listed in the JSON). */
  _adoptMag(mag: Mag, dirName: string, wkw: WkwDataset): MagView {
    const mv = new MagView(this, mag, dirName, wkw);
    this.#mags.set(mag.toLayerName(), mv);
    this.#missing.delete(mag.toLayerName());
    return mv;
  }

  // ---- downsampling (lib/dataset/downsample-layer.ts, lib/ops/downsample.ts) ----------

  /** Builds `targetMag` from `fromMag` (a multiple of it per axis); see docs/dataset-api.md. */
  downsampleMag(fromMag: MagLike, targetMag: MagLike, options?: DownsampleMagOptions): Promise<MagView<T>> {
    return pyramid.downsampleMag(this, fromMag, targetMag, options) as Promise<MagView<T>>;
  }

  /** Builds the mag pyramid from `fromMag` (default: the finest mag) up to `coarsestMag`. */
  downsample(options?: DownsampleOptions): Promise<MagView<T>[]> {
    return pyramid.downsample(this, options) as Promise<MagView<T>[]>;
  }

  /** Builds the listed mags (sorted by x, y, z), each from the one before. */
  downsampleMagList(fromMag: MagLike, targetMags: readonly MagLike[], options?: DownsampleMagOptions): Promise<MagView<T>[]> {
    return pyramid.downsampleMagList(this, fromMag, targetMags, options) as Promise<MagView<T>[]>;
  }

  /** Builds finer mags down to `finestMag` (default 1) by replicating voxels. */
  upsample(options: UpsampleOptions): Promise<MagView<T>[]> {
    return pyramid.upsample(this, options) as Promise<MagView<T>[]>;
  }

  toString(): string {
    return `${this.constructor.name}(name=${this.name}, category=${this.category}, dtypePerChannel=${this.dtypePerChannel}, numChannels=${this.numChannels}, mags=[${[...this.#mags.keys()].join(", ")}])`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Creates a mag folder, or adopts an empty one a crashed addMag left with the same header. */
async function createOrAdoptMag(dir: string, header: Omit<WkwHeader, "version" | "voxelSize">, cache: BlockCache | undefined): Promise<WkwDataset> {
  try {
    return await WkwDataset.create(dir, { ...header, cache });
  } catch (err) {
    if (!(err instanceof WkwError) || err.code !== "ERR_WKW_EXISTS") throw err;
    const existing = await WkwDataset.open(dir, { cache });
    const h = existing.header;
    const same = h.voxelType === header.voxelType && h.numChannels === header.numChannels && h.blockLen === header.blockLen && h.fileLen === header.fileLen && h.blockType === header.blockType;
    if (same && (await existing.listFiles()).length === 0) return existing;
    existing.close();
    throw new WkwError("ERR_WKW_EXISTS", `the mag folder ${dir} already exists (not listed in the JSON)`, { parameter: "mag", path: dir });
  }
}

export class SegmentationLayer<T extends VoxelType = VoxelType> extends Layer<T> {
  /** The highest segment id present, if known (a bigint beyond 2^53). */
  get largestSegmentId(): number | bigint | undefined {
    return this._properties().largestSegmentId;
  }

  /** Names of the layer's mapping files (empty if none). */
  get mappings(): readonly string[] {
    return [...(this._properties().mappings ?? [])];
  }

  /** Sets largestSegmentId (a non-negative integer or bigint) and saves. */
  async setLargestSegmentId(id: number | bigint): Promise<void> {
    const value = checkSegmentId("id", id);
    await this.dataset._updateLayer(this, (fresh) => {
      fresh.largestSegmentId = value;
    });
  }

  /**
   * Scans the finest mag (its bounding-box part) chunk by chunk, one job per chunk through
   * the executor, and saves its largest voxel value as largestSegmentId; a layer without
   * mags or with an empty bounding box gets none. Returns what was saved. As webknossos-libs'
   * refresh_largest_segment_id; needs an integer voxel type.
   */
  async refreshLargestSegmentId(options: RefreshLargestSegmentIdOptions = {}): Promise<number | bigint | undefined> {
    this._checkUsable();
    this.dataset._checkWritable();
    const o = checkOptionsObject("options", options);
    checkKeys("options", o, ["chunkShape", "executor", "signal", "onProgress"]);
    const chunkShape = o.chunkShape === undefined ? undefined : checkSize("options.chunkShape", o.chunkShape);
    const executor = checkExecutor("options.executor", o.executor);
    const signal = checkSignal(o.signal);
    if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw argumentError("options.onProgress", "a function", o.onProgress);
    const onProgress = o.onProgress as RefreshLargestSegmentIdOptions["onProgress"];
    const finest = [...this.mags.values()].sort((a, b) => Mag.compare(a.mag, b.mag))[0];
    const max = finest
      ? await largestValueOf(finest, { executor, ...(chunkShape ? { chunkShape } : {}), ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) })
      : undefined;
    if (signal?.aborted) throw abortError();
    const id = max === undefined ? undefined : checkSegmentId("largestSegmentId", max);
    await this.dataset._updateLayer(this, (fresh) => {
      if (id === undefined) delete fresh.largestSegmentId;
      else fresh.largestSegmentId = id;
    });
    return id;
  }
}

export interface RefreshLargestSegmentIdOptions {
  /** the grid of the scan, one job per chunk (default: the finest mag's cube-file edge) */
  chunkShape?: Vec3Like;
  executor?: Executor;
  signal?: AbortSignal;
  /** after each chunk: `{ done, total, unit: "chunks" }` */
  onProgress?: (progress: Progress<"chunks">) => void;
}

/** A segment id: non-negative safe integer, or a bigint below 2^64. */
export function checkSegmentId(parameter: string, value: unknown): number | bigint {
  if (typeof value === "bigint") {
    if (value < 0n || value >= 2n ** 64n) throw argumentError(parameter, "a non-negative integer below 2^64", value);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw argumentError(parameter, "a non-negative integer (or a bigint)", value);
  }
  return value;
}
