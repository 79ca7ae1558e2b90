import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "secrets-in-env-or-arg";

describe(id, () => {
  it("flags ENV with a literal secret and names the keys", () => {
    const [finding] = findingsOf("FROM node:22-slim\nENV NODE_ENV=production DB_PASSWORD=hunter2 STRIPE_API_KEY=sk_live_123\n", id);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /^ENV DB_PASSWORD and STRIPE_API_KEY sets a literal secret in the image configuration/);
  });

  it("flags build arguments that carry secrets, with or without a default", () => {
    const dockerfile = "FROM node:22-slim AS build\nARG NPM_TOKEN\nARG GITHUB_TOKEN=ghp_abc\nRUN npm ci\n";
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3]);
    assert.match(findings[0]?.message ?? "", /^ARG NPM_TOKEN: build arguments are recorded in the image history.*RUN --mount=type=secret/);
    assert.match(findings[1]?.message ?? "", /has a literal default/);
  });

  it("says where a build stage's argument ends up", () => {
    const [finding] = findingsOf("FROM node:22 AS build\nARG NPM_TOKEN\nRUN npm ci\nFROM node:22-slim\n", id);
    assert.match(finding?.message ?? "", /recorded in the build definition/);
  });

  it("flags an ENV that copies a secret build argument into the image", () => {
    const findings = findingsOf("FROM node:22-slim\nARG NPM_TOKEN\nENV NPM_TOKEN=${NPM_TOKEN}\n", id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3]);
    assert.match(findings[1]?.message ?? "", /copies build argument NPM_TOKEN into the image configuration/);
  });

  it("reports a global ARG once, not again where a stage re-imports it", () => {
    assert.deepEqual(linesOf("ARG NPM_TOKEN\nFROM node:22-slim\nARG NPM_TOKEN\nRUN npm ci\n", id), [1]);
  });

  it("ignores names that only mention a secret, switches, file paths and references to other ENV", () => {
    const dockerfile = [
      "FROM ruby:3.4-slim",
      "ENV SECRET_KEY_BASE_DUMMY=1 NPM_TOKEN_FILE=/run/secrets/npm PASSWORD_MIN_LENGTH=12 AWS_ACCESS_KEY_ID_PARAM=x",
      "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D PWD=/app KEYCLOAK_URL=https://id.example.com",
      "ENV GOOGLE_APPLICATION_CREDENTIALS=/secrets/gcp.json DB_PASSWORD= USE_TOKEN=false",
      "ENV API_TOKEN=$OTHER_SETTING",
      "ARG NODE_AUTH_TOKEN_PATH",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("recognises camelCase and the usual secret names", () => {
    for (const name of ["apiKey", "clientSecret", "AWS_SECRET_ACCESS_KEY", "SECRET_KEY_BASE", "MYSQL_ROOT_PASSWORD", "DB_PASS", "SIGNING_KEY", "HF_TOKEN", "GIT_CREDENTIALS"]) {
      assert.deepEqual(linesOf(`FROM alpine:3.22\nENV ${name}=s3cr3t-value\n`, id), [2], name);
    }
  });
});
