// `shipshape build` argument handling and the metrics it records; no engine needed (usage errors
// are found before the engine is asked).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ImageBuildReport } from "../../src/builds/summary.ts";
import { buildMetricsRecords, parseBuildArgs } from "../../src/cli/build-command.ts";
import { runCli } from "../../src/cli/main.ts";

let scratch = "";
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-build-command-test-"));
  fs.writeFileSync(path.join(scratch, "Dockerfile"), "FROM debian:bookworm-slim\n");
  fs.mkdirSync(path.join(scratch, "empty"));
});
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  // An engine that cannot answer: usage errors must come first, without waiting for it.
  const code = await runCli(args, { stdout: () => undefined, stderr: (text) => (stderr += text), cwd: scratch, env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" }, isTTY: false });
  return { code, stderr };
}

describe("build arguments", () => {
  it("--build-arg K=V, and K alone from the environment as docker build does", () => {
    assert.deepEqual(parseBuildArgs(["A=1", "B=x=y", "C=", "FROM_ENV", "UNSET"], { FROM_ENV: "env-value" }), { A: "1", B: "x=y", C: "", FROM_ENV: "env-value" });
  });

  it("usage errors exit 2", async () => {
    assert.deepEqual(await cli(["build", "--format", "sarif"]), { code: 2, stderr: "shipshape: --format must be one of tty, json, markdown\n" });
    assert.equal((await cli(["build", "a", "b"])).code, 2);
    assert.equal((await cli(["build", "--driver", "podman"])).code, 2);
    assert.equal((await cli(["build", "--build-arg", "=x"])).code, 2);
    for (const parallel of ["0", "-1", "1.5", "two", ""]) {
      assert.deepEqual(await cli(["build", `--parallel=${parallel}`]), { code: 2, stderr: `shipshape: --parallel must be a whole number >= 1, got '${parallel}'\n` });
    }
    const empty = await cli(["build", "empty"]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /nothing to build in empty/);
  });

  it("no engine is exit 2 with the reason", async () => {
    const result = await cli(["build", "."]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nonexistent\/docker\.sock/);
  });
});

describe("recorded measurements", () => {
  it("one build record per image that built, with size, layers, time and cache hit ratio", () => {
    const base = { origin: "o", steps: 4, cachedSteps: 3, cacheHitRatio: 0.75 };
    const images: ImageBuildReport[] = [
      { ...base, name: "api", tag: "shipshape/shop-api:latest", ok: true, imageId: "sha256:a", sizeBytes: 1000, layers: 7, durationMs: 1234 },
      { ...base, name: "web", tag: "shipshape/shop-web:latest", ok: false, durationMs: 50, error: { message: "failed", logTail: [] } },
    ];
    assert.deepEqual(
      buildMetricsRecords(images, (name) => `/repo/${name}/Dockerfile`),
      [{ kind: "build", image: "shipshape/shop-api:latest", dockerfile: "/repo/api/Dockerfile", metrics: { sizeBytes: 1000, layers: 7, durationMs: 1234, cacheHitRatio: 0.75 } }],
    );
  });
});
