import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "missing-pipefail";

describe(id, () => {
  it("flags pipes under the default shell, in every stage", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim AS build",
      "RUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt",
      "FROM debian:bookworm-slim",
      "RUN wget -qO- https://example.com/key | gpg --dearmor > /etc/apt/keyrings/example.gpg",
      "RUN curl -fsSL https://example.com/a | sh -c 'cat > /a' && echo done",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 4, 5]);
    assert.match(findings[0]?.message ?? "", /`curl -fsSL https:\/\/example\.com\/app\.tgz \| tar -xz -C \/opt` only fails if its last command fails/);
    assert.match(findings[0]?.message ?? "", /SHELL \["\/bin\/bash", "-o", "pipefail", "-c"\]/);
    assert.match(findings[0]?.message ?? "", /dash, \/bin\/sh on Debian bookworm and Ubuntu, rejects it/);
  });

  it("accepts set -o pipefail in the script, a SHELL with pipefail (also inherited), or bash -o pipefail -c", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim AS base",
      'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]',
      "RUN curl -fsSL https://example.com/a | tar -xz",
      "FROM base",
      "RUN curl -fsSL https://example.com/b | tar -xz",
      "FROM alpine:3.20",
      "RUN set -euo pipefail; wget -qO- https://example.com/c | tar -xz",
      "RUN bash -o pipefail -c 'curl -fsSL https://example.com/d | tar -xz'",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("says when the SHELL in force lacks pipefail", () => {
    const dockerfile = 'FROM debian\nSHELL ["/bin/bash", "-c"]\nRUN curl -fsSL https://example.com/a | tar -xz\n';
    assert.match(findingsOf(dockerfile, id)[0]?.message ?? "", /the SHELL at line 2 does not set pipefail/);
  });

  it("suggests ash on Alpine", () => {
    assert.match(findingsOf("FROM node:22-alpine\nRUN wget -qO- https://example.com/x | tar -xz\n", id)[0]?.message ?? "", /\/bin\/ash/);
  });

  it("ignores pipes whose head cannot fail, exec form, shebang heredocs, PowerShell and Windows images", () => {
    const dockerfile = [
      "FROM debian",
      'RUN echo "${SHA256}  /tmp/a.tgz" | sha256sum -c -',
      'RUN ["sh", "-c", "curl -fsSL https://example.com/a | tar -xz"]',
      "RUN <<EOF",
      "#!/usr/bin/env bash",
      "curl -fsSL https://example.com/a | tar -xz",
      "EOF",
      "FROM mcr.microsoft.com/windows/servercore:ltsc2022",
      "RUN type a.txt | findstr x",
      "FROM debian",
      'SHELL ["pwsh", "-Command"]',
      "RUN Get-Content a.txt | Select-String x",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("counts SHELL [\"/bin/sh\", \"-o\", \"pipefail\"] only where /bin/sh is busybox ash or bash", () => {
    const run = 'SHELL ["/bin/sh", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://example.com/a | tar -xz\n';
    const [finding] = findingsOf(`FROM debian:12-slim\n${run}`, id);
    assert.match(finding?.message ?? "", /the SHELL at line 2 runs \/bin\/sh, which is not sure to support pipefail on this base/);
    assert.deepEqual(linesOf(`FROM scratch\n${run}`, id), [3]);
    assert.deepEqual(linesOf(`FROM alpine:3.20\n${run}`, id), []);
    assert.deepEqual(linesOf(`FROM rockylinux:9\n${run}`, id), []);
  });

  it("honours # hadolint ignore=DL4006", () => {
    assert.deepEqual(linesOf("FROM debian\n# hadolint ignore=DL4006\nRUN curl -fsSL https://example.com/a | tar -xz\n", id), []);
  });
});
