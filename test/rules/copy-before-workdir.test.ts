import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "copy-before-workdir";

describe(id, () => {
  it("reports COPY . . before any WORKDIR, once per stage", () => {
    const [finding, ...rest] = findingsOf('FROM node:22-slim\nCOPY package.json .\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n', id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /^COPY package\.json \. runs before any WORKDIR, so its files land in \/ of node:22-slim/);
    assert.match(findingsOf("FROM python:3.12-slim\nCOPY . .\n", id)[0]?.message ?? "", /the whole build context lands in \//);
  });

  it("accepts a WORKDIR first (also inherited from a stage), absolute destinations, scratch and images with a WORKDIR of their own", () => {
    assert.deepEqual(linesOf("FROM node:22-slim\nWORKDIR /app\nCOPY . .\n", id), []);
    assert.deepEqual(linesOf("FROM node:22-slim AS base\nWORKDIR /app\nFROM base\nCOPY . .\n", id), []);
    assert.deepEqual(linesOf("FROM node:22-slim\nCOPY . /app\nCOPY entrypoint.sh /usr/local/bin/\n", id), []);
    assert.deepEqual(linesOf("FROM golang:1.26 AS build\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app .\n", id), []);
    assert.deepEqual(linesOf("FROM php:8.4-apache\nCOPY . .\n", id), []);
    // Another publisher's image may set a WORKDIR we cannot see.
    assert.deepEqual(linesOf("FROM ghcr.io/example/base:1\nCOPY . .\n", id), []);
  });

  it("reports each stage on its own", () => {
    assert.deepEqual(linesOf("FROM node:22 AS build\nCOPY . .\nRUN npm ci && npm run build\nFROM nginx:1.27-alpine\nCOPY --from=build dist html\n", id), [2, 5]);
  });
});
