// The Engine through `docker buildx build --progress=rawjson --load`: what users with buildx
// get, including what the Engine API's /build cannot do (secrets, cache export, gha/local
// cache). buildx writes one JSON-encoded client.SolveStatus per line on stderr (parsed by
// progress.ts); the image id comes from --iidfile. Everything else (inspect, export, run)
// goes through the Engine API.
//
// The context is sent by buildx itself (BuildKit's fsutil walk, .dockerignore included), and the
// Dockerfile travels on its own channel, so `COPY .` never sees it when it is excluded.
// `dockerfileText` is written to a temporary directory (with a copy of `<Dockerfile>.dockerignore`
// when there is one, since buildx looks for it next to the Dockerfile it is given).
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApiEngine } from "./api-engine.ts";
import { parseRawJsonLine, BuildProgress } from "./progress.ts";
import type { BuildEvent, BuildOptions, BuildResult, Engine, ImageConfig, RunOptions, RunResult, StartContainerOptions, StartedContainer, StoppedContainer } from "./types.ts";

export interface BuildxEngineOptions {
  env?: NodeJS.ProcessEnv;
  /** The docker CLI to run (default "docker" on PATH). */
  dockerBinary?: string;
  /** Engine for everything but builds (default: the API engine on the same DOCKER_HOST). */
  api?: Engine;
  /** `docker buildx build --builder NAME`: a remote, docker-container or kubernetes builder; its images are loaded into the engine (--load). */
  builder?: string;
}

/** Whether `docker buildx version` succeeds. */
export function buildxAvailable(env: NodeJS.ProcessEnv = process.env, dockerBinary = "docker"): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(dockerBinary, ["buildx", "version"], { env, timeout: 10_000 }, (error) => resolve(error === null));
  });
}

/** The `docker buildx build` arguments for a build (the context directory last). */
export function buildxArgs(options: BuildOptions, files: { dockerfile: string; iidfile: string }, builder?: string): string[] {
  const args = ["buildx", "build", ...(builder !== undefined ? ["--builder", builder] : []), "--progress=rawjson", "--load", "--iidfile", files.iidfile, "--file", files.dockerfile];
  // Without --network BuildKit uses the engine's default network, as `docker build` does.
  if (options.networkMode !== undefined) args.push("--network", options.networkMode);
  if (options.target) args.push("--target", options.target);
  for (const [key, value] of Object.entries(options.buildArgs ?? {})) args.push("--build-arg", `${key}=${value}`);
  if (options.noCache) args.push("--no-cache");
  if (options.platform) args.push("--platform", options.platform);
  for (const tag of options.tags ?? []) args.push("--tag", tag);
  for (const [key, value] of Object.entries(options.labels ?? {})) args.push("--label", `${key}=${value}`);
  for (const entry of options.cacheFrom ?? []) args.push("--cache-from", entry);
  for (const entry of options.cacheTo ?? []) args.push("--cache-to", entry);
  for (const [id, source] of Object.entries(options.secrets ?? {})) args.push("--secret", `id=${id},src=${path.resolve(source)}`);
  args.push(path.resolve(options.contextDir));
  return args;
}

/** The closing error buildx prints (`ERROR: failed to solve: ...`), from its non-JSON stderr lines. */
export function buildxError(lines: string[]): string | undefined {
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = (lines[index] ?? "").trim();
    const match = /^ERROR:\s*(?!\s)(.*)$/.exec(line);
    if (match) return match[1] ?? line;
  }
  return undefined;
}

export class BuildxEngine implements Engine {
  readonly kind = "buildx" as const;
  readonly #env: NodeJS.ProcessEnv;
  readonly #docker: string;
  readonly #api: Engine;
  readonly #builder: string | undefined;

  constructor(options: BuildxEngineOptions = {}) {
    this.#builder = options.builder;
    this.#env = options.env ?? process.env;
    this.#docker = options.dockerBinary ?? "docker";
    this.#api = options.api ?? new ApiEngine({ env: this.#env });
  }

