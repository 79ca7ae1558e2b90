import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "context-includes-vcs";

describe(id, () => {
  it("flags .git taken by COPY . . and says it busts the cache", () => {
    const files = { Dockerfile: "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n", "app.py": 100, ".git/HEAD": 21, ".git/objects/pack/p.pack": 3_000_000 };
    const [finding, ...rest] = findingsOf(files, id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /COPY \. \. takes \.git\/ \(3 MB\)/);
    assert.match(finding?.message ?? "", /misses the cache/);
    assert.match(finding?.message ?? "", /add \.git to \.dockerignore/);
  });

  it("respects .dockerignore exclusions", () => {
    const files = { Dockerfile: "FROM alpine\nCOPY . /src\n", ".git/HEAD": 21, ".dockerignore": ".git\n" };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("reports nothing when no source takes .git (BuildKit does not send it)", () => {
    const files = { Dockerfile: "FROM alpine\nCOPY src/ /src/\n", "src/a.txt": 1, ".git/HEAD": 21 };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("leaves an explicit COPY .git alone: the build needs it", () => {
    const files = { Dockerfile: "FROM alpine\nCOPY . /src\nCOPY .git /src/.git\n", ".git/HEAD": 21, ".dockerignore": "node_modules\n" };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("finds .hg and .svn, nested checkouts, and ignores .git files and checkouts inside node_modules", () => {
    const files = {
      Dockerfile: "FROM alpine\nCOPY . /src\n",
      ".hg/store/data": 10,
      "lib/vendored/.svn/entries": 10,
      "sub/.git": 30,
      "node_modules/dep/.git/HEAD": 21,
      ".gitignore": 10,
    };
    const [finding] = findingsOf(files, id);
    assert.match(finding?.message ?? "", /\.hg\/ \(10 B\) and lib\/vendored\/\.svn\/ \(10 B\) from/);
    assert.match(finding?.message ?? "", /add \.hg and \*\*\/\.svn to \.dockerignore/);
    assert.doesNotMatch(finding?.message ?? "", /sub\/\.git|node_modules/);
  });

  it("counts RUN --mount=type=bind of the context (its contents key the RUN's cache)", () => {
    const files = { Dockerfile: "FROM golang:1.22\nRUN --mount=type=bind,target=. go build ./...\n", ".git/HEAD": 21 };
    assert.deepEqual(linesOf(files, id), [2]);
  });
});
