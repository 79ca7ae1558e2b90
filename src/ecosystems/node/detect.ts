// Which original RUN commands are Node dependency installs, builds, or global tool installs,
// and which npm script a startup command runs.
import type { ShellCommand } from "../../dockerfile/model.ts";
import { dependencyInstall, hasOption, subcommand } from "../../rules/queries.ts";
import type { OriginalBuild, OriginalCommand } from "../original.ts";

export type NodeCommandKind = "install" | "global-install" | "build" | "housekeeping";

const BUILD_TOOLS = new Set(["tsc", "vite", "next", "webpack", "esbuild", "rollup", "parcel", "tsup", "nest", "ng", "astro", "react-scripts", "vue-cli-service", "swc", "babel", "gulp", "grunt", "turbo", "nx"]);

export function classifyNodeCommand(command: ShellCommand): NodeCommandKind | undefined {
  const install = dependencyInstall(command);
  if (install?.ecosystem === "node") {
    if (command.name === "npm" && hasOption(command, "-g", "--global")) return "global-install";
    if (command.name === "yarn" && command.args[0] === "global") return "global-install";
    return "install";
  }
  const sub = subcommand(command);
  if (command.name === "npm" || command.name === "pnpm" || command.name === "yarn") {
    if (sub === "run" || sub === "run-script" || sub === "exec") return "build";
    if ((command.name === "yarn" || command.name === "pnpm") && sub !== undefined && !["add", "global", "cache", "config", "prune", "audit"].includes(sub)) return "build";
    if (sub === "prune" || sub === "cache" || sub === "audit" || sub === "config") return "housekeeping";
    if (command.name === "yarn" && sub === "global") return "global-install";
    return undefined;
  }
  if (command.name === "npx") return "build";
  if (command.name === "corepack") return "housekeeping";
  if (BUILD_TOOLS.has(command.name)) return "build";
  return undefined;
}

/** The npm script a command runs: `npm start` -> start, `npm run build` -> build, `yarn build` -> build. */
export function scriptOf(argv: readonly string[]): string | undefined {
  const [tool = "", first, second] = argv;
  const name = tool.split("/").at(-1) ?? "";
  if (!["npm", "yarn", "pnpm"].includes(name) || first === undefined) return undefined;
  if (first === "start" || first === "test") return first;
  if (first === "run" || first === "run-script") return second;
  if (name !== "npm" && !first.startsWith("-") && !["install", "add", "exec", "dlx"].includes(first)) return first;
  return undefined;
}

export function isNodeBuild(original: OriginalBuild): boolean {
  const name = original.base.name.replace(/^library\//, "");
  const nodeBase = name === "node" || /(^|\/)node$/.test(name);
  const nodeCommands = original.commands.some(({ command }) => classifyNodeCommand(command) === "install");
  return nodeBase || nodeCommands;
}

export function splitNodeCommands(commands: readonly OriginalCommand[]): Record<NodeCommandKind | "unknown", OriginalCommand[]> {
  const result: Record<NodeCommandKind | "unknown", OriginalCommand[]> = { install: [], "global-install": [], build: [], housekeeping: [], unknown: [] };
  for (const entry of commands) result[classifyNodeCommand(entry.command) ?? "unknown"].push(entry);
  return result;
}

/** Tools that only serve a front end during development or preview a static build. */
export const STATIC_SERVERS = /^(vite(?! build\b)|vite preview|react-scripts start|serve|http-server|live-server|parcel|vue-cli-service serve|astro dev|astro preview|ng serve|webpack serve|webpack-dev-server)\b/;
