/**
 * MagView: one mag of a layer, the unbounded View of the whole mag (2021 webknossos-libs):
 * globalOffset (0,0,0), offsets absolute and mag-local, size up to the layer bounding box's
 * bottom-right aligned (ceil) to the mag. Writes may go anywhere (offsets ≥ 0) and grow the
 * layer bounding box (stored in mag1).
 */
import type { Progress } from "../util/progress.js";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import type { VoxelType } from "../dtypes.js";
import { WkwError, toWkwError } from "../errors.js";
import { BoundingBox } from "../geometry/bounding-box.js";
import { Mag } from "../geometry/mag.js";
import { toString as vecString, type Vec3 } from "../geometry/vec3.js";
import { checkExecutor } from "../ops/executor.js";
import { compressFiles } from "../ops/compress.js";
import { argumentError, checkOptionsObject, checkString } from "../util/validate.js";
import { WkwDataset } from "../wkw/dataset.js";
import { layoutOf, type WkwHeader } from "../wkw/header.js";
import { checkKeys } from "./checks.js";
import type { Layer } from "./layer.js";
import { createCompressTemp, keepOwnerAlive, removeTemp, swapCompressed } from "./mag-folder.js";
import {
  View, checkOffset, checkSize, fileEdge, readOnlyError, type GetViewOptions, type MagSource,
} from "./view.js";
import type { Executor } from "../ops/executor.js";
import { checkSignal } from "../util/abort.js";

export interface CompressMagOptions {
  /** Write the compressed copy to `<targetPath>/<layer>/<mag>` and leave this mag as it is. */
  targetPath?: string;
  /** Runs one job per cube file (any executor); without it the native pool compresses all files. */
  executor?: Executor;
  /** Stops the compression; an in-place one then leaves the mag as it was. */
  signal?: AbortSignal;
  /** Called after each compressed cube file: `{ done, total, unit: "files" }`. */
  onProgress?: (progress: Progress<"files">) => void;
}

const ZERO: Vec3 = Object.freeze([0, 0, 0] as const);

/**
 * The live state of a mag folder, shared by the MagView and every View taken from it, so
 * those follow a layer rename or an in-place compression.
 */
class MagAccess implements MagSource {
  wkw: WkwDataset;
  /** Set while the folder is being swapped or reopened; I/O waits for it. */
  pending: Promise<void> | undefined;
  deleted = false;

  constructor(
    readonly layer: Layer,
    readonly mag: Mag,
    public dirName: string,
    wkw: WkwDataset,
    /** set when the mag is read from a compression backup (see mag-folder.ts) */
    readonly fixedPath?: string,
  ) {
    this.wkw = wkw;
  }

  get path(): string {
    return this.fixedPath ?? path.join(this.layer.path, this.dirName);
  }

  get header(): WkwHeader {
    return this.wkw.header;
  }

  async handle(): Promise<WkwDataset> {
    while (this.pending) await this.pending;
    if (this.deleted) {
      throw new WkwError("ERR_WKW_NOT_FOUND", `mag ${this.mag.toLayerName()} of layer ${this.layer.name} was deleted`, { path: this.path });
    }
    return this.wkw;
  }

  /** Runs `fn` with I/O held back, e.g. to swap folders; then reopens the folder. */
  async exclusive(fn: () => Promise<void>): Promise<void> {
    while (this.pending) await this.pending;
    const run = (async () => {
      this.wkw.close();
      try {
        await fn();
      } finally {
        // Reopen even after a failure: the folder is then the old one, put back in place.
        this.wkw = await WkwDataset.open(this.path, { cache: this.wkw.cache });
      }
    })();
    this.pending = run.then(() => undefined, () => undefined);
    try {
      await run;
    } finally {
      this.pending = undefined;
    }
  }
}

export class MagView<T extends VoxelType = VoxelType> extends View<T> {
  readonly #access: MagAccess;

  /**
   * @internal MagViews are made by Layer (addMag, open). Not in the published types, where
   * MagView inherits View's protected constructor.
   */
  constructor(layer: Layer<T>, mag: Mag, dirName: string, wkw: WkwDataset, fixedPath?: string) {
    const access = new MagAccess(layer, mag, dirName, wkw, fixedPath);
    super(access, ZERO, ZERO, false, BoundingBox.empty());
    this.#access = access;
  }

