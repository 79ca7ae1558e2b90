// Rewrite evaluation: for every fixture project (test/fixtures/projects/*) and every service of
// the example shop, run what `shipshape fix --level rewrite` does (the planner plus the safe
// fixes, src/fix/rewrite.ts), build the original and the result and verify them against each
// other with the project's probes (src/fix/verify-rewrite.ts), then time code-change and
// dependency-change rebuilds of both (src/bench/run.ts, the `code` and `deps` scenarios with
// --compare semantics, runs alternated), and for Rust projects with real crate dependencies a
// code change on a "fresh CI runner" too: the layer cache kept (what --cache-from imports), the
// BuildKit cache mounts emptied before each timed build (`docker builder prune --filter
// type=exec.cachemount`; the engine is shared, so this empties every cache mount on it). The
// goal table of issue 14 is printed with PASS/FAIL per row and per project. See bench/README.md.
//
//   npm run bench:fix -- [--only NAME[,NAME...]] [--runs N] [--format table|json|markdown] [--no-shop]
//
// Needs a Docker Engine with the lab's base images. Exits 0 whatever the numbers (it is a
// benchmark, not a test); 2 when it cannot run.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { loadConfigFile } from "../src/audit/audit-paths.ts";
import { auditRepository } from "../src/audit/run.ts";
import { runBench } from "../src/bench/run.ts";
import { createWorkspace } from "../src/bench/workspace.ts";
import type { ScenarioName } from "../src/bench/result.ts";
import type { BuildTarget } from "../src/builds/targets.ts";
import { discoverBuildTargets } from "../src/builds/targets.ts";
import { ApiClient } from "../src/engine/api-client.ts";
import { ApiEngine } from "../src/engine/api-engine.ts";
import { chooseNetwork } from "../src/engine/network.ts";
import type { Engine } from "../src/engine/types.ts";
import { fixWithLevel } from "../src/fix/rewrite.ts";
import { probesFromConfig } from "../src/fix/verify-changes.ts";
import { rewriteIntent } from "../src/fix/expected-differences.ts";
import { verifyRewrite } from "../src/fix/verify-rewrite.ts";
import type { RewriteProbes, VerifyRewriteResult } from "../src/fix/verify-rewrite.ts";
import { scanDirectory } from "../src/repo/scan.ts";
import type { RepoSnapshot } from "../src/repo/snapshot.ts";
import { buildRepositoryView } from "../src/repo/view.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const PROJECTS = path.join(ROOT, "test/fixtures/projects");
const SHOP = path.join(ROOT, "examples/shop");
/** Every image the code-change bench builds carries it (verifyRewrite labels its own). */
const BENCH_LABEL = "shipshape.bench-fix";

/** The findings on the original that mean "the image ships build tools". */
export const BUILD_TOOL_RULES = ["final-stage-toolchain-image", "build-tools-in-runtime", "build-in-final-stage", "dev-dependencies-in-runtime"] as const;

/** The finding on the original that means "a code change re-runs the dependency install". */
export const INSTALL_AFTER_COPY_RULE = "copy-all-before-deps-install";

/** Issue 14's goals. */
export const GOALS = {
  /** Rust with real dependencies: code change, same builder and fresh CI runner. */
  rustCodeChangeReductionPercent: 80,
  /** Rust with real dependencies: the image. */
  rustSizeReductionPercent: 80,
  /** Node and Python whose original reinstalls dependencies on every code change. */
  installAfterCopyCodeChangeReductionPercent: 70,
  /** Every rewrite, code and dependency change: "never slower beyond noise" is a median at most this much slower... */
  slowerTolerancePercent: 10,
  /** ...or at most this much slower in absolute terms (sub-second builds jitter by more than 10 %). */
  slowerToleranceMs: 500,
} as const;

/** Unexpected verify differences kept per project in the JSON report. */
const MAX_LISTED_DIFFERENCES = 30;

/** A lean project counts as "unchanged or better" when it verifies, is at most this much larger and rebuilds at most this much slower (timing noise of single runs). */
const LEAN_SIZE_TOLERANCE = 0.01;
const LEAN_REBUILD_TOLERANCE = { ratio: 0.25, ms: 1_000 };

const USAGE = `usage: node bench/fix.ts [--only NAME[,NAME...]] [--runs N] [--format table|json|markdown] [--no-shop]
  --only NAME   only these projects (fixture directory names, or shop/<service>); repeatable
  --runs N      timed rebuilds of each side per scenario, alternated (default 3)
  --format F    table (default), json or markdown
  --no-shop     leave out the example shop's services`;

const CheckSchema = z.object({
  ecosystem: z.string(),
  engine: z.boolean().optional(),
  lean: z.boolean().optional(),
  why: z.string().optional(),
  http: z.object({ port: z.number(), path: z.string() }).passthrough().optional(),
  command: z.array(z.string()).optional(),
  expectStdout: z.string().optional(),
});

