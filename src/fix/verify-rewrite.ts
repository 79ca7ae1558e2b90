// `shipshape fix --verify`: proves a changed Dockerfile before it is written. Both versions are
// built from the same temporary copy of the build context (src/bench/workspace.ts), BEFORE with the
// original text and AFTER with the new text plus the files the fix creates (a new .dockerignore
// must shape AFTER's context, which is why a copy is used rather than the user's tree), then the
// two images go through `shipshape verify` (src/verify/run.ts). The images are labelled and
// removed afterwards unless asked to keep them.
import fs from "node:fs";
import { z } from "zod";
import path from "node:path";
import { createWorkspace } from "../bench/workspace.ts";
import type { BenchWorkspace } from "../bench/workspace.ts";
import { buildImage } from "../build/run-builds.ts";
import type { ImageBuildReport } from "../build/summary.ts";
import type { BuildTarget } from "../build/targets.ts";
import { EngineUnavailableError } from "../engine/types.ts";
import type { Engine } from "../engine/types.ts";
import { isCopyOrAdd, isKeyValue } from "../dockerfile/model.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { ImageConfig } from "../engine/types.ts";
import { normalizeWorkingDir } from "../verify/config-diff.ts";
import type { MovedDirectory } from "../verify/moved-files.ts";
import type { Difference, VerifyResult } from "../verify/result.ts";
import { verifyImages } from "../verify/run.ts";

/** Every image `fix --verify` builds carries this label, so leftovers can be found and removed. */
export const FIX_VERIFY_LABEL = "shipshape.fix.verify";

export interface RewriteProbes {
  /** Argument strings for smoke runs ("" runs the image's default command). */
  smoke?: string[];
  /** A regular expression source: matching text is ignored when comparing outputs. */
  smokeIgnore?: string;
  http?: { port: number; path: string };
}

/**
 * What a rewrite changes on purpose about how the app is served, beyond what every rewrite does
 * (non-root user, exec form): a front end moved from a Node dev server to nginx serving the build
 * output ("static-site"), or a Next.js app started from its traced standalone server
 * ("nextjs-standalone"). The differences these cause are accepted only when a runtime probe
 * answered alike (classifyDifferences), since the image analysis alone cannot tell them apart
 * from breakage.
 */
export type RewriteIntent = "static-site" | "nextjs-standalone";

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
    const source = (instruction.sources[0] ?? "").replace(/\/+$/, "");
    const destination = instruction.destination.replace(/\/+$/, "");
    if (source.startsWith("/") && destination.startsWith("/") && source !== "" && destination !== "" && !/[*?[$]/.test(source)) moves.push({ before: source, after: destination });
  }
  return moves;
}

/** The intent of a planned rewrite, from its ecosystem and the Dockerfile it writes. */
export function rewriteIntent(ecosystem: string | undefined, afterText: string): RewriteIntent | undefined {
  if (ecosystem === "static-web") return "static-site";
  if (ecosystem !== "node") return undefined;
  const stages = parseDockerfile(afterText).stages;
  const runtime = stages.at(-1);
  const copiesStandalone = runtime?.instructions.some((instruction) => isCopyOrAdd(instruction) && instruction.from !== undefined && instruction.sources.some((source) => /(^|\/)standalone\/?$/.test(source)));
  return copiesStandalone ? "nextjs-standalone" : undefined;
}

export interface VerifyRewriteInput {
  contextDir: string;
  /** Relative to contextDir (or absolute). */
  dockerfile: string;
  /** The Dockerfile text as it is now. */
  before: string;
  /** The Dockerfile text the fix would write. */
  after: string;
  /** Context-relative path -> text of files the fix creates or changes besides the Dockerfile (a .dockerignore). */
  createdFiles?: Record<string, string>;
  /** Target name, for tags and messages. */
  name: string;
  /** Stage to build (both sides); the last stage when undefined. */
  target?: string;
  buildArgs?: Record<string, string>;
  probes?: RewriteProbes;
  /** rewriteIntent() of the change, when it is a planned rewrite. */
  intent?: RewriteIntent;
}

export interface BuiltSide {
  ok: boolean;
  /** The tag the image was built with (removed afterwards unless keepImages). */
  tag?: string;
  imageId?: string;
  sizeBytes?: number;
  durationMs: number;
  /** The failing step, its message and the end of its log. */
  error?: string;
}

/** A difference verify found that the change means to make (runs as non-root, exec-form CMD...), with why it is accepted. */
export interface ExpectedDifference {
  difference: Difference;
  why: string;
}

export interface VerifyRewriteResult {
  name: string;
  before: BuiltSide;
  after: BuiltSide;
  verify?: VerifyResult;
  /** Differences accepted as the point of the change (they do not make `ok` false). */
  expected?: ExpectedDifference[];
  /** True when both built and verify found the images equivalent: the change may be written. */
  ok: boolean;
  /** Why the change must not be written (when ok is false). */
  reason?: string;
}

