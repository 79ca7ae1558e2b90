import type { RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { estimateMB } from "./estimates.ts";
import { hasOption, isApkAdd, isShippedStage, subcommand } from "./queries.ts";
import { commandsAfter, hasMountFor, insertAfterWord, removalCovers, removedPaths, subcommandArgvIndex } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Without --no-cache, `apk add --update` / `apk update` store the repository index (and, when
// the cache is enabled, the packages) under /var/cache/apk, and that layer ships them. On an
// Alpine image of a few MB, a few MB of index is a large share.
export const rule: DockerfileRule = {
  meta: {
    id: "apk-no-cache",
    description: "apk add without --no-cache (or apk update) leaves the package index in /var/cache/apk in a shipped layer.",
    impact: "low",
    category: "size",
    scope: "dockerfile",
    hadolint: ["DL3019"],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const run of stage.instructions.filter(isRun)) {
        if (hasMountFor(run, "/var/cache/apk/x") || hasMountFor(run, "/etc/apk/cache/x")) continue;
        for (const command of run.shell.commands) {
          const add = isApkAdd(command);
          const update = command.name === "apk" && subcommand(command) === "update";
          if ((!add && !update) || (add && hasOption(command, "--no-cache")) || cleansAfter(run, command)) continue;
          const report: RuleReport = {
            message: add
              ? "apk add without --no-cache keeps the package index in /var/cache/apk in this layer; use apk add --no-cache (it fetches a fresh index and stores nothing)"
              : "apk update stores the package index in /var/cache/apk in this layer; drop it and use apk add --no-cache, which fetches a fresh index without storing it",
            line: run.span.start.line,
            endLine: run.span.end.line,
            estimatedSavingMB: estimateMB("apkCache"),
          };
          const addIndex = add ? subcommandArgvIndex(command, "add") : undefined;
          const edit = addIndex === undefined ? undefined : insertAfterWord(dockerfile, run, command, addIndex, "--no-cache");
          if (edit) report.fix = [edit];
          reports.push(report);
        }
      }
    }
    return reports;
  },
};

/** `rm -rf /var/cache/apk/*` or `apk cache clean` later in the same RUN. */
function cleansAfter(run: RunInstruction, command: ShellCommand): boolean {
  return commandsAfter(run, command).some(
    (later) =>
      (later.name === "apk" && subcommand(later) === "cache" && later.args.includes("clean")) ||
      removedPaths(later).some((path) => removalCovers(path, "/var/cache/apk/APKINDEX.tar.gz")),
  );
}
