import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "duplicate-browser-download";

const withChromium = "FROM node:22-slim\nRUN apt-get update && apt-get install -y --no-install-recommends chromium\n";

describe(id, () => {
  it("flags puppeteer installed next to a system chromium, with the estimate", () => {
    const [finding] = findingsOf(`${withChromium}RUN npm install puppeteer\n`, id);
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /^npm install puppeteer downloads its own browser although line 2 installs chromium.*PUPPETEER_SKIP_DOWNLOAD=true/);
    assert.equal(finding?.estimatedSavingMB, 280);
  });

  it("reads package.json for npm ci", () => {
    const files = { Dockerfile: `${withChromium}COPY package*.json ./\nRUN npm ci\n`, "package.json": '{"dependencies": {"puppeteer": "^23.0.0"}}' };
    assert.deepEqual(linesOf(files, id), [4]);
    const core = { Dockerfile: `${withChromium}COPY package*.json ./\nRUN npm ci\n`, "package.json": '{"dependencies": {"puppeteer-core": "^23.0.0"}}' };
    assert.deepEqual(linesOf(core, id), []);
  });

  it("flags playwright and pyppeteer downloads next to a system browser", () => {
    assert.deepEqual(linesOf(`${withChromium}RUN npx playwright install --with-deps chromium\n`, id), [3]);
    assert.deepEqual(linesOf("FROM python:3.12-slim\nRUN apt-get install -y chromium && pip install playwright && python -m playwright install chromium\n", id), [2]);
    assert.deepEqual(linesOf("FROM python:3.12-slim\nRUN apt-get install -y chromium\nRUN pip install pyppeteer && pyppeteer-install\n", id), [3]);
  });

  it("accepts skipped downloads, --ignore-scripts, install-deps and images with one browser", () => {
    assert.deepEqual(linesOf(`${withChromium}ENV PUPPETEER_SKIP_DOWNLOAD=true\nRUN npm install puppeteer\n`, id), []);
    assert.deepEqual(linesOf(`${withChromium}RUN PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 npm install puppeteer\n`, id), []);
    assert.deepEqual(linesOf(`${withChromium}RUN npm install --ignore-scripts puppeteer\n`, id), []);
    assert.deepEqual(linesOf(`${withChromium}RUN npx playwright install-deps chromium\n`, id), []);
    assert.deepEqual(linesOf("FROM node:22-slim\nRUN npm install puppeteer\n", id), []);
  });

  it("ignores build stages that do not reach the final image", () => {
    assert.deepEqual(linesOf(`${withChromium.replace("FROM node:22-slim", "FROM node:22-slim AS test")}RUN npm install puppeteer\nFROM node:22-slim\n`, id), []);
  });
});
