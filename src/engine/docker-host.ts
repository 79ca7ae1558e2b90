// Where the Docker Engine listens: DOCKER_HOST as the docker CLI reads it.
//   unix:///var/run/docker.sock (the default), tcp://host:port (port 2375, or 2376 with TLS),
//   http://host:port, https://host:port. With DOCKER_TLS_VERIFY set, tcp:// speaks TLS using
//   DOCKER_CERT_PATH/{ca,cert,key}.pem (default ~/.docker), as the docker CLI does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DockerHostError } from "../errors.ts";

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
}

export function parseDockerHost(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const raw = (env.DOCKER_HOST ?? "").trim() || DEFAULT_DOCKER_HOST;
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
    const tlsVerify = (env.DOCKER_TLS_VERIFY ?? "") !== "" && env.DOCKER_TLS_VERIFY !== "0";
    const secure = scheme === "https" || (scheme === "tcp" && tlsVerify);
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
    if (secure) endpoint.tls = loadTls(env, tlsVerify);
    return endpoint;
  }
  if (scheme === "npipe") throw new DockerHostError(`DOCKER_HOST=${raw}: Windows named pipes are not supported`);
  if (scheme === "ssh") throw new DockerHostError(`DOCKER_HOST=${raw}: ssh:// is not supported; forward the socket (ssh -L) and use unix:// or tcp://`);
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

/** Base http(s).request options for an endpoint; callers add method, path and headers. */
export function endpointRequestOptions(endpoint: DockerEndpoint): {
  socketPath?: string;
  hostname?: string;
  port?: number;
  protocol: "http:" | "https:";
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
} {
  if (endpoint.socketPath !== undefined) return { protocol: "http:", socketPath: endpoint.socketPath };
  const options: ReturnType<typeof endpointRequestOptions> = { protocol: endpoint.protocol };
  if (endpoint.hostname !== undefined) options.hostname = endpoint.hostname;
  if (endpoint.port !== undefined) options.port = endpoint.port;
  if (endpoint.tls) Object.assign(options, endpoint.tls);
  return options;
}
