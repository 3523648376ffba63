/**
 * Crash-safe file replacement and cross-process locking for small metadata files.
 *
 * writeFileAtomic: readers (other processes included) see either the old or the new file,
 * never a truncated one, and a crash leaves at most a `<base>.tmp-*` file beside the target.
 *
 * withFileLock: mutual exclusion between processes (and between async tasks of one process)
 * through a lock file created with O_EXCL. Used to make read-modify-write of
 * datasource-properties.json safe when several processes grow the same layer.
 */
import { link, open, rename, stat, unlink, readFile, utimes, writeFile, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import * as nodePath from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { WkwError } from "../errors.js";
import { HOST, removeDeadTemps, tempTag, writerIsDead } from "./liveness.js";

function ioError(message: string, path: string, cause: unknown): WkwError {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new WkwError("ERR_WKW_IO", `${message}: ${reason}${typeof code === "string" && !reason.includes(code) ? ` (${code})` : ""}`, {
    path,
    cause,
  });
}

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Writes `data` to `path` atomically: temporary file in the same folder (so the rename does
 * not cross file systems), fsync, rename over the target, fsync of the folder (so the rename
 * itself survives a power loss). The temporary file is removed on failure. An existing
 * target keeps its permission bits.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = nodePath.dirname(path);
  const tmp = nodePath.join(dir, `${nodePath.basename(path)}.tmp-${tempTag()}`);
  let existingMode: number | undefined;
  try {
    existingMode = (await stat(path)).mode & 0o7777;
  } catch {
    existingMode = undefined; // no target yet: default mode (0o666 minus umask)
  }
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, "wx", 0o666);
    if (existingMode !== undefined) await fh.chmod(existingMode);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await renameReplacing(tmp, path);
  } catch (err) {
    if (fh) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw ioError(`cannot write ${path}`, path, err);
  }
  await syncDirectory(dir);
  await removeDeadWritersTemps(dir, `${nodePath.basename(path)}.tmp-`);
}

/**
 * Removes `<dir>/<prefix><tag>` files whose writer died (a crash between creating and
 * renaming its temporary file), by the one liveness policy (util/liveness.ts): on this
 * host a pid that no longer exists, on any host a file untouched for an hour.
 */
export async function removeDeadWritersTemps(dir: string, prefix: string): Promise<void> {
  await removeDeadTemps(dir, prefix);
}

/** rename(); on Windows a reader holding the target open makes it fail briefly: retry then. */
async function renameReplacing(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (err) {
      const code = errnoCode(err);
      if (process.platform !== "win32" || attempt >= 20 || !(code === "EPERM" || code === "EACCES" || code === "EBUSY")) {
        throw err;
      }
      await sleep(5 + attempt * 5);
    }
  }
}

/** Best effort: not every platform or file system can fsync a directory (Windows cannot). */
async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // durability of the rename is best effort; atomicity does not depend on it
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

export interface FileLockOptions {
  /** Give up (WkwError ERR_WKW_IO) after waiting this long for a live lock. Default 60 000. */
  timeoutMs?: number;
  /**
   * A lock file not refreshed for this long is stale and taken over. The holder refreshes the
   * file's mtime every staleMs/3, so a long critical section keeps its lock. Default 30 000.
   */
  staleMs?: number;
}

