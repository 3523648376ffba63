/** Options of `serve()` and `wkw serve`: checked once, defaults written once. */
import { checkKeys } from "../dataset/checks.js";
import { BlockCache } from "../wkw/block-cache.js";
import { checkSignal } from "../util/abort.js";
import { argumentError, checkInteger, checkOptionsObject, checkString } from "../util/validate.js";

export interface ServeOptions {
  /** TCP port; 0 picks a free one. @default 8000 */
  port?: number;
  /** Interface to bind. Anything but loopback exposes the data to the network. @default "127.0.0.1" */
  host?: string;
  /**
   * The BlockCache reads go through: a size in bytes, a string like "512MB" / "2GiB" (0: no
   * cache), or a BlockCache of the caller's (shared, not cleared on close). Applies when
   * serving a path; a Dataset keeps the cache it was opened with. @default "512MB"
   */
  cache?: number | string | BlockCache;
  /** `Access-Control-Allow-Origin`: an origin, or "*" for any. @default "*" */
  cors?: string;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
  /** Edge of the chunks announced in each scale's `chunk_sizes`, 1..256 (a bound on the memory of one request). @default 64 */
  chunkSize?: number;
  /** A request that takes longer (reading included) is answered 503. @default 30000 */
  timeoutMs?: number;
}

export interface ServeSettings {
  port: number;
  host: string;
  cacheBytes: number;
  /** a caller's BlockCache (then cacheBytes is unused) */
  cache: BlockCache | undefined;
  cors: string;
  signal: AbortSignal | undefined;
  chunkSize: number;
  timeoutMs: number;
}

const UNITS: Record<string, number> = {
  "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** "512MB", "2GiB", "1e9" or a number of bytes → bytes. */
export function parseByteSize(parameter: string, value: unknown): number {
  if (typeof value === "number") return checkInteger(parameter, value, 0, Number.MAX_SAFE_INTEGER);
  const m = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(value) : null;
  const bytes = m ? Number(m[1]) * UNITS[(m[2] ?? "").toLowerCase()]! : NaN;
  if (!Number.isFinite(bytes) || bytes > Number.MAX_SAFE_INTEGER) {
    throw argumentError(parameter, 'a byte count (a non-negative integer or a size like "512MB", "2GiB") or a BlockCache', value);
  }
  return Math.floor(bytes);
}

const KEYS = ["port", "host", "cache", "cors", "signal", "chunkSize", "timeoutMs"];

export function checkServeOptions(options: unknown): ServeSettings {
  const o = checkOptionsObject("options", options);
  checkKeys("options", o, KEYS);
  const chunkSize = o.chunkSize === undefined ? 64 : checkInteger("options.chunkSize", o.chunkSize, 1, 256);
  return {
    port: o.port === undefined ? 8000 : checkInteger("options.port", o.port, 0, 65535),
    host: o.host === undefined ? "127.0.0.1" : checkString("options.host", o.host),
    cacheBytes: o.cache instanceof BlockCache ? o.cache.maxBytes : parseByteSize("options.cache", o.cache === undefined ? "512MB" : o.cache),
    cache: o.cache instanceof BlockCache ? o.cache : undefined,
    cors: o.cors === undefined ? "*" : checkString("options.cors", o.cors),
    signal: checkSignal(o.signal),
    chunkSize,
    timeoutMs: o.timeoutMs === undefined ? 30_000 : checkInteger("options.timeoutMs", o.timeoutMs, 1, 3_600_000),
  };
}
