/** Argument checks specific to the dataset API (options objects, scale, names). */
import { argumentError, checkOptions } from "../util/validate.js";

/**
 * Rejects unknown option keys (through checkOptions in util/validate): a misspelt option
 * (e.g. `numChannel`) would otherwise be ignored silently. `dtype` gets a pointer to the two
 * dtype options (webknossos-libs rejected its legacy `dtype=` too).
 */
export function checkKeys(parameter: string, options: Record<string, unknown>, allowed: readonly string[]): void {
  const hints: Record<string, string> = allowed.includes("dtypePerLayer") ? { dtype: "use dtypePerLayer or dtypePerChannel" } : {};
  checkOptions(parameter, options, allowed, hints);
}

export function checkOptionalBoolean(parameter: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw argumentError(parameter, "a boolean", value);
  return value;
}

export type Scale = readonly [number, number, number];

/** Voxel size in nm: 3 positive finite numbers. */
export function checkScale(parameter: string, value: unknown): Scale {
  const ok =
    Array.isArray(value) && value.length === 3 && value.every((n) => typeof n === "number" && Number.isFinite(n) && n > 0);
  if (!ok) throw argumentError(parameter, "an array of 3 positive numbers (voxel size in nm)", value);
  return Object.freeze([value[0], value[1], value[2]]) as Scale;
}

/**
 * Names of new layers: letters, digits and `_ - $ @ .`, not starting with "." (the rule of
 * later webknossos-libs; the name is also the layer's folder, and ".*" folders are this
 * package's temporary folders). Existing layers with other names still open.
 */
export function checkLayerName(parameter: string, value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_$@.-]+$/.test(value) || value.startsWith(".")) {
    throw argumentError(parameter, 'a layer name of letters, digits and "_-$@." not starting with "."', value);
  }
  return value;
}
