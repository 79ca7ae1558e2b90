// Which of verify's differences a change makes on purpose, and why: the rewrite runs as non-root,
// in exec form, from another directory or base image; a static site is served by nginx; a
// Next.js app by its standalone server. Everything else is unexpected, and keeps the change from
// being written (src/fix/verify-rewrite.ts). Pure: differences and facts in, verdicts out.
import { isCopyOrAdd, isKeyValue } from "../dockerfile/model.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { ImageConfig } from "../engine/types.ts";
import { isShellFormOf } from "../verify/allow.ts";
import { normalizeWorkingDir } from "../verify/config-diff.ts";
import type { MovedDirectory } from "../verify/moved-files.ts";
import type { Difference, VerifyResult } from "../verify/result.ts";
import { plural } from "../format/index.ts";

/**
 * What a rewrite changes on purpose about how the app is served, beyond what every rewrite does
 * (non-root user, exec form): a front end moved from a Node dev server to nginx serving the build
 * output ("static-site"), or a Next.js app started from its traced standalone server
 * ("nextjs-standalone"), or a development server (`nest start --watch`, nodemon, `next dev`)
 * replaced by a production server running the build output ("dev-server"). The differences these cause are accepted only when a runtime probe
 * answered alike (classifyDifferences), since the image analysis alone cannot tell them apart
 * from breakage.
 */
export type RewriteIntent = "static-site" | "nextjs-standalone" | "dev-server";

/**
 * Where a static-site rewrite's runtime takes the build output from: `COPY --from=build /app/dist
 * /usr/share/nginx/html` moves BEFORE's /app/dist (when the original built it in the image) to
 * nginx's root. Absolute paths only; a relative source or destination is left out.
 */
