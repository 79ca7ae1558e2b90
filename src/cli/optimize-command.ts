// `shipshape optimize [PATH]`: the whole optimization in one command (src/optimize/run.ts). By
// default the results go to a new git branch, one commit per step, made in a temporary worktree:
// nothing in the user's working tree changes. `--write` applies them in place, `--dry-run` prints
// the plan and builds nothing. Ctrl-C (TERM, HUP) cancels the build in flight and removes the
// temporary worktree, the unfinished branch, the context copies and the images built so far.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { INTERRUPT_EXIT_CODES, trapInterrupts } from "../bench/interrupt.ts";
import { SCENARIOS } from "../bench/result.ts";
import type { ScenarioName } from "../bench/result.ts";
import { createEngine, ENGINE_DRIVERS, isEngineDriver } from "../engine/select.ts";
import { chooseNetwork } from "../engine/network.ts";
import { UsageError } from "../errors.ts";
import { formatBytes, formatDuration } from "../format/index.ts";
import { readGitFacts } from "../metrics/git.ts";
import type { GitFacts } from "../metrics/git.ts";
import { DEFAULT_BUSY_TIMEOUT_MS } from "../metrics/store.ts";
import { recordMetrics, recordMetricsAt, resolveDbPath } from "../metrics/record.ts";
import { compareBench, formatChange } from "../optimize/compare.ts";
import { commitSubjects, dashboardData, lastOptimizePath, readHistorySeries } from "../optimize/dashboard.ts";
import { checkBranchWorkspace, defaultBranchName, openBranchWorkspace } from "../optimize/git-branch.ts";
import type { BranchWorkspace } from "../optimize/git-branch.ts";
import { costEstimateFor } from "../optimize/cost-estimate.ts";
import { budgetLinesFor } from "../optimize/budget-lines.ts";
import { createProgress } from "../optimize/progress.ts";
import type { OptimizeResult } from "../optimize/result.ts";
import { OPTIMIZE_DOCUMENTS, planOptimization, runOptimize } from "../optimize/run.ts";
import { renderStrategy } from "../optimize/strategy.ts";
import { openTarget } from "../audit/audit-paths.ts";
import { renderAudit } from "../report/index.ts";
import { renderHtmlReport } from "../report/html.ts";
import { allRules } from "../rules/index.ts";
import { parseRuns, parseScenarios } from "./bench-command.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { NETWORK_HELP } from "./network-option.ts";
import { packageVersion } from "./version.ts";
import { writeFileAtomic } from "./write.ts";
import { plural } from "../format/index.ts";

/** optimize's default scenarios: the four the issue names (the Dockerfile-change one is bench's extra). */
export const OPTIMIZE_SCENARIOS: ScenarioName[] = SCENARIOS.filter((scenario) => scenario !== "dockerfile");
export const OPTIMIZE_DEFAULT_RUNS = 1;

export const OPTIMIZE_HELP = commandHelp({
  usage: "shipshape optimize [PATH] [options]",
  summary:
    "Optimizes the Docker builds of PATH (default: the current directory) in one run: measures every image (bench),\naudits, applies the safe fixes, .dockerignore files, multi-stage rewrites, dev targets and consolidation that\nverify (each built next to its original and compared), measures again, and writes docs/docker-optimization-audit.md,\ndocs/docker-optimization-strategy.md and docs/docker-optimization-report.html.\nBy default the results go to a new git branch, one commit per step; your working tree is not changed.",
  options: `Options:
  --branch NAME                      the branch for the results (default: shipshape/optimize-<date>-<time>)
  --write                            apply the results in place instead (no branch, no commits)
  --dry-run                          print the plan (findings, changes to try) and stop: no build, no branch
  --runs N                           timed builds per scenario (default: ${OPTIMIZE_DEFAULT_RUNS})
  --scenarios LIST                   any of ${SCENARIOS.join(",")} (default: ${OPTIMIZE_SCENARIOS.join(",")})
  --service S                        only this compose service (repeatable)
  --config FILE                      config file, as for audit (verify.services gives the probes)
  --driver api|buildx|auto           how to reach BuildKit (default: auto)
${NETWORK_HELP}  --db PATH                          metrics database (default: .shipshape/metrics.db in the repository)
  --no-layers                        do not read the optimized images' layers for the report
`,
  examples: ["shipshape optimize", "shipshape optimize examples/shop --branch optimize-shop", "shipshape optimize . --dry-run", "shipshape optimize services --write --runs 3"],
  exitCodes: "0 done (changes that did not verify are left out and listed), 2 usage error or no engine, 130 interrupted.",
});

