// docs/docker-optimization-strategy.md: what optimize changed and why, the measured before/after
// table per image and scenario, the cost estimate, risks and rollback, how to build each target
// and how CI should cache. Pure: (result, inputs) => Markdown. Everything that comes from the
// repository (paths, image names, reasons quoting build logs) is escaped.
import { SCENARIO_DESCRIPTIONS } from "../bench/result.ts";
import { formatBytes, formatDuration, formatPercent } from "../format/index.ts";
import { escapeMarkdown, escapeMarkdownTableMessage } from "../report/escape.ts";
import type { BeforeAfter } from "./compare.ts";
import { formatChange } from "./compare.ts";
import type { OptimizeResult } from "./result.ts";
import { plural } from "../format/index.ts";

/** The cost section's input: `shipshape cost`'s model on optimize's measurements (src/optimize/cost-estimate.ts); undefined when there is no after side to price. */
export interface CostSection {
  /** Markdown lines the cost estimator produced, already escaped by it. */
  markdown: string;
}

export interface StrategyInputs {
  result: OptimizeResult;
  comparison: BeforeAfter;
  cost?: CostSection;
  /** The bake file optimize wrote or found, repository-relative. */
  bakeFile?: string;
  /** The compose dev override written, repository-relative. */
  composeDev?: string;
}

const cell = (text: string): string => escapeMarkdownTableMessage(text);

