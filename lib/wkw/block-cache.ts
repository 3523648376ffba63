/**
 * BlockCache: decoded blocks kept in memory for the datasets opened with it, an LRU by
 * bytes shared by every thread of the pool. An explicit resource, like tensorstore's cache
 * pool: create one, pass it as `{ cache }` to WkwDataset / Dataset open and create, and
 * every read through them looks there first.
 */
import { binding } from "../binding.js";
import type { BlockCache as NativeBlockCache } from "../../binding";
import { argumentError, checkInteger, checkOptions } from "../util/validate.js";

export interface BlockCacheOptions {
  /** Budget for decoded block data, in bytes (0 caches nothing). */
  maxBytes: number;
}

export interface BlockCacheStats {
  /** Blocks served from the cache. */
  hits: number;
  /** Blocks decoded because they were not in the cache. */
  misses: number;
  /** Bytes of decoded blocks held now. */
  bytes: number;
  /** Blocks dropped to stay within maxBytes. */
  evictions: number;
  /** Blocks held now. */
  blocks: number;
  maxBytes: number;
}

const natives = new WeakMap<BlockCache, NativeBlockCache>();

export class BlockCache {
  readonly maxBytes: number;

  constructor(options: BlockCacheOptions) {
    const o = checkOptions("options", options, ["maxBytes"]);
    this.maxBytes = checkInteger("options.maxBytes", o.maxBytes, 0, Number.MAX_SAFE_INTEGER);
    natives.set(this, new binding.BlockCache(this.maxBytes));
  }

  /** Counters since the cache was created, and what it holds now. */
  stats(): BlockCacheStats {
    return natives.get(this)!.stats();
  }

  /** Drops every cached block (counters are kept). */
  clear(): void {
    natives.get(this)!.clear();
  }
}

/** The native cache behind an optional `cache` option; throws ERR_WKW_ARGUMENT for anything but a BlockCache. */
export function nativeCacheOf(parameter: string, value: unknown): NativeBlockCache | undefined {
  if (value === undefined) return undefined;
  const native = value instanceof BlockCache ? natives.get(value) : undefined;
  if (!native) throw argumentError(parameter, "a BlockCache (new BlockCache({ maxBytes }))", value);
  return native;
}
