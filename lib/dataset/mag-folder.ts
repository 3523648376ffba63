/**
 * Mag folders inside a layer folder: finding them (short name, then long name) and the
 * crash-safe swap used by in-place compression.
 *
 * In-place compression of `<layer>/<mag>` works in a temporary folder of the layer,
 * `<layer>/.compress-<random>/` holding `owner.json` ({pid, hostname}):
 *   1. the compressed copy is written to `<tmp>/<mag>`;
 *   2. the old folder is renamed to `<tmp>/<mag>.old`;
 *   3. `<tmp>/<mag>` is renamed to `<layer>/<mag>`;
 *   4. `<tmp>` is removed.
 * A crash leaves either the old mag in place (1, 4: only garbage in `<tmp>`), or the
 * complete new mag in place (4), or, between 2 and 3, no `<layer>/<mag>` but a complete
 * `<tmp>/<mag>.old`. Recovery rule (Dataset.open, writable): for a temporary folder whose
 * owner is not a live process on this host, every `<mag>.old` whose `<layer>/<mag>` is
 * missing is renamed back into place (the original data, never a half-finished copy),
 * then the temporary folder is deleted. A read-only open, or a folder whose owner is alive
 * by the liveness policy (util/liveness.ts: a live pid on this host; on another host, an
 * owner file refreshed within COMPRESS_STALE_MS, which the compression does every
 * minute), changes nothing: a missing mag is then read from its `.old`.
 */
import { promises as fsp } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { toWkwError } from "../errors.js";
import { Mag } from "../geometry/mag.js";
import { HOST, writerIsDead } from "../util/liveness.js";

export const COMPRESS_TEMP_PREFIX = ".compress-";
const OWNER_FILE = "owner.json";
const OLD_SUFFIX = ".old";
/** An owner file not refreshed for this long belongs to a dead compression (any host). */
export const COMPRESS_STALE_MS = 10 * 60_000;

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

/** The folder name under which `mag` exists in `layerDir` (short name first), or undefined. */
export async function findMagDir(layerDir: string, mag: Mag): Promise<string | undefined> {
  for (const name of new Set([mag.toLayerName(), mag.toLongLayerName()])) {
    if (await exists(path.join(layerDir, name, "header.wkw"))) return name;
  }
  return undefined;
}

/** True if the temporary folder may belong to a compression still running. */
async function ownerAlive(tempDir: string): Promise<boolean> {
  try {
    const file = path.join(tempDir, OWNER_FILE);
    const { mtimeMs } = await fsp.stat(file);
    const owner = JSON.parse(await fsp.readFile(file, "utf8")) as { pid?: unknown; hostname?: unknown };
    const pid = typeof owner.pid === "number" ? owner.pid : 0;
    return !writerIsDead({ host: typeof owner.hostname === "string" ? owner.hostname : "?", pid }, mtimeMs, COMPRESS_STALE_MS);
  } catch {
    // No (readable) owner file: the crash happened right after mkdir, before any swap.
    return false;
  }
}

async function listTempDirs(layerDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(layerDir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(COMPRESS_TEMP_PREFIX)).map((n) => path.join(layerDir, n));
}

/**
 * Applies the recovery rule above to one layer folder. Returns, for mags still missing
 * afterwards, where their `.old` copy is (mag folder name → path), to read from.
 */
export async function recoverLayerFolder(layerDir: string, writable: boolean): Promise<Map<string, string>> {
  const backups = new Map<string, string>();
  for (const tempDir of await listTempDirs(layerDir)) {
    const recover = writable && !(await ownerAlive(tempDir));
    let entries: string[];
    try {
      entries = await fsp.readdir(tempDir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.endsWith(OLD_SUFFIX)) continue;
      const magName = entry.slice(0, -OLD_SUFFIX.length);
      const target = path.join(layerDir, magName);
      if (await exists(target)) continue; // the swap completed; the .old is garbage
      if (recover) {
        try {
          await fsp.rename(path.join(tempDir, entry), target);
        } catch (err) {
          throw toWkwError(err, target);
        }
      } else {
        backups.set(magName, path.join(tempDir, entry));
      }
    }
    if (recover) {
      try {
        await fsp.rm(tempDir, { recursive: true, force: true });
      } catch (err) {
        throw toWkwError(err, tempDir);
      }
    }
  }
  return backups;
}

/** Creates `<layer>/.compress-<random>/` with its owner file and returns its path. */
export async function createCompressTemp(layerDir: string): Promise<string> {
  const dir = path.join(layerDir, `${COMPRESS_TEMP_PREFIX}${randomBytes(6).toString("hex")}`);
  try {
    await fsp.mkdir(dir);
    await fsp.writeFile(path.join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, hostname: HOST, time: Date.now() }));
  } catch (err) {
    throw toWkwError(err, dir);
  }
  return dir;
}

/** Refreshes the owner file's mtime while a compression runs (other hosts judge it by age). */
export function keepOwnerAlive(tempDir: string): () => void {
  const file = path.join(tempDir, OWNER_FILE);
  const timer = setInterval(() => {
    const now = new Date();
    fsp.utimes(file, now, now).catch(() => undefined);
  }, COMPRESS_STALE_MS / 10);
  timer.unref();
  return () => clearInterval(timer);
}

/** Steps 2-4: swaps `<tmp>/<mag>` into `<layer>/<mag>`; the old folder is deleted last. */
export async function swapCompressed(layerDir: string, magDirName: string, tempDir: string): Promise<void> {
  const live = path.join(layerDir, magDirName);
  const fresh = path.join(tempDir, magDirName);
  const old = path.join(tempDir, magDirName + OLD_SUFFIX);
  try {
    await fsp.rename(live, old);
    try {
      await fsp.rename(fresh, live);
    } catch (err) {
      await fsp.rename(old, live).catch(() => undefined); // put the original back
      throw err;
    }
  } catch (err) {
    throw toWkwError(err, live);
  }
  await removeTemp(tempDir);
}

/** Best-effort removal of a temporary folder (a leftover is cleaned up by the next open). */
export async function removeTemp(tempDir: string): Promise<void> {
  await fsp.rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
}
