// Test helpers for the rewrite planner: plan a Dockerfile from an in-memory repository (with
// any extra file texts the scanner would not read, like tsconfig.json) or from a directory on disk.
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { planRewrite } from "../../src/ecosystems/index.ts";
import type { RewriteResult } from "../../src/ecosystems/index.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { scanDirectory } from "../../src/repo/scan.ts";
import type { RepoSnapshot } from "../../src/repo/snapshot.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";

export interface PlanOptions {
  dockerfile?: string;
  allowSyntaxFeatures?: boolean;
  /** Give the planner only the texts the scanner reads (manifests), not tsconfig.json, next.config.js... */
  scannedTextsOnly?: boolean;
}

function planSnapshot(snapshot: RepoSnapshot, options: PlanOptions): RewriteResult | undefined {
  const view = buildRepositoryView(snapshot);
  const dockerfilePath = options.dockerfile ?? "Dockerfile";
  const text = view.snapshot.texts.get(dockerfilePath);
  if (text === undefined) throw new Error(`${dockerfilePath} is not in the repository`);
  return planRewrite({
    dockerfile: parseDockerfile(text, dockerfilePath),
    buildContext: view.contexts.get(dockerfilePath),
    repository: view,
    options: { allowSyntaxFeatures: options.allowSyntaxFeatures ?? false },
  });
}

/** Plans `Dockerfile` of an in-memory repository; every string file's text is visible to the planner. */
export function planFiles(files: Record<string, string | number>, options: PlanOptions = {}): RewriteResult | undefined {
  const snapshot = snapshotFromFiles(files);
  if (!options.scannedTextsOnly) for (const [path, content] of Object.entries(files)) if (typeof content === "string") snapshot.texts.set(path, content);
  return planSnapshot(snapshot, options);
}

/** Plans a Dockerfile in a directory as the CLI would see it (scanDirectory reads only the audited files). */
export function planDirectory(root: string, options: PlanOptions = {}): RewriteResult | undefined {
  return planSnapshot(scanDirectory(root), options);
}

/** Plans or fails the test. */
export function mustPlan(result: RewriteResult | undefined): RewriteResult {
  if (!result) throw new Error("expected a rewrite plan, got undefined");
  return result;
}

/** Lines of the stage starting with `FROM <from>` (up to the next FROM). */
export function stageLines(dockerfile: string, from: RegExp): string[] {
  const stages = dockerfile.split(/\n(?=# .*\nFROM )/);
  const stage = stages.find((block) => block.split("\n").some((line) => line.startsWith("FROM ") && from.test(line.slice(5))));
  if (!stage) throw new Error(`no stage FROM ${from} in:\n${dockerfile}`);
  return stage.split("\n");
}

/** The last stage (the image `docker build` produces). */
export function runtimeStage(dockerfile: string): string[] {
  const stages = dockerfile.trimEnd().split(/\n\n(?=# )/);
  return (stages.at(-1) ?? "").split("\n");
}
