// `shipshape clean` against a real engine: a PRIVATE dockerd on a loopback TCP port (the lab
// engine is shared and is never pruned), which also makes these the remote-engine tests
// (DOCKER_HOST=tcp://, a docker context, ssh:// through `docker system dial-stdio`).
// Two projects' images: the other project's survive, an image a stopped container uses survives,
// the base survives, the dry-run plan is exactly what the real run removes, and a second run
// removes nothing. Skips with the reason without dockerd or the lab engine, unless
// SHIPSHAPE_REQUIRE_DOCKER=1 (then fails).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { runMonitorCommand } from "../../src/cli/monitor-command.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { contextDirectoryName } from "../../src/engine/docker-context.ts";
import { engineStatus, failIfRequired, REQUIRE_DOCKER, TEST_NETWORK } from "../helpers/engine.ts";
import { privateEngineProblem, startPrivateEngine, type PrivateEngine } from "../helpers/private-engine.ts";

const BASE = "debian:bookworm-slim";
const lab = await engineStatus(new ApiEngine(), [BASE]);
const dockerdProblem = privateEngineProblem();
const problem = lab.problem ?? dockerdProblem;
const skip = problem !== undefined && !REQUIRE_DOCKER ? `no private engine: ${problem}` : false;
const MAIN = path.resolve(import.meta.dirname, "../../src/cli/main.ts");

let engine: PrivateEngine | undefined;
let scratch = "";
let alpha = "";
let beta = "";
const ids: Record<string, string> = {};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function build(project: string, dir: string, tag: string, content: string): Promise<string> {
  fs.writeFileSync(path.join(dir, "Dockerfile"), `FROM ${BASE}\nRUN --mount=type=cache,target=/var/cache/test echo ${content} > /var/cache/test/x && head -c 200000 /dev/urandom > /payload && echo ${content} > /version\n`);
  const result = await engine!.engine.build({ contextDir: dir, tags: [tag], networkMode: TEST_NETWORK, labels: { "shipshape.build": "1", "shipshape.project": project } });
  assert.ok(result.ok, result.error?.message);
  return result.imageId ?? "";
}

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env, isTTY: false });
  return { code, stdout, stderr };
}

async function imageIds(): Promise<Set<string>> {
  const images = await engine!.client.json<{ Id: string }[]>("/images/json", { query: { all: true } });
  return new Set(images.map((image) => image.Id));
}

