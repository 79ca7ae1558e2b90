// Against a real Docker Engine (../shared/docker-lab): builds through the Engine API, cache hits,
// failures, the files the engine sees, agreement with Debian's BuildKit client, inspect and run.
// Skips with the reason when no engine answers, unless SHIPSHAPE_REQUIRE_DOCKER=1 (then fails).
// Everything created is labelled shipshape.test=true and removed afterwards.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { planContext } from "../../src/engine/context-tar.ts";
import { parseStepName } from "../../src/engine/progress.ts";
import type { BuildEvent, BuildOptions, BuildResult, BuildStep } from "../../src/engine/types.ts";
import { engineStatus, REQUIRE_DOCKER, TEST_NETWORK } from "../helpers/engine.ts";

const BASE = "debian:bookworm-slim";
const LABELS = { "shipshape.test": "true" };
const DEBIAN_CLIENT = "/usr/bin/docker";
const required = REQUIRE_DOCKER;
const engine = new ApiEngine();

const { problem, skip } = await engineStatus(engine, [BASE]);
const hasDebianClient = fs.existsSync(DEBIAN_CLIENT);

let scratch = "";
const createdTags: string[] = [];

function tag(purpose: string): string {
  const name = `shipshape-test-${purpose}:${randomBytes(4).toString("hex")}`;
  createdTags.push(name);
  return name;
}

function context(name: string, files: Record<string, string | { link: string } | { mode: number; text: string }>): string {
  const root = path.join(scratch, name);
  fs.mkdirSync(root, { recursive: true });
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    if (relative.endsWith("/")) {
      fs.mkdirSync(file, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === "string") fs.writeFileSync(file, content);
    else if ("link" in content) fs.symlinkSync(content.link, file);
    else fs.writeFileSync(file, content.text, { mode: content.mode });
  }
  return root;
}

async function build(options: BuildOptions, events?: BuildEvent[]): Promise<BuildResult> {
  const result = await engine.build({ labels: LABELS, networkMode: TEST_NETWORK, ...options }, events ? (event) => events.push(event) : undefined);
  return result;
}

function dockerfileSteps(steps: BuildStep[]): BuildStep[] {
  return steps.filter((step) => !step.internal);
}

/** `DOCKER_BUILDKIT=1 /usr/bin/docker build --progress=plain`; returns the step names and which were CACHED. */
function debianBuild(dir: string, args: string[]): Promise<{ code: number; output: string; steps: { name: string; cached: boolean }[] }> {
  return new Promise((resolve) => {
    execFile(
      DEBIAN_CLIENT,
      ["build", "--progress=plain", "--network", "host", "--label", "shipshape.test=true", ...args, dir],
      { env: { ...process.env, DOCKER_BUILDKIT: "1" }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const names = new Map<string, string>();
        const cached = new Set<string>();
        for (const line of output.split("\n")) {
          const named = /^#(\d+) (\[.*)$/.exec(line);
          if (named && !names.has(named[1] as string)) names.set(named[1] as string, named[2] as string);
          const hit = /^#(\d+) CACHED$/.exec(line);
          if (hit) cached.add(hit[1] as string);
        }
        const steps = [...names.entries()].filter(([, name]) => !parseStepName(name).internal).map(([id, name]) => ({ name, cached: cached.has(id) }));
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output, steps });
      },
    );
  });
}

/** What `find` prints inside an image, as context-relative paths. */
async function listing(image: string, command: string): Promise<string[]> {
  const run = await engine.run({ image, args: ["sh", "-c", command], network: "none" });
  assert.equal(run.exitCode, 0, run.stderr);
  return run.stdout
    .split("\n")
    .filter((line) => line !== "")
    .sort();
}

