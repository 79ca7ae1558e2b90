import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { structuralProblems } from "../../src/fix/structure.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apt-cache-mount-missing";

describe(id, () => {
  it("flags apt-get/apt install once per RUN, in build stages too, through sh -c and xargs", () => {
    const dockerfile = [
      "FROM debian:bookworm AS build",
      "RUN apt-get update && apt-get install -y gcc && apt-get install -y make",
      "FROM debian:bookworm-slim",
      "RUN sh -c 'apt-get update && apt install -y curl'",
      "RUN apt-get update && cat packages.txt | xargs apt-get install -y",
      "RUN apt-get update",
      "RUN apt-get purge -y curl",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 4, 5]);
    const [first] = findingsOf(dockerfile, id);
    assert.match(first?.message ?? "", /--mount=type=cache,target=\/var\/cache\/apt,sharing=locked --mount=type=cache,target=\/var\/lib\/apt,sharing=locked/);
    assert.match(first?.message ?? "", /BuildKit/);
  });

  it("is silent when both caches are mounted (or a parent / the archives dir is), and names only what is missing", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl",
      "RUN --mount=type=cache,target=/var/cache --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y git",
      "RUN --mount=type=cache,target=/var/cache/apt/archives apt-get update && apt-get install -y jq",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [4]);
    assert.match(findings[0]?.message ?? "", /without a cache mount on \/var\/lib\/apt,/);
    assert.doesNotMatch(findings[0]?.message ?? "", /target=\/var\/cache\/apt/);
  });

  it("does not suggest a mount on /var/lib/apt when the RUN relies on lists from an earlier layer", () => {
    const dockerfile = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nRUN apt-get install -y git\n";
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3]);
    assert.doesNotMatch(findings[1]?.message ?? "", /\/var\/lib\/apt/);
    // Line 2's lists are read by line 3 from the layer: mounting them would break line 3.
    assert.equal(findings[0]?.fix, undefined);
    assert.ok(findings[1]?.fix);
  });

  it("mentions docker-clean unless an earlier RUN removed it", () => {
    const plain = findingsOf("FROM debian\nRUN apt-get update && apt-get install -y curl\n", id)[0];
    assert.match(plain?.message ?? "", /docker-clean/);
    const removed = findingsOf("FROM debian\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN apt-get update && apt-get install -y curl\n", id)[0];
    assert.doesNotMatch(removed?.message ?? "", /docker-clean/);
  });

  it("fixes by inserting locked mounts right after RUN, keeping other flags, root-owned even under USER", () => {
    const dockerfile = "FROM debian:bookworm-slim\nUSER app\nRUN --network=host sudo apt-get update && \\\n    sudo apt-get install -y curl\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM debian:bookworm-slim\nUSER app\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked --network=host sudo apt-get update && \\\n    sudo apt-get install -y curl\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("offers no fix for exec-form RUN", () => {
    const [finding] = findingsOf('FROM debian\nRUN ["apt-get", "install", "-y", "curl"]\n', id);
    assert.ok(finding);
    assert.equal(finding.fix, undefined);
  });

  it("ignores ONBUILD and honours # shipshape ignore", () => {
    assert.deepEqual(linesOf("FROM debian\nONBUILD RUN apt-get install -y curl\n", id), []);
    assert.deepEqual(linesOf(`FROM debian\n# shipshape ignore=${id}\nRUN apt-get install -y curl\n`, id), []);
  });

  it("deletes the cleanups the mounts make pointless (lists and archives removal, apt-get clean), in either continuation style", () => {
    const leading = "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    && apt-get clean \\\n    && rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n";
    const [first] = findingsOf(leading, id);
    assert.ok(first?.fix);
    assert.equal(
      applyEdits(leading, first.fix),
      "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update \\\n    && apt-get install -y curl\nCMD [\"curl\"]\n",
    );
    const trailing = "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/* && \\\n    echo done\n";
    const [second] = findingsOf(trailing, id);
    assert.ok(second?.fix);
    assert.match(applyEdits(trailing, second.fix), /apt-get install -y curl && \\\n {4}echo done\n$/);
  });

  it("deletes a last cleanup that follows comment lines with the continuation before them, so the next instruction stays its own", () => {
    const mounts = "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked";
    const cases: [string, string][] = [
      // Leading `&&`: the `\\` before the comment ended the install's line.
      ["FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    # tidy up\n    && rm -rf /var/lib/apt/lists/*\nCOPY app /app\n", `FROM debian\n${mounts} apt-get update \\\n    && apt-get install -y curl\nCOPY app /app\n`],
      // Trailing `&&`, a blank line and two comment lines, apt-get clean.
      ["FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n\n    # one\n    # two\n    apt-get clean\nRUN echo next\n", `FROM debian\n${mounts} apt-get update && \\\n    apt-get install -y curl\nRUN echo next\n`],
      // Spaces or a tab after the escape: still a continuation to Docker.
      ["FROM debian\nRUN apt-get update && apt-get install -y \\\t\n        curl \\ \n    && rm -rf /var/lib/apt/lists/*\n\nVOLUME /data\n", `FROM debian\n${mounts} apt-get update && apt-get install -y \\\t\n        curl\n\nVOLUME /data\n`],
      // Comment lines before a cleanup in the middle: the chain goes on after it.
      ["FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    # tidy up\n    && apt-get clean \\\n    && echo done\nCOPY app /app\n", `FROM debian\n${mounts} apt-get update \\\n    && apt-get install -y curl \\\n    && echo done\nCOPY app /app\n`],
    ];
    for (const [dockerfile, expected] of cases) {
      const fix = findingsOf(dockerfile, id)[0]?.fix;
      assert.ok(fix, dockerfile);
      const fixed = applyEdits(dockerfile, fix);
      assert.equal(fixed, expected);
      assert.deepEqual(structuralProblems(dockerfile, fixed, { rules: [id] }), []);
    }
  });

  it("keeps a removal that also deletes other paths, and offers no fix when a cleanup cannot be located exactly", () => {
    const mixed = "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* /tmp/build\n";
    const [finding] = findingsOf(mixed, id);
    assert.ok(finding?.fix);
    assert.match(applyEdits(mixed, finding.fix), /&& rm -rf \/var\/lib\/apt\/lists\/\* \/tmp\/build\n$/);
    // The same cleanup twice: which one the edit would hit is ambiguous.
    const twice = "FROM debian\nRUN apt-get update && apt-get install -y curl && apt-get clean && apt-get install -y jq && apt-get clean\n";
    assert.equal(findingsOf(twice, id)[0]?.fix, undefined);
  });
});
