// The engine contract: everything that builds, inspects, exports or runs images goes through
// an Engine. Two implementations: the Docker Engine API over its socket (always available)
// and `docker buildx build` (when buildx is installed). Callers never know which.

export interface BuildOptions {
  /** Build context directory (absolute). */
  contextDir: string;
  /** Dockerfile path relative to the context, or absolute (default "Dockerfile"). */
  dockerfile?: string;
  /** Dockerfile text to use instead of reading `dockerfile` (sent inside the context). */
  dockerfileText?: string;
  target?: string;
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  platform?: string;
  /** `docker build --network`: "host", "none", a network name; undefined is the engine's default (network.ts). */
  networkMode?: string;
  tags?: string[];
  labels?: Record<string, string>;
  /** Passed through: `type=registry,ref=...`, `type=gha`, `type=local,src=...`. */
  cacheFrom?: string[];
  cacheTo?: string[];
  /** id -> file path of the secret on this machine. */
  secrets?: Record<string, string>;
  /** Cancels the build. */
  signal?: AbortSignal;
}

/** One step (BuildKit vertex) as it progresses. */
export interface BuildStep {
  id: string;
  name: string;
  /** `[2/5] RUN npm ci` → stage-local index; undefined for internal steps. */
  stage?: string;
  started?: number;
  completed?: number;
  cached: boolean;
  error?: string;
  /** True for BuildKit's internal vertices ([internal] load ..., context transfer). */
  internal: boolean;
}

export type BuildEvent =
  | { type: "step"; step: BuildStep }
  | { type: "log"; stepId: string; stream: "stdout" | "stderr"; text: string }
  | { type: "message"; text: string };

export interface BuildResult {
  ok: boolean;
  /** Image id (sha256:...) when the build succeeded. */
  imageId?: string;
  steps: BuildStep[];
  /** Wall-clock duration measured by the caller's clock, in ms. */
  durationMs: number;
  /** Error text of the failing step, and the tail of its log. */
  error?: { step?: string; message: string; logTail: string[] };
}

export interface ImageConfig {
  id: string;
  size: number;
  layers: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  env: string[];
  workingDir: string;
  user: string;
  exposedPorts: string[];
  volumes: string[];
  healthcheck: { test: string[]; interval?: number; timeout?: number; retries?: number } | null;
  stopSignal: string;
  labels: Record<string, string>;
  history: { createdBy: string; emptyLayer: boolean; size?: number }[];
}

export interface RunOptions {
  image: string;
  args?: string[];
  entrypoint?: string[];
  /** `docker run -w` / `-u`: instead of the image's WorkingDir and User. */
  workingDir?: string;
  user?: string;
  env?: Record<string, string>;
  /** "none", "host", a network name; undefined is the engine's default (its bridge). */
  network?: string;
  /** Remove the container afterwards (default true). */
  remove?: boolean;
  timeoutMs?: number;
}

/** A long-running container (e.g. a server probed over host networking): started, then stopped by id. */
export interface StartContainerOptions {
  image: string;
  args?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  env?: Record<string, string>;
  /** "none", "host", a network name; undefined is the engine's default (its bridge). */
  network?: string;
  /** A container TCP port to publish on 127.0.0.1 at a port the engine picks (startContainer returns it); not with host networking. */
  publishPort?: number;
  labels?: Record<string, string>;
}

/** A started container; `hostPort`: where `publishPort` is reachable on 127.0.0.1. */
export interface StartedContainer {
  id: string;
  hostPort?: number;
}

/** What a stopped container left behind: its exit code and logs. */
export interface StoppedContainer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Engine {
  readonly kind: "api" | "buildx";
  /** Server version string; throws EngineUnavailableError when nothing answers. */
  ping(): Promise<string>;
  build(options: BuildOptions, onEvent?: (event: BuildEvent) => void): Promise<BuildResult>;
  inspectImage(reference: string): Promise<ImageConfig>;
  /** `docker save` as a stream (docker-archive tar). */
  exportImage(reference: string): Promise<NodeJS.ReadableStream>;
  removeImage(reference: string): Promise<void>;
  run(options: RunOptions): Promise<RunResult>;
  /** Creates and starts a container that keeps running; stop it with stopContainer. */
  startContainer(options: StartContainerOptions): Promise<StartedContainer>;
  /**
   * Stops (the image's StopSignal, SIGTERM by default, then SIGKILL after `graceSeconds`, default 10
   * as `docker stop`) and removes a container; returns its exit code and logs.
   */
  stopContainer(id: string, options?: { graceSeconds?: number }): Promise<StoppedContainer>;
  /** Whether a started container's program still runs, and its exit code once it has stopped. */
  containerState(id: string): Promise<{ running: boolean; exitCode?: number }>;
}
