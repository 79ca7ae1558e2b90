// `shipshape bench` arguments: everything refused before any build, the Dockerfile at a git ref,
// and the metrics records. No engine needed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import type { BenchResult } from "../../src/bench/result.ts";
import type { BuildTarget } from "../../src/builds/targets.ts";
import { discoverBuildTargets } from "../../src/builds/targets.ts";
import { benchRecords, DEFAULT_RUNS, dockerfileAtRef, parseRuns, parseScenarios, targetOwningFile } from "../../src/cli/bench-command.ts";
import { runCli } from "../../src/cli/main.ts";

const REPO = path.resolve(import.meta.dirname, "../..");
const SHOP = path.join(REPO, "examples/shop");

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: REPO,
    // An engine that cannot answer: any build attempt would fail differently.
    env: { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

describe("shipshape bench arguments", () => {
  it("--scenarios: known names, in the documented order, each once", () => {
    assert.deepEqual(parseScenarios(undefined), ["cold", "warm", "code", "deps", "dockerfile"]);
    assert.deepEqual(parseScenarios("deps, cold,deps"), ["cold", "deps"]);
    assert.throws(() => parseScenarios("warm,hot"), /unknown scenario "hot"/);
    assert.throws(() => parseScenarios(","), /at least one/);
  });

  it("--runs: a whole number from 1, default 3", () => {
    assert.equal(parseRuns(undefined), DEFAULT_RUNS);
    assert.equal(parseRuns("5"), 5);
    for (const bad of ["0", "-1", "2.5", "many", "101"]) assert.throws(() => parseRuns(bad), /--runs must be/, bad);
  });

  it("refuses bad options with exit 2 before building anything", async () => {
    const cases: [string[], RegExp][] = [
      [["bench", SHOP, "--scenarios", "hot"], /unknown scenario "hot"/],
      [["bench", SHOP, "--runs", "0"], /--runs must be/],
      [["bench", SHOP, "--format", "sarif"], /--format must be one of tty, json, markdown/],
      [["bench", SHOP, "--driver", "podman"], /--driver must be one of/],
      [["bench", SHOP, "--service", "nope"], /unknown service "nope"/],
      [["bench", SHOP, SHOP], /takes one PATH/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, message, args.join(" "));
      assert.equal(result.stdout, "");
    }
  });

  it("--compare FILE outside every build context needs --service", async () => {
    const result = await cli(["bench", SHOP, "--compare", path.join(SHOP, "docker-compose.yml")]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--compare .*docker-compose\.yml is one Dockerfile, but .* builds 6 images \(api, worker, web, inventory, pricing, reports\): choose one with --service/);
  });

  it("--compare FILE inside one target's build context picks that target", () => {
    const targets = discoverBuildTargets(SHOP);
    assert.equal(targetOwningFile(targets, path.join(SHOP, "services/api/Dockerfile.optimized"))?.name, "api");
    assert.equal(targetOwningFile(targets, path.join(SHOP, "services/reports-py/x/Dockerfile"))?.name, "reports");
    assert.equal(targetOwningFile(targets, path.join(SHOP, "docker-compose.yml")), undefined);
    assert.equal(targetOwningFile(targets, "/tmp/api.Dockerfile"), undefined);
  });

  it("--compare with something that is neither a file nor a git ref is a usage error", async () => {
    const result = await cli(["bench", SHOP, "--service", "api", "--compare", "no-such-ref-or-file"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--compare no-such-ref-or-file: neither a file nor a git ref/);
  });

  it("reads the same Dockerfile path at a git ref", () => {
    const target: BuildTarget = { name: "api", contextDir: path.join(SHOP, "services/api"), dockerfile: "Dockerfile", buildArgs: {}, origin: "test" };
    const compared = dockerfileAtRef(target, "HEAD");
    assert.equal(compared.source, "HEAD:examples/shop/services/api/Dockerfile");
    assert.equal(compared.name, "HEAD");
    assert.equal(compared.text, execFileSync("git", ["-C", REPO, "show", "HEAD:examples/shop/services/api/Dockerfile"], { encoding: "utf8" }));
  });

  it("against a ref, records the working tree's side (after), not the ref's", () => {
    const side = (label: "before" | "after", ownDockerfile: boolean, medianMs: number): BenchResult["targets"][number]["before"] => ({
      label,
      name: ownDockerfile ? "working tree" : "HEAD",
      ownDockerfile,
      dockerfileSource: ownDockerfile ? "Dockerfile" : "HEAD:Dockerfile",
      scenarios: [{ scenario: "warm", status: "measured", runs: [], medianMs, minMs: medianMs, maxMs: medianMs }],
    });
    const result: BenchResult = {
      runs: 1,
      scenarios: ["warm"],
      compare: "HEAD",
      targets: [{ name: "api", contextDir: path.join(SHOP, "services/api"), dockerfile: "Dockerfile", origin: "compose", before: side("before", false, 9000), after: side("after", true, 100) }],
    };
    const targets: BuildTarget[] = [{ name: "api", contextDir: path.join(SHOP, "services/api"), dockerfile: "Dockerfile", buildArgs: {}, origin: "compose" }];
    assert.deepEqual(
      benchRecords(result, targets, "shop").map((record) => record.metrics.medianMs),
      [100],
    );
  });

  it("records one bench record per target and measured scenario, for the Dockerfile as it is", () => {
    const result: BenchResult = {
      runs: 2,
      scenarios: ["cold", "warm", "code"],
      compare: "fast.Dockerfile",
      targets: [
        {
          name: "api",
          contextDir: path.join(SHOP, "services/api"),
          dockerfile: "Dockerfile",
          origin: "compose",
          before: {
            label: "before",
            name: "Dockerfile",
            ownDockerfile: true,
            dockerfileSource: "Dockerfile",
            scenarios: [
              { scenario: "cold", status: "measured", runs: [], medianMs: 2000, minMs: 1500, maxMs: 2500, cacheHitRatio: 0, sizeBytes: 900 },
              { scenario: "warm", status: "failed", reason: "x", runs: [] },
              { scenario: "code", status: "skipped", reason: "y", runs: [] },
            ],
          },
          after: { label: "after", name: "fast.Dockerfile", ownDockerfile: false, dockerfileSource: "fast.Dockerfile", scenarios: [{ scenario: "cold", status: "measured", runs: [], medianMs: 1000, minMs: 1000, maxMs: 1000, cacheHitRatio: 0 }] },
        },
      ],
    };
    const targets: BuildTarget[] = [{ name: "api", contextDir: path.join(SHOP, "services/api"), dockerfile: "Dockerfile", buildArgs: {}, origin: "compose" }];
    assert.deepEqual(benchRecords(result, targets, "shop"), [
      {
        kind: "bench",
        image: "shipshape/shop-api:latest",
        scenario: "cold",
        dockerfile: path.join(SHOP, "services/api/Dockerfile"),
        metrics: { medianMs: 2000, minMs: 1500, maxMs: 2500, cacheHitRatio: 0, sizeBytes: 900 },
      },
    ]);
  });
});
