import type { DockerfileModel, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isRun, runtimeStages } from "../dockerfile/model.ts";
import { imageShortName, tagVersion } from "../dockerfile/image-ref.ts";
import type { BuildContext } from "../repo/snapshot.ts";
import { devDependenciesMB, estimateMB } from "./estimates.ts";
import { hasOption, isPipInstall, isShippedStage, optionValue, subcommand } from "./queries.ts";
import type { ComposeService } from "../repo/compose.ts";
import { servicesBuilding } from "../repo/compose-service.ts";
import { buildEnvironmentAt, commandsAfter, contextManifests, insertAfterWord, isYarnBerry, nameArgvIndex, positionalArgs, stageChain, variableValue } from "./support/package-hygiene.ts";
import type { BuildEnvironment } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Test runners, compilers, linters and type packages are only needed to build and check the
// application. Installed in a stage that reaches the final image they typically add 100+ MB,
// widen the attack surface (more packages, more CVEs to triage) and slow every pull.
export const rule: DockerfileRule = {
  meta: {
    id: "dev-dependencies-in-runtime",
    description: "A stage that reaches the final image installs development dependencies (devDependencies, dev groups, dev requirements).",
    impact: "high",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "rewrite",
  },
  check({ dockerfile, buildContext, repository }) {
    const reports: RuleReport[] = [];
    const texts = repository.snapshot.texts;
    // Compose services that build the final image: their build.args choose the ARGs' values.
    const finalStage = dockerfile.stages.at(-1);
    const services = (servicesBuilding(repository).get(dockerfile.path) ?? []).filter((service) => service.build?.target === undefined || service.build.target === finalStage?.name);
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const run of stage.instructions.filter(isRun)) {
        if (run.onbuild) continue;
        const env = buildEnvironmentAt(dockerfile, stage, run);
        for (const command of run.shell.commands) {
          const install = devInstall(command, env.values, run, buildContext, texts);
          if (!install || prunesAfter(run, command)) continue;
          // What decides it may be a build arg (`ARG NODE_ENV=production`, `ENV NODE_ENV=$NODE_ENV`):
          // then each build gets what its args say, and only the default build can be judged.
          const args = controllingArgs(env, command, run);
          let argNote: string | undefined;
          if (args.length > 0) {
            // A compose build that sets the arg chose the dependencies on purpose (a development
            // build is meant to have them); an arg without a default is the builder's to set.
            if (services.some((service) => args.some((arg) => service.build?.args !== undefined && arg in service.build.args))) continue;
            if (!productionVariables(command).some((name) => (env.values.get(name) ?? "") !== "" && (env.argSources.get(name)?.size ?? 0) > 0)) continue;
            argNote = args.map((arg) => `build arg ${arg}${env.args.has(arg) || dockerfile.globalArgs.has(arg) ? ` (default ${JSON.stringify(env.args.get(arg) ?? dockerfile.globalArgs.get(arg) ?? "")})` : ""}`).join(", ");
          }
          const build = laterBuildStep(dockerfile, run, command, install.ecosystem, services, npmScripts(contextManifests(buildContext, texts, "package.json")));
          const report: RuleReport = {
            message: build
              ? `${install.label} installs development dependencies, which ${build.label}${build.line === undefined ? "" : ` (line ${build.line})`} needs: run the build in a separate stage and install only production dependencies in the runtime stage (${install.remedy}), copying the build output across`
              : argNote !== undefined
                ? `${install.label} installs development dependencies into the runtime image in the default build: it depends on ${argNote}, which no compose service building this image sets; build the runtime image with --build-arg ${args[0] ?? "NODE_ENV"}=production (or set it in the compose service's build.args)`
                : `${install.label} installs development dependencies into the runtime image; ${install.remedy}`,
            line: run.span.start.line,
            endLine: run.span.end.line,
            estimatedSavingMB: (install.ecosystem === "node" ? devDependenciesMB(contextManifests(buildContext, texts, "package.json")) : undefined) ?? estimateMB("devDependencies"),
          };
          // A flag would override what the build arg says: no fix then.
          if (!build && install.npmFlag && argNote === undefined) {
            const sub = subcommand(command);
            const edit = sub === undefined ? undefined : insertAfterWord(dockerfile, run, command, nameArgvIndex(command) + 1 + command.args.indexOf(sub), npmOmitFlag(dockerfile, stage));
            if (edit) report.fix = [edit];
          }
          reports.push(report);
        }
      }
    }
    return reports;
  },
};

