// Node servers: dependencies installed from manifests (cache-mounted), the build (tsc, bundlers,
// Next.js) in its own stage, production dependencies in a separate stage, and a slim runtime of
// the same Node version that ships node_modules, the build output and package.json only.
import type { ContextFiles } from "../context.ts";
import { hasDirectory } from "../context.ts";
import type { PlannedStages, PlannerInput } from "../plan-types.ts";
import { applicationDirectory, checkCopies } from "../plan-types.ts";
import { buildArgumentLines } from "../original.ts";
import { aptInstall, cachedRun, copyFrom, plainWords } from "../render.ts";
import type { StagePlan } from "../render.ts";
import { metadataLines, sameVersionSlimImage, startupFiles, startupLines, userLines } from "../runtime.ts";
import { scriptOf } from "./detect.ts";
import { nodeBuildOutput, topDirectory } from "./build-output.ts";
import { configuredOutputDirectory, normalizeDirectory } from "./manifests.ts";
import type { PackageJson } from "./manifests.ts";
import { dependencyStageLines, globalInstallLine, readNodeProject } from "./project.ts";
import { devServerReplacement, isDevServerCommand, isDevToolInstall } from "./dev-server.ts";
import type { NodeProject } from "./project.ts";
import { npmWorkspaceShipment } from "./workspaces.ts";

/** Directories a server commonly reads at runtime besides its code (templates, static files). */
const RUNTIME_ASSET_DIRECTORIES = ["public", "views", "templates", "static", "locales", "migrations", "prisma"];

export function nodeRuntimeImage(input: PlannerInput): string {
  const { original, messages } = input;
  const slim = sameVersionSlimImage(original, "node", "suffix");
  if (slim !== undefined) return slim;
  messages.review.push(`The base image ${original.base.raw} has no versioned slim sibling the planner can name; the runtime stage uses it unchanged. Pick a slim image of the same Node version.`);
  return original.baseText;
}

/** `node <file>` for a start command, following npm scripts: `npm start` -> `node dist/server.js`. */
export function resolveNodeStart(argv: readonly string[], manifest: PackageJson, files: ContextFiles): string[] | undefined {
  const script = scriptOf(argv);
  if (script === undefined) return undefined;
  const body = manifest.scripts?.[script];
  if (body === undefined) {
    // npm's default start script.
    if (script === "start" && files.has("server.js")) return ["node", "server.js"];
    return undefined;
  }
  const words = plainWords(body);
  if (!words) return undefined;
  if (words[0] === "node") return words;
  if (words[0] === "next" && words[1] === "start") return ["node_modules/.bin/next", ...words.slice(1)];
  return undefined;
}

function isNextBuild(project: NodeProject): boolean {
  return /\bnext build\b/.test(project.buildTexts.join(" "));
}