export function renderStrategy(inputs: StrategyInputs): string {
  const { result, comparison } = inputs;
  const lines: string[] = [];
  lines.push("# Docker optimization strategy", "");
  lines.push(`Written by \`shipshape optimize\` for \`${escapeMarkdown(result.target)}\` on ${result.finishedAt}. Every number below was measured on this machine by timed BuildKit builds (${plural(result.runs, "run")} per scenario, median); nothing here is an estimate unless it says so.`, "");
  if (result.mode === "branch" && result.branch !== undefined) {
    lines.push(`The changes are on the branch \`${escapeMarkdown(result.branch)}\`${result.baseCommit !== undefined ? `, started from \`${result.baseCommit.slice(0, 12)}\`` : ""}, one commit per step:`, "");
    for (const commit of result.commits) lines.push(`- \`${commit.sha.slice(0, 12)}\` ${escapeMarkdown(commit.subject)}`);
    lines.push("");
  }

  lines.push("## What changed and why", "");
  const applied = result.changes.filter((change) => change.applied);
  const leftOut = result.changes.filter((change) => !change.applied);
  if (applied.length === 0) lines.push("Nothing: no change both applied and verified.", "");
  else {
    lines.push("| file | change | verification |", "|---|---|---|");
    for (const change of applied) lines.push(`| \`${cell(change.path)}\` | ${cell(change.what)} | ${cell(change.verification ?? "-")} |`);
    lines.push("");
    lines.push("Why: multi-stage builds keep compilers, dev dependencies and package-manager caches out of the image that runs; BuildKit cache mounts keep dependency downloads between builds; copying the dependency manifests before the sources lets a code change reuse the installed dependencies; a `.dockerignore` keeps the build context (and the cache key of `COPY . .`) free of files the image does not need. Each Dockerfile change was built next to the original and the two images compared with `shipshape verify` (configuration, runtime files, executables and libraries, and the HTTP or smoke probes configured for the service).", "");
  }
  if (leftOut.length > 0) {
    lines.push("### Left out", "", "| file | change | why |", "|---|---|---|");
    for (const change of leftOut) lines.push(`| \`${cell(change.path)}\` | ${cell(change.what)} | ${cell(firstLine(change.reason ?? "not verified"))} |`);
    lines.push("");
  }
  if (result.notConsolidated.length > 0) {
    lines.push("### Not consolidated", "");
    for (const skipped of result.notConsolidated) lines.push(`- ${skipped.dockerfiles.map((file) => `\`${escapeMarkdown(file)}\``).join(", ")}: ${escapeMarkdown(skipped.reason)}`);
    lines.push("");
  }

  lines.push("## Measured before and after", "");
  if (comparison.sizes.length > 0) {
    lines.push("### Image size", "", "| image | before | after | change |", "|---|---:|---:|---:|");
    for (const row of comparison.sizes) lines.push(`| ${cell(row.image)} | ${formatBytes(row.beforeBytes)} | ${formatBytes(row.afterBytes)} | ${formatChange(row.change)} |`);
    const before = comparison.sizes.reduce((sum, row) => sum + row.beforeBytes, 0);
    const after = comparison.sizes.reduce((sum, row) => sum + row.afterBytes, 0);
    lines.push(`| **all** | **${formatBytes(before)}** | **${formatBytes(after)}** | **${formatChange((after - before) / before)}** |`, "");
  }
  if (comparison.rows.length > 0) {
    lines.push("### Build time (median)", "", "| image | scenario | before | after | change | cache hits before → after |", "|---|---|---:|---:|---:|---|");
    for (const row of comparison.rows) {
      const hits = row.beforeCacheHit !== undefined && row.afterCacheHit !== undefined ? `${formatPercent(row.beforeCacheHit, 0)} → ${formatPercent(row.afterCacheHit, 0)}` : "-";
      lines.push(`| ${cell(row.image)} | ${row.scenario} | ${formatDuration(row.beforeMs)} | ${formatDuration(row.afterMs)} | ${formatChange(row.change)} | ${hits} |`);
    }
    lines.push("");
    const slower = comparison.rows.filter((row) => row.change > 0.1);
    if (slower.length > 0) {
      lines.push(`Slower after the change: ${slower.map((row) => `${escapeMarkdown(row.image)} ${row.scenario} (${formatChange(row.change)})`).join(", ")}. A cold build of a multi-stage Dockerfile builds every stage, and ${result.runs === 1 ? "a single run is" : "few runs are"} sensitive to what else the machine does: the 1-minute load average was ${result.machine.loadBaseline} when the baseline started and ${result.machine.loadAfter ?? "?"} when the second measurement started, on ${plural(result.machine.cpus, "CPU")}. \`shipshape bench --compare ${result.baseCommit?.slice(0, 12) ?? "BASE"} --runs 5\` alternates the two sides to separate the change from the load.`, "");
    }
    lines.push("Scenarios: " + result.scenarios.map((scenario) => `**${scenario}**: ${SCENARIO_DESCRIPTIONS[scenario]}`).join("; ") + ".", "");
  }
  if (comparison.rows.length === 0 && comparison.sizes.length === 0) lines.push("No image was measured on both sides.", "");
  if (comparison.missing.length > 0) {
    lines.push("Not compared:", "");
    for (const missing of comparison.missing) lines.push(`- ${escapeMarkdown(missing.image)}${missing.scenario !== undefined ? ` ${missing.scenario}` : ""}: ${escapeMarkdown(firstLine(missing.reason))}`);
    lines.push("");
  }
  lines.push("Build times depend on the machine and on what else it runs: compare them with each other, not with another machine's. `shipshape bench --compare REF` repeats the comparison with alternating runs.", "");

  lines.push("## Cost estimate", "");
  if (inputs.cost !== undefined) lines.push(inputs.cost.markdown.trimEnd(), "");
  else lines.push("No cost estimate: nothing was measured after the changes, so there is no before and after to price.", "");

  lines.push("## Risks and rollback", "");
  const base = result.baseCommit !== undefined ? `\`${result.baseCommit.slice(0, 12)}\`` : "the commit before the change";
  lines.push(
    `- **The original Dockerfiles stay available** until the team removes them: they are unchanged on ${base}${result.branch !== undefined ? ` (the branch \`${escapeMarkdown(result.branch)}\` only adds commits on top of it)` : ""}; \`git show ${result.baseCommit?.slice(0, 12) ?? "BASE"}:PATH\` prints one, and reverting the commits above restores all of them.`,
    "- **Verification covers what the probes exercise.** Files, configuration, executables and their libraries are compared everywhere; the running behaviour only as far as the configured HTTP or smoke probes go (`verify.services` in shipshape.config.yaml). Run the service's own tests against the new images before shipping them.",
    "- **Dev dependencies and build tools are no longer in the runtime images.** Anything that ran them at run time (a debugging shell, `npm run dev` in production) needs the dev target instead.",
    "- **Cache mounts need BuildKit** (Docker 23+ or `docker buildx`); the classic builder refuses `RUN --mount`.",
    "",
  );

  lines.push("## How to build", "");
  if (result.buildCommands.length > 0) {
    lines.push("| image | command |", "|---|---|");
    for (const entry of result.buildCommands) lines.push(`| ${cell(entry.image)} | \`${cell(entry.command)}\` |`);
    lines.push("");
  }
  if (inputs.bakeFile !== undefined) lines.push(`All at once: \`docker buildx bake -f ${escapeMarkdown(inputs.bakeFile)}\`.`, "");
  if (inputs.composeDev !== undefined) lines.push(`Development (sources mounted, dev dependencies installed): \`docker compose -f docker-compose.yml -f ${escapeMarkdown(inputs.composeDev)} up\`.`, "");

  lines.push("## How CI should cache", "");
  lines.push(
    "- Build with BuildKit and export the cache to where the next run finds it: `--cache-to type=gha,mode=max --cache-from type=gha` on GitHub Actions, or `type=registry,ref=REGISTRY/IMAGE:buildcache,mode=max` elsewhere. `mode=max` keeps the build stages' layers too, which is where the multi-stage builds spend their time.",
    "- Cache mounts (`RUN --mount=type=cache`) live in the builder, not in the exported cache: on ephemeral CI runners they start empty, and the layer cache above does the work. Keep the dependency manifests copied before the sources so that a code change reuses the dependency layer.",
    "- Record every build: `shipshape build` and `shipshape bench` keep the numbers in `.shipshape/metrics.db`, and `shipshape history --fail-on-regression size=10%,time=20%` fails a change that makes an image bigger or slower.",
    "",
  );
  const phases = Object.entries(result.phaseSeconds).filter(([phase]) => phase !== "documents");
  lines.push("---", "", `shipshape optimize measured and changed for ${formatDuration(phases.reduce((sum, [, seconds]) => sum + seconds, 0) * 1000)} before writing this: ${phases.map(([phase, seconds]) => `${phase} ${formatDuration(seconds * 1000)}`).join(", ")}.`, "");
  return lines.join("\n");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
