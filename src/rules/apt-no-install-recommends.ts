import { estimateMB } from "./estimates.ts";
import { allCommands, hasOption, isAptInstall, isShippedStage } from "./queries.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// apt installs "recommended" packages by default: often docs, extra tools and libraries the
// application never loads. In build stages that only costs time; in the runtime image, size.
export const rule: DockerfileRule = {
  meta: {
    id: "apt-no-install-recommends",
    description: "apt-get install without --no-install-recommends pulls in packages nobody asked for.",
    impact: "medium",
    category: "size",
    scope: "dockerfile",
    hadolint: ["DL3015"],
    fixable: true,
    fixLevel: "rewrite",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const { command, run, stage } of allCommands(dockerfile)) {
      if (command.name !== "apt-get" || !isAptInstall(command)) continue;
      if (hasOption(command, "--no-install-recommends") || command.args.some((arg) => /Install-Recommends=(false|0)/i.test(arg))) continue;
      const shipped = isShippedStage(dockerfile, stage);
      const report: RuleReport = {
        message: `apt-get install without --no-install-recommends${shipped ? "" : " (build stage: costs build time, not image size)"}`,
        line: run.span.start.line,
        endLine: run.span.end.line,
      };
      if (shipped) report.estimatedSavingMB = estimateMB("aptRecommends");
      const edit = insertAfterInstall(dockerfile.text, run.span.start.offset, run.span.end.offset, command.text);
      if (edit) report.fix = [edit];
      reports.push(report);
    }
    return reports;
  },
};

/** Inserts the flag right after the `install` word of this command inside the RUN's text. */
function insertAfterInstall(text: string, start: number, end: number, commandText: string): { start: number; end: number; text: string } | undefined {
  const body = text.slice(start, end);
  const commandAt = body.indexOf(commandText.slice(0, Math.min(commandText.length, 40)));
  if (commandAt < 0) return undefined;
  const match = /\binstall\b/.exec(body.slice(commandAt));
  if (!match) return undefined;
  const offset = start + commandAt + match.index + match[0].length;
  return { start: offset, end: offset, text: " --no-install-recommends" };
}
