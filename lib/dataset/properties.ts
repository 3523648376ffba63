/**
 * The `datasource-properties.json` model: parse (with validation and normalisation of old
 * forms), serialise in the form webKnossos reads, and load/save/update on disk.
 *
 * Round-trip rule: keys this package does not model are kept (in `extra`, at the top level,
 * in `id`, in layers, bounding boxes, `wkwResolutions` entries and view configurations) and
 * written back after the known keys, so files written by newer tools survive a save.
 *
 * Normalisation on parse: `resolution: n` → [n, n, n]; `topLeft: [-1, -1, -1]` (very old
 * "nothing written yet") → empty box at (0, 0, 0); `largestSegmentId`/`mappings` of null →
 * absent. A missing `numChannels` stays undefined: the Dataset layer fills it from the first
 * mag's header.wkw (webknossos-libs 2021 behaviour) before the model is saved.
 */
import { readFile, stat } from "node:fs/promises";
import * as nodePath from "node:path";
import { WkwError, toWkwError } from "../errors.js";
import { describe } from "../util/validate.js";
import { parseJson, stringifyJson, JsonSyntaxError } from "../util/json.js";
import { writeFileAtomic, withFileLock, type FileLockOptions } from "../util/atomic-file.js";
import { elementClassBits, splitElementClass } from "./element-class.js";

export const PROPERTIES_FILE_NAME = "datasource-properties.json";
/** The lock file next to the properties file that serialises read-modify-write cycles. */
export const PROPERTIES_LOCK_FILE_NAME = `${PROPERTIES_FILE_NAME}.lock`;

export type Vec3Tuple = [number, number, number];
/** Keys this package does not model, kept verbatim (values as parsed: JSON data, bigint for huge integers). */
export type ExtraKeys = Record<string, unknown>;

export interface DatasetId {
  name: string;
  team: string;
  extra?: ExtraKeys;
}

/** Layer bounding box in mag1 voxels; topLeft inclusive. */
export interface BoundingBoxProperties {
  topLeft: Vec3Tuple;
  width: number;
  height: number;
  depth: number;
  extra?: ExtraKeys;
}

/** One `wkwResolutions` entry: a mag and its voxels per file edge (blockLen × fileLen). */
export interface MagProperties {
  resolution: Vec3Tuple;
  cubeLength: number;
  extra?: ExtraKeys;
}

export interface DatasetViewConfiguration {
  fourBit?: boolean;
  interpolation?: boolean;
  renderMissingDataBlack?: boolean;
  loadingStrategy?: string;
  segmentationPatternOpacity?: number;
  zoom?: number;
  position?: Vec3Tuple;
  rotation?: Vec3Tuple;
  extra?: ExtraKeys;
}

export interface LayerViewConfiguration {
  color?: Vec3Tuple;
  alpha?: number;
  intensityRange?: [number, number];
  min?: number;
  max?: number;
  isDisabled?: boolean;
  isInverted?: boolean;
  isInEditMode?: boolean;
  extra?: ExtraKeys;
}

export type LayerCategory = "color" | "segmentation";
export const LAYER_CATEGORIES: readonly LayerCategory[] = ["color", "segmentation"];

export interface LayerProperties {
  name: string;
  category: LayerCategory;
  boundingBox: BoundingBoxProperties;
  /** per-voxel type over all channels: "uint8", "uint24", "float", "double", "float96", … */
  elementClass: string;
  dataFormat: "wkw";
  /** undefined only when the file lacks it; the Dataset layer infers it from header.wkw */
  numChannels?: number;
  /** in file order (not sorted) */
  wkwResolutions: MagProperties[];
  /** segmentation only; a bigint when the value exceeds Number.MAX_SAFE_INTEGER */
  largestSegmentId?: number | bigint;
  /** segmentation only; written only when non-empty */
  mappings?: string[];
  defaultViewConfiguration?: LayerViewConfiguration;
  extra?: ExtraKeys;
}

export interface DatasetProperties {
  id: DatasetId;
  /** voxel size per axis, in nanometres unless `scaleUnit` says otherwise */
  scale: Vec3Tuple;
  /**
   * Set when the file used the newer `{factor, unit}` form of `scale` (webknossos-libs
   * ≥ 0.14.25); it is then written back in that form. Absent: plain array in nanometres.
   */
  scaleUnit?: string;
  dataLayers: LayerProperties[];
  defaultViewConfiguration?: DatasetViewConfiguration;
  /** schema version; only 1 exists. Written only when set (absent means 1). */
  version?: 1;
  extra?: ExtraKeys;
}

