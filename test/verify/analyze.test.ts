import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAllowClass } from "../../src/verify/allow.ts";
import { analyzeImages } from "../../src/verify/analyze.ts";
import type { RuntimeConfig } from "../../src/verify/config-diff.ts";
import type { FixtureEntry } from "./fs-fixture.ts";
import { DEBIAN_BASE, filesystem } from "./fs-fixture.ts";
import { runtimeConfig } from "./runtime-config.ts";

const LOADER = "/lib64/ld-linux-x86-64.so.2";

function config(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return runtimeConfig({ cmd: ["node", "dist/server.js"], ...overrides });
}

const pkg = (name: string, version: string, dependencies: Record<string, string> = {}): string => JSON.stringify({ name, version, dependencies });

/** A single-stage build: sources, dev dependencies and all. */
const RUNTIME: Record<string, FixtureEntry> = {
  ...DEBIAN_BASE,
  "/usr/local/bin/node": { elf: { type: 3, interpreter: LOADER, needed: ["libc.so.6"] } },
  "/app/package.json": JSON.stringify({ name: "app", dependencies: { express: "^4" }, devDependencies: { typescript: "^5" } }),
  "/app/node_modules/express/package.json": pkg("express", "4.18.2"),
  "/app/node_modules/express/index.js": "module.exports = {}",
  "/app/dist/server.js": "require('express')",
};
const BEFORE: Record<string, FixtureEntry> = {
  ...RUNTIME,
  "/app/src/server.ts": "import express from 'express'",
  "/app/tsconfig.json": "{}",
  "/app/README.md": "# app",
  "/app/node_modules/typescript/package.json": pkg("typescript", "5.4.5"),
  "/app/node_modules/typescript/lib/tsc.js": "tsc",
};

function without(entries: Record<string, FixtureEntry>, prefix: string): Record<string, FixtureEntry> {
  return Object.fromEntries(Object.entries(entries).filter(([path]) => path !== prefix && !path.startsWith(`${prefix}/`)));
}

const statuses = (checks: { name: string; status: string }[]) => Object.fromEntries(checks.map((check) => [check.name, check.status]));

describe("static analysis of two images", () => {
  it("a multi-stage rebuild that keeps what runs is equivalent; what it dropped is listed as ignored", () => {
    const result = analyzeImages({ config: config(), filesystem: filesystem(BEFORE) }, { config: config(), filesystem: filesystem(RUNTIME) });
    assert.deepEqual(result.differences, []);
    assert.deepEqual(statuses(result.checks), { config: "passed", executables: "passed", libraries: "passed", "node-dependencies": "passed", "working-directory": "passed" });
    assert.deepEqual(result.ignored.map((entry) => `${entry.category}:${entry.count}`).sort(), ["build-config:1", "dev-dependencies:2", "docs:1", "typescript-source:1"]);
  });

  it("finds what a careless rebuild broke: a missing dependency, a missing file, and a changed command", () => {
    const after = without(without(RUNTIME, "/app/node_modules/express"), "/app/dist");
    const result = analyzeImages({ config: config(), filesystem: filesystem(BEFORE) }, { config: config({ cmd: ["node", "server.js"] }), filesystem: filesystem(after) });
    assert.deepEqual(
      result.differences.map((difference) => `${difference.kind}:${difference.subject}`),
      // node_modules/ held only express (typescript is dev-only); src/server.ts counts once dist/ is gone.
      ["config:Cmd", "node-dependency:express", "file:/app/dist/", "file:/app/node_modules/", "file:/app/src/"],
    );
    assert.deepEqual(statuses(result.checks), { config: "failed", executables: "passed", libraries: "passed", "node-dependencies": "failed", "working-directory": "failed" });
    assert.ok(!result.ignored.some((entry) => entry.category === "typescript-source"), "src/server.ts is not ignorable once dist/ is gone");
  });

  it("a user compose runs the container as must exist in AFTER when it does in BEFORE", () => {
    const withNode = { ...RUNTIME, "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/sh\n" };
    const override = { source: "Compose's command" as const, user: "node" };
    const kept = analyzeImages({ config: config(), filesystem: filesystem(withNode) }, { config: config(), filesystem: filesystem(withNode) }, override);
    assert.deepEqual(kept.differences.filter((difference) => difference.kind === "config"), []);
    const rootOnly = { ...RUNTIME, "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\n" };
    const lost = analyzeImages({ config: config(), filesystem: filesystem(withNode) }, { config: config(), filesystem: filesystem(rootOnly) }, override);
    assert.deepEqual(lost.differences.filter((difference) => difference.kind === "config").map((difference) => [difference.subject, difference.after]), [["User (Compose's command)", "unable to find user node: no matching entries in passwd file"]]);
  });

  it("allowed settings differences pass the config check and stay listed; files still count", () => {
    const withNode = { ...RUNTIME, "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/sh\n" };
    const before = { config: config({ cmd: ["/bin/sh", "-c", "node dist/server.js"] }), filesystem: filesystem(withNode) };
    const after = { config: config({ user: "node" }), filesystem: filesystem(withNode) };
    const strict = analyzeImages(before, after);
    assert.equal(statuses(strict.checks).config, "failed");
    const reviewed = analyzeImages(before, after, undefined, [parseAllowClass("user"), parseAllowClass("cmd-form")]);
    assert.equal(statuses(reviewed.checks).config, "passed");
    assert.match(reviewed.checks.find((check) => check.name === "config")?.detail ?? "", /; 2 allowed differences$/);
    assert.deepEqual(reviewed.differences.map((difference) => [difference.subject, difference.severity, difference.allowedBy]), [
      ["Cmd", "allowed", "cmd-form"],
      ["User", "allowed", "user"],
    ]);
    // A missing file is never allowed by a settings class.
    const broken = analyzeImages(before, { ...after, filesystem: filesystem(without(withNode, "/app/dist")) }, undefined, [parseAllowClass("user"), parseAllowClass("cmd-form")]);
    assert.equal(statuses(broken.checks)["working-directory"], "failed");
  });

  it("skips the file and package checks when the working directory is /", () => {
    const result = analyzeImages({ config: config({ workingDir: "" }), filesystem: filesystem(BEFORE) }, { config: config({ workingDir: "/" }), filesystem: filesystem(RUNTIME) });
    assert.equal(statuses(result.checks)["working-directory"], "skipped");
    assert.equal(statuses(result.checks)["node-dependencies"], "skipped");
  });
});
