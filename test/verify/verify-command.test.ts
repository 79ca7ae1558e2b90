// Argument handling of `shipshape verify` (everything refused before an engine is asked).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { allowClasses, verifyMetricsRecord } from "../../src/cli/verify-command.ts";

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  // An engine that cannot answer: a usage error must be reported before anything tries it.
  const env = { ...process.env, DOCKER_HOST: "unix:///nonexistent/shipshape-test.sock" };
  const code = await runCli(["verify", ...args], { stdout: () => undefined, stderr: (text) => (stderr += text), cwd: process.cwd(), env, isTTY: false });
  return { code, stderr };
}

describe("shipshape verify arguments", () => {
  it("refuses bad usage with exit 2 and says what is wrong", async () => {
    const cases: [string[], RegExp][] = [
      [["only-one"], /two images: BEFORE AFTER/],
      [["a", "b", "--format", "sarif"], /--format must be one of tty, json, markdown/],
      [["a", "b", "--smoke-ignore", "("], /--smoke-ignore "\(":/],
      [["a", "b", "--http", "health"], /PORT\/PATH/],
      [["a", "b", "--http", "3000/a", "--http", "9090/metrics"], /must share one port/],
      [["a", "b", "--smoke", "echo 'open"], /unterminated/],
      [["a", "b", "--ready-timeout", "soon"], /--ready-timeout expects a number of seconds/],
      [["a", "b", "--driver", "podman"], /--driver must be one of/],
      [["a", "b", "--env", "=value"], /--env =value: expected KEY=VALUE/],
      [["a", "b", "--command", ""], /--command needs a program/],
      [["a", "b", "--entrypoint", "sh -c 'open"], /--entrypoint: unterminated/],
      [["a", "b", "--allow", "labels"], /^shipshape: --allow: unknown difference class "labels": expected one of user, cmd-form, cmd, entrypoint, workdir, env:KEY, env, exposed-ports, volumes, healthcheck, stop-signal\n$/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(args);
      assert.equal(code, 2, args.join(" "));
      assert.match(stderr, message, args.join(" "));
    }
  });

  it("reads verify.allow from the config file: an unknown class there is a config error naming the file and entry", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-verify-allow-"));
    try {
      const config = path.join(dir, "shipshape.config.yaml");
      fs.writeFileSync(config, "verify:\n  allow: [user, cmd-shape]\n");
      const { code, stderr } = await cli(["a", "b", "--config", config]);
      assert.equal(code, 2);
      assert.match(stderr, /shipshape\.config\.yaml: invalid config at verify\.allow\.1: unknown difference class "cmd-shape": expected one of user, cmd-form/);
      // Valid classes pass the arguments; only the missing engine stops it then.
      fs.writeFileSync(config, "verify:\n  allow: [user, 'env NODE_ENV']\n");
      const valid = await cli(["a", "b", "--config", config, "--allow", "cmd-form", "--driver", "api"]);
      assert.match(valid.stderr, /no Docker Engine answers/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parses --allow and the config's classes together, the config's first", () => {
    assert.deepEqual(allowClasses(["env:NODE_ENV"], ["user"], "x.yaml"), [{ name: "user" }, { name: "env", key: "NODE_ENV" }]);
  });

  it("without an engine: exit 2 with the engine's address", async () => {
    const { code, stderr } = await cli(["a", "b", "--driver", "api"]);
    assert.equal(code, 2);
    assert.match(stderr, /no Docker Engine answers at unix:\/\/\/nonexistent\/shipshape-test\.sock/);
  });

  it("records the verdict and the number of differences (notes not counted)", () => {
    const record = verifyMetricsRecord({
      before: { reference: "api:old", id: "sha256:1" },
      after: { reference: "api:new", id: "sha256:2" },
      equivalent: false,
      checks: [],
      differences: [
        { kind: "config", severity: "difference", subject: "Cmd", message: "" },
        { kind: "config", severity: "note", subject: "User", message: "" },
        { kind: "file", severity: "difference", subject: "/app/x", message: "" },
      ],
      ignored: [],
    });
    assert.deepEqual(record, { kind: "verify", image: "api:new", scenario: "vs api:old", metrics: { equivalent: 0, differences: 2 } });
  });
});
