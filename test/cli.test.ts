import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDirectory } from "./helpers/temp-dir.ts";
import { runCli } from "../src/cli/main.ts";
import { closestMatch, editDistance } from "../src/suggest.ts";
import { invocationCwd } from "../src/cli/io.ts";

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

const COMMANDS = ["audit", "fix", "rules", "init", "build", "bench", "history", "layers", "verify", "ci", "cost"];

describe("shipshape help", () => {
  it("every command has its own help (usage, options, examples, exit codes) with --help, -h anywhere, and `help CMD`, exit 0", async () => {
    const cwd = tempRepo({});
    for (const command of COMMANDS) {
      const help = await run([command, "--help"], cwd);
      assert.equal(help.code, 0, `${command} --help: ${help.stderr}`);
      assert.equal(help.stderr, "");
      assert.match(help.stdout, new RegExp(`^Usage: shipshape ${command}`));
      for (const section of ["\nOptions:\n", "\nExamples:\n", "\nExit codes: "]) assert.ok(help.stdout.includes(section), `${command} help lacks ${section.trim()}`);
      assert.equal((await run([command, "-h"], cwd)).stdout, help.stdout);
      assert.equal((await run(["help", command], cwd)).stdout, help.stdout);
      assert.equal((await run(["--help", command], cwd)).stdout, help.stdout);
    }
    // Anywhere in the arguments, even after other options and invalid values; not after `--`.
    const late = await run(["audit", "no/such/dir", "--format", "xml", "-h"], cwd);
    assert.equal(late.code, 0);
    assert.match(late.stdout, /^Usage: shipshape audit/);
    assert.equal((await run(["audit", "--", "-h"], cwd)).code, 2);
  });

  it("`shipshape --help` is a short overview of the commands, not every option", async () => {
    const result = await run(["--help"], process.cwd());
    assert.equal(result.code, 0);
    for (const command of COMMANDS) assert.match(result.stdout, new RegExp(`shipshape ${command}\\b`));
    assert.ok(!result.stdout.includes("--format") && !result.stdout.includes("--output"), "no per-command options in the overview");
    assert.ok(result.stdout.split("\n").length < 30);
    const bare = await run([], process.cwd());
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /Commands:/);
  });

  it("an unknown option, value or command is one line that suggests the closest valid one, exit 2", async () => {
    const cwd = tempRepo({ Dockerfile: fat });
    const cases: [string[], string][] = [
      [["audit", ".", "--formt", "json"], "shipshape: unknown option '--formt'; did you mean '--format'? (shipshape audit --help)\n"],
      [["audit", "--fail-onn=high"], "shipshape: unknown option '--fail-onn'; did you mean '--fail-on'? (shipshape audit --help)\n"],
      [["verify", "a", "b", "--no-histroy"], "shipshape: unknown option '--no-histroy'; did you mean '--no-history'? (shipshape verify --help)\n"],
      [["fix", "--wirte"], "shipshape: unknown option '--wirte'; did you mean '--write'? (shipshape fix --help)\n"],
      [["build", "--zzzzzz"], "shipshape: unknown option '--zzzzzz' (shipshape build --help)\n"],
      [["auidt", "."], "shipshape: unknown command 'auidt'; did you mean 'audit'? (shipshape --help lists the commands)\n"],
      [["frobnicate"], "shipshape: unknown command 'frobnicate' (shipshape --help lists the commands)\n"],
      [["audit", "--format"], "shipshape: option '--format <value>' argument missing (shipshape audit --help)\n"],
      [["rules", "extra"], "shipshape: unexpected argument 'extra': shipshape rules takes no PATH (shipshape rules --help)\n"],
    ];
    for (const [args, stderr] of cases) {
      const result = await run(args, cwd);
      assert.deepEqual({ code: result.code, stderr: result.stderr, stdout: result.stdout }, { code: 2, stderr, stdout: "" }, args.join(" "));
    }
  });

  it("a mistyped config key is named with the closest valid one", async () => {
    const root = tempRepo({ Dockerfile: fat, "shipshape.config.yaml": "rulez: {}\n" });
    const result = await run(["audit", "."], root);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^shipshape: unknown key 'rulez' in .*shipshape\.config\.yaml; did you mean 'rules'\?\n$/);
    const nested = tempRepo({ Dockerfile: fat, "shipshape.config.yaml": "overrides:\n  - files: [a]\n    rulse: {}\n" });
    assert.match((await run(["audit", "."], nested)).stderr, /unknown key 'rulse' at overrides\.0 in .*; did you mean 'rules'\?/);
  });

  it("closestMatch suggests only near names", () => {
    assert.equal(editDistance("formt", "format"), 1);
    assert.equal(editDistance("fromat", "format"), 1);
    assert.equal(closestMatch("--formt", ["--format", "--output"]), "--format");
    assert.equal(closestMatch("xyz", ["audit", "fix"]), undefined);
    assert.equal(closestMatch("lay", ["layers", "audit"]), "layers");
  });
});

