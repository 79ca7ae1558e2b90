// Golden tests: each project under test/fixtures/projects/ is planned as the CLI sees it (the
// directory scanned from disk) and the rewrite must equal its expected.Dockerfile.
// SHIPSHAPE_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
// Projects marked `"lean": true` are already multi-stage and slim: the planner must leave them
// alone (no plan), so they have no expected.Dockerfile.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { z } from "zod";
import { mustPlan, planDirectory } from "./helpers.ts";

const PROJECTS = path.resolve(import.meta.dirname, "../fixtures/projects");
const update = process.env.SHIPSHAPE_UPDATE_GOLDEN === "1";

const CheckSchema = z.object({
  ecosystem: z.enum(["node", "static-web", "python", "go", "rust", "java"]),
  engine: z.boolean().optional(),
  lean: z.boolean().optional(),
  why: z.string().optional(),
  http: z.object({ port: z.number(), path: z.string(), expectJson: z.record(z.string(), z.unknown()).optional(), expectBodyIncludes: z.string().optional() }).optional(),
  command: z.array(z.string()).optional(),
  expectStdout: z.string().optional(),
});

const projects = fs.readdirSync(PROJECTS).filter((name) => fs.existsSync(path.join(PROJECTS, name, "Dockerfile"))).sort();

describe("rewrite golden files", () => {
  it("has several fixture projects covering every ecosystem", () => {
    const ecosystems = new Set(projects.map((name) => CheckSchema.parse(JSON.parse(fs.readFileSync(path.join(PROJECTS, name, "check.json"), "utf8"))).ecosystem));
    assert.deepEqual([...ecosystems].sort(), ["go", "java", "node", "python", "rust", "static-web"]);
  });

  it("has at least 15 projects, two of them already lean", () => {
    const checks = projects.map((name) => CheckSchema.parse(JSON.parse(fs.readFileSync(path.join(PROJECTS, name, "check.json"), "utf8"))));
    assert.ok(projects.length >= 15, `${projects.length} projects`);
    assert.ok(checks.filter((check) => check.lean === true).length >= 2);
  });

  for (const name of projects) {
    it(`${name}: the rewrite equals expected.Dockerfile`, () => {
      const root = path.join(PROJECTS, name);
      const check = CheckSchema.parse(JSON.parse(fs.readFileSync(path.join(root, "check.json"), "utf8")));
      assert.ok(check.http !== undefined || check.command !== undefined, "check.json describes a runnable check");
      const expectedPath = path.join(root, "expected.Dockerfile");
      if (check.lean === true) {
        assert.equal(planDirectory(root), undefined, "an already lean (multi-stage) Dockerfile gets no rewrite");
        assert.equal(fs.existsSync(expectedPath), false, "a lean project has no expected.Dockerfile");
        return;
      }
      const result = mustPlan(planDirectory(root));
      assert.equal(result.ecosystem, check.ecosystem);
      if (update) fs.writeFileSync(expectedPath, result.dockerfile);
      assert.equal(result.dockerfile, fs.readFileSync(expectedPath, "utf8"));
    });
  }
});
