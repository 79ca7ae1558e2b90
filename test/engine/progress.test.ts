// BuildKit progress -> steps, events and errors, for both drivers: the Engine API's trace
// messages (real captures in test/fixtures/buildkit) and buildx's rawjson lines (hand-written
// fixtures in test/fixtures/engine, run through a fake docker CLI).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeStatusResponse } from "../../src/engine/buildkit-trace.ts";
import { BuildxEngine, buildxArgs, buildxAvailable } from "../../src/engine/buildx-engine.ts";
import { BuildProgress, parseRawJsonLine, parseStepName } from "../../src/engine/progress.ts";
import { createEngine } from "../../src/engine/select.ts";
import type { BuildEvent, Engine } from "../../src/engine/types.ts";

const FIXTURES = "test/fixtures/engine";

let scratch = "";
let fakeDocker = "";
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-progress-test-"));
  // A copy, so that the executable bit does not depend on how the repository was checked out.
  fakeDocker = path.join(scratch, "docker");
  fs.copyFileSync(path.join(FIXTURES, "fake-docker.sh"), fakeDocker);
  fs.chmodSync(fakeDocker, 0o755);
});
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

function traceProgress(fixture: string, onEvent?: (event: BuildEvent) => void): BuildProgress {
  const progress = new BuildProgress(onEvent);
  for (const line of fs.readFileSync(`test/fixtures/buildkit/${fixture}.jsonl`, "utf8").trim().split("\n")) {
    const message = JSON.parse(line) as { id?: string; aux?: unknown };
    if (message.id === "moby.buildkit.trace" && typeof message.aux === "string") progress.apply(decodeStatusResponse(message.aux));
  }
  return progress;
}

/** An Engine that must not be reached (the buildx driver's non-build methods delegate to it). */
const unreachableApi: Engine = {
  kind: "api",
  ping: () => Promise.resolve("fake"),
  build: () => Promise.reject(new Error("not used")),
  inspectImage: () => Promise.reject(new Error("not used")),
  exportImage: () => Promise.reject(new Error("not used")),
  removeImage: () => Promise.reject(new Error("not used")),
  run: () => Promise.reject(new Error("not used")),
  startContainer: () => Promise.reject(new Error("not used")),
  stopContainer: () => Promise.reject(new Error("not used")),
  containerState: () => Promise.reject(new Error("not used")),
};

describe("step names", () => {
  it("parses stage, index and instruction", () => {
    assert.deepEqual(parseStepName("[2/5] RUN npm ci"), { stage: "2/5", index: 2, total: 5, instruction: "RUN npm ci", internal: false });
    assert.deepEqual(parseStepName("[build 2/5] RUN make"), { stage: "build 2/5", stageName: "build", index: 2, total: 5, instruction: "RUN make", internal: false });
    assert.equal(parseStepName("[stage-1 3/3] COPY --from=build /a /b").stageName, "stage-1");
    assert.equal(parseStepName("[linux/amd64 build 1/2] FROM x").stageName, "linux/amd64 build");
    assert.deepEqual(parseStepName("[internal] load metadata for docker.io/library/debian:bookworm-slim"), { instruction: "load metadata for docker.io/library/debian:bookworm-slim", internal: true });
    assert.equal(parseStepName("exporting to image").internal, true);
    assert.equal(parseStepName("copy /context /").internal, true);
  });
});

