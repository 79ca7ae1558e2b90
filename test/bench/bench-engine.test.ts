// `shipshape bench` against a real Docker Engine (../shared/docker-lab) on a tiny Debian image:
// cache hit ratios per scenario, which steps each change invalidates, --compare printing both
// sides, the user's tree left as it was and no image left behind. Skips with the reason when no
// engine answers, unless SHIPSHAPE_REQUIRE_DOCKER=1 (then fails).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runBench } from "../../src/bench/run.ts";
import { discoverBuildTargets } from "../../src/builds/targets.ts";
import { runCli } from "../../src/cli/main.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { engineStatus, failIfRequired, TEST_NETWORK } from "../helpers/engine.ts";
import { treeFingerprint, writeTree } from "./tree.ts";

const BASE = "debian:bookworm-slim";
const engine = new ApiEngine();
const status = await engineStatus(engine, [BASE]);

let scratch = "";

/** Tags of images on the engine that a bench of `name` would have created. */
async function leftoverImages(name: string): Promise<string[]> {
  const images = await engine.client.json<{ RepoTags?: string[] | null }[]>("/images/json");
  return images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith(`shipshape-bench-${name}-`));
}

function project(name: string): string {
  const nonce = randomBytes(6).toString("hex");
  return writeTree(path.join(scratch, name), {
    Dockerfile: [
      `FROM ${BASE}`,
      // No WORKDIR: BuildKit may report its mkdir as cached even under --no-cache.
      "COPY requirements.txt /app/",
      `RUN echo "requirements: $(wc -l < /app/requirements.txt) ${nonce}" > /deps.txt`,
      "COPY app.py /app/",
      "RUN wc -c /app/app.py > /size.txt",
      'CMD ["cat", "/size.txt"]',
      "",
    ].join("\n"),
    "requirements.txt": "# standard library only\n",
    "app.py": 'print("hello")\n',
    "notes.log": "not sent",
    ".dockerignore": "*.log\n",
  });
}

