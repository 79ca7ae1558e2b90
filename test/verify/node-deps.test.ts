import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareClosures, dependencyClosure, devOnlyPackageDirs, parsePackageJson, readPackageJson, resolvePackage, workspaceMembers } from "../../src/verify/node-deps.ts";
import type { FixtureEntry } from "./fs-fixture.ts";
import { filesystem } from "./fs-fixture.ts";

const pkg = (name: string, version: string, dependencies: Record<string, string> = {}, extra: Record<string, unknown> = {}): string => JSON.stringify({ name, version, dependencies, ...extra });

/** An app with a nested dependency, a pnpm-style symlinked package, an optional one that is not installed, and a dev dependency. */
const APP: Record<string, FixtureEntry> = {
  "/app/package.json": JSON.stringify({
    name: "app",
    dependencies: { express: "^4", chalk: "^5" },
    optionalDependencies: { fsevents: "^2" },
    peerDependencies: { react: "*" },
    peerDependenciesMeta: { react: { optional: true } },
    devDependencies: { typescript: "^5" },
  }),
  "/app/node_modules/express/package.json": pkg("express", "4.18.2", { "body-parser": "1", ms: "2" }),
  "/app/node_modules/body-parser/package.json": pkg("body-parser", "1.20.0", { ms: "2" }),
  "/app/node_modules/ms/package.json": pkg("ms", "2.1.3"),
  "/app/node_modules/body-parser/node_modules/ms/package.json": pkg("ms", "2.0.0"),
  "/app/node_modules/chalk": { link: ".pnpm/chalk@5.3.0/node_modules/chalk" },
  "/app/node_modules/.pnpm/chalk@5.3.0/node_modules/chalk/package.json": pkg("chalk", "5.3.0", { "ansi-styles": "6" }),
  "/app/node_modules/.pnpm/chalk@5.3.0/node_modules/ansi-styles": { link: "../../ansi-styles@6.2.1/node_modules/ansi-styles" },
  "/app/node_modules/.pnpm/ansi-styles@6.2.1/node_modules/ansi-styles/package.json": pkg("ansi-styles", "6.2.1"),
  "/app/node_modules/typescript/package.json": pkg("typescript", "5.4.5", { "dev-helper": "1" }),
  "/app/node_modules/dev-helper/package.json": pkg("dev-helper", "1.0.0", { ms: "2" }),
};

function without(entries: Record<string, FixtureEntry>, ...prefixes: string[]): Record<string, FixtureEntry> {
  return Object.fromEntries(Object.entries(entries).filter(([path]) => !prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))));
}

function compare(after: Record<string, FixtureEntry>, afterDir = "/app") {
  const before = filesystem(APP);
  const manifest = readPackageJson(before, "/app");
  assert.ok(manifest);
  const beforeClosure = dependencyClosure(before, "/app", manifest, "production");
  const afterClosure = dependencyClosure(filesystem(after), afterDir, manifest, "production");
  return compareClosures(beforeClosure, afterClosure);
}

