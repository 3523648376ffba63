/**
 * View: a window onto one mag (2021 webknossos-libs semantics). Offsets and sizes are in
 * voxels of the view's mag ("mag-local"); a View's offsets are relative to its
 * `globalOffset`. MagView (mag-view.ts) is the unbounded View of a whole mag.
 *
 * A View is a plain descriptor: mag folder, header, extent, read-only flag and the mag's
 * bounding box at creation (for the compressed-write warning). It holds no file handle of
 * its own unless it was made by View.fromJSON (then one is opened at the first I/O).
 */
import type { Progress } from "../util/progress.js";
import { inspect } from "node:util";
import { WkwError } from "../errors.js";
import { BoundingBox } from "../geometry/bounding-box.js";
import { Mag } from "../geometry/mag.js";
import { toString as vecString, type Vec3, type Vec3Like } from "../geometry/vec3.js";
import { checkExecutor, type Executor, type MapOptions } from "../ops/executor.js";
import { checkJobRef, type JobRef } from "../ops/job-ref.js";
import { argumentError, checkOptions, checkOptionsObject, checkVec3, misuseError } from "../util/validate.js";
import { BLOCK_TYPES, type WkwHeader } from "../wkw/header.js";
import { WkwDataset, WRITE_OPTION_KEYS, type ReadOptions, type WriteOptions } from "../wkw/dataset.js";
import { toStridedInput, type NdArrayLike, type VoxelArray } from "../wkw/voxel-array.js";
import { TYPE_SIZE, VOXEL_TYPES, type VoxelDataOf, type VoxelType } from "../dtypes.js";
import { checkKeys, checkOptionalBoolean } from "./checks.js";

/** Where a view's voxels live: a MagView (live handle) or a folder opened on demand. */
export interface MagSource {
  readonly path: string;
  readonly mag: Mag;
  readonly header: WkwHeader;
  handle(): Promise<WkwDataset>;
}

export interface GetViewOptions {
  /** mag-local; relative to the view's globalOffset (absolute for a MagView) */
  offset?: Vec3Like;
  size?: Vec3Like;
  readOnly?: boolean;
}

/** Progress and cancellation of a chunk run (passed on to the executor). */
export interface ChunkRunOptions {
  executor?: Executor;
  /** Stops starting chunks; the call rejects with ERR_WKW_ABORTED once running ones settle. */
  signal?: AbortSignal;
  /** Called after each finished chunk: `{ done, total, unit: "chunks" }`. */
  onProgress?: (progress: Progress<"chunks">) => void;
}

export interface ForEachChunkOptions extends ChunkRunOptions {
  chunkSize: Vec3Like;
}

export interface ForZippedChunksOptions extends ChunkRunOptions {
  sourceChunkSize: Vec3Like;
  targetChunkSize: Vec3Like;
}

/** The work of a chunk run: a function (in-process executors only) or a job reference. */
export type ChunkWork<F> = F | JobRef;

function checkWork(value: unknown, what: string): ((...a: never[]) => unknown) | JobRef {
  if (typeof value === "function") return value as (...a: never[]) => unknown;
  if (value !== null && typeof value === "object") return checkJobRef("work", value);
  throw argumentError("work", `a function ${what} or a job reference { module, name, args? }`, value);
}

function mapOptions(o: Record<string, unknown>, total: number): MapOptions {
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw argumentError("options.signal", "an AbortSignal", o.signal);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw argumentError("options.onProgress", "a function", o.onProgress);
  const onProgress = o.onProgress as ((progress: Progress<"chunks">) => void) | undefined;
  return {
    total,
    ...(o.signal ? { signal: o.signal as AbortSignal } : {}),
    ...(onProgress ? { onProgress: ({ done }: Progress) => onProgress({ done, total, unit: "chunks" }) } : {}),
  };
}

/** The number of chunks of `region` on a grid of `chunk` aligned to multiples of it. */
function chunkCount(region: BoundingBox, chunk: Vec3): number {
  if (region.isEmpty()) return 0;
  let n = 1;
  for (let a = 0; a < 3; a++) n *= Math.ceil(region.bottomRight[a]! / chunk[a]!) - Math.floor(region.topLeft[a]! / chunk[a]!);
  return n;
}

