import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createWorkspace } from "../../src/bench/workspace.ts";
import { planContext } from "../../src/engine/context-tar.ts";
import { treeFingerprint, writeTree } from "./tree.ts";

let scratch = "";

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-bench-workspace-test-"));
});
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("the bench's copy of a build context", () => {
  it("holds exactly what the build sends, and the engine would send the same from it", async () => {
    const root = writeTree(path.join(scratch, "plain"), {
      ".dockerignore": "node_modules\n*.log\n",
      Dockerfile: "FROM debian:bookworm-slim\nCOPY . /app\n",
      "src/index.js": "console.log(1)\n",
      "node_modules/x/index.js": "x",
      "debug.log": "log",
      "bin/run.sh": { mode: 0o755, text: "#!/bin/sh\n" },
      current: { link: "src/index.js" },
    });
    const workspace = await createWorkspace({ contextDir: root, dockerfile: "Dockerfile" }, scratch);
    try {
      assert.deepEqual(workspace.files, [".dockerignore", "Dockerfile", "bin/run.sh", "src/index.js"]);
      assert.equal(workspace.dockerfile, "Dockerfile");
      assert.equal(workspace.dockerfileText, "FROM debian:bookworm-slim\nCOPY . /app\n");
      assert.equal(fs.statSync(path.join(workspace.contextDir, "bin/run.sh")).mode & 0o777, 0o755);
      assert.equal(fs.readlinkSync(path.join(workspace.contextDir, "current")), "src/index.js");
      const original = await planContext({ contextDir: root });
      const copy = await planContext({ contextDir: workspace.contextDir, dockerfile: workspace.dockerfile });
      assert.deepEqual(copy.sentPaths, original.sentPaths);
    } finally {
      workspace.dispose();
    }
    assert.equal(fs.existsSync(workspace.root), false, "dispose removes the copy");
  });

  it("writes go to the copy only, never to the user's tree", async () => {
    const root = writeTree(path.join(scratch, "untouched"), { Dockerfile: "FROM scratch\n", "app.py": "print(1)\n", link: { link: "app.py" } });
    const fingerprint = treeFingerprint(root);
    const workspace = await createWorkspace({ contextDir: root, dockerfile: "Dockerfile" }, scratch);
    try {
      workspace.write("app.py", "print(2)\n");
      workspace.write("link", "replaced\n");
      assert.equal(workspace.read("app.py"), "print(2)\n");
      assert.equal(workspace.read("link"), "replaced\n");
      assert.throws(() => workspace.write("../escape.txt", "x"), /outside the copied context/);
    } finally {
      workspace.dispose();
    }
    assert.equal(treeFingerprint(root), fingerprint);
  });

  it("keeps a <Dockerfile>.dockerignore in charge, even when it excludes itself", async () => {
    const root = writeTree(path.join(scratch, "specific"), {
      ".dockerignore": "src\n",
      "docker/api.Dockerfile": "FROM scratch\nCOPY . /\n",
      "docker/api.Dockerfile.dockerignore": "docker/api.Dockerfile.dockerignore\nsecret.txt\n",
      "src/main.go": "package main\n",
      "secret.txt": "s",
    });
    const workspace = await createWorkspace({ contextDir: root, dockerfile: "docker/api.Dockerfile" }, scratch);
    try {
      const original = await planContext({ contextDir: root, dockerfile: "docker/api.Dockerfile" });
      const copy = await planContext({ contextDir: workspace.contextDir, dockerfile: workspace.dockerfile });
      assert.ok(original.sentFiles.includes("src/main.go") && !original.sentFiles.includes("secret.txt"));
      assert.deepEqual(copy.sentFiles, original.sentFiles);
    } finally {
      workspace.dispose();
    }
  });

  it("a Dockerfile outside the context stays outside", async () => {
    const root = writeTree(path.join(scratch, "outside"), { "build/Dockerfile": "FROM scratch\nCOPY . /\n", "app/main.rs": "fn main() {}\n" });
    const workspace = await createWorkspace({ contextDir: path.join(root, "app"), dockerfile: path.join(root, "build/Dockerfile") }, scratch);
    try {
      assert.ok(path.isAbsolute(workspace.dockerfile) && !workspace.dockerfile.startsWith(workspace.contextDir));
      assert.deepEqual(workspace.files, ["main.rs"]);
      const copy = await planContext({ contextDir: workspace.contextDir, dockerfile: workspace.dockerfile, dockerfileText: workspace.dockerfileText });
      assert.equal(copy.generatedDockerfile, true);
    } finally {
      workspace.dispose();
    }
  });
});
