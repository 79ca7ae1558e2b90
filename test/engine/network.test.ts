// Which network builds and probe containers use, checked on the Engine API payloads (no engine:
// this lab's engine has no bridge network, so the published-port path cannot run here).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildImage } from "../../src/builds/run-builds.ts";
import { containerCreateBody, publishedPort } from "../../src/engine/api-engine.ts";
import { buildxArgs } from "../../src/engine/buildx-engine.ts";
import { chooseNetwork } from "../../src/engine/network.ts";
import type { BuildOptions, BuildResult, Engine } from "../../src/engine/types.ts";
import { probeContainer } from "../../src/verify/run.ts";

describe("network settings", () => {
  it("chooses --network, then SHIPSHAPE_NETWORK, then the config; nothing means the engine's default", () => {
    assert.equal(chooseNetwork(undefined, {}), undefined);
    assert.equal(chooseNetwork(undefined, {}, "ci-net"), "ci-net");
    assert.equal(chooseNetwork(undefined, { SHIPSHAPE_NETWORK: "host" }, "ci-net"), "host");
    assert.equal(chooseNetwork("none", { SHIPSHAPE_NETWORK: "host" }, "ci-net"), "none");
    assert.equal(chooseNetwork(" ", { SHIPSHAPE_NETWORK: "" }), undefined);
  });

  it("builds name no network unless one is set (API query and buildx arguments)", async () => {
    const seen: BuildOptions[] = [];
    const engine = { build: async (options: BuildOptions): Promise<BuildResult> => (seen.push(options), { ok: false, steps: [], durationMs: 0 }) } as unknown as Engine;
    const target = { name: "api", contextDir: "/ctx", dockerfile: "Dockerfile", buildArgs: {}, origin: "test" };
    await buildImage(engine, target, { tag: "t:1" });
    await buildImage(engine, target, { tag: "t:2", network: "host" });
    assert.deepEqual(seen.map((options) => options.networkMode), [undefined, "host"]);
    assert.ok(!buildxArgs({ contextDir: "/ctx" }, { dockerfile: "D", iidfile: "i" }).includes("--network"));
    assert.deepEqual(buildxArgs({ contextDir: "/ctx", networkMode: "ci-net" }, { dockerfile: "D", iidfile: "i" }).slice(-3), ["--network", "ci-net", "/ctx"]);
  });

  it("a probe on the engine's default network publishes its port on 127.0.0.1 at a port the engine picks", () => {
    const options = probeContainer("app:after", 3000, { env: { A: "1" } });
    assert.deepEqual([options.network, options.publishPort, options.env], [undefined, 3000, { A: "1", PORT: "3000" }]);
    const body = containerCreateBody(options);
    assert.deepEqual(body.ExposedPorts, { "3000/tcp": {} });
    assert.deepEqual(body.HostConfig, { AutoRemove: false, PortBindings: { "3000/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } });
    // A named network (a bridge of the user's) publishes too.
    assert.deepEqual((containerCreateBody(probeContainer("app", 8080, { env: {}, network: "ci-net" })).HostConfig as Record<string, unknown>).NetworkMode, "ci-net");
  });

  it("a probe with host networking publishes nothing: the app listens on this host", () => {
    const options = probeContainer("app:after", 3000, { env: {}, network: "host" });
    assert.equal(options.publishPort, undefined);
    const body = containerCreateBody(options);
    assert.equal(body.ExposedPorts, undefined);
    assert.deepEqual(body.HostConfig, { AutoRemove: false, NetworkMode: "host" });
    assert.throws(() => containerCreateBody({ image: "x", network: "host", publishPort: 3000 }), /cannot publish port 3000 with --network host/);
  });

  it("reads the published port back from the container's inspect", () => {
    const inspected = { NetworkSettings: { Ports: { "3000/tcp": [{ HostIp: "0.0.0.0", HostPort: "40001" }, { HostIp: "127.0.0.1", HostPort: "49153" }] } } };
    assert.equal(publishedPort(inspected, 3000), 49153);
    assert.equal(publishedPort(inspected, 8080), undefined);
    assert.equal(publishedPort({ NetworkSettings: { Ports: { "3000/tcp": null } } }, 3000), undefined);
  });
});