// ---------------------------------------------------------------------------------------
// Validation. One checker serves both directions: reading a file (errors are
// ERR_WKW_PROPERTIES naming the file and key path) and checking a model before it is
// written (errors are ERR_WKW_ARGUMENT naming the key path as the parameter), so nothing
// is ever written that could not be read back.

type Mode = "file" | "model";

class Checker {
  constructor(
    readonly file: string,
    readonly mode: Mode,
  ) {}

  fail(keyPath: string, expected: string, value: unknown): never {
    const received = value === undefined ? "nothing (key missing)" : describe(value);
    const what = value === undefined ? `${keyPath} is missing (expected ${expected})` : `${keyPath} must be ${expected}, received ${received}`;
    return this.error(keyPath, what, expected, received);
  }

  failWith(keyPath: string, message: string, value?: unknown): never {
    return this.error(keyPath, `${keyPath}: ${message}`, undefined, value === undefined ? undefined : describe(value));
  }

  private error(keyPath: string, what: string, expected?: string, received?: string): never {
    if (this.mode === "file") {
      throw new WkwError("ERR_WKW_PROPERTIES", `invalid ${this.file}: ${what}`, { path: this.file, expected, received });
    }
    throw new WkwError("ERR_WKW_ARGUMENT", `cannot save properties to ${this.file}: ${what}`, {
      path: this.file,
      parameter: keyPath,
      expected,
      received,
    });
  }
}

const join = (base: string, key: string): string => (base ? `${base}.${key}` : key);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function object(c: Checker, keyPath: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) c.fail(keyPath || "the top level", "a JSON object", v);
  return v;
}

function str(c: Checker, keyPath: string, v: unknown, nonEmpty = false): string {
  if (typeof v !== "string" || (nonEmpty && v.length === 0)) c.fail(keyPath, nonEmpty ? "a non-empty string" : "a string", v);
  return v;
}

function bool(c: Checker, keyPath: string, v: unknown): boolean {
  if (typeof v !== "boolean") c.fail(keyPath, "true or false", v);
  return v;
}

function num(c: Checker, keyPath: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) c.fail(keyPath, "a finite number", v);
  return v;
}

function int(c: Checker, keyPath: string, v: unknown, min = -Infinity): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    c.fail(keyPath, min === 0 ? "a non-negative integer" : min === 1 ? "a positive integer" : "an integer", v);
  }
  return v;
}

function numbers(c: Checker, keyPath: string, v: unknown, length: number, kind: "number" | "int" | "positive int" | "positive number"): number[] {
  const what = { number: "numbers", int: "integers", "positive int": "positive integers", "positive number": "positive numbers" }[kind];
  const ok =
    Array.isArray(v) &&
    v.length === length &&
    v.every((x) => {
      if (typeof x !== "number" || !Number.isFinite(x)) return false;
      if ((kind === "int" || kind === "positive int") && !Number.isSafeInteger(x)) return false;
      if ((kind === "positive int" || kind === "positive number") && x <= 0) return false;
      return true;
    });
  if (!ok) c.fail(keyPath, `an array of ${length} ${what}`, v);
  return [...(v as number[])];
}

/**
 * The keys not in `known`. Reading a file: deep copies, so the model never aliases the
 * caller's data. Checking a model before saving: no copy (the result is discarded, and
 * non-JSON values are reported later by the writer with their key path).
 */
