// `shipshape cost` reports: Markdown (a table per side, every line marked measured or assumed) and
// JSON. Pure.
import { formatBytes, formatDuration } from "../format/index.ts";
import { escapeMarkdown } from "../report/escape.ts";
import type { CostInput, CostLine, CostReport, CostSide, ImageCost, PriceInput } from "./model.ts";

export const COST_FORMATS = ["markdown", "json"] as const;
export type CostFormat = (typeof COST_FORMATS)[number];

export function renderCostJson(report: CostReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function usd(amount: number | null): string {
  if (amount === null) return "n/a";
  return `$${amount.toFixed(2)}`;
}

function input(value: CostInput | undefined, format: (n: number) => string): string {
  return value === undefined ? "not measured" : `${format(value.value)} (${value.provenance})`;
}

function money(line: CostLine): string {
  return line.monthlyUsd === null ? `n/a (${line.missing ?? "missing input"})` : `${usd(line.monthlyUsd)} / ${usd(line.yearlyUsd)} (${line.provenance})`;
}

function imageRows(image: ImageCost): string[] {
  const cell = escapeMarkdown;
  return [
    `| ${cell(image.image)} | image size | ${input(image.inputs.sizeBytes, formatBytes)} |`,
    `| | pushed size | ${input(image.inputs.compressedBytes, formatBytes)} |`,
    `| | build time per CI build | ${input(image.inputs.buildMs, formatDuration)}${image.ciMinutesPerBuild === null ? "" : `, billed ${image.ciMinutesPerBuild} min`} |`,
    `| | builds per month | ${image.buildsPerMonth.value.toFixed(1)} (assumed) |`,
    `| | CI minutes, per month / year | ${money(image.ci)} |`,
    `| | registry storage, per month / year | ${money(image.storage)} |`,
    `| | egress (pulls), per month / year | ${money(image.egress)} |`,
    `| | **total**, per month / year | **${usd(image.total.monthlyUsd)} / ${usd(image.total.yearlyUsd)}** |`,
  ];
}

function side(sideReport: CostSide): string[] {
  return [
    `### ${sideReport.label}`,
    "",
    "| image | line | value |",
    "| --- | --- | --- |",
    ...sideReport.images.flatMap(imageRows),
    `| **all images** | **total**, per month / year | **${usd(sideReport.monthlyUsd)} / ${usd(sideReport.yearlyUsd)}** |`,
    "",
  ];
}

function price(name: string, one: PriceInput): string {
  const value = one.usd === null ? "no list price" : `$${one.usd} per ${one.unit}`;
  const note = one.note === undefined ? "" : `; ${one.note}`;
  return `- ${name}: ${value} (${one.origin === "config" ? one.source : `list price, ${one.source}, as of ${one.asOf ?? "?"}${note}`})`;
}

export function renderCostMarkdown(report: CostReport): string {
  const lines = [
    "## shipshape cost",
    "",
    `Basis: ${escapeMarkdown(report.basis)}. *measured*: from shipshape's measurements; *assumed*: from the config or defaults (a line is measured only when all its non-price inputs are). Prices are list prices, never measurements.`,
    "",
    ...(report.before === undefined ? [] : side(report.before)),
    ...side(report.after),
  ];
  if (report.savings !== undefined) lines.push(`**Saving: ${usd(report.savings.monthlyUsd)} per month, ${usd(report.savings.yearlyUsd)} per year** (before - after; negative is a cost increase).`, "");
  const a = report.assumptions;
  lines.push(
    "Assumptions (cost: in shipshape.config.yaml):",
    "",
    `- builds per week: ${a.buildsPerWeek}; tags kept per image: ${a.tagsKeptPerImage}; pulls per month: ${a.pullsPerMonth}; compression ratio (when the pushed size is not measured): ${a.compressionRatio}; registry: ${a.registry}; runner: ${a.runner}`,
    price("CI", report.prices.ciPerMinute),
    price("storage", report.prices.storagePerGbMonth),
    price("egress", report.prices.egressPerGb),
    "",
  );
  return `${lines.join("\n")}`;
}