describe("Engine API trace progress", () => {
  it("turns a cold build into steps with stages, timestamps and logs", () => {
    const events: BuildEvent[] = [];
    const steps = traceProgress("build-cold", (event) => events.push(event)).steps();
    const run = steps.find((step) => step.name === "[2/3] RUN echo hello-from-run");
    assert.ok(run, steps.map((step) => step.name).join(", "));
    assert.equal(run.stage, "2/3");
    assert.equal(run.cached, false);
    assert.equal(run.internal, false);
    assert.ok(run.started !== undefined && run.completed !== undefined && run.completed >= run.started);
    assert.ok(steps.some((step) => step.internal && step.name.startsWith("[internal]")));
    assert.ok(events.some((event) => event.type === "log" && event.stepId === run.id && event.text.includes("hello-from-run")));
    // Repeated identical vertex updates are reported once.
    const runEvents = events.filter((event) => event.type === "step" && event.step.id === run.id);
    assert.equal(new Set(runEvents.map((event) => JSON.stringify(event))).size, runEvents.length);
  });

  it("marks every Dockerfile step cached on the second build", () => {
    const steps = traceProgress("build-cached").steps().filter((step) => !step.internal && !step.name.includes("FROM"));
    assert.ok(steps.length >= 2);
    assert.ok(steps.every((step) => step.cached), JSON.stringify(steps));
  });

  it("names the failing step and keeps its log tail", () => {
    const progress = traceProgress("build-failing");
    const failure = progress.failure("executor failed running [/bin/sh -c false]: exit code: 1");
    assert.equal(failure?.step, "[4/4] RUN false");
    assert.match(failure?.message ?? "", /exit code: 1/);
    const run = progress.steps().find((step) => step.name.includes("hello-from-run"));
    assert.ok(run && progress.logTail(run.id).includes("hello-from-run"));
  });
});