function extrasOf(c: Checker, obj: Record<string, unknown>, known: readonly string[]): ExtraKeys | undefined {
  let extra: ExtraKeys | undefined;
  for (const key of Object.keys(obj)) {
    if (known.includes(key) || obj[key] === undefined) continue;
    extra ??= {};
    const value = c.mode === "file" ? structuredClone(obj[key]) : obj[key];
    // defineProperty: a "__proto__" key must stay an own data property
    Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return extra;
}

const TOP_KEYS = ["id", "scale", "dataLayers", "defaultViewConfiguration", "version"] as const;
const ID_KEYS = ["name", "team"] as const;
const LAYER_KEYS_COMMON = [
  "name", "category", "boundingBox", "elementClass", "numChannels", "dataFormat", "wkwResolutions",
  "defaultViewConfiguration",
] as const;
const LAYER_KEYS_SEGMENTATION = [...LAYER_KEYS_COMMON, "largestSegmentId", "mappings"] as const;
const BBOX_KEYS = ["topLeft", "width", "height", "depth"] as const;
const MAG_KEYS = ["resolution", "cubeLength"] as const;

type FieldKind = "boolean" | "number" | "string" | "vec3" | "vec2";
const DATASET_VIEW_FIELDS: Record<string, FieldKind> = {
  fourBit: "boolean",
  interpolation: "boolean",
  renderMissingDataBlack: "boolean",
  loadingStrategy: "string",
  segmentationPatternOpacity: "number",
  zoom: "number",
  position: "vec3",
  rotation: "vec3",
};
const LAYER_VIEW_FIELDS: Record<string, FieldKind> = {
  color: "vec3",
  alpha: "number",
  intensityRange: "vec2",
  min: "number",
  max: "number",
  isDisabled: "boolean",
  isInverted: "boolean",
  isInEditMode: "boolean",
};

/** A view configuration: known keys type-checked (null = unset), others kept in `extra`. */
function viewConfiguration<T extends { extra?: ExtraKeys }>(c: Checker, keyPath: string, v: unknown, fields: Record<string, FieldKind>): T {
  const obj = object(c, keyPath, v);
  const out: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(fields)) {
    const value = obj[key];
    if (value === undefined || value === null) continue;
    const kp = join(keyPath, key);
    out[key] =
      kind === "boolean" ? bool(c, kp, value)
      : kind === "number" ? num(c, kp, value)
      : kind === "string" ? str(c, kp, value)
      : numbers(c, kp, value, kind === "vec3" ? 3 : 2, "number");
  }
  const extra = extrasOf(c, obj, Object.keys(fields));
  if (extra) out.extra = extra;
  return out as T;
}

function parseId(c: Checker, keyPath: string, v: unknown): DatasetId {
  const obj = object(c, keyPath, v);
  const id: DatasetId = { name: str(c, join(keyPath, "name"), obj.name), team: str(c, join(keyPath, "team"), obj.team) };
  const extra = extrasOf(c, obj, ID_KEYS);
  if (extra) id.extra = extra;
  return id;
}

function parseBoundingBox(c: Checker, keyPath: string, v: unknown): BoundingBoxProperties {
  const obj = object(c, keyPath, v);
  const topLeft = numbers(c, join(keyPath, "topLeft"), obj.topLeft, 3, "int") as Vec3Tuple;
  let box: BoundingBoxProperties;
  if (topLeft[0] === -1 && topLeft[1] === -1 && topLeft[2] === -1) {
    // Very old writers marked "nothing written yet" this way; the extents are meaningless then.
    box = { topLeft: [0, 0, 0], width: 0, height: 0, depth: 0 };
  } else {
    box = {
      topLeft,
      width: int(c, join(keyPath, "width"), obj.width, 0),
      height: int(c, join(keyPath, "height"), obj.height, 0),
      depth: int(c, join(keyPath, "depth"), obj.depth, 0),
    };
  }
  const extra = extrasOf(c, obj, BBOX_KEYS);
  if (extra) box.extra = extra;
  return box;
}

function parseMag(c: Checker, keyPath: string, v: unknown): MagProperties {
  const obj = object(c, keyPath, v);
  const r = obj.resolution;
  const rPath = join(keyPath, "resolution");
  let resolution: Vec3Tuple;
  if (typeof r === "number") {
    const n = int(c, rPath, r, 1); // old files: one int n means (n, n, n)
    resolution = [n, n, n];
  } else if (r === undefined) {
    c.fail(rPath, "a positive integer or an array of 3 positive integers", r);
  } else {
    resolution = numbers(c, rPath, r, 3, "positive int") as Vec3Tuple;
  }
  const mag: MagProperties = { resolution, cubeLength: int(c, join(keyPath, "cubeLength"), obj.cubeLength, 1) };
  const extra = extrasOf(c, obj, MAG_KEYS);
  if (extra) mag.extra = extra;
  return mag;
}

