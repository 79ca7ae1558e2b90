// No input crashes the scan: unreadable or odd files become per-file errors and the run goes on.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { auditPaths } from "../../src/audit/audit-paths.ts";

function makeRepo(files: Record<string, string | Buffer>): string {
  const root = tempDirectory("shipshape-bad-");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

describe("bad input", () => {
  const junk = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256));
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("FROM node:22\nCMD npm start\n", "utf16le")]);
  const latin1 = Buffer.from("FROM debian:bookworm\n# caf\xe9\nRUN apt-get install -y curl\n", "latin1");
  const root = makeRepo({
    "binary/Dockerfile": junk,
    "utf16/Dockerfile": utf16,
    "latin1/Dockerfile": latin1,
    "truncated/Dockerfile": "FROM node:22\nRUN apt-get update && \\\n  apt-get install -y \\",
    "huge/Dockerfile": Buffer.alloc(5 * 1024 * 1024, 0x41),
    "empty/Dockerfile": "",
    "broken/docker-compose.yml": "services:\n  api: [unclosed\n",
    "notcompose/compose.yaml": "- just\n- a list\n",
    "good/Dockerfile": "FROM node:22\nCMD npm start\n",
  });
  const result = auditPaths([root], { cwd: root });
  const byPath = new Map(result.files.map((file) => [file.path, file]));

  it("reports binary junk, huge files and broken YAML as per-file errors", () => {
    assert.match(byPath.get("binary/Dockerfile")?.error ?? "", /binary/);
    assert.match(byPath.get("huge/Dockerfile")?.error ?? "", /too large/);
    assert.match(byPath.get("broken/docker-compose.yml")?.error ?? "", /invalid YAML/);
    assert.match(byPath.get("notcompose/compose.yaml")?.error ?? "", /not a compose file/);
  });

  it("audits the rest, including odd encodings and truncated files", () => {
    assert.equal(byPath.get("good/Dockerfile")?.error, undefined);
    assert.ok(byPath.get("good/Dockerfile")?.findings.some((finding) => finding.rule === "shell-form-cmd"));
    assert.equal(byPath.get("utf16/Dockerfile")?.error, undefined);
    assert.ok(byPath.get("utf16/Dockerfile")?.findings.some((finding) => finding.rule === "shell-form-cmd"), "UTF-16 file decoded and audited");
    assert.ok(byPath.get("latin1/Dockerfile")?.findings.some((finding) => finding.rule === "apt-no-install-recommends" && finding.line === 3));
    assert.equal(byPath.get("truncated/Dockerfile")?.error, undefined);
    // An empty Dockerfile has no FROM: docker cannot build it, so it is not clean either.
    assert.match(byPath.get("empty/Dockerfile")?.error ?? "", /^no FROM instruction/);
    assert.equal(result.summary.filesWithErrors, 5);
  });
});
