// A Node server image that starts a development server (`npm run start:dev`, `nest start --watch`,
// `nodemon`, `next dev`): it needs the dev dependencies, compiles at startup and watches files
// nobody edits inside a production container. The rewrite's production target runs the built
// output instead, found in this order: a production script that runs node (`start:prod`,
// `start`), the build tool's own output entry (Nest: nest-cli.json's entryFile under the
// tsconfig outDir, `dist/main` by default), nodemon's file run by node, `next start`. The
// original command stays available as the `dev` target. Pure: reads only its arguments.
import path from "node:path";
import type { ContextFiles } from "../context.ts";
import { plainWords } from "../render.ts";
import { scriptOf } from "./detect.ts";
import { parseJsonc, tsconfigOutDir } from "./manifests.ts";
import type { NodeManagerPlan, PackageJson } from "./manifests.ts";

/** Commands that run a development server or a watcher rather than built output. */
const DEV_SERVER = /(^|[\s;&|(])(nest start\b|nodemon\b|ts-node-dev\b|tsnd\b|tsx watch\b|node --watch\b|next dev\b)/;

/** Front-end dev servers: the static-web planner serves their build with nginx; when it cannot, the rewrite must not ship them without their devDependencies. */
const FRONT_END_DEV_SERVER = /(^|[\s;&|(])(ng serve\b|vite(?! build\b)(?! preview\b)\b|react-scripts start\b|vue-cli-service serve\b|webpack serve\b|webpack-dev-server\b)/;

/** Scripts that, when they run node on built files, are the production start command. */
const PRODUCTION_SCRIPTS = ["start:prod", "start:production", "prod", "serve:prod", "start"];

export interface DevServerReplacement {
  /** The original startup argv (`npm run start:dev`). */
  original: string[];
  /** What actually runs, for messages (`nest start --watch`). */
  runs: string;
  /** The production command, when found. */
  production?: string[];
  /** Variables the production script sets before the command (`NODE_ENV=production node dist/main`). */
  environment: [string, string][];
  /** Where the production command comes from, for the notes. */
  source?: string;
  /** A build command to add when the original has none (the dev server compiled at startup). */
  build?: string;
}

/** The text a startup argv runs: the npm script's body, else the argv itself. */
function runsText(argv: readonly string[], manifest: PackageJson): string {
  const script = scriptOf(argv);
  const body = script === undefined ? undefined : manifest.scripts?.[script];
  return body ?? argv.join(" ");
}

/** Leading `NAME=value` assignments of a script body, and the plain words after them. */
function splitAssignments(body: string): { environment: [string, string][]; words: string[] } | undefined {
  const tokens = body.trim().split(/\s+/);
  const environment: [string, string][] = [];
  while (tokens.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=[\w./:@,+-]*$/.test(tokens[0] ?? "")) {
    const [name = "", ...value] = (tokens.shift() ?? "").split("=");
    environment.push([name, value.join("=")]);
  }
  const words = plainWords(tokens.join(" "));
  return words === undefined ? undefined : { environment, words };
}

/** Whether the startup argv runs a development server (directly or through an npm script). */
export function isDevServerCommand(argv: readonly string[], manifest: PackageJson): boolean {
  return DEV_SERVER.test(runsText(argv, manifest));
}

/** undefined when the startup command is not a development server; else what replaces it (production undefined when nothing could be found). */
export function devServerReplacement(argv: readonly string[] | undefined, manifest: PackageJson, files: ContextFiles, manager: NodeManagerPlan, hasBuild: boolean): DevServerReplacement | undefined {
  if (argv === undefined || argv.length === 0) return undefined;
  const runs = runsText(argv, manifest);
  const match = DEV_SERVER.exec(runs);
  if (!match) return FRONT_END_DEV_SERVER.test(runs) ? { original: [...argv], runs, environment: [] } : undefined;
  const tool = (match[2] ?? "").trim();
  const scripts = manifest.scripts ?? {};
  const result: DevServerReplacement = { original: [...argv], runs, environment: [] };
  const buildScript = scripts.build !== undefined && !DEV_SERVER.test(scripts.build) ? manager.runScript("build") : undefined;

  for (const name of PRODUCTION_SCRIPTS) {
    const body = scripts[name];
    if (body === undefined || DEV_SERVER.test(body)) continue;
    const split = splitAssignments(body);
    if (!split) continue;
    const [program, ...rest] = split.words;
    const production = program === "node" ? split.words : program === "next" && rest[0] === "start" ? ["node_modules/.bin/next", ...rest] : undefined;
    if (production === undefined) continue;
    // A script that runs built files needs the build, unless the file is a source the context sends.
    const file = production.slice(1).find((word) => !word.startsWith("-") && word !== "start");
    const needsBuild = program === "next" || (file !== undefined && !files.has(file) && !files.has(`${file}.js`));
    if (needsBuild && !hasBuild && buildScript === undefined) continue;
    Object.assign(result, { production, environment: split.environment, source: `the "${name}" script` });
    if (needsBuild && !hasBuild && buildScript !== undefined) result.build = buildScript;
    return result;
  }

  if (tool.startsWith("nest start")) {
    const entry = nestEntry(files);
    const build = hasBuild ? undefined : (buildScript ?? "npx nest build");
    return { ...result, production: ["node", entry.file], source: entry.source, ...(build === undefined ? {} : { build }) };
  }
  if (tool.startsWith("next dev")) {
    const port = /(?:^|\s)(?:-p|--port)[=\s]+(\d+)/.exec(runs)?.[1];
    const build = hasBuild ? undefined : (buildScript ?? "npx next build");
    return { ...result, production: ["node_modules/.bin/next", "start", ...(port === undefined ? [] : ["-p", port])], source: "Next.js's production server (`next start`)", ...(build === undefined ? {} : { build }) };
  }
  if (tool === "nodemon" || tool === "node --watch") {
    const after = runs.slice((match.index ?? 0) + match[0].length).trim().split(/[;&|]/)[0] ?? "";
    const file = after.split(/\s+/).find((word) => word !== "" && !word.startsWith("-") && word !== "--watch");
    const target = file ?? manifest.main ?? (files.has("index.js") ? "index.js" : undefined);
    if (target !== undefined && /^[\w./@-]+$/.test(target) && !/\.tsx?$/.test(target) && (files.has(target) || files.has(`${target}.js`))) {
      return { ...result, production: ["node", target], source: file === undefined ? 'package.json "main"' : `the file ${tool} runs` };
    }
  }
  return result;
}

/** Nest's compiled entry: nest-cli.json's entryFile (default main) under the build tsconfig's outDir (default dist). */
function nestEntry(files: ContextFiles): { file: string; source: string } {
  const cliText = files.text("nest-cli.json");
  const cli = cliText === undefined ? undefined : (parseJsonc(cliText) as { entryFile?: unknown; compilerOptions?: { tsConfigPath?: unknown } } | undefined);
  const entryFile = typeof cli?.entryFile === "string" ? cli.entryFile : "main";
  const tsconfigPath = typeof cli?.compilerOptions?.tsConfigPath === "string" ? cli.compilerOptions.tsConfigPath : files.has("tsconfig.build.json") ? "tsconfig.build.json" : "tsconfig.json";
  let outDir: string | undefined;
  for (const candidate of [tsconfigPath, "tsconfig.json"]) {
    const text = files.text(candidate);
    outDir = text === undefined ? undefined : tsconfigOutDir(text)?.outDir;
    if (outDir !== undefined) break;
  }
  const file = path.posix.join(outDir ?? "dist", entryFile);
  return { file, source: `Nest's build output (${outDir === undefined ? "default outDir dist" : `outDir ${outDir}`}, entryFile ${entryFile})` };
}

/** Global installs of tools only development and builds use, with the command each provides. */
const DEV_TOOL_BINARIES: Record<string, string> = {
  nodemon: "nodemon",
  typescript: "tsc",
  "ts-node": "ts-node",
  "ts-node-dev": "ts-node-dev",
  tsx: "tsx",
  "@nestjs/cli": "nest",
  "@angular/cli": "ng",
  "@vue/cli": "vue",
  eslint: "eslint",
  prettier: "prettier",
  jest: "jest",
  mocha: "mocha",
  rimraf: "rimraf",
  concurrently: "concurrently",
  "npm-run-all": "npm-run-all",
};

/**
 * Whether a global install only serves development or the build: every package it names is a
 * known dev tool whose command the runtime's startup does not run.
 */
export function isDevToolInstall(packages: readonly string[], runtimeProgram: string | undefined): boolean {
  if (packages.length === 0) return false;
  return packages.every((name) => {
    const binary = DEV_TOOL_BINARIES[name];
    return binary !== undefined && binary !== runtimeProgram;
  });
}
