/**
 * What a request must look like before any route sees it: the server is read-only (GET and
 * HEAD; a CORS preflight OPTIONS is answered by @fastify/cors), and a URL that tries to
 * climb or smuggle a separator or NUL is refused as a whole. Routes never map a URL to a
 * path on disk in any case; this keeps hostile input away from the routing too.
 */
export const ALLOWED_METHODS = "GET, HEAD";

// `.`/`..` as a path segment, an encoded dot/slash/backslash/NUL, a raw backslash or control char
// (`//`, an empty segment, is refused by checkRequest too).
const HOSTILE = /(^|\/)\.\.?(\/|$|\?)|%2e|%2f|%5c|%00|\\|[\x00-\x1f\x7f]/i;

export type Verdict = { status: 405 | 400; message: string } | undefined;

export function checkRequest(method: string, rawUrl: string, isPreflight: boolean): Verdict {
  if (method !== "GET" && method !== "HEAD" && !(method === "OPTIONS" && isPreflight)) {
    return { status: 405, message: `${method} is not allowed: this server is read-only (${ALLOWED_METHODS})` };
  }
  const pathPart = rawUrl.split("?")[0]!;
  if (HOSTILE.test(pathPart) || pathPart.includes("//")) {
    return { status: 400, message: "the path contains an empty or dot segment, an encoded separator, a backslash or a control character" };
  }
  return undefined;
}