describe("shipshape init PATH", () => {
  it("writes PATH/shipshape.config.yaml; PATH must be a directory", async () => {
    const root = tempRepo({ "svc/Dockerfile": fat });
    const result = await run(["init", "svc"], root);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `wrote ${path.join("svc", "shipshape.config.yaml")}\n`);
    assert.ok(fs.existsSync(path.join(root, "svc", "shipshape.config.yaml")));
    assert.ok(!fs.existsSync(path.join(root, "shipshape.config.yaml")));
    const again = await run(["init", "svc"], root);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists \(use --force to overwrite\)/);
    assert.equal((await run(["init", "svc", "--force"], root)).code, 0);
    assert.equal((await run(["init", "svc/Dockerfile"], root)).code, 2);
  });
});

describe("the directory relative paths resolve against", () => {
  const repo = path.resolve(".");
  const shop = path.join(repo, "examples", "shop");
  const packageJson = path.join(repo, "package.json");

  it("is npm's INIT_CWD while the process runs where npm started it, else the process's own", () => {
    assert.equal(invocationCwd(repo, {}), repo);
    assert.equal(invocationCwd(repo, { INIT_CWD: shop, npm_package_json: packageJson }), shop);
    assert.equal(invocationCwd(repo, { INIT_CWD: shop }), shop);
    // A script that changed directory (`cd services && shipshape audit .`) keeps its own.
    assert.equal(invocationCwd(path.join(shop, "services"), { INIT_CWD: repo, npm_package_json: packageJson }), path.join(shop, "services"));
    // INIT_CWD outside the package, or not absolute: not where npm started this process.
    assert.equal(invocationCwd(shop, { INIT_CWD: "/elsewhere" }), shop);
    assert.equal(invocationCwd(repo, { INIT_CWD: "examples/shop" }), repo);
  });

  it("a real process started in the package root with INIT_CWD audits INIT_CWD", () => {
    const bin = path.resolve("bin/shipshape.js");
    const child = spawnSync(process.execPath, [bin, "audit", ".", "--format", "json", "--fail-on", "none"], { cwd: repo, encoding: "utf8", env: { ...process.env, INIT_CWD: shop, npm_package_json: packageJson, npm_lifecycle_event: "shipshape" } });
    assert.equal(child.status, 0, child.stderr);
    const report = JSON.parse(child.stdout) as { root: string; files: { path: string }[] };
    assert.equal(report.root, shop);
    assert.ok(report.files.every((file) => !file.path.startsWith("examples/")));
    const plain = spawnSync(process.execPath, [bin, "audit", ".", "--format", "json", "--fail-on", "none"], { cwd: shop, encoding: "utf8", env: { ...process.env, INIT_CWD: "", npm_package_json: "" } });
    assert.equal((JSON.parse(plain.stdout) as { root: string }).root, shop);
  });

  it("`cd examples/shop && npm run shipshape -- audit .` audits examples/shop", (t) => {
    const npm = spawnSync("npm", ["--version"], { encoding: "utf8" });
    if (npm.status !== 0) {
      t.skip("npm is not on PATH");
      return;
    }
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
    for (const key of Object.keys(env)) if (key === "INIT_CWD" || key.startsWith("npm_")) delete env[key];
    const child = spawnSync("npm", ["run", "--silent", "shipshape", "--", "audit", ".", "--format", "json", "--fail-on", "none"], { cwd: shop, encoding: "utf8", env });
    assert.equal(child.status, 0, child.stderr);
    assert.equal((JSON.parse(child.stdout) as { root: string }).root, shop);
  });
});

