/**
 * The executor a command runs its jobs on (--jobs N: jobs in flight), wrapped so Ctrl-C
 * stops it from starting new jobs and each finished job can move a progress bar.
 */
import { InProcessExecutor, type Executor, type Job } from "../ops/executor.js";
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
    map<T, R>(job: Job<T, R>, items: Iterable<T>): Promise<R[]> {
      return inner.map(async (item: T, index: number) => {
        if (signal.aborted) throw abortError();
        const result = await job(item, index);
        onJob?.();
        return result;
      }, items);
    },
  };
}