function parseLayer(c: Checker, keyPath: string, v: unknown): LayerProperties {
  const obj = object(c, keyPath, v);
  const k = (key: string): string => join(keyPath, key);

  const name = str(c, k("name"), obj.name, true);
  // The name is also the layer's folder: refuse anything that would leave the dataset folder.
  if (name === "." || name === ".." || /[/\\\0]/.test(name)) {
    c.failWith(k("name"), `${JSON.stringify(name)} cannot be a folder name inside the dataset (no "/", "\\", "." or "..")`, name);
  }
  if (obj.category === undefined) c.fail(k("category"), `"color" or "segmentation"`, undefined);
  if (obj.category !== "color" && obj.category !== "segmentation") {
    c.failWith(k("category"), `unknown layer category ${describe(obj.category)} (expected "color" or "segmentation")`, obj.category);
  }
  const category: LayerCategory = obj.category;

  if (obj.dataFormat === undefined) c.fail(k("dataFormat"), `"wkw"`, undefined);
  if (obj.dataFormat !== "wkw") {
    c.failWith(k("dataFormat"), `this package reads only "wkw" layers, not ${describe(obj.dataFormat)}`, obj.dataFormat);
  }
  if (obj.boundingBox === undefined) c.fail(k("boundingBox"), "an object {topLeft, width, height, depth}", undefined);
  const boundingBox = parseBoundingBox(c, k("boundingBox"), obj.boundingBox);

  const elementClass = str(c, k("elementClass"), obj.elementClass, true);
  if (!elementClassBits(elementClass)) {
    c.failWith(k("elementClass"), `${JSON.stringify(elementClass)} is not an element class (expected e.g. "uint8", "uint24", "float", "double")`, elementClass);
  }
  let numChannels: number | undefined;
  if (obj.numChannels !== undefined && obj.numChannels !== null) {
    numChannels = int(c, k("numChannels"), obj.numChannels, 1);
    const split = splitElementClass(elementClass, numChannels);
    if ("reason" in split) c.failWith(k("elementClass"), `does not fit numChannels ${numChannels}: ${split.reason}`, elementClass);
  }

  if (obj.wkwResolutions === undefined) {
    const hint = obj.mags !== undefined ? ` (this layer has the newer "mags" list of webknossos-libs ≥ 3.2, which this package does not read)` : "";
    c.failWith(k("wkwResolutions"), `is missing (expected an array of {resolution, cubeLength})${hint}`);
  }
  if (!Array.isArray(obj.wkwResolutions)) c.fail(k("wkwResolutions"), "an array of {resolution, cubeLength}", obj.wkwResolutions);
  const wkwResolutions = obj.wkwResolutions.map((m, i) => parseMag(c, `${k("wkwResolutions")}[${i}]`, m));
  wkwResolutions.forEach((m, i) => {
    const j = wkwResolutions.findIndex((o) => o.resolution.every((x, axis) => x === m.resolution[axis]));
    if (j < i) c.failWith(`${k("wkwResolutions")}[${i}].resolution`, `mag ${m.resolution.join("-")} is listed twice (also at index ${j})`);
  });

  const layer: LayerProperties = { name, category, boundingBox, elementClass, dataFormat: "wkw", wkwResolutions };
  if (numChannels !== undefined) layer.numChannels = numChannels;

  if (category === "segmentation") {
    const id = obj.largestSegmentId;
    if (id !== undefined && id !== null) {
      if (typeof id === "bigint") layer.largestSegmentId = id;
      else layer.largestSegmentId = int(c, k("largestSegmentId"), id);
    }
    const mappings = obj.mappings;
    if (mappings !== undefined && mappings !== null) {
      if (!Array.isArray(mappings) || !mappings.every((x) => typeof x === "string")) {
        c.fail(k("mappings"), "an array of strings", mappings);
      }
      layer.mappings = [...(mappings as string[])];
    }
  }
  if (obj.defaultViewConfiguration !== undefined && obj.defaultViewConfiguration !== null) {
    layer.defaultViewConfiguration = viewConfiguration<LayerViewConfiguration>(
      c, k("defaultViewConfiguration"), obj.defaultViewConfiguration, LAYER_VIEW_FIELDS,
    );
  }
  // For color layers largestSegmentId/mappings are not modelled and so stay as extra keys.
  const extra = extrasOf(c, obj, category === "segmentation" ? LAYER_KEYS_SEGMENTATION : LAYER_KEYS_COMMON);
  if (extra) layer.extra = extra;
  return layer;
}