describe("shipshape bench (real engine)", { skip: status.skip }, () => {
  before(() => {
    failIfRequired(status);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-bench-engine-test-"));
  });
  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("measures each scenario: cold 0, warm 1, a code change rebuilds only from its COPY on", async (t) => {
    const dir = project("bench-scenarios");
    const fingerprint = treeFingerprint(dir);
    const targets = discoverBuildTargets(dir);
    assert.equal(targets.length, 1);
    const result = await runBench(engine, targets, { runs: 1, scenarios: ["cold", "warm", "code", "deps", "dockerfile"], labels: { "shipshape.test": "true" }, network: TEST_NETWORK });
    const side = result.targets[0]?.before;
    assert.ok(side);
    const byScenario = new Map(side.scenarios.map((entry) => [entry.scenario, entry]));
    for (const entry of side.scenarios) assert.equal(entry.status, "measured", `${entry.scenario}: ${entry.reason ?? ""}`);

    const cold = byScenario.get("cold");
    assert.equal(cold?.cacheHitRatio, 0);
    assert.equal(cold?.runs[0]?.totalSteps, 4);
    assert.equal(byScenario.get("warm")?.cacheHitRatio, 1);
    assert.deepEqual(byScenario.get("warm")?.runs[0]?.rebuiltSteps, []);

    const code = byScenario.get("code");
    assert.equal(code?.changedFile, "app.py");
    assert.deepEqual(code?.runs[0]?.rebuiltSteps, ["[4/5] COPY app.py /app/", "[5/5] RUN wc -c /app/app.py > /size.txt"]);
    assert.equal(code?.cacheHitRatio, 2 / 4);

    const deps = byScenario.get("deps");
    assert.equal(deps?.changedFile, "requirements.txt");
    assert.deepEqual(deps?.runs[0]?.rebuiltSteps.map((name) => name.replace(/ [0-9a-f]{12}"/, ' NONCE"')), [
      "[2/5] COPY requirements.txt /app/",
      '[3/5] RUN echo "requirements: $(wc -l < /app/requirements.txt) NONCE" > /deps.txt',
      "[4/5] COPY app.py /app/",
      "[5/5] RUN wc -c /app/app.py > /size.txt",
    ]);
    // A LABEL is image metadata: every filesystem step still comes from the cache.
    assert.equal(byScenario.get("dockerfile")?.cacheHitRatio, 1);
    assert.ok((side.sizeBytes ?? 0) > 50_000_000, `image size ${side.sizeBytes}`);
    t.diagnostic(side.scenarios.map((entry) => `${entry.scenario} ${entry.medianMs} ms`).join(", "));

    assert.equal(treeFingerprint(dir), fingerprint, "the user's tree is unchanged");
    assert.deepEqual(await leftoverImages(targets[0]?.name ?? ""), []);
  });

  it("--compare FILE prints before and after side by side", async () => {
    const dir = project("bench-compare");
    const fingerprint = treeFingerprint(dir);
    const faster = path.join(scratch, "Dockerfile.faster");
    fs.writeFileSync(faster, `FROM ${BASE}\nCOPY app.py /app/\nCMD ["cat", "/app/app.py"]\n`);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCli(["bench", dir, "--compare", faster, "--runs", "1", "--scenarios", "warm,code", "--no-history"], {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
      cwd: scratch,
      env: { ...process.env, NO_COLOR: "1" },
      isTTY: false,
    });
    const text = stdout.join("");
    assert.equal(code, 0, stderr.join(""));
    assert.match(text, /before: bench-compare\/Dockerfile, after: Dockerfile\.faster/);
    assert.match(text, /\n {2}scenario +before: Dockerfile +after: Dockerfile\.faster +after\/before +cache before +cache after\n/);
    assert.match(text, /\n {2}warm +[\d.]+ m?s +[\d.]+ m?s +\d+\.\d\d× +100% \(4\/4\) +100% \(1\/1\)\n/);
    assert.match(text, /\n {2}code +[\d.]+ m?s +[\d.]+ m?s +\d+\.\d\d× +50% \(2\/4\) +0% \(0\/1\)\n/);
    assert.match(text, /\n {2}image size +[\d.]+ [kMG]?B +[\d.]+ [kMG]?B +\d\.\d\d×\n/);
    assert.match(stderr.join(""), /bench-compare after code 1\/1: /);
    assert.equal(treeFingerprint(dir), fingerprint);
    assert.deepEqual(await leftoverImages("bench-compare"), []);
  });

  it("--compare REF: the ref is before, the working tree after, and the header says so", async () => {
    // HEAD holds a Dockerfile with 8 MB of padding; the working tree's drops it.
    const dir = project("bench-ref");
    const dockerfile = path.join(dir, "Dockerfile");
    const slim = fs.readFileSync(dockerfile, "utf8");
    fs.writeFileSync(dockerfile, slim.replace("CMD", "RUN head -c 8000000 /dev/zero > /padding\nCMD"));
    const git = (...args: string[]): string => execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "fat");
    fs.writeFileSync(dockerfile, slim);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCli(["bench", dir, "--compare", "HEAD", "--runs", "1", "--scenarios", "warm", "--no-history"], {
      stdout: (text) => stdout.push(text),
      stderr: (text) => stderr.push(text),
      cwd: scratch,
      env: { ...process.env, NO_COLOR: "1" },
      isTTY: false,
    });
    const text = stdout.join("");
    assert.equal(code, 0, stderr.join(""));
    assert.match(text, /before: HEAD:Dockerfile, after: bench-ref\/Dockerfile/);
    assert.match(text, /\n {2}scenario +before: HEAD +after: working tree +after\/before/);
    const size = /\n {2}image size +([\d.]+) MB +([\d.]+) MB +(\d\.\d\d)×\n/.exec(text);
    assert.ok(size, text);
    assert.ok(Number(size[1]) - Number(size[2]) > 7, `before (HEAD, padded) is the bigger image: ${size[0]}`);
    assert.ok(Number(size[3]) < 1, "after/before below 1: the working tree's image is smaller");
    assert.deepEqual(await leftoverImages("bench-ref"), []);
  });
});
