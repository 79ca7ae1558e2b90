// Argument handling of `shipshape verify` (everything refused before an engine is asked).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { verifyMetricsRecord } from "../../src/cli/verify-command.ts";

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
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(args);
      assert.equal(code, 2, args.join(" "));
      assert.match(stderr, message, args.join(" "));
    }
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
