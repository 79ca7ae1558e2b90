// The Engine API plumbing without an engine: DOCKER_HOST parsing, version negotiation and
// daemon errors against a fake server on a unix socket, the /build query, log demultiplexing,
// and the one clear message when nothing answers.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiClient, ENGINE_UNAVAILABLE_EXIT_CODE, EngineApiError, encodeQuery, jsonLines } from "../../src/engine/api-client.ts";
import { ApiEngine, UnsupportedBuildOptionError, buildQuery, cacheFromForApi, demultiplexLogs, imagePath } from "../../src/engine/api-engine.ts";
import { parseDockerHost } from "../../src/engine/docker-host.ts";
import { DockerHostError, EngineUnavailableError } from "../../src/errors.ts";

describe("DOCKER_HOST", () => {
  it("defaults to the unix socket and reads unix://, tcp:// and bare paths", () => {
    assert.deepEqual(parseDockerHost({}), { display: "unix:///var/run/docker.sock", protocol: "http:", socketPath: "/var/run/docker.sock" });
    assert.equal(parseDockerHost({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }).socketPath, "/run/user/1000/docker.sock");
    assert.deepEqual(parseDockerHost({ DOCKER_HOST: "tcp://10.1.2.3:2375" }), { display: "tcp://10.1.2.3:2375", protocol: "http:", hostname: "10.1.2.3", port: 2375 });
    assert.equal(parseDockerHost({ DOCKER_HOST: "tcp://docker" }).port, 2375);
    assert.equal(parseDockerHost({ DOCKER_HOST: "tcp://[::1]:2375" }).hostname, "::1");
    const tls = parseDockerHost({ DOCKER_HOST: "tcp://docker", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/nonexistent" });
    assert.equal(tls.protocol, "https:");
    assert.equal(tls.port, 2376);
    assert.equal(parseDockerHost({ DOCKER_HOST: "/var/run/docker.sock" }).socketPath, "/var/run/docker.sock");
  });

  it("rejects what it cannot reach with a reason", () => {
    assert.deepEqual(parseDockerHost({ DOCKER_HOST: "ssh://me@box:2222" }).ssh, { host: "box", user: "me", port: 2222 });
    assert.throws(() => parseDockerHost({ DOCKER_HOST: "ssh://me@box/var/run/docker.sock" }), (error: unknown) => error instanceof DockerHostError && /no path/.test(error.message));
    assert.throws(() => parseDockerHost({ DOCKER_HOST: "npipe:////./pipe/docker_engine" }), /named pipes/);
    assert.throws(() => parseDockerHost({ DOCKER_HOST: "docker.example:2375" }), /expected unix:/);
  });
});

describe("Engine API client", () => {
  let scratch = "";
  let socket = "";
  let server: http.Server;
  let apiVersion = "1.41";
  const seen: string[] = [];
  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-api-test-"));
    socket = path.join(scratch, "docker.sock");
    server = http.createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      if (request.url === "/_ping") {
        response.writeHead(200, { "API-Version": apiVersion, "Content-Type": "text/plain" });
        response.end("OK");
      } else if (request.url?.endsWith("/version")) {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ Version: "99.0.0-fake", ApiVersion: apiVersion }));
      } else if (request.url?.includes("/images/missing")) {
        response.writeHead(404, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ message: "No such image: missing:latest" }));
      } else if (request.url?.includes("/stream")) {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.write('{"stream":"one\\n"}\n{"stream":');
        setTimeout(() => response.end('"two\\n"}\n{"aux":{"ID":"sha256:x"}}'), 10);
      } else {
        response.writeHead(500);
        response.end("plain text failure");
      }
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  after(() => {
    server.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("negotiates the API version from /_ping and prefixes requests with it", async () => {
    apiVersion = "1.41";
    const client = new ApiClient({ DOCKER_HOST: `unix://${socket}` });
    assert.equal(await client.apiVersion(), "1.41");
    assert.equal(await new ApiEngine({ client }).ping(), "99.0.0-fake");
    assert.ok(seen.includes("GET /v1.41/version"), seen.join(", "));
    apiVersion = "1.99";
    assert.equal(await new ApiClient({ DOCKER_HOST: `unix://${socket}` }).apiVersion(), "1.45", "never newer than this client speaks");
    apiVersion = "1.30";
    await assert.rejects(new ApiClient({ DOCKER_HOST: `unix://${socket}` }).apiVersion(), /speaks API 1\.30; shipshape needs 1\.39/);
    apiVersion = "1.41";
  });

  it("raises the daemon's own message with the status code", async () => {
    const client = new ApiClient({ DOCKER_HOST: `unix://${socket}` });
    await assert.rejects(new ApiEngine({ client }).inspectImage("missing:latest"), (error: unknown) => error instanceof EngineApiError && error.statusCode === 404 && error.message === "No such image: missing:latest");
    await assert.rejects(client.json("/other"), (error: unknown) => error instanceof EngineApiError && error.statusCode === 500 && error.message === "plain text failure");
    await new ApiEngine({ client }).removeImage("missing:latest"); // removing what is gone is fine
  });

  it("streams JSON lines split across chunks", async () => {
    const client = new ApiClient({ DOCKER_HOST: `unix://${socket}` });
    const messages: unknown[] = [];
    for await (const message of jsonLines(await client.request("/stream"))) messages.push(message);
    assert.deepEqual(messages, [{ stream: "one\n" }, { stream: "two\n" }, { aux: { ID: "sha256:x" } }]);
  });

  it("gives one clear EngineUnavailableError when nothing answers", async () => {
    const missing = new ApiEngine({ env: { DOCKER_HOST: "unix:///nonexistent.sock" } });
    await assert.rejects(missing.ping(), (error: unknown) => error instanceof EngineUnavailableError && error.message === "no Docker Engine answers at unix:///nonexistent.sock: no such socket");
    await assert.rejects(missing.build({ contextDir: scratch, dockerfileText: "FROM scratch\n" }), EngineUnavailableError);
    const refused = new ApiEngine({ env: { DOCKER_HOST: "tcp://127.0.0.1:9" } });
    await assert.rejects(refused.ping(), (error: unknown) => error instanceof EngineUnavailableError && error.message === "no Docker Engine answers at tcp://127.0.0.1:9: connection refused");
    assert.equal(ENGINE_UNAVAILABLE_EXIT_CODE, 2);
  });
});

