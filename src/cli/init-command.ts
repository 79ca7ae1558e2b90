// `shipshape init [PATH]`: writes a starter shipshape.config.yaml into PATH (default: the current directory).
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { STARTER_CONFIG } from "../audit/config.ts";
import { UsageError } from "../errors.ts";
import { commandHelp } from "./help.ts";
import { EXIT_OK } from "./io.ts";
import type { CliIO } from "./io.ts";
import { writeFileAtomic } from "./write.ts";

export const INIT_HELP = commandHelp({
  usage: "shipshape init [PATH] [options]",
  summary: "Writes a starter shipshape.config.yaml into PATH (a directory; default: the current directory).",
  options: `Options:
  --force                            overwrite an existing shipshape.config.yaml
`,
  examples: ["shipshape init", "shipshape init services/api --force"],
  exitCodes: "0 written, 2 usage error (the file exists without --force, PATH is not a directory).",
});

export function runInitCommand(args: string[], io: CliIO): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { force: { type: "boolean", default: false } } });
  if (positionals.length > 1) throw new UsageError("shipshape init takes one PATH (the directory to write shipshape.config.yaml into)");
  const given = positionals[0] ?? ".";
  const directory = path.resolve(io.cwd, given);
  if (!isDirectory(directory)) throw new UsageError(`${given} is not a directory: give the directory to write shipshape.config.yaml into`);
  const target = path.join(directory, "shipshape.config.yaml");
  const display = path.relative(io.cwd, target) || "shipshape.config.yaml";
  if (fs.existsSync(target) && !values.force) throw new UsageError(`${display} already exists (use --force to overwrite)`);
  writeFileAtomic(target, STARTER_CONFIG);
  io.stdout(`wrote ${display}\n`);
  return EXIT_OK;
}

function isDirectory(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}
