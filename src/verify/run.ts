// `shipshape verify BEFORE AFTER` end to end: inspect and export both images through the Engine,
// compare them (analyze.ts), then run them: `--smoke` runs each image to completion without
// network, `--http` starts each image and probes it: on the engine's default network with the
// port published on 127.0.0.1, or with host networking when `network` is "host". Images run one after
// the other, never together, so they cannot disturb each other (or fight over a port).
import http from "node:http";
import net from "node:net";
import { EngineApiError } from "../engine/api-client.ts";
import type { Engine, StartContainerOptions } from "../engine/types.ts";
import type { AllowClass } from "./allow.ts";
import { allowClassText } from "./allow.ts";
import { analyzeImages } from "./analyze.ts";
import type { CommandOverride } from "./executables.ts";
import { overrideOwner } from "./executables.ts";
import { normalizeWorkingDir } from "./config-diff.ts";
import { readImageFiles, verifyCapturePlan } from "./image-files.ts";
import type { HttpOutcome, HttpTarget, SmokeRun } from "./outputs.ts";
import type { AssetOutcome, PageAssets } from "./html-assets.ts";
import { compareAssets, htmlAssetPaths } from "./html-assets.ts";
import type { MovedDirectory } from "./moved-files.ts";
import { compareMovedDirectories } from "./moved-files.ts";
import { splitArguments } from "../repo/shell-words.ts";
import { compareHttp, compareSmoke } from "./outputs.ts";
import type { Check, Difference, VerifyResult } from "./result.ts";
import { checkFrom, isEquivalent } from "./result.ts";
import { plural } from "../format/index.ts";

export interface VerifyOptions {
  before: string;
  after: string;
  /** `--smoke` argument strings ("" runs the image's default command). */
  smoke?: string[];
  /** Applied to smoke output and HTTP bodies before comparing. */
  ignore?: RegExp[];
  http?: HttpTarget[];
  /** After each HTML answer, request every same-origin asset the page references (html-assets.ts). */
  httpAssets?: boolean;
  /** Environment of every container the probes start (both images alike); the HTTP probe's PORT wins over a PORT here. */
  env?: Record<string, string>;
  /**
   * What the containers run instead of the images' own Entrypoint/Cmd (compose's `command:` and
   * `entrypoint:`, or `--command`/`--entrypoint`): the HTTP probe and a default-command smoke run
   * start it, and its programs must resolve in AFTER.
   */
  commandOverride?: CommandOverride;
  /** Settings differences accepted on review (`--allow`, `verify.allow`): reported as "allowed", not counted. */
  allow?: AllowClass[];
  /** Directories the change moves on purpose (moved-files.ts): BEFORE's files must be at the new place in AFTER. */
  movedDirectories?: MovedDirectory[];
  /** Network of the HTTP probe's containers: undefined is the engine's default (the port is published), "host" probes the port on this host. */
  network?: string;
  /** Per smoke run. */
  smokeTimeoutMs?: number;
  /** How long a server may take to answer its first request. */
  readyTimeoutMs?: number;
  /** Progress lines (stderr in the CLI). */
  onProgress?: (message: string) => void;
}

export const DEFAULT_SMOKE_TIMEOUT_MS = 60_000;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** Label on containers verify starts, so that leftovers can be found. */
export const VERIFY_LABEL = "shipshape.verify";

