/**
 * WorkerThreadExecutor: runs job references on a piscina pool of worker threads of this
 * process. Jobs see the same file system; each thread opens the views' mag folders itself.
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Piscina } from "piscina";
import { WkwError } from "../errors.js";
import { checkInteger, checkOptionsObject, argumentError } from "../util/validate.js";
import { checkIterable, checkMapOptions, runBounded, type Executor, type Job, type MapOptions } from "./executor.js";
import { decodeError } from "./job-error.js";
import { checkJobRef, functionNotAccepted, type JobRef } from "./job-ref.js";
import { encodeJob } from "./run-job.js";
import type { ThreadResult } from "./thread-worker.js";

export interface WorkerThreadExecutorOptions {
  /** worker threads (default: available parallelism) */
  threads?: number;
}

export class WorkerThreadExecutor implements Executor {
  readonly threads: number;
  #pool: Piscina | undefined;
  #closed = false;

  constructor(options: WorkerThreadExecutorOptions = {}) {
    const o = checkOptionsObject("options", options);
    const unknown = Object.keys(o).find((k) => k !== "threads");
    if (unknown !== undefined) throw argumentError(`options.${unknown}`, "no such option (threads)", unknown);
    this.threads = o.threads === undefined ? Math.max(1, availableParallelism()) : checkInteger("options.threads", o.threads, 1, 1024);
  }

  async #getPool(): Promise<Piscina> {
    if (this.#closed) throw new WkwError("ERR_WKW_CLOSED", "this WorkerThreadExecutor was closed");
    // Loaded on first use: `require("wkw")` does not pay for piscina.
    const { Piscina } = await import("piscina");
    this.#pool ??= new Piscina({
      filename: path.join(__dirname, "thread-worker.js"),
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: 2000, // idle threads exit, so an unused pool keeps nothing alive
    });
    return this.#pool;
  }

  async map<T, R>(job: Job<T, R> | JobRef, items: Iterable<T>, options: MapOptions = {}): Promise<R[]> {
    if (typeof job === "function") throw functionNotAccepted("WorkerThreadExecutor");
    const ref = checkJobRef("job", job);
    checkIterable(items);
    const opts = checkMapOptions(options);
    const pool = await this.#getPool();
    const run = async (item: T, index: number): Promise<R> => {
      const result = (await pool.run(encodeJob(ref, item, index))) as ThreadResult;
      if (!result.ok) throw decodeError(result.error);
      return result.value as R;
    };
    // Twice the threads in flight: a thread finds its next job queued when it finishes one.
    return runBounded(run, items, this.threads * 2, opts);
  }

  /** Stops the threads (waits for running jobs). */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }
}
