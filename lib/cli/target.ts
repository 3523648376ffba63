/**
 * What a path on the command line names: a dataset (folder with datasource-properties.json),
 * a layer (a folder of a dataset) or a mag (a folder with header.wkw, inside a layer or on
 * its own).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { WkwError } from "../errors.js";
import { Dataset } from "../dataset/dataset.js";
import type { Layer } from "../dataset/layer.js";
import type { MagView } from "../dataset/mag-view.js";

const PROPS = "datasource-properties.json";

export type Target =
  | { kind: "dataset"; path: string }
  | { kind: "layer"; path: string; dataset: string; layer: string }
  | { kind: "mag"; path: string; dataset?: string; layer?: string };

export function resolveTarget(p: string): Target {
  const abs = path.resolve(p);
  if (existsSync(path.join(abs, PROPS))) return { kind: "dataset", path: abs };
  const parent = path.dirname(abs);
  if (existsSync(path.join(abs, "header.wkw"))) {
    const ds = path.dirname(parent);
    return existsSync(path.join(ds, PROPS))
      ? { kind: "mag", path: abs, dataset: ds, layer: path.basename(parent) }
      : { kind: "mag", path: abs };
  }
  if (existsSync(path.join(parent, PROPS)) && existsSync(abs)) return { kind: "layer", path: abs, dataset: parent, layer: path.basename(abs) };
  throw new WkwError("ERR_WKW_NOT_FOUND", `${p} is not a dataset (no ${PROPS}), a layer of one, or a mag (no header.wkw)`, { path: abs });
}

/** The layers a dataset or layer target covers, from the dataset (opened read-only unless asked). */
export async function openLayers(target: Target & { kind: "dataset" | "layer" }, readOnly = true): Promise<{ dataset: Dataset; layers: Layer[] }> {
  const dataset = await Dataset.open(target.kind === "dataset" ? target.path : target.dataset, { readOnly });
  const layers = target.kind === "dataset" ? [...dataset.layers.values()] : [dataset.getLayer(target.layer)];
  return { dataset, layers };
}

/** Mags of the layers, each with its folder name (as it is on disk). */
export function magsOf(layers: Layer[]): { layer: Layer; mag: MagView }[] {
  return layers.flatMap((layer) => [...layer.mags.values()].map((mag) => ({ layer, mag })));
}
