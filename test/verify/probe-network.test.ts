// verify's HTTP probe on the engine's default network, against a fake engine: the container's
// port is published and the probe asks the host port the engine reports. (The lab engine has no
// bridge network, so this path is tested here, without one.)
import assert from "node:assert/strict";
import http from "node:http";
import type net from "node:net";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import type { Engine, ImageConfig, StartContainerOptions } from "../../src/engine/types.ts";
import { verifyImages } from "../../src/verify/run.ts";
import { dockerArchive } from "../helpers/image-archive.ts";

const CONFIG: ImageConfig = { id: "sha256:1", size: 1, layers: [], entrypoint: null, cmd: ["node", "server.js"], env: [], workingDir: "/", user: "", exposedPorts: [], volumes: [], healthcheck: null, stopSignal: "", labels: {}, history: [] };

/** Each started container is an HTTP server on a port of this host, as a published port would be. */
class PublishingEngine {
  readonly started: StartContainerOptions[] = [];
  readonly servers = new Map<string, http.Server>();

  async inspectImage(reference: string): Promise<ImageConfig> {
    return { ...CONFIG, id: reference };
  }

  async exportImage(): Promise<NodeJS.ReadableStream> {
    return Readable.from([dockerArchive({ layers: [{ createdBy: "COPY", entries: [{ path: "server.js", content: "x" }] }] })]);
  }

  async startContainer(options: StartContainerOptions): Promise<{ id: string; hostPort?: number }> {
    this.started.push(options);
    const server = http.createServer((_request, response) => response.end(`hello from PORT=${options.env?.PORT}`));
    await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1" }, resolve));
    const id = `c${this.started.length}`;
    this.servers.set(id, server);
    return { id, hostPort: (server.address() as net.AddressInfo).port };
  }

  async containerState(): Promise<{ running: boolean }> {
    return { running: true };
  }

  async stopContainer(id: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    await new Promise((resolve) => this.servers.get(id)?.close(resolve));
    return { exitCode: 0, stdout: "", stderr: "" };
  }
}

describe("verify --http on the engine's default network", () => {
  it("publishes the app's port and probes the host port the engine picked", async () => {
    const engine = new PublishingEngine();
    const result = await verifyImages(engine as unknown as Engine, { before: "app:before", after: "app:after", http: [{ port: 3000, path: "/health" }] });
    assert.deepEqual(
      engine.started.map((options) => [options.network, options.publishPort, options.env?.PORT]),
      [
        [undefined, 3000, "3000"],
        [undefined, 3000, "3000"],
      ],
    );
    const check = result.checks.find((entry) => entry.name === "http");
    assert.equal(check?.status, "passed", JSON.stringify(result.differences));
    assert.match(check?.detail ?? "", /default network, port published on 127\.0\.0\.1, PORT=3000 and 3000/);
  });
});