  get layer(): Layer<T> {
    return this.#access.layer as Layer<T>;
  }

  override get mag(): Mag {
    return this.#access.mag;
  }

  /** The mag's short name ("1", "2-2-1"). */
  get name(): string {
    return this.#access.mag.toLayerName();
  }

  /** The mag folder (short or long name, whichever exists). */
  override get path(): string {
    return this.#access.path;
  }

  override get header(): WkwHeader {
    return this.#access.header;
  }

  override get globalOffset(): Vec3 {
    return ZERO;
  }

  /** Up to the layer bounding box's bottom-right, aligned (ceil) to the mag, mag-local. */
  override get size(): Vec3 {
    return this._magBoundingBox().bottomRight;
  }

  /** The dataset's flag; also true while the mag is read from a compression backup. */
  override get readOnly(): boolean {
    return this.layer.dataset.readOnly || this.#access.fixedPath !== undefined;
  }

  /** @internal */
  protected override _source(): MagSource {
    return this.#access;
  }

  /** @internal */
  protected override _bounded(): boolean {
    return false;
  }

  /** @internal The layer bounding box aligned (ceil) to the mag, in mag-local voxels. */
  protected override _magBoundingBox(): BoundingBox {
    const bbox = this.layer.boundingBox;
    if (bbox.isEmpty()) return BoundingBox.empty();
    return bbox.alignWithMag(this.mag, { ceil: true }).inMag(this.mag);
  }

  /** @internal */
  protected override _region(): BoundingBox {
    return this._magBoundingBox();
  }

  /** @internal */
  protected override _checkWritable(): void {
    this.layer._checkUsable();
    if (this.#access.fixedPath !== undefined) {
      throw readOnlyError(`${this} (read from the compression backup ${this.path}; a writable open by this host restores it once its compression is no longer running)`);
    }
    if (this.readOnly) throw readOnlyError(`${this} (the dataset was opened read-only)`);
  }

  /** @internal Grows the layer bounding box (mag1) to cover what was written. */
  protected override async _afterWrite(region: BoundingBox): Promise<void> {
    await this.layer._growBoundingBox(region.fromMag(this.mag));
  }

  /** @internal Layer: the folder was renamed/moved; reopen handles at the new path. */
  async _reopen(): Promise<void> {
    await this.#access.exclusive(async () => {});
  }

  /** @internal Layer: the mag was deleted. */
  _markDeleted(): void {
    this.#access.deleted = true;
    this.#access.wkw.close();
  }

  /** @internal Dataset.close. */
  _closeHandle(): void {
    this.#access.wkw.close();
  }

  /** @internal Downsampling with allowOverwrite: swaps in `<tempDir>/<dirName>` like a compression. */
  async _replaceFolder(tempDir: string): Promise<void> {
    const layerDir = this.layer.path;
    const dirName = this.#access.dirName;
    await this.#access.exclusive(() => swapCompressed(layerDir, dirName, tempDir));
  }

  /** @internal */
  _dirName(): string {
    return this.#access.dirName;
  }