describe("/build parameters", () => {
  it("maps build options to the query BuildKit's API build reads", () => {
    const query = buildQuery(
      { contextDir: "/ctx", tags: ["a:1", "a:2"], target: "runtime", buildArgs: { NODE_ENV: "production" }, noCache: true, platform: "linux/arm64", labels: { team: "x" }, cacheFrom: ["app:cache", "type=registry,ref=reg.example/app:buildcache"] },
      { dockerfile: "Dockerfile" },
    );
    assert.deepEqual(query, {
      version: "2",
      dockerfile: "Dockerfile",
      rm: "1",
      t: ["a:1", "a:2"],
      target: "runtime",
      buildargs: '{"NODE_ENV":"production"}',
      nocache: "1",
      platform: "linux/arm64",
      labels: '{"team":"x"}',
      cachefrom: '["app:cache","reg.example/app:buildcache"]',
    });
    assert.equal(encodeQuery({ t: ["a:1", "a:2"], q: true, skip: undefined }), "?t=a%3A1&t=a%3A2&q=1");
    // No networkmode unless one is named: the engine's default network, as `docker build`.
    assert.equal("networkmode" in query, false);
    assert.equal(buildQuery({ contextDir: "/ctx", networkMode: "none" }, { dockerfile: "x" }).networkmode, "none");
    assert.equal(buildQuery({ contextDir: "/ctx", networkMode: "host" }, { dockerfile: "x" }).networkmode, "host");
  });

  it("refuses what the endpoint cannot do, pointing at the buildx driver", () => {
    assert.throws(() => buildQuery({ contextDir: "/ctx", secrets: { npmrc: "/home/me/.npmrc" } }, { dockerfile: "Dockerfile" }), (error: unknown) => error instanceof UnsupportedBuildOptionError && /secrets \(npmrc\).*--driver buildx/.test(error.message));
    assert.throws(() => buildQuery({ contextDir: "/ctx", cacheTo: ["type=inline"] }, { dockerfile: "Dockerfile" }), /cannot export build cache; use --driver buildx/);
    assert.throws(() => cacheFromForApi("type=gha,scope=main"), /use --driver buildx for type=gha/);
    assert.throws(() => cacheFromForApi("type=local,src=/tmp/cache"), /type=local/);
  });

  it("escapes image names for URL paths as the docker CLI does", () => {
    assert.equal(imagePath("reg.example:5000/team/app:1.0"), "reg.example:5000/team/app:1.0");
    assert.equal(imagePath(`app@sha256:${"a".repeat(64)}`), `app@sha256:${"a".repeat(64)}`);
    assert.equal(imagePath("a b?c"), "a%20b%3Fc");
  });
});

describe("container logs", () => {
  it("splits the multiplexed stream on its 8-byte frame headers", () => {
    const frame = (stream: number, text: string): Buffer => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const data = Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, "out 2\n"), frame(1, "")]);
    assert.deepEqual(demultiplexLogs(data), { stdout: "out 1\nout 2\n", stderr: "err 1\n" });
  });
});
