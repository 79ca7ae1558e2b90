// The Docker CLI's contexts: which engine `docker` talks to when DOCKER_HOST is not set. Read the
// way the docker CLI reads them (github.com/docker/cli, cli/command/cli.go resolveContextName and
// cli/context/store):
//   1. DOCKER_HOST set: the "default" context with that host (it wins over DOCKER_CONTEXT);
//   2. DOCKER_CONTEXT set: that context;
//   3. `currentContext` in $DOCKER_CONFIG/config.json (default ~/.docker/config.json);
//   4. otherwise "default": unix:///var/run/docker.sock.
// A named context lives in $DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json
// (`Endpoints.docker.Host`, `SkipTLSVerify`) with its TLS files in
// $DOCKER_CONFIG/contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { DockerHostError } from "../errors.ts";

export const DEFAULT_CONTEXT = "default";

const metaSchema = z.object({
  Name: z.string().optional(),
  Endpoints: z.record(z.string(), z.object({ Host: z.string().optional(), SkipTLSVerify: z.boolean().optional() }).loose()).default({}),
}).loose();

const cliConfigSchema = z.object({ currentContext: z.string().optional() }).loose();

export interface ResolvedContext {
  /** "default" when DOCKER_HOST or nothing chose the engine. */
  name: string;
  /** Where the choice came from, for messages. */
  source: "DOCKER_HOST" | "DOCKER_CONTEXT" | "config.json" | "default";
  /** The engine address; undefined: the default socket. */
  host?: string;
  /** The context's TLS material directory (holding ca.pem, cert.pem, key.pem), when it has one. */
  tlsDirectory?: string;
  skipTlsVerify?: boolean;
}

/** $DOCKER_CONFIG or ~/.docker. */
export function dockerConfigDirectory(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), ".docker");
}

/** The directory name the context store uses for a context: the hex SHA-256 of its name. */
export function contextDirectoryName(name: string): string {
  return createHash("sha256").update(name).digest("hex");
}

/** The context the docker CLI would use for this environment (and an explicit `--context`, which wins over everything). */
export function resolveDockerContext(env: NodeJS.ProcessEnv, explicit?: string): ResolvedContext {
  const host = (env.DOCKER_HOST ?? "").trim();
  if (explicit === undefined || explicit === "") {
    if (host !== "") return { name: DEFAULT_CONTEXT, source: "DOCKER_HOST", host };
  }
  const configDir = dockerConfigDirectory(env);
  let name = explicit ?? "";
  let source: ResolvedContext["source"] = "DOCKER_CONTEXT";
  if (name === "" && (env.DOCKER_CONTEXT ?? "") !== "") name = env.DOCKER_CONTEXT ?? "";
  if (name === "") {
    source = "config.json";
    name = readCurrentContext(configDir) ?? "";
  }
  if (name === "" || name === DEFAULT_CONTEXT) return { name: DEFAULT_CONTEXT, source: "default" };
  return { ...loadContext(configDir, name), source };
}

function readCurrentContext(configDir: string): string | undefined {
  const file = path.join(configDir, "config.json");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = cliConfigSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.currentContext : undefined;
  } catch {
    throw new DockerHostError(`${file}: not valid JSON; the docker CLI cannot read it either`);
  }
}

function loadContext(configDir: string, name: string): Omit<ResolvedContext, "source"> {
  const id = contextDirectoryName(name);
  const metaFile = path.join(configDir, "contexts", "meta", id, "meta.json");
  let text: string;
  try {
    text = fs.readFileSync(metaFile, "utf8");
  } catch {
    throw new DockerHostError(`docker context "${name}" not found (no ${metaFile}); \`docker context ls\` lists the contexts`);
  }
  let parsed;
  try {
    parsed = metaSchema.safeParse(JSON.parse(text));
  } catch {
    throw new DockerHostError(`docker context "${name}": ${metaFile} is not valid JSON`);
  }
  if (!parsed.success) throw new DockerHostError(`docker context "${name}": ${metaFile} is not a context description`);
  const endpoint = parsed.data.Endpoints.docker;
  const result: Omit<ResolvedContext, "source"> = { name };
  if (endpoint?.Host) result.host = endpoint.Host;
  if (endpoint?.SkipTLSVerify !== undefined) result.skipTlsVerify = endpoint.SkipTLSVerify;
  const tlsDirectory = path.join(configDir, "contexts", "tls", id, "docker");
  if (fs.existsSync(tlsDirectory)) result.tlsDirectory = tlsDirectory;
  return result;
}
