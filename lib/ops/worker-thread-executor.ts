/**
 * WorkerThreadExecutor: runs job references on a piscina pool of worker threads of this
 * process. Jobs see the same file system; each thread opens the views' mag folders itself.
 */
import { availableParallelism } from "node:os";
import type { Piscina } from "piscina";
import { WkwError } from "../errors.js";
import { checkInteger, checkOptionsObject, argumentError } from "../util/validate.js";
import { checkIterable, checkMapOptions, runBounded, type Executor, type Job, type MapOptions } from "./executor.js";
import { checkJobRef, functionNotAccepted, type JobRef } from "./job-ref.js";
import { batches, checkItemsPerJob, knownTotal, SizerMemory, type Batch, type ItemsPerJob } from "./batching.js";
import { encodeBatch, jobResults } from "./run-job.js";
import { createJobThreadPool, runInJobThread } from "./job-threads.js";

export interface WorkerThreadExecutorOptions {
  /** worker threads (default: available parallelism) */
  threads?: number;
  /**
   * Items per job (default "auto": jobs of about 25 ms, learnt from the first ones, and at
   * least 4 jobs per thread; see batching.ts). A job costs a message to a thread and back
   * (~0.1 ms); batches spread that over their items. 1 sends every item as its own job.
   */
  itemsPerJob?: ItemsPerJob;
  /** Items of a batch in flight at once in its thread (default 3: reads overlap the JavaScript work). */
  itemConcurrency?: number;
}

export class WorkerThreadExecutor implements Executor {
  readonly threads: number;
  readonly itemsPerJob: ItemsPerJob;
  readonly itemConcurrency: number;
  #pool: Piscina | undefined;
  readonly #learnt = new SizerMemory();
  #closed = false;

  constructor(options: WorkerThreadExecutorOptions = {}) {
    const o = checkOptionsObject("options", options);
    const unknown = Object.keys(o).find((k) => !["threads", "itemsPerJob", "itemConcurrency"].includes(k));
    if (unknown !== undefined) throw argumentError(`options.${unknown}`, "no such option (threads, itemsPerJob, itemConcurrency)", unknown);
    this.threads = o.threads === undefined ? Math.max(1, availableParallelism()) : checkInteger("options.threads", o.threads, 1, 1024);
    this.itemsPerJob = checkItemsPerJob("options.itemsPerJob", o.itemsPerJob);
    this.itemConcurrency = o.itemConcurrency === undefined ? 3 : checkInteger("options.itemConcurrency", o.itemConcurrency, 1, 64);
  }

  async #getPool(): Promise<Piscina> {
    if (this.#closed) throw new WkwError("ERR_WKW_CLOSED", "this WorkerThreadExecutor was closed");
    // idle threads exit, so an unused pool keeps nothing alive
    this.#pool ??= createJobThreadPool(this.threads, 2000);
    return this.#pool;
  }

  async map<T, R>(job: Job<T, R> | JobRef, items: Iterable<T>, options: MapOptions = {}): Promise<R[]> {
    if (typeof job === "function") throw functionNotAccepted("WorkerThreadExecutor");
    const ref = checkJobRef("job", job);
    checkIterable(items);
    const opts = checkMapOptions(options);
    const pool = await this.#getPool();
    const total = knownTotal(items, opts);
    const sizer = this.#learnt.sizer(this.itemsPerJob, ref, total, this.threads);
    const results: R[] = [];
    let done = 0;
    let pulled = 0;
    const run = async (batch: Batch<T>): Promise<void> => {
      pulled = batch.index + batch.items.length;
      const job = encodeBatch(ref, batch.items, batch.index, this.itemConcurrency);
      const output = await runInJobThread(pool, { job }, opts.signal);
      sizer.observe(batch.items.length, output.ms);
      for (const r of jobResults(job, output)) results[r.index] = r.value as R;
      done += batch.items.length;
      opts.onProgress?.({ done, total: total ?? pulled, unit: "jobs" });
    };
    // Twice the threads in flight: a thread finds its next job queued when it finishes one.
    const { onProgress: _, ...rest } = opts;
    try {
      await runBounded(run, batches(items, sizer), this.threads * 2, rest);
    } finally {
      this.#learnt.remember(ref, total, sizer);
    }
    return results;
  }

  /** Stops the threads (waits for running jobs). */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }
}
