// Rewrite evaluation: for every fixture project (test/fixtures/projects/*) and every service of
// the example shop, run what `shipshape fix --level rewrite` does (the planner plus the safe
// fixes, src/fix/rewrite.ts), build the original and the result and verify them against each
// other with the project's probes (src/fix/verify-rewrite.ts), then time a code-change rebuild of
// both (src/bench/run.ts, the `code` scenario with --compare semantics). See bench/README.md.
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
import type { BuildTarget } from "../src/builds/targets.ts";
import { discoverBuildTargets } from "../src/builds/targets.ts";
import { ApiEngine } from "../src/engine/api-engine.ts";
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

export const GOALS = { sizeReductionPercent: 60, rebuildReductionPercent: 70 } as const;

/** Unexpected verify differences kept per project in the JSON report. */
const MAX_LISTED_DIFFERENCES = 30;

/** A lean project counts as "unchanged or better" when it verifies, is at most this much larger and rebuilds at most this much slower (timing noise of single runs). */
const LEAN_SIZE_TOLERANCE = 0.01;
const LEAN_REBUILD_TOLERANCE = { ratio: 0.25, ms: 1_000 };

const USAGE = `usage: node bench/fix.ts [--only NAME[,NAME...]] [--runs N] [--format table|json|markdown] [--no-shop]
  --only NAME   only these projects (fixture directory names, or shop/<service>); repeatable
  --runs N      timed code-change rebuilds of each side (default 1)
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
  const options: Options = { only: [], runs: 1, format: "table", shop: true };
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
  /** Why the project is not built here (check.json "engine": false). */
  skip?: string;
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
  rebuild?: { beforeMs?: number; afterMs?: number; reductionPercent?: number; changedFile?: string; error?: string };
  /** Lean projects: verified, not larger, not slower to rebuild (within the tolerances). */
  leanOk?: boolean;
  error?: string;
}

function reduction(before: number | undefined, after: number | undefined): number | undefined {
  if (before === undefined || after === undefined || before <= 0) return undefined;
  return Math.round(((before - after) / before) * 1000) / 10;
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
  };
  if (project.skip !== undefined) return { ...report, status: "skipped", skipped: project.skip };
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
      { onProgress: progress },
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
    progress(`${project.name}: timing a code-change rebuild of each side (${runs} run${runs === 1 ? "" : "s"})`);
    try {
      const bench = await runBench(engine, [project.target], {
        runs,
        scenarios: ["code"],
        compare: { argument: "rewrite", side: "after", dockerfileFor: () => ({ text: planned.after, source: "rewrite" }) },
        labels: { [BENCH_LABEL]: "1" },
        onProgress: (line) => progress(`  ${line}`),
        // Both sides share one copy of the context; the files the fix creates (.dockerignore) are
        // put in it, so the after side sees the context it would have. The before side sees it too,
        // which can only make the before side faster: the reduction is not overstated.
        createWorkspace: async (source, tempDir) => {
          const workspace = await createWorkspace(source, tempDir);
          for (const [file, text] of Object.entries(planned.createdFiles)) fs.writeFileSync(path.join(workspace.contextDir, file), text);
          return workspace;
        },
      });
      const target = bench.targets[0];
      const beforeCode = target?.before.scenarios[0];
      const afterCode = target?.after?.scenarios[0];
      const failed = [beforeCode, afterCode].find((measurement) => measurement?.status !== "measured");
      report.rebuild = {
        ...(beforeCode?.medianMs !== undefined ? { beforeMs: beforeCode.medianMs } : {}),
        ...(afterCode?.medianMs !== undefined ? { afterMs: afterCode.medianMs } : {}),
        ...(beforeCode?.changedFile !== undefined ? { changedFile: beforeCode.changedFile } : {}),
        ...(failed ? { error: `${failed.status}: ${failed.reason ?? ""}` } : {}),
      };
      const rebuildReduction = reduction(beforeCode?.medianMs, afterCode?.medianMs);
      if (rebuildReduction !== undefined) report.rebuild.reductionPercent = rebuildReduction;
    } catch (error) {
      report.rebuild = { error: (error as Error).message };
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
  /** Median code-change rebuild reduction (%) over the rewritten projects. */
  medianRebuildReduction?: number;
  rebuildProjects: number;
  /** The same median over the rewritten projects whose original re-runs its install on a code change. */
  medianRebuildReductionInstallAfterCopy?: number;
  rebuildProjectsInstallAfterCopy: number;
  /** Every changed project built on both sides and verified equivalent. */
  allBuildAndVerify: boolean;
  /** Every project with probes built on both sides and answered its probes alike (verify's image analysis aside). */
  allProbesPass: boolean;
  probeFailures: string[];
  failures: string[];
  /** Every lean project came out unchanged or better. */
  leanUnchangedOrBetter: boolean;
  leanProjects: number;
  goals: { sizeReduction: boolean; rebuildReduction: boolean };
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarizeReports(reports: readonly ProjectReport[]): BenchSummary {
  const evaluated = reports.filter((report) => report.status !== "skipped");
  const sizeReductions = evaluated.filter((report) => report.shipsBuildTools && !report.lean && report.sizeReductionPercent !== undefined).map((report) => report.sizeReductionPercent as number);
  const rebuilt = evaluated.filter((report) => report.status === "rewritten" && report.rebuild?.reductionPercent !== undefined);
  const rebuildReductions = rebuilt.map((report) => report.rebuild?.reductionPercent as number);
  const installAfterCopyReductions = rebuilt.filter((report) => report.installAfterCopy).map((report) => report.rebuild?.reductionPercent as number);
  const failures: string[] = [];
  for (const report of evaluated) {
    if (report.status === "error") failures.push(`${report.name}: ${report.error ?? "error"}`);
    else if (report.before?.ok !== true) failures.push(`${report.name}: the original does not build`);
    else if (report.after?.ok !== true) failures.push(`${report.name}: the fixed Dockerfile does not build`);
    else if (report.verify?.ok !== true) failures.push(`${report.name}: verify: ${report.verify?.reason ?? "not equivalent"}`);
  }
  const probeFailures = evaluated.filter((report) => report.before?.ok !== true || report.after?.ok !== true || report.verify?.probes === "failed").map((report) => report.name);
  const lean = evaluated.filter((report) => report.lean);
  const medianSize = median(sizeReductions);
  const medianRebuild = median(rebuildReductions);
  const medianInstallAfterCopy = median(installAfterCopyReductions);
  return {
    projects: reports.length,
    evaluated: evaluated.length,
    skipped: reports.length - evaluated.length,
    ...(medianSize !== undefined ? { medianSizeReductionBuildTools: medianSize } : {}),
    buildToolProjects: sizeReductions.length,
    ...(medianRebuild !== undefined ? { medianRebuildReduction: medianRebuild } : {}),
    rebuildProjects: rebuildReductions.length,
    ...(medianInstallAfterCopy !== undefined ? { medianRebuildReductionInstallAfterCopy: medianInstallAfterCopy } : {}),
    rebuildProjectsInstallAfterCopy: installAfterCopyReductions.length,
    allBuildAndVerify: failures.length === 0,
    failures,
    allProbesPass: probeFailures.length === 0,
    probeFailures,
    leanUnchangedOrBetter: lean.every((report) => report.leanOk === true),
    leanProjects: lean.length,
    goals: { sizeReduction: medianSize !== undefined && medianSize >= GOALS.sizeReductionPercent, rebuildReduction: medianRebuild !== undefined && medianRebuild >= GOALS.rebuildReductionPercent },
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

const COLUMNS = ["project", "change", "build before/after", "verify", "size before", "size after", "size -%", "code rebuild before", "after", "rebuild -%", "install after COPY .", "ships build tools"];

function rows(reports: readonly ProjectReport[]): string[][] {
  return reports.map((report) => [
    report.name + (report.lean ? " (lean)" : ""),
    report.status === "skipped" ? `skipped: ${report.skipped ?? ""}` : report.status,
    `${builtText(report.before)}/${builtText(report.after)}`,
    verifyText(report),
    megabytes(report.before?.sizeBytes),
    megabytes(report.after?.sizeBytes),
    percent(report.sizeReductionPercent),
    secondsText(report.rebuild?.beforeMs),
    secondsText(report.rebuild?.afterMs),
    percent(report.rebuild?.reductionPercent),
    report.installAfterCopy ? "yes" : "no",
    report.shipsBuildTools ? `yes (${report.buildToolFindings.join(", ")})` : "no",
  ]);
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function summaryLines(summary: BenchSummary): string[] {
  const verdict = (ok: boolean): string => (ok ? "PASS" : "FAIL");
  return [
    `projects: ${summary.projects} (${summary.evaluated} built, ${summary.skipped} skipped: not buildable in the lab)`,
    `median image size reduction, projects that ship build tools (${summary.buildToolProjects}): ${percent(summary.medianSizeReductionBuildTools)} (goal >= ${GOALS.sizeReductionPercent} %) — ${verdict(summary.goals.sizeReduction)}`,
    `median code-change rebuild reduction, rewritten projects (${summary.rebuildProjects}): ${percent(summary.medianRebuildReduction)} (goal >= ${GOALS.rebuildReductionPercent} %) — ${verdict(summary.goals.rebuildReduction)}`,
    `  of which the originals that re-run their install on a code change (${summary.rebuildProjectsInstallAfterCopy}): ${percent(summary.medianRebuildReductionInstallAfterCopy)}`,
    `every rewrite builds and answers its probes (smoke/HTTP) like the original: ${summary.allProbesPass ? "yes" : `no (${summary.probeFailures.join(", ")})`}`,
    `every rewrite builds and verifies (verify-rewrite: probes and image analysis, no unexpected difference): ${summary.allBuildAndVerify ? "yes" : "no"} — ${verdict(summary.allBuildAndVerify)}`,
    ...summary.failures.map((failure) => `  ${shorten(failure.split("\n")[0] ?? failure, 200)}`),
    `lean projects unchanged or better (${summary.leanProjects}): ${summary.leanUnchangedOrBetter ? "yes" : "no"} — ${verdict(summary.leanUnchangedOrBetter)}`,
  ];
}

export function renderTable(reports: readonly ProjectReport[], summary: BenchSummary): string {
  const table = [COLUMNS, ...rows(reports)];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => (row[column] ?? "").length)));
  const numeric = new Set([4, 5, 6, 7, 8, 9]);
  const line = (row: string[]): string => row.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
  return [line(COLUMNS), ...rows(reports).map(line), "", ...summaryLines(summary)].join("\n");
}

export function renderMarkdown(reports: readonly ProjectReport[], summary: BenchSummary): string {
  const escape = (cell: string): string => cell.replace(/\|/g, "\\|");
  const lines = [`| ${COLUMNS.join(" | ")} |`, `| ${COLUMNS.map((_, column) => ([4, 5, 6, 7, 8, 9].includes(column) ? "---:" : "---")).join(" | ")} |`];
  for (const row of rows(reports)) lines.push(`| ${row.map(escape).join(" | ")} |`);
  return [...lines, "", ...summaryLines(summary).map((text) => (text.startsWith("  ") ? `  - ${text.trim()}` : `- ${text}`))].join("\n");
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
  else if (options.format === "markdown") process.stdout.write(`${renderMarkdown(reports, summary)}\n\n${durationSeconds} s, ${options.runs} timed rebuild(s) per side\n`);
  else process.stdout.write(`${renderTable(reports, summary)}\n${durationSeconds} s, ${options.runs} timed rebuild(s) per side\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