export async function runOptimizeCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      branch: { type: "string" },
      write: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      runs: { type: "string" },
      scenarios: { type: "string" },
      service: { type: "string", multiple: true },
      config: { type: "string" },
      driver: { type: "string", default: "auto" },
      network: { type: "string" },
      db: { type: "string" },
      "no-layers": { type: "boolean", default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape optimize takes one PATH (the repository or the directory that holds its services)");
  if (values.write && values.branch !== undefined) throw new UsageError("--write applies the results in place; --branch puts them on a branch: choose one");
  const given = positionals[0] ?? ".";
  const root = path.resolve(io.cwd, given);
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${given} is not a directory: optimize works on a repository or a directory of services`);
  const runs = values.runs === undefined ? OPTIMIZE_DEFAULT_RUNS : parseRuns(values.runs);
  const scenarios = values.scenarios === undefined ? OPTIMIZE_SCENARIOS : parseScenarios(values.scenarios);
  const configPath = values.config !== undefined ? path.resolve(io.cwd, values.config) : undefined;
  const services = values.service ?? [];

  if (values["dry-run"]) return dryRun(root, given, { configPath, services, env: io.env }, io);

  const driver = values.driver ?? "auto";
  if (!isEngineDriver(driver)) throw new UsageError(`--driver must be one of ${ENGINE_DRIVERS.join(", ")}`);
  const branch = values.write ? undefined : (values.branch ?? defaultBranchName(new Date()));
  // Before any build: a branch that cannot be made must not cost a baseline.
  if (branch !== undefined) checkBranchWorkspace(root, branch);
  const config = openTarget(given, { cwd: io.cwd, configPath }).config;
  const network = chooseNetwork(values.network, io.env, config.build?.network);
  const engine = await createEngine({ driver, env: io.env });
  await engine.ping();

  const userGit = await readGitFacts(root);
  const dbPath = resolveDbPath(values.db, io.cwd, userGit.root);
  const progress = createProgress({ write: io.stderr, isTTY: io.stderrIsTTY ?? false });
  const interrupt = trapInterrupts({
    onFirst: () => io.stderr("\nshipshape optimize: interrupted; removing the temporary worktree, the unfinished branch, context copies and images\n"),
    onRepeat: () => io.stderr("shipshape optimize: still cleaning up; one moment\n"),
  });
  let workspace: BranchWorkspace | undefined;
  let finished = false;
  try {
    workspace = branch !== undefined ? openBranchWorkspace(root, branch) : undefined;
    const workRoot = workspace?.target ?? root;
    const openedWorkspace = workspace;
    const record = async (records: Parameters<typeof recordMetrics>[0], phase: "baseline" | "after"): Promise<void> => {
      try {
        if (openedWorkspace === undefined) await recordMetrics(records, { cwd: root, dbPath });
        else {
          const git: GitFacts = { root: openedWorkspace.worktree, commit: phase === "baseline" ? openedWorkspace.baseCommit : openedWorkspace.head(), branch: phase === "baseline" ? userGit.branch : openedWorkspace.branch, dirty: false };
          await recordMetricsAt(records, { cwd: workRoot, dbPath, git, now: new Date(), busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS, repository: userGit.root });
        }
      } catch (error) {
        progress.line(`metrics not recorded: ${(error as Error).message}`);
      }
    };
    const { result } = await runOptimize({
      engine,
      root: workRoot,
      displayTarget: given,
      ...(configPath !== undefined ? { configPath } : {}),
      runs,
      scenarios,
      services,
      ...(network !== undefined ? { network } : {}),
      env: io.env,
      signal: interrupt.signal,
      progress,
      mode: workspace !== undefined ? "branch" : "write",
      ...(workspace !== undefined ? { branch: workspace.branch, baseCommit: workspace.baseCommit } : userGit.commit !== null ? { baseCommit: userGit.commit } : {}),
      writeFile: (file, text) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        writeFileAtomic(file, text);
      },
      removeFile: (file) => fs.rmSync(file, { force: true }),
      commit: (subject, body) => workspace?.commit(subject, body),
      record,
      documents: async (optimizeResult, audit) => {
        const generatedAt = new Date().toISOString();
        const comparison = compareBench(optimizeResult.baseline, optimizeResult.after);
        const cost = costEstimateFor(optimizeResult, config);
        const series = await readHistorySeries(dbPath, userGit.root).catch(() => []);
        const subjects = commitSubjects(userGit.root, series.flatMap((entry) => entry.points.map((point) => point.gitCommit ?? "")));
        const html = renderHtmlReport(dashboardData({ series, subjects, repository: userGit.root, generatedAt, optimize: optimizeResult, title: `shipshape optimize: ${given}`, budgetFor: (image) => budgetLinesFor(config, image) }));
        return [
          { path: OPTIMIZE_DOCUMENTS.audit, text: renderAudit("markdown", audit, { rules: allRules, title: "Docker optimization audit", generatedAt, toolVersion: packageVersion() }) },
          { path: OPTIMIZE_DOCUMENTS.strategy, text: renderStrategy({ result: optimizeResult, comparison, ...(cost !== undefined ? { cost } : {}), ...composeAndBake(optimizeResult) }) },
          { path: OPTIMIZE_DOCUMENTS.report, text: html },
        ];
      },
      now: () => new Date(),
      readLayers: !values["no-layers"],
    });
    finished = true;
    progress.finish();
    try {
      fs.mkdirSync(path.dirname(dbPath), { recursive: true });
      writeFileAtomic(lastOptimizePath(dbPath), `${JSON.stringify(result, null, 2)}\n`);
    } catch (error) {
      io.stderr(`shipshape: the result was not saved for \`shipshape report\`: ${(error as Error).message}\n`);
    }
    io.stdout(summary(result, given));
    return 0;
  } catch (error) {
    progress.finish();
    if (interrupt.signal.aborted) return interrupt.exitCode() ?? INTERRUPT_EXIT_CODES.SIGINT;
    throw error;
  } finally {
    workspace?.dispose({ keepBranch: finished });
    interrupt.release();
  }
}