/** Probes for the shop's services: the shop's own `verify.services` (examples/shop/shipshape.config.yaml), as `shipshape fix --verify` uses them. */
function shopProbes(): Record<string, RewriteProbes> {
  const config = loadConfigFile(path.join(SHOP, "shipshape.config.yaml"));
  return Object.fromEntries(Object.entries(config.verify?.services ?? {}).map(([name, entry]) => [name, probesFromConfig(entry)]));
}

interface Options {
  only: string[];
  runs: number;
  format: "table" | "json" | "markdown";
  shop: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { only: [], runs: 3, format: "table", shop: true };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] as string;
    const value = (): string => {
      if (flag.includes("=")) return flag.slice(flag.indexOf("=") + 1);
      const next = argv[++index];
      if (next === undefined) fail(`${flag} needs a value`);
      return next;
    };
    if (flag === "--only" || flag.startsWith("--only=")) options.only.push(...value().split(",").filter((name) => name !== ""));
    else if (flag === "--runs" || flag.startsWith("--runs=")) {
      const text = value();
      const runs = Number(text);
      if (!Number.isInteger(runs) || runs < 1) fail(`--runs needs a positive integer, got ${text}`);
      options.runs = runs;
    } else if (flag === "--format" || flag.startsWith("--format=")) {
      const format = value();
      if (format !== "table" && format !== "json" && format !== "markdown") fail(`--format is table, json or markdown, got ${format}`);
      options.format = format;
    } else if (flag === "--no-shop") options.shop = false;
    else if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

function fail(message: string): never {
  process.stderr.write(`bench:fix: ${message}\n`);
  process.exit(2);
}

/** One project to evaluate: a Dockerfile in a repository, with its probes. */
export interface Project {
  name: string;
  /** The repository scanned for the audit and the fix (the fixture directory, or the shop). */
  repositoryRoot: string;
  /** The build target (context and Dockerfile). */
  target: BuildTarget;
  /** Repository-relative path of the Dockerfile. */
  dockerfilePath: string;
  probes: RewriteProbes | undefined;
  lean: boolean;
  /** A Rust project whose Cargo.lock lists crates from a registry (issue 14's "Rust with real dependencies"). */
  realCrates: boolean;
  /** Why the project is not built here (check.json "engine": false). */
  skip?: string;
}

/** Whether the Cargo.lock of a context lists registry crates (not only the project's own packages). */
export function hasRegistryCrates(contextDir: string): boolean {
  const lockfile = path.join(contextDir, "Cargo.lock");
  return fs.existsSync(lockfile) && /^source = "registry\+/m.test(fs.readFileSync(lockfile, "utf8"));
}

export function fixtureProjects(): Project[] {
  const projects: Project[] = [];
  for (const name of fs.readdirSync(PROJECTS).sort()) {
    const root = path.join(PROJECTS, name);
    if (!fs.existsSync(path.join(root, "Dockerfile")) || !fs.existsSync(path.join(root, "check.json"))) continue;
    const check = CheckSchema.parse(JSON.parse(fs.readFileSync(path.join(root, "check.json"), "utf8")));
    const probes: RewriteProbes = {};
    if (check.http) probes.http = { port: check.http.port, path: check.http.path };
    if (check.command) probes.smoke = [check.command.map(shellWord).join(" ")];
    projects.push({
      name,
      repositoryRoot: root,
      target: { name, contextDir: root, dockerfile: "Dockerfile", buildArgs: {}, origin: `test/fixtures/projects/${name}/Dockerfile` },
      dockerfilePath: "Dockerfile",
      probes,
      lean: check.lean === true,
      realCrates: hasRegistryCrates(root),
      ...(check.engine === false ? { skip: check.why ?? "not buildable in the lab" } : {}),
    });
  }
  return projects;
}

export function shopProjects(): Project[] {
  const probes = shopProbes();
  return discoverBuildTargets(SHOP).map((target) => ({
    name: `shop/${target.name}`,
    repositoryRoot: SHOP,
    target,
    dockerfilePath: path.relative(SHOP, path.resolve(target.contextDir, target.dockerfile)).split(path.sep).join("/"),
    probes: probes[target.name],
    lean: false,
    realCrates: hasRegistryCrates(target.contextDir),
  }));
}

