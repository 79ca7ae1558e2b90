// `shipshape ci` as one pure function: the repository's images, the files that exist now and the
// measurements in; the files to write (before and after) and the decisions out.
import type { CiConfig } from "../audit/config.ts";
import type { ImageMeasurements } from "../metrics/latest.ts";
import { chooseCache, planBuilds, type CacheDecision, type CiBuild, type CiImage } from "./plan.ts";
import { renderBakeFile, renderGithubJobs, renderGithubWorkflow, renderGitlabJob, type RenderInput } from "./render.ts";
import { BEGIN_MARKER, renderSection, updateSection } from "./sections.ts";

export type CiProvider = "github" | "gitlab";

export const GITHUB_WORKFLOW_PATH = ".github/workflows/docker.yml";
export const GITLAB_CI_PATH = ".gitlab-ci.yml";
export const BAKE_FILE_PATH = "docker-bake.hcl";

export interface CiInput {
  provider: CiProvider;
  images: CiImage[];
  measurements: ReadonlyMap<string, ImageMeasurements>;
  config: CiConfig;
  /** Current text of the files ci may write, by repository-relative path (absent: no such file). */
  existing: ReadonlyMap<string, string>;
  budgets: boolean;
  shipshapeVersion: string;
  /** The repository directory relative to the git root ("." when it is the root): CI files live at the git root, builds run here. */
  workdir?: string;
}

export interface FileChange {
  path: string;
  before: string | undefined;
  after: string;
}

export interface CiResult {
  provider: CiProvider;
  cache: CacheDecision;
  builds: CiBuild[];
  bakeFile: { path: string; generated: boolean };
  changes: FileChange[];
  notes: string[];
}

/** Thrown for a file ci must not touch (a hand-written workflow without markers, broken markers). */
export class CiFileConflict extends Error {}

/**
 * The targets an existing bake file builds: its `default` group's targets when it has one (what
 * `docker buildx bake` builds), else every `target "name" {` except the ones meant to be inherited
 * (`_common`, `docker-metadata-action`), in order.
 */
export function bakeTargetNames(text: string): string[] {
  const defaultGroup = /^group\s+"default"\s*\{\s*targets\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1];
  if (defaultGroup !== undefined) {
    const names = [...defaultGroup.matchAll(/"([^"]+)"/g)].map((match) => match[1] as string);
    if (names.length > 0) return names;
  }
  return text.split("\n").flatMap((line) => {
    const name = /^target\s+"([^"]+)"\s*\{/.exec(line.trimStart())?.[1];
    return name === undefined || name.startsWith("_") || name === "docker-metadata-action" ? [] : [name];
  });
}

export function generateCi(input: CiInput): CiResult {
  const notes: string[] = [];
  const workdir = input.workdir ?? ".";
  // Paths are relative to the git root: CI reads its files there; the bake file sits in the repository directory.
  const bakePath = workdir === "." ? BAKE_FILE_PATH : `${workdir}/${BAKE_FILE_PATH}`;
  const existingBake = input.existing.get(bakePath);
  const ownBake = existingBake !== undefined && existingBake.includes(BEGIN_MARKER);
  let builds = planBuilds(input.images);
  const changes: FileChange[] = [];
  if (existingBake !== undefined && !ownBake) {
    // The repository's own bake file: build its targets, each with its own cache scope.
    const names = bakeTargetNames(existingBake);
    if (names.length === 0) throw new CiFileConflict(`${bakePath} has no target "..." blocks shipshape can read; name the targets in HCL, or move the file away to let shipshape generate one`);
    const planned = new Map(builds.map((build) => [build.bakeTarget, build]));
    builds = names.map((name) => planned.get(name) ?? { bakeTarget: name, image: name });
    notes.push(`reusing ${bakePath}: one CI build per target (${names.join(", ")})`);
  } else {
    const body = renderBakeFile(input.images, builds);
    const header = "# Build targets for CI, one per image and per development/test stage (docs/ci.md).\n";
    const after = existingBake === undefined ? `${header}${renderSection({ body, indent: "" })}` : sectionUpdate(existingBake, body, bakePath, false, "");
    if (after !== existingBake) changes.push({ path: bakePath, before: existingBake, after });
  }
  const cache = chooseCache(input.images, input.measurements, input.config, input.provider);
  if (!input.budgets) notes.push("no budgets: section in the config: no budget step (add budgets: and run `shipshape ci` again)");
  if (cache.unmeasured.length > 0) notes.push(`not measured: ${cache.unmeasured.join(", ")}; run \`shipshape build\` (or bench) and then \`shipshape ci\` again to size the cache from measurements`);
  const render: RenderInput = {
    images: input.images,
    builds,
    cache,
    bakeFile: BAKE_FILE_PATH,
    defaultBranch: input.config.defaultBranch,
    runner: input.config.runner,
    failOnRegression: input.config.failOnRegression,
    persistCacheMounts: input.config.persistCacheMounts,
    budgets: input.budgets,
    shipshapeVersion: input.shipshapeVersion,
    workdir: input.workdir ?? ".",
    ...(input.config.registry === undefined ? {} : { registry: input.config.registry }),
  };
  if (input.provider === "github") {
    const before = input.existing.get(GITHUB_WORKFLOW_PATH);
    const after = before === undefined ? renderGithubWorkflow(render) : sectionUpdate(before, renderGithubJobs(render), GITHUB_WORKFLOW_PATH, false, "  ");
    if (after !== before) changes.push({ path: GITHUB_WORKFLOW_PATH, before, after });
  } else {
    const before = input.existing.get(GITLAB_CI_PATH);
    const header = "# Docker images: built with BuildKit and a registry cache, as `shipshape ci` generated it (docs/ci.md).\n";
    const after = before === undefined ? `${header}${renderSection({ body: renderGitlabJob(render), indent: "" })}` : sectionUpdate(before, renderGitlabJob(render), GITLAB_CI_PATH, true, "");
    if (after !== before) changes.push({ path: GITLAB_CI_PATH, before, after });
  }
  if (workdir !== ".") notes.push(`${input.provider === "github" ? GITHUB_WORKFLOW_PATH : GITLAB_CI_PATH} goes to the git root (CI reads it only there); its steps run in ${workdir}`);
  return { provider: input.provider, cache, builds, bakeFile: { path: bakePath, generated: existingBake === undefined || ownBake }, changes, notes };
}

function sectionUpdate(existing: string, body: string, path: string, appendWhenMissing: boolean, indent: string): string {
  const update = updateSection(existing, body, { appendWhenMissing, indent });
  if (update.kind === "no-markers") throw new CiFileConflict(`${path} exists and has no shipshape ci section: shipshape does not overwrite a hand-written file; move it away, or add the two marker lines (docs/ci.md) where the generated jobs go`);
  if (update.kind === "broken-markers") throw new CiFileConflict(`${path}: ${update.reason} of the shipshape ci section; fix the marker lines (docs/ci.md)`);
  return update.text;
}
