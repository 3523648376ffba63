/**
 * `wkw convert <images> <dataset>`: an image stack (folder, glob, files, multi-page TIFF) to
 * a new dataset, or to a new layer of an existing one. The layer is listed only when
 * complete; Ctrl-C leaves nothing.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { Dataset } from "../dataset/dataset.js";
import type { Layer } from "../dataset/layer.js";
import { VOXEL_TYPES } from "../dtypes.js";
import { UsageError, choiceOption, intOption, vec3Option } from "./args.js";
import type { Command } from "./command.js";
import { EXECUTOR_OPTIONS, cancellable, executorFrom } from "./executor.js";

export const convertCommand: Command = {
  name: "convert",
  summary: "image stack (TIFF/PNG/JPEG slices, multi-page TIFF) → dataset layer",
  usage: "convert <images> <dataset> --voxel-size X,Y,Z [options]",
  description:
    "<images> is a folder of slices (natural order: slice_2 before slice_10), a quoted glob pattern, one or more files, " +
    "or a multi-page TIFF. Column → x, row → y, slice → z. A new dataset needs --voxel-size; an existing one gets a new layer.",
  options: {
    "voxel-size": { type: "string", value: "X,Y,Z", description: "voxel size in nm (required for a new dataset)" },
    layer: { type: "string", value: "NAME", description: "layer name (default color)" },
    category: { type: "string", value: "C", description: "color (default) or segmentation" },
    dtype: { type: "string", value: "T", description: "voxel type of the layer (a lossless widening of the images' type)" },
    "no-compress": { type: "boolean", description: "raw cube files instead of LZ4HC" },
    downsample: { type: "boolean", description: "build the mag pyramid after the import" },
    "block-len": { type: "string", value: "N", description: "voxels per block edge (default 32)" },
    "file-len": { type: "string", value: "N", description: "blocks per file edge (default 32)" },
    ...EXECUTOR_OPTIONS,
  },
  positionals: { min: 2, max: Infinity },
  async run({ args, values, out, signal, progress }) {
    const datasetPath = args[args.length - 1]!;
    const images = args.slice(0, -1);
    const voxelSize = vec3Option("voxel-size", values["voxel-size"]);
    const category = choiceOption("category", values.category, ["color", "segmentation"] as const);
    const dtype = choiceOption("dtype", values.dtype, VOXEL_TYPES);
    const blockLen = intOption("block-len", values["block-len"], 1, 128);
    const fileLen = intOption("file-len", values["file-len"], 1, 128);
    const existing = existsSync(path.join(datasetPath, "datasource-properties.json"));
    if (!existing && voxelSize === undefined) throw new UsageError("--voxel-size X,Y,Z is required for a new dataset");
    const run = executorFrom(values);
    const bar = progress("convert");
    const options = {
      ...(typeof values.layer === "string" ? { layerName: values.layer } : {}),
      ...(category ? { category } : {}),
      ...(dtype ? { dtype } : {}),
      ...(blockLen !== undefined ? { blockLen } : {}),
      ...(fileLen !== undefined ? { fileLen } : {}),
      compress: values["no-compress"] !== true,
      executor: cancellable(run.executor, signal),
      signal,
      onProgress: bar.update,
    };
    const input = images.length === 1 ? images[0]! : images;
    let dataset: Dataset;
    let layer: Layer;
    try {
      if (existing) {
        dataset = await Dataset.open(datasetPath);
        layer = await dataset.addLayerFromImages(input, options);
      } else {
        dataset = await Dataset.fromImages(input, datasetPath, { ...options, voxelSize: voxelSize! });
        layer = dataset.getLayer(options.layerName ?? "color");
      }
    } finally {
      bar.stop();
      if (values.downsample !== true) await run.close();
    }
    if (values.downsample === true) {
      // the pyramid after the import, with a bar of its own (files, not slices)
      const pyramid = progress(`downsample ${layer.name}`);
      try {
        await layer.downsample({ executor: options.executor, signal, onProgress: pyramid.update });
      } finally {
        pyramid.stop();
        await run.close();
      }
    }
    const size = [...layer.boundingBox.size];
    const mags = [...layer.mags.values()].map((m) => path.basename(m.path));
    out.result(
      { dataset: dataset.path, layer: layer.name, category: layer.category, dtypePerChannel: layer.dtypePerChannel, numChannels: layer.numChannels, size, mags, compressed: options.compress },
      () => [`${dataset.path}: layer ${layer.name} (${layer.category}, ${layer.numChannels} × ${layer.dtypePerChannel}) ${size.join("×")} voxels, mags ${mags.join(", ")}${options.compress ? ", LZ4HC" : ", raw"}`],
    );
    dataset.close();
  },
};
