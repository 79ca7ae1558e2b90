import assert from "node:assert/strict";
import { test } from "node:test";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";

test("Dockerfiles built from one directory with one ignore file share that context's file list", () => {
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
