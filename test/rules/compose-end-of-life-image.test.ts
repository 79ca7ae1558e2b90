import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "compose-end-of-life-image";

describe(id, () => {
  it("reports services that run an end-of-life database or runtime image, on the image: line", () => {
    const compose = ["services:", "  db:", "    image: postgres:9.4", "  sessions:", "    restart: always", "    image: mongo:4", "  legacy:", "    image: node:16-alpine", ""].join("\n");
    const findings = findingsOf({ "docker-compose.yml": compose }, id, "docker-compose.yml");
    assert.deepEqual(findings.map((finding) => finding.line), [3, 6, 8]);
    assert.match(findings[0]?.message ?? "", /^Service db runs postgres:9\.4: PostgreSQL 9 reached end of life on 2021-11-11, so it gets no security fixes/);
    assert.match(findings[1]?.message ?? "", /MongoDB 4 reached end of life on 2024-02-29/);
    assert.match(findings[2]?.message ?? "", /Node\.js 16/);
  });

  it("skips built services, variables, floating and supported tags, other publishers", () => {
    const compose = [
      "services:",
      "  api:",
      "    build: .",
      "    image: node:16",
      "  db:",
      "    image: postgres:${PG_VERSION:-9.6}",
      "  cache:",
      "    image: mongo",
      "  pg:",
      "    image: postgres:17-alpine",
      "  other:",
      "    image: bitnami/postgresql:11",
      "",
    ].join("\n");
    assert.deepEqual(linesOf({ "docker-compose.yml": compose }, id, "docker-compose.yml"), []);
  });
});
