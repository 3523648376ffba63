/** What commands print: text by default, one JSON document with --json; errors on stderr. */
import { WkwError } from "../errors.js";

export class Output {
  constructor(readonly json: boolean) {}

  /** Prints `value` as JSON with --json, else the lines `text` gives. */
  result(value: unknown, text: () => string[]): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
    else for (const line of text()) process.stdout.write(`${line}\n`);
  }

  /** An error: `{ "error": { code, message, ... } }` with --json, else `wkw: CODE: message`. */
  error(err: unknown): void {
    if (this.json) {
      process.stderr.write(`${JSON.stringify({ error: errorJSON(err) }, jsonReplacer)}\n`);
    } else if (err instanceof WkwError) {
      process.stderr.write(`wkw: ${err.code}: ${err.message}\n`);
    } else {
      process.stderr.write(`wkw: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}

export function errorJSON(err: unknown): Record<string, unknown> {
  if (err instanceof WkwError) {
    const { code, message, path, blockIndex, parameter } = err;
    return Object.fromEntries(Object.entries({ code, message, path, blockIndex, parameter }).filter(([, v]) => v !== undefined));
  }
  if (err instanceof Error) return { code: (err as { code?: string }).code ?? err.name, message: err.message };
  return { message: String(err) };
}

/** bigint (largestSegmentId beyond 2^53) as a JSON number string would lose digits: print as is. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
