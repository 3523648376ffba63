/**
 * Folder targets created atomically: the command writes into a hidden temporary folder beside
 * the target and renames it into place only when complete, so a failure or Ctrl-C leaves
 * nothing, and a retry does not stumble over a half-written target.
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { WkwError, toWkwError } from "../errors.js";

async function state(p: string): Promise<"missing" | "empty" | "other"> {
  try {
    const st = await fsp.stat(p);
    return st.isDirectory() && (await fsp.readdir(p)).length === 0 ? "empty" : "other";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw toWkwError(err, p);
  }
}

/** Runs `fill(tempDir)` and moves the result to `target` (which must be missing or an empty folder). */
export async function withAtomicTarget<T>(target: string, fill: (temp: string) => Promise<T>): Promise<T> {
  const abs = path.resolve(target);
  if ((await state(abs)) === "other") throw new WkwError("ERR_WKW_EXISTS", `the target ${abs} already exists`, { path: abs });
  await fsp.mkdir(path.dirname(abs), { recursive: true });
  const temp = path.join(path.dirname(abs), `.${path.basename(abs)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    const result = await fill(temp);
    if ((await state(abs)) === "other") throw new WkwError("ERR_WKW_EXISTS", `the target ${abs} appeared while it was being written`, { path: abs });
    await fsp.rename(temp, abs).catch((err) => {
      throw toWkwError(err, abs);
    });
    return result;
  } finally {
    await fsp.rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
}
