import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RuntimeConfig } from "../../src/verify/config-diff.ts";
import { compareExecutables, compareNativeAddons, ldSoConfDirs, loadClosure, namedCommands, overriddenArgv, resolveProgram } from "../../src/verify/executables.ts";
import type { Resolved } from "../../src/verify/filesystem.ts";
import type { FixtureEntry } from "./fs-fixture.ts";
import { DEBIAN_BASE, filesystem } from "./fs-fixture.ts";

const LOADER = "/lib64/ld-linux-x86-64.so.2";
const PATH_ENV = ["PATH=/usr/local/bin:/usr/bin:/bin"];
const COMPOSE = "Compose's command" as const;

function config(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return { entrypoint: null, cmd: ["node", "server.js"], env: PATH_ENV, workingDir: "/app", user: "", exposedPorts: [], volumes: [], healthcheck: null, stopSignal: "", ...overrides };
}

/** Node from the official tarball: /usr/local/bin/node needs libstdc++ (from /usr/lib/x86_64-linux-gnu) and libc. */
const NODE_IMAGE: Record<string, FixtureEntry> = {
  ...DEBIAN_BASE,
  "/usr/local/bin/node": { elf: { type: 3, interpreter: LOADER, needed: ["libstdc++.so.6", "libc.so.6"] } },
  "/usr/lib/x86_64-linux-gnu/libstdc++.so.6": { link: "libstdc++.so.6.0.30" },
  "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30": { elf: { soname: "libstdc++.so.6", needed: ["libm.so.6", "libc.so.6"] }, mode: 0o644 },
  "/usr/lib/x86_64-linux-gnu/libm.so.6": { elf: { soname: "libm.so.6", needed: ["libc.so.6"] }, mode: 0o644 },
  "/app/server.js": "js",
};

function without(entries: Record<string, FixtureEntry>, ...paths: string[]): Record<string, FixtureEntry> {
  return Object.fromEntries(Object.entries(entries).filter(([path]) => !paths.includes(path)));
}

describe("commands named by the config", () => {
  it("takes Entrypoint + Cmd's program, the commands of a shell -c script, and the Healthcheck's", () => {
    const names = namedCommands(
      config({
        entrypoint: ["/bin/sh", "-c"],
        cmd: ["cd /app && exec node server.js | tee /tmp/log"],
        healthcheck: { test: ["CMD-SHELL", "curl -f http://localhost:3000/ || exit 1"] },
      }),
    );
    assert.deepEqual(
      names.map((command) => `${command.source}: ${command.name}`),
      ["Entrypoint/Cmd: /bin/sh", "Entrypoint/Cmd: node", "Entrypoint/Cmd: tee", "Healthcheck: /bin/sh", "Healthcheck: curl"],
    );
    assert.deepEqual(namedCommands(config({ cmd: ["node"], healthcheck: { test: ["CMD", "/app/check", "--quick"] } })).map((command) => command.name), ["node", "/app/check"]);
    assert.deepEqual(namedCommands(config({ cmd: ["sh", "-c", "$APP_BIN --serve"] })).map((command) => command.name), ["sh"], "a program from a variable cannot be looked up");
  });

  it("compose's command replaces Cmd; its entrypoint replaces Entrypoint and, given alone, clears Cmd", () => {
    const image = config({ entrypoint: ["/usr/bin/tini", "--"], cmd: ["node", "server.js"] });
    assert.deepEqual(overriddenArgv(image, { source: COMPOSE, command: ["npm", "start"] }), ["/usr/bin/tini", "--", "npm", "start"]);
    assert.deepEqual(overriddenArgv(image, { source: COMPOSE, entrypoint: ["sh", "-c", "exec node worker.js"] }), ["sh", "-c", "exec node worker.js"]);
    assert.deepEqual(overriddenArgv(image, { source: COMPOSE, entrypoint: ["python"], command: ["app.py"] }), ["python", "app.py"]);
    const names = namedCommands(config(), { source: COMPOSE, command: ["sh", "-c", "until nc -z db 5432; do sleep 1; done; npm start"] });
    assert.deepEqual(
      names.map((command) => `${command.source}: ${command.name}`),
      ["Entrypoint/Cmd: node", "Compose's command: sh", "Compose's command: nc", "Compose's command: sleep", "Compose's command: npm"],
    );
  });

  it("looks through init shims and user switchers to the command they run", () => {
    const names = (entrypoint: string[], cmd: string[]) => namedCommands(config({ entrypoint, cmd })).map((command) => command.name);
    assert.deepEqual(names(["/usr/bin/tini", "--"], ["node", "server.js"]), ["/usr/bin/tini", "node"]);
    assert.deepEqual(names(["tini", "-s", "-e", "143"], ["node", "server.js"]), ["tini", "node"]);
    assert.deepEqual(names(["dumb-init"], ["gosu", "app", "env", "NODE_ENV=production", "node", "server.js"]), ["dumb-init", "gosu", "env", "node"]);
    assert.deepEqual(names([], ["nice", "node"]), ["nice"], "not a known wrapper: its arguments are not guessed at");
  });
});

