import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "compose-no-resource-limits";

describe(id, () => {
  it("flags services without deploy.resources.limits, mem_limit or cpus", () => {
    const compose = [
      "services:",
      "  api:",
      "    image: example/api:1",
      "  worker:",
      "    image: example/worker:1",
      "    deploy:",
      "      resources:",
      "        limits: {memory: 512M, cpus: '0.5'}",
      "  cache:",
      "    image: redis:7",
      "    mem_limit: 256m",
      "  batch:",
      "    image: example/batch:1",
      "    cpus: 2",
      "  queue:",
      "    image: rabbitmq:3",
      "    deploy:",
      "      resources:",
      "        reservations: {memory: 128M}",
      "",
    ].join("\n");
    assert.deepEqual(linesOf({ "docker-compose.yml": compose }, id), [2, 15]);
    assert.match(findingsOf({ "docker-compose.yml": compose }, id)[0]?.message ?? "", /^Service api has no memory or CPU limit/);
  });

  it("skips development services and files", () => {
    const compose = "services:\n  api-dev:\n    image: a\n  web:\n    image: b\n    profiles: [dev]\n";
    assert.deepEqual(linesOf({ "docker-compose.yml": compose }, id), []);
    assert.deepEqual(linesOf({ "docker-compose.override.yml": "services:\n  api:\n    image: a\n" }, id), []);
  });

  it("stays silent for services that merge an anchor (the limits may come from it)", () => {
    const compose = "x-defaults: &defaults\n  deploy:\n    resources:\n      limits: {memory: 512M}\nservices:\n  api:\n    <<: *defaults\n    image: a\n  web:\n    image: b\n";
    assert.deepEqual(linesOf({ "docker-compose.yml": compose }, id), [9]);
  });

  it("honours # shipshape ignore on the service line", () => {
    const compose = "services:\n  # shipshape ignore=compose-no-resource-limits\n  api:\n    image: a\n";
    assert.deepEqual(linesOf({ "docker-compose.yml": compose }, id), []);
  });
});
