import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { rule } from "../../src/rules/duplicated-dockerfiles.ts";
import { bestMatches, longestCommonSubsequence, normalizedInstructions, similarity } from "../../src/rules/support/similarity.ts";
import { findingsOf } from "../helpers/audit.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";

const id = "duplicated-dockerfiles";

const service = (port: number, entry: string): string =>
  [
    "# syntax=docker/dockerfile:1",
    "FROM node:22-slim",
    "WORKDIR /app",
    "COPY package.json package-lock.json ./",
    "RUN npm ci --omit=dev",
    "COPY . .",
    "ENV NODE_ENV=production",
    "USER node",
    `EXPOSE ${port}`,
    `CMD ["node", "${entry}"]`,
    "",
  ].join("\n");

describe(id, () => {
  it("reports each file of a similar pair with the percentage and the shared prefix", () => {
    const files = { "services/api/Dockerfile": service(3000, "server.js"), "services/worker/Dockerfile": service(3001, "worker.js"), "services/go/Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n" };
    const findings = findingsOf(files, id);
    assert.deepEqual(
      findings.map((finding) => finding.message),
      [
        "services/api/Dockerfile is 77% identical to services/worker/Dockerfile (shared prefix: 7 instructions): consolidation candidate (one multi-target Dockerfile + docker-bake.hcl)",
        "services/worker/Dockerfile is 77% identical to services/api/Dockerfile (shared prefix: 7 instructions): consolidation candidate (one multi-target Dockerfile + docker-bake.hcl)",
      ],
    );
    // On the first instruction, after the parser directive.
    assert.deepEqual(findings.map((finding) => finding.line), [2, 2]);
  });

  it("compares only within a project: independent sample projects with their own compose files are not duplicates", () => {
    const sample = (name: string, port: number): Record<string, string> => ({
      [`examples/${name}/docker-compose.yml`]: "services:\n  app:\n    build: .\n",
      [`examples/${name}/Dockerfile`]: service(port, "server.js"),
    });
    assert.deepEqual(findingsOf({ ...sample("todo", 3000), ...sample("chat", 3001) }, id), []);
    // Both built by one compose file: one project.
    const together = { "docker-compose.yml": "services:\n  todo:\n    build: ./examples/todo\n  chat:\n    build: ./examples/chat\n", "examples/todo/Dockerfile": service(3000, "server.js"), "examples/chat/Dockerfile": service(3001, "server.js") };
    assert.equal(findingsOf(together, id).length, 2);
  });

  it("ignores comments and whitespace when comparing", () => {
    const a = "FROM alpine:3.20\nRUN apk add --no-cache curl\nWORKDIR /app\nCOPY . .\nUSER nobody\nCMD [\"./run\"]\n";
    const b = "# the same, reformatted\nFROM   alpine:3.20\nRUN apk add \\\n    --no-cache curl\n\nWORKDIR /app\n# copy\nCOPY . .\nUSER nobody\nCMD [\"./run\"]\n";
    assert.deepEqual(normalizedInstructions(parseDockerfile(a)), normalizedInstructions(parseDockerfile(b)));
    const findings = findingsOf({ "a/Dockerfile": a, "b/Dockerfile": b }, id);
    assert.equal(findings.length, 2);
    assert.match(findings[0]?.message ?? "", /is 100% identical to .* \(shared prefix: 6 instructions\)/);
  });

  it("stays below the threshold for Dockerfiles that only share boilerplate", () => {
    const a = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"a.js\"]\n";
    const b = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"b.py\"]\n";
    assert.deepEqual(findingsOf({ "a/Dockerfile": a, "b/Dockerfile": b }, id), []);
  });

  it("ignores Dockerfiles shorter than 5 instructions", () => {
    const tiny = "FROM nginx:alpine\nCOPY dist /usr/share/nginx/html\n";
    assert.deepEqual(findingsOf({ "a/Dockerfile": tiny, "b/Dockerfile": tiny }, id), []);
  });

  it("uses an order-aware LCS ratio", () => {
    assert.equal(longestCommonSubsequence(["a", "b", "c", "d"], ["a", "c", "b", "d"]), 3);
    assert.equal(similarity(["a", "b", "c", "d"], ["d", "c", "b", "a"]), 0.25);
  });

  it("names each file's best match", () => {
    const base = ["FROM x", "RUN 1", "RUN 2", "RUN 3", "RUN 4", "RUN 5", "RUN 6", "RUN 7", "RUN 8", "RUN 9"];
    const files = new Map([
      ["a", base],
      ["b", [...base.slice(0, 9), "RUN other"]],
      ["c", [...base.slice(0, 7), "RUN x", "RUN y", "RUN z"]],
    ]);
    const matches = bestMatches(files, 0.7, 5);
    assert.equal(matches.get("a")?.other, "b");
    assert.equal(matches.get("c")?.other, "a");
    assert.equal(matches.get("c")?.sharedPrefix, 7);
  });

  it("scales: 2,000 Dockerfiles in families of near-copies finish quickly", () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 2_000; index++) {
      const family = index % 40;
      const lines = [`FROM registry.example.com/base-${family}:1`, "WORKDIR /app", `RUN install-family-${family}`, `COPY family-${family}.conf /etc/`, "COPY . .", `RUN build ${family}`, `ENV SERVICE=svc-${index}`, `EXPOSE ${3000 + (index % 7)}`, `CMD ["run", "svc-${index}"]`];
      files[`services/svc-${index}/Dockerfile`] = `${lines.join("\n")}\n`;
    }
    const repository = buildRepositoryView(snapshotFromFiles(files));
    const dockerfiles = new Map(repository.dockerfiles.map((path) => [path, parseDockerfile(files[path] ?? "", path)]));
    const reports = rule.check({ repository, dockerfiles });
    assert.equal(reports.length, 2_000);
    assert.ok(reports.every((report) => /is (7\d|8\d)% identical/.test(report.message)), reports[0]?.message);
  });
});
