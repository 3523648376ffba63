/**
 * An axis-aligned box of voxels: `topLeft` inclusive, `bottomRight = topLeft + size`
 * exclusive. Mirrors webknossos-libs' `BoundingBox` (2021, v0.8) with camelCase names;
 * immutable (every operation returns a new box) as in its later versions.
 */
import { inspect } from "node:util";
import { WkwError } from "../errors.js";
import { argumentError, checkInteger, checkOptions, checkVec3 } from "../util/validate.js";
import { Mag, type MagLike } from "./mag.js";
import { toString as vecString, vec3, type Vec3, type Vec3Like } from "./vec3.js";

/** The JSON form used in datasource-properties.json. */
export interface WkwBoundingBox {
  topLeft: [number, number, number];
  width: number;
  height: number;
  depth: number;
}

/** Python-style floor modulo (JS `%` truncates, which breaks alignment of negative coordinates). */
function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function checkBox(parameter: string, value: unknown): BoundingBox {
  if (!(value instanceof BoundingBox)) throw argumentError(parameter, "a BoundingBox", value);
  return value;
}

export class BoundingBox {
  readonly topLeft: Vec3;
  readonly size: Vec3;
  readonly bottomRight: Vec3;

  constructor(topLeft: Vec3Like, size: Vec3Like) {
    this.topLeft = vec3(topLeft, "topLeft");
    // 2021 silently accepted negative sizes and later versions flip them; a negative size is
    // almost always a bug in the caller, so it is rejected here.
    this.size = vec3(size, "size", 0);
    const [x, y, z] = this.topLeft;
    this.bottomRight = vec3([x + this.size[0], y + this.size[1], z + this.size[2]], "bottomRight");
    Object.freeze(this);
  }

  /** (0,0,0)+(0,0,0). */
  static empty(): BoundingBox {
    return new BoundingBox([0, 0, 0], [0, 0, 0]);
  }

