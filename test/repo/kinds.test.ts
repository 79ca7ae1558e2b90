// Which files the scanner reads the text of: manifests, and the build configuration the rewrite
// planner needs (tsconfig*.json, next.config.*, vite.config.*, pom.xml, build.gradle*).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAuditedTextFile, isBuildConfigName, isReadManifest } from "../../src/repo/kinds.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";

describe("isReadManifest", () => {
  it("reads dependency manifests and the planner's build configuration files", () => {
    for (const name of ["package.json", "pyproject.toml", "go.mod", "Cargo.toml", "requirements-dev.txt", "tsconfig.json", "tsconfig.build.json", "next.config.js", "next.config.mjs", "vite.config.ts", "vite.config.mts", "pom.xml", "build.gradle", "build.gradle.kts"]) {
      assert.ok(isReadManifest(name), name);
    }
  });

  it("does not read look-alikes or other files", () => {
    for (const name of ["tsconfig.jsonc", "mytsconfig.json", "next.config.json", "vite.config.ts.bak", "webpack.config.js", "pom.xml.orig", "build.gradle.lockfile", "index.ts", "settings.gradle"]) {
      assert.ok(!isReadManifest(name), name);
      assert.ok(!isBuildConfigName(name), name);
    }
  });

  it("an in-memory repository keeps the texts the scanner would read", () => {
    const snapshot = snapshotFromFiles({ "app/tsconfig.json": "{}", "app/vite.config.ts": "export default {}", "app/src/main.ts": "x" });
    assert.deepEqual([...snapshot.texts.keys()].sort(), ["app/tsconfig.json", "app/vite.config.ts"]);
    assert.ok(isAuditedTextFile("next.config.js"));
  });
});
