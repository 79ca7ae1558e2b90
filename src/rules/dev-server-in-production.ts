import type { CommandInstruction, DockerfileModel, ShellCommand } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { parseShell } from "../dockerfile/shell.ts";
import type { BuildContext, RepositoryView } from "../repo/snapshot.ts";
import { isShippedStage, subcommand } from "./queries.ts";
import { joinWithAnd } from "../format/index.ts";
import { isNonProductionDockerfile, startupCommands, startupInstructions } from "./support/runtime-image.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Development servers compile on request, serve unminified code with source maps, watch the
// file system and reload: slow responses, slow starts and several times the memory of the
// built application, plus debug endpoints and error pages that show source. Category speed:
// the cost a user feels is the running service's speed (and the image carries devDependencies).
export const rule: DockerfileRule = {
  meta: {
    id: "dev-server-in-production",
    description: "The final image's CMD or ENTRYPOINT starts a development server (npm run dev, vite, next dev, ng serve, nodemon, nest start --watch, flask run, manage.py runserver, uvicorn --reload...), or the image installs a watcher globally (npm install -g nodemon).",
    impact: "high",
    category: "speed",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext, repository }) {
    if (isNonProductionDockerfile(dockerfile)) return [];
    const { entrypoint, cmd } = startupInstructions(dockerfile);
    // A shell-form ENTRYPOINT ignores CMD.
    const instructions = [entrypoint, entrypoint?.form === "shell" ? undefined : cmd].filter((instruction): instruction is CommandInstruction => instruction !== undefined);
    const scripts = packageScripts(buildContext, repository);
    const reports: RuleReport[] = [];
    let startsDevServer = false;
    for (const instruction of instructions) {
      for (const command of startupCommands(instruction)) {
        const found = devServer(command, scripts, 0);
        if (!found) continue;
        reports.push({
          message: `${instruction.keyword} starts ${found.description}, a development server: it compiles on request, serves unoptimised code and watches files; ${found.remedy}`,
          line: instruction.span.start.line,
          endLine: instruction.span.end.line,
        });
        startsDevServer = true;
        break;
      }
    }
    // A watcher installed globally in the runtime image is there to be run (by a compose command, or by hand).
    if (!startsDevServer) reports.push(...globalWatcherInstalls(dockerfile));
    return reports;
  },
};

/** Watchers and dev servers that have no use in a production image. */
const GLOBAL_DEV_TOOLS = new Set(["nodemon", "ts-node-dev", "node-dev", "webpack-dev-server", "live-server", "browser-sync"]);

/** `npm install -g nodemon`, `yarn global add nodemon`, `pnpm add -g nodemon` in a stage that ships. */
function globalWatcherInstalls(dockerfile: DockerfileModel): RuleReport[] {
  const reports: RuleReport[] = [];
  for (const stage of dockerfile.stages) {
    if (!isShippedStage(dockerfile, stage)) continue;
    for (const run of stage.instructions.filter(isRun)) {
      for (const command of run.shell.commands) {
        const packages = globalPackages(command);
        const tools = packages.map(packageName).filter((name) => GLOBAL_DEV_TOOLS.has(name));
        if (tools.length === 0) continue;
        reports.push({
          message: `${command.name} installs ${joinWithAnd(tools.map((tool) => `\`${tool}\``))} globally in a stage that reaches the final image: a file watcher that restarts the app on changes belongs to development; run the built application (e.g. \`node dist/server.js\`) and keep the watcher in a dev stage or a devDependency`,
          line: run.span.start.line,
          endLine: run.span.end.line,
        });
        break;
      }
    }
  }
  return reports;
}

/** The package arguments of a global install, or [] for anything else. */
function globalPackages(command: ShellCommand): string[] {
  const words = command.args.filter((arg) => !arg.startsWith("-"));
  const global = command.args.some((arg) => arg === "-g" || arg === "--global" || arg === "--location=global");
  if (command.name === "npm" && ["install", "i", "add"].includes(words[0] ?? "") && global) return words.slice(1);
  if (command.name === "yarn" && words[0] === "global" && words[1] === "add") return words.slice(2);
  if ((command.name === "pnpm" || command.name === "bun") && ["add", "install", "i"].includes(words[0] ?? "") && global) return words.slice(1);
  return [];
}

/** `nodemon@3.1.0` -> `nodemon`; `@scope/name@1` -> `@scope/name`. */
function packageName(spec: string): string {
  const at = spec.indexOf("@", 1);
  return at > 0 ? spec.slice(0, at) : spec;
}

interface DevServer {
  description: string;
  remedy: string;
}

/** How the server-rendering frameworks run in production. */
const PRODUCTION_SERVER: Record<string, string> = {
  next: "`next start`",
  nuxt: "`node .output/server/index.mjs`",
  nuxi: "`node .output/server/index.mjs`",
  astro: "`node ./dist/server/entry.mjs`, or serve dist/ statically",
  remix: "`remix-serve build`",
};

