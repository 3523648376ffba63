/**
 * Process-wide caches of the native core, besides the explicit BlockCache:
 * - the handle cache: open cube files (descriptor, header, jump table), bounded by a
 *   number of files and by bytes, since one jump table can be 16 MiB;
 * - the array pool: memory of collected read results, handed out again to later reads so
 *   that a fresh result array costs no page faults (see docs/performance.md).
 */
import { binding } from "../binding.js";
import { argumentError, checkInteger, checkOptions } from "../util/validate.js";

export interface FileCacheCapacity {
  /** Open files kept (each holds a descriptor). Default 256. */
  maxFiles?: number;
  /** Bytes of headers and jump tables kept. Default 256 MiB. */
  maxBytes?: number;
}

export interface FileCacheStats {
  files: number;
  bytes: number;
  maxFiles: number;
  maxBytes: number;
}

export interface ArrayPoolCapacity {
  /**
   * Bytes of result arrays the pool keeps for reuse plus those it has handed out and not
   * got back yet; past it, reads allocate their arrays from V8 as usual. Default: 1 GiB or
   * 1/8 of RAM, the smaller.
   */
  maxBytes: number;
}

export interface ArrayPoolStats {
  /** Bytes kept for reuse now. */
  bytes: number;
  /** Bytes of pooled arrays handed out and not yet collected (and returned). */
  outstandingBytes: number;
  /** Bytes of new memory the pool has mapped so far: what reuse could not serve. */
  mappedBytes: number;
  maxBytes: number;
}


/** Bounds the cache of open cube files; omitted fields keep their value. Shrinks it at once. */
export function setFileCacheCapacity(capacity: FileCacheCapacity): void {
  if (capacity === undefined) throw argumentError("capacity", "an object { maxFiles?, maxBytes? }", capacity);
  const o = checkOptions("capacity", capacity, ["maxFiles", "maxBytes"]);
  const now = binding.fileCacheStats();
  const maxFiles = o.maxFiles === undefined ? now.maxFiles : checkInteger("capacity.maxFiles", o.maxFiles, 0, 2 ** 20);
  const maxBytes = o.maxBytes === undefined ? now.maxBytes : checkInteger("capacity.maxBytes", o.maxBytes, 0, Number.MAX_SAFE_INTEGER);
  binding.setFileCacheCapacity(maxFiles, maxBytes);
}

export function fileCacheStats(): FileCacheStats {
  return binding.fileCacheStats();
}

/** Bounds the memory of collected result arrays kept for reuse (0: keep none). */
export function setArrayPoolCapacity(capacity: ArrayPoolCapacity): void {
  const o = checkOptions("capacity", capacity, ["maxBytes"]);
  binding.setOutputPoolLimit(checkInteger("capacity.maxBytes", o.maxBytes, 0, Number.MAX_SAFE_INTEGER));
}

export function arrayPoolStats(): ArrayPoolStats {
  return binding.outputPoolStats();
}
