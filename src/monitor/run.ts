// `shipshape monitor`: every image of the project (scope as clean's: shipshape's tags, compose
// images, the project label) measured against its budget: size and layers from the engine, wasted
// bytes from a streamed layer analysis (not with --sizes), and the audit's recommendations for the
// Dockerfile it was built from. --watch follows GET /events and checks each image as it is built
// or tagged.
import { auditPaths } from "../audit/audit-paths.ts";
import type { BudgetConfig } from "../audit/config.ts";
import { budgetFor, checkBudget, type BudgetCheck, type Measured } from "../budgets/check.ts";
import { isProjectImage } from "../clean/plan.ts";
import { repositoryOf } from "../clean/references.ts";
import type { ProjectScope } from "../clean/scope.ts";
import type { EngineDisk, ImageSummary } from "../engine/disk.ts";
import type { Engine } from "../engine/types.ts";
import { analyzeImageStream } from "../image/layers.ts";

export interface Recommendation {
  rule: string;
  impact: string;
  line: number;
  message: string;
  estimatedSavingMB?: number;
}

export interface MonitoredImage {
  reference: string;
  id: string;
  /** The build target (compose service or Dockerfile name) the image's repository belongs to. */
  target?: string;
  dockerfile?: string;
  sizeBytes: number;
  layers?: number;
  wastedBytes?: number;
  efficiency?: number;
  budgetKey?: string;
  checks: BudgetCheck[];
  recommendations: Recommendation[];
  error?: string;
}

export interface MonitorOptions {
  sizesOnly: boolean;
  budgets: Record<string, BudgetConfig> | undefined;
  /** Root the recommendations' Dockerfile paths are audited from (the repository). */
  cwd: string;
  /** How many recommendations per image (default 3). */
  recommendations?: number;
}

function targetOf(scope: ProjectScope, reference: string): ProjectScope["targets"][number] | undefined {
  const repository = repositoryOf(reference);
  return scope.targets.find((target) => target.repository === repository);
}

/** One image measured and checked. */
export async function monitorImage(engine: Engine, image: Pick<ImageSummary, "Id" | "Size">, reference: string, scope: ProjectScope, options: MonitorOptions, audits: Map<string, Recommendation[]>): Promise<MonitoredImage> {
  const target = targetOf(scope, reference);
  const result: MonitoredImage = { reference, id: image.Id, sizeBytes: image.Size, checks: [], recommendations: [] };
  if (target !== undefined) {
    result.target = target.name;
    result.dockerfile = target.dockerfile;
  }
  const measured: Measured = { sizeBytes: image.Size };
  try {
    const config = await engine.inspectImage(image.Id);
    result.layers = config.layers.length;
    measured.layers = config.layers.length;
    if (!options.sizesOnly) {
      const analysis = await analyzeImageStream((await engine.exportImage(image.Id)) as AsyncIterable<Uint8Array>, { topPaths: 0 });
      result.wastedBytes = analysis.wastedBytes;
      result.efficiency = analysis.efficiency;
      measured.wastedBytes = analysis.wastedBytes;
    }
  } catch (error) {
    result.error = (error as Error).message;
  }
  const found = budgetFor(options.budgets, { ...(target !== undefined ? { name: target.name } : {}), reference });
  if (found !== undefined) {
    result.budgetKey = found.key;
    result.checks = checkBudget(found.budget, measured);
  }
  if (!options.sizesOnly && target !== undefined) {
    let recommendations = audits.get(target.dockerfile);
    if (recommendations === undefined) {
      recommendations = recommendationsFor(target.dockerfile, options);
      audits.set(target.dockerfile, recommendations);
    }
    result.recommendations = recommendations;
  }
  return result;
}

/** The audit's findings for one Dockerfile, largest estimated saving first. */
function recommendationsFor(dockerfile: string, options: MonitorOptions): Recommendation[] {
  try {
    const audit = auditPaths([dockerfile], { cwd: options.cwd });
    const findings = audit.files.flatMap((file) => file.findings);
    const order = { high: 3, medium: 2, low: 1 } as const;
    findings.sort((a, b) => (b.estimatedSavingMB ?? 0) - (a.estimatedSavingMB ?? 0) || order[b.impact] - order[a.impact] || a.line - b.line);
    return findings.slice(0, options.recommendations ?? 3).map((finding) => ({
      rule: finding.rule,
      impact: finding.impact,
      line: finding.line,
      message: finding.message,
      ...(finding.estimatedSavingMB !== undefined ? { estimatedSavingMB: finding.estimatedSavingMB } : {}),
    }));
  } catch {
    return [];
  }
}

/** Every tagged image of the project, one entry per image (its first tag names it). */
export async function projectImages(disk: EngineDisk, scope: ProjectScope): Promise<{ image: ImageSummary; reference: string }[]> {
  const images = await disk.images();
  return images
    .filter((image) => image.RepoTags.some((tag) => tag !== "<none>:<none>") && isProjectImage(image, scope, false))
    .map((image) => ({ image, reference: image.RepoTags.find((tag) => scope.repositories.has(repositoryOf(tag))) ?? image.RepoTags[0] ?? image.Id }))
    .sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
}

export async function runMonitor(engine: Engine, disk: EngineDisk, scope: ProjectScope, options: MonitorOptions): Promise<MonitoredImage[]> {
  const audits = new Map<string, Recommendation[]>();
  const results: MonitoredImage[] = [];
  for (const { image, reference } of await projectImages(disk, scope)) results.push(await monitorImage(engine, image, reference, scope, options, audits));
  return results;
}

/**
 * --watch: each `tag` (a build with -t, docker tag) or `load`/`pull` event for a project
 * repository is checked once; yields one result per event until the signal aborts.
 */
export async function* watchImages(engine: Engine, disk: EngineDisk, scope: ProjectScope, options: MonitorOptions & { signal: AbortSignal }): AsyncGenerator<MonitoredImage> {
  const audits = new Map<string, Recommendation[]>();
  for await (const event of disk.events({ signal: options.signal, types: ["image"] })) {
    if (!["tag", "load", "pull", "import"].includes(event.action)) continue;
    const reference = event.attributes.name ?? "";
    if (reference === "" || !scope.repositories.has(repositoryOf(reference))) continue;
    try {
      const config = await engine.inspectImage(reference);
      yield await monitorImage(engine, { Id: config.id, Size: config.size }, reference, scope, options, audits);
    } catch (error) {
      if (options.signal.aborted) return;
      yield { reference, id: event.id, sizeBytes: 0, checks: [], recommendations: [], error: (error as Error).message };
    }
  }
}
