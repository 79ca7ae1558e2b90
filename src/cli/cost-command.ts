// `shipshape cost [PATH]`: what the images' builds, storage and pulls cost per month and year, from
// measurements where shipshape has them and the config's assumptions elsewhere (docs/cost.md).
// Exit codes: 0 ok, 2 usage error or an unusable input.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { findConfigFile, loadConfigFile } from "../audit/audit-paths.ts";
import { costConfigSchema, defaultConfig } from "../audit/config.ts";
import { inputsFromBenchJson, inputsFromHistory } from "../cost/inputs.ts";
import { buildCostReport } from "../cost/model.ts";
import { COST_FORMATS, renderCostJson, renderCostMarkdown } from "../cost/report.ts";
import { discoverBuildTargets, imageTagFor, repositoryNameOf } from "../builds/targets.ts";
import { readGitFacts } from "../metrics/git.ts";
import { latestImageMeasurements } from "../metrics/latest.ts";
import { readMeasurementRows } from "../metrics/read.ts";
import { resolveDbPath } from "../metrics/record.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { UsageError } from "../errors.ts";
import { optimizeCostInputs } from "../optimize/cost-estimate.ts";
import { readLastOptimize } from "../optimize/dashboard.ts";

export const COST_OPTIONS = `Options:
  --format markdown|json             output format (default: markdown)
  --bench FILE                       before/after from a \`shipshape bench --compare ... --format json\` report
  --before-run N --after-run M       before/after from two runs of the metrics history (run ids: shipshape history --format json)
  --last-optimize                    before/after from the last \`shipshape optimize\` run (its baseline and its measurement after the changes)
  --image NAME                       only this image (as the history names it)
  --db PATH                          metrics database (default: .shipshape/metrics.db in the repository)
  --config FILE                      config file with the cost: assumptions (default: shipshape.config.* in PATH)
`;

export const COST_HELP = commandHelp({
  usage: "shipshape cost [PATH] [options]",
  summary:
    "What the images of PATH (default: the current directory) cost per month and per year: CI minutes, registry\nstorage and egress. Sizes and build times are measured (metrics history, bench reports); builds per week, tags\nkept, pulls and prices are assumptions from cost: in the config. Every line says which it is.",
  options: COST_OPTIONS,
  examples: ["shipshape cost", "shipshape cost . --bench bench.json --format json", "shipshape cost --before-run 3 --after-run 9"],
  exitCodes: "0 ok, 2 usage error or an unreadable input.",
});

export async function runCostCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string", default: "markdown" },
      bench: { type: "string" },
      "before-run": { type: "string" },
      "after-run": { type: "string" },
      "last-optimize": { type: "boolean", default: false },
      image: { type: "string" },
      db: { type: "string" },
      config: { type: "string" },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape cost takes one PATH (the repository's directory)");
  const format = values.format ?? "markdown";
  if (!(COST_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${COST_FORMATS.join(", ")}`);
  const given = positionals[0] ?? ".";
  const root = path.resolve(io.cwd, given);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`${given} is not a directory: give the repository's directory`);
  const configFile = values.config !== undefined ? path.resolve(io.cwd, values.config) : findConfigFile(root);
  const config = (configFile === undefined ? defaultConfig() : loadConfigFile(configFile)).cost ?? costConfigSchema.parse({});
  const runId = (name: "before-run" | "after-run"): number | undefined => {
    const text = values[name];
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a run id (a whole number), got '${text}'`);
    return Number(text);
  };
  const beforeRun = runId("before-run");
  const afterRun = runId("after-run");
  if ((beforeRun === undefined) !== (afterRun === undefined)) throw new UsageError("--before-run and --after-run go together");
  const sources = [values.bench !== undefined, beforeRun !== undefined, values["last-optimize"] === true].filter(Boolean).length;
  if (sources > 1) throw new UsageError("--bench, --before-run/--after-run and --last-optimize exclude each other: one before/after at a time");

  let report: ReturnType<typeof buildCostReport>;
  const only = <T extends { image: string }>(list: T[]): T[] => (values.image === undefined ? list : list.filter((one) => one.image === values.image));
  if (values.bench !== undefined) {
    const file = path.resolve(io.cwd, values.bench);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`--bench ${values.bench}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let compared: ReturnType<typeof inputsFromBenchJson>;
    try {
      compared = inputsFromBenchJson(text, values.bench);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    report = buildCostReport(compared.basis, config, only(compared.after), only(compared.before));
  } else if (values["last-optimize"] === true) {
    const git = await readGitFacts(root);
    const dbPath = resolveDbPath(values.db, io.cwd, git.root);
    const last = readLastOptimize(dbPath);
    if (last === undefined) throw new UsageError(`--last-optimize: no optimize run recorded next to ${dbPath}: run shipshape optimize first`);
    const inputs = optimizeCostInputs(last);
    if (inputs === undefined) throw new UsageError("--last-optimize: the last optimize run measured nothing after its changes, so there is no before/after to price");
    report = buildCostReport(inputs.basis, config, only(inputs.after), only(inputs.before));
  } else {
    const git = await readGitFacts(root);
    const dbPath = resolveDbPath(values.db, io.cwd, git.root);
    const rows = await readMeasurementRows(dbPath);
    if (rows.length === 0) io.stderr(`shipshape cost: no measurements in ${dbPath}: every size and build time is missing (run shipshape build or bench first)\n`);
    // The repository's images, under the tags shipshape build and bench record them with (each
    // shown, measured or not); without any build target, every image of the history.
    const repositoryName = repositoryNameOf(root);
    const targets = discoverBuildTargets(root, { env: io.env }).map((target) => imageTagFor(repositoryName, target.name));
    const images = targets.length > 0 ? targets : undefined;
    if (beforeRun !== undefined && afterRun !== undefined) {
      const before = inputsFromHistory(latestImageMeasurements(rows, beforeRun), images);
      const after = inputsFromHistory(latestImageMeasurements(rows, afterRun), images);
      report = buildCostReport(`metrics history, run ${beforeRun} (before) and run ${afterRun} (after), ${dbPath}`, config, only(after), only(before));
    } else {
      report = buildCostReport(`metrics history, latest measurements, ${dbPath}`, config, only(inputsFromHistory(latestImageMeasurements(rows), images)));
    }
  }
  io.stdout(format === "json" ? renderCostJson(report) : renderCostMarkdown(report));
  return 0;
}
