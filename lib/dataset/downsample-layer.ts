/**
 * The mag pyramid of a layer: Layer.downsampleMag / downsample / downsampleMagList /
 * upsample are thin wrappers over these functions; the voxel work is in lib/ops/downsample.
 *
 * Crash safety (the rule of in-place compression, mag-folder.ts): a new mag is written to
 * `<layer>/.compress-<random>/<mag>` (owner file inside), renamed to `<layer>/<mag>` only
 * when complete, then listed in datasource-properties.json (atomic save). A crash leaves
 * garbage in the temporary folder (removed by the next writable open or the next run) or a
 * complete unlisted mag carrying the marker file MARKER, which the next run lists. With
 * allowOverwrite the existing mag is swapped like a compression: it stays readable until
 * the swap, and a crash in the middle of the swap restores it at the next open.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { WkwError, toWkwError } from "../errors.js";
import { BoundingBox } from "../geometry/bounding-box.js";
import { Mag, type MagLike } from "../geometry/mag.js";
import { abortError, checkSignal } from "../util/abort.js";
import { argumentError, checkOptionsObject, type Vec3 } from "../util/validate.js";
import { WkwDataset, listCubeFiles } from "../wkw/dataset.js";
import { checkInterpolationMode, type InterpolationMode } from "../ops/downsample-array.js";
import {
  calculateDefaultCoarsestMag, calculateMagsToDownsample, calculateMagsToUpsample, SAMPLING_MODES, type SamplingMode,
} from "../ops/downsample-mags.js";
import { resampleMag, targetFilesOf, type ResampleJobArgs, type ResampleProgress } from "../ops/downsample.js";
import { checkExecutor, type Executor } from "../ops/executor.js";
import { checkKeys, checkOptionalBoolean } from "./checks.js";
import type { Layer } from "./layer.js";
import { createCompressTemp, findMagDir, recoverLayerFolder, removeTemp } from "./mag-folder.js";
import type { MagView } from "./mag-view.js";

/** Left in a new mag folder between its rename into place and its listing in the JSON. */
export const MARKER = ".wkw-downsample-complete";

export interface DownsampleMagOptions {
  /** "median" | "mode" | "max" | "min" | "average" | "nearest" | "default" (mode for segmentation, median else) */
  interpolationMode?: InterpolationMode | "default";
  /** LZ4HC target files (default true) */
  compress?: boolean;
  /** rebuild a target mag that exists (swapped in when complete) */
  allowOverwrite?: boolean;
  executor?: Executor;
  signal?: AbortSignal;
  onProgress?: (progress: ResampleProgress) => void;
}

export interface DownsampleOptions extends DownsampleMagOptions {
  /** default: the finest existing mag */
  fromMag?: MagLike;
  /** default: calculateDefaultCoarsestMag(bounding box size) */
  coarsestMag?: MagLike;
  /** "anisotropic" (alias "auto", default), "isotropic" or "constantZ" */
  samplingMode?: SamplingMode;
}

export interface UpsampleOptions {
  fromMag: MagLike;
  /** default 1 */
  finestMag?: MagLike;
  compress?: boolean;
  samplingMode?: SamplingMode;
  allowOverwrite?: boolean;
  executor?: Executor;
  signal?: AbortSignal;
  onProgress?: (progress: ResampleProgress) => void;
}

const STEP_KEYS = ["interpolationMode", "compress", "allowOverwrite", "executor", "signal", "onProgress"];

interface Common {
  mode: InterpolationMode;
  compress: boolean;
  allowOverwrite: boolean;
  executor: Executor;
  signal: AbortSignal | undefined;
  onProgress: ((p: ResampleProgress) => void) | undefined;
}

function checkCommon(layer: Layer, o: Record<string, unknown>): Common {
  const m = o.interpolationMode;
  const mode = m === undefined || m === "default" ? (layer.category === "segmentation" ? "mode" : "median") : checkInterpolationMode("options.interpolationMode", m);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw argumentError("options.onProgress", "a function", o.onProgress);
  return {
    mode,
    compress: checkOptionalBoolean("options.compress", o.compress) ?? true,
    allowOverwrite: checkOptionalBoolean("options.allowOverwrite", o.allowOverwrite) ?? false,
    executor: checkExecutor("options.executor", o.executor),
    signal: checkSignal(o.signal),
    onProgress: o.onProgress as Common["onProgress"],
  };
}

