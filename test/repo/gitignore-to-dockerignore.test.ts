import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gitignoreLineToDockerignore } from "../../src/repo/gitignore.ts";
import { compileDockerignore } from "../../src/repo/dockerignore.ts";
import { createGitignoreSet } from "../../src/repo/gitignore.ts";

describe("gitignoreLineToDockerignore", () => {
  it("makes an unanchored name match at any depth, as git does", () => {
    assert.equal(gitignoreLineToDockerignore("node_modules", "", ""), "**/node_modules");
    assert.equal(gitignoreLineToDockerignore("*.log", "", ""), "**/*.log");
    assert.equal(gitignoreLineToDockerignore("dist/", "", ""), "**/dist");
    assert.equal(gitignoreLineToDockerignore("**/tmp", "", ""), "**/tmp");
  });

  it("keeps anchored patterns anchored and negations negated", () => {
    assert.equal(gitignoreLineToDockerignore("/build", "", ""), "build");
    assert.equal(gitignoreLineToDockerignore("config/local.json", "", ""), "config/local.json");
    assert.equal(gitignoreLineToDockerignore("!.env.example", "", ""), "!**/.env.example");
  });

  it("skips blank lines and comments", () => {
    for (const line of ["", "   ", "# comment", "/", "**"]) assert.equal(gitignoreLineToDockerignore(line, "", ""), undefined, line);
  });

  it("drops trailing blanks, except one escaped with a backslash, as git does", () => {
    assert.equal(gitignoreLineToDockerignore("logs   ", "", ""), "**/logs");
    assert.equal(gitignoreLineToDockerignore("a\\ ", "", ""), "**/a\\ ");
    assert.equal(gitignoreLineToDockerignore("a\\   ", "", ""), "**/a\\ ");
  });

  it("prefixes a .gitignore nested in the context with its directory", () => {
    assert.equal(gitignoreLineToDockerignore("coverage", "packages/web", ""), "packages/web/**/coverage");
    assert.equal(gitignoreLineToDockerignore("/out", "app/packages/web", "app"), "packages/web/out");
  });

  it("rebases a .gitignore above the context onto the context root, dropping what points elsewhere", () => {
    assert.equal(gitignoreLineToDockerignore(".venv", "", "services/api"), "**/.venv");
    assert.equal(gitignoreLineToDockerignore("/services/api/dist", "", "services/api"), "dist");
    assert.equal(gitignoreLineToDockerignore("services/*/tmp/", "", "services/api"), "tmp");
    assert.equal(gitignoreLineToDockerignore("/services/web/dist", "", "services/api"), undefined);
    assert.equal(gitignoreLineToDockerignore("/services", "", "services/api"), undefined, "ignores the context itself");
    assert.equal(gitignoreLineToDockerignore("**/x/dist", "", "services/api"), "**/x/dist");
    assert.equal(gitignoreLineToDockerignore("dist", "web", "services/api"), undefined, "a sibling's .gitignore");
  });

  it("excludes in the context what git ignores there", () => {
    const lines = ["node_modules/", "*.log", "/secret.txt", "!keep.log", "build"];
    const git = createGitignoreSet();
    git.add("", lines.join("\n"));
    const docker = compileDockerignore(lines.map((line) => gitignoreLineToDockerignore(line, "", "")).filter((pattern): pattern is string => pattern !== undefined));
    for (const file of ["node_modules/a/index.js", "pkg/node_modules/b.js", "x.log", "deep/y.log", "secret.txt", "sub/secret.txt", "keep.log", "build/out.js", "src/build/x.js", "src/index.js"]) {
      const ignoredByGit = file.split("/").some((_, index, parts) => git.ignores(parts.slice(0, index + 1).join("/"), index < parts.length - 1));
      assert.equal(docker.excludes(file), ignoredByGit, file);
    }
  });
});
