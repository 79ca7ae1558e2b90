import type { DockerfileModel, RunInstruction, Stage } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { isApt, isAptUpdate } from "./queries.ts";
import { isAptDownload, unwrapXargs } from "./support/cache-mounts.ts";
import { stageChain } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// `RUN apt-get update` on its own is cached like any layer: once built, it is reused for
// months while the later `RUN apt-get install` layer gets rebuilt (a new package in the list)
// against those old package lists. Installs then fail with 404s for versions the mirror has
// dropped, or silently install outdated packages. Updating and installing in the same RUN
// keeps them invalidated together (Docker's Dockerfile best practices).
export const rule: DockerfileRule = {
  meta: {
    id: "apt-update-alone",
    description: "RUN apt-get update in its own layer: the cached package lists go stale and later installs fail or get old packages.",
    impact: "high",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      for (const run of stage.instructions.filter(isRun)) {
        if (run.onbuild) continue;
        const commands = run.shell.commands.map(unwrapXargs);
        const aptCommands = commands.filter(isApt);
        if (aptCommands.length === 0 || !aptCommands.every(isAptUpdate)) continue;
        // A script may install what was just updated (`apt-get update && ./install-deps.sh`).
        if (commands.some(runsScript)) continue;
        const install = laterInstall(dockerfile, stage, run);
        if (!install) continue;
        const update = aptCommands[0]?.name ?? "apt-get";
        reports.push({
          message: `\`${update} update\` runs in its own layer; the cached package lists go stale while the install at line ${install.span.start.line} is rebuilt against them. Run \`${update} update && ${update} install ...\` in the same RUN`,
          line: run.span.start.line,
          endLine: run.span.end.line,
        });
      }
    }
    return reports;
  },
};

/** `./setup.sh`, `/tmp/install`, `sh script.sh`, `. ./env`: code we cannot see. */
function runsScript(command: { name: string; argv: string[]; args: string[] }): boolean {
  const head = command.argv.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) ?? "";
  if (/\.(sh|bash)$/.test(command.name) || head.startsWith("./") || head.startsWith("../")) return true;
  if (head.startsWith("/") && !/^\/(usr\/)?(s?bin|local\/s?bin)\//.test(head)) return true;
  if (["sh", "bash", "dash", "ash", "source", "."].includes(command.name)) return command.args.some((arg) => !arg.startsWith("-")) && !command.args.some((arg) => /^-[a-bd-z]*c[a-z]*$/.test(arg));
  return false;
}

/**
 * The first later RUN, in this stage or a stage built FROM it, that installs with apt without
 * updating first (one that updates itself does not depend on the stale lists).
 */
function laterInstall(model: DockerfileModel, stage: Stage, update: RunInstruction): RunInstruction | undefined {
  for (const candidate of model.stages) {
    if (!stageChain(model, candidate).includes(stage)) continue;
    const found = candidate.instructions.find((instruction): instruction is RunInstruction => isRun(instruction) && !instruction.onbuild && instruction.index > update.index && instruction.shell.commands.some(isAptDownload) && !instruction.shell.commands.some(isAptUpdate));
    if (found) return found;
  }
  return undefined;
}
