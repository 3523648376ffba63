/**
 * Young-generation collections for job runners (worker threads, `wkw worker` processes).
 *
 * Jobs there allocate large short-lived result arrays (pooled native memory: 256 KB per
 * 64³ uint8 chunk) and little else. V8 then rarely runs a young collection (they are
 * triggered by JavaScript allocation), the arrays' external memory piles up until V8
 * answers with full mark-compact collections: measured ~35 ms of CPU per 128 MB pass per
 * worker process, a third of the work. A young collection frees them early and is cheap
 * (only live young objects are copied), so a runner asks for one whenever result arrays
 * worth YOUNG_GC_BYTES more are outstanding since its last one.
 *
 * Only runners do this: they are threads and processes of this package running its job
 * loop. The application's own thread is never collected by the library (reads there give
 * the same trade-off; docs/performance.md).
 *
 * The collection comes from V8's gc extension, exposed at run time for one context only
 * (the flag is turned off again right after, the way the `expose-gc` package does it);
 * without it this does nothing.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { binding } from "../binding.js";

type GcFunction = (options?: { type?: "minor" | "major"; execution?: "sync" | "async" }) => void;

/** Outstanding pooled bytes between two young collections. */
export const YOUNG_GC_BYTES = 16 << 20;

let gc: GcFunction | null | undefined;
let mark = 0;

function gcFunction(): GcFunction | null {
  if (gc !== undefined) return gc;
  try {
    const exposed = (globalThis as { gc?: unknown }).gc;
    if (typeof exposed === "function") gc = exposed as GcFunction;
    else {
      v8.setFlagsFromString("--expose-gc");
      try {
        gc = vm.runInNewContext("gc") as GcFunction;
      } finally {
        v8.setFlagsFromString("--no-expose-gc");
      }
    }
  } catch {
    gc = null;
  }
  return gc;
}

/** Called after each job item: a young collection once enough result memory is outstanding. */
export function collectYoungGarbage(): void {
  let outstanding: number;
  try {
    outstanding = binding.outputPoolStats().outstandingBytes;
  } catch {
    return;
  }
  if (outstanding < mark) mark = outstanding; // other threads' arrays were returned
  if (outstanding - mark < YOUNG_GC_BYTES) return;
  const collect = gcFunction();
  if (!collect) return;
  collect({ type: "minor" });
  mark = binding.outputPoolStats().outstandingBytes;
}