  /** Parses the properties-JSON form `{ topLeft: [x,y,z], width, height, depth }`. */
  static fromWkw(value: unknown, parameter = "bbox"): BoundingBox {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw argumentError(parameter, "an object { topLeft, width, height, depth }", value);
    }
    const o = value as Record<string, unknown>;
    const topLeft = checkVec3(`${parameter}.topLeft`, o.topLeft);
    const width = checkInteger(`${parameter}.width`, o.width, 0);
    const height = checkInteger(`${parameter}.height`, o.height, 0);
    const depth = checkInteger(`${parameter}.depth`, o.depth, 0);
    return new BoundingBox(topLeft, [width, height, depth]);
  }

  toWkw(): WkwBoundingBox {
    return { topLeft: [...this.topLeft], width: this.size[0], height: this.size[1], depth: this.size[2] };
  }

  /** Smallest box containing every point (voxel positions, so bottomRight is max + 1). */
  static fromPoints(points: Iterable<Vec3Like>, parameter = "points"): BoundingBox {
    if (points === null || typeof points !== "object" || typeof (points as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw argumentError(parameter, "a non-empty iterable of [x, y, z] points", points);
    }
    let lo: number[] | undefined, hi: number[] | undefined;
    let i = 0;
    for (const p of points) {
      const v = checkVec3(`${parameter}[${i++}]`, p);
      if (lo === undefined || hi === undefined) {
        lo = [...v];
        hi = [...v];
      } else {
        for (let a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a]!, v[a]);
          hi[a] = Math.max(hi[a]!, v[a]);
        }
      }
    }
    // The box of no points is undefined (2021 failed too); an empty box here would hide bugs.
    if (lo === undefined || hi === undefined) throw argumentError(parameter, "a non-empty iterable of [x, y, z] points", points);
    return new BoundingBox(lo, [hi[0]! - lo[0]! + 1, hi[1]! - lo[1]! + 1, hi[2]! - lo[2]! + 1]);
  }

  /** Parses `"x,y,z,width,height,depth"` (whitespace around the numbers is allowed). */
  static fromCsv(csv: string, parameter = "csv"): BoundingBox {
    const expected = 'a string "x,y,z,width,height,depth" of integers (sizes >= 0)';
    if (typeof csv !== "string") throw argumentError(parameter, expected, csv);
    const parts = csv.split(",").map((s) => s.trim());
    if (parts.length !== 6 || !parts.every((s) => /^[+-]?\d+$/.test(s))) throw argumentError(parameter, expected, csv);
    const n = parts.map(Number);
    if (!n.every(Number.isSafeInteger) || n[3]! < 0 || n[4]! < 0 || n[5]! < 0) throw argumentError(parameter, expected, csv);
    return new BoundingBox([n[0]!, n[1]!, n[2]!], [n[3]!, n[4]!, n[5]!]);
  }

  toCsv(): string {
    return [...this.topLeft, ...this.size].join(",");
  }

  /** Parses `[x, y, z, width, height, depth]`. */
  static fromTuple6(tuple: ArrayLike<number>, parameter = "tuple"): BoundingBox {
    const ok = (Array.isArray(tuple) || ArrayBuffer.isView(tuple)) && (tuple as ArrayLike<unknown>).length === 6;
    if (!ok) throw argumentError(parameter, "an array of 6 integers [x, y, z, width, height, depth]", tuple);
    const t = Array.from(tuple as ArrayLike<number>);
    checkVec3(parameter, t.slice(0, 3));
    checkVec3(parameter, t.slice(3), 0);
    return new BoundingBox(t.slice(0, 3), t.slice(3));
  }

  toTuple6(): [number, number, number, number, number, number] {
    return [...this.topLeft, ...this.size];
  }

  /** Number of voxels. */
  get volume(): number {
    return this.size[0] * this.size[1] * this.size[2];
  }

  /** True if any size component is 0 (sizes are never negative here). */
  isEmpty(): boolean {
    return this.size[0] <= 0 || this.size[1] <= 0 || this.size[2] <= 0;
  }

  /** Inclusive topLeft, exclusive bottomRight. */
  contains(point: Vec3Like): boolean {
    const p = checkVec3("point", point);
    const tl = this.topLeft, br = this.bottomRight;
    return p[0] >= tl[0] && p[1] >= tl[1] && p[2] >= tl[2] && p[0] < br[0] && p[1] < br[1] && p[2] < br[2];
  }

  /**
   * True if both corners of `other` lie within this box's corners. (2021 compared
   * `other ∩ this` with `other`, which is the same for non-empty boxes; for empty ones that
   * rule gave position-dependent answers, so the corners are compared directly.)
   */
  containsBbox(other: BoundingBox): boolean {
    const o = checkBox("other", other);
    for (let a = 0; a < 3; a++) {
      if (o.topLeft[a]! < this.topLeft[a]! || o.bottomRight[a]! > this.bottomRight[a]!) return false;
    }
    return true;
  }

  /**
   * Overlap of both boxes. An empty overlap is an error unless `allowEmpty` (then the size
   * is clamped at 0 and topLeft is the component-wise max of both topLefts).
   */
  intersectedWith(other: BoundingBox, options: { allowEmpty?: boolean } = {}): BoundingBox {
    const o = checkBox("other", other);
    const opts = checkOptions("options", options, ["allowEmpty"]);
    if (opts.allowEmpty !== undefined && typeof opts.allowEmpty !== "boolean") {
      throw argumentError("options.allowEmpty", "a boolean", opts.allowEmpty);
    }
    const tl = [0, 0, 0], size = [0, 0, 0];
    for (let a = 0; a < 3; a++) {
      tl[a] = Math.max(this.topLeft[a]!, o.topLeft[a]!);
      size[a] = Math.max(0, Math.min(this.bottomRight[a]!, o.bottomRight[a]!) - tl[a]!);
    }
    const result = new BoundingBox(tl, size);
    if (result.isEmpty() && opts.allowEmpty !== true) {
      throw new WkwError("ERR_WKW_ARGUMENT", `other (${o}) does not intersect ${this}; pass { allowEmpty: true } to get an empty box`, {
        parameter: "other",
        expected: `a BoundingBox intersecting ${this}`,
        received: String(o),
      });
    }
    return result;
  }

  /**
   * Smallest box containing both. Decision: an empty operand is ignored and the other box
   * returned, as later webknossos-libs versions do; 2021 (v0.8) did not special-case empty
   * boxes, so extending (0,0,0)+(0,0,0) by a far-away box wrongly stretched it to the origin.
   */
  extendedBy(other: BoundingBox): BoundingBox {
    const o = checkBox("other", other);
    if (o.isEmpty()) return this;
    if (this.isEmpty()) return o;
    const tl = [0, 0, 0], size = [0, 0, 0];
    for (let a = 0; a < 3; a++) {
      tl[a] = Math.min(this.topLeft[a]!, o.topLeft[a]!);
      size[a] = Math.max(this.bottomRight[a]!, o.bottomRight[a]!) - tl[a]!;
    }
    return new BoundingBox(tl, size);
  }

  /** Moves topLeft by −left and grows the size by left + right (negative margins shrink). */
  paddedWithMargins(left: Vec3Like, right: Vec3Like = left): BoundingBox {
    const l = checkVec3("left", left);
    const r = checkVec3("right", right);
    const size = [this.size[0] + l[0] + r[0], this.size[1] + l[1] + r[1], this.size[2] + l[2] + r[2]];
    if (size.some((s) => s < 0)) {
      throw argumentError(right === left ? "left" : "right", `margins that keep the size of ${this} non-negative`, right);
    }
    return new BoundingBox([this.topLeft[0] - l[0], this.topLeft[1] - l[1], this.topLeft[2] - l[2]], size);
  }

  /**
   * Rounds both corners to multiples of the mag. Default shrinks (ceil topLeft, floor
   * bottomRight; a box that vanishes gets size 0); `ceil: true` grows (floor topLeft, ceil
   * bottomRight).
   */
  alignWithMag(mag: MagLike, options: { ceil?: boolean } = {}): BoundingBox {
    const m = Mag.from(mag, "mag").toArray();
    const opts = checkOptions("options", options, ["ceil"]);
    if (opts.ceil !== undefined && typeof opts.ceil !== "boolean") throw argumentError("options.ceil", "a boolean", opts.ceil);
    const grow = opts.ceil === true;
    const tl = [0, 0, 0], size = [0, 0, 0];
    for (let a = 0; a < 3; a++) {
      const f = m[a]!;
      tl[a] = (grow ? Math.floor(this.topLeft[a]! / f) : Math.ceil(this.topLeft[a]! / f)) * f;
      const br = (grow ? Math.ceil(this.bottomRight[a]! / f) : Math.floor(this.bottomRight[a]! / f)) * f;
      size[a] = Math.max(0, br - tl[a]!);
    }
    return new BoundingBox(tl, size);
  }

  /** mag1 → mag-local. Never rounds silently: both corners must be multiples of the mag. */
  inMag(mag: MagLike): BoundingBox {
    const magObj = Mag.from(mag, "mag");
    const m = magObj.toArray();
    for (let a = 0; a < 3; a++) {
      if (this.topLeft[a]! % m[a]! !== 0 || this.bottomRight[a]! % m[a]! !== 0) {
        throw new WkwError(
          "ERR_WKW_ARGUMENT",
          `${this} is not aligned to mag ${magObj} (topLeft and bottomRight must be multiples of it); ` +
            `use alignWithMag(mag) to shrink or alignWithMag(mag, { ceil: true }) to grow it first`,
          { parameter: "mag", expected: `a mag that divides topLeft and bottomRight of ${this}`, received: String(magObj) },
        );
      }
    }
    return new BoundingBox(
      [this.topLeft[0] / m[0], this.topLeft[1] / m[1], this.topLeft[2] / m[2]],
      [this.size[0] / m[0], this.size[1] / m[1], this.size[2] / m[2]],
    );
  }

  /** mag-local → mag1 (multiplies topLeft and size by the mag). */
  fromMag(mag: MagLike): BoundingBox {
    const m = Mag.from(mag, "mag").toArray();
    return new BoundingBox(
      [this.topLeft[0] * m[0], this.topLeft[1] * m[1], this.topLeft[2] * m[2]],
      [this.size[0] * m[0], this.size[1] * m[1], this.size[2] * m[2]],
    );
  }

  /** Translated by `vector`. */
  offset(vector: Vec3Like): BoundingBox {
    const v = checkVec3("vector", vector);
    return new BoundingBox([this.topLeft[0] + v[0], this.topLeft[1] + v[1], this.topLeft[2] + v[2]], this.size);
  }

  /**
   * Splits the box into chunks of `chunkSize`, x outermost, z innermost; edge chunks are
   * clipped to the box. With `alignment`, the grid is shifted so every inner border is a
   * multiple of it (the first chunk starts at topLeft and ends on an aligned border).
   * Arguments are checked at the call, not at the first `next()`.
   */
  chunk(chunkSize: Vec3Like, alignment?: Vec3Like): Generator<BoundingBox, void, undefined> {
    const cs = checkVec3("chunkSize", chunkSize, 1);
    let start: Vec3 = this.topLeft;
    if (alignment !== undefined) {
      const al = checkVec3("alignment", alignment, 1);
      if (cs[0] % al[0] !== 0 || cs[1] % al[1] !== 0 || cs[2] % al[2] !== 0) {
        throw argumentError("chunkSize", `a multiple of alignment ${vecString(al)}`, chunkSize);
      }
      start = [0, 1, 2].map((a) => this.topLeft[a]! - mod(this.topLeft[a]!, al[a]!)) as unknown as Vec3;
    }
    return this.chunks(start, cs);
  }

  private *chunks(start: Vec3, cs: Vec3): Generator<BoundingBox, void, undefined> {
    // An empty box has no chunks (an aligned grid start could otherwise yield 0-size boxes).
    if (this.isEmpty()) return;
    const tl = this.topLeft, br = this.bottomRight;
    for (let x = start[0]; x < br[0]; x += cs[0]) {
      const x0 = Math.max(x, tl[0]), x1 = Math.min(x + cs[0], br[0]);
      for (let y = start[1]; y < br[1]; y += cs[1]) {
        const y0 = Math.max(y, tl[1]), y1 = Math.min(y + cs[1], br[1]);
        for (let z = start[2]; z < br[2]; z += cs[2]) {
          const z0 = Math.max(z, tl[2]), z1 = Math.min(z + cs[2], br[2]);
          yield new BoundingBox([x0, y0, z0], [x1 - x0, y1 - y0, z1 - z0]);
        }
      }
    }
  }

  /** Same topLeft and size. Never throws: anything that is not a BoundingBox is unequal. */
  equals(other: unknown): boolean {
    if (!(other instanceof BoundingBox)) return false;
    for (let a = 0; a < 3; a++) {
      if (this.topLeft[a] !== other.topLeft[a] || this.size[a] !== other.size[a]) return false;
    }
    return true;
  }

  toString(): string {
    return `BoundingBox(topLeft=${vecString(this.topLeft)}, size=${vecString(this.size)})`;
  }

  /** The properties-JSON form, so `JSON.stringify(bbox)` writes what webKnossos reads. */
  toJSON(): WkwBoundingBox {
    return this.toWkw();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
