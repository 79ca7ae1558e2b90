// The Engine over the Docker Engine API (any DOCKER_HOST). Builds use BuildKit through
// `POST /build?version=2`: the context goes up as a tar stream (context-tar.ts) and progress
// comes back as `moby.buildkit.trace` messages (buildkit-trace.ts), turned into BuildEvents.
//
// What the classic /build endpoint cannot do, and the buildx driver can:
// - secrets (`RUN --mount=type=secret`): they travel over a client session (gRPC over a hijacked
//   /session connection), which this client does not speak. Rejected with a clear error.
// - cache export (`--cache-to`): the endpoint has no such parameter. Rejected with a clear error.
// - cache import other than from images (`type=gha`, `type=local`): the endpoint's `cachefrom`
//   takes image references only; `type=registry,ref=X` is passed as X. Others are rejected.
import { ApiClient, EngineApiError, jsonLines, readAll } from "./api-client.ts";
import { decodeStatusResponse } from "./buildkit-trace.ts";
import { packContext, planContext } from "./context-tar.ts";
import type { ContextPlan } from "./context-tar.ts";
import { BuildProgress } from "./progress.ts";
import type { BuildEvent, BuildOptions, BuildResult, Engine, ImageConfig, RunOptions, RunResult, StartContainerOptions, StartedContainer, StoppedContainer } from "./types.ts";

/** A build option this driver cannot honour; the message says which driver can. */
export class UnsupportedBuildOptionError extends Error {}

export interface ApiEngineOptions {
  env?: NodeJS.ProcessEnv;
  client?: ApiClient;
}

/** Container label on everything `run` creates. */
export const RUN_LABEL = "shipshape.run";

/** Image names go into URL paths as the docker CLI sends them ("/", ":" and "@" kept). */
export function imagePath(reference: string): string {
  return encodeURIComponent(reference).replace(/%2F/gi, "/").replace(/%3A/gi, ":").replace(/%40/gi, "@");
}

