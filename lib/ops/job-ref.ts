/**
 * Job references: a job that may run in another thread, process or machine is named, not
 * sent: `{ module, name, args? }`. `module` is a file URL or absolute path of an ES or
 * CommonJS module, `name` one of its exports, called as
 *   fn(view, index, args)            for forEachChunk (one View per job)
 *   fn(source, target, index, args)  for forZippedChunks (a pair of Views per job)
 * `args` must be JSON-serialisable (it travels through Redis); views travel as
 * View.toJSON() and come back with View.fromJSON().
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { WkwError } from "../errors.js";
import { argumentError } from "../util/validate.js";

export interface JobRef<A = unknown> {
  /** file URL or absolute path of the module */
  module: string;
  /** name of an exported function */
  name: string;
  /** JSON-serialisable arguments, passed as the last parameter */
  args?: A;
}

/** True for an object shaped like a job reference (checked fully by checkJobRef). */
export function isJobRef(value: unknown): value is JobRef {
  return value !== null && typeof value === "object" && !Array.isArray(value) && "module" in value && "name" in value;
}

/** Validates a job reference: module a file URL or absolute path, name a string, args JSON. */
export function checkJobRef(parameter: string, value: unknown): JobRef {
  if (!isJobRef(value)) throw argumentError(parameter, "a function or a job reference { module, name, args? }", value);
  const { module, name, args } = value;
  const extra = Object.keys(value).filter((k) => k !== "module" && k !== "name" && k !== "args");
  if (extra.length > 0) throw argumentError(`${parameter}.${extra[0]}`, "no such key (a job reference has module, name, args)", extra[0]);
  if (typeof module !== "string" || !(module.startsWith("file:") || path.isAbsolute(module))) {
    throw argumentError(`${parameter}.module`, "a file URL or an absolute path", module);
  }
  if (typeof name !== "string" || !/^[A-Za-z_$][\w$]*$/.test(name)) throw argumentError(`${parameter}.name`, "the name of an exported function", name);
  if (args !== undefined) {
    let text: string | undefined;
    try {
      text = JSON.stringify(args);
    } catch (err) {
      throw argumentError(`${parameter}.args`, `JSON-serialisable arguments (${(err as Error).message})`, args);
    }
    if (text === undefined) throw argumentError(`${parameter}.args`, "JSON-serialisable arguments", args);
  }
  return { module, name, ...(args !== undefined ? { args } : {}) };
}

/** The module of a reference as a file URL (what import() takes on every platform). */
export function moduleUrl(module: string): string {
  return module.startsWith("file:") ? module : pathToFileURL(module).href;
}

/**
 * A reference to a job function of this package's own ops modules (lib/ops/<base>.ts,
 * built to dist/ops/<base>.js). Works from the CommonJS build and the ES entry alike,
 * which both load dist/ops/*.js.
 */
export function ownJob<A>(base: string, name: string, args?: A): JobRef<A> {
  return { module: pathToFileURL(path.join(__dirname, `${base}.js`)).href, name, ...(args !== undefined ? { args } : {}) };
}

/** The folder of the package's own job modules (always allowed in workers). */
export const OWN_JOB_DIR = __dirname;

/** An executor that runs jobs outside this process was given a plain function. */
export function functionNotAccepted(executor: string): WkwError {
  return new WkwError(
    "ERR_WKW_ARGUMENT",
    `${executor} runs jobs in other threads or processes and cannot take a function; pass a job reference { module, name, args } (a module exporting name(view, index, args))`,
    { parameter: "job", expected: "a job reference { module, name, args? }", received: "a function" },
  );
}
