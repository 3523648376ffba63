/**
 * Integer 3-vectors. A Vec3 is a plain readonly tuple (cheap, JSON-friendly); these helpers
 * validate their inputs like every public entry point and return frozen results.
 */
import { argumentError, checkVec3, type Vec3 } from "../util/validate.js";

export type { Vec3 };

/** What public methods accept: any array or typed array of 3 integers. */
export type Vec3Like = Vec3 | readonly number[] | ArrayLike<number>;

/** Builds a frozen Vec3; `-0` becomes `0` so results compare equal with deepStrictEqual. */
function make(x: number, y: number, z: number): Vec3 {
  return Object.freeze([x + 0, y + 0, z + 0] as const);
}

/** Validates a Vec3-like (integers in [min, max]) and returns a frozen copy. */
export function vec3(value: unknown, parameter = "value", min = -Infinity, max = Infinity): Vec3 {
  const v = checkVec3(parameter, value, min, max);
  return make(v[0], v[1], v[2]);
}

export function add(a: Vec3Like, b: Vec3Like): Vec3 {
  const p = checkVec3("a", a), q = checkVec3("b", b);
  return make(p[0] + q[0], p[1] + q[1], p[2] + q[2]);
}

export function sub(a: Vec3Like, b: Vec3Like): Vec3 {
  const p = checkVec3("a", a), q = checkVec3("b", b);
  return make(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

export function mul(a: Vec3Like, b: Vec3Like): Vec3 {
  const p = checkVec3("a", a), q = checkVec3("b", b);
  return make(p[0] * q[0], p[1] * q[1], p[2] * q[2]);
}

/** Exact division: every component of `a` must be a multiple of the (positive) divisor. */
export function div(a: Vec3Like, b: Vec3Like): Vec3 {
  const p = checkVec3("a", a), q = checkVec3("b", b, 1);
  if (p[0] % q[0] !== 0 || p[1] % q[1] !== 0 || p[2] % q[2] !== 0) {
    throw argumentError("a", `divisible component-wise by ${toString(q)}`, a);
  }
  return make(p[0] / q[0], p[1] / q[1], p[2] / q[2]);
}

/** Division rounding towards -Infinity (like Python's //); the divisor must be positive. */
export function floorDiv(a: Vec3Like, b: Vec3Like): Vec3 {
  const p = checkVec3("a", a), q = checkVec3("b", b, 1);
  return make(Math.floor(p[0] / q[0]), Math.floor(p[1] / q[1]), Math.floor(p[2] / q[2]));
}

/** Division rounding towards +Infinity; the divisor must be positive. */
export function ceilDiv(a: Vec3Like, b: Vec3Like): Vec3 {
  const p = checkVec3("a", a), q = checkVec3("b", b, 1);
  return make(Math.ceil(p[0] / q[0]), Math.ceil(p[1] / q[1]), Math.ceil(p[2] / q[2]));
}

/** Component-wise minimum. */
export function min(a: Vec3Like, b: Vec3Like): Vec3 {
  const p = checkVec3("a", a), q = checkVec3("b", b);
  return make(Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.min(p[2], q[2]));
}

/** Component-wise maximum. */
export function max(a: Vec3Like, b: Vec3Like): Vec3 {
  const p = checkVec3("a", a), q = checkVec3("b", b);
  return make(Math.max(p[0], q[0]), Math.max(p[1], q[1]), Math.max(p[2], q[2]));
}

export function equals(a: Vec3Like, b: Vec3Like): boolean {
  const p = checkVec3("a", a), q = checkVec3("b", b);
  return p[0] === q[0] && p[1] === q[1] && p[2] === q[2];
}

/** x·y·z, e.g. the voxel count of a size. */
export function product(a: Vec3Like): number {
  const p = checkVec3("a", a);
  return p[0] * p[1] * p[2] + 0;
}

/** True if every component is > 0. */
export function isPositive(a: Vec3Like): boolean {
  const p = checkVec3("a", a);
  return p[0] > 0 && p[1] > 0 && p[2] > 0;
}

/** Compact form used in messages and inspect output: `[1,2,3]`. */
export function toString(a: Vec3Like): string {
  const p = checkVec3("a", a);
  return `[${p[0]},${p[1]},${p[2]}]`;
}