describe("buildx rawjson progress", () => {
  it("parses SolveStatus lines: vertexes, RFC 3339 times, base64 logs and warnings", () => {
    const lines = fs.readFileSync(path.join(FIXTURES, "buildx-ok.stderr"), "utf8").trim().split("\n");
    const updates = lines.map(parseRawJsonLine);
    assert.ok(updates.every((update) => update !== undefined));
    const run = updates.flatMap((update) => update?.vertexes ?? []).find((vertex) => vertex.completed !== undefined && vertex.name.includes("RUN echo hello"));
    assert.equal(run?.name, "[build 2/3] RUN echo hello && echo warn >&2", "Go's \\u0026-style escapes decode");
    assert.equal(run?.started, Date.parse("2025-03-04T10:00:01.100Z"));
    assert.equal(run?.completed, Date.parse("2025-03-04T10:00:01.500Z"));
    const logs = updates.flatMap((update) => update?.logs ?? []);
    assert.deepEqual(logs.map((log) => [log.stream, log.message]), [
      [1, "hello\n"],
      [2, "warn\n"],
    ]);
    assert.match(updates.flatMap((update) => update?.warnings ?? [])[0]?.short ?? "", /FromAsCasing/);
    assert.equal(parseRawJsonLine("ERROR: failed to solve: boom"), undefined);
    assert.equal(parseRawJsonLine('{"stream":"not a SolveStatus"}'), undefined);
  });

  it("runs docker buildx build and reports steps, cache hits, logs and the image id", async () => {
    const context = path.join(scratch, "ctx-ok");
    fs.mkdirSync(context, { recursive: true });
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM debian:bookworm-slim\n");
    const argsFile = path.join(scratch, "args-ok.txt");
    const env = { ...process.env, FAKE_BUILDX_STDERR: path.join(FIXTURES, "buildx-ok.stderr"), FAKE_BUILDX_IID: `sha256:${"7".repeat(64)}`, FAKE_BUILDX_ARGS: argsFile };
    const engine = new BuildxEngine({ env, dockerBinary: fakeDocker, api: unreachableApi });
    const events: BuildEvent[] = [];
    const result = await engine.build(
      { contextDir: context, tags: ["app:1", "app:latest"], target: "build", buildArgs: { A: "1" }, noCache: true, platform: "linux/amd64", networkMode: "host", labels: { "shipshape.test": "true" }, cacheFrom: ["type=gha"], cacheTo: ["type=local,dest=/tmp/c"], secrets: { npmrc: "/tmp/npmrc" } },
      (event) => events.push(event),
    );
    assert.equal(result.ok, true, JSON.stringify(result.error));
    assert.equal(result.imageId, `sha256:${"7".repeat(64)}`);
    const dockerfileSteps = result.steps.filter((step) => !step.internal);
    assert.deepEqual(
      dockerfileSteps.map((step) => [step.name.replace(/@sha256:.*/, ""), step.stage, step.cached]),
      [
        ["[build 1/3] FROM docker.io/library/debian:bookworm-slim", "build 1/3", true],
        ["[build 2/3] RUN echo hello && echo warn >&2", "build 2/3", false],
        ["[build 3/3] COPY app.txt /app/", "build 3/3", true],
        ["[stage-1 2/2] COPY --from=build /app /app", "stage-1 2/2", false],
      ],
    );
    assert.ok(events.some((event) => event.type === "log" && event.stream === "stderr" && event.text === "warn\n"));
    assert.ok(events.some((event) => event.type === "message" && event.text.includes("FromAsCasing")));
    const args = fs.readFileSync(argsFile, "utf8").trim().split("\n");
    for (const expected of [["--progress=rawjson"], ["--load"], ["--network", "host"], ["--target", "build"], ["--build-arg", "A=1"], ["--no-cache"], ["--platform", "linux/amd64"], ["--tag", "app:1"], ["--tag", "app:latest"], ["--label", "shipshape.test=true"], ["--cache-from", "type=gha"], ["--cache-to", "type=local,dest=/tmp/c"], ["--secret", "id=npmrc,src=/tmp/npmrc"]]) {
      assert.ok(`\n${args.join("\n")}\n`.includes(`\n${expected.join("\n")}\n`), `${expected.join(" ")} in ${args.join(" ")}`);
    }
    assert.equal(args.at(-1), context);
  });

  it("reports the failing step, buildx's error and the last 20 log lines", async () => {
    const context = path.join(scratch, "ctx-fail");
    fs.mkdirSync(context, { recursive: true });
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM debian:bookworm-slim\n");
    fs.writeFileSync(path.join(context, "Dockerfile.dockerignore"), "secret\n");
    const argsFile = path.join(scratch, "args-fail.txt");
    const env = { ...process.env, FAKE_BUILDX_STDERR: path.join(FIXTURES, "buildx-failing.stderr"), FAKE_BUILDX_EXIT: "1", FAKE_BUILDX_ARGS: argsFile };
    const engine = new BuildxEngine({ env, dockerBinary: fakeDocker, api: unreachableApi });
    const result = await engine.build({ contextDir: context, dockerfileText: "FROM x\n" });
    assert.equal(result.ok, false);
    assert.equal(result.imageId, undefined);
    assert.match(result.error?.step ?? "", /^\[build 2\/3\] RUN for i in/);
    assert.match(result.error?.message ?? "", /^failed to solve: .*exit code: 7$/);
    assert.deepEqual(result.error?.logTail, Array.from({ length: 20 }, (_, index) => `line-${index + 3}`));
    // Dockerfile text goes to a temporary file (removed afterwards), not into the context.
    const args = fs.readFileSync(argsFile, "utf8").trim().split("\n");
    const dockerfile = args[args.indexOf("--file") + 1] ?? "";
    assert.ok(!dockerfile.startsWith(context) && dockerfile.endsWith("/Dockerfile"), dockerfile);
    assert.equal(fs.existsSync(dockerfile), false);
  });

  it("builds a minimal command line: rawjson progress, --load, the engine's default network, the context last", () => {
    const args = buildxArgs({ contextDir: "/ctx" }, { dockerfile: "/tmp/x/Dockerfile", iidfile: "/tmp/x/iid" });
    assert.deepEqual(args, ["buildx", "build", "--progress=rawjson", "--load", "--iidfile", "/tmp/x/iid", "--file", "/tmp/x/Dockerfile", "/ctx"]);
  });
});

describe("driver selection", () => {
  it("uses buildx when `docker buildx version` works, the API otherwise, and obeys --driver", async () => {
    assert.equal(await buildxAvailable(process.env, fakeDocker), true);
    assert.equal(await buildxAvailable(process.env, path.join(scratch, "no-such-docker")), false);
    assert.equal((await createEngine({ env: process.env, dockerBinary: fakeDocker })).kind, "buildx");
    assert.equal((await createEngine({ env: process.env, driver: "api", dockerBinary: fakeDocker })).kind, "api");
    assert.equal((await createEngine({ env: process.env, dockerBinary: path.join(scratch, "no-such-docker") })).kind, "api");
    await assert.rejects(createEngine({ env: process.env, driver: "buildx", dockerBinary: path.join(scratch, "no-such-docker") }), /buildx version.*failed.*--driver api/);
  });
});