export function planNode(input: PlannerInput, readProject = readNodeProject(input.original, input.files, input.messages)): PlannedStages | undefined {
  if (!readProject) return undefined;
  let project: NodeProject = readProject;
  const { original, files, options, messages } = input;
  const originalStart = original.cmd?.form === "exec" ? original.cmd.command : original.cmd ? plainWords(original.cmd.argumentText) : undefined;
  const lean = alreadyLean(input, project, originalStart);
  if (lean !== undefined) {
    messages.lean = lean;
    return undefined;
  }
  const workdir = applicationDirectory(input);
  checkCopies(input, workdir);
  const runtimeImage = nodeRuntimeImage(input);
  // A development server in the CMD (not behind an ENTRYPOINT, which would receive it as arguments).
  const replacement = original.entrypoint === undefined ? devServerReplacement(originalStart, project.manifest, files, project.manager, project.buildCommands.length > 0) : undefined;
  if (replacement !== undefined && replacement.production === undefined) {
    messages.review.push(`The image starts a development server (\`${replacement.runs}\`), and the planner found no production command for it (a "start:prod" or "start" script that runs node on built files). Add one: the rewrite keeps the development server, whose tools production dependencies lack.`);
  }
  const devServer = replacement?.production !== undefined ? replacement : undefined;
  if (devServer?.build !== undefined) {
    const script = scriptOf(devServer.build.split(" "));
    const body = script === undefined ? undefined : project.manifest.scripts?.[script];
    project = { ...project, buildCommands: [devServer.build], buildTexts: [devServer.build, ...(body === undefined ? [] : [body])] };
    messages.notes.push(`The original compiles at startup (\`${devServer.runs}\`); the build stage runs \`${devServer.build}\`.`);
  }
  if (devServer !== undefined) {
    messages.notes.push(`Development server replaced by a production server: the runtime runs \`${devServer.production?.join(" ") ?? ""}\` (${devServer.source ?? "the build output"}) instead of \`${devServer.runs}\`; the original command stays available as the \`dev\` target (\`docker build --target dev\`). Verify with an HTTP probe (\`--verify\`): the difference is accepted only when the answers are the same.`);
  }
  const startArgv = devServer?.production ?? originalStart;
  const resolvedStart = startArgv ? (resolveNodeStart(startArgv, project.manifest, files) ?? startArgv) : undefined;
  const startFile = resolvedStart?.[0] === "node" ? resolvedStart.slice(1).find((word) => !word.startsWith("-")) : undefined;
  const runtimeProgram = resolvedStart?.[0]?.split("/").at(-1);

  const stages: StagePlan[] = [];
  const hasBuild = project.buildCommands.length > 0;
  const runtime: string[] = [];
  if (project.runtimePackages.length > 0) {
    runtime.push(aptInstall(project.runtimePackages));
    messages.notes.push(`The original installs ${project.runtimePackages.join(", ")} with apt; the runtime stage keeps them. Drop them if the application does not use them at runtime.`);
  }
  runtime.push(`WORKDIR ${workdir}`);
  const devTools: string[] = [];
  project.globalInstalls.forEach((global, index) => {
    if (isDevToolInstall(project.globalPackages[index] ?? [], runtimeProgram)) devTools.push(global);
    else runtime.push(globalInstallLine(global));
  });
  if (devTools.length > 0) {
    messages.notes.push(`\`${devTools.join(" && ")}\` installs development tools the runtime does not start: ${hasBuild ? "it runs in the build stages and" : "it runs"} in the \`dev\` target${devServer === undefined ? " (with --dev)" : ""}, not in the runtime image.`);
  }
  if (project.nodeModulesMoves.length > 0) {
    messages.notes.push(`\`${project.nodeModulesMoves.join(" && ")}\` moves node_modules out of the application folder so that a compose bind mount of the sources does not hide it: the \`dev\` target keeps the move; the runtime image has no bind mount, so its node_modules stays in ${workdir}.`);
  }
  if (project.managerInstalls.length > 0) {
    // The runtime needs the package manager only when the startup command still runs it.
    const finalStart = startArgv === undefined ? undefined : isNextBuild(project) ? undefined : resolvedStart;
    if (finalStart !== undefined && /^(yarn|pnpm)$/.test(finalStart[0] ?? "")) for (const command of project.managerInstalls) runtime.push(globalInstallLine(command));
    else messages.notes.push(`\`${project.managerInstalls.join(" && ")}\` runs in the dependency stages only: the runtime starts without the package manager.`);
  }
  let startRewrite: ((argv: string[]) => string[] | undefined) | undefined = (argv) => resolveNodeStart(argv, project.manifest, files);

  if (hasBuild) {
    stages.push({ from: original.baseText, name: "deps", purpose: "Dependencies: manifests only, so this layer is rebuilt only when they change.", lines: [...devTools.map(globalInstallLine), ...dependencyStageLines(original, project, workdir, project.manager.install)] });
    const next = isNextBuild(project) ? nextConfig(files) : undefined;
    const buildCache = next?.standalone === true ? nextBuildCacheMount(project, workdir, next.distDir) : undefined;
    const buildLines = project.buildCommands.map((command) => (buildCache === undefined ? `RUN ${command}` : cachedRun([], command, [buildCache])));
    stages.push({ from: "deps", name: "build", purpose: "Build: compile or bundle the sources.", lines: ["COPY . .", ...buildArgumentLines(original), ...buildLines] });
  }
  let productionDeps = project.hasProductionDependencies;
  let pruned = false;
  if (productionDeps) {
    stages.push({
      from: original.baseText,
      name: "production-deps",
      purpose: "Production dependencies only (no devDependencies).",
      lines: dependencyStageLines(original, project, workdir, project.manager.productionInstall),
    });
  }
  const nodeModules = (): void => {
    if (productionDeps) runtime.push(copyFrom("production-deps", `${workdir}/node_modules`, "./node_modules", options));
  };

  if (!hasBuild) {
    nodeModules();
    runtime.push("COPY . .");
    messages.notes.push("No build step: the runtime ships the sources with production dependencies only.");
  } else if (isNextBuild(project)) {
    startRewrite = planNextRuntime(input, project, workdir, runtime, nodeModules);
  } else {
    const workspaces = project.workspaceManifests.length > 0;
    const shipment = workspaces ? npmWorkspaceShipment(project, files, startFile, workdir, RUNTIME_ASSET_DIRECTORIES) : undefined;
    const output = workspaces ? { directories: [] } : nodeBuildOutput(project, files, startFile, messages);
    if (shipment !== undefined) {
      // The production install already holds the manifests and node_modules with the workspace
      // links: only the build output comes from the build stage, so a code change re-runs no prune.
      runtime.push(copyFrom("production-deps", workdir, "./", options));
      for (const directory of shipment.directories) runtime.push(copyFrom("build", `${workdir}/${directory}`, `./${directory}`, options));
      messages.notes.push(`Workspaces: ships the manifests and production node_modules (with the workspace links) from production-deps, and ${shipment.directories.map((directory) => `${directory}/`).join(", ")} from the build (output directories from ${shipment.sources.join("; ")}).`);
    } else if (output.directories.length > 0) {
      nodeModules();
      for (const directory of output.directories) runtime.push(copyFrom("build", `${workdir}/${directory}`, `./${directory}`, options));
      const assets = RUNTIME_ASSET_DIRECTORIES.filter((directory) => hasDirectory(files, directory) && !output.directories.includes(directory));
      const declared = (project.manifest.files ?? []).map(normalizeDirectory).filter((entry) => !entry.includes("*") && !output.directories.includes(topDirectory(entry)) && !assets.includes(entry) && entry !== "package.json");
      for (const directory of [...assets, ...declared]) runtime.push(copyFrom("build", `${workdir}/${directory}`, `./${directory}`, options));
      runtime.push("COPY package.json ./");
      messages.notes.push(`Ships ${[...output.directories.map((directory) => `${directory}/ (build output, from ${output.source ?? "the build"})`), ...assets.map((directory) => `${directory}/`), ...declared.map((entry) => `${entry} (package.json "files")`)].join(", ")}, package.json${productionDeps ? " and production node_modules" : ""}.`);
    } else {
      if (workspaces) messages.notes.push("Workspaces: the planner could not tell every workspace's build output (or the package manager is not npm), so the runtime ships the whole built workspace with devDependencies pruned.");
      else messages.review.push("Could not determine the build output directory: the runtime ships the whole built project with devDependencies pruned. Replace the COPY with the output directory.");
      // The pruned build replaces the separate production install.
      const productionStage = stages.findIndex((stage) => stage.name === "production-deps");
      if (productionStage >= 0) stages.splice(productionStage, 1);
      productionDeps = false;
      pruned = true;
      stages.push({ from: "build", name: "pruned", purpose: `The built project with devDependencies removed (${workspaces ? "workspaces" : "output directory unknown"}).`, lines: [cachedRun([project.manager.cacheTarget], pruneCommand(project))] });
      runtime.push(copyFrom("pruned", workdir, workdir, options));
    }
  }

  if (productionDeps && !runtime.some((line) => line.includes("--from=production-deps "))) {
    // Next.js standalone output carries its own traced dependencies: nothing uses the stage.
    stages.splice(stages.findIndex((stage) => stage.name === "production-deps"), 1);
    productionDeps = false;
  }
  if (hasBuild && !pruned) {
    // Scripts the startup command runs (docker-entrypoint.sh) are not build output: copy them from the context.
    const shipped = (file: string): boolean => runtime.some((line) => line.startsWith("COPY --") && line.includes(`/${file.split("/")[0] ?? file} `));
    for (const file of startupFiles(original, files).filter((file) => !shipped(file))) {
      runtime.push(`COPY ${file} ./${file}`);
      messages.notes.push(`${file} (named by the startup command) is copied from the build context.`);
    }
  }
  runtime.push(...userLines(original, "node", messages, true));
  runtime.push(...metadataLines(original, messages, true));
  if (devServer !== undefined) {
    for (const [name, value] of devServer.environment) if (!original.env.has(name)) runtime.push(`ENV ${name}=${value}`);
    const planned = startRewrite;
    startRewrite = (argv) => {
      const fromPlan = planned?.(argv);
      if (!sameWords(argv, devServer.original) || fromPlan?.join(" ") === "node server.js") return fromPlan;
      return resolveNodeStart(devServer.production ?? argv, project.manifest, files) ?? devServer.production;
    };
  }
  runtime.push(...startupLines(original, { hasShell: true, rewrite: startRewrite }, messages));
  stages.push({ from: runtimeImage, purpose: `Runtime: ${runtimeImage}, same Node version, no build tools.`, lines: runtime });
  const stageNames = [hasBuild ? `deps (${project.manager.install}), build` : undefined, productionDeps ? `production-deps (${project.manager.productionInstall})` : undefined, `runtime on ${runtimeImage}`];
  messages.notes.push(`Stages: ${stageNames.filter((name) => name !== undefined).join(", ")}.`);
  const devSetup = [...(hasBuild ? [] : devTools.map(globalInstallLine)), ...project.nodeModulesMoves.map((command) => `RUN ${command}`)];
  return {
    ecosystem: "node",
    stages,
    ...(hasBuild ? {} : { devInstall: [...devTools.map(globalInstallLine), ...dependencyStageLines(original, project, workdir, project.manager.install)] }),
    ...(devServer !== undefined || devSetup.length > 0 ? { devServer: { command: devServer?.original ?? [], setup: hasBuild ? devSetup : project.nodeModulesMoves.map((command) => `RUN ${command}`), nodeModulesMoved: project.nodeModulesMoves.length > 0 } } : {}),
  };
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((word, index) => word === b[index]);
}