describe("Docker Engine API driver (real engine)", { skip }, () => {
  before(() => {
    if (problem !== undefined) throw new Error(`SHIPSHAPE_REQUIRE_DOCKER=1 but ${problem}`);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-engine-test-"));
  });
  after(async () => {
    for (const name of createdTags) await engine.removeImage(name).catch(() => undefined);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("builds: the RUN step runs cold, then every step is cached", async (t) => {
    const nonce = randomBytes(8).toString("hex");
    const dir = context("cold-warm", { Dockerfile: `FROM ${BASE}\nRUN echo built-${nonce} > /built.txt\nCMD ["cat", "/built.txt"]\n` });
    const image = tag("cold");
    const events: BuildEvent[] = [];
    const cold = await build({ contextDir: dir, tags: [image] }, events);
    assert.equal(cold.ok, true, JSON.stringify(cold.error));
    assert.match(cold.imageId ?? "", /^sha256:[0-9a-f]{64}$/);
    const run = cold.steps.find((step) => step.name === `[2/2] RUN echo built-${nonce} > /built.txt`);
    assert.ok(run, cold.steps.map((step) => step.name).join(", "));
    assert.equal(run.cached, false);
    assert.equal(run.stage, "2/2");
    assert.ok(run.started !== undefined && run.completed !== undefined && run.completed >= run.started);
    assert.ok(events.some((event) => event.type === "step" && event.step.id === run.id && event.step.completed === undefined), "progress arrives while the step runs");
    assert.ok(events.some((event) => event.type === "step" && event.step.id === run.id && event.step.completed !== undefined));

    const warm = await build({ contextDir: dir, tags: [image] });
    assert.equal(warm.ok, true);
    assert.equal(warm.imageId, cold.imageId);
    // FROM a local image is "cached" or not at BuildKit's whim; the steps that do work are what count.
    const warmSteps = dockerfileSteps(warm.steps).filter((step) => !parseStepName(step.name).instruction.startsWith("FROM"));
    assert.ok(warmSteps.length === 1 && warmSteps.every((step) => step.cached), JSON.stringify(warm.steps));
    t.diagnostic(`cold build ${cold.durationMs} ms, cached rebuild ${warm.durationMs} ms`);

    const config = await engine.inspectImage(image);
    assert.equal(config.id, cold.imageId);
    assert.deepEqual(config.cmd, ["cat", "/built.txt"]);
    assert.equal(config.labels["shipshape.test"], "true");
    assert.ok(config.layers.length >= 2);
    assert.equal(config.history.filter((entry) => !entry.emptyLayer).length, config.layers.length, "non-empty history entries match the layers");
    assert.ok(config.history.some((entry) => entry.createdBy.includes(`built-${nonce}`)));
  });

  it("reports a failing build with the failing step and its log tail", async (t) => {
    const nonce = randomBytes(8).toString("hex");
    const dir = context("failing", { Dockerfile: `FROM ${BASE}\nRUN echo ${nonce} && for i in $(seq 1 30); do echo line-$i; done && exit 3\nRUN echo never\n` });
    const result = await build({ contextDir: dir, tags: [tag("failing")] });
    assert.equal(result.ok, false);
    assert.equal(result.imageId, undefined);
    assert.match(result.error?.step ?? "", /^\[2\/3\] RUN echo [0-9a-f]+ && for i in/);
    assert.match(result.error?.message ?? "", /exit code: 3/);
    assert.deepEqual(result.error?.logTail, Array.from({ length: 20 }, (_, index) => `line-${index + 11}`));
    assert.equal(result.steps.find((step) => step.name.startsWith("[2/3]"))?.error !== undefined, true);
    t.diagnostic(`failing build ${result.durationMs} ms`);
  });

  it("sends exactly the files we meant to send, as Debian's BuildKit client does", async () => {
    const longName = `${"deep/".repeat(12)}${"n".repeat(110)}.txt`;
    const dir = context("sent", {
      ".dockerignore": "node_modules\n**/*.log\ndist\n!dist/keep.txt\n.git\nsecrets/\n.dockerignore\n",
      Dockerfile: `FROM ${BASE}\nCOPY . /ctx\nRUN cd /ctx && find . -mindepth 1 | sed 's|^\\./||' | sort > /files.txt\n`,
      "src/index.js": "console.log(1)\n",
      "src/lib/util.js": "export {}\n",
      "src/debug.log": "log",
      "app.log": "log",
      "node_modules/left-pad/index.js": "x",
      "dist/bundle.js": "bundle",
      "dist/keep.txt": "keep",
      ".git/HEAD": "ref: refs/heads/main\n",
      "secrets/token": "s3cr3t",
      [longName]: "long",
      "données/ünïcødé.txt": "unicode",
      "bin/run.sh": { mode: 0o755, text: "#!/bin/sh\necho run\n" },
      "latest": { link: "src/index.js" },
      "empty-dir/": "",
    });
    const plan = await planContext({ contextDir: dir });
    const expected = [...plan.sentPaths].sort();
    assert.ok(expected.includes(longName) && expected.includes("latest") && expected.includes("empty-dir") && expected.includes("dist/keep.txt"));
    assert.ok(!expected.some((name) => name.endsWith(".log") || name.startsWith("node_modules") || name.startsWith("secrets") || name === ".dockerignore" || name === "dist/bundle.js"));

    const image = tag("sent");
    const result = await build({ contextDir: dir, tags: [image] });
    assert.equal(result.ok, true, JSON.stringify(result.error));
    const seen = await listing(image, "cat /files.txt");
    assert.deepEqual(seen, expected);
    const files = await listing(image, "cd /ctx && find . -type f | sed 's|^\\./||'");
    assert.deepEqual(files, [...plan.sentFiles].sort());
    const modes = await listing(image, "stat -c '%a %n' /ctx/bin/run.sh && readlink /ctx/latest");
    assert.deepEqual(modes, ["755 /ctx/bin/run.sh", "src/index.js"]);

    if (!hasDebianClient) {
      if (required) assert.fail(`${DEBIAN_CLIENT} is missing`);
      return;
    }
    const debianImage = tag("sent-debian");
    const debian = await debianBuild(dir, ["-t", debianImage]);
    assert.equal(debian.code, 0, debian.output);
    assert.deepEqual(await listing(debianImage, "cat /files.txt"), expected, "Debian's docker build (BuildKit session) sends the same files");
  });

  it("sees the same steps and cache hits as Debian's BuildKit client", { skip: !hasDebianClient && !required ? `${DEBIAN_CLIENT} is missing` : false }, async (t) => {
    // One Dockerfile; a build argument keeps each client's first build cold.
    const dir = context("compare", {
      Dockerfile: `FROM ${BASE}\nARG NONCE\nRUN echo "nonce $NONCE" > /nonce.txt\nCOPY app.txt /app/\nRUN wc -c /app/app.txt\n`,
      "app.txt": "hello\n",
    });
    // BuildKit shows the step with $NONCE expanded; FROM a local image is "cached" at BuildKit's whim.
    // Sorted by name ([1/4], [2/4], ...): when everything is cached, the order in which BuildKit
    // reports the vertices varies (FROM may come last).
    const compare = (steps: { name: string; cached: boolean }[], nonce: string) =>
      steps
        .map((step) => [step.name.replace(nonce, "$NONCE"), parseStepName(step.name).instruction.startsWith("FROM") ? "from" : step.cached] as const)
        .sort((a, b) => a[0].localeCompare(b[0]));

    const apiNonce = randomBytes(8).toString("hex");
    const apiTag = tag("compare-api");
    const apiCold = await build({ contextDir: dir, tags: [apiTag], buildArgs: { NONCE: apiNonce } });
    const apiWarm = await build({ contextDir: dir, tags: [apiTag], buildArgs: { NONCE: apiNonce } });
    assert.ok(apiCold.ok && apiWarm.ok);

    const debianNonce = randomBytes(8).toString("hex");
    const debianTag = tag("compare-debian");
    const started = Date.now();
    const debianCold = await debianBuild(dir, ["-t", debianTag, "--build-arg", `NONCE=${debianNonce}`]);
    const debianColdMs = Date.now() - started;
    const debianWarm = await debianBuild(dir, ["-t", debianTag, "--build-arg", `NONCE=${debianNonce}`]);
    assert.equal(debianCold.code, 0, debianCold.output);
    assert.equal(debianWarm.code, 0, debianWarm.output);

    const names = ["[1/4] FROM docker.io/library/debian:bookworm-slim", '[2/4] RUN echo "nonce $NONCE" > /nonce.txt', "[3/4] COPY app.txt /app/", "[4/4] RUN wc -c /app/app.txt"];
    assert.deepEqual(compare(dockerfileSteps(apiCold.steps), apiNonce).map(([name]) => name), names);
    assert.deepEqual(compare(debianCold.steps, debianNonce).map(([name]) => name), names);
    assert.deepEqual(compare(dockerfileSteps(apiCold.steps), apiNonce), compare(debianCold.steps, debianNonce));
    assert.deepEqual(compare(dockerfileSteps(apiWarm.steps), apiNonce), compare(debianWarm.steps, debianNonce));
    assert.deepEqual(compare(debianWarm.steps, debianNonce).map(([, cached]) => cached), ["from", true, true, true]);
    assert.deepEqual(compare(debianCold.steps, debianNonce).map(([, cached]) => cached), ["from", false, false, false]);

    // Both go through the same engine cache: the API's RUN is a cache hit for the Debian client.
    const shared = await debianBuild(dir, ["-t", tag("compare-shared"), "--build-arg", `NONCE=${apiNonce}`]);
    assert.equal(shared.steps.find((step) => step.name.startsWith("[2/4]"))?.cached, true, shared.output);
    t.diagnostic(`API cold ${apiCold.durationMs} ms / cached ${apiWarm.durationMs} ms; Debian client cold ${debianColdMs} ms`);
  });

  it("cancels a running build when its signal aborts", async () => {
    const dir = context("abort", { Dockerfile: `FROM ${BASE}\nRUN echo ${randomBytes(8).toString("hex")} && sleep 60\n` });
    const controller = new AbortController();
    const started = Date.now();
    const building = engine.build({ contextDir: dir, tags: [tag("abort")], labels: LABELS, networkMode: TEST_NETWORK, signal: controller.signal }, (event) => {
      if (event.type === "step" && event.step.name.includes("sleep 60") && event.step.started !== undefined) controller.abort();
    });
    await assert.rejects(building, (error: unknown) => error instanceof Error && error.name === "AbortError");
    assert.ok(Date.now() - started < 20_000, "the build stopped before its sleep ended");
  });

  it("runs containers without network and reports exit code, stdout, stderr and timeouts", async () => {
    const result = await engine.run({ image: BASE, args: ["sh", "-c", "ls /sys/class/net; echo to-stderr >&2; exit 3"], network: "none", env: { GREETING: "hi" } });
    assert.deepEqual(result, { exitCode: 3, stdout: "lo\n", stderr: "to-stderr\n", timedOut: false });
    const env = await engine.run({ image: BASE, entrypoint: ["/bin/sh", "-c"], args: ["echo $GREETING"], network: "none", env: { GREETING: "hello" } });
    assert.equal(env.stdout, "hello\n");
    const started = Date.now();
    const slow = await engine.run({ image: BASE, args: ["sleep", "60"], network: "none", timeoutMs: 500 });
    assert.equal(slow.timedOut, true);
    assert.notEqual(slow.exitCode, 0);
    assert.ok(Date.now() - started < 15_000);
  });

  it("exports an image as a docker-archive tar", async () => {
    const dir = context("export", { Dockerfile: "FROM scratch\nCOPY hello.txt /\n", "hello.txt": "hello\n" });
    const image = tag("export");
    const result = await build({ contextDir: dir, tags: [image] });
    assert.equal(result.ok, true, JSON.stringify(result.error));
    const chunks: Buffer[] = [];
    for await (const chunk of await engine.exportImage(image)) chunks.push(chunk as Buffer);
    const archive = Buffer.concat(chunks);
    const names: string[] = [];
    for (let offset = 0; offset + 512 <= archive.length; ) {
      const name = archive.toString("utf8", offset, offset + 100).split("\0")[0] ?? "";
      if (name === "") break;
      names.push(name);
      const size = Number.parseInt(archive.toString("latin1", offset + 124, offset + 136).split("\0")[0]?.trim() || "0", 8);
      offset += 512 + Math.ceil(size / 512) * 512;
    }
    assert.ok(names.includes("manifest.json"), names.join(", "));
  });
});
