import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareConfig, envMap, normalizeSignal, resolveUser } from "../../src/verify/config-diff.ts";
import { runtimeConfig } from "./runtime-config.ts";

const subjects = (list: { subject: string; severity: string }[]) => list.map((difference) => `${difference.severity}:${difference.subject}`);

describe("config comparison", () => {
  it("finds nothing between identical configs, or configs the engine treats alike", () => {
    assert.deepEqual(compareConfig(runtimeConfig(), runtimeConfig()), []);
    const spelledDifferently = runtimeConfig({
      env: ["NODE_ENV=production", "PATH=/usr/local/bin:/usr/bin:/bin", "NODE_ENV=production"],
      workingDir: "/app/",
      exposedPorts: ["3000"],
      stopSignal: "15",
      entrypoint: [],
      healthcheck: { test: ["NONE"] },
    });
    assert.deepEqual(compareConfig(runtimeConfig(), spelledDifferently), []);
  });

  it("reports each changed setting with its values", () => {
    const after = runtimeConfig({
      entrypoint: ["/usr/bin/tini", "--"],
      cmd: ["node", "dist/server.js"],
      workingDir: "/srv",
      exposedPorts: ["8080/tcp"],
      volumes: ["/data"],
      healthcheck: { test: ["CMD", "curl", "-f", "http://localhost:3000/"], interval: 30000 },
      stopSignal: "SIGINT",
    });
    const differences = compareConfig(runtimeConfig(), after);
    assert.deepEqual(subjects(differences), [
      "difference:Entrypoint",
      "difference:Cmd",
      "difference:WorkingDir",
      "difference:ExposedPorts 3000/tcp",
      "difference:ExposedPorts 8080/tcp",
      "difference:Volumes /data",
      "difference:Healthcheck",
      "difference:StopSignal",
    ]);
    const cmd = differences.find((difference) => difference.subject === "Cmd");
    assert.equal(cmd?.before, '["node","server.js"]');
    assert.equal(cmd?.after, '["node","dist/server.js"]');
    assert.equal(differences.find((difference) => difference.subject === "StopSignal")?.before, "SIGTERM");
  });

  it("the same command split differently between Entrypoint and Cmd is one difference, explained", () => {
    const differences = compareConfig(runtimeConfig(), runtimeConfig({ entrypoint: ["node"], cmd: ["server.js"] }));
    assert.deepEqual(subjects(differences), ["difference:Entrypoint/Cmd"]);
    assert.equal(differences[0]?.after, 'Entrypoint ["node"], Cmd ["server.js"]');
    assert.match(differences[0]?.message ?? "", /same command runs by default \(\["node","server.js"\]\)/);
  });

  it("compares Env as a map: added, removed and changed keys", () => {
    const after = runtimeConfig({ env: ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_ENV=development", "DEBUG=1"] });
    const before = runtimeConfig({ env: ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_ENV=production", "TZ=UTC"] });
    const differences = compareConfig(before, after);
    assert.deepEqual(subjects(differences), ["difference:Env.DEBUG", "difference:Env.NODE_ENV", "difference:Env.TZ"]);
    assert.deepEqual(
      differences.map((difference) => [difference.before, difference.after]),
      [
        [undefined, "1"],
        ["production", "development"],
        ["UTC", undefined],
      ],
    );
  });

  it("a PATH change is a note when every command resolves alike, a difference otherwise", () => {
    const after = runtimeConfig({ env: ["PATH=/usr/bin:/bin", "NODE_ENV=production"] });
    assert.deepEqual(subjects(compareConfig(runtimeConfig(), after, { commandsResolveAlike: true })), ["note:Env.PATH"]);
    assert.deepEqual(subjects(compareConfig(runtimeConfig(), after, { commandsResolveAlike: false })), ["difference:Env.PATH"]);
    assert.deepEqual(subjects(compareConfig(runtimeConfig(), after)), ["difference:Env.PATH"], "unknown resolution is not assumed harmless");
    const unset = compareConfig(runtimeConfig(), runtimeConfig({ env: ["NODE_ENV=production"] }), { commandsResolveAlike: true });
    assert.equal(unset[0]?.after, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "an unset PATH is Docker's default");
  });

  it("a different User is a difference, with what it means; the same identity spelled differently is a note", () => {
    const root = { uid: 0, gid: 0 };
    const node = { uid: 1000, gid: 1000 };
    const toNonRoot = compareConfig(runtimeConfig(), runtimeConfig({ user: "node" }), { beforeUser: root, afterUser: node });
    assert.deepEqual(subjects(toNonRoot), ["difference:User"]);
    assert.match(toNonRoot[0]?.message ?? "", /non-root.*ports below 1024/);
    const toRoot = compareConfig(runtimeConfig({ user: "node" }), runtimeConfig({ user: "" }), { beforeUser: node, afterUser: root });
    assert.match(toRoot[0]?.message ?? "", /security regression/);
    assert.deepEqual(subjects(compareConfig(runtimeConfig({ user: "root" }), runtimeConfig({ user: "0:0" }), { beforeUser: root, afterUser: root })), ["note:User"]);
    const unknown = compareConfig(runtimeConfig({ user: "app" }), runtimeConfig({ user: "app" }), { beforeUser: node, afterUser: { error: "unable to find user app: no matching entries in passwd file" } });
    assert.deepEqual(subjects(unknown), ["difference:User"], "an unresolvable user fails docker run even when unchanged");
  });
});

describe("config helpers", () => {
  it("parses Env lines: first = splits, later duplicates win, bare names are empty", () => {
    assert.deepEqual([...envMap(["A=1=2", "B", "A=3"])], [["A", "3"], ["B", ""]]);
  });

  it("normalises stop signals", () => {
    assert.deepEqual(["", "15", "TERM", "sigterm", "SIGQUIT", "3", "40"].map(normalizeSignal), ["SIGTERM", "SIGTERM", "SIGTERM", "SIGTERM", "SIGQUIT", "SIGQUIT", "signal 40"]);
  });

  it("resolves USER values through passwd and group", () => {
    const passwd = "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1001::/home/node:/bin/sh\n";
    const group = "root:x:0:\nstaff:x:50:\n";
    assert.deepEqual(resolveUser("", passwd, group), { uid: 0, gid: 0 });
    assert.deepEqual(resolveUser("node", passwd, group), { uid: 1000, gid: 1001 });
    assert.deepEqual(resolveUser("node:staff", passwd, group), { uid: 1000, gid: 50 });
    assert.deepEqual(resolveUser("4242", passwd, group), { uid: 4242, gid: 0 });
    assert.deepEqual(resolveUser("1000:7", undefined, undefined), { uid: 1000, gid: 7 });
    assert.match((resolveUser("app", passwd, group) as { error: string }).error, /unable to find user app/);
    assert.match((resolveUser("node:wheel", passwd, group) as { error: string }).error, /unable to find group wheel/);
  });
});
