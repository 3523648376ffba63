/**
 * The piscina pools whose worker threads run encoded jobs: WorkerThreadExecutor's threads,
 * and the job threads of a `wkw worker` process (createWorker).
 *
 * The threads get a small young generation (YOUNG_GENERATION_MB). Jobs allocate large
 * short-lived result arrays (pooled native memory, returned once a collection finds them
 * dead) and little JavaScript. In 2 MB semi-spaces that JavaScript fills the new space
 * every few chunks, so young collections run often and cheaply and free the arrays. With
 * V8's default (16 MB semi-spaces) they ran rarely, the arrays piled up, and once the new
 * space had grown V8 ran a full mark-compact every ~100 ms per runner, with concurrent
 * marking taking the other core: a BullMQ pass of 64³ chunk jobs went from 0.9-1.1× to
 * 0.5-0.9× the in-process executor (docs/executors.md). An earlier fix that forced young
 * collections (gc() exposed at run time) is no longer needed.
 */
import path from "node:path";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { Piscina } from "piscina";
import { WkwError } from "../errors.js";
import { decodeError, type EncodedError } from "./job-error.js";
import type { EncodedJob, JobOutput } from "./run-job.js";

/** Young generation of a job thread (V8 counts it as three semi-spaces: 2 MB each). */
export const YOUNG_GENERATION_MB = 6;

/** What a job thread is given: the job, and for `wkw worker` its allow-list and item concurrency. */
export interface ThreadTask {
  job: EncodedJob;
  /** folders of job modules that may run (undefined: any module, as in the caller's own process) */
  allowDirs?: readonly string[];
  /** items of a batch in flight at once (overrides the job's own) */
  concurrency?: number;
  /** a message on it aborts the job's context signal (runInJobThread with a signal) */
  abortPort?: MessagePort;
}

/** What comes back: errors as data (a thrown Error would lose WkwError's code, path and blockIndex). */
export type ThreadResult = { ok: true; value: JobOutput } | { ok: false; error: EncodedError };

/**
 * A pool of up to `threads` job threads running `tasksPerThread` jobs each at once (jobs
 * mostly wait for reads); idle threads exit after `idleTimeout` ms.
 */
export function createJobThreadPool(threads: number, idleTimeout: number, tasksPerThread = 1): Piscina {
  // Loaded on first use: `require("wkw")` does not pay for piscina.
  const { Piscina } = require("piscina") as typeof import("piscina");
  return new Piscina({
    filename: path.join(__dirname, "thread-worker.js"),
    minThreads: 0,
    maxThreads: threads,
    idleTimeout,
    concurrentTasksPerWorker: tasksPerThread,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    // Job modules may load the `web-worker` package (geotiff does, for 16-bit and float
    // TIFFs): outside the main thread it reads `workerData.mod` and throws when workerData
    // is undefined. An empty object makes it behave as on the main thread.
    workerData: {},
  });
}

/**
 * Runs a task in one of the pool's threads; a failed job rejects with its error, decoded.
 * A thread that ends under a job (process.exit() in it, a fatal error) rejects with
 * ERR_WKW_IO naming the job; the pool starts a new thread for the next one.
 */
export async function runInJobThread(pool: Piscina, task: ThreadTask, signal?: AbortSignal): Promise<JobOutput> {
  let result: ThreadResult;
  // An abort reaches the running job through a port of its own (piscina's own `signal`
  // would terminate the thread, with native work and temporary files in flight).
  const channel = signal ? new MessageChannel() : undefined;
  const onAbort = () => channel!.port1.postMessage("abort");
  try {
    if (channel) {
      if (signal!.aborted) onAbort();
      else signal!.addEventListener("abort", onAbort, { once: true });
    }
    result = (await (channel
      ? pool.run({ ...task, abortPort: channel.port2 }, { transferList: [channel.port2] as never })
      : pool.run(task))) as ThreadResult;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new WkwError("ERR_WKW_IO", `the worker thread running job ${task.job.ref.name} of ${task.job.ref.module} ended: ${why}`);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    channel?.port1.close();
  }
  if (!result.ok) throw decodeError(result.error);
  return result.value;
}
