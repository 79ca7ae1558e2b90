import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "compose-depends-on-without-healthcheck";

describe(id, () => {
  it("flags depends_on a service without a healthcheck, with an example probe", () => {
    const compose = "services:\n  db:\n    image: postgres:16\n  api:\n    image: example/api\n    depends_on:\n      - db\n";
    const [finding, ...rest] = findingsOf({ "docker-compose.yml": compose }, id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 7);
    assert.match(finding?.message ?? "", /^Service api depends on db, which has no healthcheck: .*pg_isready/);
  });

  it("flags a missing condition when the dependency has a healthcheck", () => {
    const compose = [
      "services:",
      "  db:",
      "    image: postgres:16",
      "    healthcheck:",
      "      test: [\"CMD-SHELL\", \"pg_isready -U postgres\"]",
      "  api:",
      "    image: example/api",
      "    depends_on:",
      "      db:",
      "        condition: service_started",
      "  worker:",
      "    image: example/worker",
      "    depends_on:",
      "      db:",
      "        condition: service_healthy",
      "",
    ].join("\n");
    const findings = findingsOf({ "docker-compose.yml": compose }, id);
    assert.deepEqual(findings.map((finding) => finding.line), [9]);
    assert.match(findings[0]?.message ?? "", /without condition: service_healthy/);
  });

  it("accepts service_completed_successfully and ignores services defined elsewhere", () => {
    const compose = "services:\n  migrate:\n    image: example/migrate\n  api:\n    image: example/api\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n      external:\n        condition: service_started\n";
    assert.deepEqual(linesOf({ "docker-compose.yml": compose }, id), []);
  });

  it("counts a HEALTHCHECK in the built image, and treats disable: true as none", () => {
    const files = {
      "docker-compose.yml": "services:\n  api:\n    build: ./api\n  web:\n    image: example/web\n    depends_on: [api]\n  db:\n    image: postgres:16\n    healthcheck:\n      disable: true\n  job:\n    image: example/job\n    depends_on: [db]\n",
      "api/Dockerfile": "FROM node:22-slim\nHEALTHCHECK CMD curl -f http://localhost:3000/health || exit 1\nCMD [\"node\", \"server.js\"]\n",
    };
    const findings = findingsOf(files, id, "docker-compose.yml");
    assert.deepEqual(findings.map((finding) => finding.line), [6, 13]);
    assert.match(findings[0]?.message ?? "", /api without condition: service_healthy/);
    assert.match(findings[1]?.message ?? "", /db, which has no healthcheck/);
  });

  it("sees a healthcheck merged in from a YAML anchor (<<: *hc)", () => {
    const compose = "x-hc: &hc\n  healthcheck:\n    test: [\"CMD\", \"true\"]\nservices:\n  db:\n    <<: *hc\n    image: postgres:16\n  api:\n    image: a\n    depends_on: [db]\n";
    const findings = findingsOf({ "docker-compose.yml": compose }, id, "docker-compose.yml");
    assert.deepEqual(findings.map((finding) => finding.line), [10]);
    assert.match(findings[0]?.message ?? "", /without condition: service_healthy/);
    const healthy = compose.replace("depends_on: [db]", "depends_on:\n      db:\n        condition: service_healthy");
    assert.deepEqual(linesOf({ "docker-compose.yml": healthy }, id), []);
  });
});
