/** `wkw info <path>`: a dataset's layers and mags, one layer, or one mag folder. */
import path from "node:path";
import type { Layer } from "../dataset/layer.js";
import { WkwDataset } from "../wkw/dataset.js";
import type { WkwHeader } from "../wkw/header.js";
import type { Command } from "./command.js";
import { openLayers, resolveTarget } from "./target.js";

interface MagInfo {
  name: string;
  path: string;
  blockLen: number;
  fileLen: number;
  blockType: string;
  voxelType: string;
  numChannels: number;
  files: number;
}

async function magInfo(dir: string): Promise<MagInfo> {
  const ds = await WkwDataset.open(dir);
  try {
    return { name: path.basename(ds.path), path: ds.path, ...headerFields(ds.header), files: (await ds.listFiles()).length };
  } finally {
    ds.close();
  }
}

function headerFields(h: WkwHeader) {
  return { blockLen: h.blockLen, fileLen: h.fileLen, blockType: h.blockType, voxelType: h.voxelType, numChannels: h.numChannels };
}

async function layerInfo(layer: Layer) {
  const b = layer.boundingBox;
  const mags = [];
  for (const mv of layer.mags.values()) mags.push(await magInfo(mv.path));
  return {
    name: layer.name,
    category: layer.category,
    elementClass: layer.elementClass,
    dtypePerChannel: layer.dtypePerChannel,
    numChannels: layer.numChannels,
    boundingBox: { topLeft: [...b.topLeft], size: [...b.size] },
    ...("largestSegmentId" in layer && layer.largestSegmentId !== undefined ? { largestSegmentId: layer.largestSegmentId } : {}),
    mags,
  };
}

type LayerInfo = Awaited<ReturnType<typeof layerInfo>>;

function magLine(m: MagInfo): string {
  return `mag ${m.name}: ${m.voxelType} × ${m.numChannels}, ${m.blockType}, blockLen ${m.blockLen}, fileLen ${m.fileLen}, ${m.files} file(s)`;
}

function layerLines(l: LayerInfo, indent: string): string[] {
  const b = l.boundingBox;
  return [
    `${indent}layer ${l.name} (${l.category}, ${l.elementClass}) bbox [${b.topLeft.join(",")}]+[${b.size.join(",")}]`,
    ...l.mags.map((m) => `${indent}  ${magLine(m)}`),
  ];
}

export const infoCommand: Command = {
  name: "info",
  summary: "layers and mags of a dataset, a layer, or a mag folder's header",
  usage: "info <dataset|layer|mag>",
  description: "Mags are named as their folders are (1, 2-2-1, or 2-2-2 where the folder has the long name).",
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ args, out }) {
    const target = resolveTarget(args[0]!);
    if (target.kind === "mag") {
      const m = await magInfo(target.path);
      const value = { kind: "mag", ...(target.layer ? { dataset: target.dataset, layer: target.layer } : {}), ...m };
      out.result(value, () => [`${m.path}`, magLine(m)]);
      return;
    }
    const { dataset, layers } = await openLayers(target);
    try {
      const infos: LayerInfo[] = [];
      for (const l of layers) infos.push(await layerInfo(l));
      if (target.kind === "layer") {
        out.result({ kind: "layer", dataset: dataset.path, ...infos[0]! }, () => layerLines(infos[0]!, ""));
      } else {
        out.result({ kind: "dataset", path: dataset.path, name: dataset.name, scale: [...dataset.scale], layers: infos }, () => [
          `dataset ${dataset.name} scale [${dataset.scale.join(",")}]`,
          ...infos.flatMap((l) => layerLines(l, "  ")),
        ]);
      }
    } finally {
      dataset.close();
    }
  },
};
