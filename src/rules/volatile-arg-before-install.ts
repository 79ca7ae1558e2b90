import type { DockerfileModel, Instruction, KeyValueInstruction, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isKeyValue, isRun } from "../dockerfile/model.ts";
import { dependencyInstall, isApkAdd, isPipInstall, subcommand } from "./queries.ts";
import { commandLabel, isAptDownload, unwrapXargs } from "./support/cache-mounts.ts";
import { stageChain } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Every RUN after an `ARG` sees the build arg in its environment, so the value is part of its
// cache key; a changed ENV value changes the image config for everything after it. A value that
// differs on every build (commit SHA, build date, CI build number) declared near the top thus
// re-runs every install below it on every build, even when nothing else changed. Declared just
// before its use (usually a LABEL at the end), it only invalidates that step.
export const rule: DockerfileRule = {
  meta: {
    id: "volatile-arg-before-install",
    description: "An ARG or ENV with a per-build value (commit, build date, build number) declared before package installs invalidates their cache on every build.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      for (const declaration of stage.instructions) {
        if (!isKeyValue(declaration) || declaration.keyword === "LABEL" || declaration.onbuild) continue;
        for (const pair of declaration.pairs) {
          if (!isVolatileName(pair.key)) continue;
          // ENV FOO=1.2.3 is a constant of the Dockerfile; only ENV fed from a build arg changes per build.
          if (declaration.keyword === "ENV" && !(pair.value ?? "").includes("$")) continue;
          const finding = firstInvalidatedStep(dockerfile, stage, declaration, pair.key);
          if (!finding) continue;
          const { step, command, use } = finding;
          // An unused CACHEBUST is a deliberate "re-run everything below"; one used later is meant for that step only.
          if (/^CACHE_?BUST(ER)?$/i.test(pair.key) && !use) continue;
          const where = use ? `declare it just before its first use (line ${use.span.start.line})` : "declare it just before the instruction that needs it (a LABEL at the end, for example)";
          reports.push({
            message: `${declaration.keyword} ${pair.key} changes on every build and is declared before \`${commandLabel(command)}\` (line ${step.span.start.line}), so that install and every later RUN re-run each time; ${where}`,
            line: declaration.span.start.line,
            endLine: declaration.span.end.line,
          });
        }
      }
    }
    return reports;
  },
};

/** Names CI systems and release scripts pass per build. `VERSION` alone: an app version, not `NODE_VERSION`. */
const VOLATILE = /^(BUILD_(DATE|TIME|TIMESTAMP|NUMBER|ID|VERSION|REF|SHA)|(GIT|VCS|SOURCE)_(COMMIT|SHA|HASH|REF|REVISION|BRANCH)(_SHORT)?|GIT_COMMIT_SHA|COMMIT(_SHA|_HASH|_ID|_REF)?|SHA|REVISION|VCS_REF|VERSION|APP_VERSION|RELEASE_VERSION|CACHE_?BUST(ER)?|TIMESTAMP|DATE|GITHUB_(SHA|RUN_ID|RUN_NUMBER|REF)|CI_.+|BUILDKITE_(COMMIT|BUILD_NUMBER)|BITBUCKET_(COMMIT|BUILD_NUMBER)|CIRCLE_(SHA1|BUILD_NUM)|TRAVIS_(COMMIT|BUILD_NUMBER))$/i;

export function isVolatileName(name: string): boolean {
  return VOLATILE.test(name);
}

/**
 * The first expensive RUN after the declaration and before the variable's first explicit use
 * (`$NAME` / `${NAME}`); the declaration cannot move below a step that uses it. ENV carries into
 * stages built FROM this one; ARG does not.
 */
function firstInvalidatedStep(model: DockerfileModel, stage: Stage, declaration: KeyValueInstruction, name: string): { step: RunInstruction; command: ShellCommand; use: Instruction | undefined } | undefined {
  const later = stage.instructions.filter((instruction) => instruction.index > declaration.index);
  if (declaration.keyword === "ENV") {
    for (const other of model.stages) if (other !== stage && stageChain(model, other).includes(stage)) later.push(...other.instructions);
  }
  const reference = new RegExp(`\\$(\\{${name}(?=[}:])|${name}(?![A-Za-z0-9_]))`);
  const use = later.find((instruction) => !instruction.onbuild && reference.test(model.text.slice(instruction.span.start.offset, instruction.span.end.offset)));
  for (const instruction of later) {
    if (use && instruction.index >= use.index && instruction.stageIndex === use.stageIndex) break;
    if (!isRun(instruction) || instruction.onbuild) continue;
    const command = instruction.shell.commands.find(isExpensiveInstall);
    if (command) return { step: instruction, command, use };
  }
  return undefined;
}

/**
 * Installs: dependency installs, system packages, pip, and `go build` (which reads no
 * variables unless the Dockerfile passes them, e.g. in -ldflags). Other builds are left out:
 * webpack, build.rs or a Makefile may read the variable from the environment, and then moving
 * the declaration would change the result.
 */
function isExpensiveInstall(command: ShellCommand): boolean {
  const inner = unwrapXargs(command);
  if (isAptDownload(inner) || isApkAdd(inner) || isPipInstall(inner)) return true;
  if (["yum", "dnf", "microdnf", "zypper"].includes(inner.name) && ["install", "in", "update", "upgrade"].includes(subcommand(inner) ?? "")) return true;
  const install = dependencyInstall(inner);
  if (install?.action === "install") return true;
  return inner.name === "go" && (subcommand(inner) === "build" || subcommand(inner) === "install");
}
