import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "consecutive-run-instructions";

describe(id, () => {
  it("reports a run of consecutive simple RUNs once, from the second RUN to the last", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
      "# a comment does not separate them",
      "RUN useradd --create-home app",
      "RUN mkdir -p /data \\",
      "    && chown app /data",
      "USER app",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.line, 4);
    assert.equal(findings[0]?.endLine, 6);
    assert.match(findings[0]?.message ?? "", /3 consecutive RUN instructions \(lines 2, 4 and 5\)/);
  });

  it("does not join across other instructions, different mounts, or non-trivial commands", () => {
    const dockerfile = [
      "FROM node:22-slim",
      "RUN mkdir /app",
      "COPY package.json /app/",
      "RUN chown node /app",
      "RUN --mount=type=cache,target=/root/.npm npm ci",
      "RUN --mount=type=cache,target=/var/cache/apt apt-get install -y git",
      "RUN npm run build",
      "RUN rm -rf /tmp/*",
      'RUN ["mkdir", "/x"]',
      "RUN mkdir /y",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("joins RUNs that share the same mounts", () => {
    const dockerfile = "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt apt-get update\nRUN --mount=type=cache,target=/var/cache/apt apt-get install -y git\n";
    assert.deepEqual(linesOf(dockerfile, id), [3]);
  });

  it("ignores build stages that do not ship", () => {
    const dockerfile = "FROM debian AS build\nRUN mkdir /out\nRUN touch /out/x\nFROM debian\nCOPY --from=build /out /out\n";
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("honours # hadolint ignore=DL3059 where hadolint reports it, on the second RUN", () => {
    assert.deepEqual(linesOf("FROM debian\nRUN mkdir /a\n# hadolint ignore=DL3059\nRUN mkdir /b\n", id), []);
  });
});
