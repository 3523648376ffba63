/**
 * The one place where `serve` opens a dataset and creates its block cache: a dataset given
 * by path is opened read-only with the caller's `BlockCache` or a new one of `cacheBytes`
 * (cleared when serve closes); every chunk read goes through it. A Dataset object is used
 * as it is, with whatever cache it was opened with.
 */
import { Dataset } from "../dataset/dataset.js";
import { BlockCache } from "../wkw/block-cache.js";

export interface OpenedDataset {
  dataset: Dataset;
  /** true when serve opened it and must close it */
  owned: boolean;
  cache: BlockCache | undefined;
  /** true when serve created the cache and clears it on close */
  ownsCache: boolean;
}

export async function openServedDataset(
  datasetOrPath: Dataset | string, cacheBytes: number, callerCache: BlockCache | undefined,
): Promise<OpenedDataset> {
  if (datasetOrPath instanceof Dataset) return { dataset: datasetOrPath, owned: false, cache: datasetOrPath.cache, ownsCache: false };
  const cache = callerCache ?? (cacheBytes > 0 ? new BlockCache({ maxBytes: cacheBytes }) : undefined);
  const dataset = await Dataset.open(datasetOrPath, { readOnly: true, ...(cache ? { cache } : {}) });
  return { dataset, owned: true, cache, ownsCache: cache !== undefined && cache !== callerCache };
}