export interface VerifyRewriteOptions {
  keepImages?: boolean;
  signal?: AbortSignal;
  /** Progress lines (stderr in the CLI). */
  onProgress?: (message: string) => void;
}

const LOG_TAIL_LINES = 15;

export async function verifyRewrite(engine: Engine, input: VerifyRewriteInput, options: VerifyRewriteOptions = {}): Promise<VerifyRewriteResult> {
  const progress = options.onProgress ?? (() => undefined);
  const workspace = await createWorkspace({ contextDir: input.contextDir, dockerfile: input.dockerfile });
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const tagBase = `shipshape-fix-verify/${tagName(input.name)}`;
  const built: string[] = [];
  try {
    const target: BuildTarget = {
      name: input.name,
      contextDir: workspace.contextDir,
      dockerfile: workspace.dockerfile,
      buildArgs: input.buildArgs ?? {},
      origin: input.dockerfile,
      ...(input.target !== undefined ? { target: input.target } : {}),
    };
    const build = async (side: "before" | "after"): Promise<ImageBuildReport> => {
      progress(`${input.name}: building ${side === "before" ? "the original" : "the fixed"} Dockerfile`);
      const report = await buildImage(engine, target, {
        tag: `${tagBase}:${side}-${run}`,
        labels: { [FIX_VERIFY_LABEL]: side },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (report.ok) built.push(report.tag);
      return report;
    };

    writeDockerfile(workspace, input.before);
    const beforeReport = await build("before");
    const before = side(beforeReport);
    if (!beforeReport.ok) {
      return { name: input.name, before, after: { ok: false, durationMs: 0 }, ok: false, reason: `the original Dockerfile does not build, so there is nothing to compare against: ${before.error ?? "unknown error"}` };
    }

    writeDockerfile(workspace, input.after);
    for (const [file, text] of Object.entries(input.createdFiles ?? {})) workspace.write(file, text);
    const afterReport = await build("after");
    const after = side(afterReport);
    if (!afterReport.ok) {
      return { name: input.name, before, after, ok: false, reason: `the fixed Dockerfile does not build: ${after.error ?? "unknown error"}` };
    }

    const probes = input.probes ?? {};
    const verify = await verifyImages(engine, {
      before: beforeReport.tag,
      after: afterReport.tag,
      ...(probes.smoke !== undefined && probes.smoke.length > 0 ? { smoke: probes.smoke } : {}),
      ...(probes.smokeIgnore !== undefined ? { ignore: [new RegExp(probes.smokeIgnore)] } : {}),
      ...(probes.http !== undefined ? { http: [probes.http] } : {}),
      // A built site has other bytes than the dev server's page: what a browser fetches is compared
      // instead, and the build output the original image held must be what nginx serves.
      ...(input.intent === "static-site" ? { httpAssets: true, movedDirectories: movedDirectories(input.after) } : {}),
      onProgress: (message) => progress(`${input.name}: verify: ${message}`),
    });
    const [beforeConfig, afterConfig] = [await engine.inspectImage(beforeReport.tag), await engine.inspectImage(afterReport.tag)];
    const probed = verify.checks.some((check) => (check.name === "http" || check.name === "smoke") && check.status !== "skipped");
    const { expected, unexpected: differences } = classifyDifferences(verify.differences, {
      before: beforeConfig,
      after: afterConfig,
      originalEnv: dockerfileEnvKeys(input.before),
      npmScripts: npmScripts(workspace),
      probed,
      ...(input.intent !== undefined ? { intent: input.intent } : {}),
      ...(verify.assets !== undefined ? { assets: verify.assets } : {}),
      ...(input.intent === "static-site" ? { moved: movedDirectories(input.after) } : {}),
    });
    if (differences.length > 0) {
      const listed = differences.slice(0, 5).map((difference) => `${difference.kind} ${difference.subject}: ${difference.message}`);
      const more = differences.length > listed.length ? `; and ${differences.length - listed.length} more` : "";
      return { name: input.name, before, after, verify, expected, ok: false, reason: `verify found ${differences.length} unexpected difference${differences.length === 1 ? "" : "s"}: ${listed.join("; ")}${more}` };
    }
    return { name: input.name, before, after, verify, expected, ok: true };
  } finally {
    workspace.dispose();
    if (!options.keepImages) {
      for (const tag of built) {
        await engine.removeImage(tag).catch((error: unknown) => {
          if (error instanceof EngineUnavailableError) throw error;
        });
      }
    }
  }
}

/** `scripts` of the context's package.json, when there is a readable one. */
function npmScripts(workspace: BenchWorkspace): Record<string, string> | undefined {
  if (!workspace.files.includes("package.json")) return undefined;
  try {
    const parsed = packageScripts.safeParse(JSON.parse(workspace.read("package.json")));
    return parsed.success ? parsed.data.scripts : undefined;
  } catch {
    return undefined;
  }
}

const packageScripts = z.object({ scripts: z.record(z.string(), z.string()).optional() });

/** The workspace's Dockerfile may sit outside the copied context (then `write` refuses it). */
function writeDockerfile(workspace: BenchWorkspace, text: string): void {
  const absolute = path.resolve(workspace.contextDir, workspace.dockerfile);
  const relative = path.relative(workspace.contextDir, absolute);
  if (relative.startsWith("..") || path.isAbsolute(relative)) fs.writeFileSync(absolute, text);
  else workspace.write(relative, text);
}

function side(report: ImageBuildReport): BuiltSide {
  const result: BuiltSide = { ok: report.ok, tag: report.tag, durationMs: report.durationMs };
  if (report.imageId !== undefined) result.imageId = report.imageId;
  if (report.sizeBytes !== undefined) result.sizeBytes = report.sizeBytes;
  if (report.error !== undefined) result.error = describeBuildError(report.error);
  return result;
}

/** "step `RUN npm ci`: exit code 1\n  last log lines" */
export function describeBuildError(error: { step?: string; message: string; logTail: string[] }): string {
  const head = error.step !== undefined ? `step \`${error.step}\`: ${error.message}` : error.message;
  const tail = error.logTail.slice(-LOG_TAIL_LINES).map((line) => `  | ${line}`);
  return tail.length > 0 ? `${head}\n${tail.join("\n")}` : head;
}

/** A docker repository name component: lowercase letters, digits and separators. */
function tagName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return cleaned === "" ? "image" : cleaned;
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
  /** The assets the pages referenced (verify's httpAssets). */
  assets?: VerifyResult["assets"];
  /** The directories verify compared at their new place (never accepted as intended when missing). */
  moved?: readonly MovedDirectory[];
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
  return allLoaded ? `the built page (nginx) instead of the dev server's; all ${page.assets.length} asset${page.assets.length === 1 ? "" : "s"} it references answered` : undefined;
}

/** Differences the rewrite's intent causes on purpose; only asked when a probe answered alike. */
function intendedBecause(difference: Difference, context: ClassifyContext): string | undefined {
  switch (context.intent) {
    case "static-site":
      if (difference.kind === "config" && ["Cmd", "Entrypoint", "Entrypoint/Cmd", "WorkingDir", "StopSignal"].includes(difference.subject)) return "nginx serves the build output (its command, directory and stop signal)";
      if (difference.kind === "config" && difference.subject.startsWith("ExposedPorts ") && difference.after !== undefined && difference.before === undefined) return "a port nginx's base image declares (the original port is still served)";
      // Not the moved build output (moved-directories): nginx must serve every file of it.
      if (difference.kind === "file" && !(context.moved ?? []).some((move) => difference.subject === `${move.after}/` || difference.subject.startsWith(`${move.after}/`))) {
        return "the sources, manifests and node_modules stay in the build stage: nginx serves the build output";
      }
      if (difference.kind === "node-dependency") return "the site is static files: no Node runtime, no packages";
      return undefined;
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
      if (key === "PATH") return isMovedProgram(commandOf(context.before), commandOf(context.after)) ? "the base image's PATH; the command it resolves was moved on purpose (see Cmd)" : undefined;
      return context.originalEnv.has(key) ? undefined : `${key} is not set by the original Dockerfile (it came from the base image, or the rewrite sets it)`;
    }
    if (difference.subject === "Cmd" || difference.subject === "Entrypoint" || difference.subject === "Entrypoint/Cmd") {
      const before = commandOf(context.before);
      const after = commandOf(context.after);
      if (isShellFormOf(before, after)) return "the same command in exec form (signals reach the process)";
      const script = npmScriptRun(before, context.npmScripts);
      if (script !== undefined && sameWords(script, after)) return "the command the npm script runs, without npm in between (signals reach the process)";
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

/** `["/bin/sh", "-c", "python app.py"]` vs `["python", "app.py"]`: plain words, nothing a shell would interpret. */
function isShellFormOf(before: readonly string[], after: readonly string[]): boolean {
  if (before.length !== 3 || !/^(\/bin\/)?(ba)?sh$/.test(before[0] ?? "") || before[1] !== "-c") return false;
  const text = (before[2] ?? "").trim();
  if (/[$`'"\\|&;<>(){}*?~[\]#!]/.test(text)) return false;
  const words = text.split(/\s+/);
  return words.length === after.length && words.every((word, index) => word === after[index]);
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
