// A module outside every allowed folder: a worker must refuse to import it. If it were
// imported, this top-level code would leave a marker file.
import { writeFileSync } from "node:fs";
writeFileSync(process.env.WKW_EVIL_MARKER ?? "/dev/null", "imported");
export async function evil() {
  return "ran";
}
