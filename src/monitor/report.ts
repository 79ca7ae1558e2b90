// `shipshape monitor` output, pure: a table of the project's images against their budgets with
// the audit's recommendations under each, one line per image for --watch, or JSON.
import { describeCheck } from "../budgets/check.ts";
import { alignColumns, formatBytes, formatPercent, paint } from "../format/index.ts";
import type { MonitoredImage } from "./run.ts";

export const MONITOR_FORMATS = ["tty", "json"] as const;
export type MonitorFormat = (typeof MONITOR_FORMATS)[number];

function budgetCell(image: MonitoredImage): string {
  if (image.error !== undefined) return `error: ${image.error}`;
  if (image.budgetKey === undefined) return "no budget";
  const breaches = image.checks.filter((check) => !check.passed);
  if (breaches.length === 0) return `ok (budgets.${image.budgetKey})`;
  return `OVER: ${breaches.map(describeCheck).join("; ")}`;
}

export function renderMonitor(format: MonitorFormat, images: readonly MonitoredImage[], options: { color?: boolean; sizesOnly?: boolean } = {}): string {
  if (format === "json") return `${JSON.stringify({ images }, null, 2)}\n`;
  if (images.length === 0) return "no images of this project on the engine (build them with shipshape build)\n";
  const color = options.color ?? false;
  const header = options.sizesOnly ? ["IMAGE", "SIZE", "LAYERS", "BUDGET"] : ["IMAGE", "SIZE", "LAYERS", "WASTED", "EFFICIENCY", "BUDGET"];
  const rows = images.map((image) => {
    const cells = [image.reference, formatBytes(image.sizeBytes), image.layers !== undefined ? String(image.layers) : "-"];
    if (!options.sizesOnly) cells.push(image.wastedBytes !== undefined ? formatBytes(image.wastedBytes) : "-", image.efficiency !== undefined ? formatPercent(image.efficiency) : "-");
    cells.push(budgetCell(image));
    return cells;
  });
  const lines = alignColumns([header, ...rows], { rightAligned: new Set([1, 2, ...(options.sizesOnly ? [] : [3, 4])]) }).map((line, index) => {
    const image = images[index - 1];
    return image !== undefined && image.checks.some((check) => !check.passed) ? paint(color, "red", line) : line;
  });
  for (const image of images) {
    if (image.recommendations.length === 0) continue;
    lines.push("", `${image.reference}${image.dockerfile !== undefined ? ` (${image.dockerfile})` : ""}: the audit recommends`);
    for (const recommendation of image.recommendations) {
      const saving = recommendation.estimatedSavingMB !== undefined ? ` (estimate: ~${recommendation.estimatedSavingMB} MB)` : "";
      lines.push(`  line ${recommendation.line}: [${recommendation.rule}] ${recommendation.message}${saving}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** --watch: one line per image as it is built or tagged (JSON lines with --format json). */
export function renderWatchLine(format: MonitorFormat, image: MonitoredImage, options: { color?: boolean; now?: Date } = {}): string {
  if (format === "json") return `${JSON.stringify(image)}\n`;
  const time = (options.now ?? new Date()).toISOString().slice(11, 19);
  const wasted = image.wastedBytes !== undefined ? `, wasted ${formatBytes(image.wastedBytes)}` : "";
  const line = `${time} ${image.reference}: ${formatBytes(image.sizeBytes)}, ${image.layers ?? "-"} layers${wasted}: ${budgetCell(image)}`;
  return `${image.checks.some((check) => !check.passed) ? paint(options.color ?? false, "red", line) : line}\n`;
}
