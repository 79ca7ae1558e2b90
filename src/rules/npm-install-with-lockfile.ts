import path from "node:path";
import type { CopyInstruction, DockerfileModel, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isCopyOrAdd, isRun } from "../dockerfile/model.ts";
import type { BuildContext, RepositoryView } from "../repo/snapshot.ts";
import { hasOption, optionValue, subcommand } from "./queries.ts";
import { environmentAt, globMatcher, instructionsBefore, isYarnBerry, nameArgvIndex, positionalArgs, variableValue, wordEndOffset } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport, TextEdit } from "./types.ts";

// `npm install` treats package-lock.json as a hint: it resolves the dependency tree again and
// may install newer versions than the ones tested (and rewrite the lockfile inside the image).
// `npm ci` installs exactly what the lockfile says, fails when package.json and the lockfile
// disagree, and skips the resolution step, so it is also faster. yarn and pnpm have the same
// distinction behind a flag.
export const rule: DockerfileRule = {
  meta: {
    id: "npm-install-with-lockfile",
    description: "npm install, yarn install or pnpm install that does not enforce the lockfile present in the build context.",
    impact: "medium",
    category: "speed",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile, buildContext, repository }) {
    // Without the build context we cannot know whether a lockfile exists.
    if (!buildContext) return [];
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      for (const run of stage.instructions.filter(isRun)) {
        // ONBUILD runs in another build, with another context.
        if (run.onbuild) continue;
        const env = environmentAt(dockerfile, stage, run);
        for (const command of run.shell.commands) {
          const install = lockfileInstall(command, env, run);
          if (!install) continue;
          const lockfile = lockfileFor(install.manager, dockerfile, stage, run, buildContext);
          if (!lockfile) continue;
          const report: RuleReport = {
            message: lockfileMessage(install.manager, lockfile, buildContext, repository),
            line: run.span.start.line,
            endLine: run.span.end.line,
          };
          if (install.manager === "npm" && install.npmFixable) {
            const edit = replaceSubcommandWithCi(dockerfile, run, command);
            if (edit) report.fix = [edit];
          }
          reports.push(report);
        }
      }
    }
    return reports;
  },
};

type Manager = "npm" | "yarn" | "pnpm";

const LOCKFILES: Record<Manager, string[]> = {
  npm: ["package-lock.json", "npm-shrinkwrap.json"],
  yarn: ["yarn.lock"],
  pnpm: ["pnpm-lock.yaml"],
};

/** npm options whose value is a separate word (`--omit dev`), so it is not taken for a package name. */
const NPM_VALUE_OPTIONS = ["--omit", "--include", "--registry", "--cache", "--prefix", "--loglevel", "--userconfig", "--workspace", "-w", "--install-strategy", "--tag"];

/** An install that resolves dependencies without enforcing the lockfile; undefined otherwise. */
function lockfileInstall(command: ShellCommand, env: ReadonlyMap<string, string>, run: RunInstruction): { manager: Manager; npmFixable: boolean } | undefined {
  const sub = subcommand(command);
  if (command.name === "npm") {
    if (!["install", "i", "in", "isntall"].includes(sub ?? "")) return undefined;
    // `npm install express` adds a package: a different operation, npm ci cannot do it.
    if (positionalArgs(command, NPM_VALUE_OPTIONS).length > 0 || hasOption(command, "-g", "--global")) return undefined;
    // Deliberately lockfile-less installs.
    if (hasOption(command, "--no-package-lock") || optionValue(command, "--package-lock") === "false") return undefined;
    return { manager: "npm", npmFixable: !hasOption(command, "--package-lock-only") };
  }
  if (command.name === "yarn") {
    if (sub !== undefined && sub !== "install") return undefined;
    if (hasOption(command, "--frozen-lockfile", "--immutable")) return undefined;
    if (isTruthy(variableValue("YARN_ENABLE_IMMUTABLE_INSTALLS", env, run, command)) || isTruthy(variableValue("YARN_FROZEN_LOCKFILE", env, run, command))) return undefined;
    return { manager: "yarn", npmFixable: false };
  }
  if (command.name === "pnpm") {
    if (sub !== "install" && sub !== "i") return undefined;
    // --no-frozen-lockfile is an explicit choice; --fix-lockfile / --lockfile-only exist to write it.
    if (hasOption(command, "--frozen-lockfile", "--no-frozen-lockfile", "--fix-lockfile", "--lockfile-only")) return undefined;
    // pnpm freezes the lockfile by default when CI is set.
    if (isTruthy(variableValue("CI", env, run, command))) return undefined;
    if (positionalArgs(command).length > 0) return undefined;
    return { manager: "pnpm", npmFixable: false };
  }
  return undefined;
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== "" && !/^(0|false|no|off)$/i.test(value);
}