/**
 * "Already lean": a slim (or alpine, or distroless) image that installs no dev dependencies and
 * builds nothing gains next to nothing from more stages; the reasons, for the report, or
 * undefined when a rewrite has something to remove.
 */
function alreadyLean(input: PlannerInput, project: NodeProject, start: readonly string[] | undefined): string | undefined {
  const { original } = input;
  const tag = original.base.tag ?? "";
  const slimBase = /(^|-)(slim|alpine[\d.]*)(-|$)/.test(tag) || /distroless/.test(original.base.name);
  if (!slimBase || project.buildCommands.length > 0 || project.buildPackages.length > 0) return undefined;
  const devDependencies = Object.keys(project.manifest.devDependencies ?? {}).length;
  const installs = original.commands.map(({ command }) => command.text).filter((text) => /\b(npm (ci|install|i)|yarn( install)?|pnpm (install|i))\b/.test(text) && !/\s-g\b|--global/.test(text));
  const productionOnly = installs.every((text) => /--(omit=dev|production|only=prod(uction)?|prod)\b/.test(text));
  if (devDependencies > 0 && !productionOnly) return undefined;
  if (start !== undefined && isDevServerCommand(start, project.manifest)) return undefined;
  return `already lean: ${original.base.raw} is a slim base, nothing is built, and ${devDependencies === 0 ? "package.json has no devDependencies" : "the install omits devDependencies"}; a multi-stage rewrite would save next to nothing.`;
}