export async function verifyImages(engine: Engine, options: VerifyOptions): Promise<VerifyResult> {
  const progress = options.onProgress ?? (() => undefined);
  const beforeConfig = await engine.inspectImage(options.before);
  const afterConfig = await engine.inspectImage(options.after);
  const plan = verifyCapturePlan([normalizeWorkingDir(beforeConfig.workingDir), normalizeWorkingDir(afterConfig.workingDir)]);
  // One image at a time: an export is a large stream, and two at once only compete for the disk.
  progress(`reading ${options.before}`);
  const beforeFiles = await readImageFiles(await engine.exportImage(options.before), plan);
  progress(`reading ${options.after}`);
  const afterFiles = await readImageFiles(await engine.exportImage(options.after), plan);
  const analysis = analyzeImages({ config: beforeConfig, filesystem: beforeFiles.filesystem }, { config: afterConfig, filesystem: afterFiles.filesystem }, options.commandOverride, options.allow ?? []);
  const checks: Check[] = [...analysis.checks];
  const differences: Difference[] = [...analysis.differences];
  if (options.movedDirectories !== undefined && options.movedDirectories.length > 0) {
    const moved = compareMovedDirectories(beforeFiles.filesystem, afterFiles.filesystem, options.movedDirectories);
    const compared = options.movedDirectories.filter((move) => !moved.absent.includes(move));
    if (compared.length === 0) {
      checks.push({ name: "moved-directories", status: "skipped", detail: `BEFORE has none of ${options.movedDirectories.map((move) => move.before).join(", ")}` });
    } else {
      checks.push(checkFrom("moved-directories", moved.differences, `${moved.compared} entries of ${compared.map((move) => `${move.before} (BEFORE) at ${move.after} (AFTER)`).join(", ")}`));
      differences.push(...moved.differences);
    }
  }
  const ignore = options.ignore ?? [];
  const env = options.env ?? {};
  const envDetail = startDetail(env, options.commandOverride);

  const smoke = options.smoke ?? [];
  if (smoke.length > 0) {
    const smokeDifferences: Difference[] = [];
    let started = false;
    for (const args of smoke) {
      progress(`smoke: ${args === "" ? "(default command)" : args}`);
      const run = { args, env, timeoutMs: options.smokeTimeoutMs ?? DEFAULT_SMOKE_TIMEOUT_MS, ...(options.commandOverride !== undefined ? { override: options.commandOverride } : {}) };
      const before = await smokeRun(engine, options.before, run);
      const after = await smokeRun(engine, options.after, run);
      started ||= !(before.notStarted && after.notStarted);
      smokeDifferences.push(...compareSmoke(args, before, after, ignore));
    }
    const detail = `${plural(smoke.length, "run")} of each image with --network=none${envDetail}`;
    checks.push(started ? checkFrom("smoke", smokeDifferences, detail) : { name: "smoke", status: "inconclusive", detail: `${detail}; neither image could start it, so nothing was compared` });
    differences.push(...smokeDifferences);
  } else {
    checks.push({ name: "smoke", status: "skipped", detail: "no --smoke given" });
  }

  const targets = options.http ?? [];
  let assets: VerifyResult["assets"];
  if (targets.length > 0) {
    progress(`http: starting ${options.before}`);
    const followAssets = options.httpAssets ?? false;
    const start = { env, ...(options.network !== undefined ? { network: options.network } : {}), readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, followAssets, ...(options.commandOverride !== undefined ? { override: options.commandOverride } : {}) };
    const before = await probeImage(engine, options.before, targets, start);
    progress(`http: starting ${options.after}`);
    const after = await probeImage(engine, options.after, targets, start);
    const httpDifferences = targets.flatMap((target, index) => compareHttp(target, before.outcomes[index] as HttpOutcome, after.outcomes[index] as HttpOutcome, ignore));
    if (followAssets) httpDifferences.push(...compareAssets(before.pages, after.pages));
    const assetCount = after.pages.reduce((sum, page) => sum + page.assets.length, 0);
    const assetDetail = followAssets ? `, ${plural(assetCount, "asset")} AFTER's pages reference` : "";
    const where = options.network === "host" ? "host network" : `${options.network ?? "default network"}, port published on 127.0.0.1`;
    const detail = `${plural(targets.length, "request")} to each image (${where}, PORT=${before.port} and ${after.port}${envDetail})${assetDetail}`;
    const unanswered = [...before.outcomes, ...after.outcomes].every((outcome) => "error" in outcome);
    checks.push(unanswered ? { name: "http", status: "inconclusive", detail: `${detail}; neither image answered, so nothing was compared` } : checkFrom("http", httpDifferences, detail));
    differences.push(...httpDifferences);
    if (followAssets) assets = { before: before.pages, after: after.pages };
  } else {
    checks.push({ name: "http", status: "skipped", detail: "no --http given" });
  }

  return {
    before: { reference: options.before, id: beforeConfig.id },
    after: { reference: options.after, id: afterConfig.id },
    equivalent: isEquivalent(differences),
    checks,
    differences,
    ignored: analysis.ignored,
    ...(options.allow !== undefined && options.allow.length > 0 ? { allow: options.allow.map(allowClassText) } : {}),
    ...(assets !== undefined ? { assets } : {}),
  };
}

