/**
 * Executors run independent jobs (one per chunk or per cube file) for the chunk helpers,
 * compress and copyDataset.
 *
 * The interface is map-like, as Python's `executor.map(fn, iterable)`: the items are plain
 * values (Views serialise with toJSON), so an executor that runs jobs elsewhere can send
 * the item and name the work instead of sending a closure.
 *
 * Contract every executor keeps (the chunk helpers rely on it):
 * - results come back in item order;
 * - after the first failure no further job is started; the call rejects with that first
 *   error once every job already running has settled (so no job still writes after the
 *   caller saw the rejection);
 * - items are pulled lazily, so a huge chunk grid is never materialised.
 */
import type { Progress } from "../util/progress.js";
import { availableParallelism } from "node:os";
import { binding } from "../binding.js";
import { abortError } from "../util/abort.js";
import { argumentError, checkInteger, checkOptions, checkOptionsObject } from "../util/validate.js";
import { checkJobRef, isJobRef, type JobRef } from "./job-ref.js";
import { loadJobFunction } from "./load-job.js";

export type Job<T, R> = (item: T, index: number) => R | Promise<R>;

export interface MapOptions {
  /** Stops starting jobs (and removes queued ones); the call rejects with ERR_WKW_ABORTED. */
  signal?: AbortSignal;
  /** Called after each finished job: `{ done, total, unit: "jobs" }` (see Progress). */
  onProgress?: (progress: Progress) => void;
  /** The number of items, if known (for onProgress). */
  total?: number;
  /** Names the operation (distributed executors derive job ids from it and the index). */
  operationId?: string;
}

/**
 * The last argument of a job-reference function: `signal` aborts when the caller's map is
 * aborted, where the executor can reach the running job (in this process and in its worker
 * threads; on BullMQ workers it never aborts: queued jobs are removed instead). Long jobs
 * pass it on to the native calls, which then stop within a block.
 */
export interface JobContext {
  signal: AbortSignal;
}

/** The signal of a job that nothing can abort. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/**
 * With a function, `items` are anything and the function is called as job(item, index)
 * (in-process executors only). With a job reference, each item is a View or an array of
 * Views and the referenced function is called as fn(...views, index, args, context) wherever
 * the executor runs it (context: JobContext).
 */
export interface Executor {
  map<T, R>(job: Job<T, R> | JobRef, items: Iterable<T>, options?: MapOptions): Promise<R[]>;
  /** Releases threads or connections (executors without any have none). */
  close?(): Promise<void>;
}

/** The views of a job-reference item, as positional arguments. */
export function itemViews(item: unknown): unknown[] {
  return Array.isArray(item) ? item : [item];
}

export interface InProcessExecutorOptions {
  /** Jobs in flight at once (default: the native pool's default concurrency). */
  concurrency?: number;
}

/**
 * Runs jobs in this process, at most `concurrency` at a time. The native I/O inside the
 * jobs already runs on the libuv pool, so this bounds memory (buffers per job) rather than
 * CPU use.
 */
const IN_PROCESS_EXECUTOR_OPTION_KEYS = ["concurrency"] as const;

export class InProcessExecutor implements Executor {
  readonly concurrency: number;

  constructor(options: InProcessExecutorOptions = {}) {
    const o = checkOptions("options", options, IN_PROCESS_EXECUTOR_OPTION_KEYS);
    this.concurrency =
      o.concurrency === undefined ? defaultConcurrency() : checkInteger("options.concurrency", o.concurrency, 1, 4096);
  }

  async map<T, R>(job: Job<T, R> | JobRef, items: Iterable<T>, options: MapOptions = {}): Promise<R[]> {
    checkIterable(items);
    const opts = checkMapOptions(options);
    if (typeof job === "function") return runBounded(job, items, this.concurrency, opts);
    const ref = checkJobRef("job", job);
    const fn = await loadJobFunction(ref);
    // args as a remote job sees them (a JSON copy), so results match every executor
    const args = ref.args === undefined ? undefined : JSON.parse(JSON.stringify(ref.args));
    const context: JobContext = { signal: opts.signal ?? NEVER_ABORTED };
    return runBounded((item: T, index: number) => fn(...itemViews(item), index, args, context) as R, items, this.concurrency, opts);
  }

