import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apt-cache-mount-not-locked";

describe(id, () => {
  it("flags shared (default or explicit) cache mounts on apt's directories once per RUN", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl",
      "RUN --mount=type=cache,target=/var/cache/apt/archives,sharing=shared apt-get install -y git",
      "RUN --mount=type=cache,target=/var/cache apt-get install -y jq",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3, 4]);
    assert.match(findings[0]?.message ?? "", /cache mounts on \/var\/cache\/apt and \/var\/lib\/apt are shared/);
  });

  it("accepts sharing=locked and sharing=private, and ignores other caches and RUNs without apt", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=private apt-get update && apt-get install -y curl",
      "RUN --mount=type=cache,target=/root/.npm npm ci",
      "RUN --mount=type=cache,target=/var/cache/apt ls /var/cache/apt",
      "RUN --mount=type=bind,target=/var/cache/apt apt-get install -y curl",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("fixes by appending sharing=locked or rewriting sharing=shared, and the fixed file passes", () => {
    const dockerfile = "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,sharing=shared,target=/var/lib/apt \\\n    apt-get update && apt-get install -y curl\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,sharing=locked,target=/var/lib/apt \\\n    apt-get update && apt-get install -y curl\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });
});
