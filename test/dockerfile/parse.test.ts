import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommandInstruction, CopyInstruction, KeyValueInstruction, RunInstruction } from "../../src/dockerfile/model.ts";
import { finalStage, runtimeStages } from "../../src/dockerfile/model.ts";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";

const multiStage = `# syntax=docker/dockerfile:1.7
# escape=\\
ARG NODE_VERSION=22
ARG REGISTRY=ghcr.io
FROM node:\${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \\
    --mount=type=bind,source=.npmrc,target=/app/.npmrc \\
    npm ci
FROM deps AS build
COPY . .
RUN npm run build
FROM \${REGISTRY}/acme/runtime:1.2@sha256:abc AS runtime
COPY --from=build --chown=node:node /app/dist /app
USER node
CMD ["node", "/app/server.js"]
`;

describe("parseDockerfile", () => {
  const model = parseDockerfile(multiStage);

  it("reads parser directives", () => {
    assert.deepEqual(model.directives.map((directive) => [directive.name, directive.value, directive.line]), [
      ["syntax", "docker/dockerfile:1.7", 1],
      ["escape", "\\", 2],
    ]);
  });

  it("builds stages with names, bases resolved through global ARGs, and stage references", () => {
    assert.deepEqual(
      model.stages.map((stage) => ({ index: stage.index, name: stage.name, base: stage.base.resolved, baseStage: stage.baseStage, final: stage.isFinal, used: stage.usedByLaterStages })),
      [
        { index: 0, name: "deps", base: "node:22-bookworm", baseStage: undefined, final: false, used: true },
        { index: 1, name: "build", base: "deps", baseStage: 0, final: false, used: true },
        { index: 2, name: "runtime", base: "ghcr.io/acme/runtime:1.2@sha256:abc", baseStage: undefined, final: true, used: false },
      ],
    );
    const runtime = model.stages[2]?.base;
    assert.equal(runtime?.registry, "ghcr.io");
    assert.equal(runtime?.name, "acme/runtime");
    assert.equal(runtime?.tag, "1.2");
    assert.equal(runtime?.digest, "sha256:abc");
    assert.equal(model.stages[0]?.base.tag, "22-bookworm");
    assert.equal(model.globalArgs.get("NODE_VERSION"), "22");
  });

  it("gives instructions 1-based lines spanning continuations and exact offsets", () => {
    const run = model.stages[0]?.instructions.find((instruction) => instruction.keyword === "RUN") as RunInstruction;
    assert.equal(run.span.start.line, 8);
    assert.equal(run.span.end.line, 10);
    assert.equal(multiStage.slice(run.span.start.offset, run.span.start.offset + 3), "RUN");
    assert.equal(multiStage.slice(run.span.end.offset - 6, run.span.end.offset), "npm ci");
  });

  it("parses --mount flags into options", () => {
    const run = model.stages[0]?.instructions.find((instruction) => instruction.keyword === "RUN") as RunInstruction;
    assert.deepEqual(run.mounts, [
      { type: "cache", target: "/root/.npm", sharing: "locked", options: { type: "cache", target: "/root/.npm", sharing: "locked" } },
      { type: "bind", source: ".npmrc", target: "/app/.npmrc", options: { type: "bind", source: ".npmrc", target: "/app/.npmrc" } },
    ]);
    assert.equal(run.script, "npm ci");
    assert.deepEqual(run.shell.commands.map((command) => command.argv), [["npm", "ci"]]);
  });

  it("reads COPY sources, destination and --from/--chown", () => {
    const copy = model.stages[2]?.instructions[0] as CopyInstruction;
    assert.equal(copy.keyword, "COPY");
    assert.equal(copy.from, "build");
    assert.equal(copy.chown, "node:node");
    assert.deepEqual(copy.sources, ["/app/dist"]);
    assert.equal(copy.destination, "/app");
  });

  it("distinguishes exec and shell form CMD", () => {
    const cmd = model.stages[2]?.instructions.at(-1) as CommandInstruction;
    assert.equal(cmd.form, "exec");
    assert.deepEqual(cmd.command, ["node", "/app/server.js"]);
    const shellForm = parseDockerfile("FROM x\nCMD node server.js --port 80\n").stages[0]?.instructions[0] as CommandInstruction;
    assert.equal(shellForm.form, "shell");
    assert.deepEqual(shellForm.command, ["node", "server.js", "--port", "80"]);
    const brokenJson = parseDockerfile("FROM x\nCMD [node, server.js]\n").stages[0]?.instructions[0] as CommandInstruction;
    assert.equal(brokenJson.form, "shell", "invalid JSON is shell form, as Docker treats it");
  });

  it("knows the final stage and the stages it builds on", () => {
    assert.equal(finalStage(model)?.name, "runtime");
    assert.deepEqual(runtimeStages(model).map((stage) => stage.name), ["runtime"]);
    const chained = parseDockerfile("FROM node:22 AS base\nRUN a\nFROM base\nRUN b\n");
    assert.deepEqual(runtimeStages(chained).map((stage) => stage.index), [0, 1]);
  });

  it("reads ENV/ARG/LABEL pairs with quotes", () => {
    const env = parseDockerfile('FROM x\nENV A=1 B="two words" C\n').stages[0]?.instructions[0] as KeyValueInstruction;
    assert.deepEqual(env.pairs, [
      { key: "A", value: "1" },
      { key: "B", value: "two words" },
      { key: "C", value: undefined },
    ]);
  });

  it("drops comment lines inside continuations, as Docker does", () => {
    const model2 = parseDockerfile("FROM x\nRUN apt-get update \\\n  # install tools\n  && apt-get install -y curl\n");
    const run = model2.stages[0]?.instructions[0] as RunInstruction;
    assert.deepEqual(run.shell.commands.map((command) => command.argv.join(" ")), ["apt-get update", "apt-get install -y curl"]);
  });

  it("parses fragments without FROM and instructions under ONBUILD", () => {
    const fragment = parseDockerfile("RUN npm ci\nCOPY . .\n");
    assert.equal(fragment.stages.length, 0);
    assert.equal(fragment.instructions.length, 2);
    const onbuild = parseDockerfile("FROM x\nONBUILD RUN npm ci\n").stages[0]?.instructions[0] as RunInstruction;
    assert.equal(onbuild.keyword, "RUN");
    assert.equal(onbuild.onbuild, true);
    assert.deepEqual(onbuild.shell.commands[0]?.argv, ["npm", "ci"]);
  });

  it("reads heredocs and parses their script", () => {
    const model2 = parseDockerfile("FROM x\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n");
    const run = model2.stages[0]?.instructions[0] as RunInstruction;
    assert.equal(run.heredocs.length, 1);
    assert.equal(run.heredocs[0]?.name, "EOF");
    assert.deepEqual(run.shell.commands.map((command) => command.name), ["apt-get", "apt-get"]);
  });

  it("keeps unresolved ARGs visible", () => {
    const model2 = parseDockerfile("ARG BASE\nFROM ${BASE}:1\n");
    assert.equal(model2.stages[0]?.base.unresolved, true);
    const withDefault = parseDockerfile("FROM ${BASE:-debian}:12\n");
    assert.equal(withDefault.stages[0]?.base.resolved, "debian:12");
  });

  it("respects the escape directive for continuations", () => {
    const model2 = parseDockerfile("# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN echo a `\n  && echo b\n");
    const run = model2.stages[0]?.instructions[0] as RunInstruction;
    assert.equal(model2.escapeChar, "`");
    assert.deepEqual(run.shell.commands.map((command) => command.argv.join(" ")), ["echo a", "echo b"]);
  });

  it("reads several declarations in one ARG", () => {
    const model2 = parseDockerfile('ARG A B=2 C="x y"\nFROM img:${B}\n');
    const arg = model2.instructions[0] as KeyValueInstruction;
    assert.deepEqual(arg.pairs.map((pair) => [pair.key, pair.value]), [["A", undefined], ["B", "2"], ["C", "x y"]]);
    assert.equal(model2.stages[0]?.base.resolved, "img:2");
  });

  it("treats leading comments that are not BuildKit directives as comments", () => {
    const model2 = parseDockerfile("# hadolint global ignore=DL3008\n# syntax=docker/dockerfile:1\nFROM x\n");
    assert.deepEqual(model2.directives.map((directive) => directive.name), ["syntax"]);
    assert.equal(model2.comments[0]?.text, "hadolint global ignore=DL3008");
  });
});
