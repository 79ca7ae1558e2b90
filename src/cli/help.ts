// One layout for every command's help: usage, what it does, options, examples, exit codes.
// Each command file writes its own (so adding an option is one line there); the dispatcher only
// prints it.

export interface CommandHelpParts {
  usage: string;
  summary: string;
  /** The options block, starting with "Options:". */
  options: string;
  examples: readonly string[];
  exitCodes: string;
}

export function commandHelp(parts: CommandHelpParts): string {
  const options = parts.options.endsWith("\n") ? parts.options : `${parts.options}\n`;
  const examples = parts.examples.map((example) => `  ${example}\n`).join("");
  return `Usage: ${parts.usage}\n\n${parts.summary}\n\n${options}\nExamples:\n${examples}\nExit codes: ${parts.exitCodes}\n`;
}

/** The long options a help text documents (`--format`, `--no-history`), for "did you mean". */
export function optionsInHelp(help: string): string[] {
  return [...new Set(help.match(/--[a-z][a-z0-9-]*/g) ?? [])];
}
