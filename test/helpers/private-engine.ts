// A second, private Docker Engine for tests that remove things (clean-up, cache pruning) or talk
// to a remote engine: `dockerd -H tcp://127.0.0.1:PORT` with its own data root, exec root and
// containerd, no bridge network (as ../shared/docker-lab starts the lab's). The lab engine is
// shared with other work, so nothing there is ever pruned; this one is started by the test,
// given the base images it needs (streamed from the lab engine: `docker save | docker load`),
// and stopped and deleted afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ApiClient } from "../../src/engine/api-client.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";

export interface PrivateEngine {
  /** tcp://127.0.0.1:PORT */
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  engine: ApiEngine;
  client: ApiClient;
  root: string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function which(binary: string): string | undefined {
  for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(directory, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  for (const candidate of ["/usr/sbin/dockerd", "/usr/bin/dockerd"]) if (fs.existsSync(candidate)) return candidate;
  return undefined;
}

/** Why a private engine cannot be started here (no dockerd, not root), or undefined. */
export function privateEngineProblem(): string | undefined {
  if (which("dockerd") === undefined) return "dockerd is not installed (../shared/docker-lab/up installs docker.io)";
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "starting a private dockerd needs root";
  return undefined;
}

/** Starts the engine and loads `baseImages` into it from the lab engine (the process's DOCKER_HOST). */
export async function startPrivateEngine(label: string, baseImages: readonly string[]): Promise<PrivateEngine> {
  const dockerd = which("dockerd");
  if (dockerd === undefined) throw new Error("dockerd is not installed");
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), `shipshape-${label}-engine-`));
  const port = await freePort();
  const host = `tcp://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(root, "dockerd.log"), "a");
  const child: ChildProcess = spawn(
    dockerd,
    [
      "-H", host,
      "--data-root", path.join(root, "data"),
      "--exec-root", path.join(root, "exec"),
      "--pidfile", path.join(root, "dockerd.pid"),
      "--bridge=none", "--iptables=false", "--ip-masq=false", "--ip-forward=false",
    ],
    { stdio: ["ignore", log, log] },
  );
  fs.closeSync(log);
  let exited = false;
  child.once("exit", () => (exited = true));
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host };
  delete env.DOCKER_CONTEXT;
  const client = new ApiClient(env);
  const engine = new ApiEngine({ env, client });
  const stop = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await gone;
      clearTimeout(timer);
    }
    await fs.promises.rm(root, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`dockerd exited; ${path.join(root, "dockerd.log")}: ${fs.readFileSync(path.join(root, "dockerd.log"), "utf8").split("\n").slice(-5).join(" | ")}`);
      try {
        await engine.ping();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const lab = new ApiEngine();
    for (const image of baseImages) {
      const archive = await lab.exportImage(image);
      const response = await client.request("/images/load", { method: "POST", query: { quiet: true }, body: archive, contentType: "application/x-tar" });
      for await (const chunk of response) void chunk;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, port, env, engine, client, root, stop };
}
