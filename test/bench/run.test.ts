// The bench's orchestration against a recording engine: what each timed build sees, the order of
// the sides, the copy restored between runs, images removed, failures and skips reported.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { BenchEngine } from "../../src/bench/run.ts";
import { runBench } from "../../src/bench/run.ts";
import { SCENARIOS } from "../../src/bench/result.ts";
import type { BuildTarget } from "../../src/builds/targets.ts";
import type { BuildOptions, BuildResult, ImageConfig } from "../../src/engine/types.ts";
import { treeFingerprint, writeTree } from "./tree.ts";

interface RecordedBuild {
  dockerfileText: string;
  noCache: boolean;
  tag: string;
  /** Context files as the engine saw them. */
  files: Record<string, string>;
}

function readContext(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (relative: string): void => {
    for (const name of fs.readdirSync(path.join(dir, relative)).sort()) {
      const child = relative === "" ? name : `${relative}/${name}`;
      const stat = fs.statSync(path.join(dir, child));
      if (stat.isDirectory()) walk(child);
      else files[child] = fs.readFileSync(path.join(dir, child), "utf8");
    }
  };
  walk("");
  return files;
}

/**
 * A stand-in engine with a one-step build whose cache key is the Dockerfile text plus every
 * context file: cached when that exact input was built before (and the cache is not refused).
 */
class RecordingEngine implements BenchEngine {
  readonly builds: RecordedBuild[] = [];
  readonly removed: string[] = [];
  readonly seen = new Set<string>();
  failWhen: ((build: RecordedBuild) => boolean) | undefined;
  /** The image size of a build's Dockerfile (default: by the tag's side, 1000 after, 4000 before). */
  sizeFor: ((dockerfileText: string) => number) | undefined;

  async build(options: BuildOptions): Promise<BuildResult> {
    const files = readContext(options.contextDir);
    const recorded: RecordedBuild = { dockerfileText: options.dockerfileText ?? "", noCache: options.noCache ?? false, tag: options.tags?.[0] ?? "", files };
    this.builds.push(recorded);
    if (this.failWhen?.(recorded)) {
      return { ok: false, steps: [], durationMs: 1, error: { step: "[2/2] RUN make", message: "exit code: 2", logTail: ["make: *** no rule"] } };
    }
    const key = createHash("sha256").update(recorded.dockerfileText).update(JSON.stringify(files)).digest("hex");
    const cached = !recorded.noCache && this.seen.has(key);
    this.seen.add(key);
    return {
      ok: true,
      imageId: `sha256:${key}`,
      durationMs: 1,
      steps: [
        { id: "1", name: "[internal] load remote build context", cached: false, internal: true },
        { id: "2", name: "[1/2] FROM docker.io/library/debian:bookworm-slim", cached: false, internal: false },
        { id: "3", name: "[2/2] RUN make", cached, internal: false },
      ],
    };
  }

  async inspectImage(reference: string): Promise<ImageConfig> {
    const built = this.builds.find((build) => build.tag === reference);
    const size = this.sizeFor && built ? this.sizeFor(built.dockerfileText) : reference.includes("-after:") ? 1000 : 4000;
    return { id: reference, size, layers: [], entrypoint: null, cmd: null, env: [], workingDir: "", user: "", exposedPorts: [], volumes: [], healthcheck: null, stopSignal: "", labels: {}, history: [] };
  }

  async removeImage(reference: string): Promise<void> {
    this.removed.push(reference);
  }
}

let scratch = "";
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-bench-run-test-"));
});
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const DOCKERFILE = "FROM debian:bookworm-slim\nCOPY . /app\nRUN make\nCMD [\"/app/run\"]\n";

function target(name: string, files: Record<string, string>): BuildTarget {
  const contextDir = writeTree(path.join(scratch, name), files);
  return { name, contextDir, dockerfile: "Dockerfile", buildArgs: {}, origin: `${name}/Dockerfile` };
}

