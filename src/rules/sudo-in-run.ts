import type { DockerfileModel, RunInstruction, Stage } from "../dockerfile/model.ts";
import { instructionsBefore } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// RUN already executes as root, or as the USER the Dockerfile chose. sudo adds nothing but a
// setuid-root binary (and its configuration) to the image, and hides from the reader which
// steps run privileged; with a non-root USER it only works if sudoers grants it, which is a
// privilege escalation path left in the runtime image.
export const rule: DockerfileRule = {
  meta: {
    id: "sudo-in-run",
    description: "sudo used inside RUN instead of USER to choose who runs a build step.",
    impact: "low",
    category: "security",
    scope: "dockerfile",
    hadolint: ["DL3004"],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      for (const instruction of stage.instructions) {
        if (instruction.keyword !== "RUN") continue;
        const run = instruction as RunInstruction;
        const commands = run.shell.commands.filter((command) => command.sudo).map((command) => `sudo ${command.name || command.args.join(" ")}`.trim());
        if (commands.length === 0) continue;
        const user = userAt(dockerfile, stage, run);
        const listed = [...new Set(commands)].slice(0, 3).join(", ");
        reports.push({
          message:
            user === undefined
              ? `${listed}: this RUN already runs as root, so sudo is unnecessary; drop it (and the sudo package, a setuid-root binary, from the image)`
              : `${listed}: use USER root for this step and USER ${user} after it instead of sudo, so the Dockerfile shows which steps run privileged and the image needs no sudo (a setuid-root binary and a sudoers escalation path)`,
          line: run.span.start.line,
          endLine: run.span.end.line,
        });
      }
    }
    return reports;
  },
};

/** The non-root user a RUN executes as, or undefined for root (no USER, or USER root / 0). */
function userAt(model: DockerfileModel, stage: Stage, run: RunInstruction): string | undefined {
  const user = instructionsBefore(model, stage, run).filter((instruction) => instruction.keyword === "USER").at(-1)?.args[0];
  if (user === undefined) return undefined;
  const name = user.split(":")[0] ?? "";
  return name === "root" || name === "0" || name === "" ? undefined : user;
}