/** The docker CLI's exit code when the container's program cannot be started. */
const CANNOT_START_EXIT_CODE = 127;

/** `, environment: A, B, compose's command` for a check's detail; names only, since values may be secrets from a .env file. */
function startDetail(env: Record<string, string>, override: CommandOverride | undefined): string {
  const parts: string[] = [];
  if (Object.keys(env).length > 0) parts.push(`environment: ${Object.keys(env).join(", ")}`);
  if (override?.entrypoint !== undefined) parts.push(`${overrideOwner(override)} entrypoint`);
  if (override?.command !== undefined) parts.push(`${overrideOwner(override)} command`);
  if (override?.workingDir !== undefined) parts.push(`working directory ${override.workingDir}`);
  if (override?.user !== undefined) parts.push(`user ${override.user}`);
  return parts.map((part) => `, ${part}`).join("");
}

/** How a probe starts a container: its environment, and the command it is run with when that is not the image's own. */
interface ContainerStart {
  env: Record<string, string>;
  override?: CommandOverride;
  /** The probe's network (undefined: the engine's default). */
  network?: string;
}

/** Entrypoint and arguments for the engine: ARGS (a smoke run's) replace the command, as `docker run IMAGE ARGS` does. */
function commandOptions(override: CommandOverride | undefined, args: readonly string[]): { entrypoint?: string[]; args?: string[]; workingDir?: string; user?: string } {
  const options: { entrypoint?: string[]; args?: string[]; workingDir?: string; user?: string } = {};
  if (override?.entrypoint !== undefined) options.entrypoint = override.entrypoint;
  if (override?.workingDir !== undefined) options.workingDir = override.workingDir;
  if (override?.user !== undefined) options.user = override.user;
  if (args.length > 0) options.args = [...args];
  else if (override?.command !== undefined) options.args = override.command;
  return options;
}

async function smokeRun(engine: Engine, image: string, run: ContainerStart & { args: string; timeoutMs: number }): Promise<SmokeRun> {
  const argv = splitArguments(run.args);
  try {
    const result = await engine.run({ image, network: "none", timeoutMs: run.timeoutMs, ...(Object.keys(run.env).length > 0 ? { env: run.env } : {}), ...commandOptions(run.override, argv) });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut };
  } catch (error) {
    // The runtime refused to start the program (not found, not executable): that is the run's outcome.
    if (!(error instanceof EngineApiError)) throw error;
    return { exitCode: CANNOT_START_EXIT_CODE, stdout: "", stderr: `cannot start: ${startFailure(error.message)}\n`, timedOut: false, notStarted: true };
  }
}

/** The useful end of runc's message: `exec: "x": executable file not found in $PATH`. */
export function startFailure(message: string): string {
  const exec = /exec: .*?(?=: unknown$|$)/.exec(message);
  return exec ? exec[0] : message;
}

