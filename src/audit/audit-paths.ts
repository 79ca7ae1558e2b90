// The edge where an audit meets the disk: resolve the paths the user named, load the config,
// scan, and hand the snapshots to the pure core (run.ts).
import fs from "node:fs";
import path from "node:path";
import { allRules } from "../rules/index.ts";
import type { Rule } from "../rules/types.ts";
import { scanDirectory, scanFile } from "../repo/scan.ts";
import { buildRepositoryView } from "../repo/view.ts";
import { CONFIG_FILE_NAMES, ConfigError, defaultConfig, isIgnoredPath, parseConfig } from "./config.ts";
import type { ShipshapeConfig } from "./config.ts";
import type { AuditResult } from "./result.ts";
import { auditRepository, summarize } from "./run.ts";

export interface AuditPathsOptions {
  /** Directory paths are shown relative to (default: process.cwd()). */
  cwd?: string;
  /** Explicit config file; otherwise shipshape.config.* in the scanned directory, then in cwd. */
  configPath?: string;
  /** Already-loaded config (wins over configPath). */
  config?: ShipshapeConfig;
  rules?: readonly Rule[];
}

export class UsageError extends Error {}

export function loadConfigFile(filePath: string, rules: readonly Rule[] = allRules): ShipshapeConfig {
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (error) {
    throw new ConfigError(`${filePath}: cannot read config: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
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

/** Audits files and directories; throws UsageError for paths that do not exist, ConfigError for bad config. */
export function auditPaths(paths: string[], options: AuditPathsOptions = {}): AuditResult {
  const cwd = options.cwd ?? process.cwd();
  const rules = options.rules ?? allRules;
  const targets = paths.length > 0 ? paths : ["."];
  const results: AuditResult[] = [];
  for (const target of targets) {
    const absolute = path.resolve(cwd, target);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      throw new UsageError(`no such file or directory: ${target}`);
    }
    const directory = stat.isDirectory() ? absolute : path.dirname(absolute);
    const configFile = options.configPath ?? findConfigFile(directory, cwd);
    const config = options.config ?? (configFile ? loadConfigFile(configFile, rules) : defaultConfig());
    const displayRoot = toPosix(path.relative(cwd, directory)) || ".";
    if (stat.isDirectory()) {
      const view = buildRepositoryView(scanDirectory(absolute), { isIgnoredPath: (file) => isIgnoredPath(config, file) });
      results.push(auditRepository(view, { config, rules, displayRoot }));
    } else {
      const { snapshot, target: file } = scanFile(absolute);
      const view = buildRepositoryView(snapshot, { targets: [file] });
      results.push(auditRepository(view, { config, rules, displayRoot }));
    }
  }
  if (results.length === 1 && results[0]) return results[0];
  const files = results.flatMap((result) => result.files);
  return { root: cwd, files, summary: summarize(files, results.reduce((sum, result) => sum + result.summary.suppressed, 0)) };
}

function toPosix(value: string): string {
  return value.split(path.sep).join("/");
}
