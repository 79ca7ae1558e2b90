import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "cargo-cache-mount-missing";

describe(id, () => {
  it("flags cargo build, fetch and install; fetch and install <crate> need only the registry", () => {
    const dockerfile = [
      "FROM rust:1.80 AS build",
      "WORKDIR /app",
      "RUN cargo fetch",
      "RUN cargo install cargo-chef",
      "RUN cargo build --release",
      "RUN cargo --version",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [3, 4, 5]);
    assert.match(findings[0]?.message ?? "", /`cargo fetch` runs without a cache mount on \/usr\/local\/cargo\/registry,/);
    assert.doesNotMatch(findings[1]?.message ?? "", /target`/);
    assert.match(findings[2]?.message ?? "", /--mount=type=cache,target=\/usr\/local\/cargo\/registry --mount=type=cache,target=\/app\/target`/);
  });

  it("is silent with registry and target mounts, including CARGO_HOME, CARGO_TARGET_DIR and a target dir reached by cd", () => {
    const dockerfile = [
      "FROM rust:1.80",
      "WORKDIR /app",
      "RUN --mount=type=cache,target=/usr/local/cargo/registry --mount=type=cache,target=/app/target cargo build --release && cp target/release/app /bin/",
      "ENV CARGO_HOME=/cargo CARGO_TARGET_DIR=/build",
      "RUN --mount=type=cache,target=/cargo --mount=type=cache,target=/build cargo build",
      "RUN --mount=type=cache,target=/cargo --mount=type=cache,target=/src/server/target cd /src/server && cargo build",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("uses ~/.cargo outside the rust images and skips the registry for --offline/--frozen", () => {
    assert.match(findingsOf("FROM debian:bookworm\nWORKDIR /w\nRUN cargo fetch\n", id)[0]?.message ?? "", /target=\/root\/\.cargo\/registry`/);
    const offline = findingsOf("FROM rust:1.80\nWORKDIR /app\nRUN cargo build --frozen\n", id)[0]?.message ?? "";
    assert.doesNotMatch(offline, /registry/);
    assert.match(offline, /target=\/app\/target`/);
  });

  it("fixes with a target mount only when the RUN copies the binary out and nothing later reads target/", () => {
    const copiesOut = "FROM rust:1.80 AS build\nWORKDIR /app\nRUN cargo build --release && cp target/release/app /usr/local/bin/app\nFROM debian:bookworm-slim\nCOPY --from=build /usr/local/bin/app /app\n";
    const [safe] = findingsOf(copiesOut, id);
    assert.ok(safe?.fix);
    const fixed = applyEdits(copiesOut, safe.fix);
    assert.match(fixed, /^RUN --mount=type=cache,target=\/usr\/local\/cargo\/registry --mount=type=cache,target=\/app\/target cargo build/m);
    assert.deepEqual(linesOf(fixed, id), []);

    const copiedLater = "FROM rust:1.80 AS build\nWORKDIR /app\nRUN cargo build --release\nFROM debian:bookworm-slim\nCOPY --from=build /app/target/release/app /app\n";
    const [unsafe] = findingsOf(copiedLater, id);
    assert.equal(unsafe?.fix, undefined);
    assert.match(unsafe?.message ?? "", /copy the binary out/);
  });

  it("fixes cargo fetch (registry only) without conditions", () => {
    const dockerfile = "FROM rust:1.80\nRUN cargo fetch --locked\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    assert.equal(applyEdits(dockerfile, finding.fix), "FROM rust:1.80\nRUN --mount=type=cache,target=/usr/local/cargo/registry cargo fetch --locked\n");
  });
});
