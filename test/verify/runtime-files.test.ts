import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CategoryContext } from "../../src/verify/runtime-files.ts";
import { compareWorkingDirectory, ignorableCategory } from "../../src/verify/runtime-files.ts";
import type { FixtureEntry } from "./fs-fixture.ts";
import { filesystem } from "./fs-fixture.ts";

function context(overrides: Partial<CategoryContext> = {}): CategoryContext {
  return { inDevOnlyPackage: false, afterHas: () => false, runtimeReadsTsconfig: false, ...overrides };
}

describe("ignorable categories", () => {
  it("classifies build-only inputs and nothing else", () => {
    const cases: [string, string | undefined][] = [
      ["test/app.test.js", "tests"],
      ["src/__tests__/x.js", "tests"],
      ["src/user.spec.ts", "tests"],
      ["coverage/lcov.info", "tests"],
      ["README.md", "docs"],
      ["node_modules/lodash/CHANGELOG", "docs"],
      ["docs/guide.md", "docs"],
      ["types/index.d.ts", "type-declarations"],
      ["Dockerfile", "build-config"],
      ["api.Dockerfile", "build-config"],
      [".git/HEAD", "build-config"],
      [".eslintrc.json", "build-config"],
      ["tsconfig.build.json", "build-config"],
      ["package-lock.json", "lockfiles"],
      ["node_modules/.package-lock.json", "lockfiles"],
      ["node_modules/.cache/babel/x.json", "build-cache"],
      // Needed (or possibly needed) at run time: never ignored.
      ["server.js", undefined],
      ["docs/index.html", undefined],
      ["public/spec/openapi.json", undefined],
      [".env", undefined],
      [".npmrc", undefined],
      ["LICENSE", undefined],
      ["dist/server.js.map", undefined],
      ["package.json", undefined],
      ["src/server.ts", undefined],
    ];
    for (const [path, expected] of cases) assert.equal(ignorableCategory(path, context()), expected, path);
  });

  it("ignores TypeScript sources only when AFTER has the compiled JavaScript", () => {
    const compiled = new Set(["dist/server.js", "lib/util.mjs", "routes/index.js"]);
    const has = context({ afterHas: (path) => compiled.has(path) });
    assert.equal(ignorableCategory("src/server.ts", has), "typescript-source");
    assert.equal(ignorableCategory("src/util.mts", has), "typescript-source");
    assert.equal(ignorableCategory("routes/index.ts", has), "typescript-source");
    assert.equal(ignorableCategory("src/other.ts", has), undefined);
  });

  it("finds a workspace package's compiled output next to the package, not only at the root", () => {
    const compiled = new Set(["packages/api/dist/server.js", "packages/shared/dist/src/index.js"]);
    const has = context({ afterHas: (path) => compiled.has(path) });
    assert.equal(ignorableCategory("packages/api/src/server.ts", has), "typescript-source");
    assert.equal(ignorableCategory("packages/shared/src/index.ts", has), "typescript-source");
    assert.equal(ignorableCategory("packages/api/src/routes.ts", has), undefined);
  });

  it("keeps tsconfig.json when a production package reads it at run time", () => {
    assert.equal(ignorableCategory("tsconfig.json", context({ runtimeReadsTsconfig: true })), undefined);
  });

  it("ignores everything of a development-only package", () => {
    assert.equal(ignorableCategory("node_modules/typescript/lib/tsc.js", context({ inDevOnlyPackage: true })), "dev-dependencies");
  });
});

const BEFORE: Record<string, FixtureEntry> = {
  "/app/package.json": "{}",
  "/app/server.js": "js",
  "/app/bin/start": { mode: 0o755, shebang: "/bin/sh" },
  "/app/public/index.html": "html",
  "/app/public/app.css": "css",
  "/app/uploads": { dir: true },
  "/app/README.md": "docs",
  "/app/test/server.test.js": "test",
  "/app/node_modules/typescript/lib/tsc.js": "tsc",
  "/app/node_modules/.bin/tsc": { link: "../typescript/lib/tsc.js" },
  "/app/current": { link: "server.js" },
};

function check(after: Record<string, FixtureEntry>, afterDir = "/app") {
  return compareWorkingDirectory({
    before: filesystem(BEFORE),
    after: filesystem(after),
    beforeDir: "/app",
    afterDir,
    devOnlyPackageDirs: new Set(["/app/node_modules/typescript"]),
    runtimeReadsTsconfig: false,
  });
}

describe("working directory comparison", () => {
  it("passes when AFTER keeps what the app needs and drops only ignorable files", () => {
    const after = { ...BEFORE };
    for (const path of ["/app/README.md", "/app/test/server.test.js", "/app/node_modules/typescript/lib/tsc.js", "/app/node_modules/.bin/tsc"]) delete after[path];
    const result = check(after);
    assert.deepEqual(result.differences, []);
    assert.equal(result.compared, Object.keys(BEFORE).length);
    assert.deepEqual(
      result.ignored.map((entry) => [entry.category, entry.count, entry.examples]).sort(),
      [
        ["dev-dependencies", 2, ["node_modules/.bin/tsc", "node_modules/typescript/lib/tsc.js"]],
        ["docs", 1, ["README.md"]],
        ["tests", 1, ["test/server.test.js"]],
      ],
    );
  });

  it("reports missing files, a missing directory once, an empty directory, and a lost executable bit", () => {
    const after: Record<string, FixtureEntry> = { "/app/package.json": "{}", "/app/bin/start": { mode: 0o644 }, "/app/current": "now a copy" };
    const result = check(after);
    assert.deepEqual(
      result.differences.map((difference) => [difference.subject, difference.message.split(" (")[0], difference.paths?.length]),
      [
        ["/app/bin/start", "No longer executable.", undefined],
        ["/app/public/", "Directory missing in AFTER", 2],
        ["/app/server.js", "Missing in AFTER.", undefined],
        ["/app/uploads", "Missing in AFTER.", undefined],
      ],
    );
  });

  it("compares relative to AFTER's working directory when the app moved", () => {
    const moved = Object.fromEntries(Object.entries(BEFORE).map(([path, entry]) => [path.replace(/^\/app/, "/srv"), entry]));
    assert.deepEqual(check(moved, "/srv").differences, []);
  });

  it("a directory where BEFORE had a file is missing", () => {
    const result = check({ ...BEFORE, "/app/server.js": { dir: true } });
    assert.deepEqual(result.differences.map((difference) => difference.subject), ["/app/current", "/app/server.js"], "the link to it breaks too");
  });
});
