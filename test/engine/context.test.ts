// What goes into the build context: .dockerignore as Docker applies it, the Dockerfile always,
// `<Dockerfile>.dockerignore` before `.dockerignore`, and Dockerfile text sent in its place.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ContextError, packContext, planContext } from "../../src/engine/context-tar.ts";
import type { ContextPlan } from "../../src/engine/context-tar.ts";

let scratch = "";
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-context-test-"));
});
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Creates files (content strings) and symlinks ({ link }) below a fresh directory. */
function tree(name: string, files: Record<string, string | { link: string }>): string {
  const root = path.join(scratch, name);
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === "string") fs.writeFileSync(file, content);
    else fs.symlinkSync(content.link, file);
  }
  return root;
}

async function tarListing(plan: ContextPlan): Promise<string[]> {
  const file = path.join(scratch, `listing-${Math.random().toString(36).slice(2)}.tar`);
  const chunks: Buffer[] = [];
  for await (const chunk of packContext(plan)) chunks.push(chunk as Buffer);
  fs.writeFileSync(file, Buffer.concat(chunks));
  return execFileSync("tar", ["-tf", file], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((name) => name.replace(/\/$/, ""));
}

async function tarFile(plan: ContextPlan, name: string): Promise<string> {
  const file = path.join(scratch, `extract-${Math.random().toString(36).slice(2)}.tar`);
  const chunks: Buffer[] = [];
  for await (const chunk of packContext(plan)) chunks.push(chunk as Buffer);
  fs.writeFileSync(file, Buffer.concat(chunks));
  return execFileSync("tar", ["-xOf", file, name], { encoding: "utf8" });
}

describe("build context selection", () => {
  it("honours .dockerignore: exclusions, and exceptions below excluded directories", async () => {
    const root = tree("basic", {
      Dockerfile: "FROM scratch\n",
      ".dockerignore": "node_modules\n*.log\nbuild\n!build/keep.txt\n.git\n.dockerignore\n",
      "node_modules/pkg/index.js": "x",
      "a.log": "log",
      "src/app.js": "app",
      "src/nested.log": "a nested log is not matched by *.log",
      "build/out.js": "out",
      "build/keep.txt": "keep",
      ".git/HEAD": "ref",
      "current": { link: "src" },
    });
    const plan = await planContext({ contextDir: root });
    assert.equal(plan.dockerfile, "Dockerfile");
    assert.equal(plan.generatedDockerfile, false);
    assert.equal(plan.dockerignoreFile, path.join(root, ".dockerignore"));
    assert.deepEqual(plan.sentFiles, ["Dockerfile", "build/keep.txt", "src/app.js", "src/nested.log"]);
    assert.deepEqual(plan.sentPaths, ["Dockerfile", "build", "build/keep.txt", "current", "src", "src/app.js", "src/nested.log"]);
    assert.equal(plan.entries.find((entry) => entry.name === "current")?.type, "symlink", "symlinks are sent, not followed");
    assert.deepEqual(await tarListing(plan), plan.sentPaths, "the tar holds exactly the planned paths");
  });

  it("prefers <Dockerfile>.dockerignore next to the Dockerfile over <context>/.dockerignore", async () => {
    const root = tree("specific", {
      "docker/app.Dockerfile": "FROM scratch\n",
      "docker/app.Dockerfile.dockerignore": "secret.txt\n",
      ".dockerignore": "other.txt\n",
      "secret.txt": "s",
      "other.txt": "o",
    });
    const plan = await planContext({ contextDir: root, dockerfile: "docker/app.Dockerfile" });
    assert.equal(plan.dockerignoreFile, path.join(root, "docker/app.Dockerfile.dockerignore"));
    assert.equal(plan.dockerfile, "docker/app.Dockerfile");
    assert.deepEqual(plan.sentFiles, [".dockerignore", "docker/app.Dockerfile", "docker/app.Dockerfile.dockerignore", "other.txt"]);
  });

  it("always sends the Dockerfile, even excluded and inside an excluded directory", async () => {
    const root = tree("excluded-dockerfile", {
      "ci/Dockerfile": "FROM scratch\n",
      "ci/script.sh": "echo",
      ".dockerignore": "ci\n*\n!app.js\n",
      "app.js": "app",
      "readme.md": "docs",
    });
    const plan = await planContext({ contextDir: root, dockerfile: path.join(root, "ci/Dockerfile") });
    assert.equal(plan.dockerfile, "ci/Dockerfile");
    assert.deepEqual(plan.sentPaths, ["app.js", "ci", "ci/Dockerfile"]);
  });

  it("sends Dockerfile text in place of the file, as if it had been saved there", async () => {
    const root = tree("text", { Dockerfile: "FROM old\n", "app.js": "app" });
    const plan = await planContext({ contextDir: root, dockerfileText: "FROM new\n" });
    assert.equal(plan.dockerfile, "Dockerfile");
    assert.deepEqual(plan.sentFiles, ["Dockerfile", "app.js"]);
    assert.equal(await tarFile(plan, "Dockerfile"), "FROM new\n");
    assert.equal(fs.readFileSync(path.join(root, "Dockerfile"), "utf8"), "FROM old\n", "the file on disk is untouched");

    const fresh = await planContext({ contextDir: root, dockerfile: "Dockerfile.fixed", dockerfileText: "FROM fixed\n" });
    assert.equal(fresh.dockerfile, "Dockerfile.fixed");
    assert.deepEqual(fresh.sentFiles, ["Dockerfile", "Dockerfile.fixed", "app.js"]);
    assert.equal(await tarFile(fresh, "Dockerfile.fixed"), "FROM fixed\n");
  });

  it("puts a Dockerfile from outside the context in under a generated name", async () => {
    const root = tree("outside", { "app.js": "app" });
    const outside = tree("elsewhere", { Dockerfile: "FROM elsewhere\n" });
    const plan = await planContext({ contextDir: root, dockerfile: path.join(outside, "Dockerfile") });
    assert.match(plan.dockerfile, /^\.shipshape\.Dockerfile\.[0-9a-f]{12}$/);
    assert.equal(plan.generatedDockerfile, true);
    assert.deepEqual(plan.sentFiles, [plan.dockerfile, "app.js"].sort());
    assert.equal(await tarFile(plan, plan.dockerfile), "FROM elsewhere\n");

    const text = await planContext({ contextDir: root, dockerfile: path.join(outside, "Dockerfile"), dockerfileText: "FROM text\n" });
    assert.match(text.dockerfile, /^\.shipshape\.Dockerfile\.[0-9a-f]{12}$/);
    assert.notEqual(text.dockerfile, plan.dockerfile, "the name follows the content");
    assert.equal(await tarFile(text, text.dockerfile), "FROM text\n");
  });

  it("says which Dockerfile is missing", async () => {
    const root = tree("missing", { "app.js": "app" });
    await assert.rejects(planContext({ contextDir: root }), (error: unknown) => error instanceof ContextError && /Dockerfile not found: .*missing\/Dockerfile/.test(error.message));
    await assert.rejects(planContext({ contextDir: path.join(root, "nope") }), ContextError);
  });
});