/**
 * The lockfile this install sees: one in the build context that a COPY/ADD (or a bind mount)
 * brought in before the RUN. A manifest copied without its lockfile is lockfile-not-copied's
 * finding; lockfiles of other packages of a monorepo are not this install's.
 */
function lockfileFor(manager: Manager, model: DockerfileModel, stage: Stage, run: RunInstruction, context: BuildContext): string | undefined {
  const lockfiles = context.dependencyFiles.filter((file) => file.kind === "lockfile" && LOCKFILES[manager].includes(path.posix.basename(file.path)));
  if (lockfiles.length === 0) return undefined;
  const copies = instructionsBefore(model, stage, run).filter((instruction): instruction is CopyInstruction => isCopyOrAdd(instruction) && instruction.from === undefined);
  const bindSources = run.mounts.filter((mount) => mount.type === "bind" && mount.from === undefined).map((mount) => mount.source ?? ".");
  const reaches = (contextPath: string): boolean =>
    copies.some((copy) => copy.sources.some((source) => sourceCovers(source, contextPath))) || bindSources.some((source) => sourceCovers(source, contextPath));
  return lockfiles.find((file) => reaches(file.path))?.path;
}

/** Whether a COPY source (context-relative, maybe a glob or a directory) includes `contextPath`. */
function sourceCovers(source: string, contextPath: string): boolean {
  if (source.includes("$") || /^[a-z]+:\/\//i.test(source)) return false;
  const cleaned = source.replace(/^(\.\/|\/)+/, "").replace(/(?<!\/)\/+$/, "");
  if (cleaned === "" || cleaned === ".") return true;
  if (!/[*?[]/.test(cleaned)) return contextPath === cleaned || contextPath.startsWith(`${cleaned}/`);
  const matches = globMatcher(cleaned);
  const parts = contextPath.split("/");
  return parts.some((_, index) => matches(parts.slice(0, index + 1).join("/")));
}

function lockfileMessage(manager: Manager, lockfile: string, context: BuildContext, repository: RepositoryView): string {
  switch (manager) {
    case "npm":
      return `npm install with ${lockfile} in the image re-resolves dependencies and may install untested versions; use npm ci: it installs exactly the lockfile, fails when it disagrees with package.json, and is faster`;
    case "yarn": {
      const flag = isYarnBerry(context, repository.snapshot.texts) ? "--immutable" : "--frozen-lockfile (Yarn 1) or --immutable (Yarn 2+)";
      return `yarn install without ${flag} may rewrite ${lockfile} during the build and install versions nobody tested; add the flag so the build fails on drift instead`;
    }
    case "pnpm":
      return `pnpm install without --frozen-lockfile may update ${lockfile} during the build; pnpm only freezes the lockfile by default when CI is set, which docker build does not pass: add --frozen-lockfile`;
  }
}

/** `npm install` -> `npm ci`: replaces the subcommand word only. */
function replaceSubcommandWithCi(model: DockerfileModel, run: RunInstruction, command: ShellCommand): TextEdit | undefined {
  const sub = subcommand(command);
  if (sub === undefined) return undefined;
  const argvIndex = nameArgvIndex(command) + 1 + command.args.indexOf(sub);
  const end = wordEndOffset(model, run, command, argvIndex);
  if (end === undefined || model.text.slice(end - sub.length, end) !== sub) return undefined;
  return { start: end - sub.length, end, text: "ci" };
}
