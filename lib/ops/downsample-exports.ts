// The public surface of downsampling (one export line in lib/index.ts).
export {
  downsampleArray, downsampleArraySync, INTERPOLATION_MODES, type InterpolationMode, type DownsampleFactors,
} from "./downsample-array.js";
export {
  calculateMagsToDownsample, calculateMagsToUpsample, calculateDefaultCoarsestMag, SAMPLING_MODES, type SamplingMode,
} from "./downsample-mags.js";
export { downsampleFileJob, upsampleFileJob, type ResampleJobArgs, type ResampleProgress } from "./downsample.js";