/** A word for verify's --smoke text (split again like a POSIX shell would). */
function shellWord(word: string): string {
  return /^[\w./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** What the fix does to one Dockerfile: the new text and the files it creates in that Dockerfile's context. */
export interface PlannedFix {
  status: "rewritten" | "fixed" | "unchanged";
  ecosystem?: string;
  review: string[];
  after: string;
  /** Context-relative path -> text. */
  createdFiles: Record<string, string>;
  /** Rule ids of the safe fixes applied to the Dockerfile or its context. */
  safeFixes: string[];
  /** BUILD_TOOL_RULES findings on the original Dockerfile. */
  buildToolFindings: string[];
  /** The original copies the whole context before installing dependencies. */
  installAfterCopy: boolean;
}

/** Pure: the rewrite level of `shipshape fix` (review reasons accepted) on a snapshot, for one Dockerfile. */
export function planFix(snapshot: RepoSnapshot, dockerfilePath: string, contextPath: string): PlannedFix {
  // Fixture bookkeeping is not part of the project: the expected rewrite would be fixed too.
  const viewOptions = { isIgnoredPath: (file: string) => path.posix.basename(file) === "expected.Dockerfile" };
  const audit = auditRepository(buildRepositoryView(snapshot, viewOptions));
  const findings = audit.files.find((file) => file.path === dockerfilePath)?.findings ?? [];
  const installAfterCopy = findings.some((finding) => finding.rule === INSTALL_AFTER_COPY_RULE);
  const buildToolFindings = [...new Set(findings.map((finding) => finding.rule).filter((rule) => (BUILD_TOOL_RULES as readonly string[]).includes(rule)))].sort();

  const result = fixWithLevel(snapshot, { level: "rewrite", acceptReview: true, viewOptions });
  const before = snapshot.texts.get(dockerfilePath);
  if (before === undefined) throw new Error(`${dockerfilePath} is not in the snapshot`);
  const rewrite = result.rewrites.find((candidate) => candidate.path === dockerfilePath);
  const prefix = contextPath === "" ? "" : `${contextPath}/`;
  let after = before;
  const createdFiles: Record<string, string> = {};
  for (const change of result.fix.changes) {
    if (change.path === dockerfilePath) after = change.after;
    else if (change.path.startsWith(prefix) && !change.path.slice(prefix.length).includes("Dockerfile")) createdFiles[change.path.slice(prefix.length)] = change.after;
  }
  const inContext = (file: string): boolean => file === dockerfilePath || file.startsWith(prefix);
  const safeFixes = [...new Set(result.fix.applied.filter((fix) => fix.rule !== "rewrite" && inContext(fix.path)).map((fix) => fix.rule))].sort();
  const status = rewrite ? "rewritten" : after !== before || Object.keys(createdFiles).length > 0 ? "fixed" : "unchanged";
  return { status, ...(rewrite ? { ecosystem: rewrite.ecosystem } : {}), review: rewrite?.review ?? [], after, createdFiles, safeFixes, buildToolFindings, installAfterCopy };
}

/** Medians of one scenario's timed rebuilds, each side. */
export interface RebuildTiming {
  beforeMs?: number;
  afterMs?: number;
  /** (before - after) / before, in percent: negative when the rewrite is slower. */
  reductionPercent?: number;
  changedFile?: string;
  runs?: number;
  error?: string;
}

export interface ProjectReport {
  name: string;
  lean: boolean;
  status: PlannedFix["status"] | "skipped" | "error";
  ecosystem?: string;
  skipped?: string;
  review: string[];
  safeFixes: string[];
  shipsBuildTools: boolean;
  buildToolFindings: string[];
  /** The original re-runs its dependency install on every code change (copy-all-before-deps-install). */
  installAfterCopy: boolean;
  before?: { ok: boolean; sizeBytes?: number; durationMs: number; error?: string };
  after?: { ok: boolean; sizeBytes?: number; durationMs: number; error?: string };
  /** equivalent: verify found no difference; the reason otherwise. */
  verify?: {
    ok: boolean;
    checks: string;
    /** The runtime probes (smoke run, HTTP request) alone: both images answered alike. */
    probes: "passed" | "failed" | "none";
    reason?: string;
    expectedDifferences: number;
    unexpectedDifferences: string[];
  };
  sizeReductionPercent?: number;
  /** Rust with registry crates: the issue-14 Rust goal rows apply. */
  realCrates: boolean;
  /** Code change, same builder (cache mounts kept). */
  rebuild?: RebuildTiming;
  /** Dependency change (the manifest edited, dependencies unchanged), same builder. */
  dependencyChange?: RebuildTiming;
  /** Code change on a "fresh CI runner": layer cache kept, cache mounts emptied before each timed build (Rust with registry crates only). */
  freshRunner?: RebuildTiming;
  /** Lean projects: verified, not larger, not slower to rebuild (within the tolerances). */
  leanOk?: boolean;
  error?: string;
}

function reduction(before: number | undefined, after: number | undefined): number | undefined {
  if (before === undefined || after === undefined || before <= 0) return undefined;
  return Math.round(((before - after) / before) * 1000) / 10;
}

/**
 * A fresh CI runner's build cache: the layers `--cache-from` imports are there, the cache mounts
 * (never exported) are not. `docker builder prune --filter type=exec.cachemount` through the
 * Engine API; on a shared engine it empties every idle cache mount, which is why only this
 * scenario does it.
 */
export async function emptyCacheMounts(): Promise<void> {
  await new ApiClient().json("/build/prune", { method: "POST", query: { all: "1", filters: JSON.stringify({ type: ["exec.cachemount"] }) } });
}

/** Builds, verifies and (with runs > 0) times one project; runs = 0 skips the code-change rebuilds (bench:estimates needs the sizes only). */
export async function evaluate(engine: Engine, project: Project, runs: number, progress: (line: string) => void): Promise<ProjectReport> {
  const snapshot = scanDirectory(project.repositoryRoot);
  const contextPath = path.relative(project.repositoryRoot, project.target.contextDir).split(path.sep).join("/");
  const planned = planFix(snapshot, project.dockerfilePath, contextPath);
  const report: ProjectReport = {
    name: project.name,
    lean: project.lean,
    status: planned.status,
    ...(planned.ecosystem !== undefined ? { ecosystem: planned.ecosystem } : {}),
    review: planned.review,
    safeFixes: planned.safeFixes,
    shipsBuildTools: planned.buildToolFindings.length > 0,
    buildToolFindings: planned.buildToolFindings,
    installAfterCopy: planned.installAfterCopy,
    realCrates: project.realCrates,
  };
  if (project.skip !== undefined) return { ...report, status: "skipped", skipped: project.skip };
  // Builds and probes on SHIPSHAPE_NETWORK when set ("host" in the lab, which has no bridge), else the engine's default.
  const network = chooseNetwork(undefined, process.env);
  const before = snapshot.texts.get(project.dockerfilePath) ?? "";

  progress(`${project.name}: ${planned.status}${planned.safeFixes.length > 0 ? ` (safe fixes: ${planned.safeFixes.join(", ")})` : ""}; building and verifying`);
  let verified: VerifyRewriteResult;
  const intent = rewriteIntent(planned.ecosystem, planned.after);
  try {
    verified = await verifyRewrite(
      engine,
      {
        contextDir: project.target.contextDir,
        dockerfile: project.target.dockerfile,
        before,
        after: planned.after,
        createdFiles: planned.createdFiles,
        name: project.name,
        buildArgs: project.target.buildArgs,
        ...(project.target.target !== undefined ? { target: project.target.target } : {}),
        ...(project.probes !== undefined ? { probes: project.probes } : {}),
        ...(intent !== undefined ? { intent } : {}),
      },
      { onProgress: progress, ...(network !== undefined ? { network } : {}) },
    );
  } catch (error) {
    return { ...report, status: "error", error: (error as Error).message };
  }
  report.before = stripSide(verified.before);
  report.after = stripSide(verified.after);
  if (verified.verify || verified.after.ok) {
    const checks = (verified.verify?.checks ?? []).map((check) => `${check.name} ${check.status}`).join(", ");
    const expected = new Set((verified.expected ?? []).map((entry) => entry.difference));
    const unexpected = (verified.verify?.differences ?? []).filter((difference) => difference.severity === "difference" && !expected.has(difference));
    const probeChecks = (verified.verify?.checks ?? []).filter((check) => (check.name === "smoke" || check.name === "http") && check.status !== "skipped");
    report.verify = {
      ok: verified.ok,
      checks,
      // A probe difference the rewrite intends (a built page instead of the dev server's) does not fail the probe.
      probes: probeChecks.length === 0 ? "none" : unexpected.some((difference) => difference.kind === "http" || difference.kind === "smoke") ? "failed" : "passed",
      ...(verified.reason !== undefined ? { reason: verified.reason } : {}),
      expectedDifferences: expected.size,
      unexpectedDifferences: unexpected.slice(0, MAX_LISTED_DIFFERENCES).map((difference) => `${difference.kind} ${difference.subject}: ${difference.message}`),
    };
  }
  const sizeReduction = reduction(verified.before.sizeBytes, verified.after.sizeBytes);
  if (sizeReduction !== undefined) report.sizeReductionPercent = sizeReduction;

  if (runs > 0 && verified.before.ok && verified.after.ok) {
    /** Times the scenarios on both sides, alternated; rewriteOnly: the rewrite alone (its median is `afterMs`). */
    const time = async (scenarios: ScenarioName[], what: string, beforeTimedBuild?: () => Promise<void>, rewriteOnly = false): Promise<Map<ScenarioName, RebuildTiming>> => {
      progress(`${project.name}: timing ${what} (${runs} run${runs === 1 ? "" : "s"}${rewriteOnly ? " of the rewrite" : " per side, alternated"})`);
      const timings = new Map<ScenarioName, RebuildTiming>();
      try {
        const bench = await runBench(engine, [project.target], {
          runs,
          scenarios,
          ...(rewriteOnly ? {} : { compare: { argument: "rewrite", side: "after" as const, dockerfileFor: () => ({ text: planned.after, source: "rewrite" }) } }),
          labels: { [BENCH_LABEL]: "1" },
          ...(network !== undefined ? { network } : {}),
          onProgress: (line) => progress(`  ${line}`),
          ...(beforeTimedBuild ? { beforeTimedBuild } : {}),
          // Both sides share one copy of the context; the files the fix creates (.dockerignore) are
          // put in it, so the after side sees the context it would have. The before side sees it too,
          // which can only make the before side faster: the reduction is not overstated.
          createWorkspace: async (source, tempDir) => {
            const workspace = await createWorkspace(source, tempDir);
            for (const [file, text] of Object.entries(planned.createdFiles)) fs.writeFileSync(path.join(workspace.contextDir, file), text);
            return rewriteOnly ? { ...workspace, dockerfileText: planned.after } : workspace;
          },
        });
        const target = bench.targets[0];
        scenarios.forEach((scenario, index) => {
          const beforeRun = rewriteOnly ? undefined : target?.before.scenarios[index];
          const afterRun = rewriteOnly ? target?.before.scenarios[index] : target?.after?.scenarios[index];
          if (rewriteOnly) {
            timings.set(scenario, { ...(afterRun?.medianMs !== undefined ? { afterMs: afterRun.medianMs } : {}), runs: afterRun?.runs.length ?? 0, ...(afterRun?.status !== "measured" ? { error: `${afterRun?.status ?? "failed"}: ${afterRun?.reason ?? ""}` } : {}) });
            return;
          }
          const failed = [beforeRun, afterRun].find((measurement) => measurement?.status !== "measured");
          const timing: RebuildTiming = {
            ...(beforeRun?.medianMs !== undefined ? { beforeMs: beforeRun.medianMs } : {}),
            ...(afterRun?.medianMs !== undefined ? { afterMs: afterRun.medianMs } : {}),
            ...(beforeRun?.changedFile !== undefined ? { changedFile: beforeRun.changedFile } : {}),
            runs: Math.min(beforeRun?.runs.length ?? 0, afterRun?.runs.length ?? 0),
            ...(failed ? { error: `${failed.status}: ${failed.reason ?? ""}` } : {}),
          };
          const change = reduction(beforeRun?.medianMs, afterRun?.medianMs);
          if (change !== undefined) timing.reductionPercent = change;
          timings.set(scenario, timing);
        });
      } catch (error) {
        for (const scenario of scenarios) timings.set(scenario, { error: (error as Error).message });
      }
      return timings;
    };
    const sameBuilder = await time(["code", "deps"], "a code change and a dependency change on this builder");
    const code = sameBuilder.get("code");
    const deps = sameBuilder.get("deps");
    if (code) report.rebuild = code;
    if (deps) report.dependencyChange = deps;
    if (project.realCrates) {
      // The original has no cache mounts: emptying them cannot change its build, so its
      // code-change median above is its fresh-runner time too, and only the rewrite is timed again.
      const originalMounts = /--mount=type=cache/.test(before);
      const fresh = (await time(["code"], "a code change on a fresh CI runner (layer cache kept, cache mounts emptied before each timed build)", emptyCacheMounts, !originalMounts)).get("code");
      if (fresh && originalMounts) report.freshRunner = fresh;
      else if (fresh) {
        report.freshRunner = { ...fresh, ...(code?.beforeMs !== undefined ? { beforeMs: code.beforeMs } : {}), ...(code?.changedFile !== undefined ? { changedFile: code.changedFile } : {}) };
        const change = reduction(code?.beforeMs, fresh.afterMs);
        if (change !== undefined) report.freshRunner.reductionPercent = change;
      }
    }
  }
  if (project.lean) report.leanOk = leanVerdict(report);
  return report;
}

function stripSide(side: VerifyRewriteResult["before"]): NonNullable<ProjectReport["before"]> {
  return { ok: side.ok, durationMs: side.durationMs, ...(side.sizeBytes !== undefined ? { sizeBytes: side.sizeBytes } : {}), ...(side.error !== undefined ? { error: side.error } : {}) };
}

/** Lean projects must come out unchanged or better: verified, not larger, not slower to rebuild (within noise). */
export function leanVerdict(report: ProjectReport): boolean {
  if (report.status === "unchanged" && report.before?.ok === true) return true;
  if (report.verify?.ok !== true) return false;
  const beforeSize = report.before?.sizeBytes;
  const afterSize = report.after?.sizeBytes;
  if (beforeSize === undefined || afterSize === undefined || afterSize > beforeSize * (1 + LEAN_SIZE_TOLERANCE)) return false;
  const beforeMs = report.rebuild?.beforeMs;
  const afterMs = report.rebuild?.afterMs;
  if (beforeMs === undefined || afterMs === undefined) return false;
  return afterMs <= beforeMs * (1 + LEAN_REBUILD_TOLERANCE.ratio) + LEAN_REBUILD_TOLERANCE.ms;
}

export interface BenchSummary {
  projects: number;
  evaluated: number;
  skipped: number;
  /** Median size reduction (%) over the projects whose original ships build tools. */
  medianSizeReductionBuildTools?: number;
  buildToolProjects: number;
  /** Every changed project built on both sides and verified equivalent. */
  allBuildAndVerify: boolean;
  /** Every project with probes built on both sides and answered its probes alike (verify's image analysis aside). */
  allProbesPass: boolean;
  probeFailures: string[];
  failures: string[];
  /** Every lean project came out unchanged or better. */
  leanUnchangedOrBetter: boolean;
  leanProjects: number;
  /** Issue 14's goal table, one row per goal. */
  goals: GoalRow[];
  /** Per project: PASS when it builds, verifies and meets every goal row it belongs to. */
  verdicts: ProjectVerdict[];
}

/** One row of the goal table: which projects it covers, each one's value and verdict. */
export interface GoalRow {
  id: "rust-code" | "rust-fresh-runner" | "rust-deps" | "rust-size" | "install-code" | "never-slower";
  projects: string;
  scenario: string;
  goal: string;
  members: { name: string; value: string; pass: boolean }[];
  /** Every member passes; undefined when the row has no project in this run. */
  pass?: boolean;
}

export interface ProjectVerdict {
  name: string;
  pass: boolean;
  /** Why not: the goal rows (and build/verify) it misses. */
  failed: string[];
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** "Never slower than the original beyond noise": the after median at most 10 % (or 0.5 s) above the before median. */
export function withinNoise(timing: RebuildTiming | undefined): boolean {
  if (timing?.beforeMs === undefined || timing.afterMs === undefined || timing.error !== undefined) return false;
  return timing.afterMs <= timing.beforeMs * (1 + GOALS.slowerTolerancePercent / 100) || timing.afterMs - timing.beforeMs <= GOALS.slowerToleranceMs;
}

function timingText(timing: RebuildTiming | undefined): string {
  if (timing === undefined) return "not timed";
  if (timing.beforeMs === undefined || timing.afterMs === undefined) return `failed${timing.error !== undefined ? `: ${shorten(timing.error.split("\n")[0] ?? "", 80)}` : ""}`;
  return `${secondsText(timing.beforeMs)} -> ${secondsText(timing.afterMs)} (${signedReduction(timing.reductionPercent)})`;
}

function signedReduction(value: number | undefined): string {
  if (value === undefined) return "-";
  return value >= 0 ? `-${value.toFixed(1)} %` : `+${(-value).toFixed(1)} %`;
}

const INSTALL_AFTER_COPY_ECOSYSTEMS = new Set(["node", "static-web", "python"]);

export function isRustWithCrates(report: ProjectReport): boolean {
  return report.status === "rewritten" && report.ecosystem === "rust" && report.realCrates;
}

export function goalRows(reports: readonly ProjectReport[]): GoalRow[] {
  const rewritten = reports.filter((report) => report.status === "rewritten");
  const rust = rewritten.filter(isRustWithCrates);
  const installAfterCopy = rewritten.filter((report) => report.installAfterCopy && INSTALL_AFTER_COPY_ECOSYSTEMS.has(report.ecosystem ?? ""));
  const atLeast = (timing: RebuildTiming | undefined, percentGoal: number): boolean => timing?.error === undefined && timing?.reductionPercent !== undefined && timing.reductionPercent >= percentGoal;
  const row = (id: GoalRow["id"], projects: string, scenario: string, goal: string, members: readonly ProjectReport[], measure: (report: ProjectReport) => { value: string; pass: boolean }): GoalRow => {
    const measured = members.map((report) => ({ name: report.name, ...measure(report) }));
    return { id, projects, scenario, goal, members: measured, ...(measured.length > 0 ? { pass: measured.every((member) => member.pass) } : {}) };
  };
  const rustCode = GOALS.rustCodeChangeReductionPercent;
  return [
    row("rust-code", "Rust with real dependencies", "code change, same builder (cache mounts kept)", `>= ${rustCode} % faster`, rust, (report) => ({ value: timingText(report.rebuild), pass: atLeast(report.rebuild, rustCode) })),
    row("rust-fresh-runner", "Rust with real dependencies", "code change, fresh CI runner (layer cache kept, cache mounts emptied)", `>= ${rustCode} % faster`, rust, (report) => ({ value: timingText(report.freshRunner), pass: atLeast(report.freshRunner, rustCode) })),
    row("rust-deps", "Rust with real dependencies", "dependency change", `not slower (median within +${GOALS.slowerTolerancePercent} %)`, rust, (report) => ({ value: timingText(report.dependencyChange), pass: withinNoise(report.dependencyChange) })),
    row("rust-size", "Rust with real dependencies", "image size", `>= ${GOALS.rustSizeReductionPercent} % smaller`, rust, (report) => ({ value: `${megabytes(report.before?.sizeBytes)} -> ${megabytes(report.after?.sizeBytes)} (${signedReduction(report.sizeReductionPercent)})`, pass: report.sizeReductionPercent !== undefined && report.sizeReductionPercent >= GOALS.rustSizeReductionPercent })),
    row("install-code", "Node and Python whose original reinstalls dependencies on every code change", "code change", `>= ${GOALS.installAfterCopyCodeChangeReductionPercent} % faster`, installAfterCopy, (report) => ({ value: timingText(report.rebuild), pass: atLeast(report.rebuild, GOALS.installAfterCopyCodeChangeReductionPercent) })),
    row("never-slower", "every rewrite", "code change, dependency change", `never slower beyond noise (median within +${GOALS.slowerTolerancePercent} % or +${GOALS.slowerToleranceMs / 1000} s)`, rewritten, (report) => ({
      value: `code ${timingText(report.rebuild)}; deps ${timingText(report.dependencyChange)}`,
      pass: withinNoise(report.rebuild) && (withinNoise(report.dependencyChange) || report.dependencyChange?.error?.startsWith("skipped") === true),
    })),
  ];
}

export function summarizeReports(reports: readonly ProjectReport[]): BenchSummary {
  const evaluated = reports.filter((report) => report.status !== "skipped");
  const sizeReductions = evaluated.filter((report) => report.shipsBuildTools && !report.lean && report.sizeReductionPercent !== undefined).map((report) => report.sizeReductionPercent as number);
  const failures: string[] = [];
  const broken = new Map<string, string>();
  for (const report of evaluated) {
    let failure: string | undefined;
    if (report.status === "error") failure = report.error ?? "error";
    else if (report.before?.ok !== true) failure = "the original does not build";
    else if (report.after?.ok !== true) failure = "the fixed Dockerfile does not build";
    else if (report.verify?.ok !== true) failure = `verify: ${report.verify?.reason ?? "not equivalent"}`;
    if (failure !== undefined) {
      failures.push(`${report.name}: ${failure}`);
      broken.set(report.name, failure);
    }
  }
  const probeFailures = evaluated.filter((report) => report.before?.ok !== true || report.after?.ok !== true || report.verify?.probes === "failed").map((report) => report.name);
  const lean = evaluated.filter((report) => report.lean);
  const medianSize = median(sizeReductions);
  const goals = goalRows(evaluated);
  const verdicts = evaluated.map((report): ProjectVerdict => {
    const failed: string[] = [];
    const failure = broken.get(report.name);
    if (failure !== undefined) failed.push(shorten(failure.split("\n")[0] ?? failure, 120));
    if (report.lean && report.leanOk !== true) failed.push("lean project not unchanged or better");
    for (const goal of goals) if (goal.members.some((member) => member.name === report.name && !member.pass)) failed.push(`${goal.scenario}: ${goal.goal}`);
    return { name: report.name, pass: failed.length === 0, failed };
  });
  return {
    projects: reports.length,
    evaluated: evaluated.length,
    skipped: reports.length - evaluated.length,
    ...(medianSize !== undefined ? { medianSizeReductionBuildTools: medianSize } : {}),
    buildToolProjects: sizeReductions.length,
    allBuildAndVerify: failures.length === 0,
    failures,
    allProbesPass: probeFailures.length === 0,
    probeFailures,
    leanUnchangedOrBetter: lean.every((report) => report.leanOk === true),
    leanProjects: lean.length,
    goals,
    verdicts,
  };
}

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? "-" : `${(bytes / 1e6).toFixed(1)} MB`;
}

function secondsText(ms: number | undefined): string {
  return ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;
}

function percent(value: number | undefined): string {
  return value === undefined ? "-" : `${value.toFixed(1)} %`;
}

function builtText(side: ProjectReport["before"]): string {
  return side === undefined ? "-" : side.ok ? "ok" : "FAIL";
}

function verifyText(report: ProjectReport): string {
  if (report.status === "skipped") return "skipped";
  if (report.status === "error") return "error";
  if (!report.verify) return "-";
  if (report.verify.ok) return "equivalent";
  const unexpected = report.verify.unexpectedDifferences.length;
  const differences = `${unexpected}${unexpected >= MAX_LISTED_DIFFERENCES ? "+" : ""} unexpected`;
  return report.verify.probes === "failed" ? `PROBE FAILED, ${differences}` : `probes ok, ${differences}`;
}

const COLUMNS = ["project", "change", "build before/after", "verify", "size before", "size after", "size -%", "code change before", "after", "-%", "dependency change before", "after", "-%", "fresh CI runner before", "after", "-%", "install after COPY .", "verdict"];
const NUMERIC_COLUMNS = new Set([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

function timingCells(timing: RebuildTiming | undefined): string[] {
  if (timing?.error !== undefined && (timing.beforeMs === undefined || timing.afterMs === undefined)) return ["failed", "-", "-"];
  return [secondsText(timing?.beforeMs), secondsText(timing?.afterMs), timing?.reductionPercent === undefined ? "-" : percent(timing.reductionPercent)];
}

function rows(reports: readonly ProjectReport[], verdicts: readonly ProjectVerdict[]): string[][] {
  return reports.map((report) => {
    const verdict = verdicts.find((entry) => entry.name === report.name);
    return [
      report.name + (report.lean ? " (lean)" : "") + (report.realCrates ? " (crates)" : ""),
      report.status === "skipped" ? `skipped: ${report.skipped ?? ""}` : report.status,
      `${builtText(report.before)}/${builtText(report.after)}`,
      verifyText(report),
      megabytes(report.before?.sizeBytes),
      megabytes(report.after?.sizeBytes),
      percent(report.sizeReductionPercent),
      ...timingCells(report.rebuild),
      ...timingCells(report.dependencyChange),
      ...(report.freshRunner === undefined ? ["-", "-", "-"] : timingCells(report.freshRunner)),
      report.installAfterCopy ? "yes" : "no",
      verdict === undefined ? "-" : verdict.pass ? "PASS" : "FAIL",
    ];
  });
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

const GOAL_COLUMNS = ["projects", "scenario", "goal", "measured (median before -> after)", "result"];

function goalTableRows(summary: BenchSummary): string[][] {
  return summary.goals.map((goal) => [
    goal.projects,
    goal.scenario,
    goal.goal,
    goal.members.length === 0 ? "no project in this run" : goal.members.map((member) => `${member.name}: ${member.value}${member.pass ? "" : " FAIL"}`).join("; "),
    goal.pass === undefined ? "n/a" : goal.pass ? "PASS" : `FAIL (${goal.members.filter((member) => !member.pass).length} of ${goal.members.length})`,
  ]);
}

/** Go has no module proxy here: its fixtures are standard-library only, and the goal table says so. */
export const GO_NOTE = "Go: standard library only (no Go module proxy in the lab), so the Go rewrites are in the 'every rewrite' row only; no Go project with module dependencies is measured.";

function summaryLines(summary: BenchSummary): string[] {
  const verdict = (ok: boolean): string => (ok ? "PASS" : "FAIL");
  const failing = summary.verdicts.filter((entry) => !entry.pass);
  return [
    `projects: ${summary.projects} (${summary.evaluated} built, ${summary.skipped} skipped: not buildable in the lab)`,
    `projects meeting every goal that applies to them: ${summary.verdicts.length - failing.length} of ${summary.verdicts.length} — ${verdict(failing.length === 0)}`,
    ...failing.map((entry) => `  ${entry.name}: ${entry.failed.join("; ")}`),
    `median image size reduction, projects that ship build tools (${summary.buildToolProjects}): ${percent(summary.medianSizeReductionBuildTools)}`,
    `every rewrite builds and answers its probes (smoke/HTTP) like the original: ${summary.allProbesPass ? "yes" : `no (${summary.probeFailures.join(", ")})`}`,
    `every rewrite builds and verifies (verify-rewrite: probes and image analysis, no unexpected difference): ${summary.allBuildAndVerify ? "yes" : "no"} — ${verdict(summary.allBuildAndVerify)}`,
    ...summary.failures.map((failure) => `  ${shorten(failure.split("\n")[0] ?? failure, 200)}`),
    `lean projects unchanged or better (${summary.leanProjects}): ${summary.leanUnchangedOrBetter ? "yes" : "no"} — ${verdict(summary.leanUnchangedOrBetter)}`,
    GO_NOTE,
  ];
}

function alignedTable(header: readonly string[], body: readonly string[][], numeric: ReadonlySet<number>): string[] {
  const table = [header, ...body];
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? "").length)));
  return table.map((row) => row.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd());
}

export function renderTable(reports: readonly ProjectReport[], summary: BenchSummary): string {
  const goals = goalTableRows(summary).map((row) => [row[0] ?? "", row[1] ?? "", row[2] ?? "", row[4] ?? "", row[3] ?? ""]);
  return [
    "Goals (issue 14):",
    ...alignedTable([GOAL_COLUMNS[0] ?? "", GOAL_COLUMNS[1] ?? "", GOAL_COLUMNS[2] ?? "", GOAL_COLUMNS[4] ?? "", GOAL_COLUMNS[3] ?? ""], goals, new Set()),
    "",
    ...alignedTable(COLUMNS, rows(reports, summary.verdicts), NUMERIC_COLUMNS),
    "",
    ...summaryLines(summary),
  ].join("\n");
}

export function renderMarkdown(reports: readonly ProjectReport[], summary: BenchSummary): string {
  const escape = (cell: string): string => cell.replace(/\|/g, "\\|");
  const table = (header: readonly string[], body: readonly string[][], numeric: ReadonlySet<number>): string[] => [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, column) => (numeric.has(column) ? "---:" : "---")).join(" | ")} |`,
    ...body.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ];
  return [
    ...table(GOAL_COLUMNS, goalTableRows(summary), new Set()),
    "",
    ...table(COLUMNS, rows(reports, summary.verdicts), NUMERIC_COLUMNS),
    "",
    ...summaryLines(summary).map((text) => (text.startsWith("  ") ? `  - ${text.trim()}` : `- ${text}`)),
  ].join("\n");
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const engine = new ApiEngine();
  try {
    await engine.ping();
  } catch (error) {
    fail(`no Docker Engine answers: ${(error as Error).message}`);
  }
  let projects = [...fixtureProjects(), ...(options.shop ? shopProjects() : [])];
  if (options.only.length > 0) {
    const unknown = options.only.filter((name) => !projects.some((project) => project.name === name));
    if (unknown.length > 0) fail(`unknown project ${unknown.join(", ")}; known: ${projects.map((project) => project.name).join(", ")}`);
    projects = projects.filter((project) => options.only.includes(project.name));
  }
  const started = performance.now();
  const progress = (line: string): void => {
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  };
  const reports: ProjectReport[] = [];
  for (const project of projects) reports.push(await evaluate(engine, project, options.runs, progress));
  const summary = summarizeReports(reports);
  const durationSeconds = Math.round((performance.now() - started) / 1000);
  if (options.format === "json") process.stdout.write(`${JSON.stringify({ runs: options.runs, durationSeconds, goals: GOALS, summary, projects: reports }, null, 2)}\n`);
  else if (options.format === "markdown") process.stdout.write(`${renderMarkdown(reports, summary)}\n\n${durationSeconds} s, ${options.runs} alternated timed rebuild(s) per side and scenario\n`);
  else process.stdout.write(`${renderTable(reports, summary)}\n${durationSeconds} s, ${options.runs} alternated timed rebuild(s) per side and scenario\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
