// Which engine the docker CLI would talk to: DOCKER_HOST over DOCKER_CONTEXT over config.json's
// currentContext, contexts read from the store ($DOCKER_CONFIG/contexts/meta/<sha256>/meta.json).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ApiClient } from "../../src/engine/api-client.ts";
import { contextDirectoryName, resolveDockerContext } from "../../src/engine/docker-context.ts";
import { parseDockerHost, sshDialArguments } from "../../src/engine/docker-host.ts";

const config = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-docker-config-"));
after(() => fs.rmSync(config, { recursive: true, force: true }));

function addContext(name: string, host: string, tls = false): void {
  const meta = path.join(config, "contexts", "meta", contextDirectoryName(name));
  fs.mkdirSync(meta, { recursive: true });
  fs.writeFileSync(path.join(meta, "meta.json"), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  if (tls) {
    const dir = path.join(config, "contexts", "tls", contextDirectoryName(name), "docker");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "ca.pem"), "CA");
  }
}

describe("docker contexts", () => {
  addContext("remote", "tcp://builder.example:2376", true);
  addContext("viassh", "ssh://ci@builder.example");
  fs.writeFileSync(path.join(config, "config.json"), JSON.stringify({ currentContext: "remote", auths: {} }));

  it("names the store's directories by the SHA-256 of the context name, as the docker CLI does", () => {
    assert.equal(contextDirectoryName("default"), "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f");
  });

  it("follows the docker CLI's order: DOCKER_HOST, DOCKER_CONTEXT, config.json, default", () => {
    assert.deepEqual(resolveDockerContext({ DOCKER_CONFIG: config, DOCKER_HOST: "tcp://x:1", DOCKER_CONTEXT: "viassh" }), { name: "default", source: "DOCKER_HOST", host: "tcp://x:1" });
    assert.equal(resolveDockerContext({ DOCKER_CONFIG: config, DOCKER_CONTEXT: "viassh" }).host, "ssh://ci@builder.example");
    assert.equal(resolveDockerContext({ DOCKER_CONFIG: config }).name, "remote");
    assert.equal(resolveDockerContext({ DOCKER_CONFIG: config, DOCKER_CONTEXT: "default" }).source, "default");
    assert.equal(resolveDockerContext({ DOCKER_CONFIG: path.join(config, "none") }).source, "default");
    assert.equal(resolveDockerContext({ DOCKER_CONFIG: config, DOCKER_HOST: "tcp://x:1" }, "viassh").name, "viassh");
    assert.throws(() => resolveDockerContext({ DOCKER_CONFIG: config, DOCKER_CONTEXT: "nope" }), /docker context "nope" not found/);
  });

  it("turns a context into an endpoint: TLS from the context's store, ssh:// as dial-stdio", () => {
    const remote = parseDockerHost({ DOCKER_CONFIG: config });
    assert.equal(remote.protocol, "https:");
    assert.equal(remote.port, 2376);
    assert.equal(remote.tls?.ca?.toString(), "CA");
    assert.equal(remote.context, "remote");
    assert.match(new ApiClient({ DOCKER_CONFIG: config }).endpoint.display, /^tcp:\/\/builder\.example:2376 \(docker context remote\)$/);
    const ssh = parseDockerHost({ DOCKER_CONFIG: config, DOCKER_CONTEXT: "viassh" });
    assert.deepEqual(ssh.ssh, { host: "builder.example", user: "ci" });
    assert.deepEqual(sshDialArguments({ host: "h", user: "u", port: 22 }), ["-o", "ConnectTimeout=30", "-T", "-l", "u", "-p", "22", "--", "h", "docker", "system", "dial-stdio"]);
  });
});
