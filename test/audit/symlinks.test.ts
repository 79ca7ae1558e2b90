// A symlinked Dockerfile inside the repository is audited under the link's path, and
// `fix --write` writes through to its target (the link stays a link); a link leaving the
// repository is a per-file error and is never written.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { auditPaths } from "../../src/audit/audit-paths.ts";
import { runCli } from "../../src/cli/main.ts";

const DOCKERFILE = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\nCMD [\"curl\", \"--version\"]\n";

function makeRepo(): { root: string; outside: string } {
  const root = tempDirectory("shipshape-links-");
  const outside = tempDirectory("shipshape-links-outside-");
  fs.mkdirSync(path.join(root, "shared"));
  fs.mkdirSync(path.join(root, "svc"));
  fs.mkdirSync(path.join(root, "out"));
  fs.writeFileSync(path.join(root, "shared", "Dockerfile"), DOCKERFILE);
  fs.symlinkSync("../shared/Dockerfile", path.join(root, "svc", "Dockerfile"));
  fs.writeFileSync(path.join(outside, "Dockerfile"), DOCKERFILE);
  fs.symlinkSync(path.join(outside, "Dockerfile"), path.join(root, "out", "Dockerfile"));
  return { root, outside };
}

describe("symbolic links", () => {
  it("audits a link within the repository under its own path; a link outside is a per-file error", () => {
    const { root } = makeRepo();
    const result = auditPaths([root], { cwd: root });
    const byPath = new Map(result.files.map((file) => [file.path, file]));
    const linked = byPath.get("svc/Dockerfile");
    assert.equal(linked?.error, undefined);
    assert.deepEqual(
      linked?.findings.map((finding) => finding.rule).sort(),
      byPath.get("shared/Dockerfile")?.findings.map((finding) => finding.rule).sort(),
    );
    assert.match(byPath.get("out/Dockerfile")?.error ?? "", /symbolic link points outside the repository/);
  });

  it("fix --write writes through the link to its target and keeps the link", async () => {
    const { root, outside } = makeRepo();
    fs.rmSync(path.join(root, "shared", "Dockerfile"));
    fs.mkdirSync(path.join(root, "real"));
    fs.writeFileSync(path.join(root, "real", "Dockerfile"), DOCKERFILE);
    fs.symlinkSync("../real/Dockerfile", path.join(root, "shared", "Dockerfile"));
    let stderr = "";
    const code = await runCli(["fix", ".", "--write"], { stdout: () => {}, stderr: (text) => (stderr += text), cwd: root, env: {}, isTTY: false });
    assert.ok(code === 0 || code === 1, stderr);
    assert.ok(fs.lstatSync(path.join(root, "svc", "Dockerfile")).isSymbolicLink(), "still a link");
    assert.ok(fs.lstatSync(path.join(root, "shared", "Dockerfile")).isSymbolicLink(), "still a link");
    const fixed = fs.readFileSync(path.join(root, "real", "Dockerfile"), "utf8");
    assert.notEqual(fixed, DOCKERFILE, stderr);
    // A safe fix (the apt cache mounts) reached the target; rewrite-level ones are not applied here.
    assert.match(fixed, /--mount=type=cache,target=\/var\/cache\/apt/);
    assert.deepEqual(fs.readdirSync(path.join(root, "svc")), ["Dockerfile"]);
    // The link leaving the repository is neither followed nor written.
    assert.equal(fs.readFileSync(path.join(outside, "Dockerfile"), "utf8"), DOCKERFILE);
    assert.ok(fs.lstatSync(path.join(root, "out", "Dockerfile")).isSymbolicLink());
  });
});
