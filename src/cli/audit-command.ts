// `shipshape audit [PATH...]`: audit Dockerfiles, compose files and build contexts; print the
// report in the chosen format. Exit 0 clean, 1 findings at or above --fail-on (or files that
// could not be audited), 2 usage error.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { auditPaths, findConfigFile, loadConfigFile } from "../audit/audit-paths.ts";
import { describeSkipped } from "../audit/skipped.ts";
import { defaultConfig, impactAtLeast } from "../audit/config.ts";
import type { AuditResult, FileResult } from "../audit/result.ts";
import type { ShipshapeConfig } from "../audit/config.ts";
import { UsageError } from "../errors.ts";
import { allRules } from "../rules/index.ts";
import { FORMATS, jsonLinesFile, jsonLinesFinding, jsonLinesSummary, renderAudit } from "../report/index.ts";
import { shouldUseColor } from "../report/tty.ts";
import { commandHelp } from "./help.ts";
import { EXIT_FINDINGS, EXIT_OK } from "./io.ts";
import type { CliIO } from "./io.ts";
import { packageVersion } from "./version.ts";
import { writeFileAtomic } from "./write.ts";

export const AUDIT_OPTIONS = `Options:
  --format tty|json|sarif|markdown|jsonl
                                     output format (default: tty); jsonl (JSON Lines) is written while the
                                     audit runs, file by file, so large audits stay within bounded memory
  --output FILE                      write the report to FILE instead of stdout
  --fail-on high|medium|low|none     exit 1 when a finding at or above this impact remains (default: low, or failOn in the config)
  --config FILE                      config file (default: shipshape.config.yaml|yml|json in PATH, then in the current directory)
  --verbose                          list the folders not looked into (dependency/build folders, unreadable ones) and why
`;

export const AUDIT_HELP = commandHelp({
  usage: "shipshape audit [PATH...] [options]",
  summary: "Audits the Dockerfiles, compose files and build contexts (.dockerignore) under each PATH (default: the\ncurrent directory) and reports what makes the images big, the builds slow or the setup unsafe.",
  options: AUDIT_OPTIONS,
  examples: ["shipshape audit", "shipshape audit services/api/Dockerfile --fail-on high", "shipshape audit . --format sarif --output shipshape.sarif"],
  exitCodes: "0 clean, 1 findings at or above --fail-on (or files that could not be audited), 2 usage error.",
});

export function runAuditCommand(args: string[], io: CliIO): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string", default: "tty" },
      output: { type: "string" },
      "fail-on": { type: "string" },
      config: { type: "string" },
      verbose: { type: "boolean", default: false },
    },
  });
  const format = values.format ?? "tty";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  const failOnValue = values["fail-on"];
  if (failOnValue !== undefined && !["high", "medium", "low", "none"].includes(failOnValue)) throw new UsageError("--fail-on must be high, medium, low or none");

  const firstDirectory = directoryOf(path.resolve(io.cwd, positionals[0] ?? "."));
  const configFile = values.config !== undefined ? path.resolve(io.cwd, values.config) : findConfigFile(firstDirectory, io.cwd);
  const config = configFile !== undefined ? loadConfigFile(configFile) : defaultConfig();
  if (format === "jsonl") return streamJsonLines(positionals, values.output, failOnValue, config, values.verbose === true, io);
  const result = auditPaths(positionals, { cwd: io.cwd, config });
  io.stderr(describeSkipped(result.skipped ?? [], values.verbose === true));
  // An audit that found nothing to read is not a clean bill of health: say so.
  if (result.files.length === 0) io.stderr(`shipshape: no Dockerfile or compose file found in ${(positionals.length > 0 ? positionals : ["."]).join(", ")}: nothing was audited\n`);

  const color = values.output === undefined && format === "tty" && shouldUseColor(io.env, io.isTTY);
  const output = renderAudit(format as (typeof FORMATS)[number], result, { color, rules: allRules, toolVersion: packageVersion() });
  if (values.output !== undefined) {
    writeFileAtomic(path.resolve(io.cwd, values.output), output);
    io.stderr(`shipshape: wrote ${values.output} (${result.summary.findings} findings in ${result.summary.files} files)\n`);
  } else io.stdout(output);

  const failOn = (failOnValue ?? config.failOn ?? "low") as "high" | "medium" | "low" | "none";
  return exitCodeFor(result, failOn);
}

/**
 * `--format jsonl`: each Dockerfile's line is written as soon as its rules ran (to stdout, or
 * appended to --output as it goes: a stopped run leaves the lines it finished), and nothing is
 * kept but the summary's counts.
 */
function streamJsonLines(positionals: string[], output: string | undefined, failOnValue: string | undefined, config: ShipshapeConfig, verbose: boolean, io: CliIO): number {
  const fd = output !== undefined ? fs.openSync(path.resolve(io.cwd, output), "w") : undefined;
  const write = fd !== undefined ? (text: string): void => void fs.writeSync(fd, text) : io.stdout;
  const failOn = (failOnValue ?? config.failOn ?? "low") as "high" | "medium" | "low" | "none";
  let failing = false;
  const note = (file: FileResult): void => {
    if (failOn !== "none" && (file.error !== undefined || file.findings.some((finding) => impactAtLeast(finding.impact, failOn)))) failing = true;
  };
  try {
    const result = auditPaths(positionals, {
      cwd: io.cwd,
      config,
      onFile: (file) => {
        note(file);
        write(jsonLinesFile(file));
      },
      onLateFinding: (filePath, finding) => {
        if (failOn !== "none" && impactAtLeast(finding.impact, failOn)) failing = true;
        write(jsonLinesFinding(filePath, finding));
      },
    });
    for (const file of result.files) {
      note(file);
      write(jsonLinesFile(file));
    }
    write(jsonLinesSummary(result.root, result.summary));
    io.stderr(describeSkipped(result.skipped ?? [], verbose));
    if (result.summary.files === 0) io.stderr(`shipshape: no Dockerfile or compose file found in ${(positionals.length > 0 ? positionals : ["."]).join(", ")}: nothing was audited\n`);
    if (output !== undefined) io.stderr(`shipshape: wrote ${output} (${result.summary.findings} findings in ${result.summary.files} files)\n`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return failing ? EXIT_FINDINGS : EXIT_OK;
}

function directoryOf(absolute: string): string {
  try {
    return fs.statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
  } catch {
    return path.dirname(absolute);
  }
}

export function exitCodeFor(result: AuditResult, failOn: "high" | "medium" | "low" | "none"): number {
  if (failOn === "none") return EXIT_OK;
  const failing = result.files.some((file) => file.error !== undefined || file.findings.some((finding) => impactAtLeast(finding.impact, failOn)));
  return failing ? EXIT_FINDINGS : EXIT_OK;
}
