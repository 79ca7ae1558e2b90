// `shipshape ci [PATH] --provider github|gitlab`: the CI configuration that builds the repository's
// images with the cache the measurements call for (docs/ci.md). Without --write it prints the diff
// (as --dry-run); --write writes each file atomically. Exit codes: 0 ok, 2 usage error or a file
// shipshape must not overwrite.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { findConfigFile, loadConfigFile } from "../audit/audit-paths.ts";
import { ciConfigSchema, defaultConfig } from "../audit/config.ts";
import { discoverBuildTargets, repositoryNameOf } from "../builds/targets.ts";
import { ciImageOf } from "../ci/images.ts";
import { BAKE_FILE_PATH, CiFileConflict, generateCi, GITHUB_WORKFLOW_PATH, GITLAB_CI_PATH, type CiProvider } from "../ci/generate.ts";
import { describeCache } from "../ci/render.ts";
import { unifiedDiff } from "../fix/diff.ts";
import { formatBytes } from "../format/index.ts";
import { readGitFacts } from "../metrics/git.ts";
import { latestImageMeasurements } from "../metrics/latest.ts";
import { readMeasurementRows } from "../metrics/read.ts";
import { resolveDbPath } from "../metrics/record.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { packageVersion } from "./version.ts";
import { writeFileAtomic } from "./write.ts";
import { UsageError } from "../errors.ts";

export const CI_OPTIONS = `Options:
  --provider github|gitlab           which CI to generate for (default: ci.provider in the config, else github)
  --dry-run                          print the diff of the files ci would write (the default)
  --write                            write the files (atomically); only the generated section of an existing file changes
  --db PATH                          metrics database the cache is sized from (default: .shipshape/metrics.db in the repository)
  --config FILE                      config file (default: shipshape.config.yaml|yml|json in PATH)
`;

export const CI_HELP = commandHelp({
  usage: "shipshape ci [PATH] [options]",
  summary:
    "Generates the CI configuration that builds every image of PATH (default: the current directory) with BuildKit:\none bake target per image, a build cache sized from the measured images (gha mode=max only when it fits the\nGitHub cache quota with margin), layers --ci, size regressions against the kept metrics history, a job summary.",
  options: CI_OPTIONS,
  examples: ["shipshape ci", "shipshape ci . --provider gitlab --write", "shipshape ci examples/shop --db .shipshape/metrics.db"],
  exitCodes: "0 ok, 2 usage error, or a file shipshape ci must not overwrite (no generated section in it).",
});

export async function runCiCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      provider: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      write: { type: "boolean", default: false },
      db: { type: "string" },
      config: { type: "string" },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape ci takes one PATH (the repository's directory)");
  if (values.write && values["dry-run"]) throw new UsageError("--write and --dry-run exclude each other");
  const given = positionals[0] ?? ".";
  const root = path.resolve(io.cwd, given);
  if (!isDirectory(root)) throw new UsageError(`${given} is not a directory: give the repository's directory`);

  const configFile = values.config !== undefined ? path.resolve(io.cwd, values.config) : findConfigFile(root);
  const config = configFile === undefined ? defaultConfig() : loadConfigFile(configFile);
  const ciConfig = config.ci ?? ciConfigSchema.parse({});
  const provider = (values.provider ?? ciConfig.provider ?? "github") as CiProvider;
  if (provider !== "github" && provider !== "gitlab") throw new UsageError("--provider must be github or gitlab");

  const targets = discoverBuildTargets(root, { env: io.env });
  if (targets.length === 0) throw new UsageError(`nothing to build in ${given}: no compose service with build: and no Dockerfile`);
  const repositoryName = repositoryNameOf(root);
  const images = targets.map((target) => ciImageOf(target, fs.readFileSync(path.resolve(target.contextDir, target.dockerfile), "utf8"), root, repositoryName));

  const git = await readGitFacts(root);
  const dbPath = resolveDbPath(values.db, io.cwd, git.root);
  const measurements = latestImageMeasurements(await readMeasurementRows(dbPath));
  // CI files live at the git root; the bake file and the builds in PATH.
  const workdir = path.relative(git.root, root).split(path.sep).join("/") || ".";
  if (workdir.startsWith("..")) throw new UsageError(`${given} is outside its git root ${git.root}`);

  const existing = new Map<string, string>();
  for (const relative of [workdir === "." ? BAKE_FILE_PATH : `${workdir}/${BAKE_FILE_PATH}`, provider === "github" ? GITHUB_WORKFLOW_PATH : GITLAB_CI_PATH]) {
    const absolute = path.join(git.root, relative);
    if (fs.existsSync(absolute)) existing.set(relative, fs.readFileSync(absolute, "utf8"));
  }

  let result: ReturnType<typeof generateCi>;
  try {
    result = generateCi({ provider, images, measurements, config: ciConfig, existing, budgets: hasBudgets(configFile), shipshapeVersion: packageVersion(), workdir });
  } catch (error) {
    if (error instanceof CiFileConflict) throw new UsageError(error.message);
    throw error;
  }

  const estimate = result.cache.estimateMaxBytes === undefined ? "" : ` (estimated mode=max ${formatBytes(result.cache.estimateMaxBytes)}, mode=min ${formatBytes(result.cache.estimateMinBytes ?? 0)}, allowed ${formatBytes(result.cache.allowedBytes)} of ${formatBytes(result.cache.quotaBytes)})`;
  io.stderr(`shipshape ci: ${provider}: ${result.builds.length} build(s): ${result.builds.map((build) => build.bakeTarget).join(", ")}\n`);
  io.stderr(`shipshape ci: cache ${describeCache(result.cache)}${estimate}\n`);
  for (const note of result.notes) io.stderr(`shipshape ci: ${note}\n`);

  if (result.changes.length === 0) {
    io.stderr("shipshape ci: the generated sections are up to date; nothing to change\n");
    return 0;
  }
  if (!values.write) {
    for (const change of result.changes) io.stdout(unifiedDiff(change));
    return 0;
  }
  for (const change of result.changes) {
    const absolute = path.join(git.root, change.path);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    writeFileAtomic(absolute, change.after);
    io.stderr(`shipshape ci: wrote ${displayPath(absolute, io.cwd)}\n`);
  }
  return 0;
}

/** Whether the config file has a top-level `budgets:` section (another command defines its schema). */
function hasBudgets(configFile: string | undefined): boolean {
  if (configFile === undefined) return false;
  try {
    const text = fs.readFileSync(configFile, "utf8");
    const raw: unknown = configFile.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
    return typeof raw === "object" && raw !== null && "budgets" in raw;
  } catch {
    return false;
  }
}

function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join("/");
}

function isDirectory(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}
