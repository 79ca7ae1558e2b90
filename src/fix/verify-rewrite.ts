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
import { buildImage } from "../builds/run-builds.ts";
import type { ImageBuildReport } from "../builds/summary.ts";
import type { BuildTarget } from "../builds/targets.ts";
import { EngineUnavailableError } from "../errors.ts";
import type { Engine } from "../engine/types.ts";
import type { CommandOverride } from "../verify/executables.ts";
import type { VerifyResult } from "../verify/result.ts";
import { verifyImages } from "../verify/run.ts";
import type { AllowClass } from "../verify/allow.ts";
import { classifyDifferences, dockerfileEnvKeys, movedDirectories } from "./expected-differences.ts";
import type { ExpectedDifference, RewriteIntent } from "./expected-differences.ts";
import { plural } from "../format/index.ts";

/** Every image `fix --verify` builds carries this label, so leftovers can be found and removed. */
export const FIX_VERIFY_LABEL = "shipshape.fix.verify";

export interface RewriteProbes {
  /** Argument strings for smoke runs ("" runs the image's default command). */
  smoke?: string[];
  /** A regular expression source: matching text is ignored when comparing outputs. */
  smokeIgnore?: string;
  http?: { port: number; path: string };
  /** Environment of the probe containers (both images alike). */
  env?: Record<string, string>;
  /** Settings differences accepted on review (config `verify.services.<name>.allow`): "allowed", not unexpected. */
  allow?: AllowClass[];
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
  /** Compose's command/entrypoint for the service: both images are probed, and their programs resolved, as compose runs them. */
  commandOverride?: CommandOverride;
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
  /** The variables the probes ran with (names only: values may be secrets), where they came from, and what did not resolve. */
  environment?: { names: string[]; sources: string[]; notes: string[] };
}

export interface VerifyRewriteOptions {
  keepImages?: boolean;
  /** Network of the builds and the HTTP probe; undefined is the engine's default. */
  network?: string;
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
        ...(options.network !== undefined ? { network: options.network } : {}),
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
      ...(probes.env !== undefined ? { env: probes.env } : {}),
      ...(probes.allow !== undefined && probes.allow.length > 0 ? { allow: probes.allow } : {}),
      ...(options.network !== undefined ? { network: options.network } : {}),
      ...(input.commandOverride !== undefined ? { commandOverride: input.commandOverride } : {}),
      // A built site has other bytes than the dev server's page: what a browser fetches is compared
      // instead, and the build output the original image held must be what nginx serves.
      ...(input.intent === "static-site" ? { httpAssets: true, movedDirectories: movedDirectories(input.after) } : {}),
      onProgress: (message) => progress(`${input.name}: verify: ${message}`),
    });
    const [beforeConfig, afterConfig] = [await engine.inspectImage(beforeReport.tag), await engine.inspectImage(afterReport.tag)];
    const probed = verify.checks.some((check) => (check.name === "http" || check.name === "smoke") && (check.status === "passed" || check.status === "failed"));
    const httpProbed = verify.checks.some((check) => check.name === "http" && (check.status === "passed" || check.status === "failed"));
    const { expected, unexpected: differences } = classifyDifferences(verify.differences, {
      before: beforeConfig,
      after: afterConfig,
      originalEnv: dockerfileEnvKeys(input.before),
      npmScripts: npmScripts(workspace),
      probed,
      httpProbed,
      ...(input.intent !== undefined ? { intent: input.intent } : {}),
      ...(verify.assets !== undefined ? { assets: verify.assets } : {}),
    });
    const unanswered = verify.checks.find((check) => check.status === "inconclusive");
    if (unanswered !== undefined) {
      // A probe the user configured that the original does not answer checks nothing: say so rather than write an unchecked rewrite.
      const answer = verify.differences.find((difference) => difference.kind === unanswered.name)?.before;
      return { name: input.name, before, after, verify, expected, ok: false, reason: `the ${unanswered.name} probe got no answer from either image${answer !== undefined ? ` (the original: ${answer})` : ""}, so the rewrite could not be checked; give the app what it needs to start (compose environment:, verify.services.${input.name}.env or --env) or change the probe` };
    }
    if (differences.length > 0) {
      const listed = differences.slice(0, 5).map((difference) => `${difference.kind} ${difference.subject}: ${difference.message}`);
      const more = differences.length > listed.length ? `; and ${differences.length - listed.length} more` : "";
      return { name: input.name, before, after, verify, expected, ok: false, reason: `verify found ${plural(differences.length, "unexpected difference")}: ${listed.join("; ")}${more}` };
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
  const cleaned = name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+|(?<![^a-z0-9])[^a-z0-9]+$/g, "");
  return cleaned === "" ? "image" : cleaned;
}
