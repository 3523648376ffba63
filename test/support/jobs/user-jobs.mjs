// User job functions for the executor tests, called as fn(view, index, args) or
// fn(source, target, index, args) wherever the executor runs them.
import { WkwError } from "../../../dist/index.js";

/** Writes value(x, y, z) = (x * 7 + y * 13 + z * 29 + args.salt) mod 251 over the view. */
export async function fill(view, _index, args) {
  const [sx, sy, sz] = view.size;
  const [ox, oy, oz] = view.globalOffset;
  const data = new Uint8Array(sx * sy * sz);
  let i = 0;
  // x fastest (Fortran order, as View.write takes a flat array)
  for (let z = 0; z < sz; z++) for (let y = 0; y < sy; y++) for (let x = 0; x < sx; x++) data[i++] = ((ox + x) * 7 + (oy + y) * 13 + (oz + z) * 29 + args.salt) % 251;
  await view.write({ data, shape: [1, sx, sy, sz] });
  return { index: _index, voxels: data.length };
}

/** Copies source into target inverted (255 - v). */
export async function invert(source, target, index) {
  const a = await source.read();
  const out = new Uint8Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - a.data[i];
  await target.write({ data: out, shape: a.shape });
  return index;
}

/** Throws a WkwError for chunk args.at (with path and blockIndex), succeeds elsewhere. */
export async function failAt(view, index, args) {
  if (index === args.at) throw new WkwError("ERR_WKW_CORRUPT", `chunk ${index} is broken on purpose`, { path: view.path, blockIndex: 17 });
  return index;
}

/** Throws a plain Error with a code. */
export async function plainError(_view, index) {
  throw Object.assign(new Error(`plain failure in chunk ${index}`), { code: "E_USER_JOB" });
}

/** Waits args.ms, then returns the pid (which process ran the job). */
export async function slow(_view, _index, args) {
  await new Promise((r) => setTimeout(r, args.ms));
  return process.pid;
}

/** fill, after waiting args.ms (so a test can kill a worker while jobs are running). */
export async function slowFill(view, index, args) {
  await new Promise((r) => setTimeout(r, args.ms));
  return fill(view, index, args);
}

/** Where the job ran: the thread and its young-generation limit (job-threads.ts sets it). */
export async function runnerInfo(_view, index) {
  const { isMainThread, resourceLimits } = await import("node:worker_threads");
  return { index, isMainThread, pid: process.pid, maxYoungGenerationSizeMb: resourceLimits.maxYoungGenerationSizeMb ?? null };
}

/** Ends its worker thread at chunk args.at (process.exit in a worker thread ends only that thread). */
export async function exitThreadAt(_view, index, args) {
  const { isMainThread } = await import("node:worker_threads");
  if (isMainThread) throw new Error("exitThreadAt runs in worker threads only");
  if (index === args.at) process.exit(3);
  return index;
}

/** The views a job got, as descriptors (for checking how batches travel). */
export async function describe(...args) {
  return args.filter((a) => a && typeof a.toJSON === "function").map((v) => v.toJSON());
}

/**
 * Waits for its context's signal (JobContext) up to args.ms, then leaves a marker file
 * `<args.dir>/job-<index>-<aborted|timeout>` and returns the outcome.
 */
export async function waitForAbort(_view, index, args, context) {
  const { writeFileSync } = await import("node:fs");
  const outcome = await new Promise((resolve) => {
    if (context.signal.aborted) return resolve("aborted");
    const timer = setTimeout(() => resolve("timeout"), args.ms);
    context.signal.addEventListener("abort", () => { clearTimeout(timer); resolve("aborted"); }, { once: true });
  });
  writeFileSync(`${args.dir}/job-${index}-${outcome}`, "");
  return outcome;
}
