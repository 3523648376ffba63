/**
 * The one place where `serve` opens a dataset and creates its block cache. Reads go through
 * a `BlockCache` (issue 12: `new BlockCache({ maxBytes })`, passed as `{ cache }` to
 * Dataset.open).
 * TRANSITIONAL until BlockCache and Dataset.open's `cache` option are both in main: without
 * them the dataset is opened without a cache. Replace the lookups below by
 * `new BlockCache(...)` and a plain `Dataset.open(path, { readOnly: true, cache })` then.
 */
import * as wkwApi from "../wkw/index.js";
import { Dataset } from "../dataset/dataset.js";
import { WkwError } from "../errors.js";

type BlockCacheLike = object;
type BlockCacheCtor = new (options: { maxBytes: number }) => BlockCacheLike;

export interface OpenedDataset {
  dataset: Dataset;
  /** true when serve opened it and must close it */
  owned: boolean;
  cache: BlockCacheLike | undefined;
}

export async function openServedDataset(datasetOrPath: Dataset | string, cacheBytes: number): Promise<OpenedDataset> {
  if (datasetOrPath instanceof Dataset) return { dataset: datasetOrPath, owned: false, cache: undefined };
  const Ctor = (wkwApi as unknown as { BlockCache?: BlockCacheCtor }).BlockCache;
  const cache = Ctor && cacheBytes > 0 ? new Ctor({ maxBytes: cacheBytes }) : undefined;
  if (cache) {
    try {
      const options = { readOnly: true, cache } as Parameters<typeof Dataset.open>[1];
      return { dataset: await Dataset.open(datasetOrPath, options), owned: true, cache };
    } catch (err) {
      // Dataset.open without a `cache` option yet (BlockCache landed first): open without.
      if (!(err instanceof WkwError && err.code === "ERR_WKW_ARGUMENT" && err.parameter === "options.cache")) throw err;
    }
  }
  return { dataset: await Dataset.open(datasetOrPath, { readOnly: true }), owned: true, cache: undefined };
}