function parseDataset(c: Checker, json: unknown): DatasetProperties {
  const obj = object(c, "", json);
  if (obj.version !== undefined && obj.version !== 1) {
    c.failWith("version", `unsupported version ${typeof obj.version === "number" ? obj.version : describe(obj.version)} (this package reads version 1)`, obj.version);
  }
  if (obj.id === undefined) c.fail("id", "an object {name, team}", undefined);
  const id = parseId(c, "id", obj.id);

  let scale: Vec3Tuple;
  let scaleUnit: string | undefined;
  if (isObject(obj.scale)) {
    // newer form {factor: [x, y, z], unit: "nanometer"}
    scale = numbers(c, "scale.factor", obj.scale.factor, 3, "positive number") as Vec3Tuple;
    scaleUnit = obj.scale.unit === undefined ? "nanometer" : str(c, "scale.unit", obj.scale.unit, true);
  } else {
    scale = numbers(c, "scale", obj.scale, 3, "positive number") as Vec3Tuple;
  }

  if (!Array.isArray(obj.dataLayers)) c.fail("dataLayers", "an array of layer objects", obj.dataLayers);
  const dataLayers = obj.dataLayers.map((l, i) => parseLayer(c, `dataLayers[${i}]`, l));
  dataLayers.forEach((l, i) => {
    const j = dataLayers.findIndex((o) => o.name === l.name);
    if (j < i) c.failWith(`dataLayers[${i}].name`, `layer name ${JSON.stringify(l.name)} is used twice (also at index ${j})`);
  });

  const model: DatasetProperties = { id, scale, dataLayers };
  if (scaleUnit !== undefined) model.scaleUnit = scaleUnit;
  if (obj.defaultViewConfiguration !== undefined && obj.defaultViewConfiguration !== null) {
    model.defaultViewConfiguration = viewConfiguration<DatasetViewConfiguration>(
      c, "defaultViewConfiguration", obj.defaultViewConfiguration, DATASET_VIEW_FIELDS,
    );
  }
  if (obj.version === 1) model.version = 1;
  const extra = extrasOf(c, obj, TOP_KEYS);
  if (extra) model.extra = extra;
  return model;
}

/**
 * Validates parsed JSON (`JSON.parse` output or this package's parseJson) and returns the
 * normalised model. `path` names the file in errors (WkwError ERR_WKW_PROPERTIES with the
 * key path, e.g. "dataLayers[0].boundingBox.width").
 */
export function parseProperties(json: unknown, path: string = PROPERTIES_FILE_NAME): DatasetProperties {
  return parseDataset(new Checker(path, "file"), json);
}

/** Parses the text of a properties file (strict JSON; integers beyond 2^53 become bigint). */
export function parsePropertiesText(text: string, path: string = PROPERTIES_FILE_NAME): DatasetProperties {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // tolerate a UTF-8 BOM
  if (body.trim() === "") {
    throw new WkwError("ERR_WKW_PROPERTIES", `invalid ${path}: the file is empty`, { path });
  }
  let json: unknown;
  try {
    json = parseJson(body);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new WkwError("ERR_WKW_PROPERTIES", `invalid ${path}: not valid JSON (${err.message})`, { path, cause: err });
  }
  return parseProperties(json, path);
}

// ---------------------------------------------------------------------------------------
// Serialisation

