// User errors are one line (what is wrong, what to do), exit 2, never a stack trace; "internal
// error" is left for bugs.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../src/cli/main.ts";
import { ApiEngine } from "../src/engine/api-engine.ts";
import { describeYamlError } from "../src/errors.ts";
import { engineStatus, failIfRequired } from "./helpers/engine.ts";
import { tempDirectory } from "./helpers/temp-dir.ts";

async function run(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env, isTTY: false });
  return { code, stdout, stderr };
}

function assertOneLineUserError(result: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^shipshape: [^\n]+\n$/, `one line: ${result.stderr}`);
  assert.ok(!result.stderr.includes("internal error"), result.stderr);
  assert.match(result.stderr, pattern);
}

const DOCKERFILE = "FROM debian:bookworm-slim\nCMD [\"run\"]\n";

describe("user errors are one line and exit 2", () => {
  it("DOCKER_HOST with an unreachable ssh:// engine or an unknown scheme", async () => {
    const cwd = tempDirectory("shipshape-errors-");
    fs.writeFileSync(path.join(cwd, "Dockerfile"), DOCKERFILE);
    for (const command of [["layers", "nonexist:tag"], ["build", "."]]) {
      assertOneLineUserError(await run([...command, "--driver", "api"], cwd, { DOCKER_HOST: "ssh://host.invalid", PATH: "/nonexistent" }), /no Docker Engine answers at ssh:\/\/host\.invalid: ssh is not installed \(ssh:\/\/ engines need an ssh client\)/);
      assertOneLineUserError(await run([...command, "--driver", "api"], cwd, { DOCKER_HOST: "ssh://host.invalid" }), /no Docker Engine answers at ssh:\/\/host\.invalid: (?:ssh is not installed|ssh host\.invalid exited with code \d+)/);
      assertOneLineUserError(await run([...command, "--driver", "api"], cwd, { DOCKER_HOST: "bogus://x" }), /DOCKER_HOST=bogus:\/\/x: unsupported scheme bogus:\/\/; use unix:\/\/\/path\/to\/docker\.sock or tcp:\/\/host:port/);
    }
  });

  it("layers IMAGE when no engine answers", async () => {
    const result = await run(["layers", "nonexist:tag", "--driver", "api"], tempDirectory("shipshape-errors-"), { DOCKER_HOST: "unix:///nonexistent.sock" });
    assertOneLineUserError(result, /no Docker Engine answers at unix:\/\/\/nonexistent\.sock/);
  });

  it("a --config file that does not exist", async () => {
    const cwd = tempDirectory("shipshape-errors-");
    fs.writeFileSync(path.join(cwd, "Dockerfile"), DOCKERFILE);
    for (const command of ["audit", "fix"]) {
      const result = await run([command, ".", "--config", "nope.yaml"], cwd);
      assertOneLineUserError(result, /cannot read config .*nope\.yaml: no such file; check the --config path/);
      assert.ok(!result.stderr.includes("ENOENT"));
    }
  });

  it("a YAML error names file:line:col, without yaml's dangling position and code frame", async () => {
    const cwd = tempDirectory("shipshape-errors-");
    fs.writeFileSync(path.join(cwd, "Dockerfile"), DOCKERFILE);
    fs.writeFileSync(path.join(cwd, "shipshape.config.yaml"), "ignore: []\nrules:\n  runs-as-root: off\n base-image-no-digest: off\n");
    const result = await run(["audit", "."], cwd);
    assertOneLineUserError(result, /shipshape\.config\.yaml:4:1: cannot parse YAML: All mapping items must start at the same column\n$/);
    assert.ok(!/at line \d+, column \d+/.test(result.stderr));
  });

  it("a broken compose file is a per-file error with its position, on one line", async () => {
    const cwd = tempDirectory("shipshape-errors-");
    fs.writeFileSync(path.join(cwd, "docker-compose.yml"), "services:\n  api: [unclosed\n");
    const result = await run(["audit", ".", "--format", "json"], cwd);
    const report = JSON.parse(result.stdout) as { files: { path: string; error?: string }[] };
    const error = report.files.find((file) => file.path === "docker-compose.yml")?.error ?? "";
    assert.match(error, /^invalid YAML at line \d+, column \d+: [^\n]+$/);
    assert.ok(!error.endsWith(":"));
  });

  it("describeYamlError keeps the reason and the position", () => {
    assert.deepEqual(describeYamlError(Object.assign(new Error("Bad thing at line 5, column 3:\n\n  x: y\n  ^\n"), { linePos: [{ line: 5, col: 3 }] })), { reason: "Bad thing", line: 5, column: 3 });
    assert.deepEqual(describeYamlError(new Error("Bad thing at line 2, column 7:\n")), { reason: "Bad thing", line: 2, column: 7 });
    assert.deepEqual(describeYamlError(new Error("plain")), { reason: "plain" });
  });
});

const engine = new ApiEngine();
const status = await engineStatus(engine, []);

describe("user errors against the engine", { skip: status.skip }, () => {
  it("layers of an image the engine does not have", async () => {
    failIfRequired(status);
    const result = await run(["layers", "shipshape-cli-test-nonexist:tag", "--no-history"], tempDirectory("shipshape-errors-"), { ...process.env });
    assertOneLineUserError(result, /^shipshape: no image shipshape-cli-test-nonexist:tag in the Docker Engine \(.*\): build or pull it first/);
  });
});
