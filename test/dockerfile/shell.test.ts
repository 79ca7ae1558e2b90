import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseShell } from "../../src/dockerfile/shell.ts";

const argvs = (source: string): string[][] => parseShell(source).commands.map((command) => command.argv);

describe("parseShell", () => {
  it("splits &&, ||, ; and newlines into simple commands with literal argv", () => {
    assert.deepEqual(argvs(`apt-get update && apt-get install -y "a b" 'c' || true; echo done`), [
      ["apt-get", "update"],
      ["apt-get", "install", "-y", "a b", "c"],
      ["true"],
      ["echo", "done"],
    ]);
  });

  it("groups pipelines", () => {
    const { commands, setsPipefail } = parseShell("curl -fsSL https://x.sh | sh");
    assert.equal(setsPipefail, false);
    assert.deepEqual(commands.map((command) => [command.name, command.pipeline, command.pipelineIndex, command.pipelineLength]), [
      ["curl", 0, 0, 2],
      ["sh", 0, 1, 2],
    ]);
    assert.equal(parseShell("set -o pipefail && a | b").setsPipefail, true);
    assert.equal(parseShell("set -euxo pipefail; a | b").setsPipefail, true);
  });

  it("enters subshells, blocks, if/for/while/case and command substitutions", () => {
    const names = parseShell("(cd /src && make) ; { a; } ; if [ -f x ]; then b; else c; fi; for i in 1 2; do d; done; while false; do e; done; case $x in y) f;; esac; X=$(g h)")
      .commands.map((command) => command.name);
    assert.deepEqual(names, ["cd", "make", "a", "[", "b", "c", "d", "false", "e", "f", "g", ""]);
  });

  it("unwraps sudo, env and exec to the command that runs", () => {
    const [sudo, env] = parseShell("sudo -u app apt-get install -y x; env DEBIAN_FRONTEND=noninteractive apt-get update").commands;
    assert.equal(sudo?.name, "apt-get");
    assert.equal(sudo?.sudo, true);
    assert.deepEqual(sudo?.args, ["install", "-y", "x"]);
    assert.equal(env?.name, "apt-get");
    assert.deepEqual(env?.assignments, ["DEBIAN_FRONTEND=noninteractive"]);
  });

  it("parses sh -c strings as scripts of their own", () => {
    const commands = parseShell(`sh -c 'npm ci && npm run build'`).commands;
    assert.deepEqual(commands.map((command) => [command.name, command.viaShellString]), [
      ["sh", false],
      ["npm", true],
      ["npm", true],
    ]);
  });

  it("keeps expansions as written and strips paths from the command name", () => {
    const [command] = parseShell("/usr/bin/pip install --target=$TARGET ${PKG}x").commands;
    assert.equal(command?.name, "pip");
    assert.deepEqual(command?.args, ["install", "--target=$TARGET", "${PKG}x"]);
  });

  it("reports parse errors and still finds the obvious commands", () => {
    const script = parseShell("apt-get update && echo 'unterminated");
    assert.match(script.parseError ?? "", /quote/);
    assert.equal(script.commands[0]?.name, "apt-get");
  });
});
