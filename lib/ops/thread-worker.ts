/**
 * The piscina worker of the job threads (job-threads.ts): runs one encoded job per task.
 * Errors come back as data (a thrown Error would lose WkwError's code, path and blockIndex).
 */
import { receiveMessageOnPort } from "node:worker_threads";
import { abortError } from "../util/abort.js";
import { encodeError } from "./job-error.js";
import type { ThreadResult, ThreadTask } from "./job-threads.js";
import { runEncodedJob } from "./run-job.js";

export default async function runTask(task: ThreadTask): Promise<ThreadResult> {
  const port = task.abortPort;
  const abort = port ? new AbortController() : undefined;
  try {
    if (port) {
      // Aborted while it waited in the pool's queue: it does not start.
      if (receiveMessageOnPort(port)) throw abortError();
      port.once("message", () => abort!.abort());
    }
    return { ok: true, value: await runEncodedJob(task.job, task.allowDirs, task.concurrency, abort?.signal) };
  } catch (err) {
    return { ok: false, error: encodeError(err) };
  } finally {
    port?.close(); // (an open port would keep the thread's event loop alive)
  }
}