describe("shipshape clean against a private engine (tcp://127.0.0.1)", { skip, timeout: 240_000 }, () => {
  before(async () => {
    if (problem !== undefined) return;
    engine = await startPrivateEngine("disk", [BASE]);
    scratch = await fs.promises.mkdtemp(path.join(os.tmpdir(), "shipshape-clean-"));
    alpha = path.join(scratch, "alpha");
    beta = path.join(scratch, "beta");
    fs.mkdirSync(alpha);
    fs.mkdirSync(beta);
    // alpha: v1 (used by a stopped container), v2, v3, and an untagged older build of v3's tag.
    ids.alphaV1 = await build("alpha", alpha, "shipshape/alpha-alpha:v1", "a1");
    await sleep(1100);
    ids.alphaV2 = await build("alpha", alpha, "shipshape/alpha-alpha:v2", "a2");
    await sleep(1100);
    ids.alphaDangling = await build("alpha", alpha, "shipshape/alpha-alpha:v3", "a3-old");
    await sleep(1100);
    ids.alphaV3 = await build("alpha", alpha, "shipshape/alpha-alpha:v3", "a3");
    // beta: another project, with old versions of its own.
    ids.betaV1 = await build("beta", beta, "shipshape/beta-beta:v1", "b1");
    await sleep(1100);
    ids.betaV2 = await build("beta", beta, "shipshape/beta-beta:v2", "b2");
    const created = await engine.client.json<{ Id: string }>("/containers/create", { method: "POST", query: { name: "shipshape-disk-test-user" }, body: { Image: "shipshape/alpha-alpha:v1", Cmd: ["true"], Labels: { "shipshape.test": "true" } } });
    ids.container = created.Id;
  });

  after(async () => {
    await engine?.stop();
    if (scratch !== "") await fs.promises.rm(scratch, { recursive: true, force: true });
  });

  it("plans exactly what it removes, keeps what it must, and a second run removes nothing", async () => {
    failIfRequired({ problem, skip });
    const env = engine!.env;
    const beforeIds = await imageIds();
    const dry = await cli(["clean", "--dry-run", "--keep-images", "1", "--max-cache", "0", "--format", "json"], alpha, env);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as {
      plan: { images: { id: string; references: string[]; reason: string }[]; cache: { records: { id: string }[] }; kept: { id: string; reason: string }[] };
      before: { images: { count: number } };
    };
    const plannedIds = new Set(plan.plan.images.map((image) => image.id));
    // v2 is older than the newest (v3); the untagged old v3 is dangling; v1 is in use.
    assert.deepEqual(plannedIds, new Set([ids.alphaV2, ids.alphaDangling]));
    assert.equal(plan.plan.images.find((image) => image.id === ids.alphaDangling)?.reason, "dangling");
    assert.deepEqual(plan.plan.kept.find((kept) => kept.id === ids.alphaV1)?.reason, "in-use");
    assert.deepEqual(plan.plan.kept.find((kept) => kept.id === ids.alphaV3)?.reason, "newest");
    assert.ok(plan.plan.cache.records.length > 0, "the builds left unused cache records");
    assert.deepEqual(await imageIds(), beforeIds, "the dry run removed nothing");
    assert.ok(plannedIds.size > 0 && [...plannedIds].every((id) => beforeIds.has(id)));

    const real = await cli(["clean", "--keep-images", "1", "--max-cache", "0", "--format", "json"], alpha, env);
    assert.equal(real.code, 0, real.stdout);
    const done = JSON.parse(real.stdout) as {
      removed: { images: string[]; cacheRecords: string[]; cacheBytes: number };
      before: { totalBytes: number };
      after: { totalBytes: number; buildCache: { count: number } };
      reclaimedBytes: number;
      plan: { images: { id: string }[]; cache: { records: { id: string }[] } };
    };
    assert.deepEqual(new Set(done.removed.images), plannedIds, "the real run removed exactly the planned images");
    // The cache is planned again once the images are gone (their records are free then): the
    // prune removes exactly that plan, which contains every record the dry run listed.
    assert.deepEqual(new Set(done.removed.cacheRecords), new Set(done.plan.cache.records.map((record) => record.id)), "the prune removed exactly the planned cache records");
    for (const record of plan.plan.cache.records) assert.ok(done.removed.cacheRecords.includes(record.id), `dry-run record ${record.id} removed`);
    const afterIds = await imageIds();
    for (const id of plannedIds) assert.ok(!afterIds.has(id), `${id} removed`);
    for (const survivor of [ids.alphaV1, ids.alphaV3, ids.betaV1, ids.betaV2]) assert.ok(afterIds.has(survivor ?? ""), `${survivor} survives`);
    const base = await engine!.engine.inspectImage(BASE);
    assert.ok(afterIds.has(base.id), "the base image survives");
    assert.ok(done.reclaimedBytes > 0 && done.reclaimedBytes === done.before.totalBytes - done.after.totalBytes);

    const again = await cli(["clean", "--keep-images", "1", "--max-cache", "0", "--format", "json"], alpha, env);
    const second = JSON.parse(again.stdout) as { removed: { images: string[]; untagged: string[]; cacheRecords: string[] }; plan: { images: unknown[] } };
    assert.deepEqual(second.plan.images, []);
    assert.deepEqual(second.removed, { containers: [], images: [], untagged: [], cacheRecords: [], cacheBytes: 0 });
  });

  it("--all-projects reaches the other project's old images; --aggressive removes the stopped container and then its image", async () => {
    failIfRequired({ problem, skip });
    const dry = await cli(["clean", "--dry-run", "--all-projects", "--format", "json", "--keep-images", "1"], alpha, engine!.env);
    const plan = JSON.parse(dry.stdout) as { plan: { images: { id: string }[] } };
    assert.deepEqual(new Set(plan.plan.images.map((image) => image.id)), new Set([ids.betaV1]));
    const aggressive = await cli(["clean", "--dry-run", "--aggressive", "--format", "json"], alpha, engine!.env);
    const aggressivePlan = JSON.parse(aggressive.stdout) as { plan: { containers: { id: string }[]; images: { id: string }[] } };
    assert.deepEqual(aggressivePlan.plan.containers.map((container) => container.id), [ids.container]);
    assert.deepEqual(aggressivePlan.plan.images.map((image) => image.id), [ids.alphaV1]);
  });

  it("reaches the engine through a docker context (config.json currentContext) and through ssh:// (docker system dial-stdio)", async () => {
    failIfRequired({ problem, skip });
    const config = path.join(scratch, "docker-config");
    const meta = path.join(config, "contexts", "meta", contextDirectoryName("private"));
    fs.mkdirSync(meta, { recursive: true });
    fs.writeFileSync(path.join(config, "config.json"), JSON.stringify({ currentContext: "private" }));
    fs.writeFileSync(path.join(meta, "meta.json"), JSON.stringify({ Name: "private", Metadata: {}, Endpoints: { docker: { Host: engine!.host, SkipTLSVerify: false } } }));
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: config };
    delete env.DOCKER_HOST;
    delete env.DOCKER_CONTEXT;
    const viaContext = await cli(["clean", "--dry-run"], alpha, env);
    assert.equal(viaContext.code, 0, viaContext.stderr);
    assert.match(viaContext.stdout, new RegExp(`Engine disk use \\(${engine!.host.replace(/[.]/g, "\\.")} \\(docker context private\\)\\)`));

    // A stand-in `ssh` that does what `ssh host docker system dial-stdio` does: stdin/stdout to the engine.
    const bin = path.join(scratch, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "proxy.mjs"), `import net from "node:net";\nconst socket = net.connect(${engine!.port}, "127.0.0.1");\nprocess.stdin.pipe(socket);\nsocket.pipe(process.stdout);\nsocket.on("close", () => process.exit(0));\n`);
    fs.writeFileSync(path.join(bin, "ssh"), `#!/bin/sh\necho "$@" >> "${path.join(bin, "ssh-args")}"\nexec "${process.execPath}" "${path.join(bin, "proxy.mjs")}"\n`, { mode: 0o755 });
    const output = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [MAIN, "clean", "--dry-run", "--format", "json"], { cwd: alpha, env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, DOCKER_HOST: "ssh://builder@build-host.invalid:2222" } }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    assert.equal(output.code, 0, output.stderr);
    assert.ok((JSON.parse(output.stdout) as { before: { images: { count: number } } }).before.images.count >= 3);
    assert.match(fs.readFileSync(path.join(bin, "ssh-args"), "utf8"), /-l builder -p 2222 -- build-host\.invalid docker system dial-stdio/);
  });

  it("monitor: every project image against its budget, and --watch checks each image as it is tagged until stopped", async () => {
    failIfRequired({ problem, skip });
    fs.writeFileSync(path.join(alpha, "shipshape.config.yaml"), "budgets:\n  alpha:\n    maxSize: 1MB\n    maxLayers: 20\n");
    const sized = await cli(["monitor", "--sizes", "--format", "json"], alpha, engine!.env);
    assert.equal(sized.code, 1, sized.stderr);
    const images = (JSON.parse(sized.stdout) as { images: { reference: string; target?: string; sizeBytes: number; checks: { metric: string; passed: boolean }[] }[] }).images;
    assert.ok(images.length >= 2 && images.every((image) => image.reference.startsWith("shipshape/alpha-alpha:") && image.target === "alpha"));
    assert.ok(images.every((image) => image.checks.some((check) => check.metric === "sizeBytes" && !check.passed) && image.checks.some((check) => check.metric === "layers" && check.passed)));

    const stop = new AbortController();
    let stdout = "";
    let stderr = "";
    const watching = runMonitorCommand(["--watch", "--sizes"], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: alpha, env: engine!.env, isTTY: false, stopSignal: stop.signal });
    await sleep(500);
    await build("alpha", alpha, "shipshape/alpha-alpha:v4", "a4");
    for (let waited = 0; !stdout.includes("shipshape/alpha-alpha:v4") && waited < 20_000; waited += 100) await sleep(100);
    stop.abort();
    assert.equal(await watching, 0);
    assert.match(stdout, /shipshape\/alpha-alpha:v4: [\d.]+ MB, \d+ layers: OVER: size [\d.]+ MB > budget 1 MB/);
    assert.match(stderr, /stopped watching \(1 image\(s\) over budget\)/);
  });

  it("cache status answers per service from the cache records; cache warm builds the dependency stage so it turns cached", async () => {
    failIfRequired({ problem, skip });
    const warm = path.join(scratch, "warm");
    fs.mkdirSync(warm, { recursive: true });
    fs.writeFileSync(path.join(warm, "Dockerfile"), `FROM ${BASE} AS deps\nRUN echo pip install shipshape-disk-test-${Date.now()} > /deps.txt\nFROM deps\nCOPY Dockerfile /app/\n`);
    const env = { ...engine!.env, SHIPSHAPE_NETWORK: TEST_NETWORK };
    const before = JSON.parse((await cli(["cache", "status", "--format", "json"], warm, env)).stdout) as { services: { service: string; state: string }[]; kinds: { kind: string }[] };
    assert.deepEqual(before.services.map((service) => [service.service, service.state]), [["warm", "missing"]]);
    const warmed = await cli(["cache", "warm", "--driver", "api", "--format", "json"], warm, env);
    assert.equal(warmed.code, 0, warmed.stderr);
    assert.deepEqual((JSON.parse(warmed.stdout) as { services: { service: string; stage: string; ok: boolean }[] }).services.map((service) => [service.service, service.stage, service.ok]), [["warm", "deps", true]]);
    const after = JSON.parse((await cli(["cache", "status", "--format", "json"], warm, env)).stdout) as { services: { state: string }[]; totalBytes: number };
    assert.equal(after.services[0]?.state, "cached");
    const tags = await engine!.client.json<{ RepoTags: string[] | null }[]>("/images/json");
    assert.ok(!tags.some((image) => (image.RepoTags ?? []).some((tag) => tag.startsWith("shipshape-warm/"))), "the warm-up tag is removed");
  });

  it("before a build: a data root below clean.minFreeSpace runs the clean policy first and says so; enough space does nothing", async () => {
    failIfRequired({ problem, skip });
    const { cleanBeforeBuild } = await import("../../src/clean/pre-build.ts");
    const { EngineDisk } = await import("../../src/engine/disk.ts");
    const { projectScope } = await import("../../src/clean/scope.ts");
    const { resolveCleanPolicy } = await import("../../src/cli/clean-command.ts");
    const disk = new EngineDisk(engine!.client);
    const said: string[] = [];
    const options = { cleanFirst: false, policy: resolveCleanPolicy({ keepImages: "1" }, undefined), scope: () => projectScope(alpha), say: (line: string) => said.push(line) };
    assert.equal(await cleanBeforeBuild(disk, { ...options, minFreeBytes: 1e6 }), undefined);
    assert.deepEqual(said, []);
    const report = await cleanBeforeBuild(disk, { ...options, minFreeBytes: 1e18 });
    assert.ok(report !== undefined && !report.dryRun && report.after !== undefined);
    assert.match(said[0] ?? "", /cleaning before the build \(the engine's data root .* has [\d.]+ [kMGT]?B free, below clean\.minFreeSpace [\d.]+ [kMGTP]?B\)/);
    assert.match(said[1] ?? "", /clean-up reclaimed/);
  });
});