/** What a lock file holds (JSON). `token` lets the holder release only its own lock. */
export interface LockFileContent {
  pid: number;
  hostname: string;
  time: number;
  token: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_STALE_MS = 30_000;

/**
 * Runs `fn` while holding the lock file `lockPath` (created with O_EXCL, content
 * `{pid, hostname, time, token}`), and removes the lock afterwards (also when fn throws).
 * Waiters retry with a small randomised backoff. A lock whose pid no longer exists on this
 * host, or whose file was not refreshed for `staleMs`, is stale and is taken over.
 * Not re-entrant: calling withFileLock on the same path inside `fn` waits for itself until
 * the timeout.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => T | Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  if (!(timeoutMs >= 0) || !(staleMs > 0)) {
    throw new WkwError("ERR_WKW_ARGUMENT", "withFileLock: timeoutMs must be >= 0 and staleMs > 0", {
      parameter: "options",
      expected: "timeoutMs >= 0, staleMs > 0",
      received: `timeoutMs ${timeoutMs}, staleMs ${staleMs}`,
    });
  }
  const token = await acquire(lockPath, timeoutMs, staleMs);
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, Math.max(10, Math.floor(staleMs / 3)));
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, timeoutMs: number, staleMs: number): Promise<string> {
  const token = randomBytes(8).toString("hex");
  const content: LockFileContent = { pid: process.pid, hostname: HOST, time: Date.now(), token };
  const deadline = Date.now() + timeoutMs;
  const dir = nodePath.dirname(lockPath);
  // Candidate files of acquirers that were killed (see createExclusive).
  await removeDeadWritersTemps(dir, `${nodePath.basename(lockPath)}.tmp-`);
  // A breaker whose process was killed inside breakIfStale: nobody else would ever look at
  // it while the lock itself is free, so the next acquirer removes it.
  await removeDeadBreaker(`${lockPath}.break`, staleMs);
  let delay = 2;
  for (;;) {
    // content rewritten for every attempt: the lock's mtime (its liveness) starts now
    if (await createExclusive(lockPath, JSON.stringify({ ...content, time: Date.now() }), lockPath, token)) return token;
    if (await breakIfStale(lockPath, staleMs, token)) continue;
    if (Date.now() >= deadline) {
      const holder = await inspectLock(lockPath);
      const who = holder?.content
        ? ` (held by pid ${holder.content.pid} on ${holder.content.hostname} since ${new Date(holder.content.time).toISOString()})`
        : "";
      throw new WkwError("ERR_WKW_IO", `timed out after ${timeoutMs} ms waiting for the lock ${lockPath}${who}`, {
        path: lockPath,
      });
    }
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())) + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
}

/**
 * Creates `path` holding `text` unless it exists (then returns false). The file appears with
 * its content complete: written to a candidate `<lockPath>.tmp-<pid>-<token>` and
 * hard-linked to `path` (link fails with EEXIST). Created empty and written afterwards, a
 * process killed in between would leave an empty file whose pid nobody can check, blocking
 * every updater for staleMs.
 */
async function createExclusive(path: string, text: string, lockPath: string, token: string): Promise<boolean> {
  const candidate = `${lockPath}.tmp-${process.pid}-${token}-${HOST}`;
  try {
    await writeFile(candidate, text);
    await link(candidate, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === "EEXIST") return false;
    throw ioError(`cannot create lock file ${path}`, path, err);
  } finally {
    await unlink(candidate).catch(() => undefined);
  }
}

interface LockState {
  mtimeMs: number;
  ino: number;
  content?: LockFileContent; // undefined while the holder is still writing it, or if foreign
}

/** The lock file's state, or undefined if it does not exist (any more). */
async function inspectLock(lockPath: string): Promise<LockState | undefined> {
  let st;
  let text: string;
  try {
    st = await stat(lockPath);
    text = await readFile(lockPath, "utf8");
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw ioError(`cannot read lock file ${lockPath}`, lockPath, err);
  }
  let content: LockFileContent | undefined;
  try {
    const parsed = JSON.parse(text) as Partial<LockFileContent>;
    if (typeof parsed.pid === "number" && typeof parsed.hostname === "string") {
      content = {
        pid: parsed.pid,
        hostname: parsed.hostname,
        time: typeof parsed.time === "number" ? parsed.time : st.mtimeMs,
        token: typeof parsed.token === "string" ? parsed.token : "",
      };
    }
  } catch {
    content = undefined;
  }
  return { mtimeMs: st.mtimeMs, ino: st.ino, content };
}

function isStale(state: LockState, staleMs: number): boolean {
  const c = state.content;
  // An empty/unreadable file may be mid-write: only its age counts.
  if (c === undefined) return Date.now() - state.mtimeMs > staleMs;
  return writerIsDead({ host: c.hostname, pid: c.pid }, state.mtimeMs, staleMs);
}

/**
 * Removes `lockPath` if it is stale. Returns true when the caller should retry at once (lock
 * gone or removed). The check and the removal happen while holding a second O_EXCL file
 * (`<lockPath>.break`): two waiters that both saw the same stale lock cannot both remove
 * "it", because the second one re-checks under the breaker and then finds the first
 * waiter's fresh (live) lock instead.
 */
async function breakIfStale(lockPath: string, staleMs: number, token: string): Promise<boolean> {
  const seen = await inspectLock(lockPath);
  if (seen === undefined) return true;
  if (!isStale(seen, staleMs)) return false;
  const breaker = `${lockPath}.break`;
  const mine = { pid: process.pid, hostname: HOST, time: Date.now(), token };
  if (!(await createExclusive(breaker, JSON.stringify(mine), lockPath, token))) {
    // A breaker lives for milliseconds; one whose process died (or older than staleMs) is
    // left over from a crash in that window: remove it and retry.
    const b = await inspectLock(breaker);
    if (b === undefined) return true;
    if (!isStale(b, staleMs)) return false;
    const again = await inspectLock(breaker);
    if (again?.ino === b.ino) await unlink(breaker).catch(() => undefined);
    return true;
  }
  try {
    const again = await inspectLock(lockPath);
    if (again === undefined) return true;
    if (again.ino === seen.ino && isStale(again, staleMs)) {
      try {
        await unlink(lockPath);
      } catch (err) {
        if (errnoCode(err) !== "ENOENT") throw ioError(`cannot remove stale lock ${lockPath}`, lockPath, err);
      }
      return true;
    }
    return false;
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

async function removeDeadBreaker(breaker: string, staleMs: number): Promise<void> {
  const b = await inspectLock(breaker);
  if (b === undefined || !isStale(b, staleMs)) return;
  const again = await inspectLock(breaker);
  if (again?.ino === b.ino) await unlink(breaker).catch(() => undefined);
}

/** Removes the lock only if it is still ours (it may have been taken over as stale). */
async function release(lockPath: string, token: string): Promise<void> {
  try {
    const state = await inspectLock(lockPath);
    if (state?.content?.token === token) await unlink(lockPath);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return;
    // Do not mask fn's own result or error; a leftover lock becomes stale and is taken over.
    process.emitWarning(`could not release lock ${lockPath}: ${(err as Error).message}`, {
      code: "WKW_LOCK_RELEASE_FAILED",
    });
  }
}