describe("Node production dependency closure", () => {
  it("resolves like require(): nested node_modules first, then parents; symlinks to their real directory", () => {
    const fs = filesystem(APP);
    assert.equal(resolvePackage(fs, "/app/node_modules/body-parser", "ms")?.version, "2.0.0");
    assert.equal(resolvePackage(fs, "/app/node_modules/express", "ms")?.version, "2.1.3");
    assert.equal(resolvePackage(fs, "/app", "chalk")?.dir, "/app/node_modules/.pnpm/chalk@5.3.0/node_modules/chalk");
    assert.equal(resolvePackage(fs, "/app/node_modules/.pnpm/chalk@5.3.0/node_modules/chalk", "ansi-styles")?.version, "6.2.1");
    assert.equal(resolvePackage(fs, "/app", "nope"), undefined);
  });

  it("reaches every production package and none of the development-only ones", () => {
    const fs = filesystem(APP);
    const manifest = readPackageJson(fs, "/app");
    assert.ok(manifest);
    const closure = dependencyClosure(fs, "/app", manifest, "production");
    assert.deepEqual([...closure.packages.values()].map((found) => `${found.name}@${found.version}`).sort(), ["ansi-styles@6.2.1", "body-parser@1.20.0", "chalk@5.3.0", "express@4.18.2", "ms@2.0.0", "ms@2.1.3"]);
    assert.deepEqual([...devOnlyPackageDirs(fs, "/app", manifest, closure)].sort(), ["/app/node_modules/dev-helper", "/app/node_modules/typescript"]);
  });

  it("finds nothing to report when AFTER has the same packages (dev dependencies pruned, app moved)", () => {
    assert.deepEqual(compare(without(APP, "/app/node_modules/typescript", "/app/node_modules/dev-helper")), []);
    const moved = Object.fromEntries(Object.entries(APP).map(([path, entry]) => [path.replace(/^\/app/, "/srv/app"), entry]));
    assert.deepEqual(compare(moved, "/srv/app"), []);
  });

  it("reports a missing production package once, with who needs it", () => {
    const differences = compare(without(APP, "/app/node_modules/body-parser"));
    assert.deepEqual(
      differences.map((difference) => [difference.severity, difference.subject, difference.before, difference.after]),
      [["difference", "body-parser", "body-parser@1.20.0", "(missing)"]],
      "body-parser's own ms is not reported again",
    );
    assert.match(differences[0]?.message ?? "", /needed by express@4\.18\.2/);
  });

  it("reports a missing package behind a pnpm symlink, and a changed version", () => {
    const missing = compare(without(APP, "/app/node_modules/.pnpm/ansi-styles@6.2.1"));
    assert.deepEqual(missing.map((difference) => difference.subject), ["ansi-styles"]);
    const changed = compare({ ...APP, "/app/node_modules/ms/package.json": pkg("ms", "2.1.2") });
    assert.deepEqual(
      changed.map((difference) => [difference.subject, difference.before, difference.after]),
      [["ms", "2.1.3", "2.1.2"]],
    );
    assert.match(changed[0]?.message ?? "", /\(needed by express@4\.18\.2\)/, "dev-helper also needs ms, but is not a production package");
  });

  it("a production package BEFORE lacks too is a note, not a difference", () => {
    const broken = { ...APP, "/app/node_modules/express/package.json": pkg("express", "4.18.2", { "body-parser": "1", ms: "2", qs: "6" }) };
    const before = filesystem(broken);
    const manifest = readPackageJson(before, "/app");
    assert.ok(manifest);
    const differences = compareClosures(dependencyClosure(before, "/app", manifest, "production"), dependencyClosure(filesystem(broken), "/app", manifest, "production"));
    assert.deepEqual(differences.map((difference) => [difference.severity, difference.subject]), [["note", "qs"]]);
  });

  it("parses package.json leniently: wrong-typed fields are ignored, non-objects rejected", () => {
    assert.equal(parsePackageJson("not json"), undefined);
    assert.equal(parsePackageJson("[1]"), undefined);
    const parsed = parsePackageJson(JSON.stringify({ name: 5, version: "1.0.0", dependencies: { a: "1", b: 2 }, devDependencies: "x" }));
    assert.equal(parsed?.name, undefined);
    assert.deepEqual(parsed?.dependencies, { a: "1" });
    assert.deepEqual(parsed?.devDependencies, {});
  });

  describe("npm workspaces", () => {
    /** Root with devDependencies only; packages/api depends on express and on the shared workspace, and has its own dev @types. */
    const WORKSPACES: Record<string, FixtureEntry> = {
      "/app/package.json": JSON.stringify({ name: "root", private: true, workspaces: ["packages/*"], devDependencies: { typescript: "^5" } }),
      "/app/packages/api/package.json": JSON.stringify({ name: "@acme/api", dependencies: { express: "^4", "@acme/shared": "*" }, devDependencies: { "@types/express": "^5" } }),
      "/app/packages/shared/package.json": JSON.stringify({ name: "@acme/shared", dependencies: { ms: "^2" } }),
      "/app/node_modules/@acme/api": { link: "../../packages/api" },
      "/app/node_modules/@acme/shared": { link: "../../packages/shared" },
      "/app/node_modules/.bin/tsc": { link: "../typescript/bin/tsc" },
      "/app/node_modules/express/package.json": pkg("express", "4.18.2", { ms: "2" }),
      "/app/node_modules/ms/package.json": pkg("ms", "2.1.3"),
      "/app/node_modules/typescript/package.json": pkg("typescript", "5.4.5"),
      "/app/node_modules/@types/express/package.json": pkg("@types/express", "5.0.0", { "@types/node": "*" }),
      "/app/node_modules/@types/node/package.json": pkg("@types/node", "22.0.0"),
    };

    it("finds the workspace packages through their node_modules links", () => {
      const members = workspaceMembers(filesystem(WORKSPACES), "/app");
      assert.deepEqual(members.map((member) => [member.relativeDir, member.manifest.name]), [["packages/api", "@acme/api"], ["packages/shared", "@acme/shared"]]);
      assert.deepEqual(workspaceMembers(filesystem(APP), "/app"), [], "a pnpm link into node_modules/.pnpm is not a workspace");
    });

    it("counts the workspaces' dependencies as production and their devDependencies as development", () => {
      const fs = filesystem(WORKSPACES);
      const manifest = readPackageJson(fs, "/app");
      assert.ok(manifest);
      const members = workspaceMembers(fs, "/app");
      const production = dependencyClosure(fs, "/app", manifest, "production", members);
      assert.deepEqual([...production.packages.values()].map((found) => found.name).sort(), ["@acme/shared", "express", "ms"]);
      assert.deepEqual([...devOnlyPackageDirs(fs, "/app", manifest, production, members)].sort(), ["/app/node_modules/@types/express", "/app/node_modules/@types/node", "/app/node_modules/typescript"]);
      // Without the workspaces, the hoisted @types would look like production files of unknown use.
      assert.deepEqual([...devOnlyPackageDirs(fs, "/app", manifest, dependencyClosure(fs, "/app", manifest, "production"))].sort(), ["/app/node_modules/typescript"]);
    });

    it("reports a workspace's production dependency missing in AFTER", () => {
      const fs = filesystem(WORKSPACES);
      const manifest = readPackageJson(fs, "/app");
      assert.ok(manifest);
      const members = workspaceMembers(fs, "/app");
      const after = filesystem(without(WORKSPACES, "/app/node_modules/express", "/app/node_modules/@types", "/app/node_modules/typescript"));
      const differences = compareClosures(dependencyClosure(fs, "/app", manifest, "production", members), dependencyClosure(after, "/app", manifest, "production", members));
      assert.deepEqual(differences.map((difference) => [difference.subject, difference.message]), [["express", 'require("express") fails in AFTER: needed by workspace packages/api.']]);
    });
  });
});
