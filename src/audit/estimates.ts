// One image's estimated saving, de-duplicated. Each finding's `estimatedSavingMB` is a typical
// figure for that problem alone (src/rules/estimates.ts); adding them up counts some bytes more
// than once. Here, per image (a Dockerfile's final stage):
// - a rule counts once, whatever number of findings it has: two `npm install`s leave one ~/.npm,
//   two dev installs fill one node_modules;
// - findings that remove the same bytes count the largest of them: on a full (buildpack-deps)
//   or toolchain base, compilers and the packages apt would recommend are already in the base,
//   so moving to the slim or runtime image (final-stage-full-base, final-stage-toolchain-image)
//   removes them and build-tools-in-runtime / apt-no-install-recommends add nothing to that;
// - the total never exceeds what the image could lose: its estimated size (base image plus what
//   the findings say was added) minus the smallest plausible runtime image for it.
// Pure: the audit calls it with the parsed Dockerfile and the findings already made.
import type { DockerfileModel, ImageReference } from "../dockerfile/model.ts";
import { BASE_IMAGE_SIZES_MB, RUNTIME_IMAGE_SIZES_MB, tagVariant, TOOLCHAIN_RUNTIMES } from "../rules/estimates.ts";
import type { FileResult } from "./result.ts";
import { classifyBaseImage, officialImage, rootImageStage } from "../rules/support/runtime-image.ts";

/** Rules whose estimate is a change of base image. */
const BASE_CHANGE_RULES = new Set(["final-stage-full-base", "final-stage-toolchain-image"]);

/** Rules whose bytes a full or toolchain base already holds: counted inside the base change when there is one. */
const HELD_BY_FULL_BASE = new Set(["build-tools-in-runtime", "apt-no-install-recommends"]);

export interface EstimatedFinding {
  rule: string;
  estimatedSavingMB?: number;
}

export interface ImageSavingEstimate {
  /** The de-duplicated, capped estimate for the image. */
  estimatedSavingMB: number;
  /** The plain sum of the findings' estimates (what reports used to show). */
  sumOfFindingsMB: number;
  /** Estimated size of the image, when its base image is in the tables. */
  imageSizeMB?: number;
  /** The smallest plausible runtime image for it, when known. */
  runtimeFloorMB?: number;
  /** The estimate each rule contributes after de-duplication (0 when another finding covers its bytes). */
  counted: { rule: string; mb: number }[];
}

export function estimateImageSaving(model: DockerfileModel | undefined, findings: readonly EstimatedFinding[]): ImageSavingEstimate {
  const perRule = new Map<string, number>();
  let sumOfFindingsMB = 0;
  for (const finding of findings) {
    const mb = finding.estimatedSavingMB ?? 0;
    if (mb <= 0) continue;
    sumOfFindingsMB += mb;
    perRule.set(finding.rule, Math.max(perRule.get(finding.rule) ?? 0, mb));
  }
  const base = model ? finalBase(model) : undefined;
  const baseChange = [...perRule.keys()].some((rule) => BASE_CHANGE_RULES.has(rule));
  const counted: { rule: string; mb: number }[] = [];
  let additionsMB = 0;
  let total = 0;
  for (const [rule, mb] of [...perRule].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const covered = HELD_BY_FULL_BASE.has(rule) && (baseChange || base?.heavy === true);
    const contribution = covered ? 0 : mb;
    counted.push({ rule, mb: contribution });
    total += contribution;
    if (!BASE_CHANGE_RULES.has(rule)) additionsMB += contribution;
  }
  const estimate: ImageSavingEstimate = { estimatedSavingMB: total, sumOfFindingsMB, counted };
  if (base?.sizeMB !== undefined) {
    estimate.imageSizeMB = base.sizeMB + additionsMB;
    if (base.floorMB !== undefined) {
      estimate.runtimeFloorMB = base.floorMB;
      estimate.estimatedSavingMB = Math.min(total, Math.max(0, estimate.imageSizeMB - base.floorMB));
    }
  }
  return estimate;
}

interface BaseEstimate {
  /** Typical size of the final stage's base image. */
  sizeMB?: number;
  /** The smallest runtime image its output plausibly runs on. */
  floorMB?: number;
  /** A full or toolchain image (compilers, headers and common packages included). */
  heavy: boolean;
}

/** What the tables know about the image the final stage starts from. */
export function finalBase(model: DockerfileModel): BaseEstimate | undefined {
  const final = model.stages.at(-1);
  if (!final) return undefined;
  const root = rootImageStage(model, final);
  if (!root) return { sizeMB: 0, floorMB: 0, heavy: false };
  return baseEstimate(root.base);
}

export function baseEstimate(reference: ImageReference): BaseEstimate | undefined {
  const kind = classifyBaseImage(reference);
  const image = officialImage(reference) ?? distrolessName(reference);
  if (image === undefined) return undefined;
  if (image.startsWith("distroless/")) {
    const size = RUNTIME_IMAGE_SIZES_MB[image];
    return size === undefined ? undefined : { sizeMB: size, floorMB: size, heavy: false };
  }
  const sizes = BASE_IMAGE_SIZES_MB[image];
  if (kind?.kind === "toolchain") {
    const runtimeKey = TOOLCHAIN_RUNTIMES[image];
    const estimate: BaseEstimate = { heavy: true };
    const sizeMB = sizes?.[tagVariant(reference.tag)] ?? sizes?.full;
    if (sizeMB !== undefined) estimate.sizeMB = sizeMB;
    if (runtimeKey !== undefined && RUNTIME_IMAGE_SIZES_MB[runtimeKey] !== undefined) estimate.floorMB = RUNTIME_IMAGE_SIZES_MB[runtimeKey];
    return estimate;
  }
  if (!sizes) return undefined;
  const variant = tagVariant(reference.tag);
  const sizeMB = sizes[variant] ?? (variant === "full" ? undefined : sizes.full);
  // The smallest variant the tables know that runs the same stack: slim where there is one.
  const floorMB = sizes.slim ?? sizes.alpine ?? sizes.full;
  const estimate: BaseEstimate = { heavy: kind?.kind === "full" };
  if (sizeMB !== undefined) estimate.sizeMB = sizeMB;
  if (floorMB !== undefined && sizeMB !== undefined) estimate.floorMB = Math.min(floorMB, sizeMB);
  return estimate;
}

/** `gcr.io/distroless/static-debian12` -> `distroless/static`. */
function distrolessName(reference: ImageReference): string | undefined {
  if (reference.unresolved) return undefined;
  const match = /(?:^|\/)distroless\/(static|base|cc)(?:-debian\d+)?$/.exec(reference.name);
  return match ? `distroless/${match[1]}` : undefined;
}

/** A file's estimated saving: the image's de-duplicated total for a Dockerfile, the findings' sum otherwise. */
export function fileSavingMB(file: FileResult): number {
  return file.estimatedSavingMB ?? file.findings.reduce((sum, finding) => sum + (finding.estimatedSavingMB ?? 0), 0);
}