export function movedDirectories(afterText: string): MovedDirectory[] {
  const runtime = parseDockerfile(afterText).stages.at(-1);
  const moves: MovedDirectory[] = [];
  for (const instruction of runtime?.instructions ?? []) {
    if (!isCopyOrAdd(instruction) || instruction.from === undefined || instruction.sources.length !== 1) continue;
    const source = (instruction.sources[0] ?? "").replace(/(?<!\/)\/+$/, "");
    const destination = instruction.destination.replace(/(?<!\/)\/+$/, "");
    if (source.startsWith("/") && destination.startsWith("/") && source !== "" && destination !== "" && !/[*?[$]/.test(source)) moves.push({ before: source, after: destination });
  }
  return moves;
}

/** The intent of a planned rewrite, from its ecosystem, the Dockerfile it writes and whether the planner replaced a development server. */
export function rewriteIntent(ecosystem: string | undefined, afterText: string, replacesDevServer = false): RewriteIntent | undefined {
  if (ecosystem === "static-web") return "static-site";
  if (replacesDevServer) return "dev-server";
  if (ecosystem !== "node") return undefined;
  const stages = parseDockerfile(afterText).stages;
  const runtime = stages.at(-1);
  const copiesStandalone = runtime?.instructions.some((instruction) => isCopyOrAdd(instruction) && instruction.from !== undefined && instruction.sources.some((source) => /(^|\/)standalone\/?$/.test(source)));
  return copiesStandalone ? "nextjs-standalone" : undefined;
}

/** A difference verify found that the change means to make (runs as non-root, exec-form CMD...), with why it is accepted. */
export interface ExpectedDifference {
  difference: Difference;
  why: string;
}

export interface ClassifyContext {
  before: Pick<ImageConfig, "entrypoint" | "cmd" | "user">;
  after: Pick<ImageConfig, "entrypoint" | "cmd" | "user"> & Partial<Pick<ImageConfig, "workingDir">>;
  /** Environment variables the original Dockerfile sets itself (these must keep their values). */
  originalEnv: ReadonlySet<string>;
  /** `scripts` of the context's package.json: `npm start` may become the command the script runs. */
  npmScripts?: Readonly<Record<string, string>>;
  intent?: RewriteIntent;
  /** Whether a smoke or HTTP probe ran (the intent's differences need one that answered alike). */
  probed?: boolean;
  /** Whether an HTTP probe ran: a replaced development server is accepted only on the HTTP answers. */
  httpProbed?: boolean;
  /** The assets the pages referenced (verify's httpAssets). */
  assets?: VerifyResult["assets"];
}

/** Sources and manifests of compiled languages: compiled into the binary, not needed next to it. */
const COMPILED_SOURCE = /(\.(go|rs|java|kt|kts|scala|c|cc|cpp|h|hpp)|\/(go\.mod|go\.sum|Cargo\.toml|Cargo\.lock|pom\.xml|build\.gradle|build\.gradle\.kts|settings\.gradle|gradlew))$/;

/** Cargo's and Maven's build directory. */
const BUILD_TREE = /\/target\//;

const ROOT_USERS = new Set(["", "root", "0", "0:0", "root:root"]);

/** `.next/static/<build id>/...`: Next.js's default build id is a 21-character nanoid. */
const NEXT_BUILD_ID_DIRECTORY = /^[^/]+\/static\/[A-Za-z0-9_-]{21}\//;

/**
 * Splits verify's differences into those a rewrite makes on purpose and the rest. Accepted:
 * the switch from root to a non-root user that resolves; a shell-form command turned into the
 * same words in exec form; environment variables the original Dockerfile did not set (they came
 * from the toolchain base image, or are the rewrite's own, like VIRTUAL_ENV); compiled-language
 * sources missing next to the binary. Everything else, and every smoke or HTTP difference, is
 * unexpected.
 */
export function classifyDifferences(differences: readonly Difference[], context: ClassifyContext): { expected: ExpectedDifference[]; unexpected: Difference[] } {
  const expected: ExpectedDifference[] = [];
  const unexpected: Difference[] = [];
  const relevant = differences.filter((difference) => difference.severity === "difference");
  const isProbe = (difference: Difference): boolean => difference.kind === "http" || difference.kind === "smoke";
  // The probes first: an intent's other differences count as intended only when the app answered alike.
  const probeVerdicts = new Map(relevant.filter(isProbe).map((difference) => [difference, probeExpectedBecause(difference, context)]));
  const answeredAlike = context.probed === true && [...probeVerdicts.values()].every((why) => why !== undefined);
  for (const difference of relevant) {
    const why = isProbe(difference) ? probeVerdicts.get(difference) : (expectedBecause(difference, context) ?? (answeredAlike ? intendedBecause(difference, context) : undefined));
    if (why === undefined) unexpected.push(difference);
    else expected.push({ difference, why });
  }
  return { expected, unexpected };
}

/** Static site: the built page has other bytes than the dev server's (hashed asset names, no dev client); accepted when it answered with the same status and type and every asset it references loaded. */
function probeExpectedBecause(difference: Difference, context: ClassifyContext): string | undefined {
  if (context.intent !== "static-site" || difference.kind !== "http" || !difference.message.startsWith("Bodies differ")) return undefined;
  const page = context.assets?.after.find((entry) => `GET ${entry.page}` === difference.subject);
  if (page === undefined || page.assets.length === 0) return undefined;
  const allLoaded = page.assets.every((asset) => asset.status !== undefined && asset.status >= 200 && asset.status < 300);
  return allLoaded ? `the built page (nginx) instead of the dev server's; all ${plural(page.assets.length, "asset")} it references answered` : undefined;
}

/** Differences the rewrite's intent causes on purpose; only asked when a probe answered alike. */
function intendedBecause(difference: Difference, context: ClassifyContext): string | undefined {
  switch (context.intent) {
    case "static-site":
      if (difference.kind === "config" && ["Cmd", "Entrypoint", "Entrypoint/Cmd", "WorkingDir", "StopSignal"].includes(difference.subject)) return "nginx serves the build output (its command, directory and stop signal)";
      if (difference.kind === "config" && difference.subject.startsWith("ExposedPorts ") && difference.after !== undefined && difference.before === undefined) return "a port nginx's base image declares (the original port is still served)";
      // A file of the moved build output (kind moved-file) is never accepted: nginx must serve all of it.
      if (difference.kind === "file") return "the sources, manifests and node_modules stay in the build stage: nginx serves the build output";
      if (difference.kind === "node-dependency") return "the site is static files: no Node runtime, no packages";
      return undefined;
    case "dev-server": {
      // The production server must answer HTTP as the dev server did: a smoke run alone proves nothing about serving.
      if (context.httpProbed !== true) return undefined;
      if (difference.kind === "config" && ["Cmd", "Entrypoint", "Entrypoint/Cmd"].includes(difference.subject)) return "dev server replaced by a production server (the build output, run by node)";
      if (difference.kind === "config" && difference.subject === "WorkingDir") return "the rewrite's WORKDIR (the original copied its files outside it)";
      if (difference.kind === "node-dependency") return "dev server replaced by a production server: devDependencies (the dev server's tools) are not installed";
      if (difference.kind === "file") return "dev server replaced by a production server: the sources and dev tools stay in the build stage, the runtime ships the build output";
      return undefined;
    }
    case "nextjs-standalone": {
      if (difference.kind === "config" && ["Cmd", "Entrypoint", "Entrypoint/Cmd"].includes(difference.subject)) {
        const command = commandOf(context.after);
        return command.at(-1) === "server.js" ? "Next.js's standalone server (`node server.js`) instead of `next start`" : undefined;
      }
      if (difference.kind === "node-dependency") return "Next.js output tracing ships only the modules its server requires (output: 'standalone')";
      if (difference.kind === "file") {
        const workdir = normalizeWorkingDir(context.after.workingDir ?? "");
        const relative = (file: string): string => (workdir === "/" ? file.slice(1) : file.startsWith(`${workdir}/`) ? file.slice(workdir.length + 1) : file);
        const paths = (difference.paths ?? [difference.subject]).map(relative);
        // What the browser loads must still be there: public/ and the build's static/ directory,
        // except the directory named after BEFORE's build id (a new random id every build; Next.js
        // serves AFTER's files under AFTER's id).
        const served = paths.some((file) => file.startsWith("public/") || (/^[^/]+\/static\//.test(file) && !NEXT_BUILD_ID_DIRECTORY.test(file)));
        return served ? undefined : "the build's sources, caches and untraced files: the standalone server does not read them";
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function expectedBecause(difference: Difference, context: ClassifyContext): string | undefined {
  if (difference.kind === "config") {
    if (difference.subject === "User") {
      const toNonRoot = ROOT_USERS.has(context.before.user) && !ROOT_USERS.has(context.after.user) && !difference.message.includes("cannot be resolved");
      return toNonRoot ? "runs as a non-root user (the rewrite's intent)" : undefined;
    }
    if (difference.subject.startsWith("Env.")) {
      const key = difference.subject.slice(4);
      if (context.originalEnv.has(key)) return undefined;
      // PATH is a difference only when a command resolves to another file: intended only when that command was moved on purpose.
      if (key === "PATH") return isMovedProgram(commandOf(context.before), commandOf(context.after)) || isCargoRunOf(commandOf(context.before), commandOf(context.after)) ? "the base image's PATH; the command it resolves was moved on purpose (see Cmd)" : undefined;
      return context.originalEnv.has(key) ? undefined : `${key} is not set by the original Dockerfile (it came from the base image, or the rewrite sets it)`;
    }
    if (difference.subject === "Cmd" || difference.subject === "Entrypoint" || difference.subject === "Entrypoint/Cmd") {
      const before = commandOf(context.before);
      const after = commandOf(context.after);
      if (isShellFormOf(before, after)) return "the same command in exec form (signals reach the process)";
      const script = npmScriptRun(before, context.npmScripts);
      if (script !== undefined && sameWords(script, after)) return "the command the npm script runs, without npm in between (signals reach the process)";
      if (isCargoRunOf(before, after)) return "the binary `cargo run` builds and runs, started directly (no compiler in the image)";
      return isMovedProgram(before, after) ? "the same program, installed at another path" : undefined;
    }
    return undefined;
  }
  if (difference.kind === "file") {
    const paths = difference.paths ?? [difference.subject];
    if (paths.length > 0 && paths.every((file) => COMPILED_SOURCE.test(file))) return "compiled-language sources, built into the binary";
    return paths.length > 0 && paths.every((file) => BUILD_TREE.test(file)) ? "the compiler's build tree (the binary ships on its own)" : undefined;
  }
  return undefined;
}

/** The body of the script `npm start` / `npm run NAME` (or yarn's and pnpm's forms) runs (shell or exec form), when the command is exactly that. */
function npmScriptRun(argv: readonly string[], scripts: Readonly<Record<string, string>> | undefined): string | undefined {
  if (scripts === undefined) return undefined;
  const words = argv.length === 3 && /^(\/bin\/)?(ba)?sh$/.test(argv[0] ?? "") && argv[1] === "-c" ? (argv[2] ?? "").trim().split(/\s+/) : [...argv];
  const manager = words[0];
  if (manager !== "npm" && manager !== "yarn" && manager !== "pnpm") return undefined;
  let name = words.length === 2 && words[1] === "start" ? "start" : words.length === 3 && (words[1] === "run" || words[1] === "run-script") ? words[2] : undefined;
  // `yarn dev` and `pnpm dev` run the script of that name directly (npm needs `run`).
  if (name === undefined && manager !== "npm" && words.length === 2 && words[1] !== undefined && Object.hasOwn(scripts, words[1])) name = words[1];
  return name === undefined ? undefined : scripts[name];
}

/** A script body as plain words equals an exec-form command (nothing a shell would interpret). */
function sameWords(text: string, argv: readonly string[]): boolean {
  if (/[$`'"\\|&;<>(){}*?~[\]#!]/.test(text)) return false;
  const words = text.trim().split(/\s+/);
  // `node dist/server.js` in the script may be written with the resolved binary in exec form.
  return words.length === argv.length && words.every((word, index) => word === argv[index] || (index === 0 && argv[0]?.split("/").at(-1) === word));
}

function commandOf(config: Pick<ImageConfig, "entrypoint" | "cmd">): string[] {
  return [...(config.entrypoint ?? []), ...(config.cmd ?? [])];
}

/** `["./target/release/pricing"]` vs `["/usr/local/bin/pricing"]`: same file name, same arguments. */
function isMovedProgram(before: readonly string[], after: readonly string[]): boolean {
  if (before.length === 0 || before.length !== after.length || before[0] === after[0]) return false;
  const name = (word: string): string => word.split("/").at(-1) ?? word;
  return name(before[0] as string) === name(after[0] as string) && before.slice(1).every((word, index) => word === after[index + 1]);
}

/**
 * `["cargo", "run", "--release", "--bin", "api", "--", "-v"]` vs `["/usr/local/bin/api", "-v"]`:
 * the program cargo runs (the --bin when given), with the arguments after `--`.
 */
function isCargoRunOf(before: readonly string[], after: readonly string[]): boolean {
  if ((before[0]?.split("/").at(-1) ?? "") !== "cargo" || before[1] !== "run" || !(after[0] ?? "").startsWith("/")) return false;
  const separator = before.indexOf("--");
  const options = separator < 0 ? before.slice(2) : before.slice(2, separator);
  const args = separator < 0 ? [] : before.slice(separator + 1);
  const binIndex = options.findIndex((option) => option === "--bin" || option.startsWith("--bin="));
  const bin = binIndex < 0 ? undefined : options[binIndex]?.startsWith("--bin=") ? options[binIndex]?.slice("--bin=".length) : options[binIndex + 1];
  if (bin !== undefined && after[0]?.split("/").at(-1) !== bin) return false;
  return args.length === after.length - 1 && args.every((word, index) => word === after[index + 1]);
}

/** Keys of every ENV instruction in a Dockerfile's text. */
export function dockerfileEnvKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const stage of parseDockerfile(text).stages) {
    for (const instruction of stage.instructions) {
      if (isKeyValue(instruction) && instruction.keyword === "ENV") for (const pair of instruction.pairs) keys.add(pair.key);
    }
  }
  return keys;
}
