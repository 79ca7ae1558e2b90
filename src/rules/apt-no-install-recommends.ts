import { estimateMB } from "./estimates.ts";
import { allCommands, hasOption, isAptInstall, isShippedStage } from "./queries.ts";
import { insertAfterWord, subcommandArgvIndex } from "./support/package-hygiene.ts";
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
      // The `install` word of this very command: two installs in one RUN may start alike.
      const installIndex = subcommandArgvIndex(command, "install");
      const edit = installIndex === undefined ? undefined : insertAfterWord(dockerfile, run, command, installIndex, "--no-install-recommends");
      if (edit) report.fix = [edit];
      reports.push(report);
    }
    return reports;
  },
};
