/**
 * The shape of one `wkw` command (one file per command in lib/cli/, one dispatch line in
 * main.ts). The shared layer parses the arguments, prints help, and hands the command a
 * context with the output mode, a progress reporter and the Ctrl-C signal.
 */
import type { ProgressReporter } from "./progress.js";
import type { Output } from "./output.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** may be given several times (the value is then an array) */
  multiple?: boolean;
  /** the value's placeholder in help ("N", "X,Y,Z") */
  value?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  /** positional arguments after the command name */
  args: string[];
  values: OptionValues;
  out: Output;
  /** aborted on Ctrl-C (SIGINT) */
  signal: AbortSignal;
  /** a progress bar on a TTY (unless --quiet or --json), else silent */
  progress(label: string): ProgressReporter;
}

export interface Command {
  name: string;
  /** one line for the command list */
  summary: string;
  /** e.g. "info <path>" */
  usage: string;
  /** paragraphs after the usage line */
  description?: string;
  /** options beyond the common --json, --quiet, --help */
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number };
  /** resolves to the exit code (default 0) */
  run(ctx: CommandContext): Promise<number | void>;
}

/** Exit codes of `wkw` (documented in the README). */
export const EXIT = {
  OK: 0,
  /** the operation failed, or verify found damaged files */
  FAILURE: 1,
  /** bad command line: unknown command or option, missing or malformed argument */
  USAGE: 2,
  /** cancelled with Ctrl-C (128 + SIGINT) */
  INTERRUPTED: 130,
} as const;
