/**
 * Redis connection settings for BullMQ: a `redis://[user:password@]host[:port][/db]` URL
 * (rediss:// for TLS) or ioredis options. `describeRedis` names the server for messages
 * and never includes the password.
 */
import type { RedisOptions } from "ioredis";
import { argumentError } from "../util/validate.js";

export type RedisConnectionLike = string | RedisOptions;

export function redisOptions(parameter: string, value: unknown): RedisOptions {
  if (typeof value === "string") {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw argumentError(parameter, "a redis://host:port URL or ioredis options", "a string that is not a URL");
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw argumentError(parameter, "a redis:// or rediss:// URL", url.protocol);
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
    if (!Number.isInteger(db) || db < 0) throw argumentError(parameter, "a URL whose path is a database number", url.pathname);
    return {
      host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
      port: url.port ? Number(url.port) : 6379,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(db ? { db } : {}),
      ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw argumentError(parameter, "a redis://host:port URL or ioredis options", value === null || typeof value !== "object" ? value : "an array");
  }
  return { ...(value as RedisOptions) };
}

/** `redis://host:port/db` for messages: no password, ever. */
export function describeRedis(o: RedisOptions): string {
  const user = o.username ? `${encodeURIComponent(o.username)}@` : "";
  return `${o.tls ? "rediss" : "redis"}://${user}${o.host ?? "127.0.0.1"}:${o.port ?? 6379}${o.db ? `/${o.db}` : ""}`;
}

/** Removes the password from any text (e.g. an error message that echoes a URL). */
export function redactPassword(text: string, o: RedisOptions): string {
  const p = o.password;
  if (!p) return text;
  return text.split(p).join("***").split(encodeURIComponent(p)).join("***");
}
