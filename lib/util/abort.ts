/** Bridges an AbortSignal to the native core's CancelToken for one call. */
import { binding } from "../binding.js";
import type { CancelToken } from "../../binding";
import { WkwError } from "../errors.js";
import { argumentError } from "./validate.js";

export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw argumentError("options.signal", "an AbortSignal", signal);
  return signal;
}

export function abortError(): WkwError {
  return new WkwError("ERR_WKW_ABORTED", "The operation was aborted");
}

/** Runs `fn` with a CancelToken that the signal cancels; tasks already running finish. */
export async function withCancel<T>(signal: AbortSignal | undefined, fn: (token?: CancelToken) => Promise<T>): Promise<T> {
  if (!signal) return fn(undefined);
  if (signal.aborted) throw abortError();
  const token = new binding.CancelToken();
  const onAbort = () => token.cancel();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await fn(token);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
