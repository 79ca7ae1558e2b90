// `shipshape fix --level rewrite`: every single-stage Dockerfile the rewrite planner understands
// (src/ecosystems) is replaced by its multi-stage rewrite, then the fix loop runs on the
// result with the rules' fixes of both levels (docs/fix.md, What safe means). A rewrite the planner is unsure about (non-empty `review`) is
// not applied unless the caller accepts reviews: it is reported with its reasons instead.
// With `dev`, rewrites get a `dev` stage and compose files building them get a
// `compose.dev.yaml` override. Pure: from a snapshot to the changed files.
import path from "node:path";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { planRewriteOrExplain } from "../ecosystems/index.ts";
import type { DevTarget, RewriteEcosystem } from "../ecosystems/index.ts";
import type { RepoFile, RepoSnapshot, RepositoryView } from "../repo/snapshot.ts";
import { buildRepositoryView } from "../repo/view.ts";
import { composeBuildDockerfile, composeDirectory } from "../repo/compose-service.ts";
import { runFixes } from "./run-fixes.ts";
import type { FileChange, FixOptions, FixResult } from "./run-fixes.ts";

// One home for the levels: the rules declare them (src/rules/types.ts), the fix loop honours them.
export { FIX_LEVELS } from "../rules/types.ts";
export type { FixLevel } from "../rules/types.ts";

/** The override file written next to a compose file for the dev targets. */
export const COMPOSE_DEV_FILE = "compose.dev.yaml";

export interface PlannedRewrite {
  /** Repository-relative Dockerfile path. */
  path: string;
  before: string;
  /** The planner's Dockerfile (before the safe fixes run on it). */
  after: string;
  ecosystem: RewriteEcosystem;
  review: string[];
  notes: string[];
  dev?: DevTarget;
  /** A development server replaced by a production server (verify's "dev-server" intent). */
  replacesDevServer?: boolean;
  /** "applied": part of the fix; "needs-review": reported, not applied (review reasons, no acceptReview). */
  status: "applied" | "needs-review";
}

export interface RewriteOptions extends FixOptions {
  /** Add a dev stage and compose.dev.yaml overrides (rewrite level only). */
  dev?: boolean;
  /** Apply rewrites whose plan has review reasons too. */
  acceptReview?: boolean;
  /** Dockerfiles (repository paths) left as they are: not rewritten, not fixed (a failed verification). */
  leaveAlone?: ReadonlySet<string>;
}

export interface LeveledFixResult {
  /** The safe fix loop's result, with `changes` relative to the snapshot given (rewrites included). */
  fix: FixResult;
  rewrites: PlannedRewrite[];
  /** Dockerfiles the planner did not rewrite (already multi-stage, unknown ecosystem, already lean...). */
  notRewritten: string[];
  /** Of notRewritten: those already lean, with why (a rewrite would save next to nothing). */
  alreadyLean: { path: string; reason: string }[];
  /** What the dev option did or could not do, for the report. */
  devNotes: string[];
}

