import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { describe, it } from "node:test";
import { choosePort, httpGet, portIsFree, startFailure } from "../../src/verify/run.ts";

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen({ port, host: "0.0.0.0" }, () => resolve((server.address() as net.AddressInfo).port)));
}

describe("--http plumbing", () => {
  it("uses the app's port when it is free, another free port when it is taken", async () => {
    const busy = net.createServer();
    const taken = await listen(busy);
    try {
      assert.equal(await portIsFree(taken), false);
      const chosen = await choosePort(taken);
      assert.notEqual(chosen, taken);
      assert.equal(await portIsFree(chosen), true);
    } finally {
      busy.close();
    }
    const free = await choosePort(0);
    assert.ok(free > 0);
    assert.equal(await choosePort(free), free, "a free preferred port is kept");
  });

  it("GETs status, content type and body; a closed port is an error, not an exception", async () => {
    const server = http.createServer((request, response) => {
      response.statusCode = request.url === "/missing" ? 404 : 200;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ url: request.url }));
    });
    const port = await listen(server);
    try {
      assert.deepEqual(await httpGet(port, "/a?b=1", 2000), { status: 200, contentType: "application/json", body: '{"url":"/a?b=1"}' });
      assert.equal(((await httpGet(port, "/missing", 2000)) as { status: number }).status, 404);
    } finally {
      server.close();
    }
    assert.deepEqual(await httpGet(port, "/", 2000), { error: "ECONNREFUSED" });
  });

  it("keeps the useful part of the runtime's start failure", () => {
    const message = 'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "-e": executable file not found in $PATH: unknown';
    assert.equal(startFailure(message), 'exec: "-e": executable file not found in $PATH');
    assert.equal(startFailure("something else"), "something else");
  });
});