/** The bake file and compose dev override optimize wrote, for the strategy document's build section. */
function composeAndBake(result: OptimizeResult): { bakeFile?: string; composeDev?: string } {
  const applied = result.changes.filter((change) => change.applied).map((change) => change.path);
  const bakeFile = applied.find((file) => /(^|\/)docker-bake(\.consolidated)?\.hcl$/.test(file));
  const composeDev = applied.find((file) => file.endsWith("compose.dev.yaml"));
  return { ...(bakeFile !== undefined ? { bakeFile } : {}), ...(composeDev !== undefined ? { composeDev } : {}) };
}

function dryRun(root: string, given: string, options: { configPath: string | undefined; services: string[]; env: Record<string, string | undefined> }, io: CliIO): number {
  const plan = planOptimization(root, { ...(options.configPath !== undefined ? { configPath: options.configPath } : {}), services: options.services, env: options.env });
  const lines: string[] = [`shipshape optimize --dry-run ${given}: the plan (nothing built, nothing written)`, ""];
  lines.push(`1. Baseline: bench ${plural(plan.targets.length, "image")} (${plan.targets.map((target) => target.name).join(", ") || "none"}): ${OPTIMIZE_SCENARIOS.join(", ")}`);
  const findings = plan.audit.files.flatMap((file) => file.findings);
  lines.push(`2. Audit: ${plural(findings.length, "finding")} in ${plural(plan.audit.files.length, "file")} -> ${OPTIMIZE_DOCUMENTS.audit}`);
  lines.push(`3. Changes to try (each built and verified against the original; what does not verify is left out):`);
  for (const change of plan.fix.fix.changes) {
    const rewrite = plan.fix.rewrites.find((candidate) => candidate.path === change.path && candidate.status === "applied");
    const rules = [...new Set(plan.fix.fix.applied.filter((fix) => fix.path === change.path && fix.rule !== "rewrite").map((fix) => fix.rule))];
    lines.push(`   - ${change.path}: ${rewrite !== undefined ? `multi-stage rewrite (${rewrite.ecosystem})` : change.before === undefined ? "new file" : "fixes"}${rules.length > 0 ? ` [${rules.join(", ")}]` : ""}`);
  }
  for (const rewrite of plan.fix.rewrites.filter((candidate) => candidate.status === "needs-review")) lines.push(`   - ${rewrite.path}: rewrite needs review, not applied (${rewrite.review.join("; ")})`);
  for (const group of plan.consolidation.groups) lines.push(`   - consolidate ${group.services.map((service) => service.dockerfile).join(", ")} -> ${group.dockerfile} + ${group.bakeFile}`);
  for (const skipped of plan.consolidation.skipped) lines.push(`   - not consolidated: ${skipped.dockerfiles.join(", ")}: ${skipped.reason}`);
  if (plan.fix.fix.changes.length === 0 && plan.consolidation.groups.length === 0) lines.push("   (none)");
  lines.push(`4. Measure again: the same scenarios on the changed files`);
  lines.push(`5. Documents: ${Object.values(OPTIMIZE_DOCUMENTS).join(", ")}`, "");
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}

function summary(result: OptimizeResult, given: string): string {
  const comparison = compareBench(result.baseline, result.after);
  const lines: string[] = [""];
  const applied = result.changes.filter((change) => change.applied).length;
  const leftOut = result.changes.length - applied;
  lines.push(`shipshape optimize ${given}: ${plural(applied, "change")} applied and verified${leftOut > 0 ? `, ${leftOut} left out (see the strategy document)` : ""}`);
  if (comparison.sizes.length > 0) {
    for (const row of comparison.sizes) lines.push(`  ${row.image}: ${formatBytes(row.beforeBytes)} -> ${formatBytes(row.afterBytes)} (${formatChange(row.change)})`);
  }
  const code = comparison.rows.filter((row) => row.scenario === "code");
  for (const row of code) lines.push(`  ${row.image} code-change build: ${formatDuration(row.beforeMs)} -> ${formatDuration(row.afterMs)} (${formatChange(row.change)})`);
  if (result.mode === "branch" && result.branch !== undefined) {
    lines.push(`Results on the branch ${result.branch} (${plural(result.commits.length, "commit")}); your working tree is unchanged:`);
    lines.push(`  git log --oneline ${result.baseCommit?.slice(0, 12) ?? "HEAD"}..${result.branch}`, `  git switch ${result.branch}`);
  } else lines.push("Results written in place (--write).");
  lines.push(`Documents: ${result.documents.join(", ")}`, "");
  return lines.join("\n");
}
