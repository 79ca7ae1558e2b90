// Where the Docker Engine listens: DOCKER_HOST as the docker CLI reads it, else the current
// docker context (docker-context.ts: DOCKER_CONTEXT, config.json's currentContext).
//   unix:///var/run/docker.sock (the default), tcp://host:port (port 2375, or 2376 with TLS),
//   http://host:port, https://host:port. With DOCKER_TLS_VERIFY set, tcp:// speaks TLS using
//   DOCKER_CERT_PATH/{ca,cert,key}.pem (default ~/.docker), as the docker CLI does.
//   ssh://[user@]host[:port]: as the docker CLI does, each connection runs
//   `ssh ... host docker system dial-stdio` and speaks HTTP over the ssh process's stdin/stdout
//   (the remote user needs the docker CLI and access to the remote engine's socket).
import { spawn } from "node:child_process";
import fs from "node:fs";
import type net from "node:net";
import { Duplex } from "node:stream";
import os from "node:os";
import path from "node:path";
import { DockerHostError } from "../errors.ts";
import { resolveDockerContext } from "./docker-context.ts";

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

export interface DockerEndpoint {
  /** The address as the user would recognise it (for messages): `unix:///var/run/docker.sock`. */
  display: string;
  protocol: "http:" | "https:";
  /** Unix socket path, when the engine listens on one. */
  socketPath?: string;
  hostname?: string;
  port?: number;
  /** TLS material for https endpoints (DOCKER_TLS_VERIFY / DOCKER_CERT_PATH). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
  /** ssh:// endpoints: where `ssh` connects (each connection is one `docker system dial-stdio`). */
  ssh?: SshDestination;
  /** The docker context that named this endpoint, when it was not DOCKER_HOST or the default. */
  context?: string;
}

export interface SshDestination {
  host: string;
  user?: string;
  port?: number;
}

/**
 * The engine for this environment, as the docker CLI picks it: DOCKER_HOST, else the docker
 * context (`contextName` as `docker --context` gives it, DOCKER_CONTEXT, config.json), else the default socket.
 */
export function parseDockerHost(env: NodeJS.ProcessEnv = process.env, contextName?: string): DockerEndpoint {
  const context = resolveDockerContext(env, contextName);
  if (context.source === "DOCKER_HOST" || context.source === "default") return parseHostAddress((context.host ?? "").trim() || DEFAULT_DOCKER_HOST, env);
  const host = context.host ?? DEFAULT_DOCKER_HOST;
  const endpoint = parseHostAddress(host, { DOCKER_HOST: host }, context.tlsDirectory !== undefined ? { directory: context.tlsDirectory, verify: !(context.skipTlsVerify ?? false) } : undefined);
  return { ...endpoint, display: `${endpoint.display} (docker context ${context.name})`, context: context.name };
}

function parseHostAddress(raw: string, env: NodeJS.ProcessEnv, contextTls?: { directory: string; verify: boolean }): DockerEndpoint {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    // The docker CLI treats a bare path as a unix socket.
    if (raw.startsWith("/")) return { display: `unix://${raw}`, protocol: "http:", socketPath: raw };
    throw new DockerHostError(`DOCKER_HOST=${raw}: expected unix:///path/to/docker.sock or tcp://host:port`);
  }
  if (scheme === "unix") {
    const socketPath = raw.slice("unix://".length);
    if (socketPath === "") throw new DockerHostError(`DOCKER_HOST=${raw}: the unix socket path is empty`);
    return { display: raw, protocol: "http:", socketPath };
  }
  if (scheme === "tcp" || scheme === "http" || scheme === "https") {
    const tlsVerify = contextTls !== undefined ? contextTls.verify : (env.DOCKER_TLS_VERIFY ?? "") !== "" && env.DOCKER_TLS_VERIFY !== "0";
    const secure = scheme === "https" || (scheme === "tcp" && (tlsVerify || contextTls !== undefined));
    let url: URL;
    try {
      url = new URL(raw.replace(/^tcp:/i, secure ? "https:" : "http:"));
    } catch {
      throw new DockerHostError(`DOCKER_HOST=${raw}: not a valid address`);
    }
    if (url.pathname !== "/" && url.pathname !== "") throw new DockerHostError(`DOCKER_HOST=${raw}: paths are not supported`);
    const port = url.port ? Number(url.port) : secure ? 2376 : 2375;
    const endpoint: DockerEndpoint = {
      display: raw,
      protocol: secure ? "https:" : "http:",
      hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port,
    };
    if (secure) endpoint.tls = loadTls(contextTls !== undefined ? { DOCKER_CERT_PATH: contextTls.directory } : env, tlsVerify);
    return endpoint;
  }
  if (scheme === "ssh") return { display: raw, protocol: "http:", ssh: parseSshDestination(raw) };
  if (scheme === "npipe") throw new DockerHostError(`DOCKER_HOST=${raw}: Windows named pipes are not supported`);
  throw new DockerHostError(`DOCKER_HOST=${raw}: unsupported scheme ${scheme}://; use unix:///path/to/docker.sock or tcp://host:port`);
}

