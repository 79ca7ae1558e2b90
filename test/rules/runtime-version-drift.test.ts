import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf } from "../helpers/audit.ts";

const id = "runtime-version-drift";

describe(id, () => {
  it("reports the FROM that differs from the most common version and names the others", () => {
    const files = {
      "services/api/Dockerfile": "FROM node:22-slim\nCMD [\"node\", \"a.js\"]\n",
      "services/web/Dockerfile": "FROM node:22.4.1-alpine AS build\nRUN npm run build\nFROM nginx:alpine\n",
      "services/worker/Dockerfile": "# legacy\nFROM node:18-bullseye\nCMD [\"node\", \"w.js\"]\n",
    };
    const findings = findingsOf(files, id);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.line, 2);
    assert.equal(
      findings[0]?.message,
      "node:18-bullseye is node 18, but the repository mostly uses node 22 (services/api/Dockerfile and services/web/Dockerfile); versions in use: 18, 22: align them (one shared ARG or bake variable) so services behave alike and share base layers",
    );
    assert.deepEqual(findingsOf(files, id, "services/api/Dockerfile"), []);
  });

  it("compares only within a project: sample projects with their own compose files are independent", () => {
    const sample = (version: string): Record<string, string> => ({
      [`samples/${version}/docker-compose.yml`]: "services:\n  app:\n    build: .\n",
      [`samples/${version}/Dockerfile`]: `FROM node:${version}-slim\nCMD ["node", "a.js"]\n`,
    });
    assert.deepEqual(findingsOf({ ...sample("18"), ...sample("20"), ...sample("22") }, id), []);
    // One compose file building all three: one project, drift reported.
    const together = {
      "docker-compose.yml": "services:\n  a:\n    build: ./a\n  b:\n    build: ./b\n  c:\n    build: ./c\n",
      "a/Dockerfile": "FROM node:22-slim\n",
      "b/Dockerfile": "FROM node:22-slim\n",
      "c/Dockerfile": "FROM node:18-slim\n",
    };
    assert.equal(findingsOf(together, id).length, 1);
    assert.equal(findingsOf(together, id, "c/Dockerfile").length, 1);
  });

  it("compares python, go, ruby and php by major.minor, java by major across openjdk and eclipse-temurin", () => {
    const files = {
      "a/Dockerfile": "FROM python:3.12-slim\n",
      "b/Dockerfile": "FROM python:3.12.4\n",
      "c/Dockerfile": "FROM python:3.11-slim\n",
      "d/Dockerfile": "FROM eclipse-temurin:21-jre\n",
      "e/Dockerfile": "FROM eclipse-temurin:21-jdk AS build\nFROM openjdk:17-slim\n",
      "f/Dockerfile": "FROM eclipse-temurin:21.0.3_9-jre-alpine\n",
    };
    const findings = findingsOf(files, id);
    assert.deepEqual(findings.map((finding) => `${finding.line} ${finding.message.split("; versions")[0] ?? ""}`), [
      "1 python:3.11-slim is python 3.11, but the repository mostly uses python 3.12 (a/Dockerfile and b/Dockerfile)",
      "2 openjdk:17-slim is java 17, but the repository mostly uses java 21 (d/Dockerfile, f/Dockerfile and another stage of this Dockerfile)",
    ]);
  });

  it("breaks a tie toward the newest version", () => {
    const files = { "a/Dockerfile": "FROM golang:1.21 AS build\nFROM scratch\n", "b/Dockerfile": "FROM golang:1.22-alpine AS build\nFROM scratch\n" };
    const findings = findingsOf(files, id);
    assert.equal(findings.length, 1);
    assert.match(findings[0]?.message ?? "", /^golang:1\.21 is go 1\.21, but the repository mostly uses go 1\.22 \(b\/Dockerfile\)/);
  });

  it("ignores floating tags, unresolved ARGs, stage references, other images and versions the path names", () => {
    const files = {
      "a/Dockerfile": "FROM node:22\n",
      "b/Dockerfile": "FROM node:lts-alpine\n",
      "c/Dockerfile": "ARG NODE\nFROM node:${NODE}\n",
      "d/Dockerfile": "FROM node:22 AS base\nFROM base\n",
      "e/Dockerfile": "FROM bitnami/node:18\n",
      "compat/node18/Dockerfile": "FROM node:18\n",
      "f/Dockerfile": "FROM python:3\n",
      "g/Dockerfile": "FROM python:3.12\n",
    };
    assert.deepEqual(findingsOf(files, id), []);
  });

  it("resolves ARG defaults and registry mirrors of official images", () => {
    const files = {
      "a/Dockerfile": "ARG RUBY_VERSION=3.3\nFROM ruby:${RUBY_VERSION}-slim\n",
      "b/Dockerfile": "FROM public.ecr.aws/docker/library/ruby:3.3\n",
      "c/Dockerfile": "FROM docker.io/library/ruby:3.1-alpine\n",
    };
    const findings = findingsOf(files, id);
    assert.deepEqual(findings.map((finding) => finding.line), [1]);
    assert.match(findings[0]?.message ?? "", /ruby 3\.1, but the repository mostly uses ruby 3\.3/);
  });

  it("does not treat k8s/ in a path as naming java 8", () => {
    const files = { "a/Dockerfile": "FROM openjdk:17\n", "b/Dockerfile": "FROM openjdk:17\n", "k8s/Dockerfile": "FROM openjdk:8u342-jdk\n" };
    assert.deepEqual(findingsOf(files, id).map((finding) => finding.line), [1]);
  });
});
