/**
 * elementClass ⇄ (dtypePerChannel, numChannels).
 *
 * webKnossos describes a layer by its per-voxel type over all channels ("elementClass"):
 * the per-channel bit count times the channel count, e.g. 3 × uint8 → "uint24",
 * 3 × uint16 → "uint48", 3 × float32 → "float96". Single-channel float32/float64 are named
 * "float"/"double" (the server's names). The Python library calls the same per-voxel type
 * "dtype_per_layer" but spells single floats "float32"/"float64"; both spellings are read.
 */
import { WkwError } from "../errors.js";
import { TYPE_SIZE, isVoxelType, type VoxelType } from "../dtypes.js";
import { argumentError, checkInteger } from "../util/validate.js";

/** The element classes the webKnossos server itself understands (others are libs-only). */
export const SERVER_ELEMENT_CLASSES = [
  "uint8", "uint16", "uint24", "uint32", "uint64", "float", "double", "int8", "int16", "int32", "int64",
] as const;

export function isServerElementClass(elementClass: string): boolean {
  return (SERVER_ELEMENT_CLASSES as readonly string[]).includes(elementClass);
}

type Kind = "uint" | "int" | "float";

/** Kind and total bit count of an element class / per-layer dtype, or undefined if malformed. */
export function elementClassBits(name: string): { kind: Kind; bits: number } | undefined {
  if (name === "float") return { kind: "float", bits: 32 };
  if (name === "double") return { kind: "float", bits: 64 };
  const m = /^(uint|int|float)([1-9][0-9]*)$/.exec(name);
  if (!m) return undefined;
  return { kind: m[1] as Kind, bits: Number(m[2]) };
}

function kindOf(dtype: VoxelType): Kind {
  return dtype.startsWith("uint") ? "uint" : dtype.startsWith("int") ? "int" : "float";
}

/**
 * The per-channel dtype inside a per-voxel type name, or a reason why there is none.
 * Shared by the file-content and the API-argument variants, which differ only in the error.
 */
export function splitElementClass(name: string, numChannels: number): { dtype: VoxelType } | { reason: string } {
  const result = split(name, numChannels);
  return isVoxelType(result) ? { dtype: result } : { reason: result };
}

function split(name: string, numChannels: number): VoxelType | string {
  const parsed = elementClassBits(name);
  if (!parsed) return `${JSON.stringify(name)} is not an element class (expected e.g. "uint8", "uint24", "float", "double")`;
  if (parsed.bits % numChannels !== 0) {
    return `${JSON.stringify(name)} has ${parsed.bits} bits, which ${numChannels} channels cannot share evenly`;
  }
  const candidate = `${parsed.kind}${parsed.bits / numChannels}`;
  if (!isVoxelType(candidate)) {
    return `${JSON.stringify(name)} with ${numChannels} channel${numChannels === 1 ? "" : "s"} would need the per-channel type ${candidate}, which does not exist`;
  }
  return candidate;
}

/** elementClass for a layer of `numChannels` channels of `dtypePerChannel`. */
export function elementClassFor(dtypePerChannel: VoxelType, numChannels: number): string {
  if (!isVoxelType(dtypePerChannel)) {
    throw argumentError("dtypePerChannel", "one of uint8, uint16, uint32, uint64, int8, int16, int32, int64, float32, float64", dtypePerChannel);
  }
  checkInteger("numChannels", numChannels, 1);
  if (numChannels === 1 && dtypePerChannel === "float32") return "float";
  if (numChannels === 1 && dtypePerChannel === "float64") return "double";
  return `${kindOf(dtypePerChannel)}${TYPE_SIZE[dtypePerChannel] * 8 * numChannels}`;
}

/**
 * The Python "dtype_per_layer" spelling: like elementClassFor but single floats stay
 * "float32"/"float64" (3 × uint8 → "uint24", 1 × float32 → "float32", 3 × float32 → "float96").
 */
export function dtypePerLayerFor(dtypePerChannel: VoxelType, numChannels: number): string {
  const ec = elementClassFor(dtypePerChannel, numChannels);
  return ec === "float" ? "float32" : ec === "double" ? "float64" : ec;
}

export interface ElementClassSource {
  /** the properties file, for the error's `path` */
  path?: string;
  /** where in the file, e.g. "dataLayers[0].elementClass" */
  keyPath?: string;
}

/**
 * Per-channel dtype of an elementClass read from a file ("float" → float32, "double" →
 * float64, "uint24" with 3 channels → uint8). Errors are WkwError ERR_WKW_PROPERTIES.
 */
export function dtypePerChannelFrom(elementClass: string, numChannels: number, source: ElementClassSource = {}): VoxelType {
  const where = source.keyPath ?? "elementClass";
  const file = source.path !== undefined ? ` in ${source.path}` : "";
  if (!Number.isInteger(numChannels) || numChannels < 1) {
    throw new WkwError("ERR_WKW_PROPERTIES", `invalid channel count ${String(numChannels)} for ${where}${file}`, {
      path: source.path,
      expected: "a positive integer",
      received: String(numChannels),
    });
  }
  const result = typeof elementClass === "string" ? split(elementClass, numChannels) : `${String(elementClass)} is not a string`;
  if (isVoxelType(result)) return result;
  throw new WkwError("ERR_WKW_PROPERTIES", `${where}${file}: ${result}`, {
    path: source.path,
    expected: "an element class matching numChannels",
    received: JSON.stringify(elementClass),
  });
}

/**
 * Per-channel dtype of a per-layer dtype given as an API argument (`dtypePerLayer`):
 * accepts element class names and dtype names ("uint24", "float", "float32", "float96").
 * Errors are WkwError ERR_WKW_ARGUMENT naming the parameter.
 */
export function dtypePerChannelFromPerLayer(dtypePerLayer: string, numChannels: number): VoxelType {
  checkInteger("numChannels", numChannels, 1);
  if (typeof dtypePerLayer !== "string") {
    throw argumentError("dtypePerLayer", "a dtype name such as \"uint8\" or \"uint24\"", dtypePerLayer);
  }
  const result = split(dtypePerLayer, numChannels);
  if (isVoxelType(result)) return result;
  throw new WkwError("ERR_WKW_ARGUMENT", `dtypePerLayer: ${result}`, {
    parameter: "dtypePerLayer",
    expected: `a per-layer dtype whose bit count divided by ${numChannels} is an existing dtype`,
    received: JSON.stringify(dtypePerLayer),
  });
}
