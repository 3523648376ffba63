/** Argument checks shared by every public entry point; each error names the parameter. */
import { inspect } from "node:util";
import { WkwError } from "../errors.js";

export type Vec3 = readonly [number, number, number];

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (Array.isArray(value)) return inspect(value, { breakLength: Infinity, maxArrayLength: 8 });
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Uint8Array).length})`;
  if (typeof value === "object") return `an object (${inspect(value, { depth: 0, breakLength: Infinity })})`;
  if (typeof value === "string") return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

export function argumentError(parameter: string, expected: string, value: unknown): WkwError {
  const received = describe(value);
  const message = value === undefined
    ? `${parameter} is missing: it must be ${expected}`
    : `${parameter} must be ${expected}, received ${received}`;
  return new WkwError("ERR_WKW_ARGUMENT", message, {
    parameter,
    expected,
    received,
  });
}

/** An argument error whose message is `<parameter> <problem>` (for conflicts and misuse, not type errors). */
export function misuseError(parameter: string, problem: string, value: unknown): WkwError {
  return new WkwError("ERR_WKW_ARGUMENT", `${parameter} ${problem}`, { parameter, received: describe(value) });
}

export function checkInteger(parameter: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range =
      min === 0 && max === Infinity ? "a non-negative integer"
      : min === 1 && max === Infinity ? "a positive integer"
      : max === Infinity && min === -Infinity ? "an integer"
      : `an integer in [${min}, ${max}]`;
    throw argumentError(parameter, range, value);
  }
  return value;
}

/** A Vec3-like: an array (or array-like) of exactly 3 integers, each within [min, max]. */
export function checkVec3(parameter: string, value: unknown, min = -Infinity, max = Infinity): Vec3 {
  const ok =
    value !== null &&
    typeof value === "object" &&
    (Array.isArray(value) || ArrayBuffer.isView(value)) &&
    (value as ArrayLike<unknown>).length === 3;
  if (!ok) throw argumentError(parameter, "an array of 3 integers", value);
  const v = value as ArrayLike<unknown>;
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const n = v[i];
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      const what =
        min === 0 ? "an array of 3 non-negative integers"
        : min === 1 ? "an array of 3 positive integers"
        : "an array of 3 integers";
      throw argumentError(parameter, what, value);
    }
    out.push(n);
  }
  return out as unknown as Vec3;
}

export function checkString(parameter: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw argumentError(parameter, "a non-empty string", value);
  return value;
}

export function checkOptionsObject(parameter: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw argumentError(parameter, "an options object", value);
  }
  return value as Record<string, unknown>;
}

/**
 * The one strict-options check of the package: `value` must be undefined or a plain options
 * object whose keys are all in `known` (a typo never passes silently). Each public function
 * keeps its list of known keys next to its options interface; `hints` adds advice for keys
 * people commonly get wrong (e.g. `dtype` → `dtypePerLayer`).
 */
export function checkOptions(
  parameter: string, value: unknown, known: readonly string[], hints: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  const o = checkOptionsObject(parameter, value);
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    throw unknownOptionError(parameter, key, o[key], known, hints[key]);
  }
  return o;
}

export function unknownOptionError(parameter: string, key: string, value: unknown, known: readonly string[], hint?: string): WkwError {
  const name = `${parameter}.${key}`;
  const list = known.length === 0 ? "none" : known.join(", ");
  const expected = `one of the known options (${list})`;
  return new WkwError(
    "ERR_WKW_ARGUMENT",
    `${name} is not a known option${hint ? ` (${hint})` : ""}; the known options are: ${list}`,
    { parameter: name, expected, received: describe(value) },
  );
}

export function checkOneOf<T extends string>(parameter: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw argumentError(parameter, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, value);
  }
  return value as T;
}
