// shipshape ci on disk: the diff by default, --write (atomic, only the generated section), a
// second run that changes nothing, the cache sized from the repository's metrics database.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { recordMetricsAt } from "../../src/metrics/record.ts";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { actionlint } from "./validate.ts";

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env: {}, isTTY: false });
  return { code, stdout, stderr };
}

function repository(): string {
  const root = tempDirectory("shipshape-ci-");
  fs.cpSync(path.resolve(import.meta.dirname, "../fixtures/ci/single-dockerfile"), path.join(root, "app"), { recursive: true });
  return path.join(root, "app");
}

describe("shipshape ci (CLI)", () => {
  it("prints a diff and writes nothing without --write; --write writes; a second run changes nothing", async () => {
    const root = repository();
    const dry = await run(["ci", root], root);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^\+\+\+ b\/\.github\/workflows\/docker\.yml$/m);
    assert.match(dry.stdout, /^\+\+\+ b\/docker-bake\.hcl$/m);
    assert.equal(fs.existsSync(path.join(root, ".github")), false);
    assert.match(dry.stderr, /not measured: app/);

    const written = await run(["ci", root, "--write"], root);
    assert.equal(written.code, 0, written.stderr);
    const workflow = fs.readFileSync(path.join(root, ".github/workflows/docker.yml"), "utf8");
    assert.deepEqual(await actionlint(workflow), []);
    // No temporary file is left next to it.
    assert.deepEqual(fs.readdirSync(path.join(root, ".github/workflows")), ["docker.yml"]);

    const again = await run(["ci", root, "--write"], root);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /up to date/);
    assert.equal(fs.readFileSync(path.join(root, ".github/workflows/docker.yml"), "utf8"), workflow);
  });

  it("sizes the cache from the metrics database: a small measured image gets gha mode=max, the user's edits stay", async () => {
    const root = repository();
    assert.equal((await run(["ci", root, "--write"], root)).code, 0);
    const file = path.join(root, ".github/workflows/docker.yml");
    const edited = fs.readFileSync(file, "utf8").replace("name: docker\n", "name: my images\n");
    fs.writeFileSync(file, edited);
    // The tag shipshape build records for this image (repository "app", target "app").
    await recordMetricsAt([{ kind: "build", image: "shipshape/app-app:latest", metrics: { sizeBytes: 200e6, durationMs: 30_000 } }], {
      cwd: root,
      git: { root, commit: null, branch: null, dirty: null },
      now: new Date("2026-12-01T00:00:00Z"),
      busyTimeoutMs: 1000,
      toolVersion: "test",
    });
    const result = await run(["ci", root, "--write"], root);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /cache gha mode=max: the measured mode=max cache fits/);
    const after = fs.readFileSync(file, "utf8");
    assert.match(after, /^name: my images$/m);
    assert.match(after, /cache-to=type=gha,mode=max,scope=/);
  });

  it("refuses to overwrite a hand-written workflow (exit 2, one line), and rejects a bad provider", async () => {
    const root = repository();
    fs.mkdirSync(path.join(root, ".github/workflows"), { recursive: true });
    fs.writeFileSync(path.join(root, ".github/workflows/docker.yml"), "name: mine\non: push\njobs: {}\n");
    const refused = await run(["ci", root, "--write"], root);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /has no shipshape ci section/);
    assert.equal(fs.readFileSync(path.join(root, ".github/workflows/docker.yml"), "utf8"), "name: mine\non: push\njobs: {}\n");
    assert.equal((await run(["ci", root, "--provider", "jenkins"], root)).code, 2);
    assert.equal((await run(["ci", root, "--write", "--dry-run"], root)).code, 2);
  });

  it("GitLab: --provider gitlab writes .gitlab-ci.yml", async () => {
    const root = repository();
    const result = await run(["ci", root, "--provider", "gitlab", "--write"], root);
    assert.equal(result.code, 0, result.stderr);
    assert.match(fs.readFileSync(path.join(root, ".gitlab-ci.yml"), "utf8"), /docker buildx bake --file docker-bake\.hcl --load/);
  });

  it("in a directory of a git repository: the workflow goes to the git root, the bake file next to the images", async () => {
    const app = repository();
    const root = path.dirname(app);
    execFileSync("git", ["init", "-q", root]);
    const result = await run(["ci", "app", "--write"], root);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(fs.existsSync(path.join(root, ".github/workflows/docker.yml")));
    assert.ok(fs.existsSync(path.join(app, "docker-bake.hcl")));
    assert.equal(fs.existsSync(path.join(app, ".github")), false);
    assert.match(fs.readFileSync(path.join(root, ".github/workflows/docker.yml"), "utf8"), /working-directory: app/);
    assert.match(result.stderr, /goes to the git root/);
  });
});
