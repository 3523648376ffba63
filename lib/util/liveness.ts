/**
 * "Is the writer of this temporary file (lock file, temporary folder) dead?" — answered by
 * the native policy (native/src/liveness.h) for every cleanup, TypeScript and native alike:
 *
 *   dead  <=>  not modified for longer than staleMs
 *          or  written on this host by a pid that no longer exists here.
 *
 * Temporary names carry the writer: `<prefix><pid>-<random>-<host>` here, and
 * `<cube>.wkw_tmp.<pid>.<seq>.<host>` for the native writers' cube files.
 */
import { randomBytes } from "node:crypto";
import { readdir, rm, stat, unlink } from "node:fs/promises";
import * as nodePath from "node:path";
import { binding } from "../binding.js";

/** This host as written into temporary names and owner records. */
export const HOST = binding.hostTag();

/** Age after which a temporary file is dead whatever its host (a live writer is done long before). */
export const TEMP_STALE_MS = 3_600_000;

export interface WriterRecord {
  /** "" or undefined: this host (names of older versions carry no host) */
  host?: string;
  pid: number;
}

/** The policy. `staleMs` < 0: age does not count. */
export function writerIsDead(writer: WriterRecord, mtimeMs: number, staleMs: number): boolean {
  const pid = Number.isSafeInteger(writer.pid) ? writer.pid : 0;
  return binding.writerIsDead(writer.host ?? "", pid, Math.max(0, Date.now() - mtimeMs), staleMs);
}

/** `<pid>-<random>-<host>`: the part of a temporary name that names its writer. */
export function tempTag(): string {
  return `${process.pid}-${randomBytes(6).toString("hex")}-${HOST}`;
}

/** The writer of a name made with tempTag (or `<pid>-<hex>` of older versions). */
export function parseTempTag(tag: string): WriterRecord | undefined {
  const m = /^(\d{1,10})-[0-9a-z]+(?:-(.+))?$/.exec(tag);
  if (!m) return undefined;
  return { pid: Number(m[1]), host: m[2] ?? "" };
}

/**
 * Removes `<dir>/<prefix><tag>` files and folders whose writer is dead by the policy (age
 * limit `staleMs`). Best effort: errors are ignored.
 */
export async function removeDeadTemps(dir: string, prefix: string, staleMs: number = TEMP_STALE_MS): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const writer = parseTempTag(name.slice(prefix.length));
    if (!writer) continue;
    const file = nodePath.join(dir, name);
    try {
      const st = await stat(file);
      if (!writerIsDead(writer, st.mtimeMs, staleMs)) continue;
      if (st.isDirectory()) await rm(file, { recursive: true, force: true });
      else await unlink(file);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}
