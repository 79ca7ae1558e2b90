import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDirectory } from "./helpers/temp-dir.ts";
import { runCli } from "../src/cli/main.ts";

function tempRepo(files: Record<string, string>): string {
  const root = tempDirectory("shipshape-cli-");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

async function run(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env, isTTY: false });
  return { code, stdout, stderr };
}

const fat = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nCMD run-app\n";

describe("shipshape CLI", () => {
  it("audit exits 1 with findings, 0 with --fail-on none, and prints the tty report without colour when not a TTY", async () => {
    const root = tempRepo({ "svc/Dockerfile": fat });
    const result = await run(["audit", "."], root);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /svc\/Dockerfile:2/);
    assert.ok(!result.stdout.includes("\u001b["), "no colour codes when NO_COLOR or not a TTY");
    assert.equal((await run(["audit", ".", "--fail-on", "none"], root)).code, 0);
  });

  it("--fail-on high ignores lower-impact findings", async () => {
    const root = tempRepo({ "Dockerfile": "FROM debian:bookworm-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000\nUSER 1000\nCMD [\"run-app\"]\n" });
    const result = await run(["audit", ".", "--fail-on", "high", "--format", "json"], root);
    const report = JSON.parse(result.stdout) as { files: { findings: { impact: string }[] }[] };
    const impacts = report.files.flatMap((file) => file.findings.map((finding) => finding.impact));
    assert.equal(result.code, impacts.includes("high") ? 1 : 0);
  });

  it("json output has the documented shape and --output writes a file", async () => {
    const root = tempRepo({ "Dockerfile": fat });
    const result = await run(["audit", "Dockerfile", "--format", "json", "--output", "report.json"], root);
    assert.equal(result.stdout, "");
    const report = JSON.parse(fs.readFileSync(path.join(root, "report.json"), "utf8")) as { files: { path: string; findings: { rule: string; line: number }[] }[]; summary: { findings: number } };
    assert.equal(report.files[0]?.path, "Dockerfile");
    assert.ok(report.files[0]?.findings.some((finding) => finding.rule === "apt-no-install-recommends" && finding.line === 2));
    assert.equal(report.summary.findings, report.files[0]?.findings.length);
  });

  it("usage errors exit 2 with a message", async () => {
    const root = tempRepo({});
    assert.equal((await run(["audit", "--format", "xml"], root)).code, 2);
    assert.equal((await run(["audit", "--fail-on", "maybe"], root)).code, 2);
    assert.equal((await run(["audit", "no/such/dir"], root)).code, 2);
    assert.equal((await run(["frobnicate"], root)).code, 2);
    const badConfig = tempRepo({ "shipshape.config.yaml": "ignore: [nope]\n", Dockerfile: fat });
    const result = await run(["audit", "."], badConfig);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown rule id\(s\): nope/);
  });

  it("init writes a config that the audit accepts, and refuses to overwrite", async () => {
    const root = tempRepo({ Dockerfile: fat });
    assert.equal((await run(["init"], root)).code, 0);
    assert.ok(fs.existsSync(path.join(root, "shipshape.config.yaml")));
    assert.equal((await run(["init"], root)).code, 2);
    const audited = await run(["audit", "."], root);
    assert.notEqual(audited.code, 2, audited.stderr);
  });

  it("rules --format json lists every rule with the documented fields", async () => {
    const result = await run(["rules", "--format", "json"], process.cwd());
    const rules = JSON.parse(result.stdout) as { id: string; impact: string; category: string; hadolint: string[]; fixable: boolean }[];
    assert.ok(rules.length >= 2);
    for (const rule of rules) assert.deepEqual(Object.keys(rule).slice(0, 5), ["id", "impact", "category", "hadolint", "fixable"]);
  });

  it("runs as a real process through bin/shipshape.js with the right exit code", () => {
    const root = tempRepo({ Dockerfile: fat });
    const bin = path.resolve("bin/shipshape.js");
    const child = spawnSync(process.execPath, [bin, "audit", root, "--format", "json"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(child.status, 1, child.stderr);
    assert.ok(JSON.parse(child.stdout).files.length === 1);
  });
});