function pruneCommand(project: NodeProject): string {
  switch (project.manager.manager) {
    case "pnpm":
      return "corepack enable && pnpm prune --prod";
    case "yarn":
      return `yarn install${project.manager.lockfile ? " --frozen-lockfile" : ""} --production --ignore-scripts --prefer-offline`;
    case "yarn-berry":
      return "corepack enable && yarn workspaces focus --all --production";
    default:
      return "npm prune --omit=dev";
  }
}

/**
 * Next.js keeps its compiler and fetch caches in <distDir>/cache, and its docs ask CI to keep that
 * directory between builds: a cache mount there makes the next build incremental. Only for
 * standalone output, which never ships the cache; `next start` ships <distDir>/ whole and reads
 * the fetch cache the build wrote, so there the cache stays in the layer. The mount's id names the
 * package, so two Next.js apps with the same working directory do not share (and overwrite) one
 * cache; `sharing=locked` because Next.js does not expect two builds writing its cache at once.
 */
function nextBuildCacheMount(project: NodeProject, workdir: string, distDir: string): string {
  const name = project.manifest.name?.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|(?<!-)-+$/g, "");
  return `--mount=type=cache,${name ? `id=next-cache-${name},` : ""}target=${workdir}/${distDir}/cache,sharing=locked`;
}

