import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { loadCase } from "./golden-cases.ts";

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function tempRepo(files: Record<string, string | Buffer>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-fix-"));
  roots.push(root);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env: { NO_COLOR: "1" }, isTTY: false });
  return { code, stdout, stderr };
}

const API = "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD npm start\n";
const CLEAN = 'FROM debian:bookworm-slim\nCMD ["true"]\n';

function mtimes(root: string, files: string[]): Map<string, number> {
  return new Map(files.map((file) => [file, fs.statSync(path.join(root, file)).mtimeMs]));
}

describe("shipshape fix", () => {
  it("prints a git-style diff with paths relative to the working directory and writes nothing", async () => {
    const root = tempRepo({ "svc/api/Dockerfile": API, "svc/api/package.json": "{}", "svc/api/package-lock.json": "{}" });
    const result = await run(["fix", "svc"], root);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^diff --git a\/svc\/api\/Dockerfile b\/svc\/api\/Dockerfile\n--- a\/svc\/api\/Dockerfile\n\+\+\+ b\/svc\/api\/Dockerfile\n@@ /m);
    assert.match(result.stdout, /^\+RUN --mount=type=cache,target=\/root\/\.npm npm ci$/m);
    // Safe fixes only: the exec-form CMD and the generated .dockerignore are rewrite-level.
    assert.doesNotMatch(result.stdout, /dockerignore|^\+CMD/m);
    assert.match(result.stderr, /would change/);
    assert.match(result.stderr, /^2 fixes left for `--level rewrite` .*: missing-dockerignore, shell-form-cmd$/m);
    assert.equal(fs.readFileSync(path.join(root, "svc/api/Dockerfile"), "utf8"), API);
    assert.ok(!fs.existsSync(path.join(root, "svc/api/.dockerignore")));
  });

  it("prints a diff that git apply accepts and that gives the same files as --write", async (t) => {
    if (spawnSync("git", ["--version"]).status !== 0) {
      t.skip("git is not installed");
      return;
    }
    const files = { "api/Dockerfile": API, "api/package.json": "{}", "api/package-lock.json": "{}" };
    const viaDiff = tempRepo(files);
    const viaWrite = tempRepo(files);
    const diff = (await run(["fix", "."], viaDiff)).stdout;
    const applied = spawnSync("git", ["apply", "-"], { cwd: viaDiff, input: diff });
    assert.equal(applied.status, 0, applied.stderr.toString());
    assert.equal((await run(["fix", ".", "--write"], viaWrite)).code, 0);
    for (const file of ["api/Dockerfile"]) assert.equal(fs.readFileSync(path.join(viaDiff, file), "utf8"), fs.readFileSync(path.join(viaWrite, file), "utf8"), file);
  });

  it("the diff of a CRLF file with odd formatting applies with git apply to exactly the golden output", async (t) => {
    if (spawnSync("git", ["--version"]).status !== 0) {
      t.skip("git is not installed");
      return;
    }
    const golden = loadCase("crlf-comments");
    const root = tempRepo(Object.fromEntries(Object.entries(golden.files).filter((entry): entry is [string, string] => typeof entry[1] === "string")));
    const diff = (await run(["fix", "."], root)).stdout;
    const applied = spawnSync("git", ["apply", "-"], { cwd: root, input: diff });
    assert.equal(applied.status, 0, applied.stderr.toString());
    assert.equal(fs.readFileSync(path.join(root, "Dockerfile"), "utf8"), golden.expectedSafeDockerfile);
    assert.ok(!fs.existsSync(path.join(root, ".dockerignore")), "creating a .dockerignore is a rewrite-level fix");
  });

  it("--write changes only the files it fixes, prints the summary, and a second run changes nothing", async () => {
    const root = tempRepo({ "api/Dockerfile": API, "api/package.json": "{}", "api/package-lock.json": "{}", "clean/Dockerfile": CLEAN });
    const untouched = ["clean/Dockerfile", "api/package.json", "api/package-lock.json"];
    const past = new Date(Date.now() - 3_600_000);
    for (const file of [...untouched, "api/Dockerfile"]) fs.utimesSync(path.join(root, file), past, past);
    const before = mtimes(root, untouched);

    const result = await run(["fix", ".", "--write"], root);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /fixes applied in \d passes?; 1 file changed\n/);
    assert.match(result.stdout, /^ {2}npm-install-with-lockfile +1$/m);
    assert.match(result.stdout, /findings? remains?/);
    assert.deepEqual(mtimes(root, untouched), before);
    assert.notEqual(fs.readFileSync(path.join(root, "api/Dockerfile"), "utf8"), API);
    assert.ok(!fs.existsSync(path.join(root, "api/.dockerignore")));
    assert.deepEqual(fs.readdirSync(path.join(root, "api")).filter((name) => name.endsWith(".tmp")), [], "no temporary files left");

    const fixedMtimes = mtimes(root, ["api/Dockerfile"]);
    const second = await run(["fix", ".", "--write"], root);
    assert.equal(second.code, 0);
    assert.match(second.stdout, /nothing to fix/);
    assert.deepEqual(mtimes(root, ["api/Dockerfile"]), fixedMtimes);
    assert.equal((await run(["fix", "."], root)).stdout, "");
  });

  it("--rule restricts the fixes; an unknown or unfixable rule is a usage error", async () => {
    const root = tempRepo({ "api/Dockerfile": API, "api/package.json": "{}", "api/package-lock.json": "{}" });
    const result = await run(["fix", ".", "--rule", "npm-install-with-lockfile"], root);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\+RUN npm ci$/m);
    assert.doesNotMatch(result.stdout, /dockerignore|mount|^\+CMD/m);
    // A rewrite-level rule named at the safe level applies nothing and says where its fix is.
    const rewriteLevel = await run(["fix", ".", "--rule", "shell-form-cmd"], root);
    assert.equal(rewriteLevel.code, 0);
    assert.equal(rewriteLevel.stdout, "");
    assert.match(rewriteLevel.stderr, /^1 fix left for `--level rewrite` .*: shell-form-cmd$/m);
    const unknown = await run(["fix", ".", "--rule", "no-such-rule"], root);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no-such-rule: no such rule/);
    const unfixable = await run(["fix", ".", "--rule", "runs-as-root"], root);
    assert.equal(unfixable.code, 2);
    assert.match(unfixable.stderr, /no automatic fix/);
  });

  it("keeps a UTF-8 byte order mark and fixes a Dockerfile named on the command line", async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const root = tempRepo({ "Containerfile.prod": Buffer.concat([bom, Buffer.from('FROM debian:bookworm-slim\nCMD ["true"]\nCMD ["echo", "hi"]\n')]) });
    const result = await run(["fix", "Containerfile.prod", "--write"], root);
    assert.equal(result.code, 0);
    const bytes = fs.readFileSync(path.join(root, "Containerfile.prod"));
    assert.deepEqual([...bytes.subarray(0, 3)], [...bom]);
    assert.equal(bytes.subarray(3).toString("utf8"), 'FROM debian:bookworm-slim\nCMD ["echo", "hi"]\n');
  });

  it("a missing path is a usage error", async () => {
    const root = tempRepo({ Dockerfile: CLEAN });
    const result = await run(["fix", "nope"], root);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no such file or directory: nope/);
  });
});
