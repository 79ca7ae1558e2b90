// The edge where an audit meets the disk: resolve the paths the user named, load the config,
// scan, and hand the snapshots to the pure core (run.ts).
import fs from "node:fs";
import path from "node:path";
import { allRules } from "../rules/index.ts";
import type { Rule } from "../rules/types.ts";
import { scanDirectory, scanFile } from "../repo/scan.ts";
import type { RepoSnapshot } from "../repo/snapshot.ts";
import { buildRepositoryView } from "../repo/view.ts";
import type { ViewOptions } from "../repo/view.ts";
import { CONFIG_FILE_NAMES, defaultConfig, isIgnoredPath, parseConfig } from "./config.ts";
import type { ShipshapeConfig } from "./config.ts";
import type { AuditResult, FileResult, Finding } from "./result.ts";
import { addSummaries, auditRepository, summarize } from "./run.ts";
import { ConfigError, UsageError } from "../errors.ts";

export interface AuditPathsOptions {
  /** Directory paths are shown relative to (default: process.cwd()). */
  cwd?: string;
  /** Explicit config file; otherwise shipshape.config.* in the scanned directory, then in cwd. */
  configPath?: string;
  /** Already-loaded config (wins over configPath). */
  config?: ShipshapeConfig;
  rules?: readonly Rule[];
  /** Streaming (see AuditOptions.onFile): Dockerfile results as they are done, later findings on them. */
  onFile?: (file: FileResult) => void;
  onLateFinding?: (path: string, finding: Finding) => void;
}

export function loadConfigFile(filePath: string, rules: readonly Rule[] = allRules): ShipshapeConfig {
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a config file" : code === "EACCES" ? "permission denied" : (code ?? (error as Error).message);
    throw new ConfigError(`cannot read config ${filePath}: ${what}; check the --config path (or drop it to use shipshape.config.yaml|yml|json)`);
  }
  return parseConfig(text, filePath, new Set(rules.map((rule) => rule.meta.id)));
}

export function findConfigFile(...directories: string[]): string | undefined {
  for (const directory of directories) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(directory, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** A path named on the command line, read for an audit or a fix. */
export interface OpenedTarget {
  absolute: string;
  isDirectory: boolean;
  /** The path itself when it is a directory, else the directory of the named file. */
  directory: string;
  /** `directory` relative to cwd, "/"-separated ("." for cwd itself). */
  displayRoot: string;
  config: ShipshapeConfig;
  /** The directory scanned, or the one named file. */
  snapshot: RepoSnapshot;
  /** For buildRepositoryView: the config's ignorePaths for a directory, the named file as the only target for a file. */
  viewOptions: ViewOptions;
}

/**
 * Stats the path (UsageError when it does not exist), finds its config (the one given, relative
 * to cwd, else shipshape.config.* in its directory, then in cwd) and scans it.
 */
export function openTarget(target: string, options: { cwd: string; configPath?: string | undefined; config?: ShipshapeConfig | undefined; rules?: readonly Rule[] }): OpenedTarget {
  const absolute = path.resolve(options.cwd, target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch {
    throw new UsageError(`no such file or directory: ${target}`);
  }
  const isDirectory = stat.isDirectory();
  const directory = isDirectory ? absolute : path.dirname(absolute);
  const configFile = options.configPath !== undefined ? path.resolve(options.cwd, options.configPath) : findConfigFile(directory, options.cwd);
  const config = options.config ?? (configFile !== undefined ? loadConfigFile(configFile, options.rules) : defaultConfig());
  const opened = { absolute, isDirectory, directory, displayRoot: toPosix(path.relative(options.cwd, directory)) || ".", config };
  if (isDirectory) return { ...opened, snapshot: scanDirectory(absolute), viewOptions: { isIgnoredPath: (file) => isIgnoredPath(config, file) } };
  const scanned = scanFile(absolute);
  return { ...opened, snapshot: scanned.snapshot, viewOptions: { targets: [scanned.target] } };
}

/** Audits files and directories; throws UsageError for paths that do not exist, ConfigError for bad config. */
export function auditPaths(paths: string[], options: AuditPathsOptions = {}): AuditResult {
  const cwd = options.cwd ?? process.cwd();
  const rules = options.rules ?? allRules;
  const targets = paths.length > 0 ? paths : ["."];
  const results: AuditResult[] = [];
  for (const target of targets) {
    const { config, displayRoot, snapshot, viewOptions } = openTarget(target, { cwd, configPath: options.configPath, config: options.config, rules });
    results.push(auditRepository(buildRepositoryView(snapshot, viewOptions), { config, rules, displayRoot, clock: () => performance.now(), onFile: options.onFile, onLateFinding: options.onLateFinding }));
  }
  if (results.length === 1 && results[0]) return results[0];
  const files = results.flatMap((result) => result.files);
  // Adding the summaries (not re-counting `files`) keeps the files a streaming audit no longer holds.
  const merged: AuditResult = { root: cwd, files, summary: results.map((result) => result.summary).reduce((sum, summary) => addSummaries(sum, summary), summarize([])) };
  const skipped = results.flatMap((result) => result.skipped ?? []);
  if (skipped.length > 0) merged.skipped = skipped;
  return merged;
}

function toPosix(value: string): string {
  return value.split(path.sep).join("/");
}
