/**
 * The executor a command runs its jobs on: --executor inprocess (default) | threads |
 * bullmq (--redis URL --queue NAME, served by `wkw worker` processes), --jobs N. Commands
 * close what they create. `cancellable` adds the Ctrl-C signal and a per-job callback.
 */
import { WkwError } from "../errors.js";
import { BullMQExecutor } from "../ops/bullmq-executor.js";
import { InProcessExecutor, type Executor, type Job, type MapOptions } from "../ops/executor.js";
import type { JobRef } from "../ops/job-ref.js";
import { WorkerThreadExecutor } from "../ops/worker-thread-executor.js";
import { abortError } from "../util/abort.js";
import { UsageError, choiceOption, intOption } from "./args.js";
import type { OptionSpec, OptionValues } from "./command.js";

export const EXECUTOR_OPTIONS: Record<string, OptionSpec> = {
  executor: { type: "string", value: "E", description: "inprocess (default), threads (worker threads) or bullmq (wkw worker processes)" },
  jobs: { type: "string", value: "N", description: "jobs in flight (inprocess) or worker threads (threads)" },
  redis: { type: "string", value: "URL", description: "with --executor bullmq: redis://host:port" },
  queue: { type: "string", value: "NAME", description: "with --executor bullmq: the queue `wkw worker` serves" },
};

export interface CliExecutor {
  executor: Executor;
  /** releases the threads or the Redis connection the command created */
  close(): Promise<void>;
}

export function executorFrom(values: OptionValues): CliExecutor {
  const kind = choiceOption("executor", values.executor, ["inprocess", "threads", "bullmq"] as const) ?? "inprocess";
  const jobs = intOption("jobs", values.jobs, 1, 1024);
  if (kind !== "bullmq" && (values.redis !== undefined || values.queue !== undefined)) {
    throw new UsageError("--redis and --queue apply to --executor bullmq only");
  }
  if (kind === "inprocess") return { executor: new InProcessExecutor(jobs === undefined ? {} : { concurrency: jobs }), close: async () => {} };
  if (kind === "threads") {
    const executor = new WorkerThreadExecutor(jobs === undefined ? {} : { threads: jobs });
    return { executor, close: () => executor.close() };
  }
  if (typeof values.redis !== "string" || typeof values.queue !== "string") throw new UsageError("--executor bullmq needs --redis URL and --queue NAME");
  if (jobs !== undefined) throw new UsageError("--jobs does not apply to --executor bullmq (start more `wkw worker` processes)");
  let executor: BullMQExecutor;
  try {
    executor = new BullMQExecutor({ connection: values.redis, queueName: values.queue });
  } catch (err) {
    // a malformed URL or queue name is a bad command line (exit 2), named as the option
    if (err instanceof WkwError && err.code === "ERR_WKW_ARGUMENT") throw new UsageError(`--${err.parameter === "options.queueName" ? "queue" : "redis"}: ${err.message}`);
    throw err;
  }
  return { executor, close: () => executor.close() };
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
          onProgress: (progress) => {
            options.onProgress?.(progress);
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
