import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "python-cache-mount-missing";

function messageOf(dockerfile: string): string {
  return findingsOf(dockerfile, id)[0]?.message ?? "";
}

describe(id, () => {
  it("flags pip, python -m pip, uv and poetry installs once per RUN", () => {
    const dockerfile = [
      "FROM python:3.12-slim AS build",
      "RUN pip install --upgrade pip && pip install -r requirements.txt",
      "RUN python3 -m pip install gunicorn",
      "RUN uv sync --frozen",
      "RUN poetry install --no-root",
      "RUN pip freeze",
      "FROM python:3.12-slim",
      "RUN uv pip install -r requirements.txt",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3, 4, 5, 8]);
    const messages = findingsOf(dockerfile, id).map((finding) => finding.message);
    assert.match(messages[0] ?? "", /`pip install` runs without a cache mount on \/root\/\.cache\/pip.*`--mount=type=cache,target=\/root\/\.cache\/pip`/);
    assert.match(messages[1] ?? "", /`python3 -m pip install`/);
    assert.match(messages[2] ?? "", /target=\/root\/\.cache\/uv`/);
    assert.match(messages[3] ?? "", /target=\/root\/\.cache\/pypoetry`/);
  });

  it("is silent under a mount of the cache (or ~/.cache), and follows PIP_CACHE_DIR, UV_CACHE_DIR, XDG_CACHE_HOME and --cache-dir", () => {
    const dockerfile = [
      "FROM python:3.12-slim",
      "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
      "RUN --mount=type=cache,target=~/.cache pip install flask && uv sync",
      "ENV PIP_CACHE_DIR=/var/cache/pip UV_CACHE_DIR=/opt/uv",
      "RUN --mount=type=cache,target=/var/cache/pip pip install flask",
      "RUN --mount=type=cache,target=/opt/uv uv sync --frozen",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
    assert.match(messageOf("FROM python:3.12\nENV XDG_CACHE_HOME=/cache\nRUN pip install flask\n"), /target=\/cache\/pip`/);
    assert.match(messageOf("FROM python:3.12\nRUN pip install --cache-dir /tmp/pip flask\n"), /target=\/tmp\/pip`/);
    assert.match(messageOf("FROM python:3.12\nARG PIP_CACHE_DIR=/build/pip\nRUN pip install flask\n"), /target=\/build\/pip`/);
  });

  it("says that a mount beats --no-cache-dir, and the fix swaps one for the other", () => {
    const dockerfile = "FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt && \\\n    pip install --no-cache-dir gunicorn\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.match(finding?.message ?? "", /`--no-cache-dir` keeps the image small.*a cache mount gives both small images and fast rebuilds/);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt && \\\n    pip install gunicorn\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("gives no fix when an ENV disables the cache (a mount would stay unused) or another --no-cache is in the RUN", () => {
    const disabled = findingsOf("FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n", id)[0];
    assert.match(disabled?.message ?? "", /PIP_NO_CACHE_DIR/);
    assert.equal(disabled?.fix, undefined);
    const apk = findingsOf("FROM python:3.12-alpine\nRUN apk add --no-cache gcc && pip install --no-cache-dir flask\n", id)[0];
    assert.ok(apk);
    assert.equal(apk.fix, undefined);
  });

  it("skips pip --no-index (local wheels) and uv --offline", () => {
    assert.deepEqual(linesOf("FROM python:3.12\nRUN pip install --no-index --find-links=/wheels flask\nRUN uv sync --offline\n", id), []);
  });

  it("uses the user's home and uid for a non-root USER", () => {
    const dockerfile = "FROM python:3.12-slim\nRUN useradd --uid 10001 --create-home app\nUSER app\nRUN pip install --user flask\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.match(finding?.message ?? "", /target=\/home\/app\/\.cache\/pip,uid=10001`/);
    assert.ok(finding?.fix);
    assert.deepEqual(linesOf(applyEdits(dockerfile, finding.fix), id), []);
  });

  it("deletes `pip cache purge` and `rm -rf ~/.cache/pip` with the mount, and keeps unrelated removals", () => {
    const dockerfile = "FROM python:3.12\nRUN pip install flask && pip cache purge && rm -rf ~/.cache/pip && rm -rf /tmp/wheels\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    assert.equal(applyEdits(dockerfile, finding.fix), "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask && rm -rf /tmp/wheels\n");
  });

  it("offers no fix for poetry install while its virtualenv lives under the cache directory (the mount would keep the packages out of the image)", () => {
    const plain = findingsOf("FROM python:3.12-slim\nRUN pip install poetry\nCOPY . .\nRUN poetry install --no-root\n", id).find((finding) => finding.line === 4);
    assert.ok(plain);
    assert.equal(plain.fix, undefined);
    for (const relocated of ["ENV POETRY_VIRTUALENVS_CREATE=false\n", "ENV POETRY_VIRTUALENVS_IN_PROJECT=1\n", "RUN poetry config virtualenvs.create false\n"]) {
      const finding = findingsOf(`FROM python:3.12-slim\n${relocated}COPY . .\nRUN poetry install --no-root\n`, id).find((candidate) => candidate.line === 4);
      assert.ok(finding?.fix, relocated);
      assert.equal(finding.fixLevel, "safe");
    }
  });
});
