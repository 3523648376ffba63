/**
 * Errors crossing a thread or a process (Redis): a WkwError keeps its code, message,
 * path, blockIndex and parameter details; another Error keeps name, message and code.
 */
import { WkwError, type WkwErrorCode } from "../errors.js";

export interface EncodedError {
  wkw: boolean;
  name: string;
  message: string;
  code?: string;
  path?: string;
  blockIndex?: number;
  parameter?: string;
  expected?: string;
  received?: string;
  stack?: string;
}

const MARK = "wkw-job-error:";

export function encodeError(err: unknown): EncodedError {
  if (err instanceof WkwError) {
    const { code, message, path, blockIndex, parameter, expected, received, stack } = err;
    return { wkw: true, name: "WkwError", code, message, path, blockIndex, parameter, expected, received, stack };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { wkw: false, name: err.name, message: err.message, code: typeof code === "string" ? code : undefined, stack: err.stack };
  }
  return { wkw: false, name: "Error", message: String(err) };
}

export function decodeError(e: EncodedError): Error {
  if (e.wkw && typeof e.code === "string") {
    const err = new WkwError(e.code as WkwErrorCode, e.message, {
      path: e.path, blockIndex: e.blockIndex, parameter: e.parameter, expected: e.expected, received: e.received,
    });
    if (e.stack) err.stack = `${err.stack}\n    --- in the job ---\n${e.stack}`;
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** As one string (BullMQ keeps a failed job's reason as a string). */
export function errorToText(err: unknown): string {
  return MARK + JSON.stringify(encodeError(err));
}

/** Back from errorToText; a reason not made by it (e.g. "job stalled more than allowable limit") becomes an ERR_WKW_IO error. */
export function errorFromText(text: string | undefined): Error {
  if (typeof text === "string" && text.startsWith(MARK)) {
    try {
      return decodeError(JSON.parse(text.slice(MARK.length)) as EncodedError);
    } catch {
      // fall through
    }
  }
  return new WkwError("ERR_WKW_IO", `job failed: ${text ?? "unknown reason"}`);
}
