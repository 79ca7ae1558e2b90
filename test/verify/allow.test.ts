// `--allow CLASS`: which settings differences each class accepts, on the differences compareConfig
// really produces for synthetic image configs, and what it never accepts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ALLOW_CLASSES, AllowClassError, applyAllowed, parseAllowClass } from "../../src/verify/allow.ts";
import type { AllowClass } from "../../src/verify/allow.ts";
import type { RuntimeConfig } from "../../src/verify/config-diff.ts";
import { compareConfig } from "../../src/verify/config-diff.ts";
import type { Difference } from "../../src/verify/result.ts";
import { countDifferences, isEquivalent } from "../../src/verify/result.ts";
import { runtimeConfig } from "./runtime-config.ts";

const classes = (...texts: string[]): AllowClass[] => texts.map(parseAllowClass);

/** compareConfig's differences, then the classes applied: subject -> severity (and the class). */
function verdicts(before: RuntimeConfig, after: RuntimeConfig, allow: AllowClass[], facts: Parameters<typeof compareConfig>[2] = {}): Record<string, string> {
  const marked = applyAllowed(compareConfig(before, after, facts), allow, before, after);
  return Object.fromEntries(marked.map((difference) => [difference.subject, difference.severity === "allowed" ? `allowed by ${difference.allowedBy}` : difference.severity]));
}

// A reviewed rewrite: shell-form CMD to exec form, root to node, NODE_ENV set, another directory.
const ORIGINAL = runtimeConfig({ cmd: ["/bin/sh", "-c", "node server.js"], env: ["PATH=/usr/bin:/bin"], user: "" });
const REWRITE = runtimeConfig({ cmd: ["node", "server.js"], env: ["PATH=/usr/bin:/bin", "NODE_ENV=production"], user: "node", workingDir: "/srv" });
const IDS = { beforeUser: { uid: 0, gid: 0 }, afterUser: { uid: 1000, gid: 1000 } };