/** `type=registry,ref=X` or a bare reference -> X; anything else cannot go through /build. */
export function cacheFromForApi(entry: string): string {
  const trimmed = entry.trim();
  if (!trimmed.includes("=")) return trimmed;
  const fields = new Map<string, string>();
  for (const part of trimmed.split(",")) {
    const equals = part.indexOf("=");
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const type = fields.get("type") ?? "registry";
  const ref = fields.get("ref");
  if (type === "registry" && ref) return ref;
  throw new UnsupportedBuildOptionError(
    `--cache-from ${trimmed}: the Engine API driver can only import cache from images (type=registry,ref=...); use --driver buildx for type=${type}`,
  );
}

/** Throws UnsupportedBuildOptionError for what /build cannot do (secrets, cache export, non-image cache). */
export function assertApiSupports(options: BuildOptions): void {
  if (options.secrets && Object.keys(options.secrets).length > 0) {
    throw new UnsupportedBuildOptionError(
      `build secrets (${Object.keys(options.secrets).join(", ")}) need a BuildKit session, which the Engine API driver does not open; use --driver buildx (docker buildx build --secret)`,
    );
  }
  if (options.cacheTo && options.cacheTo.length > 0) {
    throw new UnsupportedBuildOptionError(`--cache-to ${options.cacheTo.join(" ")}: the Engine API's /build cannot export build cache; use --driver buildx`);
  }
  for (const entry of options.cacheFrom ?? []) cacheFromForApi(entry);
}

/** The /build query for BuildKit (version=2). */
export function buildQuery(options: BuildOptions, plan: Pick<ContextPlan, "dockerfile">): Record<string, string | string[] | undefined> {
  assertApiSupports(options);
  const query: Record<string, string | string[] | undefined> = {
    version: "2",
    dockerfile: plan.dockerfile,
    rm: "1",
  };
  // Without networkmode the engine uses its default network, as `docker build` does.
  if (options.networkMode !== undefined) query.networkmode = options.networkMode;
  if (options.tags && options.tags.length > 0) query.t = options.tags;
  if (options.target) query.target = options.target;
  if (options.buildArgs && Object.keys(options.buildArgs).length > 0) query.buildargs = JSON.stringify(options.buildArgs);
  if (options.noCache) query.nocache = "1";
  if (options.platform) query.platform = options.platform;
  if (options.labels && Object.keys(options.labels).length > 0) query.labels = JSON.stringify(options.labels);
  if (options.cacheFrom && options.cacheFrom.length > 0) query.cachefrom = JSON.stringify(options.cacheFrom.map(cacheFromForApi));
  return query;
}

interface BuildMessage {
  id?: string;
  aux?: unknown;
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

interface BuildOutcome {
  imageId?: string;
  finalError?: string;
}

function onBuildMessage(message: BuildMessage, progress: BuildProgress, outcome: BuildOutcome): void {
  if (message.id === "moby.buildkit.trace" && typeof message.aux === "string") {
    progress.apply(decodeStatusResponse(message.aux));
  } else if (message.id === "moby.image.id") {
    const id = (message.aux as { ID?: unknown } | undefined)?.ID;
    if (typeof id === "string") outcome.imageId = id;
  } else if (message.error !== undefined || message.errorDetail !== undefined) {
    outcome.finalError = message.errorDetail?.message ?? message.error ?? "build failed";
  } else if (typeof message.stream === "string") {
    progress.message(message.stream);
  } else if (typeof message.status === "string") {
    progress.message(message.status);
  }
}

/**
 * The /containers/create body: labelled as ours, detached. No NetworkMode means the engine's
 * default network; `publishPort` binds the container port to 127.0.0.1 at a port the engine picks.
 */
export function containerCreateBody(options: StartContainerOptions): Record<string, unknown> {
  const hostConfig: Record<string, unknown> = { AutoRemove: false };
  if (options.network !== undefined) hostConfig.NetworkMode = options.network;
  const body: Record<string, unknown> = {
    Image: options.image,
    Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
    Labels: { ...options.labels, [RUN_LABEL]: "true" },
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: hostConfig,
  };
  if (options.publishPort !== undefined) {
    if (options.network === "host" || options.network === "none") throw new Error(`cannot publish port ${options.publishPort} with --network ${options.network}`);
    const port = `${options.publishPort}/tcp`;
    body.ExposedPorts = { [port]: {} };
    hostConfig.PortBindings = { [port]: [{ HostIp: "127.0.0.1", HostPort: "" }] };
  }
  if (options.args) body.Cmd = options.args;
  if (options.entrypoint) body.Entrypoint = options.entrypoint;
  if (options.workingDir !== undefined) body.WorkingDir = options.workingDir;
  if (options.user !== undefined) body.User = options.user;
  return body;
}

/** The host port the engine bound for `port/tcp`, from a container inspect's NetworkSettings.Ports. */
export function publishedPort(inspected: { NetworkSettings?: { Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null } }, port: number): number | undefined {
  const bindings = inspected.NetworkSettings?.Ports?.[`${port}/tcp`] ?? [];
  const binding = bindings.find((entry) => entry.HostIp === "127.0.0.1") ?? bindings[0];
  const hostPort = Number(binding?.HostPort);
  return Number.isInteger(hostPort) && hostPort > 0 ? hostPort : undefined;
}

/** Splits a container log stream (no TTY) into stdout and stderr: 8-byte frame headers [stream, 0, 0, 0, size uint32 BE]. */
export function demultiplexLogs(data: Buffer): { stdout: string; stderr: string } {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= data.length) {
    const stream = data[offset];
    const size = data.readUInt32BE(offset + 4);
    const payload = data.subarray(offset + 8, offset + 8 + size);
    if (stream === 2) stderr.push(payload);
    else stdout.push(payload);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
}

interface InspectResponse {
  Id: string;
  Size?: number;
  RootFS?: { Layers?: string[] };
  Config?: {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Volumes?: Record<string, unknown> | null;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number } | null;
    StopSignal?: string;
    Labels?: Record<string, string> | null;
  } | null;
}

interface HistoryResponse {
  CreatedBy?: string;
  Size?: number;
}

const METADATA_INSTRUCTION = /^(?:\/bin\/sh -c #\(nop\) +)?(ENV|CMD|LABEL|EXPOSE|ENTRYPOINT|USER|ARG|VOLUME|STOPSIGNAL|HEALTHCHECK|SHELL|ONBUILD|MAINTAINER|WORKDIR)\b/;

export class ApiEngine implements Engine {
  readonly kind = "api" as const;
  readonly client: ApiClient;

  constructor(options: ApiEngineOptions = {}) {
    this.client = options.client ?? new ApiClient(options.env ?? process.env);
  }

  async ping(): Promise<string> {
    await this.client.apiVersion();
    const version = await this.client.json<{ Version?: string }>("/version", { timeoutMs: 15_000 });
    return version.Version ?? "unknown";
  }

  async build(options: BuildOptions, onEvent?: (event: BuildEvent) => void): Promise<BuildResult> {
    const startedAt = performance.now();
    assertApiSupports(options);
    const plan = await planContext(options);
    const query = buildQuery(options, plan);
    const progress = new BuildProgress(onEvent);
    const elapsed = (): number => Math.round(performance.now() - startedAt);
    let response;
    try {
      response = await this.client.request("/build", { method: "POST", query, body: packContext(plan), contentType: "application/x-tar", signal: options.signal });
    } catch (error) {
      if (!(error instanceof EngineApiError)) throw error;
      // The daemon refused the build outright (bad platform, bad target...): a failed build.
      return { ok: false, steps: [], durationMs: elapsed(), error: { message: error.message, logTail: [] } };
    }
    const outcome: BuildOutcome = {};
    try {
      for await (const value of jsonLines(response)) onBuildMessage(value as BuildMessage, progress, outcome);
    } catch (error) {
      // Closing the connection is how a build is cancelled: the daemon stops it.
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error("build aborted");
      throw error;
    }
    const steps = progress.steps();
    const { imageId, finalError } = outcome;
    const failure = finalError !== undefined || imageId === undefined ? progress.failure(finalError ?? "the engine reported no image id") : undefined;
    const result: BuildResult = { ok: failure === undefined, steps, durationMs: elapsed() };
    if (imageId !== undefined && failure === undefined) result.imageId = imageId;
    if (failure) result.error = failure;
    return result;
  }

  async inspectImage(reference: string): Promise<ImageConfig> {
    const image = await this.client.json<InspectResponse>(`/images/${imagePath(reference)}/json`);
    const history = await this.client.json<HistoryResponse[]>(`/images/${imagePath(reference)}/history`);
    const config = image.Config ?? {};
    const layers = image.RootFS?.Layers ?? [];
    // The API's history is newest first and has no empty_layer flag: an entry is a layer when
    // it has a size; when that does not add up to the layer count, metadata instructions
    // (ENV, CMD, ...) are the empty ones.
    const entries = [...history].reverse();
    const sized = entries.filter((entry) => (entry.Size ?? 0) > 0).length;
    const bySize = sized === layers.length;
    const healthcheck = config.Healthcheck?.Test && config.Healthcheck.Test.length > 0 ? config.Healthcheck : null;
    const result: ImageConfig = {
      id: image.Id,
      size: image.Size ?? 0,
      layers,
      entrypoint: config.Entrypoint ?? null,
      cmd: config.Cmd ?? null,
      env: config.Env ?? [],
      workingDir: config.WorkingDir ?? "",
      user: config.User ?? "",
      exposedPorts: Object.keys(config.ExposedPorts ?? {}),
      volumes: Object.keys(config.Volumes ?? {}),
      healthcheck: null,
      stopSignal: config.StopSignal ?? "",
      labels: config.Labels ?? {},
      history: entries.map((entry) => {
        const createdBy = entry.CreatedBy ?? "";
        const emptyLayer = bySize ? (entry.Size ?? 0) === 0 : (entry.Size ?? 0) === 0 && METADATA_INSTRUCTION.test(createdBy);
        return { createdBy, emptyLayer, size: entry.Size ?? 0 };
      }),
    };
    if (healthcheck) {
      // Durations in milliseconds (the engine stores nanoseconds).
      const check: NonNullable<ImageConfig["healthcheck"]> = { test: healthcheck.Test ?? [] };
      if (healthcheck.Interval) check.interval = healthcheck.Interval / 1e6;
      if (healthcheck.Timeout) check.timeout = healthcheck.Timeout / 1e6;
      if (healthcheck.Retries) check.retries = healthcheck.Retries;
      result.healthcheck = check;
    }
    return result;
  }

  async exportImage(reference: string): Promise<NodeJS.ReadableStream> {
    return this.client.request("/images/get", { query: { names: reference } });
  }

  async removeImage(reference: string): Promise<void> {
    try {
      await this.client.json(`/images/${imagePath(reference)}`, { method: "DELETE" });
    } catch (error) {
      if (error instanceof EngineApiError && error.statusCode === 404) return;
      throw error;
    }
  }

  /** Creates (does not start) a container labelled as ours, detached: no TTY, no stdin, nothing attached. */
  async #createContainer(options: StartContainerOptions): Promise<string> {
    const created = await this.client.json<{ Id: string }>("/containers/create", { method: "POST", body: containerCreateBody(options) });
    return created.Id;
  }

  /** Force-removes a container and its anonymous volumes; a container already gone is fine. */
  async #removeContainer(id: string): Promise<void> {
    await this.client.call(`/containers/${id}`, { method: "DELETE", query: { force: "1", v: "1" } }).catch(() => undefined);
  }

  async #containerLogs(id: string): Promise<{ stdout: string; stderr: string }> {
    const logs = await this.client.request(`/containers/${id}/logs`, { query: { stdout: "1", stderr: "1" } });
    return demultiplexLogs(await readAll(logs));
  }

  async run(options: RunOptions): Promise<RunResult> {
    const id = await this.#createContainer(options);
    try {
      await this.client.call(`/containers/${id}/start`, { method: "POST" });
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const waited = this.client.json<{ StatusCode?: number; Error?: { Message?: string } | null }>(`/containers/${id}/wait`, { method: "POST", query: { condition: "not-running" } });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          this.client.call(`/containers/${id}/kill`, { method: "POST", query: { signal: "KILL" } }).catch(() => undefined);
        }, options.timeoutMs);
      }
      let status;
      try {
        status = await waited;
      } finally {
        if (timer) clearTimeout(timer);
      }
      const { stdout, stderr } = await this.#containerLogs(id);
      return { exitCode: status.StatusCode ?? -1, stdout, stderr, timedOut };
    } finally {
      if (options.remove !== false) await this.#removeContainer(id);
    }
  }

  async startContainer(options: StartContainerOptions): Promise<StartedContainer> {
    const id = await this.#createContainer(options);
    try {
      await this.client.call(`/containers/${id}/start`, { method: "POST" });
      if (options.publishPort === undefined) return { id };
      // The port is bound when the container starts: read back which one the engine picked.
      const hostPort = publishedPort(await this.client.json(`/containers/${id}/json`), options.publishPort);
      if (hostPort === undefined) throw new Error(`the engine published no host port for the container's port ${options.publishPort}`);
      return { id, hostPort };
    } catch (error) {
      await this.#removeContainer(id);
      throw error;
    }
  }

  async containerState(id: string): Promise<{ running: boolean; exitCode?: number }> {
    const inspected = await this.client.json<{ State?: { Running?: boolean; Restarting?: boolean; ExitCode?: number } }>(`/containers/${id}/json`);
    const running = inspected.State?.Running === true || inspected.State?.Restarting === true;
    return running || inspected.State?.ExitCode === undefined ? { running } : { running, exitCode: inspected.State.ExitCode };
  }

  async stopContainer(id: string, options: { graceSeconds?: number } = {}): Promise<StoppedContainer> {
    try {
      // `t`: seconds between the stop signal and SIGKILL. A stopped container answers 304 (not an error).
      await this.client.call(`/containers/${id}/stop`, { method: "POST", query: { t: String(options.graceSeconds ?? 10) } }).catch((error: unknown) => {
        if (!(error instanceof EngineApiError)) throw error;
      });
      const state = await this.client.json<{ State?: { ExitCode?: number } }>(`/containers/${id}/json`);
      const { stdout, stderr } = await this.#containerLogs(id);
      return { exitCode: state.State?.ExitCode ?? -1, stdout, stderr };
    } finally {
      await this.#removeContainer(id);
    }
  }
}
