/**
 * Turns an import input into the ordered list of slices: a folder (image files in natural
 * order, `slice_2` before `slice_10`), a glob pattern (same order), a list of files (as
 * given), or one file (a multi-page TIFF gives one slice per page).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { WkwError, toWkwError } from "../errors.js";
import { argumentError } from "../util/validate.js";
import { IMAGE_EXTENSIONS, isImageFile, isTiff, type ImageInfo, type ImageReader } from "./reader.js";
import { sharpReader } from "./sharp-reader.js";
import { tiffReader } from "./tiff-reader.js";

export interface ImageSlice {
  file: string;
  /** page of a multi-page TIFF (0 otherwise) */
  page: number;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** Natural order: digit runs compare as numbers (slice_2 < slice_10); ties by code points. */
export function naturalSort(names: readonly string[]): string[] {
  return [...names].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function readerFor(file: string): ImageReader {
  return isTiff(file) ? tiffReader : sharpReader;
}

function isGlob(input: string): boolean {
  return /[*?[\]{}]/.test(input);
}

async function statOrUndefined(p: string) {
  try {
    return await fsp.stat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw toWkwError(err, p);
  }
}

function notImages(what: string, input: unknown): WkwError {
  return argumentError("input", `${what} of image files (${IMAGE_EXTENSIONS.join(", ")})`, input);
}

/** The files of an input, before pages are expanded. */
async function listFiles(input: unknown): Promise<string[]> {
  if (Array.isArray(input)) {
    if (input.length === 0) throw argumentError("input", "a non-empty list of image files", input);
    input.forEach((f, i) => {
      if (typeof f !== "string" || f.length === 0) throw argumentError(`input[${i}]`, "a file name", f);
      if (!isImageFile(f)) throw notImages(`input[${i}]: a file name`, f);
    });
    return input.map((f: string) => path.resolve(f));
  }
  if (typeof input !== "string" || input.length === 0) {
    throw argumentError("input", "a folder, a glob pattern, an image file or a list of image files", input);
  }
  const st = await statOrUndefined(input);
  if (st?.isDirectory()) {
    const names = (await fsp.readdir(input)).filter((n) => isImageFile(n) && !n.startsWith("."));
    if (names.length === 0) throw new WkwError("ERR_WKW_ARGUMENT", `input: the folder ${input} holds no image files (${IMAGE_EXTENSIONS.join(", ")})`, { parameter: "input", path: input });
    return naturalSort(names).map((n) => path.resolve(input, n));
  }
  if (st) {
    if (!isImageFile(input)) throw notImages("a folder, a glob pattern, or a file", input);
    return [path.resolve(input)];
  }
  if (isGlob(input)) {
    const name: string = "tinyglobby"; // untyped import: its .d.ts needs picomatch's types
    const { glob } = (await import(name)) as { glob(pattern: string, options: Record<string, unknown>): Promise<string[]> };
    const found = (await glob(input, { absolute: true, onlyFiles: true, expandDirectories: false })).filter(isImageFile);
    if (found.length === 0) throw new WkwError("ERR_WKW_ARGUMENT", `input: the pattern ${input} matches no image files`, { parameter: "input", path: input });
    return naturalSort(found);
  }
  throw new WkwError("ERR_WKW_NOT_FOUND", `input: ${input} does not exist`, { parameter: "input", path: input });
}

/**
 * Lists the slices of `input` and probes the first file (its format is what every other
 * slice must have). A single TIFF with several pages gives one slice per page.
 */
export async function resolveSlices(input: unknown): Promise<{ slices: ImageSlice[]; first: ImageInfo }> {
  const files = await listFiles(input);
  const first = await readerFor(files[0]!).probe(files[0]!);
  if (files.length === 1 && first.pages > 1) {
    return { slices: Array.from({ length: first.pages }, (_, page) => ({ file: files[0]!, page })), first };
  }
  return { slices: files.map((file) => ({ file, page: 0 })), first };
}
