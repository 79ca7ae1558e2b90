// `shipshape rules`: the rules, as a table or JSON.
import { parseArgs } from "node:util";
import { UsageError } from "../errors.ts";
import { renderRulesJson } from "../report/json.ts";
import { renderRulesTable, shouldUseColor } from "../report/tty.ts";
import { allRules } from "../rules/index.ts";
import { commandHelp } from "./help.ts";
import { EXIT_OK } from "./io.ts";
import type { CliIO } from "./io.ts";

export const RULES_HELP = commandHelp({
  usage: "shipshape rules [options]",
  summary: "Lists every rule: id, impact, category, the hadolint rules it covers, whether `shipshape fix` fixes it.",
  options: `Options:
  --format tty|json                  output format (default: tty)
`,
  examples: ["shipshape rules", "shipshape rules --format json"],
  exitCodes: "0 listed, 2 usage error.",
});

export function runRulesCommand(args: string[], io: CliIO): number {
  const { values } = parseArgs({ args, options: { format: { type: "string", default: "tty" } } });
  if (values.format === "json") io.stdout(renderRulesJson(allRules));
  else if (values.format === "tty") io.stdout(renderRulesTable(allRules, { color: shouldUseColor(io.env, io.isTTY) }));
  else throw new UsageError("--format must be tty or json for `shipshape rules`");
  return EXIT_OK;
}