/** Whether a TCP port can be listened on (on all interfaces, as a server in a host-network container would). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The port the app asked for when it is free on this host, else one the kernel picks. */
export async function choosePort(preferred: number): Promise<number> {
  if (preferred > 0 && (await portIsFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "0.0.0.0", exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One GET; resolves with the answer or an error text (never rejects). */
export function httpGet(port: number, path: string, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    const request = http.get({ host: "127.0.0.1", port, path, timeout: timeoutMs, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers["content-type"] ?? ""), body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", (error) => resolve({ error: error.message }));
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The probe container: PORT set, labelled; published unless on the host's network. */
export function probeContainer(image: string, port: number, start: ContainerStart): StartContainerOptions {
  const options: StartContainerOptions = { image, env: { ...start.env, PORT: String(port) }, labels: { [VERIFY_LABEL]: "true" }, ...commandOptions(start.override, []) };
  if (start.network !== undefined) options.network = start.network;
  if (start.network !== "host") options.publishPort = port;
  return options;
}

/**
 * Starts the image (host networking or a published port) with PORT set, waits until the first target answers
 * (any HTTP status counts as ready), requests every target, stops the container.
 */
async function probeImage(engine: Engine, image: string, targets: readonly HttpTarget[], start: ContainerStart & { readyTimeoutMs: number; followAssets: boolean }): Promise<{ port: number; outcomes: HttpOutcome[]; pages: PageAssets[] }> {
  const { readyTimeoutMs, followAssets } = start;
  const first = targets[0] as HttpTarget;
  // With host networking the app listens on this host: a port free here. Otherwise it listens in its
  // own network namespace on the port it asked for, published on 127.0.0.1 at one the engine picks.
  const hostNetwork = start.network === "host";
  const port = hostNetwork ? await choosePort(first.port) : first.port;
  let id: string;
  let probePort = port;
  try {
    const started = await engine.startContainer(probeContainer(image, port, start));
    id = started.id;
    if (!hostNetwork) probePort = started.hostPort ?? port;
  } catch (error) {
    // The runtime refused to start the program (not found, not executable): no answer, and why.
    if (!(error instanceof EngineApiError)) throw error;
    return { port, outcomes: targets.map(() => ({ error: `cannot start: ${startFailure(error.message)}` })), pages: [] };
  }
  let outcomes: HttpOutcome[];
  const pages: PageAssets[] = [];
  let logs = "";
  try {
    const deadline = Date.now() + readyTimeoutMs;
    let answer: HttpOutcome = { error: "not started" };
    while (Date.now() < deadline) {
      answer = await httpGet(probePort, first.path, Math.min(5_000, Math.max(500, deadline - Date.now())));
      if (!("error" in answer)) break;
      // A program that exited will never answer: say so now rather than after the whole timeout.
      const state = await engine.containerState(id);
      if (!state.running) {
        answer = { error: `the container exited${state.exitCode !== undefined ? ` with code ${state.exitCode}` : ""} before answering` };
        break;
      }
      await sleep(250);
    }
    if ("error" in answer) {
      const error = (answer as { error: string }).error;
      outcomes = targets.map(() => ({ error: error.startsWith("the container exited") ? `${error} on port ${port}` : `no answer on port ${port} within ${readyTimeoutMs / 1000} s (${error})` }));
    } else {
      outcomes = [];
      for (const target of targets) {
        const outcome = await httpGet(probePort, target.path, 10_000);
        outcomes.push(outcome);
        if (followAssets && !("error" in outcome) && isHtml(outcome.contentType)) {
          const assets: AssetOutcome[] = [];
          for (const asset of htmlAssetPaths(outcome.body, target.path)) {
            const answer = await httpGet(probePort, asset, 10_000);
            assets.push("error" in answer ? { path: asset, error: answer.error } : { path: asset, status: answer.status });
          }
          pages.push({ page: target.path, assets });
        }
      }
    }
  } finally {
    // The answers are in; how the app shuts down is not compared, so no long grace period.
    const stopped = await engine.stopContainer(id, { graceSeconds: 1 }).catch(() => undefined);
    if (stopped) logs = `${stopped.stdout}${stopped.stderr}`.trim().split("\n").slice(-5).join(" | ");
  }
  if (outcomes.every((outcome) => "error" in outcome) && logs !== "") {
    outcomes = outcomes.map((outcome) => ("error" in outcome ? { error: `${outcome.error}${outcome.error.startsWith("the container exited") ? "" : "; the app must listen on $PORT"}; its last log lines: ${logs}` } : outcome));
  }
  return { port, outcomes, pages };
}

function isHtml(contentType: string): boolean {
  return /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType);
}
