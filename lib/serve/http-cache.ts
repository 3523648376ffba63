/**
 * Validators for HTTP caching. A chunk's ETag is derived from the identity (inode, size,
 * mtime, ctime) of the cube files under it, so a rewritten file (atomic rename: a new
 * inode) changes it; responses say `no-cache` so browsers keep them but always revalidate.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import type { MagView } from "../dataset/mag-view.js";
import type { ChunkBox } from "./chunk-key.js";

export const CACHE_CONTROL = "no-cache";

/** The cube files (paths) a box of a mag touches. */
export function cubeFilesOf(magView: MagView, box: ChunkBox): string[] {
  const h = magView.header;
  const edge = h.blockLen * h.fileLen;
  const first = box.offset.map((o) => Math.floor(o / edge));
  const last = box.offset.map((o, i) => Math.floor((o + box.size[i]! - 1) / edge));
  const files: string[] = [];
  for (let z = first[2]!; z <= last[2]!; z++) {
    for (let y = first[1]!; y <= last[1]!; y++) {
      for (let x = first[0]!; x <= last[0]!; x++) files.push(path.join(magView.path, `z${z}`, `y${y}`, `x${x}.wkw`));
    }
  }
  return files;
}

/** Identity of the files now: a missing file counts as "-" (reads as zeros). */
export function fileIdentity(files: readonly string[]): string {
  let s = "";
  for (const f of files) {
    const st = statSync(f, { bigint: true, throwIfNoEntry: false });
    s += st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs};` : "-;";
  }
  return s;
}

/** A weak ETag (the body may be gzipped in transit) over the given parts. */
export function etagOf(...parts: string[]): string {
  return `W/"${createHash("sha1").update(parts.join("\n")).digest("base64url").slice(0, 27)}"`;
}

/** True when If-None-Match names this ETag (weak comparison, RFC 9110 §13.1.2). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}
