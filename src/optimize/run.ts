// `shipshape optimize`: the whole optimization in one run, over the existing modules. Baseline
// (bench) -> audit -> change (safe fixes, .dockerignore files, multi-stage rewrites, dev targets
// and a compose dev override: src/fix; consolidation + docker-bake.hcl: src/fix/consolidate.ts),
// each change verified by building it next to the original and comparing the images -> measure
// again (bench) -> documents. It works on `root`, which the caller chose: a temporary git worktree
// on a new branch (the default) or the user's tree (--write). Writing, committing and recording
// metrics are the caller's functions; everything the engine builds is removed when a step ends,
// and the AbortSignal (Ctrl-C) stops the run with the same clean-up.
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { auditPaths, openTarget } from "../audit/audit-paths.ts";
import type { AuditResult } from "../audit/result.ts";
import { benchRecords } from "../bench/records.ts";
import type { BenchResult, ScenarioName } from "../bench/result.ts";
import { runBench } from "../bench/run.ts";
import { buildImage } from "../builds/run-builds.ts";
import type { BuildTarget } from "../builds/targets.ts";
import { discoverBuildTargets, repositoryNameOf } from "../builds/targets.ts";
import { UsageError } from "../errors.ts";
import type { Engine } from "../engine/types.ts";
import { parseDockerfiles, planConsolidation } from "../fix/consolidate.ts";
import type { ConsolidatePlan } from "../fix/consolidate.ts";
import { rewriteIntent } from "../fix/expected-differences.ts";
import type { RewriteIntent } from "../fix/expected-differences.ts";
import { fixWithLevel } from "../fix/rewrite.ts";
import type { LeveledFixResult } from "../fix/rewrite.ts";
import { probesFromConfig, verifyChanges } from "../fix/verify-changes.ts";
import type { VerifiedChange } from "../fix/verify-changes.ts";
import { formatBytes } from "../format/index.ts";
import { analyzeImageStream } from "../image/layers.ts";
import { bytesOf } from "../image/archive.ts";
import type { MetricsRecord } from "../metrics/record.ts";
import { buildRepositoryView } from "../repo/view.ts";
import type { RepoSnapshot } from "../repo/snapshot.ts";
import type { FileChange } from "../fix/run-fixes.ts";
import { isDockerfileName, isDockerignoreName } from "../repo/kinds.ts";
import { isEquivalent } from "../verify/result.ts";
import { verifyImages } from "../verify/run.ts";
import type { OptimizeProgress } from "./progress.ts";
import type { ChangeOutcome, CommitRecord, ImageLayers, OptimizeResult } from "./result.ts";
import { plural } from "../format/index.ts";

/** Every image optimize builds itself (consolidation checks, layer reads) carries this label. */
export const OPTIMIZE_LABEL = "shipshape.optimize";

export interface OptimizeContext {
  engine: Engine;
  /** The directory to optimize (absolute): in the temporary worktree, or the user's own with --write. */
  root: string;
  /** How the user named it, for the documents. */
  displayTarget: string;
  configPath?: string;
  runs: number;
  scenarios: ScenarioName[];
  /** Only these compose services (empty: all). */
  services: string[];
  network?: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  progress: OptimizeProgress;
  mode: "branch" | "write";
  branch?: string;
  baseCommit?: string;
  /** Writes a file (atomically with --write). */
  writeFile: (absolute: string, text: string) => void;
  removeFile: (absolute: string) => void;
  /** Commits the step (branch mode); undefined when nothing changed or in --write mode. */
  commit: (subject: string, body?: string) => CommitRecord | undefined;
  /** Appends measurements to the metrics history: "baseline" for the user's commit, "after" for the optimized one. */
  record: (records: MetricsRecord[], phase: "baseline" | "after") => Promise<void>;
  /** Renders the documents once the result is known (the CLI supplies the history for the HTML report). */
  documents: (result: OptimizeResult, audit: AuditResult) => Promise<{ path: string; text: string }[]>;
  now: () => Date;
  /** Read the optimized images' layers for the report (default true). */
  readLayers?: boolean;
}

export const OPTIMIZE_DOCUMENTS = {
  audit: "docs/docker-optimization-audit.md",
  strategy: "docs/docker-optimization-strategy.md",
  report: "docs/docker-optimization-report.html",
} as const;

