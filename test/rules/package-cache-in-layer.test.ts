import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "package-cache-in-layer";

describe(id, () => {
  it("flags yum, dnf, microdnf and zypper installs without a clean in the same RUN", () => {
    const dockerfile = [
      "FROM rockylinux:9",
      "RUN yum install -y httpd",
      "RUN yum install -y httpd && yum clean all",
      "RUN dnf -y install nginx",
      "RUN dnf -y install nginx && dnf clean all",
      "RUN microdnf install -y jq",
      "RUN microdnf install -y jq && microdnf clean all",
      "RUN zypper --non-interactive install curl",
      "RUN zypper --non-interactive install curl && zypper clean --all",
      "RUN yum clean all && yum install -y git",
      "RUN dnf install -y git && rm -rf /var/cache/dnf",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 4, 6, 8, 10]);
    assert.match(findings[0]?.message ?? "", /yum install .*\/var\/cache\/yum.*yum clean all/);
    assert.equal(findings[0]?.estimatedSavingMB, 60);
  });

  it("flags yarn and npm installs that keep their caches, and accepts the cleanups", () => {
    const dockerfile = [
      "FROM node:22-slim",
      "RUN yarn install --frozen-lockfile --production",
      "RUN yarn install --frozen-lockfile --production && yarn cache clean",
      "RUN npm ci --omit=dev",
      "RUN npm ci --omit=dev && npm cache clean --force",
      "RUN npm ci --omit=dev && rm -rf ~/.npm",
      "RUN npm install -g pm2 && rm -rf /root/.npm/_cacache",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 4]);
    assert.equal(findings[0]?.estimatedSavingMB, 60);
    assert.equal(findings[1]?.estimatedSavingMB, 40);
  });

  it("is silent under a cache mount of the cache directory, wherever the user's home is", () => {
    const dockerfile = [
      "FROM node:22-slim",
      "RUN --mount=type=cache,target=/root/.npm npm ci",
      "RUN --mount=type=cache,target=/home/node/.npm,uid=1000 npm ci",
      "RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install",
      "RUN --mount=type=cache,target=/var/cache/dnf dnf install -y git",
      "ENV npm_config_cache=/tmp/npm-cache",
      "RUN --mount=type=cache,target=/tmp/npm-cache npm ci",
      "RUN --mount=type=cache,target=/root/.cache/pip npm ci",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [8]);
  });

  it("does not report build stages that do not reach the final image", () => {
    const dockerfile = ["FROM node:22 AS build", "RUN npm ci && npm run build", "FROM nginx:alpine", "COPY --from=build /app/dist /usr/share/nginx/html"].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("flags gem install without --no-document, except on official ruby images", () => {
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nRUN gem install bundler\nRUN gem install rake --no-document\n", id), [2]);
    assert.deepEqual(linesOf("FROM ruby:3.3-slim\nRUN gem install bundler\n", id), []);
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nRUN echo 'gem: --no-document' > /etc/gemrc\nRUN gem install bundler\n", id), []);
  });

  it("flags composer without --no-cache or clear-cache", () => {
    const dockerfile = "FROM php:8.3-fpm\nRUN composer install --no-dev\nRUN composer install --no-dev --no-cache\nRUN composer install --no-dev && composer clear-cache\n";
    assert.deepEqual(linesOf(dockerfile, id), [2]);
  });

  it("reports one finding per package manager per RUN", () => {
    assert.deepEqual(linesOf("FROM fedora:40\nRUN dnf install -y a && dnf install -y b\n", id), [2]);
  });

  it("honours the hadolint ids of the sub-cases", () => {
    assert.deepEqual(linesOf("FROM node:22\n# hadolint ignore=DL3060\nRUN yarn install\n", id), []);
    assert.deepEqual(linesOf("FROM centos:7\n# hadolint ignore=DL3032\nRUN yum install -y git\n", id), []);
  });
  it("counts yarn global add, which fills the same cache", () => {
    const [finding] = findingsOf("FROM node:22-slim\nRUN yarn global add serve@14\n", id);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /^yarn global add leaves yarn's package cache in this layer/);
    assert.deepEqual(linesOf("FROM node:22-slim\nRUN yarn global add serve@14 && yarn cache clean\n", id), []);
    assert.deepEqual(linesOf("FROM node:22-slim\nRUN yarn global list\n", id), []);
  });
});
