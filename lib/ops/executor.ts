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
import { availableParallelism } from "node:os";
import { binding } from "../binding.js";
import { argumentError, checkInteger, checkOptions } from "../util/validate.js";

export type Job<T, R> = (item: T, index: number) => R | Promise<R>;

export interface Executor {
  map<T, R>(job: Job<T, R>, items: Iterable<T>): Promise<R[]>;
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

  map<T, R>(job: Job<T, R>, items: Iterable<T>): Promise<R[]> {
    if (typeof job !== "function") return Promise.reject(argumentError("job", "a function", job));
    if (items === null || typeof items !== "object" || typeof (items as Iterable<T>)[Symbol.iterator] !== "function") {
      return Promise.reject(argumentError("items", "an iterable", items));
    }
    return runBounded(job, items, this.concurrency);
  }
}

function defaultConcurrency(): number {
  try {
    return Math.max(1, binding.defaultConcurrency());
  } catch {
    return Math.max(1, availableParallelism());
  }
}

function runBounded<T, R>(job: Job<T, R>, items: Iterable<T>, concurrency: number): Promise<R[]> {
  return new Promise<R[]>((resolve, reject) => {
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
    const pump = () => {
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
      settleIfIdle();
    };
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
    throw argumentError(parameter, "an Executor (an object with map(job, items))", value);
  }
  return value as Executor;
}