  async close(): Promise<void> {}
}

export function checkIterable(items: unknown): void {
  if (items === null || typeof items !== "object" || typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw argumentError("items", "an iterable", items);
  }
}

export function checkMapOptions(options: unknown): MapOptions {
  const o = checkOptionsObject("options", options);
  const unknown = Object.keys(o).find((k) => !["signal", "onProgress", "total", "operationId"].includes(k));
  if (unknown !== undefined) throw argumentError(`options.${unknown}`, "no such option (signal, onProgress, total, operationId)", unknown);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw argumentError("options.signal", "an AbortSignal", o.signal);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw argumentError("options.onProgress", "a function", o.onProgress);
  if (o.total !== undefined) checkInteger("options.total", o.total, 0, Number.MAX_SAFE_INTEGER);
  if (o.operationId !== undefined && (typeof o.operationId !== "string" || !/^[\w.-]{1,100}$/.test(o.operationId))) {
    throw argumentError("options.operationId", "1-100 characters of [A-Za-z0-9_.-]", o.operationId);
  }
  return o as MapOptions;
}

/** True for a job reference (any executor) as opposed to a function (in-process only). */
export { isJobRef };

function defaultConcurrency(): number {
  try {
    return Math.max(1, binding.defaultConcurrency());
  } catch {
    return Math.max(1, availableParallelism());
  }
}

/**
 * Runs `job` over `items` with at most `concurrency` in flight, lazily, in item order, with
 * the first-failure contract above. Exported for executors that run a pool themselves.
 */
export function runBounded<T, R>(job: Job<T, R>, items: Iterable<T>, concurrency: number, options: MapOptions = {}): Promise<R[]> {
  const { signal, onProgress, total } = options;
  return new Promise<R[]>((resolve, reject) => {
    let finished = 0;
    const results: R[] = [];
    const iterator = items[Symbol.iterator]();
    let running = 0;
    let next = 0;
    let done = false; // iterator exhausted (or failed)
    let failed = false;
    let closed = false; // iterator.return() called
    let firstError: unknown;

    const fail = (err: unknown) => {
      if (!failed) {
        failed = true;
        firstError = err;
      }
    };
    const settleIfIdle = () => {
      if (running > 0) return;
      if (failed) reject(firstError);
      else if (done) resolve(results);
    };
    const onAbort = () => {
      fail(abortError());
      pump();
    };
    const pump = () => {
      if (signal?.aborted) fail(abortError());
      while (!failed && !done && running < concurrency) {
        let step: IteratorResult<T>;
        try {
          step = iterator.next();
        } catch (err) {
          fail(err); // e.g. an invalid sub-view produced by a chunk generator
          break;
        }
        if (step.done) {
          done = true;
          break;
        }
        const index = next++;
        running++;
        // Promise.resolve().then: a job that throws synchronously is a rejection like any other.
        Promise.resolve()
          .then(() => job(step.value, index))
          .then(
            (value) => {
              results[index] = value;
              finished++;
              if (onProgress) {
                try {
                  onProgress({ done: finished, total: total ?? (Array.isArray(items) ? items.length : next), unit: "jobs" });
                } catch (err) {
                  fail(err);
                }
              }
            },
            fail,
          )
          .finally(() => {
            running--;
            pump();
          });
      }
      if (failed && !closed) {
        closed = true;
        try {
          iterator.return?.(); // lets a generator run its finally blocks
        } catch {
          // the first error is what the caller gets
        }
      }
      if (running === 0) signal?.removeEventListener("abort", onAbort);
      settleIfIdle();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    pump();
  });
}

let shared: InProcessExecutor | undefined;

/** The executor used when a call gets none: in-process, default concurrency. */
export function getDefaultExecutor(): Executor {
  shared ??= new InProcessExecutor();
  return shared;
}

/** Checks an `executor` option: undefined (default executor) or an object with `map`. */
export function checkExecutor(parameter: string, value: unknown): Executor {
  if (value === undefined) return getDefaultExecutor();
  // (an array has a map method too, with another meaning)
  if (value === null || typeof value !== "object" || Array.isArray(value) || typeof (value as Executor).map !== "function") {
    throw argumentError(parameter, "an Executor (an object with map(job, items, options))", value);
  }
  return value as Executor;
}