/** The serialised form of a View (JSON-safe). */
export interface ViewJSON {
  type: "wkw.View";
  version: 1;
  /** absolute path of the mag folder (the one holding header.wkw) */
  path: string;
  mag: [number, number, number];
  header: { blockLen: number; fileLen: number; blockType: string; voxelType: string; numChannels: number };
  globalOffset: [number, number, number];
  size: [number, number, number];
  readOnly: boolean;
  /** the mag's bounding box (mag-local) when the view was created */
  magBoundingBox: { topLeft: [number, number, number]; size: [number, number, number] };
}

const ZERO: Vec3 = Object.freeze([0, 0, 0] as const);

export function readOnlyError(what: string, parameter?: string): WkwError {
  return new WkwError("ERR_WKW_READ_ONLY", `${what} is read-only`, parameter ? { parameter } : {});
}

function outOfBounds(parameter: string, message: string, region: BoundingBox, limit: BoundingBox): WkwError {
  return new WkwError("ERR_WKW_OUT_OF_BOUNDS", `${message}: ${region} is not inside ${limit}`, {
    parameter,
    expected: `a region inside ${limit}`,
    received: String(region),
  });
}

const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

/** Offsets are non-negative integers. */
export function checkOffset(parameter: string, value: unknown): Vec3 {
  return checkVec3(parameter, value, 0);
}

/** Sizes are positive integers: an empty region is an error (as in 2021 webknossos-libs). */
export function checkSize(parameter: string, value: unknown): Vec3 {
  return checkVec3(parameter, value, 1);
}

export function fileEdge(header: WkwHeader): number {
  return header.blockLen * header.fileLen;
}

/** Options of View.write / MagView.write: WkwDataset's write options and `warnUnaligned`. */
export interface ViewWriteOptions extends WriteOptions {
  /**
   * false: no WKW_UNALIGNED_COMPRESSED_WRITE warning for this call (default true: the
   * warning is emitted once per mag folder and process).
   */
  warnUnaligned?: boolean;
}
export const VIEW_WRITE_OPTION_KEYS = [...WRITE_OPTION_KEYS, "warnUnaligned"] as const;

// Mag folders that already had their unaligned-compressed-write warning in this process.
const warnedUnaligned = new Set<string>();

/** `T`: the layer's voxel type when known (then reads are typed, e.g. Uint8Array). */
export class View<T extends VoxelType = VoxelType> {
  readonly #source: MagSource;
  readonly #globalOffset: Vec3;
  readonly #size: Vec3;
  readonly #readOnly: boolean;
  readonly #magBox: BoundingBox;

  /** @internal The constructor, for the package's other classes. */
  static _make<T extends VoxelType = VoxelType>(source: MagSource, globalOffset: Vec3, size: Vec3, readOnly: boolean, magBox: BoundingBox): View<T> {
    return new View<T>(source, globalOffset, size, readOnly, magBox);
  }

  /** Views are made by getView / View.fromJSON (protected: not part of the public API). */
  protected constructor(source: MagSource, globalOffset: Vec3, size: Vec3, readOnly: boolean, magBox: BoundingBox) {
    this.#source = source;
    this.#globalOffset = Object.freeze([...globalOffset]) as unknown as Vec3;
    this.#size = Object.freeze([...size]) as unknown as Vec3;
    this.#readOnly = readOnly;
    this.#magBox = magBox;
  }

  /** Absolute mag-local position of the view's (0, 0, 0). */
  get globalOffset(): Vec3 {
    return this.#globalOffset;
  }

  get size(): Vec3 {
    return this.#size;
  }

  get readOnly(): boolean {
    return this.#readOnly;
  }

  get mag(): Mag {
    return this.#source.mag;
  }

  get header(): WkwHeader {
    return this.#source.header;
  }

  /** The mag folder. */
  get path(): string {
    return this.#source.path;
  }

