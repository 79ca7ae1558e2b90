// What compose runs instead of the image's own CMD/ENTRYPOINT, read by the planners: a service
// run through a shell needs a runtime with a shell, and one that starts a build tool or a
// development script cannot run on the rewritten runtime at all. `fix --verify` runs such
// services with compose's command too (src/fix/verify-changes.ts); this is the planner's half,
// which needs no engine.
import { parseShell } from "../dockerfile/shell.ts";
import { scriptOf } from "./node/detect.ts";
import { parsePackageJson } from "./node/manifests.ts";
import type { ComposeRuntime, PlannerInput, RewriteEcosystem } from "./plan-types.ts";
import { shellWord } from "./render.ts";

const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh"]);

/** Build tools and package managers' runners: a rewrite leaves them in the build stage. */
const TOOLCHAIN = new Set(["go", "cargo", "rustc", "rustup", "gcc", "g++", "cc", "make", "cmake", "mvn", "mvnw", "gradle", "gradlew", "javac", "tsc", "ts-node", "tsx", "nodemon", "poetry", "pipenv", "uv", "pip", "pip3"]);

/**
 * Compose services that run this image through a shell (`command: sh -c "..."`, an entrypoint
 * script): a runtime without a shell (distroless) would not start under compose. "docker-compose.yml: worker".
 */
export function composeServicesNeedingShell(input: PlannerInput): string[] {
  return (input.composeServices ?? [])
    .filter((service) => {
      const program = composeProgram(input, service)?.[0];
      if (program === undefined) return false;
      const name = program.split("/").pop() ?? program;
      return SHELLS.has(name) || /\.(sh|bash)$/.test(name);
    })
    .map(({ service }) => service);
}

/**
 * Review reasons for compose services whose command the rewritten runtime cannot run: one that
 * starts a build tool (`go run .`, `poetry run uvicorn app:app`, `nodemon`) or, for Node, an npm
 * script or `npx` that runs a devDependency (`npm run dev`); and, for a static site served by
 * nginx, any command at all (nginx replaces what the original ran).
 */
export function composeCommandReview(input: PlannerInput, ecosystem: RewriteEcosystem): string[] {
  const review: string[] = [];
  const manifest = ecosystem === "node" && input.files.has("package.json") ? parsePackageJson(input.files.text("package.json") ?? "") : undefined;
  const devDependencies = new Set(Object.keys(manifest?.devDependencies ?? {}));
  for (const service of input.composeServices ?? []) {
    const argv = composeProgram(input, service);
    if (argv === undefined || argv.length === 0) continue;
    const shown = argv.join(" ");
    if (ecosystem === "static-web") {
      review.push(`${service.service} runs \`${shown}\` instead of the image's command; the rewritten image serves the built site with nginx, so that command no longer applies. Drop it, or keep this service on the original image.`);
      continue;
    }
    const names = commandNames(argv, manifest?.scripts ?? {});
    const devTools = [...new Set(names.filter((name) => devDependencies.has(name)))];
    const tools = [...new Set(names.filter((name) => TOOLCHAIN.has(name) && !devDependencies.has(name)))];
    if (tools.length > 0) review.push(`${service.service} runs \`${shown}\`, which needs ${tools.join(", ")}: the rewritten runtime leaves build tools in the build stage. Run the built program instead, or keep this service on the original image.`);
    if (devTools.length > 0) review.push(`${service.service} runs \`${shown}\`, which needs ${devTools.join(", ")} from devDependencies: the rewritten runtime has production dependencies only. For development, \`--dev\` adds a target with them.`);
  }
  return review;
}

/** The argv compose starts as the program, when it names one: with an ENTRYPOINT of the image's own, compose's command is only its arguments. */
function composeProgram(input: PlannerInput, service: ComposeRuntime): readonly string[] | undefined {
  const imageEntrypoint = input.original.entrypoint !== undefined && input.original.entrypoint.form !== "none";
  return service.entrypoint ?? (imageEntrypoint ? undefined : service.command);
}

/** The programs a command runs: through `sh -c`, wrappers, `npx X` and the npm scripts it names (one level deep per script, cycles stopped). */
function commandNames(argv: readonly string[], scripts: Readonly<Record<string, string>>, seen: Set<string> = new Set()): string[] {
  const names: string[] = [];
  for (const command of parseShell(argv.map(shellWord).join(" ")).commands) {
    names.push(command.name);
    if (command.name === "npx" || (command.name === "npm" && command.args[0] === "exec")) {
      const tool = (command.name === "npx" ? command.args : command.args.slice(1)).find((word) => !word.startsWith("-"));
      if (tool !== undefined) names.push(tool);
    }
    const script = scriptOf(command.argv);
    const body = script === undefined ? undefined : scripts[script];
    if (script !== undefined && body !== undefined && !seen.has(script)) {
      seen.add(script);
      names.push(...commandNames(["sh", "-c", body], scripts, seen));
    }
  }
  return names;
}