function loadTls(env: NodeJS.ProcessEnv, verify: boolean): NonNullable<DockerEndpoint["tls"]> {
  const dir = env.DOCKER_CERT_PATH || path.join(os.homedir(), ".docker");
  const read = (name: string): Buffer | undefined => {
    try {
      return fs.readFileSync(path.join(dir, name));
    } catch {
      return undefined;
    }
  };
  const tls: NonNullable<DockerEndpoint["tls"]> = { rejectUnauthorized: verify };
  const ca = read("ca.pem");
  const cert = read("cert.pem");
  const key = read("key.pem");
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  return tls;
}

/** `ssh://[user@]host[:port]` (no path: the remote docker CLI finds its own engine). */
export function parseSshDestination(raw: string): SshDestination {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DockerHostError(`DOCKER_HOST=${raw}: not a valid ssh:// address`);
  }
  if (url.hostname === "") throw new DockerHostError(`DOCKER_HOST=${raw}: no host name`);
  if (url.pathname !== "/" && url.pathname !== "") throw new DockerHostError(`DOCKER_HOST=${raw}: ssh:// addresses take no path (the remote docker CLI picks its engine)`);
  if (url.password !== "") throw new DockerHostError(`DOCKER_HOST=${raw}: put no password in the address; use an ssh key or agent`);
  const destination: SshDestination = { host: url.hostname.replace(/^\[(.*)\]$/, "$1") };
  if (url.username !== "") destination.user = decodeURIComponent(url.username);
  if (url.port !== "") destination.port = Number(url.port);
  return destination;
}

/** The ssh command line the docker CLI runs for an ssh:// engine (cli/connhelper/ssh). */
export function sshDialArguments(destination: SshDestination): string[] {
  const args = ["-o", "ConnectTimeout=30", "-T"];
  if (destination.user !== undefined) args.push("-l", destination.user);
  if (destination.port !== undefined) args.push("-p", String(destination.port));
  args.push("--", destination.host, "docker", "system", "dial-stdio");
  return args;
}

/** One connection to an ssh:// engine: the ssh process's stdin/stdout as a socket. */
export function sshConnection(destination: SshDestination, env: NodeJS.ProcessEnv = process.env, sshBinary = "ssh"): net.Socket {
  const child = spawn(sshBinary, sshDialArguments(destination), { env, stdio: ["pipe", "pipe", "pipe"] });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  // The readable side ends only once ssh has exited, so a failed ssh is reported as its error
  // (unknown host, refused key) and not as an HTTP "socket hang up".
  let failed = false;
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (child.stdin.writable) child.stdin.write(chunk, () => callback());
      else callback();
    },
    final(callback) {
      child.stdin.end();
      callback();
    },
    destroy(error, callback) {
      if (child.exitCode === null) child.kill("SIGTERM");
      callback(error);
    },
  });
  const fail = (message: string): void => {
    if (failed) return;
    failed = true;
    duplex.destroy(Object.assign(new Error(message), { code: "ESSH" }));
  };
  child.stdout.on("data", (chunk: Buffer) => duplex.push(chunk));
  // ssh exiting closes its stdin: the exit code tells what happened.
  child.stdin.on("error", () => undefined);
  child.on("error", (error) => {
    fail((error as NodeJS.ErrnoException).code === "ENOENT" ? `${sshBinary} is not installed (ssh:// engines need an ssh client)` : `cannot run ${sshBinary}: ${error.message}`);
  });
  child.on("close", (code) => {
    if (code !== 0 && code !== null) {
      const text = Buffer.concat(stderr).toString("utf8").trim().split("\n").at(-1) ?? "";
      fail(`ssh ${destination.host} exited with code ${code}${text !== "" ? `: ${text}` : ""}`);
    } else if (!failed) {
      duplex.push(null);
    }
  });
  // http.request only needs a duplex stream; the socket-only methods it may call are no-ops here.
  const socket = duplex as unknown as net.Socket;
  Object.assign(socket, { setNoDelay: () => socket, setKeepAlive: () => socket, setTimeout: () => socket, ref: () => socket, unref: () => socket });
  return socket;
}

/** Base http(s).request options for an endpoint; callers add method, path and headers. */
export function endpointRequestOptions(endpoint: DockerEndpoint, env: NodeJS.ProcessEnv = process.env): {
  socketPath?: string;
  hostname?: string;
  port?: number;
  protocol: "http:" | "https:";
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  createConnection?: () => net.Socket;
} {
  const ssh = endpoint.ssh;
  if (ssh !== undefined) return { protocol: "http:", hostname: "docker", createConnection: () => sshConnection(ssh, env) };
  if (endpoint.socketPath !== undefined) return { protocol: "http:", socketPath: endpoint.socketPath };
  const options: ReturnType<typeof endpointRequestOptions> = { protocol: endpoint.protocol };
  if (endpoint.hostname !== undefined) options.hostname = endpoint.hostname;
  if (endpoint.port !== undefined) options.port = endpoint.port;
  if (endpoint.tls) Object.assign(options, endpoint.tls);
  return options;
}
