import type { RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { estimateMB } from "./estimates.ts";
import { hasOption, isPipInstall, isShippedStage, optionValue, subcommand } from "./queries.ts";
import { commandsAfter, environmentAt, hasMountFor, hasMountWhere, insertAfterWord, removalCovers, removedPaths, subcommandArgvIndex, variableValue } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// pip keeps every downloaded and built wheel in ~/.cache/pip so the next install on the same
// machine is faster. In an image there is no next install: the cache (often tens of MB,
// hundreds with compiled wheels) is dead weight in the layer that ran pip.
export const rule: DockerfileRule = {
  meta: {
    id: "pip-no-cache-dir",
    description: "pip install in a shipped stage keeps pip's download and wheel cache in the layer.",
    impact: "medium",
    category: "size",
    scope: "dockerfile",
    hadolint: ["DL3042"],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const run of stage.instructions.filter(isRun)) {
        const env = environmentAt(dockerfile, stage, run);
        for (const command of run.shell.commands) {
          // `uv pip install` has its own cache and flags (--no-cache, UV_NO_CACHE).
          if (!isPipInstall(command) || command.name === "uv") continue;
          if (hasOption(command, "--no-cache-dir", "--no-cache")) continue;
          // pip disables its cache when PIP_NO_CACHE_DIR is set to any boolean, even "false" (pip's own backwards-compatibility rule).
          if ((variableValue("PIP_NO_CACHE_DIR", env, run, command) ?? "") !== "") continue;
          const cacheDir = pipCacheDir(command, env, run);
          if (hasMountFor(run, cacheDir) || hasMountWhere(run, (target) => /\/\.cache(\/pip)?$/.test(target))) continue;
          if (purgesCacheAfter(run, command, cacheDir)) continue;
          const report: RuleReport = {
            message: `${commandLabel(command)} without --no-cache-dir keeps pip's cache (${cacheDir}) in this layer; add --no-cache-dir, set ENV PIP_NO_CACHE_DIR=1, or use RUN --mount=type=cache,target=${cacheDir}`,
            line: run.span.start.line,
            endLine: run.span.end.line,
            estimatedSavingMB: estimateMB("pipCache"),
          };
          const installIndex = subcommandArgvIndex(command, "install");
          const edit = installIndex === undefined ? undefined : insertAfterWord(dockerfile, run, command, installIndex, "--no-cache-dir");
          if (edit) report.fix = [edit];
          reports.push(report);
        }
      }
    }
    return reports;
  },
};

/** Where this pip writes its cache: --cache-dir, PIP_CACHE_DIR, XDG_CACHE_HOME/pip, or root's ~/.cache/pip. */
function pipCacheDir(command: ShellCommand, env: ReadonlyMap<string, string>, run: RunInstruction): string {
  const configured = optionValue(command, "--cache-dir") ?? variableValue("PIP_CACHE_DIR", env, run, command);
  if (configured && !configured.includes("$")) return configured;
  const xdg = variableValue("XDG_CACHE_HOME", env, run, command);
  if (xdg && !xdg.includes("$")) return `${xdg.replace(/(?<!\/)\/+$/, "")}/pip`;
  return "/root/.cache/pip";
}

/** `pip cache purge` or `rm -rf ~/.cache/pip` later in the same RUN. */
function purgesCacheAfter(run: RunInstruction, install: ShellCommand, cacheDir: string): boolean {
  return commandsAfter(run, install).some((command) => {
    if (/^pip\d?(\.\d+)?$/.test(command.name) && subcommand(command) === "cache" && command.args.includes("purge")) return true;
    return removedPaths(command).some((path) => removalCovers(path.replace(/^(~|\$HOME|\$\{HOME\})(?=\/|$)/, "/root"), `${cacheDir}/http`));
  });
}

function commandLabel(command: ShellCommand): string {
  return command.name.startsWith("python") ? `${command.name} -m pip install` : `${command.name} install`;
}
