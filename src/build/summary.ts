// The table `shipshape build` ends with, in three formats: tty, json, markdown. Pure functions of
// a BuildRunReport. A failed image is a row marked FAILED, followed (tty, markdown) by the
// failing step and the tail of its log, so that the reason is on screen without scrolling back.
import type { BuildStep } from "../engine/types.ts";
import { escapeMarkdown, sanitizeTerminal } from "../report/escape.ts";
import { formatBytes } from "../rules/support/context.ts";
import { formatDuration, isBaseImageStep } from "./progress-display.ts";

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
    image.steps === 0 ? "-" : `${Math.round(image.cacheHitRatio * 100)}%`,
  ];
}

export function renderBuildTty(report: BuildRunReport, options: { color: boolean }): string {
  const paint = (code: string, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const rows = report.images.map((image) => rowCells(image).map((cell) => sanitizeTerminal(cell)));
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const format = (cells: string[]): string =>
    cells
      .map((cell, column) => (RIGHT_ALIGNED.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  const lines = [paint("1", format(HEADERS))];
  report.images.forEach((image, index) => {
    const line = format(rows[index] ?? []);
    lines.push(image.ok ? line : paint("31", line));
  });
  const failed = report.images.filter((image) => !image.ok);
  const built = report.images.length - failed.length;
  lines.push("", `${built} of ${report.images.length} image${report.images.length === 1 ? "" : "s"} built in ${formatDuration(report.durationMs)} (driver: ${report.driver})`);
  for (const image of failed) {
    lines.push("", paint("31", `${sanitizeTerminal(image.name)} failed${image.error?.step ? ` at ${sanitizeTerminal(image.error.step)}` : ""}`));
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
