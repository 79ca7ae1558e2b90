// The table `shipshape build` ends with, in three formats: tty, json, markdown. Pure functions of
// a BuildRunReport. A failed image is a row marked FAILED, followed (tty, markdown) by the
// failing step and the tail of its log, so that the reason is on screen without scrolling back.
import type { BuildStep } from "../engine/types.ts";
import { escapeMarkdown, sanitizeTerminal } from "../report/escape.ts";
import { alignColumns, formatBytes, formatDuration, formatPercent, paint, plural } from "../format/index.ts";
import { isBaseImageStep } from "./progress-display.ts";

export interface ImageBuildReport {
  /** Target name (compose service or derived from the Dockerfile path). */
  name: string;
  tag: string;
  /** Where the target came from ("docker-compose.yml service api", "Dockerfile"). */
  origin: string;
  ok: boolean;
  imageId?: string;
  sizeBytes?: number;
  layers?: number;
  durationMs: number;
  /** Dockerfile steps that do work (BuildKit's internal vertices and FROM left out). */
  steps: number;
  cachedSteps: number;
  /** cachedSteps / steps; 0 when there were no steps. */
  cacheHitRatio: number;
  error?: { step?: string; message: string; logTail: string[] };
}

export interface BuildRunReport {
  /** The directory (or Dockerfile) that was built, as given. */
  path: string;
  driver: "api" | "buildx";
  images: ImageBuildReport[];
  durationMs: number;
}

export const BUILD_FORMATS = ["tty", "json", "markdown"] as const;
export type BuildFormat = (typeof BUILD_FORMATS)[number];

/**
 * Cached steps over the Dockerfile steps that do work: BuildKit's internal vertices and the
 * FROM steps (whose cached flag means nothing, see isBaseImageStep) do not count.
 */
export function cacheStats(steps: readonly BuildStep[]): { steps: number; cachedSteps: number; cacheHitRatio: number } {
  const dockerfileSteps = steps.filter((step) => !step.internal && !isBaseImageStep(step));
  const cachedSteps = dockerfileSteps.filter((step) => step.cached).length;
  return { steps: dockerfileSteps.length, cachedSteps, cacheHitRatio: dockerfileSteps.length === 0 ? 0 : cachedSteps / dockerfileSteps.length };
}

export function renderBuildReport(format: BuildFormat, report: BuildRunReport, options: { color?: boolean } = {}): string {
  switch (format) {
    case "tty":
      return renderBuildTty(report, { color: options.color ?? false });
    case "json":
      return renderBuildJson(report);
    case "markdown":
      return renderBuildMarkdown(report);
  }
}

const HEADERS = ["image", "tag", "size", "layers", "build time", "cache hit"];
const RIGHT_ALIGNED = new Set([2, 3, 4, 5]);

function rowCells(image: ImageBuildReport): string[] {
  const failed = !image.ok;
  return [
    image.name,
    image.tag,
    failed || image.sizeBytes === undefined ? (failed ? "FAILED" : "-") : formatBytes(image.sizeBytes),
    image.layers === undefined ? "-" : String(image.layers),
    formatDuration(image.durationMs),
    image.steps === 0 ? "-" : formatPercent(image.cacheHitRatio, 0),
  ];
}

export function renderBuildTty(report: BuildRunReport, options: { color: boolean }): string {
  const rows = report.images.map((image) => rowCells(image).map((cell) => sanitizeTerminal(cell)));
  const [header = "", ...table] = alignColumns([HEADERS, ...rows], { rightAligned: RIGHT_ALIGNED });
  const lines = [paint(options.color, "bold", header)];
  report.images.forEach((image, index) => {
    const line = table[index] ?? "";
    lines.push(image.ok ? line : paint(options.color, "red", line));
  });
  const failed = report.images.filter((image) => !image.ok);
  const built = report.images.length - failed.length;
  lines.push("", `${built} of ${plural(report.images.length, "image")} built in ${formatDuration(report.durationMs)} (driver: ${report.driver})`);
  for (const image of failed) {
    lines.push("", paint(options.color, "red", `${sanitizeTerminal(image.name)} failed${image.error?.step ? ` at ${sanitizeTerminal(image.error.step)}` : ""}`));
    lines.push(`  ${sanitizeTerminal(image.error?.message ?? "build failed")}`);
    for (const logLine of image.error?.logTail ?? []) lines.push(`  | ${sanitizeTerminal(logLine)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderBuildJson(report: BuildRunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function renderBuildMarkdown(report: BuildRunReport): string {
  const cell = (text: string): string => escapeMarkdown(text, { lineBreaks: "space" });
  const lines = [
    "## Image builds",
    "",
    `| ${HEADERS.join(" | ")} |`,
    `| ${HEADERS.map((_, column) => (RIGHT_ALIGNED.has(column) ? "---:" : "---")).join(" | ")} |`,
  ];
  for (const image of report.images) {
    const cells = rowCells(image).map(cell);
    cells[1] = `\`${image.tag.replace(/`/g, "")}\``;
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const failed = report.images.filter((image) => !image.ok);
  lines.push("", `${report.images.length - failed.length} of ${report.images.length} built in ${formatDuration(report.durationMs)} (driver: ${report.driver}).`);
  for (const image of failed) {
    lines.push("", `### ${cell(image.name)} failed${image.error?.step ? ` at \`${image.error.step.replace(/`/g, "'")}\`` : ""}`, "");
    const body = [image.error?.message ?? "build failed", ...(image.error?.logTail ?? [])].map((line) => sanitizeTerminal(line)).join("\n");
    const fence = longestBacktickRun(body) >= 3 ? "`".repeat(longestBacktickRun(body) + 1) : "```";
    lines.push(fence, body, fence);
  }
  return `${lines.join("\n")}\n`;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const match of text.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return longest;
}
