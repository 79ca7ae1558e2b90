// The clean-up planner, references, GC policy and buildx prune arguments: pure functions on
// hand-made engine snapshots (the engine-backed behaviour is in clean-engine.test.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildkitdTomlGcPolicy, daemonJsonGcPolicy } from "../../src/clean/gc-policy.ts";
import { planCachePrune, planClean, type CleanPolicy } from "../../src/clean/plan.ts";
import { matchesKeepRule, normalizeReference, repositoryOf } from "../../src/clean/references.ts";
import type { ProjectScope } from "../../src/clean/scope.ts";
import { resolveCleanPolicy } from "../../src/cli/clean-command.ts";
import { buildxPruneCommands, parseBuildxPruneTotal } from "../../src/engine/buildx-prune.ts";
import type { BuildCacheRecord, ContainerSummary, ImageSummary } from "../../src/engine/disk.ts";
import { parseDurationText } from "../../src/format/index.ts";

function image(id: string, tags: string[], created: number, extra: Partial<ImageSummary> = {}): ImageSummary {
  return { Id: id, RepoTags: tags, RepoDigests: [], Created: created, Size: 1000, SharedSize: 100, Containers: 0, Labels: {}, ...extra };
}

function container(id: string, imageId: string, state: string, labels: Record<string, string> = {}): ContainerSummary {
  return { Id: id, Names: [`/${id}`], Image: imageId, ImageID: imageId, State: state, Labels: labels, SizeRw: 50 };
}

function record(id: string, lastUsed: string, extra: Partial<BuildCacheRecord> = {}): BuildCacheRecord {
  return { ID: id, Type: "regular", Description: id, InUse: false, Shared: false, Size: 100, UsageCount: 1, LastUsedAt: lastUsed, ...extra };
}

const scope: ProjectScope = { project: "shop", repositories: new Set(["shipshape/shop-api", "shop-web"]), bases: new Set(["node:22-slim"]), composeProjects: new Set(["shop"]), targets: [] };
const policy: CleanPolicy = { keepImages: 2, maxCacheBytes: 1e12, aggressive: false, includeBases: false, allProjects: false, keep: [] };

describe("planClean", () => {
  const images = [
    image("a1", ["shipshape/shop-api:1"], 1),
    image("a2", ["shipshape/shop-api:2"], 2),
    image("a3", ["shipshape/shop-api:3"], 3),
    image("a4", ["shipshape/shop-api:4"], 4),
    image("d1", [], 5, { Labels: { "shipshape.project": "shop" } }),
    image("d2", [], 6),
    image("o1", ["shipshape/other-api:1"], 1, { Labels: { "shipshape.project": "other" } }),
    image("o2", ["shipshape/other-api:2"], 2, { Labels: { "shipshape.project": "other" } }),
    image("n1", ["node:22-slim"], 1),
    image("x1", ["shop-web:old", "registry.example/x:1"], 1),
  ];

  it("keeps the newest N per repository, removes the project's dangling images, leaves the rest", () => {
    const plan = planClean({ Images: images, Containers: [], BuildCache: [] }, scope, policy);
    assert.deepEqual(plan.images.map((item) => [item.id, item.reason]), [["a1", "older"], ["a2", "older"], ["d1", "dangling"]]);
    assert.equal(plan.bytes.images, 3 * 900);
    const kept = new Map(plan.kept.map((item) => [item.id, item.reason]));
    assert.equal(kept.get("a4"), "newest");
    assert.equal(kept.get("a3"), "newest");
    assert.equal(kept.get("n1"), "base");
    assert.equal(kept.get("x1"), "foreign-tag");
    assert.ok(!kept.has("o1") && !plan.images.some((item) => item.id.startsWith("o") || item.id === "d2"));
  });

  it("never removes an image a container uses, or one a keep rule names; bases only with includeBases", () => {
    const plan = planClean({ Images: images, Containers: [container("c1", "a1", "exited")], BuildCache: [] }, scope, { ...policy, keep: ["shipshape/shop-api:2"], includeBases: true });
    assert.deepEqual(plan.images.map((item) => item.id).sort(), ["d1", "n1"]);
    const kept = new Map(plan.kept.map((item) => [item.id, item.why]));
    assert.match(kept.get("a1") ?? "", /used by container c1 \(exited\)/);
    assert.match(kept.get("a2") ?? "", /keep rule/);
  });

  it("--aggressive removes the project's stopped containers first, then their images are free", () => {
    const containers = [container("c1", "a1", "exited", { "com.docker.compose.project": "shop" }), container("c2", "a2", "running"), container("c3", "o1", "exited")];
    const plan = planClean({ Images: images, Containers: containers, BuildCache: [] }, scope, { ...policy, aggressive: true, keepImages: 1 });
    assert.deepEqual(plan.containers.map((item) => item.id), ["c1"]);
    assert.deepEqual(plan.images.map((item) => item.id), ["a1", "a3", "d1"]);
  });

  it("--all-projects reaches every labelled project and untagged images", () => {
    const plan = planClean({ Images: images, Containers: [], BuildCache: [] }, scope, { ...policy, allProjects: true, keepImages: 1 });
    assert.deepEqual(plan.images.map((item) => item.id).sort(), ["a1", "a2", "a3", "d1", "d2", "o1"]);
  });
});