const STATIC = "build the front end in a build stage and serve its output with nginx (or another static file server)";
const NODE_APP = "build the application and start the built output (e.g. `node dist/server.js`)";

/** The `scripts` of the build context's root package.json, when the audit read it. */
function packageScripts(context: BuildContext | undefined, repository: RepositoryView): Record<string, string> | undefined {
  if (!context) return undefined;
  const text = repository.snapshot.texts.get(context.root === "" ? "package.json" : `${context.root}/package.json`);
  if (text === undefined) return undefined;
  try {
    const scripts = (JSON.parse(text) as { scripts?: unknown }).scripts;
    return scripts && typeof scripts === "object" ? (scripts as Record<string, string>) : {};
  } catch {
    return undefined;
  }
}

/** Scripts that are dev servers by name, when package.json is not available: dev, develop, start:dev, serve:dev. */
const DEV_SCRIPT = /^(dev|develop|development)([:_-].*)?$|[:_-](dev|develop|development)$/;

function devServer(command: ShellCommand, scripts: Record<string, string> | undefined, depth: number): DevServer | undefined {
  const sub = subcommand(command);
  const words = command.args.filter((arg) => !arg.startsWith("-"));
  // npm/yarn/pnpm/bun scripts: follow package.json to what the script runs.
  if (["npm", "yarn", "pnpm", "bun"].includes(command.name)) {
    const script = scriptName(command.name, sub, words);
    if (script === undefined) return undefined;
    if (sub === "exec" || sub === "dlx" || sub === "x") return tool(words.slice(1), command, `${command.name} ${sub} `);
    const body = scripts?.[script];
    const label = `${command.name} ${sub === "run" || sub === "run-script" ? `${sub} ${script}` : script}`;
    if (body !== undefined && depth < 3) {
      for (const inner of parseShell(body).commands) {
        const found = devServer(inner, scripts, depth + 1);
        if (found) return { description: `\`${label}\` (package.json: \`${body}\`), which runs ${found.description}`, remedy: found.remedy };
      }
      return undefined;
    }
    if (scripts === undefined && DEV_SCRIPT.test(script)) return { description: `\`${label}\``, remedy: `run the production build instead (${NODE_APP}, or for a static front end ${STATIC})` };
    return undefined;
  }
  if (["npx", "bunx", "pnpx"].includes(command.name)) return tool(words, command, `${command.name} `);
  // Python runners: `poetry run`, `uv run`, `pipenv run`, `bundle exec`.
  if ((["poetry", "uv", "pipenv"].includes(command.name) && sub === "run") || (command.name === "bundle" && sub === "exec")) {
    const rest = command.args.slice(command.args.indexOf(sub ?? "") + 1);
    const [name = "", ...args] = rest;
    return devServer({ ...command, name: name.split("/").pop() ?? "", args }, scripts, depth + 1);
  }
  return tool([command.name, ...command.args.filter((arg) => !arg.startsWith("-"))], command, "");
}

/** The script a package-manager command runs: `npm start`, `npm run dev`, `yarn dev`, `pnpm run dev`. */
function scriptName(manager: string, sub: string | undefined, words: string[]): string | undefined {
  if (sub === undefined) return undefined;
  if (sub === "start" || sub === "exec" || sub === "dlx" || sub === "x") return sub;
  if (sub === "run" || sub === "run-script") return words[1];
  // yarn, pnpm and bun run scripts without `run`; their own commands are not scripts.
  if (manager !== "npm" && !["install", "add", "remove", "ci", "i", "build", "test"].includes(sub)) return sub;
  return undefined;
}