/** Known keys first (in webKnossos/libs order), then the kept unknown keys. */
function withExtra(known: Record<string, unknown>, extra: ExtraKeys | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(known)) if (value !== undefined) out[key] = value;
  if (extra) {
    for (const [key, value] of Object.entries(extra)) {
      if (Object.hasOwn(out, key) || value === undefined) continue; // a known key always wins
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

function viewToJson(view: DatasetViewConfiguration | LayerViewConfiguration, fields: Record<string, FieldKind>): Record<string, unknown> {
  const known: Record<string, unknown> = {};
  const v = view as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (v[key] !== undefined && v[key] !== null) known[key] = v[key];
  return withExtra(known, view.extra);
}

function layerToJson(layer: LayerProperties): Record<string, unknown> {
  const bbox = layer.boundingBox;
  const isSegmentation = layer.category === "segmentation";
  return withExtra(
    {
      name: layer.name,
      category: layer.category,
      boundingBox: bbox === undefined ? undefined : withExtra(
        { topLeft: bbox.topLeft, width: bbox.width, height: bbox.height, depth: bbox.depth },
        bbox.extra,
      ),
      elementClass: layer.elementClass,
      numChannels: layer.numChannels,
      dataFormat: layer.dataFormat,
      wkwResolutions: layer.wkwResolutions?.map((m) =>
        m === null || typeof m !== "object" ? m : withExtra({ resolution: m.resolution, cubeLength: m.cubeLength }, m.extra),
      ),
      largestSegmentId: isSegmentation ? layer.largestSegmentId ?? undefined : undefined,
      mappings: isSegmentation && layer.mappings && layer.mappings.length > 0 ? layer.mappings : undefined,
      defaultViewConfiguration: layer.defaultViewConfiguration
        ? viewToJson(layer.defaultViewConfiguration, LAYER_VIEW_FIELDS)
        : undefined,
    },
    layer.extra,
  );
}

/** The JSON object (webKnossos form) for a model, before validation. */
function toJsonObject(model: DatasetProperties): Record<string, unknown> {
  return withExtra(
    {
      id: model.id && typeof model.id === "object" ? withExtra({ name: model.id.name, team: model.id.team }, model.id.extra) : model.id,
      scale: model.scaleUnit !== undefined ? { factor: model.scale, unit: model.scaleUnit } : model.scale,
      dataLayers: Array.isArray(model.dataLayers)
        ? model.dataLayers.map((l) => (l === null || typeof l !== "object" ? l : layerToJson(l)))
        : model.dataLayers,
      defaultViewConfiguration: model.defaultViewConfiguration
        ? viewToJson(model.defaultViewConfiguration, DATASET_VIEW_FIELDS)
        : undefined,
      version: model.version,
    },
    model.extra,
  );
}

/**
 * The file text for a model: webKnossos form (camelCase, `dataFormat: "wkw"`,
 * `wkwResolutions` with `resolution: [x, y, z]` and `cubeLength`), indent 4 like
 * webknossos-libs, trailing newline. `numChannels` is written whenever it is known;
 * `largestSegmentId`/`mappings` only for segmentation layers (`mappings` only when
 * non-empty); view configurations only with the keys that are set. The model is validated
 * first (WkwError ERR_WKW_ARGUMENT naming the key path), so a file that this package could
 * not read back is never written.
 */
export function serializeProperties(model: DatasetProperties, path: string = PROPERTIES_FILE_NAME): string {
  if (!isObject(model)) throw new WkwError("ERR_WKW_ARGUMENT", "properties must be an object", { parameter: "model" });
  const json = toJsonObject(model);
  parseDataset(new Checker(path, "model"), json);
  try {
    return `${stringifyJson(json, 4)}\n`;
  } catch (err) {
    // only reachable through extra keys holding non-JSON values
    throw new WkwError("ERR_WKW_ARGUMENT", `cannot save properties to ${path}: ${(err as Error).message}`, {
      path,
      parameter: "extra",
      cause: err,
    });
  }
}

/** A deep copy of a model (bigint values included). */
export function cloneProperties(model: DatasetProperties): DatasetProperties {
  return structuredClone(model);
}

// ---------------------------------------------------------------------------------------
// Files

export function propertiesPath(datasetDir: string): string {
  return nodePath.join(datasetDir, PROPERTIES_FILE_NAME);
}

/**
 * Reads and validates `<datasetDir>/datasource-properties.json`. Missing file → WkwError
 * ERR_WKW_NOT_FOUND (saying whether the folder itself is missing); invalid content →
 * ERR_WKW_PROPERTIES.
 */
export async function loadProperties(datasetDir: string): Promise<DatasetProperties> {
  const file = propertiesPath(datasetDir);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") {
      const dirExists = await stat(datasetDir).then((s) => s.isDirectory(), () => false);
      const message = dirExists
        ? `${datasetDir} is not a webKnossos dataset: it has no ${PROPERTIES_FILE_NAME}`
        : `dataset folder ${datasetDir} does not exist (looked for ${file})`;
      throw new WkwError("ERR_WKW_NOT_FOUND", message, { path: file, cause: err });
    }
    throw toWkwError(err, file);
  }
  return parsePropertiesText(text, file);
}

/** Validates and writes the model atomically (temporary file + fsync + rename). */
export async function saveProperties(datasetDir: string, model: DatasetProperties): Promise<void> {
  const file = propertiesPath(datasetDir);
  const text = serializeProperties(model, file);
  await writeFileAtomic(file, text);
}

/**
 * Read-modify-write under a cross-process lock (`<datasetDir>/datasource-properties.json.lock`):
 * re-reads the file, lets `mutate` change the fresh copy, saves it atomically and returns
 * it. This is how concurrent processes keep each other's changes: e.g. a bounding-box
 * growth computes the union with the fresh box inside `mutate`. If `mutate` throws,
 * nothing is written.
 */
export async function updateProperties(
  datasetDir: string,
  mutate: (fresh: DatasetProperties) => void | Promise<void>,
  options: FileLockOptions = {},
): Promise<DatasetProperties> {
  const lockPath = nodePath.join(datasetDir, PROPERTIES_LOCK_FILE_NAME);
  return withFileLock(
    lockPath,
    async () => {
      const fresh = await loadProperties(datasetDir);
      await mutate(fresh);
      await saveProperties(datasetDir, fresh);
      return fresh;
    },
    options,
  );
}

