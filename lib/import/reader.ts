/**
 * One small interface over the image decoders: a reader tells what a file holds (pages,
 * size, channels, voxel type) and decodes one page into an interleaved array, which is
 * already the (c, x, y) Fortran order of one z slice (channel fastest, then column, then row).
 */
import type { VoxelData, VoxelType } from "../dtypes.js";
import { WkwError } from "../errors.js";

export interface ImageFormat {
  width: number;
  height: number;
  channels: number;
  dtype: VoxelType;
}

export interface ImageInfo extends ImageFormat {
  /** pages (slices) in the file: > 1 only for multi-page TIFF */
  pages: number;
}

export interface ImageReader {
  probe(file: string): Promise<ImageInfo>;
  /** Decodes one page; the result has width × height × channels elements of `dtype`. */
  decode(file: string, page: number): Promise<{ format: ImageFormat; data: VoxelData }>;
}

export const IMAGE_EXTENSIONS = [".tif", ".tiff", ".png", ".jpg", ".jpeg"] as const;

export function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

export function isTiff(name: string): boolean {
  return /\.tiff?$/i.test(name);
}

/** A decoder failure as a WkwError naming the file (missing file: ERR_WKW_NOT_FOUND). */
export function decodeError(file: string, page: number, err: unknown): WkwError {
  if (err instanceof WkwError) return err;
  const e = err as NodeJS.ErrnoException;
  const where = page > 0 ? `${file} (page ${page})` : file;
  if (e?.code === "ENOENT" || /no such file|Input file is missing/i.test(String(e?.message))) {
    return new WkwError("ERR_WKW_NOT_FOUND", `cannot read image ${where}: the file does not exist`, { path: file, cause: err });
  }
  const why = e instanceof Error ? e.message.split("\n")[0] : String(err);
  return new WkwError("ERR_WKW_CORRUPT", `cannot decode image ${where}: ${why}`, { path: file, cause: err });
}
