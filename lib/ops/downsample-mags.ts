/**
 * Which mags a pyramid has: the next-mag rules of webknossos-libs (the later, anisotropic
 * rule) and the default coarsest mag. Pure functions on Mags.
 */
import { WkwError } from "../errors.js";
import { Mag, type MagLike } from "../geometry/mag.js";
import { argumentError } from "../util/validate.js";

export const SAMPLING_MODES = ["anisotropic", "auto", "isotropic", "constantZ"] as const;
export type SamplingMode = (typeof SAMPLING_MODES)[number];

function checkVoxelSize(value: unknown): [number, number, number] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === "number" && Number.isFinite(v) && v > 0)) {
    throw argumentError("voxelSize", "null or an array of 3 positive numbers", value);
  }
  return value as [number, number, number];
}

/**
 * The mags after `fromMag` up to `coarsestMag`. With a voxel size (anisotropic): from the
 * physical size mag × voxelSize, either every axis doubles or only the axes of minimal size
 * do, whichever gives the smaller max/min ratio; clamped to coarsestMag. Without one
 * (isotropic, constantZ): every axis doubles, clamped. An unreachable target is an error.
 */
export function calculateMagsToDownsample(fromMag: MagLike, coarsestMag: MagLike, voxelSize: readonly number[] | null): Mag[] {
  const from = Mag.from(fromMag, "fromMag");
  const coarsest = Mag.from(coarsestMag, "coarsestMag");
  const size = checkVoxelSize(voxelSize);
  const c = coarsest.toArray();
  if (from.toArray().some((v, i) => v > c[i]!)) {
    throw argumentError("coarsestMag", `a mag at least as coarse as ${from.toLayerName()} on every axis`, coarsest.toLayerName());
  }
  const clamp = (v: number[]) => new Mag(v.map((x, i) => Math.min(x, c[i]!)));
  const mags: Mag[] = [];
  let current = from;
  while (current.maxDim < coarsest.maxDim) {
    const cur = current.toArray();
    let next: Mag;
    if (size === null) {
      next = clamp(cur.map((v) => v * 2));
    } else {
      const physical = cur.map((v, i) => v * size[i]!);
      const min = Math.min(...physical);
      const factor = physical.map((p) => (p === min ? 2 : 1));
      const all = physical.map((p) => p * 2);
      const minOnly = physical.map((p, i) => p * factor[i]!);
      const ratio = (v: number[]) => Math.max(...v) / Math.min(...v);
      if (ratio(all) < ratio(minOnly)) {
        next = clamp(cur.map((v) => v * 2));
      } else {
        next = clamp(cur.map((v, i) => v * factor[i]!));
        // Isotropic voxels but an anisotropic mag (4-4-2 → 4-4-4): the max stays, skip it.
        if (next.maxDim === current.maxDim && !next.equals(current)) {
          current = next;
          continue;
        }
      }
    }
    if (next.equals(current)) {
      throw new WkwError("ERR_WKW_ARGUMENT", `the coarsest mag ${coarsest.toLayerName()} cannot be reached from ${current.toLayerName()} with voxel size ${size ? size.join(",") : "null"}`, {
        parameter: "coarsestMag",
        received: coarsest.toLayerName(),
      });
    }
    current = next;
    mags.push(current);
  }
  return mags;
}

/** The mags from `fromMag` down to `finestMag` (the reverse walk of downsampling). */
export function calculateMagsToUpsample(fromMag: MagLike, finestMag: MagLike, voxelSize: readonly number[] | null): Mag[] {
  const finest = Mag.from(finestMag, "finestMag");
  const up = calculateMagsToDownsample(finest, fromMag, voxelSize);
  return [...up.reverse().slice(1), finest];
}

/** max(2^ceil(log2(max(x, y) / 100)), 4), isotropic: about 100 voxels per slice edge. */
export function calculateDefaultCoarsestMag(size: readonly number[]): Mag {
  if (!Array.isArray(size) || size.length !== 3 || !size.every((v) => Number.isInteger(v) && v >= 0)) {
    throw argumentError("size", "an array of 3 non-negative integers", size);
  }
  const xy = Math.max(size[0]!, size[1]!);
  const p = xy <= 0 ? 0 : 2 ** Math.ceil(Math.log2(xy / 100));
  return new Mag(Math.max(p, 4));
}