interface DevInstall {
  ecosystem: "node" | "python";
  /** The command as the message names it. */
  label: string;
  /** What to change, for the message. */
  remedy: string;
  /** npm ci / npm install: the fix can add --omit=dev. */
  npmFlag?: boolean;
}

const NPM_VALUE_OPTIONS = ["--omit", "--include", "--registry", "--cache", "--prefix", "--loglevel", "--userconfig", "--workspace", "-w", "--install-strategy", "--tag"];
/** Requirement files and extras named for development: requirements-dev.txt, dev-requirements.txt, requirements/test.txt, .[dev,test]. */
const DEV_NAME = /(^|[/_.-])(dev|devel|develop|development|test|tests|testing|lint)([_.-]|$)/i;

function devInstall(command: ShellCommand, env: ReadonlyMap<string, string>, run: RunInstruction, context: BuildContext | undefined, texts: ReadonlyMap<string, string>): DevInstall | undefined {
  const sub = subcommand(command);
  const variable = (name: string): string | undefined => variableValue(name, env, run, command);
  const production = variable("NODE_ENV") === "production";
  switch (command.name) {
    case "npm": {
      if (!["ci", "install", "i", "in", "isntall"].includes(sub ?? "")) return undefined;
      if (positionalArgs(command, NPM_VALUE_OPTIONS).length > 0 || hasOption(command, "-g", "--global")) return undefined;
      const listed = (value: string | undefined): string[] => (value ?? "").split(/[\s,]+/);
      const includesDev = optionValues(command, "--include").includes("dev") || /^false$/i.test(optionValue(command, "--production") ?? "") || listed(variable("npm_config_include") ?? variable("NPM_CONFIG_INCLUDE")).includes("dev");
      const omitsDev =
        optionValues(command, "--omit").includes("dev") ||
        /^prod(uction)?$/.test(optionValue(command, "--only") ?? "") ||
        (hasOption(command, "--production", "--prod") && !includesDev) ||
        production ||
        listed(variable("npm_config_omit") ?? variable("NPM_CONFIG_OMIT")).includes("dev") ||
        /^true$/.test(variable("npm_config_production") ?? variable("NPM_CONFIG_PRODUCTION") ?? "");
      if (omitsDev && !includesDev) return undefined;
      if (!nodeProjectHasDevDependencies(context, texts)) return undefined;
      return { ecosystem: "node", label: `npm ${sub}`, remedy: "add --omit=dev (or set ENV NODE_ENV=production before it)", npmFlag: !includesDev };
    }
    case "yarn": {
      if (sub !== undefined && sub !== "install") return undefined;
      const berry = isYarnBerry(context, texts);
      if (!berry && ((hasOption(command, "--production", "--prod") && !/^false$/i.test(optionValue(command, "--production") ?? "")) || production || /^true$/.test(variable("YARN_PRODUCTION") ?? ""))) return undefined;
      if (!nodeProjectHasDevDependencies(context, texts)) return undefined;
      return berry
        ? { ecosystem: "node", label: "yarn install", remedy: "Yarn 2+ cannot skip devDependencies in yarn install: use `yarn workspaces focus --all --production`" }
        : { ecosystem: "node", label: `yarn${sub ? " install" : ""}`, remedy: "add --production (or set ENV NODE_ENV=production before it)" };
    }
    case "pnpm": {
      if (sub !== "install" && sub !== "i") return undefined;
      if (hasOption(command, "--prod", "-P", "--production") || production || /^true$/.test(variable("npm_config_production") ?? variable("NPM_CONFIG_PRODUCTION") ?? "")) return undefined;
      if (!nodeProjectHasDevDependencies(context, texts)) return undefined;
      return { ecosystem: "node", label: `pnpm ${sub}`, remedy: "add --prod (or set ENV NODE_ENV=production before it)" };
    }
    case "poetry": {
      if (sub !== "install") return undefined;
      const only = optionValues(command, "--only").join(",");
      if (only !== "" && !/(^|,)dev(,|$)/.test(only)) return undefined;
      if (optionValues(command, "--without").join(",").split(",").includes("dev") || hasOption(command, "--no-dev", "--only-root")) return undefined;
      const pyprojects = contextManifests(context, texts, "pyproject.toml");
      if (pyprojects.length > 0 && !pyprojects.some(poetryInstallsDevGroup)) return undefined;
      return { ecosystem: "python", label: "poetry install", remedy: "add --only main (Poetry 1.2+) or --without dev" };
    }
    case "pipenv": {
      if ((sub === "install" || sub === "sync") && hasOption(command, "--dev", "-d")) return { ecosystem: "python", label: `pipenv ${sub} --dev`, remedy: "drop --dev" };
      return undefined;
    }
    case "uv": {
      if (sub !== "sync") return undefined;
      if (hasOption(command, "--no-dev", "--no-default-groups", "--only-group") || /^(1|true|yes)$/i.test(variable("UV_NO_DEV") ?? "")) return undefined;
      const pyprojects = contextManifests(context, texts, "pyproject.toml");
      if (pyprojects.length > 0 && !pyprojects.some(hasUvDevGroup)) return undefined;
      return { ecosystem: "python", label: "uv sync", remedy: "add --no-dev" };
    }
    default: {
      if (!isPipInstall(command)) return undefined;
      const devFile = requirementFiles(command).find((file) => DEV_NAME.test(file.replace(/\.(txt|in)$/, "")));
      if (devFile) return { ecosystem: "python", label: `pip install -r ${devFile}`, remedy: `install ${devFile} only in a build or test stage` };
      const extras = command.args.find((arg) => /(?<!\[)\[([^\]]+)\]$/.exec(arg)?.[1]?.split(",").some((extra) => DEV_NAME.test(extra.trim())));
      if (extras) return { ecosystem: "python", label: `pip install ${extras}`, remedy: "install the package without its development extras" };
      return undefined;
    }
  }
}