describe("planCachePrune", () => {
  const records = [record("old", "2026-01-01T00:00:00Z"), record("mid", "2026-02-01T00:00:00Z"), record("new", "2026-03-01T00:00:00Z"), record("busy", "2025-01-01T00:00:00Z", { InUse: true }), record("layer", "2025-01-01T00:00:00Z", { Shared: true }), record("mount", "2026-03-02T00:00:00Z", { Type: "exec.cachemount" }), record("fe", "2025-01-01T00:00:00Z", { Type: "frontend" })];
  it("removes unused, unshared records least recently used first down to the cap", () => {
    assert.deepEqual(planCachePrune(records, 1e9, false).records, []);
    assert.deepEqual(planCachePrune(records, 500, false).records.map((item) => item.id), ["old", "mid"]);
    assert.deepEqual(planCachePrune(records, 0, false).records.map((item) => item.id), ["old", "mid", "new", "mount"]);
  });
  it("--aggressive removes unused cache mounts whatever the cap", () => {
    assert.deepEqual(planCachePrune(records, 1e9, true).records.map((item) => [item.id, item.reason]), [["mount", "unused-cache-mount"]]);
  });
});

describe("references and keep rules", () => {
  it("compares names as the engine lists them", () => {
    assert.equal(normalizeReference("postgres"), "postgres:latest");
    assert.equal(normalizeReference("docker.io/library/node:22"), "node:22");
    assert.equal(normalizeReference("localhost:5000/app"), "localhost:5000/app:latest");
    assert.equal(repositoryOf("localhost:5000/app:1"), "localhost:5000/app");
    assert.equal(repositoryOf("shipshape/shop-api"), "shipshape/shop-api");
    assert.ok(matchesKeepRule("shop-api:stable", "shop-api:stable"));
    assert.ok(matchesKeepRule("shop-api:1", "shop-api"));
    assert.ok(matchesKeepRule("shipshape/shop-api:1", "shipshape/shop-*"));
    assert.ok(!matchesKeepRule("shop-api:1", "shop-api:2"));
  });
});

describe("policy, GC settings, buildx prune", () => {
  it("options win over the config, which wins over the defaults; --aggressive lowers both", () => {
    assert.deepEqual(resolveCleanPolicy({}, undefined), { keepImages: 2, maxCacheBytes: 10e9, aggressive: false, includeBases: false, allProjects: false, keep: [] });
    assert.equal(resolveCleanPolicy({}, { keep: [], keepImages: 5, maxCache: 3e9 }).keepImages, 5);
    assert.equal(resolveCleanPolicy({ keepImages: "3", maxCache: "500MB" }, { keep: ["a"], keepImages: 5, maxCache: 3e9 }).maxCacheBytes, 500e6);
    const aggressive = resolveCleanPolicy({ aggressive: true }, { keep: [], maxCache: 3e9 });
    assert.equal(aggressive.keepImages, 1);
    assert.equal(aggressive.maxCacheBytes, 1e9);
    assert.throws(() => resolveCleanPolicy({ maxCache: "lots" }, undefined), /--max-cache must be a size/);
  });

  it("writes daemon.json and buildkitd.toml policies for the caps", () => {
    const daemon = daemonJsonGcPolicy({ maxCacheBytes: 10e9, keepDurationMs: 48 * 3_600_000, minFreeBytes: 20e9 }) as { builder: { gc: { defaultKeepStorage: string; policy: Record<string, unknown>[] } } };
    assert.equal(daemon.builder.gc.defaultKeepStorage, "10GB");
    assert.deepEqual(daemon.builder.gc.policy.at(-1), { maxUsedSpace: "10GB", minFreeSpace: "20GB", all: true });
    assert.equal(daemon.builder.gc.policy[0]?.keepDuration, "48h");
    const toml = buildkitdTomlGcPolicy({ maxCacheBytes: 2e9, keepDurationMs: 7 * 86_400_000, minFreeBytes: 0 });
    assert.match(toml, /\[worker\.oci\]\n {2}gc = true\n {2}maxUsedSpace = "2GB"/);
    assert.match(toml, /keepDuration = "168h"/);
  });

  it("prunes a buildx builder with the cap flag the installed buildx knows", () => {
    assert.deepEqual(buildxPruneCommands({ builder: "ci", keepStorageBytes: 5e9, cacheMounts: true, until: "24h" }, "--max-used-space"), [
      ["buildx", "prune", "--force", "--builder", "ci", "--filter", "type=exec.cachemount"],
      ["buildx", "prune", "--force", "--builder", "ci", "--max-used-space", "5000000000", "--filter", "until=24h"],
    ]);
    assert.equal(parseBuildxPruneTotal("ID\tRECLAIMABLE\tSIZE\nabc\ttrue\t1.2kB\nTotal:\t1.5GB\n"), 1.5e9);
  });

  it("parses durations as configs write them", () => {
    assert.equal(parseDurationText("90s"), 90_000);
    assert.equal(parseDurationText("1h30m"), 5_400_000);
    assert.equal(parseDurationText("2"), 2000);
    assert.equal(parseDurationText("soon"), undefined);
    assert.equal(parseDurationText("5x"), undefined);
  });
});

