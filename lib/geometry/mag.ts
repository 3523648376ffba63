/**
 * A magnification (resolution level): how many mag1 voxels one voxel of this mag spans per
 * axis. Mirrors webknossos-libs' `Mag` (2021, v0.8), immutable as in its later versions.
 */
import { inspect } from "node:util";
import { argumentError } from "../util/validate.js";
import type { Vec3 } from "./vec3.js";

/** Anything `new Mag(...)` accepts: 2, "2", "2-2-1", [2, 2, 1] or a Mag. */
export type MagLike = Mag | number | string | readonly number[] | ArrayLike<number>;

const EXPECTED = 'a power of two >= 1, a string like "2" or "2-2-1", an array of 3 powers of two, or a Mag';

function isPowerOfTwo(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

function parse(value: unknown, parameter: string): [number, number, number] {
  let parts: unknown[] | undefined;
  if (typeof value === "number") {
    parts = [value, value, value];
  } else if (typeof value === "string") {
    // Same forms as the layer directory names: "n" or "x-y-z", decimal digits only.
    if (/^\d+$/.test(value)) parts = [Number(value), Number(value), Number(value)];
    else if (/^\d+-\d+-\d+$/.test(value)) parts = value.split("-").map(Number);
  } else if ((Array.isArray(value) || ArrayBuffer.isView(value)) && (value as ArrayLike<unknown>).length === 3) {
    parts = Array.from(value as ArrayLike<unknown>);
  }
  if (parts === undefined || !parts.every(isPowerOfTwo)) throw argumentError(parameter, EXPECTED, value);
  return parts as [number, number, number];
}

export class Mag {
  readonly x: number;
  readonly y: number;
  readonly z: number;

  /** `parameter` is the name used in error messages (callers pass their own argument's name). */
  constructor(mag: MagLike, parameter = "mag") {
    if (mag instanceof Mag) {
      this.x = mag.x;
      this.y = mag.y;
      this.z = mag.z;
    } else {
      [this.x, this.y, this.z] = parse(mag, parameter);
    }
    Object.freeze(this);
  }

  /** Returns `value` itself if it already is a Mag (no allocation), else parses it. */
  static from(value: MagLike, parameter = "mag"): Mag {
    return value instanceof Mag ? value : new Mag(value, parameter);
  }

  /**
   * Sort order: by the largest component, then x, y, z. A total order (unlike lt/gt), so
   * `mags.sort(Mag.compare)` is deterministic.
   */
  static compare(a: MagLike, b: MagLike): number {
    const p = Mag.from(a, "a"), q = Mag.from(b, "b");
    return p.maxDim - q.maxDim || p.x - q.x || p.y - q.y || p.z - q.z;
  }

  toArray(): Vec3 {
    return [this.x, this.y, this.z];
  }

  get maxDim(): number {
    return Math.max(this.x, this.y, this.z);
  }

  /** Directory name written for this mag: "2" if isotropic, else "2-2-1". */
  toLayerName(): string {
    return this.x === this.y && this.y === this.z ? String(this.x) : this.toLongLayerName();
  }

  /** Always "x-y-z"; the fallback directory name when looking a mag up. */
  toLongLayerName(): string {
    return `${this.x}-${this.y}-${this.z}`;
  }

  /** Component-wise equality; `other` is parsed, so `new Mag(2).equals("2-2-2")` is true. */
  equals(other: MagLike): boolean {
    const o = Mag.from(other, "other");
    return this.x === o.x && this.y === o.y && this.z === o.z;
  }

  // As in Python, the ordering operators compare only the largest component: 2-2-1 and
  // 2-2-2 are neither lt nor gt each other, but le and ge hold both ways.
  lt(other: MagLike): boolean {
    return this.maxDim < Mag.from(other, "other").maxDim;
  }

  le(other: MagLike): boolean {
    return this.maxDim <= Mag.from(other, "other").maxDim;
  }

  gt(other: MagLike): boolean {
    return this.maxDim > Mag.from(other, "other").maxDim;
  }

  ge(other: MagLike): boolean {
    return this.maxDim >= Mag.from(other, "other").maxDim;
  }

  /** The layer name, so a Mag can be used directly in paths and template strings. */
  toString(): string {
    return this.toLayerName();
  }

  toJSON(): [number, number, number] {
    return [this.x, this.y, this.z];
  }

  [inspect.custom](): string {
    return `Mag(${this.toLayerName()})`;
  }
}
