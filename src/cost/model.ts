// The cost arithmetic of `shipshape cost`. Pure: per-image inputs (each marked measured or assumed)
// and prices in; monthly and yearly dollars out. Formulas (docs/cost.md):
//   builds/month      = buildsPerWeek x 52 / 12
//   CI minutes/build  = ceil(build time / 60 s)              (GitHub bills each job in whole minutes)
//   CI $/month        = builds/month x CI minutes/build x price per minute
//   pushed GB         = compressed size in GB (1 GB = 10^9 bytes)
//   storage $/month   = tags kept x pushed GB x price per GB-month   (no layer sharing between tags: an upper bound)
//   egress $/month    = pulls/month x pushed GB x price per GB
//   yearly            = monthly x 12
import type { CostConfig } from "../audit/config.ts";
import { CI_MINUTE_PRICES, REGISTRY_PRICES, type ListPrice } from "./prices.ts";

export type Provenance = "measured" | "assumed";

export interface CostInput {
  value: number;
  provenance: Provenance;
  /** Where a measured value came from (`bench code medianMs, run 12`), or which setting an assumption is. */
  source: string;
}

export interface ImageCostInputs {
  image: string;
  sizeBytes?: CostInput;
  compressedBytes?: CostInput;
  buildMs?: CostInput;
}

export interface PriceInput {
  usd: number | null;
  /** list: the default list price; config: cost.prices in the config. Prices are always assumptions. */
  origin: "list" | "config";
  unit: string;
  source: string;
  asOf?: string;
  note?: string;
}

export interface Prices {
  ciPerMinute: PriceInput;
  storagePerGbMonth: PriceInput;
  egressPerGb: PriceInput;
}

export interface CostLine {
  /** Dollars per month; null when a price or an input is missing. */
  monthlyUsd: number | null;
  yearlyUsd: number | null;
  /** measured when every non-price input of the line is measured, else assumed. */
  provenance: Provenance;
  /** What is missing when monthlyUsd is null. */
  missing?: string;
}

export interface ImageCost {
  image: string;
  inputs: ImageCostInputs;
  buildsPerMonth: CostInput;
  ciMinutesPerBuild: number | null;
  ci: CostLine;
  storage: CostLine;
  egress: CostLine;
  total: CostLine;
}

export function pricesFor(config: CostConfig): Prices {
  const fromList = (price: ListPrice): PriceInput => ({ usd: price.usd, origin: "list", unit: price.unit, source: price.source, asOf: price.asOf, ...(price.note === undefined ? {} : { note: price.note }) });
  const override = (usd: number | undefined, list: ListPrice, key: string): PriceInput => (usd === undefined ? fromList(list) : { usd, origin: "config", unit: list.unit, source: `cost.prices.${key} in the config` });
  const registry = REGISTRY_PRICES[config.registry];
  return {
    ciPerMinute: override(config.prices.ciPerMinute, CI_MINUTE_PRICES[config.runner], "ciPerMinute"),
    storagePerGbMonth: override(config.prices.storagePerGbMonth, registry.storage, "storagePerGbMonth"),
    egressPerGb: override(config.prices.egressPerGb, registry.egress, "egressPerGb"),
  };
}

const GB = 1e9;
const WEEKS_PER_MONTH = 52 / 12;

/** The compressed size: measured when given, else the image size x the assumed compression ratio. */
export function compressedSize(inputs: ImageCostInputs, config: CostConfig): CostInput | undefined {
  if (inputs.compressedBytes !== undefined) return inputs.compressedBytes;
  if (inputs.sizeBytes === undefined) return undefined;
  return { value: inputs.sizeBytes.value * config.compressionRatio, provenance: "assumed", source: `image size (${inputs.sizeBytes.provenance}) x cost.compressionRatio ${config.compressionRatio} (assumed)` };
}