describe("budgets", async () => {
  const { budgetFor, checkBudget, breachLines, historyBudgetLines } = await import("../../src/budgets/check.ts");
  const { parseConfig } = await import("../../src/audit/config.ts");
  const budgets = parseConfig("budgets:\n  api:\n    maxSize: 500MB\n    maxLayers: 12\n    maxBuildTime: 2m\n  shop/web:\n    maxWasted: 5MB\n", "shipshape.config.yaml").budgets;

  it("finds a budget by target name, then by reference or repository, and checks what was measured", () => {
    assert.equal(budgetFor(budgets, { name: "api", reference: "shipshape/shop-api:latest" })?.key, "api");
    assert.equal(budgetFor(budgets, { reference: "shop/web:1.2" })?.key, "shop/web");
    assert.equal(budgetFor(budgets, { reference: "other:1" }), undefined);
    const checks = checkBudget(budgets?.api ?? {}, { sizeBytes: 812e6, layers: 9, durationMs: 180_000 });
    assert.deepEqual(checks.map((check) => [check.metric, check.passed]), [["sizeBytes", false], ["layers", true], ["durationMs", false]]);
    assert.deepEqual(breachLines("api", "api", checks), ["budget: api: size 812 MB > budget 500 MB (budgets.api)", "budget: api: build time 180 s > budget 120 s (budgets.api)"]);
  });

  it("draws history's budget lines from the recorded series", () => {
    const lines = historyBudgetLines([{ image: "shipshape/shop-api:latest", metric: "sizeBytes", latest: 450e6, values: [600e6, 520e6, 450e6] }, { image: "shipshape/shop-api:latest", metric: "cacheHitRatio", latest: 1, values: [1] }], budgets, () => "api");
    assert.deepEqual(lines, ["shipshape/shop-api:latest: size budget 500 MB (budgets.api): latest 450 MB ok; 2 of the last 3 run(s) over"]);
  });

  it("refuses a budget the config cannot mean", () => {
    assert.throws(() => parseConfig("budgets:\n  api:\n    maxSize: huge\n", "shipshape.config.yaml"), /budgets\.api\.maxSize: expected a size/);
    assert.throws(() => parseConfig("budgets:\n  api:\n    maxSzie: 1GB\n", "shipshape.config.yaml"), /unknown key 'maxSzie'.*did you mean 'maxSize'/);
  });
});

describe("cache status", async () => {
  const { summarizeCache, dependencySteps } = await import("../../src/cache/status.ts");
  const dockerfile = "FROM node:22 AS deps\nRUN --mount=type=cache,target=/root/.npm npm ci\nRUN npm run build\nFROM deps\nRUN pip install -r requirements.txt\n";
  it("finds dependency-install steps and answers from the records' descriptions", () => {
    assert.deepEqual(dependencySteps(dockerfile, "Dockerfile").map((step) => [step.line, step.stage, step.command]), [[2, "deps", "npm ci"], [5, "1", "pip install -r requirements.txt"]]);
    const records = [
      record("r1", "2026-03-01T00:00:00Z", { Description: "mount / from exec /bin/sh -c npm ci", Size: 5000 }),
      record("m1", "2026-03-02T00:00:00Z", { Type: "exec.cachemount", Description: "cached mount /root/.npm from exec /bin/sh -c npm ci", Size: 700 }),
      record("l1", "2026-03-03T00:00:00Z", { Type: "source.local", Shared: true, Size: 10 }),
    ];
    const status = summarizeCache(records, [{ service: "web", dockerfile: "Dockerfile", text: dockerfile }]);
    assert.equal(status.totalBytes, 5710);
    assert.equal(status.reclaimableBytes, 5700);
    assert.equal(status.lastUsedAt, "2026-03-03T00:00:00Z");
    assert.deepEqual(status.cacheMounts.map((mount) => [mount.target, mount.bytes]), [["/root/.npm", 700]]);
    assert.equal(status.services[0]?.state, "partial");
    assert.deepEqual(status.services[0]?.steps.map((step) => step.cached), [true, false]);
  });
});
