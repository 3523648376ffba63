/**
 * Resolving a job reference to its function: the allow-list check (before any code of the
 * module runs) and the import (cached per module).
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WkwError } from "../errors.js";
import { moduleUrl, OWN_JOB_DIR, type JobRef } from "./job-ref.js";

export type JobFunction = (...args: unknown[]) => unknown;

const modules = new Map<string, Promise<Record<string, unknown>>>();

function refused(ref: JobRef, why: string): WkwError {
  return new WkwError("ERR_WKW_ARGUMENT", `job module ${ref.module} is refused: ${why}`, {
    parameter: "job.module",
    expected: "a module of this package or under an allowed folder (--allow-module)",
    received: ref.module,
  });
}

/** The real path of a reference's module file (symlinks and `..` resolved). */
function realModulePath(ref: JobRef): string {
  let file: string;
  try {
    file = fileURLToPath(moduleUrl(ref.module));
  } catch {
    throw refused(ref, "not a file URL or absolute path");
  }
  try {
    return realpathSync(file);
  } catch {
    throw new WkwError("ERR_WKW_NOT_FOUND", `job module ${ref.module} does not exist`, { path: file, parameter: "job.module" });
  }
}

function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/**
 * Imports the module of `ref` and returns its function `ref.name`. With `allowDirs`, the
 * module must lie in this package's ops folder or under one of them; anything else fails
 * with ERR_WKW_ARGUMENT before the module is loaded.
 */
export function loadJobFunction(ref: JobRef, allowDirs?: readonly string[]): Promise<JobFunction> {
  // Resolved once per thread or process: the checks below cost file-system calls, and a
  // worker runs thousands of jobs naming the same function. A module once allowed and
  // imported stays what runs (an import is cached anyway); failures are not cached.
  const key = `${ref.module}\0${ref.name}\0${allowDirs === undefined ? "*" : allowDirs.join("\0")}`;
  let fn = resolved.get(key);
  if (!fn) {
    fn = resolveJobFunction(ref, allowDirs);
    resolved.set(key, fn);
    fn.catch(() => resolved.delete(key));
  }
  return fn;
}

const resolved = new Map<string, Promise<JobFunction>>();

async function resolveJobFunction(ref: JobRef, allowDirs?: readonly string[]): Promise<JobFunction> {
  const file = realModulePath(ref);
  if (allowDirs !== undefined) {
    const roots = [OWN_JOB_DIR, ...allowDirs].map((d) => {
      try {
        return realpathSync(d);
      } catch {
        return path.resolve(d);
      }
    });
    if (!roots.some((root) => inside(file, root))) throw refused(ref, `it is not under ${roots.join(" or ")}`);
  }
  const url = moduleUrl(file);
  let loading = modules.get(url);
  if (!loading) {
    loading = import(url) as Promise<Record<string, unknown>>;
    modules.set(url, loading);
    loading.catch(() => modules.delete(url));
  }
  let mod: Record<string, unknown>;
  try {
    mod = await loading;
  } catch (err) {
    throw new WkwError("ERR_WKW_ARGUMENT", `job module ${ref.module} cannot be loaded: ${(err as Error).message}`, { parameter: "job.module", path: file, cause: err });
  }
  // A CommonJS module imported from ESM exposes its exports as named exports and `default`.
  const fn = mod[ref.name] ?? (mod.default as Record<string, unknown> | undefined)?.[ref.name];
  if (typeof fn !== "function") {
    throw new WkwError("ERR_WKW_ARGUMENT", `job module ${ref.module} has no exported function ${ref.name}`, { parameter: "job.name", received: ref.name, path: file });
  }
  return fn as JobFunction;
}
