/**
 * `wkw downsample <dataset|layer> [--coarsest MAG] [--mode MODE] [--sampling MODE] [--from MAG]
 * [--no-compress] [--overwrite]`: builds the mag pyramid of every layer of a dataset, or of
 * one layer folder. Progress goes to stderr (one line per mag; the progress bar of the CLI
 * framework takes these events over).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Dataset } from "../dataset/dataset.js";
import type { Layer } from "../dataset/layer.js";
import { WkwError } from "../errors.js";
import { INTERPOLATION_MODES } from "../ops/downsample-array.js";
import { SAMPLING_MODES } from "../ops/downsample-mags.js";

export const DOWNSAMPLE_USAGE = `  downsample <dataset|layer>        build the mag pyramid (webknossos-libs' Layer.downsample)
      --coarsest MAG                coarsest mag, e.g. 8 or 8-8-4 (default from the bbox size)
      --mode MODE                   ${INTERPOLATION_MODES.join("|")} (default: mode for
                                    segmentation layers, median else)
      --sampling MODE               ${SAMPLING_MODES.join("|")} (default anisotropic)
      --from MAG                    source mag (default: the finest)
      --no-compress                 raw target files (default LZ4HC)
      --overwrite                   rebuild mags that exist
`;

const PROPERTIES = "datasource-properties.json";

function argumentError(parameter: string, message: string): WkwError {
  return new WkwError("ERR_WKW_ARGUMENT", message, { parameter });
}

/** The dataset folder and the layer names a path means. */
function resolveTarget(target: string): { dataset: string; layer?: string } {
  const abs = path.resolve(target);
  if (existsSync(path.join(abs, PROPERTIES))) return { dataset: abs };
  if (existsSync(path.join(path.dirname(abs), PROPERTIES))) return { dataset: path.dirname(abs), layer: path.basename(abs) };
  throw new WkwError("ERR_WKW_NOT_FOUND", `${target} is neither a dataset (no ${PROPERTIES}) nor a layer folder of one`, { path: abs, parameter: "path" });
}

export async function downsampleCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      coarsest: { type: "string" }, mode: { type: "string" }, sampling: { type: "string" }, from: { type: "string" },
      "no-compress": { type: "boolean" }, overwrite: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`Usage: wkw downsample <dataset|layer> [options]\n\n${DOWNSAMPLE_USAGE}`);
    return 0;
  }
  if (positionals.length !== 1) throw argumentError("path", `downsample takes one dataset or layer path\n\n${DOWNSAMPLE_USAGE}`);
  const { dataset: dir, layer: only } = resolveTarget(positionals[0]!);
  const ds = await Dataset.open(dir);
  try {
    const layers: Layer[] = only === undefined ? [...ds.layers.values()] : [ds.getLayer(only)];
    for (const layer of layers) {
      if (layer.mags.size === 0) continue;
      const started = Date.now();
      const built = await layer.downsample({
        fromMag: values.from,
        coarsestMag: values.coarsest,
        interpolationMode: values.mode as never,
        samplingMode: values.sampling as never,
        compress: !values["no-compress"],
        allowOverwrite: values.overwrite === true,
        onProgress: ({ done, total }) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${layer.name}: ${done}/${total} files`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write("\n");
      const names = built.map((mv) => mv.name).join(", ") || "none (all present)";
      console.log(`${layer.name}: built mags ${names} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    ds.close();
  }
  return 0;
}