function checkWritable(layer: Layer): void {
  layer._checkUsable();
  layer.dataset._checkWritable();
}

function exists(layer: Layer, mag: Mag): boolean {
  return layer.mags.has(mag.toLayerName());
}

function existsError(layer: Layer, mag: Mag): WkwError {
  return new WkwError("ERR_WKW_EXISTS", `layer ${layer.name} already has mag ${mag.toLayerName()}; pass allowOverwrite: true to rebuild it`, {
    parameter: "targetMag",
    received: mag.toLayerName(),
    path: path.join(layer.path, mag.toLayerName()),
  });
}

function stepFactors(from: Mag, to: Mag, upsample: boolean, parameter: string): [number, number, number] {
  const a = from.toArray(), b = to.toArray();
  const [hi, lo] = upsample ? [a, b] : [b, a];
  if (hi.some((v, i) => v % lo[i]! !== 0) || hi.every((v, i) => v === lo[i])) {
    const what = upsample ? `a mag finer than ${from.toLayerName()} that divides it on every axis` : `a mag coarser than ${from.toLayerName()} and a multiple of it on every axis`;
    throw argumentError(parameter, what, to.toLayerName());
  }
  return hi.map((v, i) => v / lo[i]!) as [number, number, number];
}

interface Step {
  from: Mag;
  to: Mag;
  factors: [number, number, number];
  upsample: boolean;
  /** target files to write (planned from the source files on disk) */
  files: Vec3[];
}

/** The target region in target voxels: the layer bounding box aligned outward to the coarser mag. */
function regionOf(layer: Layer, step: { from: Mag; to: Mag; upsample: boolean }): BoundingBox {
  const bbox = layer.boundingBox;
  if (bbox.isEmpty()) return BoundingBox.empty();
  return bbox.alignWithMag(step.upsample ? step.from : step.to, { ceil: true }).inMag(step.to);
}

/** Plans a chain of steps; existing targets are skipped when `skipExisting` (their files feed the next step). */
async function planSteps(layer: Layer, chain: { from: Mag; to: Mag; upsample: boolean }[], skipExisting: boolean): Promise<(Step | { skip: Mag })[]> {
  const source = layer.getMag(chain[0]!.from);
  const edge = source.header.blockLen * source.header.fileLen;
  let files = await listCubeFiles(source.path);
  const out: (Step | { skip: Mag })[] = [];
  for (const c of chain) {
    if (skipExisting && exists(layer, c.to)) {
      out.push({ skip: c.to });
      files = await listCubeFiles(layer.getMag(c.to).path);
      continue;
    }
    const factors = stepFactors(c.from, c.to, c.upsample, c.upsample ? "finestMag" : "targetMag");
    if (c.upsample && factors.some((f) => f > edge)) throw argumentError("finestMag", `a mag at most ${edge} times finer than ${c.from.toLayerName()} per step`, c.to.toLayerName());
    files = targetFilesOf(files, edge, edge, factors, c.upsample, regionOf(layer, c));
    out.push({ ...c, factors, files });
  }
  return out;
}

/** Lists an unlisted mag folder a crashed run renamed into place (marker present), or refuses a foreign one. */
async function adoptOrClear(layer: Layer, mag: Mag, allowOverwrite: boolean): Promise<MagView | undefined> {
  const dirName = await findMagDir(layer.path, mag);
  if (dirName === undefined) return undefined;
  const dir = path.join(layer.path, dirName);
  if (await fsp.access(path.join(dir, MARKER)).then(() => true, () => false)) {
    return listNewMag(layer, mag, dirName);
  }
  if (!allowOverwrite) {
    throw new WkwError("ERR_WKW_EXISTS", `the folder ${dir} already exists but is not listed in the layer; pass allowOverwrite: true to replace it`, { parameter: "targetMag", path: dir });
  }
  await fsp.rm(dir, { recursive: true, force: true }).catch((err) => {
    throw toWkwError(err, dir);
  });
  return undefined;
}

async function listNewMag(layer: Layer, mag: Mag, dirName: string): Promise<MagView> {
  const dir = path.join(layer.path, dirName);
  const wkw = await WkwDataset.open(dir);
  const cubeLength = wkw.header.blockLen * wkw.header.fileLen;
  try {
    await layer.dataset._updateLayer(layer, (fresh) => {
      if (!fresh.wkwResolutions.some((e) => mag.equals(e.resolution))) {
        fresh.wkwResolutions.push({ resolution: [mag.x, mag.y, mag.z], cubeLength });
      }
    });
  } catch (err) {
    wkw.close();
    throw err;
  }
  await fsp.rm(path.join(dir, MARKER), { force: true }).catch(() => undefined);
  return layer._adoptMag(mag, dirName, wkw);
}