  /**
   * A View of this mag. Defaults: offset = the bounding box's top-left in this mag, size up
   * to its bottom-right. A writable view must lie inside the bounding box; a read-only one
   * may exceed it. Offsets are absolute (mag-local).
   */
  override getView(options: GetViewOptions = {}): View<T> {
    const opts = checkOptionsObject("options", options);
    checkKeys("options", opts, ["offset", "size", "readOnly"]);
    const readOnly = this._subViewReadOnly(opts.readOnly);
    const bbox = this._magBoundingBox();
    const offset = opts.offset === undefined ? bbox.topLeft : checkOffset("options.offset", opts.offset);
    let size: Vec3;
    if (opts.size !== undefined) {
      size = checkSize("options.size", opts.size);
    } else {
      size = [0, 1, 2].map((a) => bbox.bottomRight[a]! - offset[a]!) as unknown as Vec3;
      if (!size.every((s) => s > 0)) {
        throw new WkwError("ERR_WKW_OUT_OF_BOUNDS", `the default size of a view at ${vecString(offset)} is empty: the layer bounding box in mag ${this.name} is ${bbox}; pass options.size`, {
          parameter: opts.offset === undefined ? "options.size" : "options.offset",
          expected: `a view inside ${bbox}`,
          received: vecString(offset),
        });
      }
    }
    const region = new BoundingBox(offset, size);
    if (!readOnly && !bbox.containsBbox(region)) {
      throw new WkwError("ERR_WKW_OUT_OF_BOUNDS", `a writable view must lie inside the layer bounding box (in mag ${this.name}: ${bbox}), received ${region}; pass readOnly: true to look beyond it`, {
        parameter: bbox.contains(region.topLeft) ? "options.size" : "options.offset",
        expected: `a region inside ${bbox}`,
        received: String(region),
      });
    }
    return View._make<T>(this.#access, region.topLeft, region.size, readOnly, bbox);
  }

  /** One box (mag-local offset and size of one file) per cube file on disk, not clipped. */
  async getBoundingBoxesOnDisk(): Promise<BoundingBox[]> {
    const wkw = await this.#access.handle();
    const edge = fileEdge(wkw.header);
    const files = await wkw.listFiles();
    return files.map((f) => new BoundingBox([f[0] * edge, f[1] * edge, f[2] * edge], [edge, edge, edge]));
  }

  /**
   * Compresses the mag (LZ4HC). In place: the copy is written to a temporary folder in the
   * layer folder and swapped in only once complete, by renames, the old folder deleted last
   * (see mag-folder.ts for the crash-recovery rule); an already compressed mag is left as it
   * is. With `targetPath`: writes `<targetPath>/<layer>/<mag>` and refuses an existing one.
   * No writes to this mag may run meanwhile.
   */
  async compress(options: CompressMagOptions = {}): Promise<void> {
    const opts = checkOptionsObject("options", options);
    checkKeys("options", opts, ["targetPath", "executor", "signal", "onProgress"]);
    const executor = opts.executor === undefined ? undefined : checkExecutor("options.executor", opts.executor);
    const signal = checkSignal(opts.signal);
    if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") throw argumentError("options.onProgress", "a function", opts.onProgress);
    const run = {
      ...(executor ? { executor } : {}),
      ...(signal ? { signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress as (progress: Progress<"files">) => void } : {}),
    };
    if (opts.targetPath !== undefined) {
      const root = path.resolve(checkString("options.targetPath", opts.targetPath));
      const dest = path.join(root, this.layer.name, this.name);
      if (await fsp.lstat(dest).then(() => true, () => false)) {
        throw new WkwError("ERR_WKW_EXISTS", `the compression target ${dest} already exists`, { path: dest, parameter: "options.targetPath" });
      }
      this.layer._checkUsable();
      const source = await this.#access.handle();
      const target = await WkwDataset.create(dest, layoutOf(source.header, "lz4hc"));
      try {
        await compressFiles(this, target, run);
      } finally {
        target.close();
      }
      return;
    }
    this._checkWritable();
    const source = await this.#access.handle();
    if (source.header.blockType !== "raw") return;
    const layerDir = this.layer.path;
    const dirName = this.#access.dirName;
    const temp = await createCompressTemp(layerDir);
    const stopHeartbeat = keepOwnerAlive(temp);
    try {
      const target = await WkwDataset.create(path.join(temp, dirName), layoutOf(source.header, "lz4hc"));
      try {
        await compressFiles(this, target, run);
      } finally {
        target.close();
      }
      await this.#access.exclusive(() => swapCompressed(layerDir, dirName, temp));
    } catch (err) {
      // Remove the temporary folder unless it might hold the only copy of the old data.
      if (await fsp.access(path.join(layerDir, dirName)).then(() => true, () => false)) await removeTemp(temp);
      throw toWkwError(err, layerDir);
    } finally {
      stopHeartbeat();
    }
  }

  override toString(): string {
    return `MagView(name=${this.name}, globalOffset=${vecString(this.globalOffset)}, size=${vecString(this.size)})`;
  }

  override [inspect.custom](): string {
    return this.toString();
  }
}
