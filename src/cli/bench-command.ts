// `shipshape bench [PATH]`: timed builds under the scenarios cold, warm, code, deps and dockerfile
// (docs/bench.md), on a temporary copy of each target's context. `--compare REF|FILE` measures a
// second Dockerfile in the same run (the same path at a git ref, or a file) and prints
// before/after with ratios. Exit 0 when every applicable scenario was measured, 1 when a build
// failed, 2 on usage errors or when no engine answers.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { ComparedDockerfile } from "../bench/run.ts";
import { runBench } from "../bench/run.ts";
import { benchRecords } from "../bench/records.ts";
import { INTERRUPT_EXIT_CODES, trapInterrupts } from "../bench/interrupt.ts";
import { BENCH_FORMATS, isBenchFormat, renderBench } from "../bench/report.ts";
import type { ScenarioName } from "../bench/result.ts";
import { benchSucceeded, isScenarioName, SCENARIOS } from "../bench/result.ts";
import type { BuildTarget } from "../builds/targets.ts";
import { discoverBuildTargets, repositoryNameOf } from "../builds/targets.ts";
import { createEngine, ENGINE_DRIVERS, isEngineDriver } from "../engine/select.ts";
import { recordMetrics } from "../metrics/record.ts";
import { shouldUseColor } from "../report/tty.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { NETWORK_HELP, networkOption } from "./network-option.ts";
import { configFor } from "./config-for.ts";
import { ENV_HELP, environmentFiles } from "./environment-option.ts";
import { writeFileAtomic } from "./write.ts";
import { UsageError } from "../errors.ts";

export const BENCH_OPTIONS = `Options:
  --service S                        bench only this compose service (repeatable)
  --compare REF|FILE                 also bench a git ref (before: REF, after: working tree) or a file (before: own Dockerfile, after: FILE)
  --runs N                           timed builds per scenario (default: 3)
  --scenarios LIST                   any of cold,warm,code,deps,dockerfile (default: all)
  --format tty|json|markdown         output format (default: tty)
  --output FILE                      write the report to FILE instead of stdout
  --driver api|buildx|auto           how to reach BuildKit (default: auto)
${NETWORK_HELP}${ENV_HELP}  --db PATH                          metrics database (default: .shipshape/metrics.db in the repository)
  --no-history                       do not record the numbers in the metrics database
`;

export const BENCH_HELP = commandHelp({
  usage: "shipshape bench [PATH] [options]",
  summary: "Times builds of each image of PATH (default: the current directory) on a temporary copy, under the\nscenarios cold, warm, code change, dependency change and Dockerfile change (docs/bench.md).",
  options: BENCH_OPTIONS,
  examples: ["shipshape bench", "shipshape bench . --service api --scenarios warm,code --runs 5", "shipshape bench services/api --compare main"],
  exitCodes: "0 every applicable scenario measured, 1 a build failed, 2 usage error or no engine.",
});

export { benchRecords } from "../bench/records.ts";

export const DEFAULT_RUNS = 3;