export function fixWithLevel(snapshot: RepoSnapshot, options: RewriteOptions = {}): LeveledFixResult {
  const leaveAlone = options.leaveAlone ?? new Set<string>();
  const view = buildRepositoryView(snapshot, options.viewOptions);
  const rewrites: PlannedRewrite[] = [];
  const notRewritten: string[] = [];
  const alreadyLean: { path: string; reason: string }[] = [];
  const devNotes: string[] = [];
  // Planning a rewrite counts toward the file's time budget in the fix loop (run-fixes.ts).
  const timeSpent = options.timeSpent ?? new Map<string, number>();
  const clock = options.clock;
  if (options.level === "rewrite") {
    for (const dockerfile of view.dockerfiles) {
      const text = snapshot.texts.get(dockerfile);
      if (text === undefined || leaveAlone.has(dockerfile)) continue;
      const start = clock?.() ?? 0;
      const { rewrite: planned, lean } = planRewriteOrExplain({ dockerfile: parseDockerfile(text, dockerfile), buildContext: view.contexts.get(dockerfile), repository: view, options: { dev: options.dev ?? false } });
      if (clock) timeSpent.set(dockerfile, (timeSpent.get(dockerfile) ?? 0) + (clock() - start));
      if (!planned) {
        notRewritten.push(dockerfile);
        if (lean !== undefined) alreadyLean.push({ path: dockerfile, reason: lean });
        continue;
      }
      const status = planned.review.length === 0 || options.acceptReview ? "applied" : "needs-review";
      rewrites.push({ path: dockerfile, before: text, after: planned.dockerfile, ecosystem: planned.ecosystem, review: planned.review, notes: planned.notes, status, ...(planned.dev ? { dev: planned.dev } : {}), ...(planned.replacesDevServer ? { replacesDevServer: true } : {}) });
    }
  }

  const applied = rewrites.filter((rewrite) => rewrite.status === "applied");
  const rewritten = replaceTexts(snapshot, new Map(applied.map((rewrite) => [rewrite.path, rewrite.after])));
  // Files left alone are audited (their findings are reported) but not fixed: their fixes would
  // be written with the rest. Restricting by path keeps the other files' fixes as they are.
  const fix = runFixes(rewritten, { ...options, timeSpent, ...(leaveAlone.size > 0 ? { viewOptions: { ...options.viewOptions, isIgnoredPath: (file: string) => leaveAlone.has(file) || (options.viewOptions?.isIgnoredPath?.(file) ?? false) } } : {}) });
  const changes = changesFrom(snapshot, rewritten, fix.changes);

  // A replaced development server brings its dev target (and compose override) without --dev.
  if ((options.dev || applied.some((rewrite) => rewrite.dev !== undefined)) && options.level === "rewrite") {
    const devTargets = new Map(applied.filter((rewrite) => rewrite.dev !== undefined).map((rewrite) => [rewrite.path, rewrite.dev as DevTarget]));
    for (const rewrite of rewrites) {
      if (options.dev && rewrite.status === "applied" && rewrite.dev === undefined) devNotes.push(`${rewrite.path}: no dev target (${rewrite.ecosystem} has none)`);
    }
    if (devTargets.size > 0) {
      const overrides = composeDevOverrides(view, devTargets);
      for (const override of overrides) {
        if (snapshot.files.some((file) => file.path === override.path)) devNotes.push(`${override.path} exists; not overwritten (it would set build.target: dev for ${override.services.join(", ")})`);
        else {
          changes.push({ path: override.path, before: undefined, after: override.text });
          devNotes.push(`${override.path}: dev override for ${override.services.join(", ")}; run \`docker compose -f ${path.posix.basename(override.composePath)} -f ${COMPOSE_DEV_FILE} up\``);
        }
      }
      const composed = new Set(overrides.flatMap((override) => override.dockerfiles));
      for (const dockerfile of devTargets.keys()) {
        if (!composed.has(dockerfile)) devNotes.push(`${dockerfile}: dev target added; no compose service builds it, so no compose override was written (\`docker build --target dev\`)`);
      }
    }
    changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  // A rewrite counts as a fix (rule "rewrite") so that the summary counts it.
  const rewriteFixes = applied.map((rewrite) => ({ rule: "rewrite", path: rewrite.path, line: 1, pass: 0, created: false }));
  const passes = applied.length > 0 ? Math.max(1, fix.passes) : fix.passes;
  return { fix: { ...fix, changes, applied: [...rewriteFixes, ...fix.applied], passes }, rewrites, notRewritten, alreadyLean, devNotes };
}

function replaceTexts(snapshot: RepoSnapshot, replacements: ReadonlyMap<string, string>): RepoSnapshot {
  if (replacements.size === 0) return snapshot;
  const texts = new Map(snapshot.texts);
  for (const [file, text] of replacements) texts.set(file, text);
  const files: RepoFile[] = snapshot.files.map((file) => (replacements.has(file.path) ? { ...file, size: Buffer.byteLength(replacements.get(file.path) ?? "") } : file));
  return { ...snapshot, files, texts };
}

/** The fix loop's changes are relative to the rewritten snapshot; the user's files are the original one. */
function changesFrom(original: RepoSnapshot, rewritten: RepoSnapshot, fixChanges: readonly FileChange[]): FileChange[] {
  const finalTexts = new Map(rewritten.texts);
  for (const change of fixChanges) finalTexts.set(change.path, change.after);
  const changes: FileChange[] = [];
  for (const [file, text] of finalTexts) {
    const before = original.texts.get(file);
    if (before !== text) changes.push({ path: file, before, after: text });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface ComposeDevOverride {
  /** Repository path of the override (next to the compose file). */
  path: string;
  composePath: string;
  services: string[];
  dockerfiles: string[];
  text: string;
}

/** One override per compose file that builds a Dockerfile with a dev target. */
export function composeDevOverrides(view: RepositoryView, devTargets: ReadonlyMap<string, DevTarget>): ComposeDevOverride[] {
  const overrides: ComposeDevOverride[] = [];
  for (const compose of view.composes) {
    const entries: { service: string; dockerfile: string; source: string; dev: DevTarget }[] = [];
    for (const service of compose.services) {
      const dockerfile = composeBuildDockerfile(compose, service);
      const dev = dockerfile === undefined ? undefined : devTargets.get(dockerfile);
      if (dockerfile === undefined || dev === undefined || !service.build) continue;
      entries.push({ service: service.name, dockerfile, source: relativeSource(service.build.context), dev });
    }
    if (entries.length === 0) continue;
    const directory = composeDirectory(compose);
    overrides.push({
      path: directory === "" || directory === "." ? COMPOSE_DEV_FILE : `${directory}/${COMPOSE_DEV_FILE}`,
      composePath: compose.path,
      services: entries.map((entry) => entry.service),
      dockerfiles: entries.map((entry) => entry.dockerfile),
      text: renderComposeDev(path.posix.basename(compose.path), entries),
    });
  }
  return overrides;
}

/** The build context as the compose file writes it, as a bind-mount source (`./services/api`). */
function relativeSource(context: string): string {
  const clean = path.posix.normalize(context).replace(/(?<!\/)\/+$/, "");
  if (clean === "." || clean === "") return ".";
  return clean.startsWith(".") ? clean : `./${clean}`;
}

function yamlString(value: string): string {
  return /^[\w./:@-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~|[\d.]+)$/i.test(value) ? value : JSON.stringify(value);
}

export function renderComposeDev(composeFile: string, entries: readonly { service: string; source: string; dev: DevTarget }[]): string {
  const lines = [
    `# Development override written by \`shipshape fix --level rewrite --dev\`: builds each service's`,
    `# \`dev\` stage and runs it on the sources from this checkout. Start it with`,
    `#   docker compose -f ${composeFile} -f ${COMPOSE_DEV_FILE} up`,
    "services:",
  ];
  for (const entry of entries) {
    lines.push(`  ${entry.service}:`);
    lines.push("    build:");
    lines.push(`      target: ${yamlString(entry.dev.stage)}`);
    lines.push(`    command: [${entry.dev.command.map((word) => JSON.stringify(word)).join(", ")}]`);
    lines.push("    volumes:");
    lines.push(`      - ${yamlString(`${entry.source}:${entry.dev.workdir}`)}`);
    // An anonymous volume keeps the image's copy (node_modules) visible under the bind mount.
    for (const kept of entry.dev.keepPaths) lines.push(`      - ${yamlString(kept)}`);
  }
  return `${lines.join("\n")}\n`;
}
