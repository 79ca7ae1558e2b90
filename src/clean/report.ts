// `shipshape clean` output: pure reporters over a CleanReport. tty: the engine's disk use, the
// plan (each item, why, bytes), what stays and why, and what came back. json: the whole report.
import type { DiskUsage } from "../engine/disk.ts";
import { alignColumns, formatBytes, formatPercent, paint, plural } from "../format/index.ts";
import type { CleanReport } from "./run.ts";

export const CLEAN_FORMATS = ["tty", "json"] as const;
export type CleanFormat = (typeof CLEAN_FORMATS)[number];

/** `docker system df` as a table. */
export function renderDiskUsage(usage: DiskUsage, indent = "  "): string[] {
  const reclaimable = (line: { sizeBytes: number; reclaimableBytes: number }): string =>
    `${formatBytes(line.reclaimableBytes)}${line.sizeBytes > 0 ? ` (${formatPercent(line.reclaimableBytes / line.sizeBytes, 0)})` : ""}`;
  const rows = [
    ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE", "SHARED"],
    ["Images", String(usage.images.count), String(usage.images.active), formatBytes(usage.images.sizeBytes), reclaimable(usage.images), formatBytes(usage.images.sharedBytes)],
    ["Containers", String(usage.containers.count), String(usage.containers.active), formatBytes(usage.containers.sizeBytes), reclaimable(usage.containers), "-"],
    ["Local volumes", String(usage.volumes.count), String(usage.volumes.active), formatBytes(usage.volumes.sizeBytes), reclaimable(usage.volumes), "-"],
    ["Build cache", String(usage.buildCache.count), String(usage.buildCache.active), formatBytes(usage.buildCache.sizeBytes), reclaimable(usage.buildCache), formatBytes(usage.buildCache.sharedBytes)],
  ];
  return [...alignColumns(rows), `Total: ${formatBytes(usage.totalBytes)}`].map((line) => `${indent}${line}`);
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

export function renderCleanReport(format: CleanFormat, report: CleanReport, options: { color?: boolean; engine?: string } = {}): string {
  if (format === "json") return `${JSON.stringify(cleanReportJson(report), null, 2)}\n`;
  const color = options.color ?? false;
  const { plan, policy } = report;
  const lines: string[] = [];
  lines.push(paint(color, "bold", `Engine disk use${options.engine !== undefined ? ` (${options.engine})` : ""}, before:`));
  lines.push(...renderDiskUsage(report.before));
  lines.push("");
  const scope = policy.allProjects ? "every project" : `project ${report.project}`;
  lines.push(paint(color, "bold", `${report.dryRun ? "Plan (dry run: nothing is removed)" : "Plan"}: ${scope}, keep the ${policy.keepImages} newest per repository, build cache cap ${formatBytes(policy.maxCacheBytes)}${policy.aggressive ? ", aggressive" : ""}`));
  const rows: string[][] = [];
  for (const container of plan.containers) rows.push(["container", container.name, formatBytes(container.bytes), container.why]);
  for (const image of plan.images) rows.push(["image", image.references.length > 0 ? image.references.join(", ") : shortId(image.id), formatBytes(image.bytes), image.why]);
  for (const record of plan.cache.records) rows.push(["cache", `${record.type} ${shortId(record.id)}`, formatBytes(record.bytes), record.reason === "unused-cache-mount" ? `unused cache mount: ${record.description}` : `over the ${formatBytes(plan.cache.keepStorageBytes)} cap: ${record.description}`]);
  if (rows.length === 0) lines.push("  nothing to remove");
  else lines.push(...alignColumns([["REMOVE", "WHAT", "BYTES", "WHY"], ...rows], { rightAligned: new Set([2]) }).map((line) => `  ${line}`));
  if (plan.cache.records.length > 0) lines.push(`  (build cache: BuildKit removes least recently used records down to the cap; the records listed are the expected ones)`);
  if (plan.kept.length > 0) {
    lines.push("");
    lines.push(paint(color, "bold", "Kept:"));
    lines.push(...alignColumns(plan.kept.map((kept) => [kept.references.length > 0 ? kept.references.join(", ") : shortId(kept.id), kept.why])).map((line) => `  ${line}`));
  }
  lines.push("");
  lines.push(`${report.dryRun ? "Would free" : "Planned"} at least ${formatBytes(plan.bytes.total)}: ${plural(plan.images.length, "image")} (${formatBytes(plan.bytes.images)}), ${plural(plan.containers.length, "container")} (${formatBytes(plan.bytes.containers)}), ${plural(plan.cache.records.length, "cache record")} (${formatBytes(plan.bytes.cache)})`);
  if (report.after !== undefined) {
    lines.push("");
    lines.push(paint(color, "bold", "Engine disk use, after:"));
    lines.push(...renderDiskUsage(report.after));
    lines.push("");
    const removedImages = new Set(report.removed.images).size;
    lines.push(
      paint(color, "green", `Reclaimed ${formatBytes(Math.max(0, report.reclaimedBytes ?? 0))}`) +
        ` (engine disk use ${formatBytes(report.before.totalBytes)} → ${formatBytes(report.after.totalBytes)}): ${plural(removedImages, "image")} deleted, ${plural(report.removed.untagged.length, "tag")} removed, ${plural(report.removed.containers.length, "container")}, ${plural(report.removed.cacheRecords.length, "cache record")} (${formatBytes(report.removed.cacheBytes)} by the engine's count)`,
    );
  }
  for (const failure of report.failures) lines.push(paint(color, "yellow", `kept ${failure.what}: ${failure.message}`));
  return `${lines.join("\n")}\n`;
}

export function cleanReportJson(report: CleanReport): Record<string, unknown> {
  return {
    project: report.project,
    dryRun: report.dryRun,
    policy: report.policy,
    before: report.before,
    plan: report.plan,
    ...(report.after !== undefined ? { after: report.after, reclaimedBytes: report.reclaimedBytes } : {}),
    removed: report.removed,
    cacheVia: report.cacheVia,
    ...(report.buildx !== undefined ? { buildx: report.buildx } : {}),
    failures: report.failures,
  };
}
