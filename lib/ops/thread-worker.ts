/**
 * The piscina worker of WorkerThreadExecutor: runs one encoded job per task. Errors come
 * back as data (a thrown Error would lose WkwError's code, path and blockIndex on the way).
 */
import { encodeError, type EncodedError } from "./job-error.js";
import { runEncodedJob, type EncodedJob, type JobOutput } from "./run-job.js";

export type ThreadResult = { ok: true; value: JobOutput } | { ok: false; error: EncodedError };

export default async function runTask(task: EncodedJob): Promise<ThreadResult> {
  try {
    return { ok: true, value: await runEncodedJob(task) };
  } catch (err) {
    return { ok: false, error: encodeError(err) };
  }
}
