import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "pip-no-cache-dir";

describe(id, () => {
  it("flags pip, pip3 and python -m pip install without --no-cache-dir", () => {
    const dockerfile = [
      "FROM python:3.12-slim",
      "RUN pip install -r requirements.txt",
      "RUN pip3 --disable-pip-version-check install flask",
      "RUN python3 -m pip install gunicorn",
      "RUN pip install --no-cache-dir uvicorn",
      "RUN pip install --upgrade --no-cache pip",
      "RUN pip download -d /wheels flask",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3, 4]);
    assert.equal(findingsOf(dockerfile, id)[0]?.estimatedSavingMB, 30);
    assert.match(findingsOf(dockerfile, id)[2]?.message ?? "", /python3 -m pip install/);
  });

  it("accepts PIP_NO_CACHE_DIR from ENV, ARG, inline assignment or export, in the stage or its base stage", () => {
    const inherited = ["FROM python:3.12-slim AS base", "ENV PIP_NO_CACHE_DIR=1", "FROM base", "RUN pip install flask"].join("\n");
    assert.deepEqual(linesOf(inherited, id), []);
    const argument = ["FROM python:3.12-slim", "ARG PIP_NO_CACHE_DIR=off", "RUN pip install flask"].join("\n");
    assert.deepEqual(linesOf(argument, id), []);
    const inline = ["FROM python:3.12-slim", "RUN PIP_NO_CACHE_DIR=1 pip install a && export PIP_NO_CACHE_DIR=true && pip install b", "RUN pip install c"].join("\n");
    assert.deepEqual(linesOf(inline, id), [3]);
    // A plain shell variable is not exported to pip.
    assert.deepEqual(linesOf("FROM python:3.12-slim\nRUN PIP_NO_CACHE_DIR=1; pip install a\n", id), [2]);
  });

  it("is silent under a cache mount of pip's cache and when the RUN purges it", () => {
    const dockerfile = [
      "FROM python:3.12-slim",
      "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
      "RUN --mount=type=cache,target=/root/.cache pip install a",
      "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install b",
      "ENV PIP_CACHE_DIR=/var/cache/pip",
      "RUN --mount=type=cache,target=/var/cache/pip pip install c",
      "RUN pip install d && pip cache purge",
      "RUN pip install e && rm -rf /var/cache/pip",
      "RUN --mount=type=cache,target=/root/.npm pip install f",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [9]);
    assert.match(findings[0]?.message ?? "", /\/var\/cache\/pip/);
  });

  it("does not report build stages that do not reach the final image", () => {
    const dockerfile = [
      "FROM python:3.12 AS build",
      "RUN pip install --prefix=/install -r requirements.txt",
      "FROM python:3.12-slim",
      "COPY --from=build /install /usr/local",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("ignores uv, pipx and pipenv, which have their own caches", () => {
    const dockerfile = "FROM python:3.12-slim\nRUN uv pip install flask && pipx install black && pipenv install --system\n";
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("fixes by inserting --no-cache-dir after install, in the right command", () => {
    const dockerfile = "FROM python:3.12-slim\nRUN pip install --no-cache-dir -U pip && \\\n    python -m pip \\\n      install -r requirements.txt\n";
    const findings = findingsOf(dockerfile, id);
    assert.equal(findings.length, 1);
    const fixed = applyEdits(dockerfile, findings[0]?.fix ?? []);
    assert.equal(fixed, "FROM python:3.12-slim\nRUN pip install --no-cache-dir -U pip && \\\n    python -m pip \\\n      install --no-cache-dir -r requirements.txt\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("fixes each of several pip installs in one RUN", () => {
    const dockerfile = "FROM python:3.12-slim\nRUN pip install a && pip install b\n";
    const findings = findingsOf(dockerfile, id);
    const fixed = applyEdits(dockerfile, findings.flatMap((finding) => finding.fix ?? []));
    assert.equal(fixed, "FROM python:3.12-slim\nRUN pip install --no-cache-dir a && pip install --no-cache-dir b\n");
  });

  it("places the fix across blank runs, CRLF continuations and skipped comment lines", () => {
    // Once the separator between words backtracked exponentially in the blanks before a
    // continuation: 35 spaces after the second `pip` took seconds, 40 minutes.
    const blanks = `FROM python:3.12-slim\nRUN pip install --upgrade pip${" ".repeat(1000)}\\\n`;
    const fixedBlanks = applyEdits(blanks, findingsOf(blanks, id)[0]?.fix ?? []);
    assert.equal(fixedBlanks, blanks.replace("pip install", "pip install --no-cache-dir"));
    const crlf = "FROM python:3.12-slim\r\nRUN pip   \\\r\n  # why\r\n  # and why not\r\n    install flask\r\n";
    const fixedCrlf = applyEdits(crlf, findingsOf(crlf, id)[0]?.fix ?? []);
    assert.equal(fixedCrlf, crlf.replace("install flask", "install --no-cache-dir flask"));
  });

  it("honours # hadolint ignore=DL3042", () => {
    assert.deepEqual(linesOf("FROM python:3.12-slim\n# hadolint ignore=DL3042\nRUN pip install flask\n", id), []);
  });
});