/** What --dry-run prints: the changes that would be tried, before any build. */
export interface OptimizePlan {
  targets: BuildTarget[];
  audit: AuditResult;
  fix: LeveledFixResult;
  consolidation: ConsolidatePlan;
  composeDev: boolean;
}

/** Everything optimize would try, from the files alone (no engine). */
export function planOptimization(root: string, options: { configPath?: string; services: string[]; env: Record<string, string | undefined> }): OptimizePlan {
  const targets = discoverBuildTargets(root, { services: options.services, env: options.env });
  const audit = auditPaths(["."], { cwd: root, ...(options.configPath !== undefined ? { configPath: options.configPath } : {}) });
  const opened = openTarget(".", { cwd: root, configPath: options.configPath });
  const view = buildRepositoryView(opened.snapshot, opened.viewOptions);
  const composeDev = view.composeFiles.length > 0;
  const fix = fixWithLevel(opened.snapshot, { config: opened.config, viewOptions: opened.viewOptions, level: "rewrite", dev: composeDev, acceptReview: false });
  // Consolidation is planned on the files as the fix step would leave them (if every change verifies).
  const fixed = buildRepositoryView(withChanges(opened.snapshot, fix.fix.changes), opened.viewOptions);
  const consolidation = planConsolidation(fixed, parseDockerfiles(fixed));
  return { targets, audit, fix, consolidation, composeDev };
}

