import type { DockerfileModel, Instruction, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { imageShortName, tagVariants } from "../dockerfile/image-ref.ts";
import { parseExecForm } from "../dockerfile/parse.ts";
import { shellAt, stageChain } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// A pipeline's exit status is its last command's. In `curl -fsSL $URL | tar -xz`, a failed
// download gives tar an empty stream; depending on the consumer the RUN "succeeds" and the
// image is built without what it was meant to contain. `pipefail` makes the pipeline fail
// when any command in it fails. Docker's default /bin/sh -c does not set it.
export const rule: DockerfileRule = {
  meta: {
    id: "missing-pipefail",
    description: "RUN with a pipe under a shell without pipefail: a failure of an earlier command in the pipe goes unnoticed.",
    impact: "low",
    category: "maintainability",
    scope: "dockerfile",
    hadolint: ["DL4006"],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      const base = stageChain(dockerfile, stage)[0]?.base;
      if (base && /windows|nanoserver|servercore/i.test(base.name)) continue;
      for (const run of stage.instructions.filter(isRun)) {
        if (run.form !== "shell" || run.heredocs.some((heredoc) => heredoc.content.startsWith("#!"))) continue;
        const pipeline = riskyPipeline(run);
        if (!pipeline) continue;
        const shell = shellAt(dockerfile, stage, run);
        const shellArgs = shell ? (parseExecForm(shell.argumentText) ?? []) : undefined;
        if (shellArgs && (!isPosixShell(shellArgs[0] ?? "") || (setsPipefail(shellArgs) && !plainShOutsideAlpine(shellArgs[0] ?? "", dockerfile, stage)))) continue;
        if (run.shell.setsPipefail || run.shell.commands.some((command) => isPosixShell(command.name) && setsPipefail(command.args))) continue;
        reports.push({
          message: `\`${pipeline}\` only fails if its last command fails: ${remedy(dockerfile, stage, shell, shellArgs)}`,
          line: run.span.start.line,
          endLine: run.span.end.line,
        });
      }
    }
    return reports;
  },
};

/** Commands that cannot fail in a way worth catching, at the head of a pipe: `echo "$SUM  f" | sha256sum -c -`. */
const CANNOT_FAIL = new Set(["echo", "printf", "true", "yes"]);

/** The text of the first pipeline where a command other than the last could fail unnoticed. */
function riskyPipeline(run: RunInstruction): string | undefined {
  const pipelines = new Map<number, ShellCommand[]>();
  for (const command of run.shell.commands) {
    if (command.pipelineLength > 1) pipelines.set(command.pipeline, [...(pipelines.get(command.pipeline) ?? []), command]);
  }
  for (const members of pipelines.values()) {
    const ordered = [...members].sort((a, b) => a.pipelineIndex - b.pipelineIndex);
    if (ordered.slice(0, -1).some((command) => !CANNOT_FAIL.has(command.name))) {
      const text = ordered.map((command) => command.text).join(" | ");
      return text.length > 80 ? `${text.slice(0, 77)}...` : text;
    }
  }
  return undefined;
}

function isPosixShell(executable: string): boolean {
  return /^(sh|bash|ash|dash|zsh|ksh|mksh)$/.test(executable.split("/").pop() ?? "");
}

/** `-o pipefail`, also in a cluster such as `-euo pipefail`. */
function setsPipefail(args: string[]): boolean {
  return args.some((arg, index) => arg === "pipefail" && /^-[a-zA-Z]*o$/.test(args[index - 1] ?? ""));
}

/** Bases whose /bin/sh is bash. */
const BASH_SH_IMAGES = new Set(["fedora", "centos", "rockylinux", "almalinux", "amazonlinux", "oraclelinux", "ubi8", "ubi9", "ubi10", "ubi-minimal", "ubi"]);

/**
 * `sh -o pipefail` on a base whose /bin/sh is neither busybox ash nor bash: Debian's and Ubuntu's
 * /bin/sh is dash, which rejects pipefail, and an unknown base (or scratch) gives no guarantee.
 */
function plainShOutsideAlpine(executable: string, model: DockerfileModel, stage: Stage): boolean {
  const name = executable.split("/").pop() ?? "";
  if (name === "dash") return true;
  if (name !== "sh") return false;
  const base = stageChain(model, stage)[0]?.base;
  return !isAlpineBased(model, stage) && !(base !== undefined && BASH_SH_IMAGES.has(imageShortName(base)));
}

function isAlpineBased(model: DockerfileModel, stage: Stage): boolean {
  const base = stageChain(model, stage)[0]?.base;
  return base !== undefined && (["alpine", "busybox"].includes(imageShortName(base)) || tagVariants(base.tag).some((variant) => variant.startsWith("alpine")));
}

function remedy(model: DockerfileModel, stage: Stage, shell: Instruction | undefined, shellArgs: string[] | undefined): string {
  if (shell && shellArgs && setsPipefail(shellArgs)) {
    return `the SHELL at line ${shell.span.start.line} runs ${shellArgs[0] ?? "sh"}, which is not sure to support pipefail on this base (dash, /bin/sh on Debian and Ubuntu, rejects it); use ["/bin/bash", "-o", "pipefail", "-c"]`;
  }
  if (shell && shellArgs) {
    return `the SHELL at line ${shell.span.start.line} does not set pipefail; add "-o", "pipefail" before "-c"`;
  }
  return isAlpineBased(model, stage)
    ? 'set SHELL ["/bin/ash", "-eo", "pipefail", "-c"] before this RUN (busybox ash supports pipefail), or start the RUN with set -o pipefail &&'
    : 'set SHELL ["/bin/bash", "-o", "pipefail", "-c"] before this RUN, or start the RUN with set -o pipefail && if /bin/sh supports it (dash, /bin/sh on Debian bookworm and Ubuntu, rejects it)';
}
