import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView, projectRoots } from "../../src/repo/view.ts";

const rootsOf = (files: Record<string, string | number>): Record<string, string> => Object.fromEntries(projectRoots(buildRepositoryView(snapshotFromFiles(files))));
const DOCKERFILE = "FROM alpine:3.20\n";

describe("projectRoots", () => {
  it("gives each sample project with its own compose file its own root", () => {
    const roots = rootsOf({
      "samples/shop/docker-compose.yml": "services:\n  api:\n    build: ./api\n  web:\n    build: ./web\n",
      "samples/shop/api/Dockerfile": DOCKERFILE,
      "samples/shop/web/Dockerfile": DOCKERFILE,
      "samples/blog/compose.yaml": "services:\n  app:\n    build: .\n",
      "samples/blog/Dockerfile": DOCKERFILE,
      "samples/blog/tools/Dockerfile": DOCKERFILE,
    });
    assert.deepEqual(roots, {
      "samples/blog/Dockerfile": "samples/blog",
      // Not built by the compose file, but inside its directory.
      "samples/blog/tools/Dockerfile": "samples/blog",
      "samples/shop/api/Dockerfile": "samples/shop",
      "samples/shop/web/Dockerfile": "samples/shop",
    });
  });

  it("joins compose files that build a common Dockerfile, and a root compose file that builds the others' Dockerfiles", () => {
    const shared = rootsOf({
      "a/docker-compose.yml": "services:\n  x:\n    build: ../shared\n",
      "b/docker-compose.yml": "services:\n  y:\n    build: ../shared\n  z:\n    build: .\n",
      "shared/Dockerfile": DOCKERFILE,
      "b/Dockerfile": DOCKERFILE,
      "c/docker-compose.yml": "services:\n  w:\n    build: .\n",
      "c/Dockerfile": DOCKERFILE,
    });
    assert.deepEqual(shared, { "b/Dockerfile": "", "c/Dockerfile": "c", "shared/Dockerfile": "" });
    const umbrella = rootsOf({
      "docker-compose.yml": "services:\n  api:\n    build: ./services/api\n  web:\n    build: ./services/web\n",
      "services/api/Dockerfile": DOCKERFILE,
      "services/web/Dockerfile": DOCKERFILE,
      "services/web/docker-compose.yml": "services:\n  web:\n    build: .\n",
    });
    assert.deepEqual(umbrella, { "services/api/Dockerfile": "", "services/web/Dockerfile": "" });
  });

  it("stops at nested repositories; package manifests alone do not split a monorepo", () => {
    const roots = rootsOf({
      "modules/lib/.git": "gitdir: ../../.git/modules/lib\n",
      "modules/lib/docker/Dockerfile": DOCKERFILE,
      "services/api/package.json": "{}",
      "services/api/Dockerfile": DOCKERFILE,
      "services/worker/package.json": "{}",
      "services/worker/Dockerfile": DOCKERFILE,
    });
    assert.deepEqual(roots, { "services/api/Dockerfile": "", "services/worker/Dockerfile": "", "modules/lib/docker/Dockerfile": "modules/lib" });
  });
});

describe("buildRepositoryView: contexts", () => {
  it("Dockerfiles built from one directory with one ignore file share that context's file list", () => {
    const view = buildRepositoryView(
      snapshotFromFiles({
        "svc/a.Dockerfile": "FROM node:22\nCOPY . .\n",
        "svc/b.Dockerfile": "FROM node:22\nCOPY app.js .\n",
        "svc/c.Dockerfile": "FROM node:22\nCOPY . .\n",
        "svc/c.Dockerfile.dockerignore": "node_modules\n",
        "svc/.dockerignore": "*.log\n",
        "svc/app.js": 120,
        "svc/debug.log": 5000,
        "svc/node_modules/x/index.js": 7000,
      }),
    );
    const a = view.contexts.get("svc/a.Dockerfile");
    const b = view.contexts.get("svc/b.Dockerfile");
    const c = view.contexts.get("svc/c.Dockerfile");
    assert.ok(a && b && c);
    // Listed once for a and b (same root, same .dockerignore) ...
    assert.equal(a.entries, b.entries);
    assert.equal(a.dockerfile, "svc/a.Dockerfile");
    assert.equal(b.dockerfile, "svc/b.Dockerfile");
    assert.equal(a.dockerignore?.path, "svc/.dockerignore");
    assert.equal(a.sentBytes, 120 + 7000 + "*.log\n".length + "node_modules\n".length + 2 * "FROM node:22\nCOPY . .\n".length + "FROM node:22\nCOPY app.js .\n".length);
    // ... but c's own ignore file gives it a list of its own, with its own exclusions.
    assert.notEqual(c.entries, a.entries);
    assert.equal(c.dockerignore?.path, "svc/c.Dockerfile.dockerignore");
    assert.deepEqual(
      c.entries.filter((entry) => entry.excluded).map((entry) => entry.path),
      ["node_modules/x/index.js"],
    );
    assert.deepEqual(
      a.entries.filter((entry) => entry.excluded).map((entry) => entry.path),
      ["debug.log"],
    );
  });
});