/** The snapshot with the changes applied (created files added), in memory. */
function withChanges(snapshot: RepoSnapshot, changes: readonly FileChange[]): RepoSnapshot {
  const texts = new Map(snapshot.texts);
  const files = new Map(snapshot.files.map((file) => [file.path, file]));
  for (const change of changes) {
    texts.set(change.path, change.after);
    files.set(change.path, { path: change.path, size: Buffer.byteLength(change.after), gitignored: files.get(change.path)?.gitignored ?? false });
  }
  return { ...snapshot, texts, files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

export async function runOptimize(context: OptimizeContext): Promise<{ result: OptimizeResult; audit: AuditResult }> {
  const { engine, root, progress, signal } = context;
  const startedAt = context.now();
  const phaseSeconds: Record<string, number> = {};
  let phaseStart = performance.now();
  let currentPhase = "";
  const enter = (phase: string): void => {
    if (currentPhase !== "") phaseSeconds[currentPhase] = round1((performance.now() - phaseStart) / 1000);
    currentPhase = phase;
    phaseStart = performance.now();
    progress.phase(phase);
  };
  const repositoryName = repositoryNameOf(root);
  const commits: CommitRecord[] = [];
  const changes: ChangeOutcome[] = [];
  const commit = (subject: string, body?: string): void => {
    const done = context.commit(subject, body);
    if (done !== undefined) {
      commits.push(done);
      progress.line(`committed ${done.sha.slice(0, 12)} ${subject}`);
    }
  };
  let measuring = "baseline";
  const benchOptions = {
    runs: context.runs,
    scenarios: context.scenarios,
    signal,
    ...(context.network !== undefined ? { network: context.network } : {}),
    describeDockerfile: (target: BuildTarget) => posixRelative(root, path.resolve(target.contextDir, target.dockerfile)),
    // The bench calls its one side "before"; in the second measurement that side is the optimized one.
    onProgress: (line: string) => progress.line(measuring === "after" ? line.replace(/^(\S+) before /, "$1 optimized ") : line.replace(/^(\S+) before /, "$1 original ")),
    onStart: (step: { target: string; side: string; scenario: string; run: number; runs: number }) => progress.status(`${step.target}: ${step.scenario} build ${step.run}/${step.runs}`),
  };

  // 1. Baseline.
  enter("baseline");
  const targets = discoverBuildTargets(root, { services: context.services, env: context.env });
  if (targets.length === 0) throw new UsageError(`nothing to optimize in ${context.displayTarget}: no compose service with build: and no Dockerfile`);
  progress.line(`${plural(targets.length, "image")}: ${targets.map((target) => target.name).join(", ")}; scenarios ${context.scenarios.join(", ")}, ${plural(context.runs, "run")} each`);
  const loadBaseline = round1(os.loadavg()[0] ?? 0);
  const baseline = await runBench(engine, targets, benchOptions);
  await context.record(benchRecords(baseline, targets, repositoryName), "baseline");

  // 2. Audit.
  enter("audit");
  const audit = auditPaths(["."], { cwd: root, ...(context.configPath !== undefined ? { configPath: context.configPath } : {}) });
  const findings = audit.files.flatMap((file) => file.findings);
  const byImpact: Record<string, number> = {};
  for (const finding of findings) byImpact[finding.impact] = (byImpact[finding.impact] ?? 0) + 1;
  progress.line(`${plural(findings.length, "finding")} in ${plural(audit.files.length, "file")} (${Object.entries(byImpact).map(([impact, count]) => `${count} ${impact}`).join(", ") || "none"})`);

  // 3a. Safe fixes, .dockerignore files, rewrites, dev targets: each Dockerfile verified.
  enter("fix");
  await fixStep(context, changes);
  commit("shipshape optimize: safe fixes, .dockerignore files and multi-stage rewrites (each verified)", changeBody(changes.filter((change) => change.step === "fix")));

  // 3b. Consolidation of near-duplicate Dockerfiles.
  enter("consolidate");
  const notConsolidated = await consolidateStep(context, changes);
  commit("shipshape optimize: consolidate near-duplicate Dockerfiles (+ docker-bake.hcl, verified)", changeBody(changes.filter((change) => change.step === "consolidate")));

  // 4. Measure again.
  enter("measure");
  let after: BenchResult | undefined;
  let loadAfter: number | undefined;
  const layers: ImageLayers[] = [];
  let finalTargets = targets;
  if (changes.some((change) => change.applied)) {
    const optimizedTargets = discoverBuildTargets(root, { services: context.services, env: context.env });
    measuring = "after";
    finalTargets = optimizedTargets;
    loadAfter = round1(os.loadavg()[0] ?? 0);
    after = await runBench(engine, optimizedTargets, benchOptions);
    await context.record(benchRecords(after, optimizedTargets, repositoryName), "after");
    if (context.readLayers !== false) layers.push(...(await readLayers(context, optimizedTargets)));
  } else progress.line("nothing changed: no second measurement");

  // 5. Documents.
  enter("documents");
  const result: OptimizeResult = {
    version: 1,
    target: context.displayTarget,
    startedAt: startedAt.toISOString(),
    finishedAt: context.now().toISOString(),
    mode: context.mode,
    ...(context.branch !== undefined ? { branch: context.branch } : {}),
    ...(context.baseCommit !== undefined ? { baseCommit: context.baseCommit } : {}),
    runs: context.runs,
    scenarios: context.scenarios,
    baseline,
    ...(after !== undefined ? { after } : {}),
    changes,
    notConsolidated,
    commits,
    documents: Object.values(OPTIMIZE_DOCUMENTS).map((file) => posixRelative(root, path.join(root, file))),
    layers,
    phaseSeconds,
    audit: { findings: findings.length, byImpact, files: audit.files.length },
    buildCommands: finalTargets.map((target) => ({ image: target.name, command: buildCommand(root, target) })),
    machine: { cpus: os.availableParallelism(), loadBaseline, ...(loadAfter !== undefined ? { loadAfter } : {}) },
  };
  phaseSeconds.documents = 0;
  const documents = await context.documents(result, audit);
  for (const document of documents) {
    context.writeFile(path.join(root, ...document.path.split("/")), document.text);
    await new Promise((resolve) => setImmediate(resolve));
  }
  commit("shipshape optimize: docs/docker-optimization-audit.md, docs/docker-optimization-strategy.md and the HTML report");
  phaseSeconds.documents = round1((performance.now() - phaseStart) / 1000);
  result.finishedAt = context.now().toISOString();
  return { result, audit };
}

async function fixStep(context: OptimizeContext, changes: ChangeOutcome[]): Promise<void> {
  const { engine, root, progress } = context;
  const opened = openTarget(".", { cwd: root, configPath: context.configPath });
  const view = buildRepositoryView(opened.snapshot, opened.viewOptions);
  const dev = view.composeFiles.length > 0;
  const fixOptions = { config: opened.config, viewOptions: opened.viewOptions, level: "rewrite" as const, dev, acceptReview: false };
  let leveled = fixWithLevel(opened.snapshot, fixOptions);
  const intents: Record<string, RewriteIntent> = {};
  for (const rewrite of leveled.rewrites) {
    const intent = rewrite.status === "applied" ? rewriteIntent(rewrite.ecosystem, rewrite.after) : undefined;
    if (intent !== undefined) intents[rewrite.path] = intent;
  }
  const rewriteCount = leveled.rewrites.filter((rewrite) => rewrite.status === "applied").length;
  progress.line(leveled.fix.changes.length === 0 ? "no fix or rewrite applies" : `${plural(leveled.fix.changes.length, "file")} to change (${plural(rewriteCount, "rewrite")}); building and verifying each changed Dockerfile against its original`);
  const verified = await verifyChanges(
    engine,
    { root: opened.snapshot.root, target: root, changes: leveled.fix.changes, dockerfiles: view.dockerfiles, configured: opened.config.verify?.services ?? {}, intents, shellEnv: context.env },
    { onProgress: (message) => progress.status(message), signal: context.signal, ...(context.network !== undefined ? { network: context.network } : {}) },
  );
  const failed = new Set(verified.filter((entry) => !entry.ok).map((entry) => entry.dockerfile));
  for (const entry of verified) progress.line(`${entry.dockerfile}: ${entry.ok ? "verified" : `left out: ${firstLine(failureReason(entry))}`}`);
  const planned = leveled;
  if (failed.size > 0) leveled = fixWithLevel(opened.snapshot, { ...fixOptions, leaveAlone: failed });

  for (const change of leveled.fix.changes) {
    context.writeFile(path.join(root, ...change.path.split("/")), change.after);
    // An atomic write holds the signals until the next turn: let it release them before the next one.
    await new Promise((resolve) => setImmediate(resolve));
  }

  const applied = new Set(leveled.fix.changes.map((change) => change.path));
  for (const change of planned.fix.changes) {
    const isApplied = applied.has(change.path);
    const rewrite = planned.rewrites.find((candidate) => candidate.path === change.path && candidate.status === "applied");
    const rules = [...new Set(planned.fix.applied.filter((fix) => fix.path === change.path && fix.rule !== "rewrite").map((fix) => fix.rule))];
    const what = rewrite !== undefined ? `multi-stage rewrite (${rewrite.ecosystem})${rewrite.dev !== undefined ? " with a dev target" : ""}${rules.length > 0 ? ` + ${rules.join(", ")}` : ""}` : change.before === undefined ? describeCreated(change.path) : `fixes: ${rules.join(", ") || "text edits"}`;
    const outcome: ChangeOutcome = { step: "fix", path: change.path, what, applied: isApplied };
    const entry = verified.find((candidate) => candidate.dockerfile === change.path);
    if (!isApplied) outcome.reason = entry !== undefined ? failureReason(entry) : "its Dockerfile did not verify";
    else outcome.verification = verificationOf(change.path, entry, verified);
    changes.push(outcome);
  }
  for (const rewrite of planned.rewrites.filter((candidate) => candidate.status === "needs-review")) {
    changes.push({ step: "fix", path: rewrite.path, what: `multi-stage rewrite (${rewrite.ecosystem})`, applied: false, reason: `needs review: ${rewrite.review.join("; ")}` });
  }
  for (const note of leveled.devNotes) progress.line(note);
}

function describeCreated(file: string): string {
  const name = path.posix.basename(file);
  if (isDockerignoreName(name)) return "new .dockerignore (build context without the files the image does not need)";
  if (name === "compose.dev.yaml") return "compose dev override (dev targets, sources mounted)";
  return "new file";
}

function verificationOf(file: string, entry: VerifiedChange | undefined, verified: readonly VerifiedChange[]): string {
  const describe = (candidate: VerifiedChange): string => `built and verified${candidate.probed ? " with the configured probes" : " (files, configuration, executables)"}`;
  if (entry !== undefined) return `${describe(entry)}: ${entry.results.map((result) => `${result.name} ${formatBytes(result.before.sizeBytes ?? 0)} → ${formatBytes(result.after.sizeBytes ?? 0)}`).join(", ")}`;
  const name = path.posix.basename(file);
  if (isDockerignoreName(name)) {
    const directory = path.posix.dirname(file);
    const covering = verified.filter((candidate) => candidate.ok && (directory === "." || candidate.dockerfile.startsWith(`${directory}/`)));
    return covering.length > 0 ? `verified with the builds of ${covering.map((candidate) => candidate.dockerfile).join(", ")}` : "verified with the builds of its context";
  }
  if (name === "compose.dev.yaml") return "names the dev targets of the verified rewrites; the dev targets are for development and are not compared with production images";
  if (isDockerfileName(name)) return "text change";
  return "-";
}

function failureReason(entry: VerifiedChange): string {
  return entry.results.find((result) => !result.ok)?.reason ?? "did not verify";
}

/** Consolidates near-duplicate Dockerfiles when every consolidated target builds an image equivalent to its original. */
async function consolidateStep(context: OptimizeContext, changes: ChangeOutcome[]): Promise<{ dockerfiles: string[]; reason: string }[]> {
  const { engine, root, progress } = context;
  const opened = openTarget(".", { cwd: root, configPath: context.configPath });
  const view = buildRepositoryView(opened.snapshot, opened.viewOptions);
  const plan = planConsolidation(view, parseDockerfiles(view));
  const notConsolidated = plan.skipped.map((skipped) => ({ dockerfiles: skipped.dockerfiles, reason: skipped.reason }));
  for (const skipped of notConsolidated) progress.line(`not consolidated: ${skipped.dockerfiles.join(", ")}: ${skipped.reason}`);
  if (plan.groups.length === 0) {
    if (notConsolidated.length === 0) progress.line("no near-duplicate Dockerfiles");
    return notConsolidated;
  }
  const before = discoverBuildTargets(root, { env: context.env });
  const nonce = randomBytes(4).toString("hex");
  const built: string[] = [];
  const build = async (target: BuildTarget, side: string): Promise<string | undefined> => {
    const tag = `shipshape-optimize/${tagComponent(target.name)}:${side}-${nonce}`;
    progress.status(`${target.name}: building the ${side === "before" ? "original" : "consolidated"} Dockerfile`);
    const report = await buildImage(engine, target, { tag, labels: { [OPTIMIZE_LABEL]: "consolidate" }, signal: context.signal, ...(context.network !== undefined ? { network: context.network } : {}) });
    if (!report.ok) return undefined;
    built.push(tag);
    return tag;
  };
  try {
    for (const group of plan.groups) {
      const problems: string[] = [];
      const originals = new Map<string, string>();
      for (const service of group.services) {
        const original = before.find((target) => posixRelative(root, path.resolve(target.contextDir, target.dockerfile)) === service.dockerfile);
        if (original === undefined) {
          problems.push(`${service.dockerfile}: no build target found`);
          continue;
        }
        const tag = await build(original, "before");
        if (tag === undefined) problems.push(`${service.dockerfile}: the original does not build`);
        else originals.set(service.target, tag);
      }
      const groupChanges = plan.changes.filter((change) => change.path === group.dockerfile || change.path === group.ignoreFile || change.path === group.bakeFile || group.services.some((service) => service.dockerfile === change.path || service.composeServices.some((compose) => compose.file === change.path)));
      const applyChanges = (): void => {
        for (const change of groupChanges) {
          const absolute = path.join(root, ...change.path.split("/"));
          if (change.after === undefined) context.removeFile(absolute);
          else context.writeFile(absolute, change.after);
        }
      };
      const revert = (): void => {
        for (const change of groupChanges) {
          const absolute = path.join(root, ...change.path.split("/"));
          if (change.before === undefined) context.removeFile(absolute);
          else context.writeFile(absolute, change.before);
        }
      };
      if (problems.length === 0) {
        applyChanges();
        for (const service of group.services) {
          const original = before.find((target) => posixRelative(root, path.resolve(target.contextDir, target.dockerfile)) === service.dockerfile) as BuildTarget;
          const consolidated: BuildTarget = { ...original, contextDir: path.join(root, ...group.context.split("/").filter(Boolean)), dockerfile: path.posix.relative(group.context, group.dockerfile), target: service.target };
          const tag = await build(consolidated, "after");
          const beforeTag = originals.get(service.target) as string;
          if (tag === undefined) {
            problems.push(`target ${service.target} does not build`);
            continue;
          }
          const key = opened.config.verify?.services?.[original.name] !== undefined ? original.name : service.dockerfile;
          const probes = probesFromConfig(opened.config.verify?.services?.[key], key);
          const verdict = await verifyImages(engine, {
            before: beforeTag,
            after: tag,
            ...(probes.smoke !== undefined ? { smoke: probes.smoke } : {}),
            ...(probes.http !== undefined ? { http: [probes.http] } : {}),
            ...(probes.env !== undefined ? { env: probes.env } : {}),
            ...(context.network !== undefined ? { network: context.network } : {}),
            onProgress: (message) => progress.status(`${service.target}: verify: ${message}`),
          });
          if (!isEquivalent(verdict.differences)) problems.push(`target ${service.target} differs from ${service.dockerfile}: ${verdict.differences.filter((difference) => difference.severity === "difference").slice(0, 3).map((difference) => `${difference.kind} ${difference.subject}`).join("; ")}`);
        }
        if (problems.length > 0) revert();
      }
      const ok = problems.length === 0;
      progress.line(`${group.dockerfile}: ${ok ? `consolidated ${group.services.map((service) => service.dockerfile).join(", ")} (verified)` : `left out: ${problems.join("; ")}`}`);
      for (const change of groupChanges) {
        const what = change.after === undefined ? `removed: now target ${group.services.find((service) => service.dockerfile === change.path)?.target ?? "?"} of ${group.dockerfile}` : change.path === group.bakeFile ? "docker-bake.hcl: one target per service" : change.path === group.dockerfile ? `one Dockerfile with a target per service (${Math.round(group.similarity * 100)}% similar)` : change.before === undefined ? "ignore file of the new build context" : "compose build: points at the new targets";
        changes.push({ step: "consolidate", path: change.path, what, applied: ok, ...(ok ? { verification: "each target built and verified against its original image" } : { reason: problems.join("; ") }) });
      }
    }
  } finally {
    for (const tag of built) await engine.removeImage(tag).catch(() => undefined);
  }
  return notConsolidated;
}

/** Builds each optimized image once (from the cache the measurement left) and reads its layers. */
async function readLayers(context: OptimizeContext, targets: readonly BuildTarget[]): Promise<ImageLayers[]> {
  const layers: ImageLayers[] = [];
  const nonce = randomBytes(4).toString("hex");
  for (const target of targets) {
    context.signal.throwIfAborted();
    const tag = `shipshape-optimize/${tagComponent(target.name)}:layers-${nonce}`;
    context.progress.status(`${target.name}: reading the layers`);
    try {
      const report = await buildImage(context.engine, target, { tag, labels: { [OPTIMIZE_LABEL]: "layers" }, signal: context.signal, skipInspect: true, ...(context.network !== undefined ? { network: context.network } : {}) });
      if (!report.ok) continue;
      const analysis = await analyzeImageStream(bytesOf(await context.engine.exportImage(tag)));
      layers.push({
        image: target.name,
        sizeBytes: analysis.sizeBytes,
        wastedBytes: analysis.wastedBytes,
        efficiency: analysis.efficiency,
        layers: analysis.layers.map((layer) => ({ instruction: layer.instruction, sizeBytes: layer.sizeBytes, wastedBytes: layer.hiddenByLaterBytes })),
      });
      context.progress.line(`${target.name}: ${analysis.layers.length} layers, ${formatBytes(analysis.sizeBytes)}, ${formatBytes(analysis.wastedBytes)} wasted`);
    } catch (error) {
      if (context.signal.aborted) throw error;
      context.progress.line(`${target.name}: layers not read: ${firstLine((error as Error).message)}`);
    } finally {
      await context.engine.removeImage(tag).catch(() => undefined);
    }
  }
  return layers;
}

/** `docker compose build api`, or `docker build -f services/api/Dockerfile --target api services`. */
function buildCommand(root: string, target: BuildTarget): string {
  if (target.compose !== undefined) return `docker compose build ${target.name}`;
  const context = posixRelative(root, target.contextDir) || ".";
  const dockerfile = posixRelative(root, path.resolve(target.contextDir, target.dockerfile));
  const defaultFile = dockerfile === `${context === "." ? "" : `${context}/`}Dockerfile`;
  return `docker build ${defaultFile ? "" : `-f ${dockerfile} `}${target.target !== undefined ? `--target ${target.target} ` : ""}${context}`;
}

function changeBody(changes: readonly ChangeOutcome[]): string | undefined {
  if (changes.length === 0) return undefined;
  return changes.map((change) => `- ${change.path}: ${change.what}${change.applied ? "" : ` (left out: ${firstLine(change.reason ?? "")})`}`).join("\n");
}

function tagComponent(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "");
  return cleaned === "" ? "image" : cleaned.slice(0, 100);
}

function posixRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join("/");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