describe("no silent passes", () => {
  it("audit of a directory with no Dockerfile or compose file says so on stderr", async () => {
    const root = tempRepo({ "README.md": "# nothing to build\n" });
    const result = await run(["audit", "."], root);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, "shipshape: no Dockerfile or compose file found in .: nothing was audited\n");
    const withFiles = await run(["audit", "."], tempRepo({ Dockerfile: fat }));
    assert.ok(!withFiles.stderr.includes("nothing was audited"));
  });

  it("a Dockerfile without FROM is an error, not clean, in audit and fix", async () => {
    const root = tempRepo({ Dockerfile: "RUN echo hi\nCMD [\"run-app\"]\n" });
    const audit = await run(["audit", ".", "--format", "json"], root);
    assert.equal(audit.code, 1);
    const report = JSON.parse(audit.stdout) as { files: { path: string; error?: string }[] };
    assert.equal(report.files[0]?.error, "no FROM instruction: a Dockerfile starts its first stage with FROM");
    const fix = await run(["fix", "."], root);
    assert.equal(fix.code, 1);
    assert.match(fix.stderr, /^error: Dockerfile: could not be audited: no FROM instruction/m);
    const empty = await run(["audit", ".", "--format", "json"], tempRepo({ Dockerfile: "# only a comment\n" }));
    assert.equal(empty.code, 1);
  });

  it("fix on a binary Dockerfile reports audit's per-file error and exits 1", async () => {
    const root = tempRepo({});
    fs.writeFileSync(path.join(root, "Dockerfile"), Buffer.from([0x46, 0x52, 0x00, 0x01, 0xff, 0x00, 0x4f]));
    const audit = await run(["audit", ".", "--format", "json"], root);
    const auditError = (JSON.parse(audit.stdout) as { files: { error?: string }[] }).files[0]?.error ?? "";
    assert.notEqual(auditError, "");
    for (const args of [["fix", "."], ["fix", ".", "--write"]]) {
      const fix = await run(args, root);
      assert.equal(fix.code, 1, args.join(" "));
      assert.ok(`${fix.stdout}${fix.stderr}`.includes(`error: Dockerfile: could not be audited: ${auditError}\n`), `${fix.stdout}${fix.stderr}`);
    }
  });
});

/** A node binary on PATH (or /usr/bin) older than 22.18, with its version, if the machine has one. */
function oldNode(): { binary: string; version: string } | undefined {
  const directories = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/bin", "/usr/local/bin"];
  for (const directory of directories) {
    const binary = path.join(directory, "node");
    if (directory === "" || !fs.existsSync(binary)) continue;
    const probe = spawnSync(binary, ["-p", "process.versions.node"], { encoding: "utf8" });
    const version = probe.stdout.trim();
    const [major = 0, minor = 0] = version.split(".").map(Number);
    if (probe.status === 0 && (major < 22 || (major === 22 && minor < 18))) return { binary, version };
  }
  return undefined;
}

describe("an older Node", () => {
  const old = oldNode();
  it("gets one sentence naming the version it needs, exit 2", { skip: old === undefined ? "no Node older than 22.18 on this machine" : false }, () => {
    if (old === undefined) return;
    const child = spawnSync(old.binary, [path.resolve("bin/shipshape.js"), "--version"], { encoding: "utf8" });
    assert.equal(child.status, 2);
    assert.equal(child.stderr, `shipshape needs Node >= 22.18 (this is ${old.version})\n`);
    assert.equal(child.stdout, "");
  });
});
