import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CONTEXT_SIZE_LIMIT_BYTES } from "../../src/rules/context-too-large.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "context-too-large";

describe(id, () => {
  it("flags a context over 100 MB with its size and top 3 directories", () => {
    const files = {
      Dockerfile: "FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY . .\n",
      "data/model.bin": 90_000_000,
      "node_modules/x.js": 20_000_000,
      ".git/pack": 5_000_000,
      "src/app.py": 1_000_000,
    };
    const [finding, ...rest] = findingsOf(files, id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /sends 116 MB of context to the builder \(limit 100 MB\); largest: data\/ 90 MB, node_modules\/ 20 MB, \.git\/ 5 MB: add a \.dockerignore/);
  });

  it("stays quiet at the threshold and when .dockerignore brings it under", () => {
    assert.equal(CONTEXT_SIZE_LIMIT_BYTES, 100_000_000);
    const atLimit = { Dockerfile: "FROM alpine\nCOPY . /app\n", "data/a.bin": CONTEXT_SIZE_LIMIT_BYTES - 100 };
    assert.deepEqual(linesOf(atLimit, id), []);
    const ignored = { Dockerfile: "FROM alpine\nCOPY . /app\n", ".dockerignore": "data\n", "data/a.bin": 500_000_000 };
    assert.deepEqual(linesOf(ignored, id), []);
  });

  it("counts only what the Dockerfile's sources take (BuildKit sends nothing else)", () => {
    const narrow = { Dockerfile: "FROM alpine\nCOPY app/ /app/\n", "app/main.py": 10, "data/a.bin": 500_000_000 };
    assert.deepEqual(linesOf(narrow, id), []);
    const wide = { Dockerfile: "FROM alpine\nCOPY app/ /app/\nCOPY data/ /data/\n", ".dockerignore": ".git\n", "app/main.py": 10, "data/a.bin": 500_000_000 };
    const [finding] = findingsOf(wide, id);
    assert.equal(finding?.line, 3, "reported on the COPY that sends the most");
    assert.match(finding?.message ?? "", /500 MB.*tighten \.dockerignore/);
  });

  it("still counts what COPY --exclude leaves out of the layer: BuildKit transfers it", () => {
    const files = { Dockerfile: "FROM alpine\nCOPY --exclude=data . /app\n", ".dockerignore": ".git\n", "data/a.bin": 500_000_000 };
    assert.deepEqual(linesOf(files, id), [2]);
  });
});
