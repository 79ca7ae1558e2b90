import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultConfig } from "../../src/audit/config.ts";
import { auditRepository } from "../../src/audit/run.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import { findingsOf, linesOf, requireRule } from "../helpers/audit.ts";

const id = "missing-dockerignore";

describe(id, () => {
  it("flags a whole-context COPY without .dockerignore, with counts and the largest directories", () => {
    const files = {
      Dockerfile: "# syntax=docker/dockerfile:1\nFROM node:22-slim\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
      "server.js": 2_000,
      "node_modules/express/index.js": 40_000_000,
      ".git/objects/pack/pack-1.pack": 12_000_000,
      "src/app.js": 1_000,
    };
    const [finding, ...rest] = findingsOf(files, id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 4);
    assert.match(finding?.message ?? "", /COPY \. \. sends all of it, 5 files \(52 MB\)/);
    assert.match(finding?.message ?? "", /largest: node_modules\/ 40 MB, \.git\/ 12 MB, src\/ 1 kB/);
    assert.match(finding?.message ?? "", /build context \(the repository root\)/);
  });

  it("grades the impact by what the context sends: low below 1 MB, medium below 20 MB, high above", () => {
    const impactFor = (bytes: number): string | undefined => findingsOf({ Dockerfile: "FROM alpine\nCOPY . /src\n", "main.go": bytes }, id)[0]?.impact;
    assert.equal(impactFor(4_000), "low");
    assert.equal(impactFor(5_000_000), "medium");
    assert.equal(impactFor(60_000_000), "high");
    // A config setting still decides.
    const result = auditRepository(buildRepositoryView(snapshotFromFiles({ Dockerfile: "FROM alpine\nCOPY . /src\n", "main.go": 4_000 })), { rules: [requireRule(id)], config: { ...defaultConfig(), rules: { [id]: "high" } } });
    assert.equal(result.files[0]?.findings[0]?.impact, "high");
  });

  it("accepts .dockerignore and <Dockerfile>.dockerignore", () => {
    assert.deepEqual(linesOf({ Dockerfile: "FROM alpine\nCOPY . /src\n", ".dockerignore": ".git\n" }, id), []);
    assert.deepEqual(linesOf({ "api.Dockerfile": "FROM alpine\nCOPY . /src\n", "api.Dockerfile.dockerignore": ".git\n" }, id), []);
  });

  it("counts an empty .dockerignore as present (the other context rules report what it lets through)", () => {
    assert.deepEqual(linesOf({ Dockerfile: "FROM alpine\nCOPY . /src\n", ".dockerignore": "" }, id), []);
  });

  it("does not fire when the Dockerfile copies only named paths: BuildKit sends only those", () => {
    const files = { Dockerfile: "FROM node:22-slim\nCOPY package.json package-lock.json ./\nCOPY src/ ./src/\n", "node_modules/x.js": 5_000_000 };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("ignores COPY --from, remote ADD and heredocs", () => {
    const dockerfile = "FROM alpine AS build\nRUN echo hi > /out\nFROM alpine\nCOPY --from=build /out /out\nADD https://example.com/a.tgz /tmp/\nCOPY <<EOF /etc/motd\nhello\nEOF\n";
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("reports the first whole-context source: `*`, `./`, a bind mount of the context", () => {
    assert.deepEqual(linesOf("FROM alpine\nCOPY go.mod ./\nCOPY ./ /src/\n", id), [3]);
    assert.deepEqual(linesOf("FROM alpine\nCOPY * /src/\n", id), [2]);
    assert.deepEqual(linesOf("FROM golang:1.22\nRUN --mount=type=bind,target=/src \\\n    go build ./...\n", id), [2]);
    const [finding] = findingsOf("FROM golang:1.22\nRUN --mount=type=bind,target=/src \\\n    go build ./...\n", id);
    assert.equal(finding?.endLine, 3);
  });

  it("uses the context compose gives the Dockerfile", () => {
    const files = {
      "docker-compose.yml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: services/api/Dockerfile\n",
      "services/api/Dockerfile": "FROM alpine\nCOPY . /src\n",
      "services/api/.dockerignore": "node_modules\n",
    };
    // The ignore file next to the Dockerfile is not the context's: Docker reads the one at the context root.
    const [finding] = findingsOf(files, id, "services/api/Dockerfile");
    assert.match(finding?.message ?? "", /the repository root/);
    assert.deepEqual(linesOf({ ...files, ".dockerignore": ".git\n" }, id), []);
  });
});
