/**
 * A strict JSON reader and a JSON writer for metadata files.
 *
 * Why not JSON.parse/JSON.stringify: `largestSegmentId` is a 64-bit integer (uint64
 * segmentations), and JSON.parse silently rounds integers above 2^53, so a load/save round
 * trip would change the file. This reader returns a `bigint` for every integer literal that
 * is not a safe integer, and the writer prints bigints as plain digits. Everything else
 * follows RFC 8259 exactly (strings are decoded by JSON.parse itself).
 */

/** A JSON value as this reader returns it (bigint only for integers beyond 2^53 - 1). */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** Thrown by parseJson; `position` is the character offset, `line`/`column` are 1-based. */
export class JsonSyntaxError extends Error {
  readonly position: number;
  readonly line: number;
  readonly column: number;
  constructor(message: string, text: string, position: number) {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < position && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = position - lineStart + 1;
    super(`${message} at line ${line}, column ${column}`);
    this.name = "JsonSyntaxError";
    this.position = position;
    this.line = line;
    this.column = column;
  }
}

const MAX_DEPTH = 512; // deep enough for any metadata; keeps malicious nesting off the stack limit
const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

export function parseJson(text: string): JsonValue {
  let pos = 0;

  const fail = (message: string, at = pos): never => {
    throw new JsonSyntaxError(message, text, at);
  };
  const describeAt = (at: number): string =>
    at >= text.length ? "unexpected end of input" : `unexpected character ${JSON.stringify(text[at])}`;

  const skipWhitespace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const parseString = (): string => {
    const start = pos; // at the opening quote
    pos++;
    for (;;) {
      if (pos >= text.length) fail("unterminated string (unexpected end of input)", start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c === 0x5c) pos += 2;
      else if (c < 0x20) fail("control character in string");
      else pos++;
    }
    pos++; // closing quote
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      return fail("invalid escape sequence in string", start);
    }
  };

  const parseNumber = (): number | bigint => {
    NUMBER_RE.lastIndex = pos;
    const m = NUMBER_RE.exec(text);
    if (!m) return fail(describeAt(pos));
    const literal = m[0];
    pos += literal.length;
    const isInteger = m[1] === undefined && m[2] === undefined;
    const n = Number(literal);
    if (isInteger && !Number.isSafeInteger(n)) return BigInt(literal);
    return n;
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    skipWhitespace();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const obj: { [key: string]: JsonValue } = {};
      skipWhitespace();
      if (text[pos] === "}") {
        pos++;
        return obj;
      }
      for (;;) {
        skipWhitespace();
        if (text[pos] !== '"') fail(pos >= text.length ? "unexpected end of input" : "expected a string key");
        const key = parseString();
        skipWhitespace();
        if (text[pos] !== ":") fail(pos >= text.length ? "unexpected end of input" : "expected ':'");
        pos++;
        const value = parseValue(depth + 1);
        // defineProperty so that a "__proto__" key stays an own data property, as with JSON.parse
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
        skipWhitespace();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "}") {
          pos++;
          return obj;
        }
        fail(pos >= text.length ? "unexpected end of input" : "expected ',' or '}'");
      }
    }
    if (c === "[") {
      pos++;
      const arr: JsonValue[] = [];
      skipWhitespace();
      if (text[pos] === "]") {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWhitespace();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "]") {
          pos++;
          return arr;
        }
        fail(pos >= text.length ? "unexpected end of input" : "expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return parseNumber();
    if (text.startsWith("true", pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith("false", pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    return fail(describeAt(pos));
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail("unexpected data after the JSON value");
  return value;
}

/**
 * Writes `value` as JSON with `indent` spaces. Arrays that hold only scalars stay on one
 * line (`[1, 1, 1]`), like the hand-written webKnossos examples; objects and arrays of
 * objects are expanded. Keys whose value is undefined are skipped (as JSON.stringify does).
 * Throws a TypeError (with the key path) for non-finite numbers and non-JSON values.
 */
export function stringifyJson(value: unknown, indent = 4): string {
  const pad = (level: number): string => " ".repeat(indent * level);

  const scalar = (v: unknown, keyPath: string): string | undefined => {
    if (v === null) return "null";
    switch (typeof v) {
      case "boolean":
        return v ? "true" : "false";
      case "string":
        return JSON.stringify(v);
      case "bigint":
        return v.toString();
      case "number":
        if (!Number.isFinite(v)) throw new TypeError(`${keyPath || "value"} is ${v}, which JSON cannot represent`);
        return JSON.stringify(v);
      default:
        return undefined;
    }
  };

  const write = (v: unknown, level: number, keyPath: string): string => {
    const s = scalar(v, keyPath);
    if (s !== undefined) return s;
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      if (v.every((item) => item === null || (typeof item !== "object" && typeof item !== "function"))) {
        return `[${v.map((item, i) => write(item, level + 1, `${keyPath}[${i}]`)).join(", ")}]`;
      }
      const items = v.map((item, i) => `${pad(level + 1)}${write(item, level + 1, `${keyPath}[${i}]`)}`);
      return `[\n${items.join(",\n")}\n${pad(level)}]`;
    }
    if (typeof v === "object" && v !== null && !isPlainObject(v)) {
      throw new TypeError(`${keyPath || "value"} is a ${v.constructor?.name ?? "non-plain object"}, not JSON data`);
    }
    if (typeof v === "object" && v !== null) {
      const entries = Object.entries(v).filter(([, item]) => item !== undefined);
      if (entries.length === 0) return "{}";
      const lines = entries.map(
        ([k, item]) => `${pad(level + 1)}${JSON.stringify(k)}: ${write(item, level + 1, keyPath ? `${keyPath}.${k}` : k)}`,
      );
      return `{\n${lines.join(",\n")}\n${pad(level)}}`;
    }
    throw new TypeError(`${keyPath || "value"} is a ${typeof v}, not JSON data`);
  };

  return write(value, 0, "");
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
