import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "files-removed-in-later-layer";

describe(id, () => {
  it("flags a download deleted by a later RUN and names both lines", () => {
    const dockerfile = ["FROM debian:bookworm-slim", "RUN curl -fsSLo /tmp/app.tgz https://example.com/app.tgz", "RUN tar xzf /tmp/app.tgz -C /opt \\", "    && rm /tmp/app.tgz"].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.line, 3);
    assert.equal(findings[0]?.endLine, 4);
    assert.match(findings[0]?.message ?? "", /deletes \/tmp\/app\.tgz, downloaded at line 2: the bytes remain in line 2's layer/);
    assert.equal(findings[0]?.estimatedSavingMB, undefined);
  });

  it("is silent when the file is downloaded and deleted in the same RUN", () => {
    assert.deepEqual(linesOf("FROM debian\nRUN curl -o /tmp/a.tgz https://x/a.tgz && tar xzf /tmp/a.tgz && rm /tmp/a.tgz\nRUN rm -rf /tmp/*\n", id), []);
  });

  it("understands wget, curl -O, git clone, apt-get update, WORKDIR and parent or glob removals", () => {
    const dockerfile = [
      "FROM debian",
      "WORKDIR /build",
      "RUN wget -q https://example.com/tool-1.2.tar.gz",
      "RUN curl -fsSLO https://example.com/other.zip",
      "RUN git clone --depth 1 https://github.com/acme/lib.git",
      "RUN apt-get update",
      "RUN rm tool-1.2.tar.gz",
      "RUN rm -f /build/*.zip",
      "RUN rm -rf lib/.git /var/lib/apt/lists/*",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [7, 8, 9, 9]);
    assert.match(findings[2]?.message ?? "", /deletes \/build\/lib\/\.git, cloned by git clone at line 5/);
    assert.match(findings[3]?.message ?? "", /written by apt-get update at line 6/);
  });

  it("checks deletions inside a copied context directory against the context's files", () => {
    const files = {
      Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN rm -rf node_modules docs\nRUN rm -rf coverage\n",
      "package.json": "{}",
      "node_modules/big/index.js": 30_000_000,
      "src/index.js": "x",
    };
    const findings = findingsOf(files, id);
    assert.deepEqual(findings.map((finding) => finding.line), [4]);
    assert.match(findings[0]?.message ?? "", /deletes \/app\/node_modules \(30 MB in the build context\), added by COPY at line 3/);
    assert.match(findings[0]?.message ?? "", /\.dockerignore/);
    // Once .dockerignore excludes it, nothing is copied and nothing is reported.
    assert.deepEqual(linesOf({ ...files, ".dockerignore": "node_modules\n" }, id), []);
  });

  it("flags a copied archive deleted later, and skips small copied files", () => {
    const files = { Dockerfile: "FROM debian\nCOPY app.tar.gz install.sh /tmp/\nRUN tar xzf /tmp/app.tar.gz -C /opt\nRUN /tmp/install.sh && rm /tmp/*.tar.gz /tmp/install.sh\n", "app.tar.gz": 50_000_000, "install.sh": "echo hi\n" };
    const findings = findingsOf(files, id);
    assert.equal(findings.length, 1);
    assert.match(findings[0]?.message ?? "", /deletes \/tmp\/app\.tar\.gz, \/tmp\/install\.sh \(50 MB in the build context\)/);
    assert.match(findings[0]?.message ?? "", /RUN --mount=type=bind/);
    assert.deepEqual(linesOf({ Dockerfile: "FROM debian\nCOPY install.sh /tmp/\nRUN /tmp/install.sh\nRUN rm /tmp/install.sh\n", "install.sh": "echo hi\n" }, id), []);
  });

  it("follows the final stage's base stages, and ignores build stages", () => {
    const dockerfile = [
      "FROM debian AS base",
      "RUN curl -o /opt/big.bin https://example.com/big.bin",
      "FROM base AS build",
      "RUN rm /opt/big.bin",
      "FROM base",
      "RUN rm /opt/big.bin",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [6]);
  });

  it("does not guess: deletions after cd, with variables, or under mounts are skipped", () => {
    const dockerfile = [
      "FROM debian",
      "WORKDIR /src",
      "RUN curl -O https://example.com/a.tgz && curl -o /tmp/b.tgz https://example.com/b.tgz",
      "RUN cd /tmp && rm a.tgz",
      "RUN rm ${TMPDIR}/b.tgz",
      "RUN --mount=type=tmpfs,target=/tmp rm -f /tmp/b.tgz",
      "RUN curl -fsSL https://example.com/x.sh | sh",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("reports files that later deletions find again only once", () => {
    const dockerfile = "FROM debian\nRUN curl -o /tmp/a.bin https://example.com/a.bin\nRUN rm /tmp/a.bin\nRUN rm -f /tmp/a.bin\n";
    assert.deepEqual(linesOf(dockerfile, id), [3]);
  });
});
