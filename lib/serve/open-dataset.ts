/**
 * The one place where `serve` opens a dataset and creates its block cache. Reads go through
 * a `BlockCache` (issue 12: `new BlockCache({ maxBytes })`, passed as `{ cache }` to
 * Dataset.open). TRANSITIONAL (until BlockCache is in main): when the build has no
 * BlockCache export the dataset is opened without one; see the README's serve section.
 */
import * as wkwApi from "../wkw/index.js";
import { Dataset } from "../dataset/dataset.js";

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
  const options = cache ? { readOnly: true, cache } : { readOnly: true };
  const dataset = await Dataset.open(datasetOrPath, options as Parameters<typeof Dataset.open>[1]);
  return { dataset, owned: true, cache };
}