/** The variables that make the package manager skip (or keep) dev dependencies. */
function productionVariables(command: ShellCommand): string[] {
  switch (command.name) {
    case "npm":
      return ["NODE_ENV", "npm_config_production", "NPM_CONFIG_PRODUCTION", "npm_config_omit", "NPM_CONFIG_OMIT", "npm_config_include", "NPM_CONFIG_INCLUDE"];
    case "yarn":
      return ["NODE_ENV", "YARN_PRODUCTION"];
    case "pnpm":
      return ["NODE_ENV", "npm_config_production", "NPM_CONFIG_PRODUCTION"];
    default:
      return [];
  }
}

/**
 * The build args those variables come from at this command: an ARG of that name in scope, or
 * one an ENV took its value from. None when the command sets the variables itself.
 */
function controllingArgs(env: BuildEnvironment, command: ShellCommand, run: RunInstruction): string[] {
  const args = new Set<string>();
  for (const name of productionVariables(command)) {
    if (variableValue(name, new Map(), run, command) !== undefined) continue;
    for (const arg of env.argSources.get(name) ?? []) args.add(arg);
  }
  return [...args].sort();
}

/** Every value of a repeatable option: `--omit=dev --omit optional` -> ["dev", "optional"]; comma lists split. */
function optionValues(command: ShellCommand, name: string): string[] {
  const values: string[] = [];
  command.args.forEach((arg, index) => {
    if (arg === name && command.args[index + 1] !== undefined) values.push(command.args[index + 1] ?? "");
    else if (arg.startsWith(`${name}=`)) values.push(arg.slice(name.length + 1));
  });
  return values.flatMap((value) => value.split(",")).map((value) => value.trim());
}

function requirementFiles(command: ShellCommand): string[] {
  const files: string[] = [];
  command.args.forEach((arg, index) => {
    if ((arg === "-r" || arg === "--requirement") && command.args[index + 1]) files.push(command.args[index + 1] ?? "");
    else if (arg.startsWith("--requirement=")) files.push(arg.slice("--requirement=".length));
    else if (/^-r\S/.test(arg)) files.push(arg.slice(2));
  });
  return files;
}

/** Without readable package.json files we assume the usual: there are devDependencies. */
function nodeProjectHasDevDependencies(context: BuildContext | undefined, texts: ReadonlyMap<string, string>): boolean {
  const manifests = contextManifests(context, texts, "package.json");
  if (manifests.length === 0) return true;
  return manifests.some((manifest) => {
    try {
      const parsed = JSON.parse(manifest) as { devDependencies?: Record<string, string> };
      return parsed.devDependencies !== undefined && Object.keys(parsed.devDependencies).length > 0;
    } catch {
      return true;
    }
  });
}