  // ---- hooks MagView overrides --------------------------------------------------------

  /** @internal */
  protected _source(): MagSource {
    return this.#source;
  }

  /** @internal False for a MagView: it reads and writes anywhere (offsets ≥ 0). */
  protected _bounded(): boolean {
    return true;
  }

  /** @internal The mag's bounding box (mag-local) the compressed-write warning compares with. */
  protected _magBoundingBox(): BoundingBox {
    return this.#magBox;
  }

  /** @internal The absolute region the chunk helpers split: the view, or a MagView's bbox. */
  protected _region(): BoundingBox {
    return new BoundingBox(this.globalOffset, this.size);
  }

  /** @internal The absolute region the chunk helpers split (for ops in lib/ops). */
  _chunkRegion(): BoundingBox {
    return this._region();
  }

  /** @internal The open mag folder (for ops that work on whole cube files). */
  _handle(): Promise<WkwDataset> {
    return this._source().handle();
  }

  /** @internal Called after a successful write with its absolute region (MagView grows the bbox). */
  protected async _afterWrite(_region: BoundingBox): Promise<void> {}

  /** @internal Throws unless writes are allowed now. */
  protected _checkWritable(): void {
    if (this.readOnly) throw readOnlyError(`${this}`);
  }

  // ---- I/O -----------------------------------------------------------------------------

