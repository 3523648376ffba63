/**
 * The executor a command runs its jobs on (--jobs N: jobs in flight), wrapped so Ctrl-C
 * stops it from starting new jobs and each finished job can move a progress bar.
 */
import { InProcessExecutor, type Executor, type Job, type MapOptions } from "../ops/executor.js";
import type { JobRef } from "../ops/job-ref.js";
import { abortError } from "../util/abort.js";
import { intOption } from "./args.js";
import type { OptionSpec, OptionValues } from "./command.js";

export const EXECUTOR_OPTIONS: Record<string, OptionSpec> = {
  jobs: { type: "string", value: "N", description: "jobs in flight at once (default: the thread-pool size)" },
};

export function executorFrom(values: OptionValues): Executor {
  const jobs = intOption("jobs", values.jobs, 1, 1024);
  return new InProcessExecutor(jobs === undefined ? {} : { concurrency: jobs });
}

/** `inner`, but no job starts after `signal` aborted, and `onJob` runs after each job. */
export function cancellable(inner: Executor, signal: AbortSignal, onJob?: () => void): Executor {
  return {
    map<T, R>(job: Job<T, R> | JobRef, items: Iterable<T>, options: MapOptions = {}): Promise<R[]> {
      if (typeof job !== "function") {
        // A job reference (the package's own operations): the signal and progress go
        // through the executor's options, so any executor can run it.
        const signals = options.signal ? [signal, options.signal] : [signal];
        return inner.map(job, items, {
          ...options,
          signal: signals.length > 1 ? AbortSignal.any(signals) : signal,
          onProgress: (done, total) => {
            options.onProgress?.(done, total);
            onJob?.();
          },
        });
      }
      return inner.map(async (item: T, index: number) => {
        if (signal.aborted) throw abortError();
        const result = await job(item, index);
        onJob?.();
        return result;
      }, items, options);
    },
  };
}