/** The next.config file, its text when read, the build's output directory (`distDir`, default `.next`) and whether it sets `output: 'standalone'`. */
function nextConfig(files: ContextFiles): { configName?: string; configText?: string; distDir: string; standalone: boolean } {
  const configName = ["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"].find((name) => files.has(name));
  const configText = configName === undefined ? undefined : files.text(configName);
  const distDir = (configText === undefined ? undefined : configuredOutputDirectory(configText, "distDir")) ?? ".next";
  const standalone = configText !== undefined && /\boutput\s*:\s*["'`]standalone["'`]/.test(configText);
  return { ...(configName === undefined ? {} : { configName }), ...(configText === undefined ? {} : { configText }), distDir, standalone };
}

/** Next.js: the standalone server when next.config says `output: 'standalone'`, else `.next` with production node_modules. */
function planNextRuntime(input: PlannerInput, project: NodeProject, workdir: string, runtime: string[], nodeModules: () => void): ((argv: string[]) => string[] | undefined) | undefined {
  const { files, options, messages } = input;
  const { configName, configText, distDir: nextDir, standalone } = nextConfig(files);
  const hasPublic = hasDirectory(files, "public");
  if (standalone) {
    runtime.push(copyFrom("build", `${workdir}/${nextDir}/standalone`, "./", options));
    runtime.push(copyFrom("build", `${workdir}/${nextDir}/static`, `./${nextDir}/static`, options));
    if (hasPublic) runtime.push(copyFrom("build", `${workdir}/public`, "./public", options));
    runtime.push('ENV HOSTNAME="0.0.0.0"');
    messages.notes.push(`Next.js standalone output: ships ${nextDir}/standalone (server.js with the traced dependencies), ${nextDir}/static${hasPublic ? " and public/" : ""}; HOSTNAME=0.0.0.0 so the server listens on every interface.`);
    return (argv) => (scriptOf(argv) !== undefined || argv[0] === "next" ? ["node", "server.js"] : undefined);
  }
  if (configName === undefined) messages.review.push("Next.js without a next.config: set `output: 'standalone'` so the runtime can ship the traced server instead of node_modules.");
  else if (configText === undefined) messages.review.push(`${configName} could not be read: if it sets \`output: 'standalone'\`, ship ${nextDir}/standalone instead of node_modules.`);
  else messages.review.push(`${configName} does not set \`output: 'standalone'\`: the runtime ships ${nextDir}/ with production node_modules. Standalone output is much smaller.`);
  nodeModules();
  runtime.push(copyFrom("build", `${workdir}/${nextDir}`, `./${nextDir}`, options));
  if (hasPublic) runtime.push(copyFrom("build", `${workdir}/public`, "./public", options));
  if (configName !== undefined) runtime.push(`COPY ${configName} ./`);
  runtime.push("COPY package.json ./");
  return (argv) => resolveNodeStart(argv, project.manifest, files);
}
