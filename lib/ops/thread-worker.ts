/**
 * The piscina worker of the job threads (job-threads.ts): runs one encoded job per task.
 * Errors come back as data (a thrown Error would lose WkwError's code, path and blockIndex).
 */
import { encodeError } from "./job-error.js";
import type { ThreadResult, ThreadTask } from "./job-threads.js";
import { runEncodedJob } from "./run-job.js";

export default async function runTask(task: ThreadTask): Promise<ThreadResult> {
  try {
    return { ok: true, value: await runEncodedJob(task.job, task.allowDirs, task.concurrency) };
  } catch (err) {
    return { ok: false, error: encodeError(err) };
  }
}
