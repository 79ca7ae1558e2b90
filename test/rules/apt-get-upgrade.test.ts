import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apt-get-upgrade";

describe(id, () => {
  it("flags whole-system upgrades of every package manager", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*",
      "RUN apt-get -y dist-upgrade",
      "RUN apt full-upgrade -y",
      "RUN apk upgrade --no-cache",
      "RUN yum update -y && yum clean all",
      "RUN dnf -y upgrade",
      "RUN zypper --non-interactive dup",
      "RUN pacman -Syu --noconfirm",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3, 4, 5, 6, 7, 8, 9]);
    const [first] = findingsOf(dockerfile, id);
    assert.match(first?.message ?? "", /^apt-get upgrade rewrites/);
    assert.equal(first?.estimatedSavingMB, 50);
  });

  it("does not flag targeted upgrades of named packages", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN apt-get update && apt-get install -y --only-upgrade openssl",
      "RUN apk upgrade --no-cache openssl",
      "RUN apk add --upgrade --no-cache busybox",
      "RUN yum update -y openssl",
      "RUN dnf upgrade -y --setopt=install_weak_deps=False glibc",
      "RUN pacman -S --noconfirm git",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("does not report build stages the final image does not build on", () => {
    const dockerfile = "FROM debian AS build\nRUN apt-get update && apt-get upgrade -y\nFROM debian AS base\nRUN apt-get upgrade -y\nFROM base\n";
    assert.deepEqual(linesOf(dockerfile, id), [4]);
  });

  it("honours the hadolint ids (DL3005 apt-get upgrade, DL3035 zypper dist-upgrade)", () => {
    assert.deepEqual(linesOf("FROM debian\n# hadolint ignore=DL3005\nRUN apt-get upgrade -y\n", id), []);
    assert.deepEqual(linesOf("FROM opensuse/leap\n# hadolint ignore=DL3035\nRUN zypper dist-upgrade -y\n", id), []);
  });
});
