import type { DockerfileModel, RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { isRun, runtimeStages } from "../dockerfile/model.ts";
import { estimateMB } from "./estimates.ts";
import { isApt, isAptUpdate, isShippedStage, subcommand } from "./queries.ts";
import { appendCommandToRun, commandIndex, hasMountFor, removalCovers, removedPaths } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// `apt-get update` downloads the package indexes into /var/lib/apt/lists (about 20 MB on
// bookworm). Unless the same RUN deletes them, they are frozen into that layer and shipped
// with every image, although nothing at runtime reads them. Deleting them in a later RUN
// does not help: the earlier layer keeps the bytes.
export const rule: DockerfileRule = {
  meta: {
    id: "apt-lists-not-removed",
    description: "apt-get update in a shipped stage without removing /var/lib/apt/lists in the same RUN.",
    impact: "medium",
    category: "size",
    scope: "dockerfile",
    hadolint: ["DL3009"],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      // Build stages are not shipped: their lists cost nothing in the final image.
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const run of stage.instructions.filter(isRun)) {
        const updates = run.shell.commands.filter(isAptUpdate);
        const lastUpdate = updates.at(-1);
        if (!lastUpdate) continue;
        if (hasMountFor(run, "/var/lib/apt/lists")) continue;
        if (cleansListsAfter(run, lastUpdate)) continue;
        const report: RuleReport = {
          message: `${lastUpdate.name} update leaves the package lists in /var/lib/apt/lists in this layer; end the same RUN with \`rm -rf /var/lib/apt/lists/*\` (or use RUN --mount=type=cache,target=/var/lib/apt/lists)`,
          line: run.span.start.line,
          endLine: run.span.end.line,
          estimatedSavingMB: estimateMB("aptLists"),
        };
        // Removing the lists is only safe when nothing later relies on them.
        const fix = installsAfter(run, lastUpdate) && !laterRunNeedsLists(dockerfile, run) ? appendCommandToRun(dockerfile, run, "rm -rf /var/lib/apt/lists/*") : undefined;
        if (fix) report.fix = [fix];
        reports.push(report);
      }
    }
    return reports;
  },
};

const NEEDS_LISTS = new Set(["install", "upgrade", "dist-upgrade", "full-upgrade", "source", "build-dep", "download", "satisfy"]);

function installsAfter(run: RunInstruction, update: ShellCommand): boolean {
  return run.shell.commands.slice(commandIndex(run, update) + 1).some((command) => isApt(command) && NEEDS_LISTS.has(subcommand(command) ?? ""));
}

/** A later RUN of the image that installs with apt without updating first: it uses these lists. */
function laterRunNeedsLists(model: DockerfileModel, run: RunInstruction): boolean {
  let seen = false;
  for (const stage of runtimeStages(model)) {
    for (const instruction of stage.instructions) {
      if (instruction === run) seen = true;
      else if (seen && isRun(instruction)) {
        for (const command of instruction.shell.commands) {
          if (isAptUpdate(command)) break;
          if (isApt(command) && NEEDS_LISTS.has(subcommand(command) ?? "")) return true;
        }
      }
    }
  }
  return false;
}

/** A typical file `apt-get update` writes; a removal must cover it. */
const INDEX_FILE = "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4";

/** `rm -rf /var/lib/apt/lists/*` (or a parent), `find ... -delete` or `apt-get distclean` after the update. */
function cleansListsAfter(run: RunInstruction, update: ShellCommand): boolean {
  return run.shell.commands.slice(commandIndex(run, update) + 1).some((command) => {
    if (isApt(command) && ["distclean", "dist-clean"].includes(subcommand(command) ?? "")) return true;
    return removedPaths(command).some((path) => removalCovers(path, INDEX_FILE));
  });
}
