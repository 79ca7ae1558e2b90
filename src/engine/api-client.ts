// A tiny Docker Engine API client over node:http: JSON requests, streamed responses (JSON
// lines for builds, raw bytes for logs and image export), API version negotiation through
// GET /_ping's `API-Version` header, and errors that carry the daemon's own message.
// A connection that nobody answers becomes one EngineUnavailableError with a clear message.
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import { endpointRequestOptions, parseDockerHost } from "./docker-host.ts";
import type { DockerEndpoint } from "./docker-host.ts";
import { EngineUnavailableError } from "../errors.ts";

/** The newest API version this client speaks; older daemons are talked to in their own version. */
export const MAX_API_VERSION = "1.45";
/** BuildKit through the API (`/build?version=2`) needs API 1.39 (Docker 18.09). */
export const MIN_API_VERSION = "1.39";
/** The CLI's exit code when no engine answers. */
export const ENGINE_UNAVAILABLE_EXIT_CODE = 2;

export type QueryValue = string | number | boolean | string[] | undefined;

export interface ApiRequest {
  method?: string;
  query?: Record<string, QueryValue>;
  /** A JSON body (serialised) or a stream (sent chunked, e.g. a build context tar). */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Fails the request when no response headers arrive in time (ms). */
  timeoutMs?: number;
  /** Prefix the path with /v<api version> (default true). */
  versioned?: boolean;
}

/** The daemon answered with an error status; `message` is the daemon's own text. */
export class EngineApiError extends Error {
  statusCode = 0;
  static of(statusCode: number, message: string): EngineApiError {
    const error = new EngineApiError(message);
    error.statusCode = statusCode;
    return error;
  }
}

export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

const REASONS: Record<string, string> = {
  ENOENT: "no such socket",
  ECONNREFUSED: "connection refused",
  EACCES: "permission denied (is this user allowed to use the Docker socket?)",
  EPERM: "permission denied",
  ENOTFOUND: "unknown host",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  ECONNRESET: "connection reset",
  ENOTSOCK: "not a socket",
};

export function unavailable(endpoint: DockerEndpoint, error: unknown): EngineUnavailableError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && REASONS[code]) || (error instanceof Error ? error.message : String(error));
  const result = new EngineUnavailableError(`no Docker Engine answers at ${endpoint.display}: ${reason}`);
  result.name = "EngineUnavailableError";
  result.cause = error;
  return result;
}

function isConnectError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // ESSH: the ssh process of an ssh:// engine could not run or connect (its message says why).
  return code !== undefined && ((code in REASONS && code !== "ECONNRESET") || code === "ESSH");
}