/** Builds one mag (a Step) in a temporary folder and puts it in place. */
async function buildStep(layer: Layer, step: Step, c: Common, progress: { base: number; total: number }): Promise<MagView> {
  const source = layer.getMag(step.from);
  const existing = layer.mags.get(step.to.toLayerName());
  if (!existing) {
    const adopted = await adoptOrClear(layer, step.to, c.allowOverwrite);
    if (adopted) {
      c.onProgress?.({ done: progress.base + step.files.length, total: progress.total, unit: "files" });
      return adopted;
    }
  }
  if (c.signal?.aborted) throw abortError();
  const layerDir = layer.path;
  const dirName = existing ? existing._dirName() : step.to.toLayerName();
  const h = source.header;
  const targetHeader = { blockLen: h.blockLen, fileLen: h.fileLen, blockType: c.compress ? ("lz4hc" as const) : ("raw" as const), voxelType: h.voxelType, numChannels: h.numChannels };
  const region = regionOf(layer, step);
  const temp = await createCompressTemp(layerDir);
  const fresh = path.join(temp, dirName);
  try {
    (await WkwDataset.create(fresh, targetHeader)).close();
    const r = region.isEmpty() ? [0, 0, 0, 0, 0, 0] : [...region.topLeft, ...region.bottomRight];
    const args: ResampleJobArgs = { target: fresh, targetHeader, factors: step.factors, mode: c.mode, region: r as ResampleJobArgs["region"] };
    await resampleMag(source, step.files, args, step.upsample, {
      executor: c.executor, signal: c.signal, onProgress: c.onProgress, progressBase: progress.base, progressTotal: progress.total,
    });
    if (existing) {
      await existing._replaceFolder(temp);
      const cubeLength = h.blockLen * h.fileLen;
      await layer.dataset._updateLayer(layer, (p) => {
        const e = p.wkwResolutions.find((x) => step.to.equals(x.resolution));
        if (e) e.cubeLength = cubeLength;
      });
      return existing;
    }
    await fsp.writeFile(path.join(fresh, MARKER), JSON.stringify({ from: step.from.toArray(), mode: c.mode }));
    await fsp.rename(fresh, path.join(layerDir, dirName));
    const [mv] = await Promise.all([listNewMag(layer, step.to, dirName), removeTemp(temp)]);
    return mv;
  } catch (err) {
    // Keep the temporary folder only if it may hold the only copy of an overwritten mag.
    if (!existing || (await fsp.access(path.join(layerDir, dirName)).then(() => true, () => false))) await removeTemp(temp);
    throw toWkwError(err, layerDir);
  }
}

async function runSteps(layer: Layer, chain: { from: Mag; to: Mag; upsample: boolean }[], c: Common, skipExisting: boolean): Promise<MagView[]> {
  if (chain.length === 0) return [];
  // Leftovers of crashed runs (temporary folders of dead owners) go first.
  await recoverLayerFolder(layer.path, true);
  const steps = await planSteps(layer, chain, skipExisting);
  const total = steps.reduce((n, s) => n + ("files" in s ? s.files.length : 0), 0);
  const built: MagView[] = [];
  let base = 0;
  for (const s of steps) {
    if (!("files" in s)) continue;
    built.push(await buildStep(layer, s, c, { base, total }));
    base += s.files.length;
  }
  return built;
}

export async function downsampleMag(layer: Layer, fromMag: MagLike, targetMag: MagLike, options: DownsampleMagOptions = {}): Promise<MagView> {
  const from = Mag.from(fromMag, "fromMag");
  const to = Mag.from(targetMag, "targetMag");
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, STEP_KEYS);
  const c = checkCommon(layer, o);
  checkWritable(layer);
  layer.getMag(from);
  stepFactors(from, to, false, "targetMag");
  if (exists(layer, to) && !c.allowOverwrite) throw existsError(layer, to);
  const [mv] = await runSteps(layer, [{ from, to, upsample: false }], c, false);
  return mv!;
}

