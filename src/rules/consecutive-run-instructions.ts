import type { RunInstruction } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { isShippedStage } from "./queries.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Every RUN is a layer. Consecutive RUNs of simple package and file operations rarely gain
// anything from being separate, while a file touched by two of them (installed then chmod-ed,
// downloaded then deleted) is stored once per layer. Only the stages that ship are checked:
// a build stage's layers stay on the builder.
export const rule: DockerfileRule = {
  meta: {
    id: "consecutive-run-instructions",
    description: "Consecutive RUN instructions of simple package and file operations in a shipped stage that could be one layer.",
    impact: "low",
    category: "size",
    scope: "dockerfile",
    hadolint: ["DL3059"],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      let group: RunInstruction[] = [];
      const flush = (): void => {
        if (group.length >= 2) reports.push(report(group));
        group = [];
      };
      for (const instruction of stage.instructions) {
        // Any other instruction (COPY, ENV, WORKDIR, USER, ARG...) between RUNs is a reason to keep them apart.
        if (!isRun(instruction) || instruction.onbuild || !isSimple(instruction)) {
          flush();
          continue;
        }
        const previous = group.at(-1);
        if (previous && flagsKey(previous) !== flagsKey(instruction)) flush();
        group.push(instruction);
      }
      flush();
    }
    return reports;
  },
};

/** Package managers and file/user plumbing: nothing a reader would keep in its own layer on purpose. */
const SIMPLE_COMMANDS = new Set([
  "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", "dpkg", "rpm", "pip", "pip3",
  "mkdir", "chmod", "chown", "chgrp", "ln", "rm", "cp", "mv", "touch", "echo", "printf", "tee", "sed", "install",
  "useradd", "adduser", "groupadd", "addgroup", "usermod", "deluser", "userdel",
  "curl", "wget", "tar", "unzip", "gzip", "gunzip", "git",
  "ldconfig", "update-ca-certificates", "locale-gen", "localedef", "dpkg-reconfigure", "update-alternatives",
  "true", "set", "cd", "test", "[",
]);

/** Shell form, parsable, and every command is a simple package or file operation. */
function isSimple(run: RunInstruction): boolean {
  if (run.form !== "shell" || run.heredocs.length > 0 || run.shell.parseError !== undefined) return false;
  const commands = run.shell.commands.filter((command) => command.name !== "");
  return commands.length > 0 && commands.every((command) => SIMPLE_COMMANDS.has(command.name));
}

/** RUNs with different --mount/--network/--security flags cannot simply be joined. */
function flagsKey(run: RunInstruction): string {
  return run.flags
    .map((flag) => `${flag.name}=${flag.value ?? ""}`)
    .sort()
    .join(" ");
}

function report(group: RunInstruction[]): RuleReport {
  const lines = group.map((run) => run.span.start.line);
  const listed = lines.length === 2 ? `${lines[0]} and ${lines[1]}` : `${lines.slice(0, -1).join(", ")} and ${lines.at(-1)}`;
  // Reported on the second RUN, where hadolint reports DL3059 (and where its ignore comments sit).
  const second = group[1] as RunInstruction;
  const last = group.at(-1) as RunInstruction;
  return {
    message: `${group.length} consecutive RUN instructions (lines ${listed}) could be one RUN joined with &&: each RUN adds a layer, and a file changed by more than one of them is stored in each`,
    line: second.span.start.line,
    endLine: last.span.end.line,
  };
}