/** Dev servers by tool, given the words starting with the tool name (options removed). */
function tool(words: string[], command: ShellCommand, prefix: string): DevServer | undefined {
  const [raw = "", action, second] = words;
  const name = raw.split("/").pop() ?? "";
  const has = (...options: string[]): boolean => command.args.some((arg) => options.some((option) => arg === option || arg.startsWith(`${option}=`)));
  const label = (text: string): string => `\`${prefix}${text}\``;
  switch (name) {
    case "vite":
      if (action === "build") return undefined;
      if (action === "preview") return { description: `${label("vite preview")} (Vite's local preview server, not meant for production)`, remedy: STATIC };
      return { description: `${label("vite")} (Vite's dev server)`, remedy: STATIC };
    case "next":
    case "nuxt":
    case "nuxi":
    case "astro":
    case "remix":
      // `next` without a command is `next dev`.
      if (action !== "dev" && !(name === "next" && action === undefined)) return undefined;
      return { description: label(`${name}${action ? ` ${action}` : ""}`), remedy: `build (\`${name} build\`) and run the production server (${PRODUCTION_SERVER[name]})` };
    case "gatsby":
      return action === "develop" ? { description: label("gatsby develop"), remedy: STATIC } : undefined;
    case "ng":
      return action === "serve" || action === "s" ? { description: label(`ng ${action}`), remedy: STATIC } : undefined;
    case "webpack":
    case "webpack-cli":
      return action === "serve" ? { description: label(`${name} serve`), remedy: STATIC } : undefined;
    case "webpack-dev-server":
      return { description: label(name), remedy: STATIC };
    case "vue-cli-service":
      return action === "serve" ? { description: label("vue-cli-service serve"), remedy: STATIC } : undefined;
    case "react-scripts":
      return action === "start" ? { description: label("react-scripts start"), remedy: STATIC } : undefined;
    case "parcel":
      return action === "build" ? undefined : { description: label(`parcel${action ? ` ${action}` : ""}`), remedy: STATIC };
    case "nodemon":
    case "ts-node-dev":
    case "node-dev":
      return { description: label(name), remedy: NODE_APP };
    case "nest":
      // `nest start --watch` (the start:dev script of every Nest project) recompiles and restarts on changes.
      return action === "start" && has("--watch", "-w") ? { description: `${label("nest start --watch")} (Nest's watch mode)`, remedy: "build (`nest build`) and run the output (`node dist/main.js`)" } : undefined;
    case "tsx":
      return action === "watch" ? { description: label("tsx watch"), remedy: NODE_APP } : undefined;
    case "node":
      return has("--watch") ? { description: label("node --watch"), remedy: NODE_APP } : undefined;
    case "flask":
      return action === "run" ? { description: `${label("flask run")} (Werkzeug's development server)`, remedy: "serve the app with a production WSGI server (gunicorn, uWSGI, waitress)" } : undefined;
    case "django-admin":
      return action === "runserver" ? { description: label("django-admin runserver"), remedy: DJANGO } : undefined;
    case "uvicorn":
    case "gunicorn":
    case "hypercorn":
      return has("--reload") ? { description: label(`${name} --reload`), remedy: "drop --reload: it watches the file system and restarts workers on every change" } : undefined;
    case "fastapi":
      return action === "dev" ? { description: label("fastapi dev"), remedy: "use `fastapi run` (or uvicorn/gunicorn without --reload)" } : undefined;
    case "rails":
      return (action === "server" || action === "s") && railsDevelopment(command) ? { description: label(`rails ${action} -e development`), remedy: "run with RAILS_ENV=production (`rails server -e production`, or puma directly)" } : undefined;
    case "php":
      if (action === "artisan" && second === "serve") return { description: `${label("php artisan serve")} (PHP's built-in server)`, remedy: PHP };
      return has("-S") ? { description: `${label("php -S")} (PHP's built-in server)`, remedy: PHP } : undefined;
    case "symfony":
      return action === "serve" || action === "server:start" ? { description: label(`symfony ${action}`), remedy: PHP } : undefined;
    case "hugo":
      return action === "server" || action === "serve" ? { description: label(`hugo ${action}`), remedy: STATIC } : undefined;
    case "jekyll":
      return action === "serve" || action === "s" ? { description: label(`jekyll ${action}`), remedy: STATIC } : undefined;
    case "mkdocs":
      return action === "serve" ? { description: label("mkdocs serve"), remedy: STATIC } : undefined;
    default:
      if (/^python\d?(\.\d+)?$/.test(name)) return pythonModule(command, label);
      return undefined;
  }
}

const DJANGO = "serve the project with gunicorn or uvicorn (`gunicorn project.wsgi`)";
const PHP = "use php-fpm behind nginx, or the php:<version>-apache image";

function railsDevelopment(command: ShellCommand): boolean {
  const environment = command.args.find((arg, index) => command.args[index - 1] === "-e" || command.args[index - 1] === "--environment") ?? command.args.find((arg) => arg.startsWith("--environment="))?.slice("--environment=".length);
  const assigned = command.assignments.find((assignment) => assignment.startsWith("RAILS_ENV="))?.slice("RAILS_ENV=".length);
  return /^dev(elopment)?$/.test(environment ?? assigned ?? "");
}

/** `python manage.py runserver`, `python -m flask run`, `python -m uvicorn --reload`, `python -m http.server`. */
function pythonModule(command: ShellCommand, label: (text: string) => string): DevServer | undefined {
  const [first, second] = command.args.filter((arg) => !arg.startsWith("-") || arg === "-m");
  if (first?.endsWith("manage.py") && second === "runserver") return { description: `${label(`${command.name} manage.py runserver`)} (Django's development server)`, remedy: DJANGO };
  const moduleIndex = command.args.indexOf("-m");
  if (moduleIndex < 0) return undefined;
  const module = command.args[moduleIndex + 1] ?? "";
  const rest = command.args.slice(moduleIndex + 2);
  if (module === "http.server") return { description: `${label(`${command.name} -m http.server`)} (Python's test server)`, remedy: STATIC };
  return tool([module, ...rest.filter((arg) => !arg.startsWith("-"))], { ...command, args: rest }, `${command.name} -m `);
}