export async function downsampleMagList(layer: Layer, fromMag: MagLike, targetMags: readonly MagLike[], options: DownsampleMagOptions = {}): Promise<MagView[]> {
  const from = Mag.from(fromMag, "fromMag");
  if (!Array.isArray(targetMags)) throw argumentError("targetMags", "an array of mags", targetMags);
  const targets = targetMags.map((m, i) => Mag.from(m, `targetMags[${i}]`));
  targets.sort((a, b) => a.x - b.x || a.y - b.y || a.z - b.z);
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, STEP_KEYS);
  const c = checkCommon(layer, o);
  checkWritable(layer);
  layer.getMag(from);
  const chain: { from: Mag; to: Mag; upsample: boolean }[] = [];
  let prev = from;
  for (const t of targets) {
    stepFactors(prev, t, false, "targetMags");
    if (exists(layer, t) && !c.allowOverwrite) throw existsError(layer, t);
    chain.push({ from: prev, to: t, upsample: false });
    prev = t;
  }
  return runSteps(layer, chain, c, false);
}

function samplingOf(value: unknown): SamplingMode {
  if (value === undefined) return "anisotropic";
  if (typeof value !== "string" || !(SAMPLING_MODES as readonly string[]).includes(value)) {
    throw argumentError("options.samplingMode", `one of ${SAMPLING_MODES.join(", ")}`, value);
  }
  return value as SamplingMode;
}

function finestExisting(layer: Layer): Mag {
  const mags = [...layer.mags.values()].map((mv) => mv.mag).sort(Mag.compare);
  if (mags.length === 0) throw new WkwError("ERR_WKW_NOT_FOUND", `layer ${layer.name} has no mag to downsample from`, { parameter: "options.fromMag", path: layer.path });
  return mags[0]!;
}

export async function downsample(layer: Layer, options: DownsampleOptions = {}): Promise<MagView[]> {
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, [...STEP_KEYS, "fromMag", "coarsestMag", "samplingMode"]);
  const c = checkCommon(layer, o);
  const sampling = samplingOf(o.samplingMode);
  checkWritable(layer);
  const from = o.fromMag === undefined ? finestExisting(layer) : Mag.from(o.fromMag as MagLike, "options.fromMag");
  layer.getMag(from);
  let coarsest = o.coarsestMag === undefined ? calculateDefaultCoarsestMag(layer.boundingBox.size) : Mag.from(o.coarsestMag as MagLike, "options.coarsestMag");
  if (sampling === "constantZ") coarsest = new Mag([coarsest.x, coarsest.y, from.z]);
  const voxelSize = sampling === "anisotropic" || sampling === "auto" ? layer.dataset.scale : null;
  const mags = calculateMagsToDownsample(from, coarsest, voxelSize);
  const chain = mags.map((to, i) => ({ from: i === 0 ? from : mags[i - 1]!, to, upsample: false }));
  return runSteps(layer, chain, c, !c.allowOverwrite);
}

export async function upsample(layer: Layer, options: UpsampleOptions): Promise<MagView[]> {
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, ["fromMag", "finestMag", "compress", "samplingMode", "allowOverwrite", "executor", "signal", "onProgress"]);
  if (o.fromMag === undefined) throw argumentError("options.fromMag", "a mag", undefined);
  const c = checkCommon(layer, { ...o, interpolationMode: "nearest" });
  const sampling = samplingOf(o.samplingMode);
  checkWritable(layer);
  const from = Mag.from(o.fromMag as MagLike, "options.fromMag");
  layer.getMag(from);
  let finest = o.finestMag === undefined ? new Mag(1) : Mag.from(o.finestMag as MagLike, "options.finestMag");
  if (sampling === "constantZ") finest = new Mag([finest.x, finest.y, from.z]);
  if (finest.toArray().some((v, i) => v > from.toArray()[i]!)) {
    throw argumentError("options.finestMag", `a mag at most as coarse as ${from.toLayerName()} on every axis`, finest.toLayerName());
  }
  const voxelSize = sampling === "anisotropic" || sampling === "auto" ? layer.dataset.scale : null;
  const mags = finest.equals(from) ? [] : calculateMagsToUpsample(from, finest, voxelSize);
  const chain = mags.map((to, i) => ({ from: i === 0 ? from : mags[i - 1]!, to, upsample: true }));
  return runSteps(layer, chain, c, !c.allowOverwrite);
}