export function costOfImage(inputs: ImageCostInputs, config: CostConfig, prices: Prices): ImageCost {
  const buildsPerMonth: CostInput = { value: config.buildsPerWeek * WEEKS_PER_MONTH, provenance: "assumed", source: `cost.buildsPerWeek ${config.buildsPerWeek} x 52 / 12` };
  const compressed = compressedSize(inputs, config);
  const ciMinutesPerBuild = inputs.buildMs === undefined ? null : Math.max(1, Math.ceil(inputs.buildMs.value / 60_000));
  const line = (amount: number | null, missing: string | undefined, measuredInputs: (CostInput | undefined)[]): CostLine => {
    const provenance: Provenance = measuredInputs.every((input) => input?.provenance === "measured") ? "measured" : "assumed";
    if (amount === null) return { monthlyUsd: null, yearlyUsd: null, provenance, ...(missing === undefined ? {} : { missing }) };
    return { monthlyUsd: amount, yearlyUsd: amount * 12, provenance };
  };
  const ciPrice = prices.ciPerMinute.usd;
  const ci =
    ciMinutesPerBuild === null || ciPrice === null
      ? line(null, ciMinutesPerBuild === null ? "no build time" : "no CI price", [inputs.buildMs, buildsPerMonth])
      : line(buildsPerMonth.value * ciMinutesPerBuild * ciPrice, undefined, [inputs.buildMs, buildsPerMonth]);
  const tags: CostInput = { value: config.tagsKeptPerImage, provenance: "assumed", source: "cost.tagsKeptPerImage" };
  const pulls: CostInput = { value: config.pullsPerMonth, provenance: "assumed", source: "cost.pullsPerMonth" };
  const storagePrice = prices.storagePerGbMonth.usd;
  const storage =
    compressed === undefined || storagePrice === null
      ? line(null, compressed === undefined ? "no image size" : "no storage price (set cost.prices.storagePerGbMonth)", [compressed, tags])
      : line(tags.value * (compressed.value / GB) * storagePrice, undefined, [compressed, tags]);
  const egressPrice = prices.egressPerGb.usd;
  const egress =
    compressed === undefined || egressPrice === null
      ? line(null, compressed === undefined ? "no image size" : "no egress price", [compressed, pulls])
      : line(pulls.value * (compressed.value / GB) * egressPrice, undefined, [compressed, pulls]);
  const parts = [ci, storage, egress];
  const known = parts.filter((part) => part.monthlyUsd !== null);
  const totalAmount = known.length === 0 ? null : known.reduce((sum, part) => sum + (part.monthlyUsd ?? 0), 0);
  const total: CostLine = {
    monthlyUsd: totalAmount,
    yearlyUsd: totalAmount === null ? null : totalAmount * 12,
    provenance: "assumed",
    ...(known.length < parts.length ? { missing: "some lines have no amount: the total leaves them out" } : {}),
  };
  return { image: inputs.image, inputs: { ...inputs, ...(compressed === undefined ? {} : { compressedBytes: compressed }) }, buildsPerMonth, ciMinutesPerBuild, ci, storage, egress, total };
}

export interface CostSide {
  label: string;
  images: ImageCost[];
  monthlyUsd: number;
  yearlyUsd: number;
}

export function costOfSide(label: string, inputs: readonly ImageCostInputs[], config: CostConfig, prices: Prices): CostSide {
  const images = inputs.map((one) => costOfImage(one, config, prices));
  const monthlyUsd = images.reduce((sum, image) => sum + (image.total.monthlyUsd ?? 0), 0);
  return { label, images, monthlyUsd, yearlyUsd: monthlyUsd * 12 };
}

export interface CostReport {
  version: 1;
  /** Where before/after came from: history, bench --compare JSON, or history run ids. */
  basis: string;
  assumptions: { buildsPerWeek: number; tagsKeptPerImage: number; pullsPerMonth: number; compressionRatio: number; registry: string; runner: string };
  prices: Prices;
  before?: CostSide;
  after: CostSide;
  /** before - after, per month and year; positive is a saving. */
  savings?: { monthlyUsd: number; yearlyUsd: number };
}

export function buildCostReport(basis: string, config: CostConfig, after: readonly ImageCostInputs[], before?: readonly ImageCostInputs[]): CostReport {
  const prices = pricesFor(config);
  const afterSide = costOfSide(before === undefined ? "now" : "after", after, config, prices);
  const report: CostReport = {
    version: 1,
    basis,
    assumptions: { buildsPerWeek: config.buildsPerWeek, tagsKeptPerImage: config.tagsKeptPerImage, pullsPerMonth: config.pullsPerMonth, compressionRatio: config.compressionRatio, registry: config.registry, runner: config.runner },
    prices,
    after: afterSide,
  };
  if (before !== undefined) {
    const beforeSide = costOfSide("before", before, config, prices);
    report.before = beforeSide;
    report.savings = { monthlyUsd: beforeSide.monthlyUsd - afterSide.monthlyUsd, yearlyUsd: beforeSide.yearlyUsd - afterSide.yearlyUsd };
  }
  return report;
}