  ping(): Promise<string> {
    return this.#api.ping();
  }

  async build(options: BuildOptions, onEvent?: (event: BuildEvent) => void): Promise<BuildResult> {
    const startedAt = performance.now();
    const scratch = await fs.promises.mkdtemp(path.join(os.tmpdir(), "shipshape-buildx-"));
    try {
      const contextDir = path.resolve(options.contextDir);
      const userDockerfile = path.resolve(contextDir, options.dockerfile ?? "Dockerfile");
      let dockerfile = userDockerfile;
      if (options.dockerfileText !== undefined) {
        dockerfile = path.join(scratch, "Dockerfile");
        await fs.promises.writeFile(dockerfile, options.dockerfileText);
        await fs.promises.copyFile(`${userDockerfile}.dockerignore`, `${dockerfile}.dockerignore`).catch(() => undefined);
      }
      const iidfile = path.join(scratch, "iid");
      const args = buildxArgs(options, { dockerfile, iidfile }, this.#builder);
      const progress = new BuildProgress(onEvent);
      const textLines: string[] = [];
      const exitCode = await this.#spawn(args, options.signal, (line) => {
        const update = parseRawJsonLine(line);
        if (update) {
          progress.apply(update);
        } else if (line.trim() !== "") {
          textLines.push(line);
          progress.message(line);
        }
      });
      const imageId = (await fs.promises.readFile(iidfile, "utf8").catch(() => "")).trim();
      const durationMs = Math.round(performance.now() - startedAt);
      const steps = progress.steps();
      if (exitCode === 0 && imageId !== "") return { ok: true, imageId, steps, durationMs };
      // Nothing built at all: say so plainly when the reason is that no engine answers.
      if (steps.length === 0) await this.#api.ping();
      const message = buildxError(textLines) ?? (textLines.at(-1)?.trim() || `docker buildx build exited with code ${exitCode}`);
      return { ok: false, steps, durationMs, error: progress.failure(message) ?? { message, logTail: [] } };
    } finally {
      await fs.promises.rm(scratch, { recursive: true, force: true });
    }
  }

  #spawn(args: string[], signal: AbortSignal | undefined, onLine: (line: string) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.#docker, args, { env: this.#env, stdio: ["ignore", "pipe", "pipe"] });
      const onAbort = (): void => {
        child.kill("SIGTERM");
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      let pending = "";
      const feed = (chunk: Buffer): void => {
        pending += chunk.toString("utf8");
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          onLine(pending.slice(0, newline));
          pending = pending.slice(newline + 1);
        }
      };
      child.stderr.on("data", feed);
      child.stdout.on("data", feed);
      child.on("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(new Error(`cannot run ${this.#docker} buildx: ${error.message}`));
      });
      child.on("close", (code) => {
        signal?.removeEventListener("abort", onAbort);
        if (pending !== "") onLine(pending);
        if (signal?.aborted) reject(signal.reason instanceof Error ? signal.reason : new Error("build aborted"));
        else resolve(code ?? 1);
      });
    });
  }

  inspectImage(reference: string): Promise<ImageConfig> {
    return this.#api.inspectImage(reference);
  }

  exportImage(reference: string): Promise<NodeJS.ReadableStream> {
    return this.#api.exportImage(reference);
  }

  removeImage(reference: string): Promise<void> {
    return this.#api.removeImage(reference);
  }

  run(options: RunOptions): Promise<RunResult> {
    return this.#api.run(options);
  }

  startContainer(options: StartContainerOptions): Promise<StartedContainer> {
    return this.#api.startContainer(options);
  }

  stopContainer(id: string, options?: { graceSeconds?: number }): Promise<StoppedContainer> {
    return this.#api.stopContainer(id, options);
  }

  containerState(id: string): Promise<{ running: boolean; exitCode?: number }> {
    return this.#api.containerState(id);
  }
}
