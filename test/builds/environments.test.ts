// Environments: a named compose file set read as `docker compose -f a -f b` reads it (later files
// refine the services of earlier ones), used by build, bench and monitor through --env.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { discoverBuildTargets } from "../../src/builds/targets.ts";
import { projectScope } from "../../src/clean/scope.ts";
import { environmentFiles } from "../../src/cli/environment-option.ts";
import { parseConfig } from "../../src/audit/config.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-env-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
fs.mkdirSync(path.join(root, "api"));
fs.writeFileSync(path.join(root, "api", "Dockerfile"), "FROM debian:bookworm-slim\n");
fs.writeFileSync(path.join(root, "api", "Dockerfile.blue"), "FROM debian:bookworm\n");
fs.writeFileSync(path.join(root, "docker-compose.yml"), "services:\n  api:\n    build:\n      context: ./api\n      args: { COLOR: green, REGION: eu }\n  db:\n    image: postgres:16\n");
fs.writeFileSync(path.join(root, "docker-compose.blue.yml"), "services:\n  api:\n    image: shop/api-blue\n    build:\n      dockerfile: Dockerfile.blue\n      args: { COLOR: blue }\n  worker:\n    build: ./api\n");

describe("environments", () => {
  const config = parseConfig("environments:\n  blue: [docker-compose.yml, docker-compose.blue.yml]\n", "shipshape.config.yaml");

  it("merges the set's files in order, as compose -f ... -f ... does", () => {
    const files = environmentFiles(config, "blue");
    assert.deepEqual(files, ["docker-compose.yml", "docker-compose.blue.yml"]);
    const targets = discoverBuildTargets(root, { composeFiles: files ?? [] });
    assert.deepEqual(targets.map((target) => target.name), ["api", "worker"]);
    const api = targets[0];
    assert.equal(api?.dockerfile, "Dockerfile.blue");
    assert.equal(api?.contextDir, path.join(root, "api"));
    assert.deepEqual(api?.buildArgs, { COLOR: "blue", REGION: "eu" });
  });

  it("without --env reads only the primary file (and its override), as plain `docker compose` does", () => {
    const targets = discoverBuildTargets(root);
    assert.deepEqual(targets.map((target) => [target.name, target.dockerfile]), [["api", "Dockerfile"]]);
  });

  it("scopes clean-up and monitoring to the set's images", () => {
    const scope = projectScope(root, { composeFiles: ["docker-compose.yml", "docker-compose.blue.yml"] });
    assert.ok(scope.repositories.has("shop/api-blue"));
    assert.ok(scope.bases.has("postgres:16"));
  });

  it("names an unknown environment with a suggestion", () => {
    assert.equal(environmentFiles(config, undefined), undefined);
    assert.throws(() => environmentFiles(config, "bleu"), /no such environment; did you mean 'blue'\?/);
    assert.throws(() => discoverBuildTargets(root, { composeFiles: ["compose.green.yml"] }), /not in the repository/);
  });
});
