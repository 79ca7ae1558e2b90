// Folders the audit does not look into are said out loud: the view carries them (pure data) and
// the CLI prints one summary line on stderr, or each folder with --verbose.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { describeSkipped } from "../../src/audit/skipped.ts";
import { runCli } from "../../src/cli/main.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";

const DOCKERFILE = 'FROM node:22\nCMD ["node", "server.js"]\n';

describe("skipped folders", () => {
  it("the view lists dependency/build folders holding Dockerfiles and unreadable folders, with why", () => {
    const snapshot = snapshotFromFiles({
      "app/Dockerfile": DOCKERFILE,
      "node_modules/pkg/Dockerfile": DOCKERFILE,
      "node_modules/other/docker-compose.yml": "services: {}\n",
      "svc/target/x/Dockerfile": DOCKERFILE,
      "vendor/lib/readme.md": "no Dockerfile here",
    });
    snapshot.unreadableDirectories = new Map([["secret", "cannot list directory: EACCES"]]);
    const view = buildRepositoryView(snapshot);
    assert.deepEqual(view.dockerfiles, ["app/Dockerfile"]);
    assert.deepEqual(view.skipped, [
      { path: "node_modules", reason: "dependency-or-build", detail: "a dependency or build folder; holds 2 Dockerfiles or compose files" },
      { path: "secret", reason: "unreadable", detail: "cannot list directory: EACCES" },
      { path: "svc/target", reason: "dependency-or-build", detail: "a dependency or build folder; holds 1 Dockerfile or compose file" },
    ]);
    assert.equal(
      describeSkipped(view.skipped, false),
      "shipshape: skipped 3 folders: 2 dependency/build folders (node_modules, target) and 1 unreadable; --verbose lists them\n",
    );
    assert.equal(
      describeSkipped(view.skipped, true),
      [
        "shipshape: skipped 3 folders: 2 dependency/build folders (node_modules, target) and 1 unreadable:",
        "  node_modules/: a dependency or build folder; holds 2 Dockerfiles or compose files",
        "  secret/: cannot list directory: EACCES",
        "  svc/target/: a dependency or build folder; holds 1 Dockerfile or compose file",
        "",
      ].join("\n"),
    );
    assert.equal(describeSkipped([], true), "");
  });

  it("audit prints the summary on stderr, and each folder with --verbose", async () => {
    const root = tempDirectory("shipshape-skipped-");
    for (const file of ["app/Dockerfile", "node_modules/pkg/Dockerfile", "svc/target/x/Dockerfile"]) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), DOCKERFILE);
    }
    const run = async (args: string[]): Promise<{ stdout: string; stderr: string }> => {
      let stdout = "";
      let stderr = "";
      await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: root, env: {}, isTTY: false });
      return { stdout, stderr };
    };
    const plain = await run(["audit", ".", "--format", "json"]);
    assert.equal(plain.stderr, "shipshape: skipped 2 folders: 2 dependency/build folders (node_modules, target); --verbose lists them\n");
    assert.equal((JSON.parse(plain.stdout) as Record<string, unknown>).skipped, undefined, "stderr only: the JSON shape is unchanged");
    const verbose = await run(["audit", ".", "--verbose"]);
    assert.match(verbose.stderr, /^ {2}node_modules\/: a dependency or build folder; holds 1 Dockerfile or compose file$/m);
    assert.match(verbose.stderr, /^ {2}svc\/target\/: /m);
    const fix = await run(["fix", "."]);
    assert.match(fix.stderr, /^shipshape: skipped 2 folders/m);
  });
});