export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.append(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export class ApiClient {
  readonly endpoint: DockerEndpoint;
  readonly #env: NodeJS.ProcessEnv;
  #version: Promise<string> | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env, contextName?: string) {
    this.endpoint = parseDockerHost(env, contextName);
    // An ssh:// engine runs `ssh` with this environment (PATH, SSH_AUTH_SOCK).
    this.#env = { ...process.env, ...env };
  }

  /** The API version to speak: min(daemon's, ours), negotiated once via GET /_ping. */
  apiVersion(): Promise<string> {
    this.#version ??= this.#negotiate();
    this.#version.catch(() => (this.#version = undefined));
    return this.#version;
  }

  async #negotiate(): Promise<string> {
    const response = await this.request("/_ping", { versioned: false, timeoutMs: 15_000 });
    const header = response.headers["api-version"];
    response.resume();
    let server = typeof header === "string" ? header : undefined;
    if (!server) {
      const version = await this.json<{ ApiVersion?: string }>("/version", { versioned: false, timeoutMs: 15_000 });
      server = version.ApiVersion ?? MIN_API_VERSION;
    }
    if (compareApiVersions(server, MIN_API_VERSION) < 0) {
      throw Object.assign(new EngineUnavailableError(`the Docker Engine at ${this.endpoint.display} speaks API ${server}; shipshape needs ${MIN_API_VERSION} or newer (Docker 18.09+)`), { name: "EngineUnavailableError" });
    }
    return compareApiVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
  }

  /** Sends a request; resolves with the response once its headers arrive and its status is < 400. */
  async request(path: string, options: ApiRequest = {}): Promise<http.IncomingMessage> {
    const versioned = options.versioned ?? true;
    const prefix = versioned ? `/v${await this.apiVersion()}` : "";
    const fullPath = `${prefix}${path}${encodeQuery(options.query)}`;
    const method = options.method ?? "GET";
    const headers: Record<string, string> = { Host: "docker" };
    let jsonBody: Buffer | undefined;
    let streamBody: Readable | undefined;
    if (options.body !== undefined) {
      if (isReadable(options.body)) {
        streamBody = options.body;
        headers["Content-Type"] = options.contentType ?? "application/octet-stream";
      } else {
        jsonBody = Buffer.from(JSON.stringify(options.body));
        headers["Content-Type"] = options.contentType ?? "application/json";
        headers["Content-Length"] = String(jsonBody.length);
      }
    }
    const base = endpointRequestOptions(this.endpoint, this.#env);
    const transport = base.protocol === "https:" ? https : http;
    const endpoint = this.endpoint;

    return new Promise<http.IncomingMessage>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(isConnectError(error) ? unavailable(endpoint, error) : error);
      };
      // An ssh:// engine brings its own connection (createConnection), which needs no agent.
      const request = transport.request({ ...base, method, path: fullPath, headers, ...(base.createConnection ? {} : { agent: false }) });
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              const error = Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: "ETIMEDOUT" });
              request.destroy(error);
            }, options.timeoutMs);
      const onAbort = (): void => {
        request.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error("aborted"));
      };
      if (options.signal) {
        if (options.signal.aborted) {
          onAbort();
        } else {
          options.signal.addEventListener("abort", onAbort, { once: true });
          request.once("close", () => options.signal?.removeEventListener("abort", onAbort));
        }
      }
      request.on("error", (error) => {
        if (timer) clearTimeout(timer);
        streamBody?.destroy();
        fail(error);
      });
      request.on("response", (response) => {
        if (timer) clearTimeout(timer);
        const status = response.statusCode ?? 0;
        if (status < 400) {
          settled = true;
          resolve(response);
          return;
        }
        readAll(response).then(
          (body) => fail(EngineApiError.of(status, daemonMessage(body, status))),
          (error: unknown) => fail(error),
        );
        // The daemon has answered: stop sending whatever body was still on its way.
        response.once("end", () => {
          streamBody?.destroy();
          request.destroy();
        });
      });
      if (streamBody) {
        streamBody.on("error", (error) => request.destroy(error));
        streamBody.pipe(request);
      } else {
        request.end(jsonBody);
      }
    });
  }

  async json<T>(path: string, options: ApiRequest = {}): Promise<T> {
    const response = await this.request(path, options);
    const text = (await readAll(response)).toString("utf8");
    return (text.trim() === "" ? undefined : JSON.parse(text)) as T;
  }

  /** Like json() but ignores the body. */
  async call(path: string, options: ApiRequest = {}): Promise<void> {
    const response = await this.request(path, options);
    await readAll(response);
  }
}

function isReadable(value: unknown): value is Readable {
  return typeof value === "object" && value !== null && typeof (value as Readable).pipe === "function" && typeof (value as Readable).on === "function";
}

function daemonMessage(body: Buffer, status: number): string {
  const text = body.toString("utf8").trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: the text itself is the message
  }
  return text || `HTTP ${status}`;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Parses a stream of newline-separated JSON messages (as /build and /images/create send). */
export async function* jsonLines(stream: NodeJS.ReadableStream): AsyncGenerator<unknown> {
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== "") yield parseLine(line);
    }
  }
  pending += decoder.decode();
  if (pending.trim() !== "") yield parseLine(pending.trim());
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return { stream: `${line}\n` };
  }
}
