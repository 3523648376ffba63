/**
 * `serve(datasetOrPath, options)`: a read-only HTTP server presenting every layer of a
 * dataset as a Neuroglancer precomputed source (`/<layer>/info`, `/<layer>/<key>/<chunk>`)
 * plus the bundled viewer page at `/`. The caller owns the returned handle and closes it.
 */
import { Dataset } from "../dataset/dataset.js";
import { WkwError } from "../errors.js";
import { argumentError } from "../util/validate.js";
import type { BlockCache } from "../wkw/block-cache.js";
import { layerInfo, servedScales, unservableReason, type ServedLayer } from "./info.js";
import { openServedDataset } from "./open-dataset.js";
import { checkServeOptions, type ServeOptions } from "./options.js";
import { loadViewerAssets, viewerState } from "./viewer.js";

export type { ServeOptions } from "./options.js";

export interface SkippedLayer {
  layer: string;
  reason: string;
}

export interface ServeHandle {
  /** The viewer page, e.g. http://127.0.0.1:8000/ (layers are at `${url}<layer>`). */
  readonly url: string;
  readonly port: number;
  /** Layers that are not served and why (int64/float64 voxels, empty). */
  readonly skipped: readonly SkippedLayer[];
  /** The BlockCache the chunk reads go through (its stats() show hits and misses), if any. */
  readonly cache: BlockCache | undefined;
  /** Stops accepting connections, lets running requests finish, closes the dataset if serve opened it. Idempotent. */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Serves `datasetOrPath` (a Dataset, used as it is, or the path of one, opened read-only with
 * the BlockCache of `options.cache`). Layers with int64 or float64 voxels, which
 * Neuroglancer cannot show, are skipped with a warning (`WKW_SERVE_SKIPPED_LAYER`) and listed
 * in `handle.skipped`.
 * @throws WkwError ERR_WKW_ARGUMENT (options), ERR_WKW_NOT_FOUND / ERR_WKW_PROPERTIES (dataset),
 *   ERR_WKW_IO (port in use: `cause` has the system error).
 */
export async function serve(datasetOrPath: Dataset | string, options?: ServeOptions): Promise<ServeHandle> {
  if (!(datasetOrPath instanceof Dataset) && (typeof datasetOrPath !== "string" || datasetOrPath.length === 0)) {
    throw argumentError("datasetOrPath", "a Dataset or the path of one", datasetOrPath);
  }
  const settings = checkServeOptions(options);
  const assets = loadViewerAssets();
  const { buildApp, jsonAsset } = await import("./app.js");
  const opened = await openServedDataset(datasetOrPath, settings.cacheBytes, settings.cache);
  const { dataset } = opened;
  try {
    const layers = new Map<string, ServedLayer>();
    const skipped: SkippedLayer[] = [];
    for (const [name, layer] of dataset.layers) {
      const reason = unservableReason(layer);
      if (reason) {
        skipped.push({ layer: name, reason });
        process.emitWarning(`layer ${name} is not served: ${reason}`, { code: "WKW_SERVE_SKIPPED_LAYER" });
        continue;
      }
      const scales = servedScales(layer, settings.chunkSize);
      layers.set(name, { name, layer, scales: new Map(scales.map((s) => [s.key, s])), info: layerInfo(layer, dataset.scale, scales) });
    }
    const state = jsonAsset(viewerState(dataset.name, dataset.scale, [...layers.values()]));
    const app = await buildApp({ settings, datasetPath: dataset.path, layers, assets, state });
    try {
      await app.listen({ port: settings.port, host: settings.host });
    } catch (err) {
      await app.close();
      throw new WkwError("ERR_WKW_IO", `cannot listen on ${settings.host}:${settings.port}: ${(err as Error).message}`, { cause: err });
    }
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : settings.port;
    let closing: Promise<void> | undefined;
    const onAbort = () => { void handle.close(); };
    const handle: ServeHandle = {
      url: `http://${hostForUrl(settings.host)}:${port}/`,
      port,
      skipped,
      cache: opened.cache,
      close() {
        closing ??= (async () => {
          settings.signal?.removeEventListener("abort", onAbort);
          await app.close();
          if (opened.owned) dataset.close();
          if (opened.ownsCache) opened.cache?.clear();
        })();
        return closing;
      },
    };
    if (settings.signal?.aborted) await handle.close();
    else settings.signal?.addEventListener("abort", onAbort, { once: true });
    return handle;
  } catch (err) {
    if (opened.owned) dataset.close();
    if (opened.ownsCache) opened.cache?.clear();
    throw err;
  }
}
