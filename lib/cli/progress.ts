/**
 * Progress bars (cli-progress) on stderr when it is a terminal, unless --quiet or --json.
 * WKW_PROGRESS=1 forces them on (tests), WKW_PROGRESS=0 off.
 */
import type { SingleBar } from "cli-progress";

export interface ProgressEvent {
  done: number;
  total: number;
  unit: string;
}

export interface ProgressReporter {
  /** an onProgress callback for the library's long operations */
  update(event: ProgressEvent): void;
  stop(): void;
}

const SILENT: ProgressReporter = { update() {}, stop() {} };

export function progressEnabled(quiet: boolean, json: boolean): boolean {
  if (quiet || json) return false;
  if (process.env.WKW_PROGRESS === "1") return true;
  if (process.env.WKW_PROGRESS === "0") return false;
  return process.stderr.isTTY === true;
}

export function createProgress(label: string, enabled: boolean): ProgressReporter {
  if (!enabled) return SILENT;
  // Loaded only when a bar is drawn: scripts and --json runs never pay for it.
  const { SingleBar, Presets } = require("cli-progress") as typeof import("cli-progress");
  let bar: SingleBar | undefined;
  return {
    update({ done, total, unit }) {
      if (!bar) {
        bar = new SingleBar(
          {
            format: `${label} [{bar}] {percentage}% | {value}/{total} {unit} | {duration_formatted} (eta {eta_formatted})`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: false,
            noTTYOutput: process.stderr.isTTY !== true, // forced on: plain lines
            notTTYSchedule: 1000,
          },
          Presets.shades_classic,
        );
        bar.start(total, done, { unit });
      }
      bar.setTotal(total);
      bar.update(done, { unit });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
