/** Command-line parsing for every command (node:util parseArgs, strict) and value checks. */
import { parseArgs } from "node:util";
import type { Command, OptionSpec, OptionValues } from "./command.js";

/** A bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: Command) {
    super(message);
    this.name = "UsageError";
  }
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "machine-readable JSON on stdout" },
  quiet: { type: "boolean", short: "q", description: "no progress bar" },
  help: { type: "boolean", short: "h", description: "this help" },
};

export function parseCommandLine(command: Command, argv: string[]) {
  const all = { ...COMMON_OPTIONS, ...command.options };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs' messages are good; its stack trace and code are not for users
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ""), command);
  }
  const values = parsed.values as OptionValues;
  if (!values.help) {
    const n = parsed.positionals.length;
    const { min, max } = command.positionals;
    if (n < min || n > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw new UsageError(`${command.name} takes ${want} argument(s), received ${n}`, command);
    }
  }
  return { args: parsed.positionals, values };
}

/** An integer option in [min, max]; a usage error naming the option otherwise. */
export function intOption(name: string, value: OptionValues[string], min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, received ${JSON.stringify(value)}`);
  }
  return n;
}

/** "X,Y,Z" of positive numbers. */
export function vec3Option(name: string, value: OptionValues[string]): [number, number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = typeof value === "string" ? value.split(",").map((s) => (s.trim() === "" ? NaN : Number(s))) : [];
  if (parts.length !== 3 || !parts.every((v) => Number.isFinite(v) && v > 0)) {
    throw new UsageError(`--${name} must be three positive numbers X,Y,Z (e.g. 11.24,11.24,25), received ${JSON.stringify(value)}`);
  }
  return parts as [number, number, number];
}

export function choiceOption<T extends string>(name: string, value: OptionValues[string], choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, received ${JSON.stringify(value)}`);
  }
  return value as T;
}
