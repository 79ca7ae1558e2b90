import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import { rule } from "../../src/rules/context-includes-secrets.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "context-includes-secrets";

describe(id, () => {
  it("flags .env files, private keys and credential directories taken by COPY . .", () => {
    const files = {
      Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
      ".env": 100,
      ".env.production": 100,
      "deploy/id_ed25519": 400,
      "certs/server.key": 1_700,
      ".aws/credentials": 200,
      "server.js": 10,
    };
    const [finding, ...rest] = findingsOf(files, id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /COPY \. \. copies \.aws\/, \.env, \.env\.production, certs\/server\.key and deploy\/id_ed25519 into the image/);
    assert.match(finding?.message ?? "", /RUN --mount=type=secret/);
  });

  it("skips templates, public certificates and public keys", () => {
    const files = {
      Dockerfile: "FROM alpine\nCOPY . /app\n",
      ".env.example": 10,
      ".env.sample": 10,
      ".env.template": 10,
      "certs/ca.pem": 10,
      "certs/fullchain.pem": 10,
      "certs/server-cert.pem": 10,
      "keys/id_rsa.pub": 10,
      "keys/signing.pub.key": 10,
    };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("counts a .pem that says key, or says nothing", () => {
    const files = { Dockerfile: "FROM alpine\nCOPY . /app\n", "certs/ca-key.pem": 10, "tls.pem": 10, "client.p12": 10 };
    assert.match(findingsOf(files, id)[0]?.message ?? "", /certs\/ca-key\.pem, client\.p12 and tls\.pem/);
  });

  it("respects .dockerignore", () => {
    const files = { Dockerfile: "FROM alpine\nCOPY . /app\n", ".dockerignore": ".env*\n!.env.example\n*.pem\n", ".env": 10, ".env.local": 10, "key.pem": 10 };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("reports an explicit COPY of a secret too, on its own line", () => {
    const files = { Dockerfile: "FROM alpine\nCOPY .env /app/.env\nCOPY src/ /app/src/\n", ".env": 10, "src/kubeconfig": 10 };
    assert.deepEqual(linesOf(files, id), [2, 3]);
  });

  it("ignores keys in tests, fixtures and dependencies, and files no COPY takes", () => {
    const files = {
      Dockerfile: "FROM node:22\nCOPY package.json ./\nCOPY . /app\n",
      "test/fixtures/server.key": 10,
      "spec/support/id_rsa": 10,
      "node_modules/ssh2/test/fixtures/id_rsa": 10,
      ".venv/lib/python3.12/site-packages/certifi/key.pem": 10,
    };
    assert.deepEqual(linesOf(files, id), []);
    const narrow = { Dockerfile: "FROM alpine\nCOPY app.py /app/\n", "app.py": 10, ".env": 10 };
    assert.deepEqual(linesOf(narrow, id), []);
  });

  it("does not count a RUN bind mount (nothing stays in a layer) and says when the copy is in a build stage", () => {
    const mounted = { Dockerfile: "FROM golang:1.22\nRUN --mount=type=bind,target=/src go build ./...\n", ".env": 10 };
    assert.deepEqual(linesOf(mounted, id), []);
    const build = { Dockerfile: "FROM node:22 AS build\nCOPY . .\nRUN npm run build\nFROM nginx:alpine\nCOPY --from=build /dist /usr/share/nginx/html\n", ".env": 10 };
    const [finding] = findingsOf(build, id);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /into build stage build, whose layers stay in the build cache/);
  });

  it("counts .npmrc only when git ignores it (a personal file with a token, not project settings)", () => {
    const files = { Dockerfile: "FROM node:22\nCOPY . .\n", ".npmrc": 60 };
    assert.deepEqual(linesOf(files, id), []);
    const snapshot = snapshotFromFiles(files);
    for (const file of snapshot.files) if (file.path === ".npmrc") file.gitignored = true;
    const repository = buildRepositoryView(snapshot);
    const reports = rule.check({ dockerfile: parseDockerfile(files.Dockerfile), buildContext: repository.contexts.get("Dockerfile"), repository });
    assert.equal(reports.length, 1);
    assert.match(reports[0]?.message ?? "", /copies \.npmrc into the image/);
  });
});
