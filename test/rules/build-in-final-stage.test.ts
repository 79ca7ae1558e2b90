import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "build-in-final-stage";

describe(id, () => {
  it("flags build steps in the final stage and names them", () => {
    const dockerfile = ["FROM node:22-slim", "COPY . .", "RUN npm ci && npm run build && npx tsc -p .", "CMD [\"node\", \"dist/server.js\"]"].join("\n");
    const [finding] = findingsOf(dockerfile, id);
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /^`npm run build` and `npx tsc` run in the final stage/);
  });

  it("recognises the usual build commands of each ecosystem", () => {
    const steps = ["go build -o /app .", "cargo build --release", "./mvnw -B package", "gradle bootJar", "dotnet publish -c Release", "yarn build", "pnpm run build:prod", "npx vite build", "next build", "webpack --mode production", "go install ./cmd/app"];
    for (const step of steps) assert.deepEqual(linesOf(`FROM debian\nRUN ${step}\n`, id), [2], step);
  });

  it("ignores what is not a build: dev servers, type checks, tool installs, tests", () => {
    const steps = ["npm run dev", "npx tsc --noEmit", "go install github.com/go-delve/delve/cmd/dlv@latest", "npm test", "webpack serve", "vite", "python manage.py collectstatic --noinput", "npm run lint"];
    for (const step of steps) assert.deepEqual(linesOf(`FROM debian\nRUN ${step}\n`, id), [], step);
  });

  it("ignores build stages and flags stages the final stage builds on", () => {
    const multiStage = ["FROM node:22 AS build", "RUN npm run build", "FROM nginx:alpine", "COPY --from=build /app/dist /usr/share/nginx/html"].join("\n");
    assert.deepEqual(linesOf(multiStage, id), []);
    const chained = ["FROM golang:1.26 AS build", "RUN go build -o /app .", "FROM build", "CMD [\"/app\"]"].join("\n");
    assert.match(findingsOf(chained, id)[0]?.message ?? "", /stage build, which the final stage builds on/);
  });

  it("skips Dockerfiles for development or CI", () => {
    assert.deepEqual(linesOf({ "ci/Dockerfile": "FROM golang:1.26\nRUN go build ./...\n" }, id), []);
  });
});
