/**
 * The fastify application of `serve`: routes for the precomputed sources, the viewer page and
 * the request guard. Loaded on demand by serve() so `import "wkw"` does not load fastify.
 */
import fastifyCompress from "@fastify/compress";
import fastifyCors from "@fastify/cors";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { WkwError } from "../errors.js";
import { HttpError, parseChunkName } from "./chunk-key.js";
import { readChunk } from "./chunk.js";
import { ALLOWED_METHODS, checkRequest } from "./guard.js";
import { CACHE_CONTROL, cubeFilesOf, etagOf, fileIdentity, notModified } from "./http-cache.js";
import type { ServedLayer } from "./info.js";
import type { ServeSettings } from "./options.js";
import type { Asset } from "./viewer.js";

export interface AppParts {
  settings: ServeSettings;
  datasetPath: string;
  layers: ReadonlyMap<string, ServedLayer>;
  assets: ReadonlyMap<string, Asset>;
  /** viewer-state.json */
  state: Asset;
}

function sendError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).header("cache-control", "no-store").type("application/json").send({ error, message });
}

function sendAsset(reply: FastifyReply, asset: Asset, ifNoneMatch: string | undefined): FastifyReply {
  reply.header("etag", asset.etag).header("cache-control", CACHE_CONTROL);
  if (notModified(ifNoneMatch, asset.etag)) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}

export function jsonAsset(value: unknown): Asset {
  const body = Buffer.from(JSON.stringify(value));
  return { body, type: "application/json", etag: etagOf(body.toString("latin1")) };
}

export async function buildApp(parts: AppParts): Promise<FastifyInstance> {
  const { settings, layers, assets } = parts;
  const app = Fastify({
    logger: false,
    // Requests that trickle in are cut off; keep-alive sockets idle for long are closed.
    connectionTimeout: settings.timeoutMs,
    requestTimeout: settings.timeoutMs,
    keepAliveTimeout: 10_000,
    forceCloseConnections: "idle",
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  });
  const infos = new Map([...layers].map(([name, l]) => [name, jsonAsset(l.info)]));
  // A message must not reveal where the dataset lives on the server.
  const hidePath = (s: string) => s.split(parts.datasetPath).join("<dataset>");

  app.addHook("onRequest", async (request, reply) => {
    const verdict = checkRequest(request.method, request.raw.url ?? "", request.headers["access-control-request-method"] !== undefined);
    if (!verdict) return;
    if (verdict.status === 405) reply.header("allow", ALLOWED_METHODS);
    return sendError(reply, verdict.status, verdict.status === 405 ? "method_not_allowed" : "bad_path", verdict.message);
  });
  // After the guard: only GET, HEAD and real preflights reach the CORS plugin.
  await app.register(fastifyCors, { origin: settings.cors, methods: ["GET", "HEAD"] });
  await app.register(fastifyCompress, {
    global: true,
    encodings: ["gzip", "deflate"],
    threshold: 1024,
    // Chunks are application/octet-stream, which the default "compressible" list leaves out.
    customTypes: /^(application\/(octet-stream|json)|text\/)/,
    // Speed over ratio: voxel chunks are large and the browser is on a fast link.
    zlibOptions: { level: 1 },
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, 404, "not_found", `nothing at ${request.url.split("?")[0]}`));
  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof HttpError) return sendError(reply, err.status, err.status === 404 ? "not_found" : "bad_request", err.message);
    if (err instanceof WkwError) {
      const status = err.code === "ERR_WKW_ABORTED" ? 503 : err.code === "ERR_WKW_ARGUMENT" ? 400 : 500;
      return sendError(reply, status, err.code, hidePath(err.message));
    }
    const status = typeof (err as { statusCode?: unknown }).statusCode === "number" ? (err as { statusCode: number }).statusCode : 500;
    return sendError(reply, status, status >= 500 ? "internal_error" : "bad_request", hidePath((err as Error).message));
  });

  app.get("/", (request, reply) => sendAsset(reply, assets.get("index.html")!, request.headers["if-none-match"]));
  app.get("/viewer-state.json", (request, reply) => sendAsset(reply, parts.state, request.headers["if-none-match"]));
  // Under a name no layer can have (new layer names never start with "."; see checkLayerName).
  app.get<{ Params: { asset: string } }>("/.viewer/:asset", (request, reply) => {
    const asset = assets.get(request.params.asset);
    if (!asset || request.params.asset === "index.html") return sendError(reply, 404, "not_found", "no such viewer file");
    return sendAsset(reply, asset, request.headers["if-none-match"]);
  });

  app.get<{ Params: { layer: string } }>("/:layer/info", (request, reply) => {
    const info = infos.get(request.params.layer);
    if (!info) return sendError(reply, 404, "not_found", "no such layer");
    return sendAsset(reply, info, request.headers["if-none-match"]);
  });

  app.get<{ Params: { layer: string; key: string; chunk: string } }>("/:layer/:key/:chunk", async (request, reply) => {
    const { layer: layerName, key, chunk } = request.params;
    const layer = layers.get(layerName);
    if (!layer) throw new HttpError(404, "no such layer");
    const scale = layer.scales.get(key);
    if (!scale) throw new HttpError(404, `layer ${layerName} has no scale ${key}`);
    const box = parseChunkName(chunk, scale);
    const files = cubeFilesOf(scale.magView, box);
    const before = fileIdentity(files);
    const etag = etagOf(layerName, key, chunk, before);
    if (notModified(request.headers["if-none-match"], etag)) {
      return reply.code(304).header("etag", etag).header("cache-control", CACHE_CONTROL).send();
    }
    const body = await readChunk(scale, box, AbortSignal.timeout(settings.timeoutMs));
    // A file replaced during the read: the bytes may be of either version, so no validator.
    if (fileIdentity(files) === before) reply.header("etag", etag).header("cache-control", CACHE_CONTROL);
    else reply.header("cache-control", "no-store");
    return reply.type("application/octet-stream").send(body);
  });
  return app;
}
