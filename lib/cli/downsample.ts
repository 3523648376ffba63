/**
 * `wkw downsample <dataset|layer>`: builds the mag pyramid of every layer of a dataset, or
 * of one layer (webknossos-libs' Layer.downsample); `wkw upsample` builds finer mags. New
 * mags are listed only when complete, so Ctrl-C leaves none half-written.
 */
import type { Layer } from "../dataset/layer.js";
import type { MagView } from "../dataset/mag-view.js";
import { UsageError } from "./args.js";
import type { Command, CommandContext, OptionSpec } from "./command.js";
import { EXECUTOR_OPTIONS, cancellable, executorFrom } from "./executor.js";
import { openLayers, resolveTarget } from "./target.js";

const COMMON: Record<string, OptionSpec> = {
  mode: { type: "string", value: "MODE", description: "median|mode|max|min|average|nearest (default: mode for segmentation, median else)" },
  sampling: { type: "string", value: "MODE", description: "anisotropic (default), isotropic or constantZ" },
  "no-compress": { type: "boolean", description: "raw target files (default LZ4HC)" },
  overwrite: { type: "boolean", description: "rebuild mags that exist" },
  ...EXECUTOR_OPTIONS,
};

type Build = (layer: Layer, options: Record<string, unknown>) => Promise<MagView[]>;

async function runResample(ctx: CommandContext, verb: string, build: Build, extra: Record<string, unknown>): Promise<void> {
  const { args, values, out, signal, progress } = ctx;
  const target = resolveTarget(args[0]!);
  if (target.kind === "mag") throw new UsageError(`${verb} takes a dataset or a layer; ${args[0]} is a mag folder`);
  const run = executorFrom(values);
  const { dataset: ds, layers } = await openLayers(target, false).catch(async (err) => {
    await run.close();
    throw err;
  });
  const results: { layer: string; mags: string[]; seconds: number }[] = [];
  try {
    for (const name of layers.map((l) => l.name)) {
      const layer = ds.getLayer(name);
      if (layer.mags.size === 0) continue;
      const bar = progress(`${verb} ${name}`);
      const started = Date.now();
      let built: MagView[];
      try {
        built = await build(layer, {
          ...(typeof values.mode === "string" ? { interpolationMode: values.mode } : {}),
          ...(typeof values.sampling === "string" ? { samplingMode: values.sampling } : {}),
          compress: values["no-compress"] !== true,
          allowOverwrite: values.overwrite === true,
          executor: cancellable(run.executor, signal),
          signal,
          onProgress: bar.update,
          ...extra,
        });
      } finally {
        bar.stop();
      }
      results.push({ layer: name, mags: built.map((mv) => mv.name), seconds: (Date.now() - started) / 1000 });
    }
  } finally {
    ds.close();
    await run.close();
  }
  out.result({ dataset: ds.path, layers: results }, () =>
    results.map((r) => `${r.layer}: built mags ${r.mags.join(", ") || "none (all present)"} in ${r.seconds.toFixed(1)} s`),
  );
}

export const downsampleCommand: Command = {
  name: "downsample",
  summary: "build the mag pyramid of a dataset's layers (or one layer)",
  usage: "downsample <dataset|layer> [--coarsest MAG] [--from MAG] [--mode MODE] [--sampling MODE]",
  description: "Mags are built one from the other (2-2-1 from 1, 4-4-2 from 2-2-1, ...) and listed only when complete.",
  options: {
    coarsest: { type: "string", value: "MAG", description: "coarsest mag, e.g. 8 or 8-8-4 (default from the bounding box size)" },
    from: { type: "string", value: "MAG", description: "source mag (default: the finest)" },
    ...COMMON,
  },
  positionals: { min: 1, max: 1 },
  run(ctx) {
    const { values } = ctx;
    return runResample(ctx, "downsample", (layer, o) => layer.downsample(o), {
      ...(typeof values.coarsest === "string" ? { coarsestMag: values.coarsest } : {}),
      ...(typeof values.from === "string" ? { fromMag: values.from } : {}),
    });
  },
};

export const upsampleCommand: Command = {
  name: "upsample",
  summary: "build finer mags of a layer from a coarser one (voxels replicated)",
  usage: "upsample <dataset|layer> --from MAG [--finest MAG]",
  description: "Mags are built one from the other down to --finest (default 1) and listed only when complete.",
  options: {
    from: { type: "string", value: "MAG", description: "source mag (required)" },
    finest: { type: "string", value: "MAG", description: "finest mag to build (default 1)" },
    ...COMMON,
  },
  positionals: { min: 1, max: 1 },
  run(ctx) {
    const { values } = ctx;
    if (typeof values.from !== "string") throw new UsageError("upsample needs --from MAG (the mag to start from)");
    if (typeof values.mode === "string") throw new UsageError("--mode does not apply to upsample (voxels are replicated)");
    return runResample(ctx, "upsample", (layer, o) => layer.upsample(o as never), {
      fromMag: values.from,
      ...(typeof values.finest === "string" ? { finestMag: values.finest } : {}),
    });
  },
};