  /** The view as a box in absolute mag-local coordinates. */
  #box(): BoundingBox {
    return new BoundingBox(this.globalOffset, this.size);
  }

  /** Absolute region of a relative (offset, size); bounded views check containment. */
  #absolute(offset: Vec3, size: Vec3, parameter: string, what: string): BoundingBox {
    const region = new BoundingBox(add(this.globalOffset, offset), size);
    if (this._bounded() && !this.#box().containsBbox(region)) {
      throw outOfBounds(parameter, `${what} outside ${this}`, region, this.#box());
    }
    return region;
  }

  /**
   * Reads `size` voxels at `offset` (relative to globalOffset; for a MagView absolute).
   * Defaults: offset (0,0,0), size = the view's size. Returns a (c, x, y, z) array.
   */
  async read(offset: Vec3Like = ZERO, size?: Vec3Like, options?: ReadOptions<VoxelDataOf<T>>): Promise<VoxelArray<VoxelDataOf<T>>> {
    const o = checkOffset("offset", offset);
    const s = size === undefined ? this.#defaultReadSize(o) : checkSize("size", size);
    const region = this.#absolute(o, s, "size", "read");
    const wkw = await this._source().handle();
    return (await wkw.read(region.topLeft, region.size, options)) as VoxelArray<VoxelDataOf<T>>;
  }

  #defaultReadSize(offset: Vec3): Vec3 {
    const s = sub(this.size, offset);
    if (!(s[0] > 0 && s[1] > 0 && s[2] > 0)) {
      throw misuseError("size", `is required here: the default (the view's size minus offset) is empty for ${this}`, undefined);
    }
    return s;
  }

  /** read(bbox.topLeft, bbox.size); without a box, the whole view (read()). */
  async readBbox(bbox?: BoundingBox, options?: ReadOptions<VoxelDataOf<T>>): Promise<VoxelArray<VoxelDataOf<T>>> {
    if (bbox === undefined) return this.read(ZERO, undefined, options);
    if (!(bbox instanceof BoundingBox)) throw argumentError("bbox", "a BoundingBox", bbox);
    return this.read(bbox.topLeft, bbox.size, options);
  }

  /**
   * Writes an ndarray-like ([x, y, z] or [c, x, y, z], the layer's dtype) at `offset`
   * (relative; for a MagView absolute). Into compressed mags a write that does not cover
   * whole files is merged with the data around it; a warning (WKW_UNALIGNED_COMPRESSED_WRITE)
   * says so when a face is neither file-aligned nor on/outside the mag's bounding box.
   */
  async write(data: NdArrayLike<VoxelDataOf<T>>, offset: Vec3Like = ZERO, options?: ViewWriteOptions): Promise<void> {
    this._checkWritable();
    const { warnUnaligned, ...writeOptions } = checkOptions("options", options, VIEW_WRITE_OPTION_KEYS);
    const warn = checkOptionalBoolean("options.warnUnaligned", warnUnaligned) ?? true;
    const o = checkOffset("offset", offset);
    const header = this._source().header;
    const size = toStridedInput(data, header.voxelType, header.numChannels, "data", writeOptions.broadcast === true).size;
    if (!(size[0] > 0 && size[1] > 0 && size[2] > 0)) {
      throw argumentError("data.shape", "a shape with no zero extent", (data as { shape?: unknown }).shape);
    }
    const region = this.#absolute(o, size, "offset", "write");
    const wkw = await this._source().handle();
    if (warn && wkw.header.blockType !== "raw") this.#warnIfUnaligned(region, wkw.header);
    await wkw.write(region.topLeft, data, writeOptions);
    await this._afterWrite(region);
  }

  #warnIfUnaligned(region: BoundingBox, header: WkwHeader): void {
    const edge = fileEdge(header);
    const border = this._magBoundingBox();
    if (border.isEmpty()) return; // nothing stored anywhere that the merge could disturb
    const faces: string[] = [];
    for (let a = 0; a < 3; a++) {
      const lo = region.topLeft[a]!, hi = region.bottomRight[a]!;
      if (lo % edge !== 0 && lo > border.topLeft[a]!) faces.push(`${"xyz"[a]}=${lo}`);
      if (hi % edge !== 0 && hi < border.bottomRight[a]!) faces.push(`${"xyz"[a]}=${hi}`);
    }
    if (faces.length === 0 || warnedUnaligned.has(this.path)) return;
    warnedUnaligned.add(this.path);
    process.emitWarning(
      `write of ${region} into the compressed mag ${this.path} is not aligned to its files (edge ${edge}) ` +
        `at ${faces.join(", ")}: the whole files are read, merged and rewritten. Writers of the same file ` +
        `in other processes would lose data; align writes to ${edge} or to the bounding box ${border}. ` +
        `(Warned once per mag and process; { warnUnaligned: false } silences it per call.)`,
      { code: "WKW_UNALIGNED_COMPRESSED_WRITE" },
    );
  }

  // ---- sub-views -----------------------------------------------------------------------

  /**
   * A sub-view. Defaults: offset (0,0,0), size up to the end of this view; readOnly
   * inherited. A read-only view gives only read-only sub-views; a writable sub-view must lie
   * inside this view, a read-only one may exceed it.
   */
  getView(options: GetViewOptions = {}): View<T> {
    const opts = checkOptionsObject("options", options);
    checkKeys("options", opts, ["offset", "size", "readOnly"]);
    const readOnly = this._subViewReadOnly(opts.readOnly);
    const offset = opts.offset === undefined ? ZERO : checkOffset("options.offset", opts.offset);
    let size: Vec3;
    if (opts.size !== undefined) {
      size = checkSize("options.size", opts.size);
    } else {
      size = sub(this.size, offset);
      if (!(size[0] > 0 && size[1] > 0 && size[2] > 0)) {
        throw outOfBounds("options.offset", "the default size of a view at this offset is empty", new BoundingBox(add(this.globalOffset, offset), [0, 0, 0]), this.#box());
      }
    }
    const region = new BoundingBox(add(this.globalOffset, offset), size);
    if (!readOnly && !this.#box().containsBbox(region)) {
      throw outOfBounds(this.#box().contains(region.topLeft) ? "options.size" : "options.offset", "a writable view must lie inside the view it is taken from", region, this.#box());
    }
    return new View<T>(this._source(), region.topLeft, region.size, readOnly, this._magBoundingBox());
  }

  /** @internal The readOnly flag of a sub-view: inherited; a read-only parent gives no writable one. */
  protected _subViewReadOnly(value: unknown): boolean {
    const requested = checkOptionalBoolean("options.readOnly", value);
    if (requested === false && this.readOnly) {
      throw readOnlyError(`${this}; a writable view of it`, "options.readOnly");
    }
    return requested ?? this.readOnly;
  }

  // ---- chunk helpers -------------------------------------------------------------------

  /**
   * Splits the view (for a MagView: its bounding-box part) on a grid of `chunkSize` aligned
   * to multiples of it (absolute coordinates), and runs `work(subView, index)` per chunk
   * through the executor. Sub-views inherit readOnly. For a writable view `chunkSize` must
   * be a multiple of the file edge (compressed mags) or of blockLen (raw mags), so no two
   * jobs rewrite the same file or block. The first failure rejects the call after the
   * running jobs settle. `work` is a function (in-process executors) or a job reference
   * `{ module, name, args }` whose function is called as fn(view, index, args) (any executor).
   */
  async forEachChunk(work: ChunkWork<(view: View<T>, index: number) => unknown>, options: ForEachChunkOptions): Promise<void> {
    const job = checkWork(work, "(view, index) => ...");
    const opts = checkOptionsObject("options", options);
    checkKeys("options", opts, ["chunkSize", "executor", "signal", "onProgress"]);
    const chunkSize = checkSize("options.chunkSize", opts.chunkSize);
    const executor = checkExecutor("options.executor", opts.executor);
    if (!this.readOnly) checkWriterChunk("options.chunkSize", chunkSize, this.header, false);
    const region = this._region();
    const base = this.globalOffset;
    const self = this;
    function* views(): Generator<View<T>> {
      for (const chunk of region.chunk(chunkSize, chunkSize)) {
        yield self.getView({ offset: sub(chunk.topLeft, base), size: chunk.size });
      }
    }
    const run = mapOptions(opts, chunkCount(region, chunkSize));
    if (typeof job === "function") await executor.map((view: View<T>, index: number) => (job as (v: View<T>, i: number) => unknown)(view, index), views(), run);
    else await executor.map(job, views(), run);
  }

  /**
   * Pairs chunks of this view (source, read-only sub-views) with chunks of `targetView`
   * and runs `work(source, target, index)`. Target chunks lie on a grid of
   * `targetChunkSize` (a multiple of the target's file edge: one job per file); source
   * chunks are the same relative region scaled by sourceChunkSize / targetChunkSize, which
   * must equal the ratio of the two views' sizes. `work` is a function or a job reference
   * whose function is called as fn(source, target, index, args).
   */
  async forZippedChunks<U extends VoxelType = VoxelType>(
    work: ChunkWork<(source: View<T>, target: View<U>, index: number) => unknown>,
    targetView: View<U>,
    options: ForZippedChunksOptions,
  ): Promise<void> {
    const job = checkWork(work, "(source, target, index) => ...");
    if (!(targetView instanceof View)) throw argumentError("targetView", "a View or MagView", targetView);
    const opts = checkOptionsObject("options", options);
    checkKeys("options", opts, ["sourceChunkSize", "targetChunkSize", "executor", "signal", "onProgress"]);
    const sourceChunk = checkSize("options.sourceChunkSize", opts.sourceChunkSize);
    const targetChunk = checkSize("options.targetChunkSize", opts.targetChunkSize);
    const executor = checkExecutor("options.executor", opts.executor);
    if (targetView.readOnly) throw readOnlyError(`the target ${targetView}`, "targetView");
    checkWriterChunk("options.targetChunkSize", targetChunk, targetView.header, true);
    const src = this._region();
    const tgt = targetView._region();
    if (src.isEmpty() && tgt.isEmpty()) return;
    for (let a = 0; a < 3; a++) {
      if (src.size[a]! * targetChunk[a]! !== tgt.size[a]! * sourceChunk[a]!) {
        throw argumentError(
          "options.sourceChunkSize",
          `sizes with sourceChunkSize / targetChunkSize equal to the ratio of the views' sizes (${vecString(src.size)} / ${vecString(tgt.size)})`,
          opts.sourceChunkSize,
        );
      }
    }
    const scale = (v: Vec3, parameter: string): Vec3 => {
      const out = [0, 1, 2].map((a) => (v[a]! * sourceChunk[a]!) / targetChunk[a]!);
      if (!out.every(Number.isInteger)) {
        throw argumentError(parameter, `chunk sizes that map target chunk ${vecString(v)} to whole source voxels`, opts.sourceChunkSize);
      }
      return out as unknown as Vec3;
    };
    const self = this;
    function* pairs(): Generator<[View<T>, View<U>]> {
      for (const chunk of tgt.chunk(targetChunk, targetChunk)) {
        const rel = sub(chunk.topLeft, tgt.topLeft);
        const srcOffset = add(sub(src.topLeft, self.globalOffset), scale(rel, "options.sourceChunkSize"));
        const source = self.getView({ offset: srcOffset, size: scale(chunk.size, "options.sourceChunkSize"), readOnly: true });
        const target = targetView.getView({ offset: sub(chunk.topLeft, targetView.globalOffset), size: chunk.size });
        yield [source, target];
      }
    }
    const run = mapOptions(opts, chunkCount(tgt, targetChunk));
    if (typeof job === "function") {
      const fn = job as (s: View<T>, t: View<U>, i: number) => unknown;
      await executor.map(([s, t]: [View<T>, View<U>], index: number) => fn(s, t, index), pairs(), run);
    } else {
      await executor.map(job, pairs(), run);
    }
  }

  // ---- serialisation -------------------------------------------------------------------

  toJSON(): ViewJSON {
    const h = this.header;
    const box = this._magBoundingBox();
    return {
      type: "wkw.View",
      version: 1,
      path: this.path,
      mag: [...this.mag.toArray()] as [number, number, number],
      header: { blockLen: h.blockLen, fileLen: h.fileLen, blockType: h.blockType, voxelType: h.voxelType, numChannels: h.numChannels },
      globalOffset: [...this.globalOffset] as [number, number, number],
      size: [...this.size] as [number, number, number],
      readOnly: this.readOnly,
      magBoundingBox: { topLeft: [...box.topLeft] as [number, number, number], size: [...box.size] as [number, number, number] },
    };
  }

  /**
   * @internal True when this view's toJSON() differs from `other`'s only in globalOffset
   * and size (same mag folder, header, readOnly and mag bounding box): a batch of chunk
   * views then travels as one descriptor and the chunks' boxes (lib/ops/run-job.ts).
   */
  _sameJSONBase(other: View): boolean {
    return this.#source === other.#source && this.readOnly === other.readOnly && this._magBoundingBox().equals(other._magBoundingBox());
  }

  /**
   * A View from its toJSON() form (e.g. in a worker thread or on another machine). It opens
   * the mag folder at its first read or write; close() releases that handle.
   */
  static fromJSON(json: unknown): View {
    return View._fromJSONWith(json, undefined);
  }

  /**
   * @internal View.fromJSON whose folder is opened by `open` (e.g. a job runner's handle
   * cache, which owns the handle: close() of the view then leaves it open).
   */
  static _fromJSONWith(json: unknown, open: ((path: string) => Promise<WkwDataset>) | undefined): View {
    const j = parseViewJSON(json);
    const source = new FolderSource(j.path, new Mag(j.mag, "json.mag"), j.header, open);
    return new View(source, j.globalOffset, j.size, j.readOnly, new BoundingBox(j.magBoundingBox.topLeft, j.magBoundingBox.size));
  }

  /** Releases the file handle a View.fromJSON view opened (no-op for other views). */
  close(): void {
    if (this.#source instanceof FolderSource) this.#source.close();
  }

  toString(): string {
    return `View(mag=${this.mag.toLayerName()}, globalOffset=${vecString(this.globalOffset)}, size=${vecString(this.size)}${this.readOnly ? ", readOnly" : ""})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Chunk sizes a writer may use: whole files for compressed mags (whole blocks for raw ones unless `files`). */
function checkWriterChunk(parameter: string, chunk: Vec3, header: WkwHeader, files: boolean): void {
  const unit = files || header.blockType !== "raw" ? fileEdge(header) : header.blockLen;
  if (chunk.some((c) => c % unit !== 0)) {
    const what = unit === header.blockLen && !files ? `blockLen ${unit}` : `the file edge ${unit} (blockLen × fileLen)`;
    throw argumentError(parameter, `a multiple of ${what} in every axis, so no two jobs write the same ${files || header.blockType !== "raw" ? "file" : "block"}`, chunk);
  }
}

/** A mag folder opened on demand (views made by View.fromJSON). */
class FolderSource implements MagSource {
  #handle: Promise<WkwDataset> | undefined;
  #header: WkwHeader;

  constructor(
    readonly path: string,
    readonly mag: Mag,
    header: WkwHeader,
    /** a shared opener owns its handles: close() does not close them */
    readonly opener?: (path: string) => Promise<WkwDataset>,
  ) {
    this.#header = header;
  }

  get header(): WkwHeader {
    return this.#header;
  }

  handle(): Promise<WkwDataset> {
    this.#handle ??= (this.opener ?? WkwDataset.open)(this.path).then((ds) => {
      this.#header = ds.header; // the folder is the truth (it may have been compressed since)
      return ds;
    });
    this.#handle.catch(() => {
      this.#handle = undefined; // a later call may retry
    });
    return this.#handle;
  }

  close(): void {
    const h = this.#handle;
    this.#handle = undefined;
    if (!this.opener) h?.then((ds) => ds.close(), () => undefined);
  }
}

function parseViewJSON(json: unknown): ViewJSON & { header: WkwHeader } {
  const obj = checkOptionsObject("json", json === undefined ? null : json);
  if (obj.type !== "wkw.View" || obj.version !== 1) throw argumentError("json.type", 'a View descriptor ({ type: "wkw.View", version: 1, ... }) from View.toJSON()', obj.type);
  if (typeof obj.path !== "string" || obj.path.length === 0) throw argumentError("json.path", "a non-empty string", obj.path);
  const h = checkOptionsObject("json.header", obj.header ?? null);
  const blockType = h.blockType;
  const voxelType = h.voxelType;
  if (!(BLOCK_TYPES as readonly unknown[]).includes(blockType)) throw argumentError("json.header.blockType", "raw, lz4 or lz4hc", blockType);
  if (!(VOXEL_TYPES as readonly unknown[]).includes(voxelType)) throw argumentError("json.header.voxelType", "a voxel type", voxelType);
  for (const key of ["blockLen", "fileLen", "numChannels"] as const) {
    if (typeof h[key] !== "number" || !Number.isInteger(h[key]) || (h[key] as number) < 1) throw argumentError(`json.header.${key}`, "a positive integer", h[key]);
  }
  const header: WkwHeader = Object.freeze({
    version: 1,
    blockLen: h.blockLen as number,
    fileLen: h.fileLen as number,
    blockType: blockType as WkwHeader["blockType"],
    voxelType: voxelType as WkwHeader["voxelType"],
    voxelSize: TYPE_SIZE[voxelType as VoxelType] * (h.numChannels as number),
    numChannels: h.numChannels as number,
  });
  const box = checkOptionsObject("json.magBoundingBox", obj.magBoundingBox ?? null);
  if (typeof obj.readOnly !== "boolean") throw argumentError("json.readOnly", "a boolean", obj.readOnly);
  return {
    type: "wkw.View",
    version: 1,
    path: obj.path,
    mag: [...checkVec3("json.mag", obj.mag, 1)] as [number, number, number],
    header,
    globalOffset: [...checkOffset("json.globalOffset", obj.globalOffset)] as [number, number, number],
    size: [...checkSize("json.size", obj.size)] as [number, number, number],
    readOnly: obj.readOnly,
    magBoundingBox: {
      topLeft: [...checkVec3("json.magBoundingBox.topLeft", box.topLeft)] as [number, number, number],
      size: [...checkVec3("json.magBoundingBox.size", box.size, 0)] as [number, number, number],
    },
  };
}
