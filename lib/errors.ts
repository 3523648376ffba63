/**
 * The one error class of the package. Every failure (bad argument, corrupt file, I/O
 * problem) is a WkwError with a stable `code`; structured fields say where it happened.
 */
export type WkwErrorCode =
  | "ERR_WKW_ARGUMENT" // a parameter has the wrong type, shape, range or dtype
  | "ERR_WKW_HEADER" // a header (header.wkw or a cube file's) is invalid or foreign
  | "ERR_WKW_CORRUPT" // a jump table or LZ4 block is inconsistent
  | "ERR_WKW_TRUNCATED" // a file ends before the data its header promises
  | "ERR_WKW_IO" // the operating system refused a file operation
  | "ERR_WKW_NOT_FOUND" // a dataset, layer, mag or file does not exist
  | "ERR_WKW_EXISTS" // the target of a create/add already exists
  | "ERR_WKW_READ_ONLY" // a mutation on a read-only dataset or view
  | "ERR_WKW_OUT_OF_BOUNDS" // a region outside the view it is addressed to
  | "ERR_WKW_PROPERTIES" // datasource-properties.json is invalid
  | "ERR_WKW_ABORTED" // an AbortSignal cancelled the operation
  | "ERR_WKW_CLOSED"; // the dataset handle was closed

export interface WkwErrorDetails {
  path?: string;
  blockIndex?: number;
  parameter?: string;
  expected?: string;
  received?: string;
  cause?: unknown;
}

export class WkwError extends Error {
  readonly code: WkwErrorCode;
  readonly path?: string;
  readonly blockIndex?: number;
  readonly parameter?: string;
  readonly expected?: string;
  readonly received?: string;

  constructor(code: WkwErrorCode, message: string, details: WkwErrorDetails = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = "WkwError";
    this.code = code;
    if (details.path !== undefined) this.path = details.path;
    if (details.blockIndex !== undefined) this.blockIndex = details.blockIndex;
    if (details.parameter !== undefined) this.parameter = details.parameter;
    if (details.expected !== undefined) this.expected = details.expected;
    if (details.received !== undefined) this.received = details.received;
  }
}

const NATIVE_CODES = new Set<string>([
  "ERR_WKW_ARGUMENT", "ERR_WKW_HEADER", "ERR_WKW_CORRUPT", "ERR_WKW_TRUNCATED", "ERR_WKW_IO",
  "ERR_WKW_NOT_FOUND", "ERR_WKW_EXISTS", "ERR_WKW_ABORTED", "ERR_WKW_CLOSED",
]);

/** Converts an error thrown by the addon or by node:fs into a WkwError (others pass through). */
export function toWkwError(err: unknown, path?: string): unknown {
  if (err instanceof WkwError) return err;
  if (!(err instanceof Error)) return err;
  const e = err as Error & { code?: string; path?: string; blockIndex?: number };
  if (e.code && NATIVE_CODES.has(e.code)) {
    return new WkwError(e.code as WkwErrorCode, e.message, {
      path: e.path ?? path,
      blockIndex: typeof e.blockIndex === "number" && e.blockIndex >= 0 ? e.blockIndex : undefined,
    });
  }
  if (e.code === "ENOENT") {
    return new WkwError("ERR_WKW_NOT_FOUND", `${e.message}`, { path: e.path ?? path, cause: err });
  }
  if (e.code === "EEXIST") {
    return new WkwError("ERR_WKW_EXISTS", `${e.message}`, { path: e.path ?? path, cause: err });
  }
  if (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) {
    return new WkwError("ERR_WKW_IO", `${e.message}`, { path: e.path ?? path, cause: err });
  }
  return err;
}