export function parseScenarios(value: string | undefined): ScenarioName[] {
  if (value === undefined) return [...SCENARIOS];
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new UsageError(`--scenarios needs at least one of ${SCENARIOS.join(", ")}`);
  const unknown = names.filter((name) => !isScenarioName(name));
  if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.map((name) => `"${name}"`).join(", ")}: expected ${SCENARIOS.join(", ")}`);
  // In the documented order, each once.
  return SCENARIOS.filter((scenario) => names.includes(scenario));
}

export function parseRuns(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RUNS;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 100) throw new UsageError(`--runs must be a whole number from 1 to 100, got "${value}"`);
  return Number(value);
}

/** The Dockerfile of `target` at a git ref: `git show REF:./<file>` from the Dockerfile's directory. */
export function dockerfileAtRef(target: BuildTarget, ref: string): ComparedDockerfile {
  const dockerfile = path.resolve(target.contextDir, target.dockerfile);
  const directory = path.dirname(dockerfile);
  let text: string;
  try {
    text = execFileSync("git", ["-C", directory, "show", `${ref}:./${path.basename(dockerfile)}`], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new UsageError(`--compare ${ref}: neither a file nor a git ref with ${dockerfile} (${stderr.split("\n")[0] || (error as Error).message})`);
  }
  let prefix = "";
  try {
    prefix = execFileSync("git", ["-C", directory, "rev-parse", "--show-prefix"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // Only for the label.
  }
  return { text, source: `${ref}:${prefix}${path.basename(dockerfile)}`, name: ref };
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join("/");
}

export async function runBenchCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      service: { type: "string", multiple: true },
      compare: { type: "string" },
      runs: { type: "string" },
      scenarios: { type: "string" },
      format: { type: "string", default: "tty" },
      output: { type: "string" },
      driver: { type: "string", default: "auto" },
      db: { type: "string" },
      "no-history": { type: "boolean", default: false },
      network: { type: "string" },
      env: { type: "string" },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape bench takes one PATH (a repository, a context directory or a Dockerfile)");
  const format = values.format ?? "tty";
  if (!isBenchFormat(format)) throw new UsageError(`--format must be one of ${BENCH_FORMATS.join(", ")}`);
  const driver = values.driver ?? "auto";
  if (!isEngineDriver(driver)) throw new UsageError(`--driver must be one of ${ENGINE_DRIVERS.join(", ")}`);
  const runs = parseRuns(values.runs);
  const scenarios = parseScenarios(values.scenarios);

  const given = positionals[0] ?? ".";
  const root = path.resolve(io.cwd, given);
  const composeFiles = environmentFiles(configFor(io, given), values.env);
  let targets = discoverBuildTargets(root, { services: values.service ?? [], env: io.env, ...(composeFiles !== undefined ? { composeFiles } : {}) });
  if (targets.length === 0) throw new UsageError(`nothing to bench in ${given}: no compose service with build: and no Dockerfile`);

  let compare: Parameters<typeof runBench>[2]["compare"];
  if (values.compare !== undefined) {
    const argument = values.compare;
    const compareFile = path.resolve(io.cwd, argument);
    if (isFile(compareFile)) {
      // `--compare services/api/Dockerfile.optimized`: a file inside exactly one target's
      // build context is that target's alternative.
      if (targets.length > 1) {
        const owner = targetOwningFile(targets, compareFile);
        if (owner) targets = [owner];
      }
      if (targets.length !== 1) {
        throw new UsageError(`--compare ${argument} is one Dockerfile, but ${given} builds ${targets.length} images (${targets.map((target) => target.name).join(", ")}): choose one with --service, or put the file in that image's build context`);
      }
      const text = fs.readFileSync(compareFile, "utf8");
      // The file is the candidate ("after"); the image's own Dockerfile is the baseline.
      const source = displayPath(compareFile, io.cwd);
      // The header names it by its file name, unless that is the own Dockerfile's name too.
      const name = path.basename(compareFile) === path.basename((targets[0] as BuildTarget).dockerfile) ? source : path.basename(compareFile);
      compare = { argument, side: "after", dockerfileFor: () => ({ text, source, name }) };
    } else {
      // A git ref: read every target's Dockerfile at it now, so a bad ref fails before any build.
      const atRef = new Map(targets.map((target) => [target.name, dockerfileAtRef(target, argument)]));
      // The ref is the baseline ("before"); the working tree's Dockerfile is "after".
      compare = { argument, side: "before", dockerfileFor: (target) => atRef.get(target.name) as ComparedDockerfile };
    }
  }

  const network = networkOption(values.network, io, given);
  const engine = await createEngine({ driver, env: io.env });
  await engine.ping();
  // Ctrl-C, TERM, HUP: cancel the build in flight and let the bench remove its copy and images
  // before exiting; further signals wait for that clean-up instead of killing the process mid-way.
  const interrupt = trapInterrupts({
    onFirst: () => io.stderr("shipshape bench: interrupted; removing the temporary copy and the images built so far\n"),
    onRepeat: () => io.stderr("shipshape bench: still removing the temporary copy and images; one moment\n"),
  });
  let result: Awaited<ReturnType<typeof runBench>>;
  try {
    result = await runBench(engine, targets, {
      runs,
      scenarios,
      ...(compare ? { compare } : {}),
      ...(network !== undefined ? { network } : {}),
      describeDockerfile: (target) => displayPath(path.resolve(target.contextDir, target.dockerfile), io.cwd),
      onProgress: (line) => io.stderr(`shipshape bench: ${line}\n`),
      signal: interrupt.signal,
    });
  } catch (error) {
    if (!interrupt.signal.aborted) throw error;
    return interrupt.exitCode() ?? INTERRUPT_EXIT_CODES.SIGINT;
  } finally {
    interrupt.release();
  }

  const color = values.output === undefined && format === "tty" && shouldUseColor(io.env, io.isTTY);
  const output = renderBench(format, result, { color });
  if (values.output !== undefined) {
    writeFileAtomic(path.resolve(io.cwd, values.output), output);
    io.stderr(`shipshape: wrote ${values.output}\n`);
  } else io.stdout(output);

  if (!values["no-history"]) {
    const records = benchRecords(result, targets, repositoryNameOf(root));
    try {
      // The benched repository's git facts, whatever the current directory.
      const repositoryDir = isFile(root) ? path.dirname(root) : root;
      await recordMetrics(records, { cwd: repositoryDir, ...(values.db !== undefined ? { dbPath: path.resolve(io.cwd, values.db) } : {}) });
    } catch (error) {
      // The measurements are printed already; a history that cannot be written is a warning.
      io.stderr(`shipshape: metrics not recorded: ${(error as Error).message}\n`);
    }
  }
  return benchSucceeded(result) ? 0 : 1;
}

/** The target whose build context (the deepest, when contexts nest) holds `file`, if exactly one does. */
export function targetOwningFile(targets: readonly BuildTarget[], file: string): BuildTarget | undefined {
  const owners = targets.filter((target) => isInside(file, target.contextDir));
  const deepest = Math.max(...owners.map((target) => target.contextDir.length));
  const chosen = owners.filter((target) => target.contextDir.length === deepest);
  return chosen.length === 1 ? chosen[0] : undefined;
}

function isInside(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}