describe("program resolution and loading", () => {
  it("finds a bare name through the image's PATH, a path from the working directory, following symlinks", () => {
    const fs = filesystem(NODE_IMAGE, { "/app/bin/start": { mode: 0o755, shebang: "/bin/sh" } });
    assert.equal(resolveProgram(fs, "node", PATH_ENV, "/app")?.path, "/usr/local/bin/node");
    assert.equal(resolveProgram(fs, "sh", PATH_ENV, "/app")?.path, "/usr/bin/dash");
    assert.equal(resolveProgram(fs, "node", ["PATH=/usr/bin"], "/app"), undefined, "not on that PATH");
    assert.equal(resolveProgram(fs, "./bin/start", PATH_ENV, "/app")?.path, "/app/bin/start");
    assert.equal(resolveProgram(fs, "/app", PATH_ENV, "/"), undefined, "a directory is not a program");
  });

  it("reads ld.so.conf with its include globs", () => {
    assert.deepEqual(ldSoConfDirs(filesystem(DEBIAN_BASE)), ["/usr/local/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]);
  });

  it("follows the loader and DT_NEEDED transitively", () => {
    const fs = filesystem(NODE_IMAGE);
    const node = resolveProgram(fs, "node", PATH_ENV, "/app") as Resolved;
    const report = loadClosure(fs, node, PATH_ENV, "/app");
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.loaded, [
      "/usr/local/bin/node",
      "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
      "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30",
      "/usr/lib/x86_64-linux-gnu/libc.so.6",
      "/usr/lib/x86_64-linux-gnu/libm.so.6",
    ]);
  });

  it("reports a missing library, a missing loader, and a script's missing interpreter", () => {
    const noLibm = filesystem(without(NODE_IMAGE, "/usr/lib/x86_64-linux-gnu/libm.so.6"));
    const report = loadClosure(noLibm, resolveProgram(noLibm, "node", PATH_ENV, "/app") as Resolved, PATH_ENV, "/app");
    assert.deepEqual(report.problems, [{ name: "libm.so.6", neededBy: "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", what: "library" }]);

    const noLoader = filesystem(without(NODE_IMAGE, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
    assert.deepEqual(loadClosure(noLoader, resolveProgram(noLoader, "node", PATH_ENV, "/app") as Resolved, PATH_ENV, "/app").problems[0], { name: LOADER, neededBy: "/usr/local/bin/node", what: "interpreter" });

    const script = filesystem(without(NODE_IMAGE, "/usr/local/bin/node"), { "/app/cli.js": { mode: 0o755, shebang: "/usr/bin/env node" } });
    assert.deepEqual(loadClosure(script, resolveProgram(script, "./cli.js", PATH_ENV, "/app") as Resolved, PATH_ENV, "/app").problems, [{ name: "node", neededBy: "/app/cli.js", what: "interpreter" }]);
  });

  it("searches DT_RUNPATH with $ORIGIN and LD_LIBRARY_PATH", () => {
    const fs = filesystem(DEBIAN_BASE, {
      "/opt/tool/bin/tool": { elf: { type: 3, interpreter: LOADER, needed: ["libtool.so.1", "libextra.so.2", "libc.so.6"], runpath: "$ORIGIN/../lib" } },
      "/opt/tool/lib/libtool.so.1": { elf: { soname: "libtool.so.1" }, mode: 0o644 },
      "/opt/extra/libextra.so.2": { elf: { soname: "libextra.so.2" }, mode: 0o644 },
      "/opt/i386/libextra.so.2": { elf: { bits: 32, machine: 3, soname: "libextra.so.2" }, mode: 0o644 },
    });
    const tool = fs.resolve("/opt/tool/bin/tool") as Resolved;
    assert.deepEqual(loadClosure(fs, tool, PATH_ENV, "/").problems.map((problem) => problem.name), ["libextra.so.2"]);
    assert.deepEqual(loadClosure(fs, tool, ["LD_LIBRARY_PATH=/opt/i386:/opt/extra"], "/").problems, [], "the 32-bit copy is skipped, the 64-bit one found");
  });
});

describe("executables comparison", () => {
  it("passes when AFTER runs the same program with everything it loads", () => {
    const result = compareExecutables({ filesystem: filesystem(NODE_IMAGE), config: config() }, { filesystem: filesystem(NODE_IMAGE), config: config() });
    assert.deepEqual(result.differences, []);
    assert.equal(result.commandsResolveAlike, true);
    assert.equal(result.commands, 1);
    assert.equal(result.loaded, 5);
  });

  it("reports a program AFTER does not have, and a library AFTER lost", () => {
    const noNode = compareExecutables({ filesystem: filesystem(NODE_IMAGE), config: config() }, { filesystem: filesystem(without(NODE_IMAGE, "/usr/local/bin/node")), config: config() });
    assert.deepEqual(noNode.differences.map((difference) => [difference.kind, difference.severity, difference.subject, difference.before, difference.after]), [["executable", "difference", "node", "/usr/local/bin/node", "(not found)"]]);
    assert.equal(noNode.commandsResolveAlike, false);

    const slim = without(NODE_IMAGE, "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30");
    const noLibstdcxx = compareExecutables({ filesystem: filesystem(NODE_IMAGE), config: config() }, { filesystem: filesystem(slim), config: config() });
    assert.deepEqual(noLibstdcxx.differences.map((difference) => [difference.kind, difference.severity, difference.subject, difference.before]), [["library", "difference", "libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30"]]);
    assert.match(noLibstdcxx.differences[0]?.message ?? "", /needed by \/usr\/local\/bin\/node/);
  });

  it("a program neither image has is a note; a different file or a lost exec bit is a difference", () => {
    const both = compareExecutables({ filesystem: filesystem(NODE_IMAGE), config: config({ cmd: ["missing-tool"] }) }, { filesystem: filesystem(NODE_IMAGE), config: config({ cmd: ["missing-tool"] }) });
    assert.deepEqual(both.differences.map((difference) => difference.severity), ["note"]);

    const moved = { ...without(NODE_IMAGE, "/usr/local/bin/node"), "/usr/bin/node": NODE_IMAGE["/usr/local/bin/node"] as FixtureEntry };
    const relocated = compareExecutables({ filesystem: filesystem(NODE_IMAGE), config: config() }, { filesystem: filesystem(moved), config: config() });
    assert.deepEqual(relocated.differences.map((difference) => [difference.subject, difference.before, difference.after]), [["node", "/usr/local/bin/node", "/usr/bin/node"]]);

    const notExecutable = compareExecutables(
      { filesystem: filesystem(NODE_IMAGE, { "/app/run.sh": { mode: 0o755, shebang: "/bin/sh" } }), config: config({ cmd: ["./run.sh"] }) },
      { filesystem: filesystem(NODE_IMAGE, { "/app/run.sh": { mode: 0o644, shebang: "/bin/sh" } }), config: config({ cmd: ["./run.sh"] }) },
    );
    assert.match(notExecutable.differences.map((difference) => difference.message).join(), /not executable/);
  });

  it("checks files named as arguments, from each image's working directory", () => {
    const before = { filesystem: filesystem(NODE_IMAGE, { "/srv/start.js": "js" }), config: config({ workingDir: "/", cmd: ["node", "--enable-source-maps", "srv/start.js", "serve"] }) };
    const kept = compareExecutables(before, { filesystem: filesystem(NODE_IMAGE, { "/srv/start.js": "js" }), config: before.config });
    assert.deepEqual(kept.differences, []);
    const lost = compareExecutables(before, { filesystem: filesystem(NODE_IMAGE), config: before.config });
    assert.deepEqual(lost.differences.map((difference) => [difference.kind, difference.subject, difference.before]), [["file", "srv/start.js", "/srv/start.js"]]);
  });

  it("with compose's command, its programs and file arguments must resolve in AFTER too", () => {
    const shell = { ...NODE_IMAGE, "/app/worker.js": "js" };
    const override = { source: COMPOSE, command: ["sh", "-c", "exec node worker.js"] };
    const same = compareExecutables({ filesystem: filesystem(shell), config: config() }, { filesystem: filesystem(shell), config: config() }, override);
    assert.deepEqual(same.differences, []);
    assert.equal(same.commands, 3, "node from Cmd; sh and node from compose's command");
    // A distroless-like AFTER: node and the app, no shell. The image's own Cmd still works; compose's does not.
    const noShell = without(shell, "/bin/sh", "/usr/bin/dash", "/bin/dash");
    const broken = compareExecutables({ filesystem: filesystem(shell), config: config() }, { filesystem: filesystem(noShell), config: config() }, override);
    assert.deepEqual(broken.differences.map((difference) => [difference.kind, difference.subject, difference.message]), [["executable", "sh", "Compose's command runs sh, which AFTER does not have through PATH."]]);
    // In compose's working_dir: `./worker.js` and `node` are looked up from /srv, not the image's /app.
    const inSrv = { ...NODE_IMAGE, "/srv/worker.js": "js" };
    const elsewhere = compareExecutables({ filesystem: filesystem(inSrv), config: config() }, { filesystem: filesystem({ ...NODE_IMAGE, "/app/worker.js": "js" }), config: config() }, { source: COMPOSE, command: ["node", "worker.js"], workingDir: "/srv" });
    assert.deepEqual(elsewhere.differences.map((difference) => [difference.kind, difference.subject, difference.before]), [["file", "worker.js", "/srv/worker.js"]]);
    const movedFile = compareExecutables({ filesystem: filesystem(shell), config: config() }, { filesystem: filesystem(NODE_IMAGE), config: config() }, { source: "The given command", command: ["node", "worker.js"] });
    assert.deepEqual(movedFile.differences.map((difference) => [difference.kind, difference.subject, difference.message]), [["file", "worker.js", "The given command passes worker.js, a file BEFORE has and AFTER does not."]]);
  });

  it("checks the libraries of native Node addons under the working directory", () => {
    const addon: Record<string, FixtureEntry> = { "/app/node_modules/sharp/build/Release/sharp.node": { elf: { needed: ["libvips-cpp.so.42", "libc.so.6"], runpath: "$ORIGIN/../../vendor/lib" }, mode: 0o644 } };
    const vendored = { ...NODE_IMAGE, ...addon, "/app/node_modules/sharp/vendor/lib/libvips-cpp.so.42": { elf: { soname: "libvips-cpp.so.42" }, mode: 0o644 } } as Record<string, FixtureEntry>;
    const ok = compareNativeAddons({ filesystem: filesystem(vendored), config: config() }, { filesystem: filesystem(vendored), config: config() });
    assert.deepEqual(ok, { differences: [], addons: 1 });
    const broken = compareNativeAddons({ filesystem: filesystem(vendored), config: config() }, { filesystem: filesystem({ ...NODE_IMAGE, ...addon }), config: config() });
    assert.deepEqual(broken.differences.map((difference) => [difference.kind, difference.severity, difference.subject]), [["library", "difference", "libvips-cpp.so.42"]]);
  });
});