describe("verify --allow classes", () => {
  it("parses every documented class, env:KEY and `env KEY`; an unknown one is an error listing the valid classes", () => {
    for (const name of Object.keys(ALLOW_CLASSES)) assert.doesNotThrow(() => parseAllowClass(name === "env:KEY" ? "env:NODE_ENV" : name), name);
    assert.deepEqual(parseAllowClass("env:NODE_ENV"), { name: "env", key: "NODE_ENV" });
    assert.deepEqual(parseAllowClass("env NODE_ENV"), { name: "env", key: "NODE_ENV" });
    assert.deepEqual(parseAllowClass("cmd-form"), { name: "cmd-form" });
    assert.throws(() => parseAllowClass("labels"), (error: unknown) => error instanceof AllowClassError && /^unknown difference class "labels": expected one of user, cmd-form, cmd, entrypoint, workdir, env:KEY, env, exposed-ports, volumes, healthcheck, stop-signal$/.test((error as Error).message));
    assert.throws(() => parseAllowClass("env:"), AllowClassError);
  });

  it("nothing allowed: the reviewed rewrite's differences all count", () => {
    assert.deepEqual(verdicts(ORIGINAL, REWRITE, [], IDS), { Cmd: "difference", "Env.NODE_ENV": "difference", WorkingDir: "difference", User: "difference" });
  });

  it("user, cmd-form, workdir and env:NODE_ENV accept exactly those differences; the rest still count", () => {
    assert.deepEqual(verdicts(ORIGINAL, REWRITE, classes("user", "cmd-form", "workdir"), IDS), {
      Cmd: "allowed by cmd-form",
      "Env.NODE_ENV": "difference",
      WorkingDir: "allowed by workdir",
      User: "allowed by user",
    });
    const all = applyAllowed(compareConfig(ORIGINAL, REWRITE, IDS), classes("user", "cmd-form", "workdir", "env NODE_ENV"), ORIGINAL, REWRITE);
    assert.ok(isEquivalent(all));
    assert.equal(countDifferences(all), 0);
    assert.equal(all.length, 4, "allowed differences stay in the list");
  });

  it("cmd-form accepts only the same words in exec form; a different command needs cmd", () => {
    const shellForm = runtimeConfig({ cmd: ["/bin/sh", "-c", "node server.js"] });
    const changed = runtimeConfig({ cmd: ["node", "dist/server.js"] });
    assert.deepEqual(verdicts(shellForm, runtimeConfig(), classes("cmd-form")), { Cmd: "allowed by cmd-form" });
    assert.deepEqual(verdicts(shellForm, changed, classes("cmd-form")), { Cmd: "difference" });
    assert.deepEqual(verdicts(shellForm, changed, classes("cmd")), { Cmd: "allowed by cmd" });
    // A shell feature (a variable) is not plain words: not the same command in exec form.
    const shellVariable = runtimeConfig({ cmd: ["/bin/sh", "-c", "node $APP"] });
    assert.deepEqual(verdicts(shellVariable, runtimeConfig({ cmd: ["node", "$APP"] }), classes("cmd-form")), { Cmd: "difference" });
    // Shell form in the Entrypoint, exec form after.
    const entrypointShell = runtimeConfig({ entrypoint: ["/bin/sh", "-c", "node server.js"], cmd: null });
    assert.deepEqual(verdicts(entrypointShell, runtimeConfig({ entrypoint: ["node", "server.js"], cmd: null }), classes("cmd-form")), { Entrypoint: "allowed by cmd-form" });
  });

  it("entrypoint accepts an Entrypoint change and the same command split differently; cmd does not", () => {
    const split = runtimeConfig({ entrypoint: ["node"], cmd: ["server.js"] });
    assert.deepEqual(verdicts(runtimeConfig(), split, classes("cmd")), { "Entrypoint/Cmd": "difference" });
    assert.deepEqual(verdicts(runtimeConfig(), split, classes("entrypoint")), { "Entrypoint/Cmd": "allowed by entrypoint" });
  });

  it("env:KEY accepts that variable only; env accepts every variable", () => {
    const after = runtimeConfig({ env: ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_ENV=development", "EXTRA=1"] });
    assert.deepEqual(verdicts(runtimeConfig(), after, classes("env:EXTRA")), { "Env.EXTRA": "allowed by env:EXTRA", "Env.NODE_ENV": "difference" });
    assert.deepEqual(verdicts(runtimeConfig(), after, classes("env")), { "Env.EXTRA": "allowed by env", "Env.NODE_ENV": "allowed by env" });
  });

  it("exposed-ports, volumes, healthcheck and stop-signal", () => {
    const after = runtimeConfig({ exposedPorts: ["8080"], volumes: ["/data"], healthcheck: { test: ["CMD", "true"] }, stopSignal: "SIGINT" });
    assert.deepEqual(verdicts(runtimeConfig(), after, classes("exposed-ports", "volumes", "healthcheck", "stop-signal")), {
      "ExposedPorts 3000/tcp": "allowed by exposed-ports",
      "ExposedPorts 8080/tcp": "allowed by exposed-ports",
      "Volumes /data": "allowed by volumes",
      Healthcheck: "allowed by healthcheck",
      StopSignal: "allowed by stop-signal",
    });
  });

  it("never accepts a user AFTER cannot resolve, notes, or anything that is not a setting", () => {
    const unresolved = verdicts(runtimeConfig(), runtimeConfig({ user: "app" }), classes("user"), { beforeUser: { uid: 0, gid: 0 }, afterUser: { error: "unable to find user app" } });
    assert.deepEqual(unresolved, { User: "difference" });
    const others: Difference[] = [
      { kind: "file", severity: "difference", subject: "/app/server.js", message: "missing" },
      { kind: "smoke", severity: "difference", subject: "smoke", message: "exit code" },
      { kind: "config", severity: "note", subject: "User", message: "same identity" },
    ];
    assert.deepEqual(applyAllowed(others, classes("user", "env", "cmd"), runtimeConfig(), runtimeConfig()), others);
  });
});
