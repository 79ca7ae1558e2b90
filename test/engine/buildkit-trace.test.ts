// Fixtures are real Engine API build streams captured from the docker-lab engine (20.10,
// BuildKit built in): a cold build, the same build fully cached, and a failing build.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { decodeStatusResponse } from "../../src/engine/buildkit-trace.ts";
import type { TraceVertex } from "../../src/engine/buildkit-trace.ts";

function finalVertices(fixture: string): Map<string, TraceVertex> {
  const byDigest = new Map<string, TraceVertex>();
  for (const line of fs.readFileSync(`test/fixtures/buildkit/${fixture}.jsonl`, "utf8").trim().split("\n")) {
    const message = JSON.parse(line) as { id?: string; aux?: string };
    if (message.id !== "moby.buildkit.trace" || typeof message.aux !== "string") continue;
    for (const vertex of decodeStatusResponse(message.aux).vertexes) byDigest.set(vertex.digest, vertex);
  }
  return byDigest;
}

describe("decodeStatusResponse", () => {
  it("decodes vertex names, digests and timestamps of a cold build", () => {
    const vertices = [...finalVertices("build-cold").values()];
    const names = vertices.map((vertex) => vertex.name);
    assert.ok(names.includes("[2/3] RUN echo hello-from-run"), names.join(", "));
    const run = vertices.find((vertex) => vertex.name.includes("RUN echo"));
    assert.match(run?.digest ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.ok(run?.started !== undefined && run.completed !== undefined && run.completed >= run.started);
    assert.ok(run.started > Date.UTC(2020, 0, 1), "timestamps are epoch milliseconds");
  });

  it("sees every Dockerfile step cached on the second build", () => {
    const steps = [...finalVertices("build-cached").values()].filter((vertex) => /^\[\d+\/\d+\] (RUN|COPY)/.test(vertex.name));
    assert.equal(steps.length, 2);
    assert.ok(steps.every((vertex) => vertex.cached));
  });

  it("carries the failing step's error and its log output", () => {
    const vertices = [...finalVertices("build-failing").values()];
    const failed = vertices.find((vertex) => vertex.error !== undefined);
    assert.equal(failed?.name, "[4/4] RUN false");
    assert.match(failed?.error ?? "", /exit code: 1/);
    const logs: string[] = [];
    for (const line of fs.readFileSync("test/fixtures/buildkit/build-failing.jsonl", "utf8").trim().split("\n")) {
      const message = JSON.parse(line) as { id?: string; aux?: string };
      if (message.id === "moby.buildkit.trace" && message.aux) logs.push(...decodeStatusResponse(message.aux).logs.map((log) => log.message));
    }
    assert.ok(logs.includes("hello-from-run\n"));
  });

  it("rejects truncated input instead of inventing data", () => {
    const full = Buffer.from(JSON.parse(fs.readFileSync("test/fixtures/buildkit/build-cold.jsonl", "utf8").split("\n")[0] ?? "{}").aux, "base64");
    assert.throws(() => decodeStatusResponse(full.subarray(0, full.length - 5).toString("base64")), /protobuf/);
  });
});
