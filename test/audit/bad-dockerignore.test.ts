// An invalid .dockerignore is an error on that file (with the line and Docker's reason); the
// repository is still audited, and no pattern makes matching hang.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { auditPaths } from "../../src/audit/audit-paths.ts";
import { checkDockerignore, compileDockerignore } from "../../src/repo/dockerignore.ts";

const DOCKERFILE = "FROM node:22\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";

function makeRepo(files: Record<string, string>): string {
  const root = tempDirectory("shipshape-badignore-");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

describe("invalid .dockerignore", () => {
  it("names each refused line with Docker's reason, and keeps the valid patterns", () => {
    const checked = checkDockerignore("node_modules\n!\n# comment\n[\n[z-a]\nfoo\\\n.git\n");
    assert.deepEqual(checked.patterns, ["node_modules", ".git"]);
    assert.deepEqual(
      checked.problems.map((problem) => problem.line),
      [2, 4, 5, 6],
    );
    assert.match(checked.problems[0]?.message ?? "", /illegal exclusion pattern/);
    assert.match(checked.problems[1]?.message ?? "", /syntax error in pattern: "\["/);
    assert.match(checked.problems[2]?.message ?? "", /invalid character class range/);
    assert.match(checked.problems[3]?.message ?? "", /syntax error in pattern/);
  });

  it("refuses a line over 64 KiB, as bufio.Scanner does, and reads nothing after it", () => {
    const checked = checkDockerignore(`.git\n${"a".repeat(100_000)}\nnode_modules\n`);
    assert.deepEqual(checked.patterns, [".git"]);
    assert.deepEqual(checked.problems, [{ line: 2, message: "line longer than 64 KiB (error reading .dockerignore: bufio.Scanner: token too long)" }]);
  });

  const root = makeRepo({
    "bang/Dockerfile": DOCKERFILE,
    "bang/.dockerignore": "node_modules\n!\n",
    "bracket/Dockerfile": DOCKERFILE,
    "bracket/.dockerignore": "[\n",
    "range/Dockerfile": DOCKERFILE,
    "range/.dockerignore": "[z-a]\n",
    "backslash/Dockerfile": DOCKERFILE,
    "backslash/.dockerignore": "dist\\\n",
    "longline/Dockerfile": DOCKERFILE,
    "longline/.dockerignore": `${"x".repeat(100_000)}\n`,
    "stars/Dockerfile": DOCKERFILE,
    "stars/.dockerignore": `${"*".repeat(50_000)}\n`,
    "stars/sub/deep/file.txt": "x",
    "good/Dockerfile": "FROM node:22\nRUN apt-get install -y curl\n",
  });
  const result = auditPaths([root], { cwd: root });
  const byPath = new Map(result.files.map((file) => [file.path, file]));

  it("is an error on that .dockerignore with its line; the run goes on", () => {
    assert.match(byPath.get("bang/.dockerignore")?.error ?? "", /^invalid \.dockerignore, docker build refuses it: line 2: illegal exclusion pattern/);
    assert.match(byPath.get("bracket/.dockerignore")?.error ?? "", /line 1: syntax error in pattern: "\["/);
    assert.match(byPath.get("range/.dockerignore")?.error ?? "", /line 1: .*invalid character class range/);
    assert.match(byPath.get("backslash/.dockerignore")?.error ?? "", /line 1: syntax error in pattern/);
    assert.match(byPath.get("longline/.dockerignore")?.error ?? "", /line 1: line longer than 64 KiB/);
    assert.equal(byPath.get("bang/.dockerignore")?.kind, "dockerignore");
    assert.ok(result.summary.filesWithErrors >= 5);
  });

  it("still audits every Dockerfile, with the valid patterns applied to its context", () => {
    for (const dir of ["bang", "bracket", "range", "backslash", "longline", "stars", "good"]) {
      const file = byPath.get(`${dir}/Dockerfile`);
      assert.ok(file, dir);
      assert.equal(file.error, undefined, dir);
    }
    assert.ok(byPath.get("good/Dockerfile")?.findings.some((finding) => finding.rule === "apt-no-install-recommends"));
    // 50,000 `*` is valid (one `**` run) and excludes everything: not an error.
    assert.equal(byPath.get("stars/.dockerignore"), undefined);
  });

  it("matches runs of wildcards in linear time", () => {
    const matcher = compileDockerignore([`a${"*".repeat(50_001)}b`, `${"**/".repeat(5000)}z`]);
    const longPath = `${"a/".repeat(2000)}c`;
    assert.equal(matcher.excludes(longPath), false);
    assert.equal(matcher.excludes("a/q/b"), true);
    assert.equal(matcher.excludes("q/r/z"), true);
  });
});
