import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "compose-build-without-target";

const multiTarget = "FROM node:22 AS base\nWORKDIR /app\nFROM base AS dev\nCMD [\"npm\", \"run\", \"dev\"]\nFROM base AS build\nRUN npm run build\nFROM node:22-slim AS prod\nCOPY --from=build /app/dist /app\n";

describe(id, () => {
  it("flags a build without target of a Dockerfile with several targets", () => {
    const files = { "docker-compose.yml": "services:\n  api:\n    build:\n      context: ./services/api\n", "services/api/Dockerfile": multiTarget };
    const [finding, ...rest] = findingsOf(files, id, "docker-compose.yml");
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 3);
    assert.equal(
      finding?.message,
      "Service api builds services/api/Dockerfile without build.target: it has 2 possible targets (dev and prod) and Compose builds the last one, prod; set target: to the stage this service should run",
    );
  });

  it("resolves context and dockerfile relative to the compose file's directory", () => {
    const files = { "deploy/compose.yaml": "services:\n  api:\n    build:\n      context: ..\n      dockerfile: docker/api.Dockerfile\n", "docker/api.Dockerfile": multiTarget };
    assert.deepEqual(linesOf(files, id, "deploy/compose.yaml"), [3]);
  });

  it("flags a last stage that is a test or dev image", () => {
    const files = { "docker-compose.yml": "services:\n  api:\n    build: .\n", Dockerfile: "FROM node:22 AS prod\nCOPY . .\nFROM prod AS test\nRUN npm test\n" };
    assert.match(findingsOf(files, id, "docker-compose.yml")[0]?.message ?? "", /its last stage, test, which looks like a development or test image/);
  });

  it("accepts a target, single-stage Dockerfiles and plain build-then-runtime multi-stage builds", () => {
    const withTarget = { "docker-compose.yml": "services:\n  api:\n    build:\n      context: .\n      target: prod\n", Dockerfile: multiTarget };
    assert.deepEqual(linesOf(withTarget, id, "docker-compose.yml"), []);
    const single = { "docker-compose.yml": "services:\n  api:\n    build: .\n", Dockerfile: "FROM node:22\nCMD [\"node\", \"a.js\"]\n" };
    assert.deepEqual(linesOf(single, id, "docker-compose.yml"), []);
    const pipeline = { "docker-compose.yml": "services:\n  api:\n    build: .\n", Dockerfile: "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\n" };
    assert.deepEqual(linesOf(pipeline, id, "docker-compose.yml"), []);
  });

  it("ignores remote contexts and Dockerfiles outside the repository view", () => {
    const files = { "docker-compose.yml": "services:\n  api:\n    build: https://github.com/example/api.git#main\n  web:\n    build: ./missing\n" };
    assert.deepEqual(linesOf(files, id, "docker-compose.yml"), []);
  });
});
