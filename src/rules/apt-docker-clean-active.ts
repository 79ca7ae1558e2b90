import type { DockerfileModel, Instruction, RunInstruction, Stage } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { isApt, isShippedStage, subcommand } from "./queries.ts";
import { APT_ARCHIVES, cacheMountTargets, disablesDockerClean, instructionsUpTo, isAptDownload, keepsDownloadedPackages, runEnvironment, unwrapXargs } from "./support/cache-mounts.ts";
import { stageChain } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport, TextEdit } from "./types.ts";

// The Debian and Ubuntu images ship /etc/apt/apt.conf.d/docker-clean, a hook that deletes
// /var/cache/apt/archives/*.deb after every apt run to keep layers small. Under a cache mount
// that hook empties the cache at the end of each install, so the mount never saves a
// download. The `apt` CLI (not apt-get) also deletes packages unless
// Binary::apt::APT::Keep-Downloaded-Packages is true.
const FIX_COMMAND = `RUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache`;

export const rule: DockerfileRule = {
  meta: {
    id: "apt-docker-clean-active",
    description: "apt cache mounts are used but the base image's docker-clean hook still deletes the downloaded packages, so the cache stays empty.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "rewrite",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      // One report per stage, at its first RUN that installs under a mount on the apt archives.
      const run = stage.instructions.filter(isRun).find((candidate) => !candidate.onbuild && installsUnderArchiveMount(dockerfile, stage, candidate));
      if (!run) continue;
      const earlier = instructionsUpTo(dockerfile, stage, run);
      const hookRemoved = earlier.some(disablesDockerClean);
      const aptCli = run.shell.commands.map(unwrapXargs).find((command) => command.name === "apt" && isAptDownload(command));
      if (hookRemoved && (aptCli === undefined || earlier.some(keepsDownloadedPackages))) continue;
      const message = hookRemoved && aptCli
        ? `\`apt ${subcommand(aptCli) ?? "install"}\` deletes downloaded packages unless Binary::apt::APT::Keep-Downloaded-Packages is "true", so the apt cache mount stays empty; set it in an earlier RUN: \`${FIX_COMMAND}\``
        : `this RUN caches /var/cache/apt but the base image's /etc/apt/apt.conf.d/docker-clean deletes every downloaded .deb after each apt run, so the cache mount stays empty; disable it in an earlier RUN: \`${FIX_COMMAND}\``;
      const report: RuleReport = { message, line: run.span.start.line, endLine: run.span.end.line };
      const edit = laterInstallKeepsPackages(dockerfile, stage, run) ? undefined : insertRunBefore(dockerfile, run);
      if (edit) report.fix = [edit];
      // The RUN changes /etc/apt in the image: in a build stage only the build's apt keeps its
      // downloads (safe); in a stage that ships, every later apt run in the image would too.
      if (edit && !isShippedStage(dockerfile, stage)) report.fixLevel = "safe";
      reports.push(report);
    }
    return reports;
  },
};

/**
 * Whether a RUN after `run` in this image (its stage, the stages built FROM it, ONBUILD triggers
 * for child images) downloads packages with no mount on the archives and no `apt-get clean`:
 * without the hook its .deb files would stay in that layer, so removing the hook is no fix.
 */
function laterInstallKeepsPackages(model: DockerfileModel, stage: Stage, run: RunInstruction): boolean {
  for (const other of model.stages) {
    if (!stageChain(model, other).includes(stage)) continue;
    for (const later of other.instructions.filter(isRun)) {
      if (later.index <= run.index || !later.shell.commands.some(isAptDownload)) continue;
      if (later.shell.commands.some((command) => isApt(command) && ["clean", "autoclean"].includes(subcommand(command) ?? ""))) continue;
      if (!archivesMounted(model, other, later)) return true;
    }
  }
  return false;
}

function installsUnderArchiveMount(model: DockerfileModel, stage: Stage, run: RunInstruction): boolean {
  return run.shell.commands.some(isAptDownload) && archivesMounted(model, stage, run);
}

function archivesMounted(model: DockerfileModel, stage: Stage, run: RunInstruction): boolean {
  if (!run.mounts.some((mount) => mount.type === "cache")) return false;
  const env = runEnvironment(model, stage, run);
  return cacheMountTargets(run, env).some(({ target }) => target !== undefined && (target === APT_ARCHIVES || APT_ARCHIVES.startsWith(`${target}/`)));
}

/**
 * Inserts FIX_COMMAND on its own line before the RUN, above the comments attached to it (a
 * `# hadolint ignore=` there must keep applying to that RUN), with the RUN's indentation and
 * the file's line ending.
 */
function insertRunBefore(model: DockerfileModel, run: Instruction): TextEdit | undefined {
  if (run.onbuild) return undefined;
  const lines = model.lineStarts;
  let line = run.span.start.line; // 1-based
  const commentLines = new Set(model.comments.map((comment) => comment.line));
  while (line > 1 && commentLines.has(line - 1)) line--;
  const lineStart = lines[line - 1];
  const runLineStart = lines[run.span.start.line - 1];
  if (lineStart === undefined || runLineStart === undefined) return undefined;
  const indent = model.text.slice(runLineStart, run.span.start.offset);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const newline = model.text.includes("\r\n") ? "\r\n" : "\n";
  return { start: lineStart, end: lineStart, text: `${indent}${FIX_COMMAND}${newline}` };
}