/** A Poetry dev group (or legacy dev-dependencies) that `poetry install` installs by default (not `optional = true`). */
function poetryInstallsDevGroup(pyproject: string): boolean {
  if (/^\[tool\.poetry\.dev-dependencies\]/m.test(pyproject)) return true;
  const group = /^\[tool\.poetry\.group\.dev\][^\S\n]*\n([\s\S]*?)(?=^\[)/m.exec(`${pyproject}\n[`);
  if (group && /^optional\s*=\s*true/m.test(group[1] ?? "")) return false;
  return /^\[tool\.poetry\.group\.dev(\.dependencies)?\]/m.test(pyproject);
}

/** `[dependency-groups]` with a dev group, or the legacy `[tool.uv] dev-dependencies`. */
function hasUvDevGroup(pyproject: string): boolean {
  const groups = /^\[dependency-groups\][^\S\n]*\n([\s\S]*?)(?=^\[)/m.exec(`${pyproject}\n[`);
  if (groups && /^dev\s*=/m.test(groups[1] ?? "")) return true;
  return /^dev-dependencies\s*=/m.test(/^\[tool\.uv\][^\S\n]*\n([\s\S]*?)(?=^\[)/m.exec(`${pyproject}\n[`)?.[1] ?? "");
}

/** `npm prune --omit=dev` (or --production) / `pnpm prune --prod` in the same RUN: the dev packages never reach the layer. */
function prunesAfter(run: RunInstruction, install: ShellCommand): boolean {
  return commandsAfter(run, install).some(
    (command) =>
      (command.name === "npm" && subcommand(command) === "prune" && (optionValues(command, "--omit").includes("dev") || hasOption(command, "--production"))) ||
      (command.name === "pnpm" && subcommand(command) === "prune" && hasOption(command, "--prod")) ||
      (command.name === "yarn" && (subcommand(command) ?? "install") === "install" && hasOption(command, "--production")),
  );
}

const NODE_BUILD_TOOLS = new Set(["tsc", "webpack", "vite", "next", "nest", "ng", "tsup", "esbuild", "rollup", "babel", "parcel", "gulp", "grunt", "jest", "vitest", "mocha", "eslint", "prisma", "nuxt", "astro", "svelte-kit", "remix"]);
const NODE_SCRIPT = /build|compile|bundle|test|lint|typecheck|tsc|generate/i;
const PYTHON_BUILD_TOOLS = new Set(["pytest", "tox", "nox", "mypy", "ruff", "flake8", "pylint", "black"]);

/** A build or test step after the install, in the same stage or a runtime stage built on it. */
function laterBuildStep(model: DockerfileModel, run: RunInstruction, install: ShellCommand, ecosystem: "node" | "python", services: readonly ComposeService[], scripts: Readonly<Record<string, string>> = {}): { label: string; line?: number } | undefined {
  const later: { command: ShellCommand; line: number }[] = commandsAfter(run, install).map((command) => ({ command, line: run.span.start.line }));
  let seen = false;
  for (const stage of runtimeStages(model)) {
    for (const instruction of stage.instructions) {
      if (instruction === run) seen = true;
      else if (seen && isRun(instruction)) later.push(...instruction.shell.commands.map((command) => ({ command, line: instruction.span.start.line })));
    }
  }
  for (const { command, line } of later) {
    const label = ecosystem === "node" ? nodeBuildStep(command) : pythonBuildStep(command);
    if (label) return { label, line };
  }
  // The container itself runs a dev tool (CMD ["npx", "ts-node", ...], nodemon): dropping dev dependencies would break it.
  if (ecosystem === "node") {
    for (const stage of runtimeStages(model)) {
      for (const instruction of stage.instructions) {
        if ((instruction.keyword !== "CMD" && instruction.keyword !== "ENTRYPOINT") || !("command" in instruction)) continue;
        // Through an npm script too: `npm run start:dev` runs `nest start --watch`.
        const words = instruction.command.flatMap((word) => word.split(/\s+/));
        const script = scriptName(words);
        const body = script === undefined ? undefined : scripts[script];
        const tool = [...words, ...(body === undefined ? [] : body.split(/\s+/))].find((word) => NODE_RUNTIME_DEV_TOOLS.has(word.split("/").pop() ?? ""));
        if (tool) return { label: `${instruction.keyword} running ${tool}`, line: instruction.span.start.line };
      }
    }
    // So does a compose service that runs the image with such a command (`command: nodemon server.js`).
    for (const service of services) {
      const tool = [...(service.entrypointArgv ?? []), ...(service.commandArgv ?? [])].flatMap((word) => word.split(/\s+/)).find((word) => NODE_RUNTIME_DEV_TOOLS.has(word.split("/").pop() ?? ""));
      if (tool) return { label: `the compose service ${service.name}'s command running ${tool}` };
    }
  }
  return undefined;
}

/** Dev tools (and dev servers) that images sometimes run as their command, which then need devDependencies. */
const NODE_RUNTIME_DEV_TOOLS = new Set(["ts-node", "ts-node-dev", "tsx", "nodemon", "babel-node", "nest", "ng", "vite", "react-scripts", "vue-cli-service", "webpack-dev-server"]);

/** `npm start` -> start, `npm run dev` / `yarn dev` -> dev. */
function scriptName(words: readonly string[]): string | undefined {
  const [tool, first, second] = words;
  if (tool !== "npm" && tool !== "yarn" && tool !== "pnpm") return undefined;
  if (first === "start") return "start";
  if (first === "run" || first === "run-script") return second;
  return tool === "npm" ? undefined : first;
}

/** The scripts of the first readable package.json. */
function npmScripts(manifests: readonly string[]): Record<string, string> {
  for (const manifest of manifests) {
    try {
      const scripts = (JSON.parse(manifest) as { scripts?: unknown }).scripts;
      if (typeof scripts === "object" && scripts !== null) return Object.fromEntries(Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
    } catch {
      // An unreadable manifest: no scripts to follow.
    }
  }
  return {};
}

function nodeBuildStep(command: ShellCommand): string | undefined {
  const sub = subcommand(command);
  if (NODE_BUILD_TOOLS.has(command.name)) return command.name;
  if (command.name === "npx" && command.args.some((arg) => NODE_BUILD_TOOLS.has(arg))) return `npx ${command.args.find((arg) => NODE_BUILD_TOOLS.has(arg))}`;
  if (!["npm", "yarn", "pnpm"].includes(command.name) || sub === undefined) return undefined;
  if ((sub === "run" || sub === "run-script") && NODE_SCRIPT.test(command.args[command.args.indexOf(sub) + 1] ?? "")) return `${command.name} ${sub} ${command.args[command.args.indexOf(sub) + 1]}`;
  if (sub === "test" || sub === "t") return `${command.name} test`;
  if (sub === "exec" && command.args.some((arg) => NODE_BUILD_TOOLS.has(arg))) return `${command.name} exec ${command.args.find((arg) => NODE_BUILD_TOOLS.has(arg))}`;
  // yarn and pnpm run scripts and binaries without `run`.
  if (command.name !== "npm" && (NODE_BUILD_TOOLS.has(sub) || /^(build|compile|bundle|test|lint|typecheck)([:-].*)?$/.test(sub))) return `${command.name} ${sub}`;
  return undefined;
}

function pythonBuildStep(command: ShellCommand): string | undefined {
  if (PYTHON_BUILD_TOOLS.has(command.name)) return command.name;
  if (/^python\d?(\.\d+)?$/.test(command.name)) {
    const module = command.args[command.args.indexOf("-m") + 1];
    if (command.args.includes("-m") && module !== undefined && (PYTHON_BUILD_TOOLS.has(module) || module === "build")) return `${command.name} -m ${module}`;
  }
  if ((command.name === "poetry" || command.name === "uv" || command.name === "pipenv") && subcommand(command) === "run" && command.args.some((arg) => PYTHON_BUILD_TOOLS.has(arg))) {
    return `${command.name} run ${command.args.find((arg) => PYTHON_BUILD_TOOLS.has(arg))}`;
  }
  return undefined;
}

/** npm 7+ (Node 15+) knows --omit=dev; older npm silently ignores it but honours --production. */
function npmOmitFlag(model: DockerfileModel, stage: Stage): string {
  const base = stageChain(model, stage)[0]?.base;
  if (!base || imageShortName(base) !== "node") return "--omit=dev";
  const major = Number(tagVersion(base.tag)?.split(".")[0]);
  return Number.isFinite(major) && major > 0 && major < 15 ? "--production" : "--omit=dev";
}