describe("runBench with a recording engine", () => {
  it("runs each scenario's priming build, change and timed build, on a copy it restores", async () => {
    const bench = target("go-service", { Dockerfile: DOCKERFILE, "go.mod": "module shop\n\ngo 1.19\n", "main.go": "package main\n\nfunc main() {}\n" });
    const fingerprint = treeFingerprint(bench.contextDir);
    const engine = new RecordingEngine();
    let counter = 0;
    const result = await runBench(engine, [bench], { runs: 2, scenarios: SCENARIOS, nonce: () => `n${++counter}` });

    const side = result.targets[0]?.before;
    assert.ok(side);
    assert.deepEqual(side.scenarios.map((entry) => [entry.scenario, entry.status, entry.runs.length]), SCENARIOS.map((scenario) => [scenario, "measured", 2]));
    const ratios = Object.fromEntries(side.scenarios.map((entry) => [entry.scenario, entry.cacheHitRatio]));
    assert.deepEqual(ratios, { cold: 0, warm: 1, code: 0, deps: 0, dockerfile: 0 });
    assert.equal(side.scenarios.find((entry) => entry.scenario === "code")?.changedFile, "main.go");
    assert.equal(side.scenarios.find((entry) => entry.scenario === "deps")?.changedFile, "go.mod");
    assert.equal(side.sizeBytes, 4000);

    // cold: 2 timed builds; warm, code, deps, dockerfile: a priming and a timed build per run.
    assert.equal(engine.builds.length, 2 + 4 * 2 * 2);
    assert.deepEqual(engine.builds.slice(0, 2).map((build) => build.noCache), [true, true]);
    // Nonces: n1 names the session, then one per timed run in order (cold n2 n3, warm n4 n5, code n6 n7, deps n8 n9).
    const code = engine.builds.slice(6, 10);
    assert.deepEqual(code.map((build) => build.files["main.go"]), ["package main\n\nfunc main() {}\n", "package main\n\nfunc main() {}\n// shipshape bench n6\n", "package main\n\nfunc main() {}\n", "package main\n\nfunc main() {}\n// shipshape bench n7\n"]);
    const deps = engine.builds.slice(10, 14);
    assert.deepEqual(deps.map((build) => build.files["go.mod"]?.endsWith("// shipshape bench n8\n") || build.files["go.mod"]?.endsWith("// shipshape bench n9\n")), [false, true, false, true]);
    assert.ok(deps.every((build) => build.files["main.go"] === "package main\n\nfunc main() {}\n"), "the code change was undone");
    const dockerfile = engine.builds.slice(14);
    assert.deepEqual(dockerfile.map((build) => build.dockerfileText.includes('LABEL shipshape.bench="shipshape bench n')), [false, true, false, true]);
    assert.ok(engine.builds.every((build) => build.files.Dockerfile === DOCKERFILE));

    // Every image built is removed again; the user's tree is as it was.
    assert.deepEqual([...engine.removed].sort(), engine.builds.map((build) => build.tag).sort());
    assert.equal(new Set(engine.builds.map((build) => build.tag)).size, engine.builds.length, "one tag per build");
    assert.equal(treeFingerprint(bench.contextDir), fingerprint);
  });

  it("--compare: both sides on the same copy, taking turns going first, with distinct tags", async () => {
    const bench = target("py-service", { Dockerfile: DOCKERFILE, "requirements.txt": "flask\n", "app.py": "print(1)\n" });
    const engine = new RecordingEngine();
    const afterText = "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN make\nCOPY . .\n";
    const result = await runBench(engine, [bench], {
      runs: 3,
      scenarios: ["cold", "warm"],
      compare: { argument: "fast.Dockerfile", side: "after", dockerfileFor: () => ({ text: afterText, source: "fast.Dockerfile" }) },
    });
    const sideOf = (build: RecordedBuild) => (build.dockerfileText === afterText ? "after" : "before");
    assert.deepEqual(engine.builds.slice(0, 6).map(sideOf), ["before", "after", "after", "before", "before", "after"]);
    assert.ok(engine.builds.every((build) => build.tag.startsWith(`shipshape-bench-py-service-${sideOf(build)}:`)));
    const benchTarget = result.targets[0];
    assert.equal(result.compare, "fast.Dockerfile");
    assert.equal(benchTarget?.after?.dockerfileSource, "fast.Dockerfile");
    assert.equal(benchTarget?.after?.sizeBytes, 1000);
    assert.equal(benchTarget?.before.sizeBytes, 4000);
    assert.deepEqual(benchTarget?.after?.scenarios.map((entry) => entry.cacheHitRatio), [0, 1]);
  });

  it("--compare REF: the ref is the baseline (before), the working tree's Dockerfile is after", async () => {
    const bench = target("ref-service", { Dockerfile: DOCKERFILE, "requirements.txt": "flask\n", "app.py": "print(1)\n" });
    const engine = new RecordingEngine();
    const refText = "FROM python:3.11\nCOPY . .\nRUN make\nRUN make\nRUN make\n";
    engine.sizeFor = (text) => (text === refText ? 883_000_000 : 225_000_000);
    const result = await runBench(engine, [bench], {
      runs: 2,
      scenarios: ["cold"],
      describeDockerfile: () => "ref-service/Dockerfile",
      compare: { argument: "HEAD", side: "before", dockerfileFor: () => ({ text: refText, source: "HEAD:ref-service/Dockerfile", name: "HEAD" }) },
    });
    const sideOf = (build: RecordedBuild) => (build.dockerfileText === refText ? "ref" : "tree");
    // The baseline goes first in the first run, as "before" always does; its images are tagged before.
    assert.deepEqual(engine.builds.map(sideOf), ["ref", "tree", "tree", "ref"]);
    assert.ok(engine.builds.every((build) => build.tag.startsWith(`shipshape-bench-ref-service-${sideOf(build) === "ref" ? "before" : "after"}:`)));
    const benchTarget = result.targets[0];
    assert.deepEqual([benchTarget?.before.label, benchTarget?.before.name, benchTarget?.before.dockerfileSource, benchTarget?.before.ownDockerfile], ["before", "HEAD", "HEAD:ref-service/Dockerfile", false]);
    assert.deepEqual([benchTarget?.after?.label, benchTarget?.after?.name, benchTarget?.after?.dockerfileSource, benchTarget?.after?.ownDockerfile], ["after", "working tree", "ref-service/Dockerfile", true]);
    // The ref's image (883 MB) is before's size, the working tree's rewrite (225 MB) after's.
    assert.equal(benchTarget?.before.sizeBytes, 883_000_000);
    assert.equal(benchTarget?.after?.sizeBytes, 225_000_000);
  });

  it("reports a failing build as a failed scenario and goes on; skips what does not apply", async () => {
    const bench = target("static", { Dockerfile: DOCKERFILE, "index.html": "<h1>hi</h1>\n" });
    const engine = new RecordingEngine();
    engine.failWhen = (build) => build.noCache;
    const progress: string[] = [];
    const result = await runBench(engine, [bench], { runs: 2, scenarios: ["cold", "warm", "code", "deps"], onProgress: (line) => progress.push(line) });
    const side = result.targets[0]?.before;
    const cold = side?.scenarios[0];
    assert.equal(cold?.status, "failed");
    assert.match(cold?.reason ?? "", /^the timed build failed at \[2\/2\] RUN make: exit code: 2\nmake: \*\*\* no rule$/);
    assert.equal(cold?.medianMs, undefined);
    assert.equal(engine.builds.filter((build) => build.noCache).length, 1, "a failed scenario is not run again");
    assert.equal(side?.scenarios[1]?.status, "measured");
    assert.deepEqual(side?.scenarios.slice(2).map((entry) => [entry.scenario, entry.status, entry.reason]), [
      ["code", "skipped", "no source file found in the context"],
      ["deps", "skipped", "no dependency manifest found in the context"],
    ]);
    assert.ok(progress.some((line) => /^static before cold 1\/2: the timed build failed/.test(line)));
    assert.ok(progress.some((line) => /^static before warm 2\/2: \d+ ms, 1\/1 steps cached$/.test(line)));
    assert.deepEqual([...engine.removed].sort(), engine.builds.map((build) => build.tag).sort());
  });

  it("stops when its signal aborts (Ctrl-C): no further build, the copy and every image built are removed, and it rejects", async () => {
    const bench = target("interrupted", { Dockerfile: DOCKERFILE, "main.go": "package main\n" });
    const engine = new RecordingEngine();
    const controller = new AbortController();
    let copy = "";
    const original = engine.build.bind(engine);
    engine.build = async (options) => {
      copy = options.contextDir;
      const result = await original(options);
      if (engine.builds.length === 3) controller.abort();
      return result;
    };
    await assert.rejects(runBench(engine, [bench], { runs: 2, scenarios: SCENARIOS, signal: controller.signal }), { name: "AbortError" });
    assert.equal(engine.builds.length, 3, "no build after the abort");
    assert.deepEqual([...engine.removed].sort(), engine.builds.map((build) => build.tag).sort(), "every image built is removed");
    assert.ok(copy !== "" && !fs.existsSync(copy), "the temporary copy is gone");
  });

  it("refuses a number of runs below one", async () => {
    await assert.rejects(runBench(new RecordingEngine(), [], { runs: 0, scenarios: ["warm"] }), RangeError);
  });
});
