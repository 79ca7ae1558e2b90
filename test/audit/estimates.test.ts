import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { estimateImageSaving } from "../../src/audit/estimates.ts";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { BASE_IMAGE_SIZES_MB, devDependenciesMB, RUNTIME_IMAGE_SIZES_MB, toolchainSavingMB } from "../../src/rules/estimates.ts";
import { auditFiles } from "../helpers/audit.ts";

const node22 = parseDockerfile("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\nCMD [\"node\", \"dist/index.js\"]\n");

describe("estimateImageSaving", () => {
  it("counts a rule once per image, however many findings it has", () => {
    const slim = parseDockerfile("FROM node:22-slim\nRUN npm install\nRUN npm install -g x\n");
    const estimate = estimateImageSaving(slim, [
      { rule: "package-cache-in-layer", estimatedSavingMB: 40 },
      { rule: "package-cache-in-layer", estimatedSavingMB: 40 },
      { rule: "dev-dependencies-in-runtime", estimatedSavingMB: 30 },
    ]);
    assert.equal(estimate.sumOfFindingsMB, 110);
    assert.equal(estimate.estimatedSavingMB, 70);
  });

  it("does not count build tools or recommended packages a full base already holds next to the base change", () => {
    const estimate = estimateImageSaving(node22, [
      { rule: "final-stage-full-base", estimatedSavingMB: 860 },
      { rule: "build-tools-in-runtime", estimatedSavingMB: 250 },
      { rule: "apt-no-install-recommends", estimatedSavingMB: 60 },
      { rule: "apt-lists-not-removed", estimatedSavingMB: 20 },
      { rule: "dev-dependencies-in-runtime", estimatedSavingMB: 25 },
    ]);
    assert.equal(estimate.sumOfFindingsMB, 1215);
    assert.equal(estimate.estimatedSavingMB, 860 + 20 + 25);
    assert.deepEqual(
      estimate.counted.filter((entry) => entry.mb === 0).map((entry) => entry.rule),
      ["apt-no-install-recommends", "build-tools-in-runtime"],
    );
  });

  it("still counts build tools on a slim base, where they are added bytes", () => {
    const slim = parseDockerfile("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y build-essential\n");
    const estimate = estimateImageSaving(slim, [{ rule: "build-tools-in-runtime", estimatedSavingMB: 250 }, { rule: "apt-no-install-recommends", estimatedSavingMB: 60 }]);
    assert.equal(estimate.estimatedSavingMB, 310);
    assert.equal(estimate.imageSizeMB, (BASE_IMAGE_SIZES_MB.python?.slim ?? 0) + 310);
  });

  it("never exceeds what the image could lose: its estimated size minus the smallest runtime for it", () => {
    // A toolchain image: whatever the findings claim, the image can only shrink to its runtime image.
    const golang = parseDockerfile("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n");
    const golangMB = BASE_IMAGE_SIZES_MB.golang?.full ?? 0;
    const staticMB = RUNTIME_IMAGE_SIZES_MB["distroless/static"] ?? 0;
    const estimate = estimateImageSaving(golang, [
      { rule: "final-stage-toolchain-image", estimatedSavingMB: 5000 },
      { rule: "package-cache-in-layer", estimatedSavingMB: 40 },
    ]);
    assert.equal(estimate.imageSizeMB, golangMB + 40);
    assert.equal(estimate.runtimeFloorMB, staticMB);
    assert.equal(estimate.estimatedSavingMB, golangMB + 40 - staticMB);
  });

  it("caps an image already on its smallest base at what the findings added", () => {
    const distroless = parseDockerfile("FROM gcr.io/distroless/static-debian12\nCOPY app /app\n");
    assert.equal(estimateImageSaving(distroless, [{ rule: "final-stage-full-base", estimatedSavingMB: 500 }]).estimatedSavingMB, 0);
  });

  it("leaves an unknown base uncapped but still de-duplicated", () => {
    const custom = parseDockerfile("FROM registry.example.com/team/base:1\nRUN npm install\n");
    const estimate = estimateImageSaving(custom, [{ rule: "npm", estimatedSavingMB: 10 }, { rule: "npm", estimatedSavingMB: 10 }]);
    assert.equal(estimate.estimatedSavingMB, 10);
    assert.equal(estimate.imageSizeMB, undefined);
  });
});

describe("the audit's per-image and repository totals", () => {
  const files = {
    "api/Dockerfile": "FROM node:22\nWORKDIR /app\nRUN apt-get update && apt-get install -y curl\nCOPY . .\nRUN npm install\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n",
    "api/package.json": JSON.stringify({ name: "api", devDependencies: { typescript: "5", "@types/node": "22" } }),
    "api/src/index.ts": "x",
    "go/Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
    "go/main.go": "package main",
  };
  const result = auditFiles(files);
  const file = (path: string) => result.files.find((candidate) => candidate.path === path);
  const findingsSum = (path: string): number => (file(path)?.findings ?? []).reduce((sum, finding) => sum + (finding.estimatedSavingMB ?? 0), 0);

  it("gives each Dockerfile its de-duplicated total, below the findings' sum when they overlap", () => {
    const api = file("api/Dockerfile");
    assert.ok(api?.estimatedSavingMB !== undefined);
    assert.ok(api.findings.some((finding) => finding.rule === "apt-no-install-recommends" && (finding.estimatedSavingMB ?? 0) > 0), "the finding keeps its own figure");
    assert.equal(api.estimatedSavingMB, findingsSum("api/Dockerfile") - 60);
  });

  it("adds the images' totals for the repository", () => {
    assert.equal(result.summary.estimatedSavingMB, (file("api/Dockerfile")?.estimatedSavingMB ?? 0) + (file("go/Dockerfile")?.estimatedSavingMB ?? 0));
    assert.ok(result.summary.estimatedSavingMB < findingsSum("api/Dockerfile") + findingsSum("go/Dockerfile"));
  });

  it("sizes devDependencies from the package.json it installs", () => {
    const dev = file("api/Dockerfile")?.findings.find((finding) => finding.rule === "dev-dependencies-in-runtime");
    assert.equal(dev?.estimatedSavingMB, devDependenciesMB([files["api/package.json"]]));
    assert.equal(dev?.estimatedSavingMB, 23 + 1);
  });

  it("sizes a toolchain image against its runtime image", () => {
    const toolchain = file("go/Dockerfile")?.findings.find((finding) => finding.rule === "final-stage-toolchain-image");
    assert.equal(toolchain?.estimatedSavingMB, toolchainSavingMB("golang"));
    assert.equal(toolchainSavingMB("golang"), (BASE_IMAGE_SIZES_MB.golang?.full ?? 0) - (RUNTIME_IMAGE_SIZES_MB["distroless/static"] ?? 0));
  });
});

describe("devDependenciesMB", () => {
  it("sums known sizes, @types and others, once per package across workspace manifests", () => {
    const root = JSON.stringify({ devDependencies: { typescript: "5", "@types/node": "22", "left-pad": "1" } });
    const pkg = JSON.stringify({ devDependencies: { typescript: "5", jest: "29" } });
    assert.equal(devDependenciesMB([root, pkg]), 23 + 1 + 4 + 35);
  });

  it("is undefined without devDependencies or for text that is not JSON", () => {
    assert.equal(devDependenciesMB([JSON.stringify({ dependencies: { express: "5" } })]), undefined);
    assert.equal(devDependenciesMB(["{ not json"]), undefined);
  });
});
