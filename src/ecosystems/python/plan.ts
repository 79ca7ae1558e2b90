// Python: a virtualenv built in a full-image stage (pip, uv or poetry, with the download cache
// mounted) and copied to the slim image of the same Python version, where the application runs
// from its sources as an unprivileged user.
import type { ShellCommand } from "../../dockerfile/model.ts";
import { dependencyInstall, hasOption, isPipInstall } from "../../rules/queries.ts";
import { instructionText, isRootUser } from "../original.ts";
import type { OriginalCommand } from "../original.ts";
import type { PlannedStages, PlannerInput } from "../plan-types.ts";
import { applicationDirectory, checkCopies } from "../plan-types.ts";
import { aptInstall, cachedRun, copyFrom, copyLine } from "../render.ts";
import { metadataLines, sameVersionSlimImage, startupLines, unrecognisedCommands, userLines } from "../runtime.ts";
import { isBuildOnlyPackage } from "../node/project.ts";

const VENV = "/opt/venv";
const PIP_CACHE = "/root/.cache/pip";
const USER_NAME = "app";

export type PythonManager = "pip" | "uv" | "poetry" | "pipenv";

export function isPythonBuild(input: PlannerInput): boolean {
  const name = input.original.base.name.replace(/^library\//, "");
  return name === "python" || input.original.commands.some(({ command }) => dependencyInstall(command)?.ecosystem === "python" || isPipInstall(command));
}

/** Requirement files named by `pip install -r X` (also `--requirement=X`). */
function requirementFiles(command: ShellCommand): string[] {
  const files: string[] = [];
  command.args.forEach((arg, index) => {
    if (arg === "-r" || arg === "--requirement") files.push(command.args[index + 1] ?? "");
    else if (arg.startsWith("--requirement=")) files.push(arg.slice("--requirement=".length));
    else if (/^-r\S/.test(arg)) files.push(arg.slice(2));
  });
  return files.filter((file) => file !== "").map((file) => file.replace(/^\.\//, ""));
}

function installsProject(command: ShellCommand): boolean {
  return command.args.some((arg) => arg === "." || arg === "./" || arg === "-e." || arg === "-e./");
}

interface PythonCommands {
  requirementFiles: string[];
  /** `pip install` of named packages (tools, pins) kept as written. */
  namedInstalls: string[];
  /** `pip install .`: the project itself, needs the sources. */
  projectInstall: boolean;
  /** `python manage.py collectstatic`, `python -m compileall`...: run in the build stage after the sources. */
  buildSteps: string[];
  unknown: OriginalCommand[];
}

function splitCommands(commands: readonly OriginalCommand[]): PythonCommands {
  const result: PythonCommands = { requirementFiles: [], namedInstalls: [], projectInstall: false, buildSteps: [], unknown: [] };
  for (const entry of commands) {
    const { command } = entry;
    if (isPipInstall(command)) {
      const files = requirementFiles(command);
      result.requirementFiles.push(...files.filter((file) => !result.requirementFiles.includes(file)));
      if (installsProject(command)) result.projectInstall = true;
      const positional = command.args.filter((arg, index) => !arg.startsWith("-") && arg !== "install" && arg !== "pip" && arg !== "." && command.args[index - 1] !== "-r" && command.args[index - 1] !== "--requirement" && command.args[index - 1] !== "-e");
      const upgradesTooling = positional.every((name) => /^(pip|setuptools|wheel)([<>=!~].*)?$/.test(name));
      if (positional.length > 0 && !upgradesTooling && files.length === 0) result.namedInstalls.push(command.text);
      continue;
    }
    const install = dependencyInstall(command);
    if (install?.ecosystem === "python") continue;
    if (/^python\d?(\.\d+)?$/.test(command.name) && command.args[0] === "-m" && command.args[1] === "venv") continue;
    if (/^python\d?(\.\d+)?$/.test(command.name) || command.name === "django-admin") {
      result.buildSteps.push(command.text);
      continue;
    }
    if (command.name === "pip" && hasOption(command, "--upgrade")) continue;
    result.unknown.push(entry);
  }
  return result;
}

export function pythonManager(input: PlannerInput): PythonManager {
  const { files } = input;
  if (files.has("uv.lock")) return "uv";
  const pyproject = files.text("pyproject.toml");
  if (files.has("poetry.lock") || (pyproject !== undefined && /^\[tool\.poetry\]/m.test(pyproject))) return "poetry";
  if (files.has("Pipfile")) return "pipenv";
  return "pip";
}

/** `python -m compileall ...` (any python3.x spelling). */
const COMPILEALL = /^python[\d.]*\s+-m\s+compileall\b/;

export function planPython(input: PlannerInput): PlannedStages | undefined {
  if (!isPythonBuild(input)) return undefined;
  const { original, files, options, messages } = input;
  const workdir = applicationDirectory(input);
  checkCopies(input, workdir);
  const commands = splitCommands(original.commands);
  unrecognisedCommands(commands.unknown, messages);
  const manager = pythonManager(input);

  const slimImage = sameVersionSlimImage(original, "python", "after-version");
  const runtimeImage = slimImage ?? original.baseText;
  if (slimImage === undefined) messages.review.push(`The base image ${original.base.raw} has no versioned slim sibling the planner can name; the runtime stage uses it unchanged.`);

  const buildPackages = original.aptPackages.filter(isBuildOnlyPackage);
  const runtimePackages = original.aptPackages.filter((name) => !isBuildOnlyPackage(name));
  const build: string[] = [];
  if (buildPackages.length > 0) build.push(aptInstall(buildPackages));
  build.push(`WORKDIR ${workdir}`);
  build.push(...original.buildEnvironment.map((instruction) => instructionText(original.model, instruction)));

  const venvEnv = `ENV VIRTUAL_ENV=${VENV} PATH="${VENV}/bin:$PATH"`;
  let installsNothing = false;
  const installedWith: string[] = [];
  switch (manager) {
    case "uv":
      build.push(cachedRun([PIP_CACHE], "pip install uv"));
      build.push(`RUN python -m venv ${VENV}`, venvEnv, `ENV UV_PROJECT_ENVIRONMENT=${VENV}`);
      build.push(copyLine(["pyproject.toml", "uv.lock"].filter((file) => files.has(file)), "./"));
      build.push(cachedRun(["/root/.cache/uv"], "uv sync --frozen --no-dev --no-install-project"));
      installedWith.push("uv sync --frozen --no-dev");
      messages.review.push("uv is installed from PyPI in the build stage without a pinned version; pin it (pip install uv==X) to match the lockfile's uv.");
      break;
    case "poetry":
      build.push(cachedRun([PIP_CACHE], "pip install poetry"));
      build.push(`RUN python -m venv ${VENV}`, venvEnv);
      build.push(copyLine(["pyproject.toml", "poetry.lock"].filter((file) => files.has(file)), "./"));
      build.push(cachedRun(["/root/.cache/pypoetry"], "poetry install --only main --no-root --no-interaction"));
      installedWith.push("poetry install --only main");
      messages.review.push("Poetry is installed from PyPI in the build stage without a pinned version; pin it to the version that wrote poetry.lock (`--only main` needs Poetry >= 1.2).");
      if (!files.has("poetry.lock")) messages.review.push("No poetry.lock in the build context: dependency versions are resolved at build time.");
      break;
    case "pipenv":
      build.push(cachedRun([PIP_CACHE], "pip install pipenv"));
      build.push(`RUN python -m venv ${VENV}`, venvEnv);
      build.push(copyLine(["Pipfile", "Pipfile.lock"].filter((file) => files.has(file)), "./"));
      build.push(cachedRun([PIP_CACHE], "pipenv requirements > /tmp/requirements.txt && pip install -r /tmp/requirements.txt"));
      installedWith.push("pipenv requirements | pip install");
      messages.review.push("Pipenv: the lockfile is exported with `pipenv requirements` (pipenv >= 2022.4) and installed with pip into the virtualenv; check the exported requirements.");
      break;
    default: {
      build.push(`RUN python -m venv ${VENV}`, venvEnv);
      const requirements = commands.requirementFiles.filter((file) => files.has(file));
      for (const missing of commands.requirementFiles.filter((file) => !files.has(file))) messages.review.push(`${missing} is installed by the original but is not in the build context.`);
      if (requirements.length > 0) {
        build.push(copyLine(requirements, "./"));
        build.push(cachedRun([PIP_CACHE], `pip install ${requirements.map((file) => `-r ${file}`).join(" ")}`));
        installedWith.push(`pip install ${requirements.map((file) => `-r ${file}`).join(" ")}`);
      }
      for (const named of commands.namedInstalls) build.push(cachedRun([PIP_CACHE], named));
      if (requirements.length === 0 && commands.namedInstalls.length === 0 && !commands.projectInstall) installsNothing = commands.buildSteps.every((step) => COMPILEALL.test(step));
    }
  }
  // `python -m compileall` needs nothing but the interpreter, which the runtime image has: it runs
  // there after the sources are copied, as in the original, so a code change costs no extra stage.
  const compileInRuntime = !commands.projectInstall && commands.buildSteps.length > 0 && commands.buildSteps.every((step) => COMPILEALL.test(step));
  const needsSources = commands.projectInstall || (commands.buildSteps.length > 0 && !compileInRuntime);
  // Other build steps that leave the virtualenv alone (collectstatic...) run in their own stage
  // on top of the dependencies: on a code change the runtime then copies the virtualenv from a stage
  // that did not change, so BuildKit reuses that copy instead of checksumming the virtualenv again.
  // `pip install .` puts the project into the virtualenv, so there the virtualenv comes from the build.
  const sourcesStage = needsSources && !commands.projectInstall;
  const venvStage = sourcesStage ? "deps" : "build";
  const sources: string[] = [];
  if (needsSources) {
    (sourcesStage ? sources : build).push("COPY . .");
    if (commands.projectInstall) build.push(cachedRun([PIP_CACHE], "pip install --no-deps ."));
    (sourcesStage ? sources : build).push(...commands.buildSteps.map((step) => `RUN ${step}`));
    if (commands.projectInstall) messages.notes.push("The project itself is installed into the virtualenv (`pip install .`).");
  }

  const runtime: string[] = [];
  if (runtimePackages.length > 0) {
    runtime.push(aptInstall(runtimePackages));
    messages.notes.push(`The original installs ${runtimePackages.join(", ")} with apt; the runtime stage keeps them. Drop them if the application does not use them at runtime.`);
  }
  if (buildPackages.length > 0) messages.notes.push(`${buildPackages.join(", ")} (compilers and headers) stay in the build stage.`);
  if (isRootUser(original.user)) {
    const alpine = /alpine/.test(runtimeImage);
    runtime.push(alpine ? `RUN adduser -S -D -H -u 10001 ${USER_NAME}` : `RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin ${USER_NAME}`);
  }
  runtime.push(`WORKDIR ${workdir}`);
  if (!installsNothing) runtime.push(copyFrom(venvStage, VENV, VENV, options), venvEnv);
  runtime.push(needsSources ? copyFrom("build", workdir, workdir, options) : "COPY . .");
  if (compileInRuntime) runtime.push(...commands.buildSteps.map((step) => `RUN ${step}`));
  runtime.push(...userLines(original, USER_NAME, messages, true));
  runtime.push(...metadataLines(original, messages, true));
  runtime.push(...startupLines(original, { hasShell: true }, messages));

  if (installsNothing) {
    messages.notes.push(`The original installs no dependencies: no build stage, the sources run on ${runtimeImage}.`);
    return { ecosystem: "python", stages: [{ from: runtimeImage, purpose: `Runtime: ${runtimeImage}, same Python version.`, lines: runtime }] };
  }
  messages.notes.push(`Stages: ${venvStage} (virtualenv in ${VENV}${installedWith.length > 0 ? ` with ${installedWith.join(", ")}` : ""}, pip cache mounted)${sourcesStage ? ", build (the sources and their build steps)" : ""}, runtime on ${runtimeImage} with the virtualenv and the application sources.`);
  const runtimeStage = { from: runtimeImage, purpose: `Runtime: ${runtimeImage}, same Python version, no compilers.`, lines: runtime };
  if (sourcesStage) {
    return {
      ecosystem: "python",
      stages: [
        { from: original.baseText, name: "deps", purpose: "Dependencies: a virtualenv with the dependencies (manifests first, so this is cached until they change).", lines: build },
        { from: "deps", name: "build", purpose: "Build: the sources and their build steps.", lines: sources },
        runtimeStage,
      ],
    };
  }
  return {
    ecosystem: "python",
    stages: [{ from: original.baseText, name: "build", purpose: "Build: a virtualenv with the dependencies (manifests first, so this is cached until they change).", lines: build }, runtimeStage],
  };
}
