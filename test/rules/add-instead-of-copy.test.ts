import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "add-instead-of-copy";

describe(id, () => {
  it("flags ADD of plain local files and directories, not archives, URLs or variables", () => {
    const dockerfile = [
      "FROM debian",
      "ADD app.py /app/",
      "ADD . /src",
      "ADD rootfs.tar.xz /",
      "ADD https://example.com/tool.sh /usr/local/bin/tool",
      "ADD git@github.com:acme/lib.git /lib",
      "ADD ${ARTIFACT} /opt/",
      "ADD data.json.gz /data/",
      "COPY app.py /app/",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3]);
  });

  it("says ADD does not extract zip files", () => {
    const [finding] = findingsOf("FROM debian\nADD dist.zip /opt/\n", id);
    assert.match(finding?.message ?? "", /ADD does not extract dist\.zip/);
  });

  it("reports mixed sources but fixes only when every source is plain", () => {
    const findings = findingsOf("FROM debian\nADD config.yml vendor.tar.gz /opt/\nADD --chown=app:app config.yml run.sh /opt/\n", id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3]);
    assert.equal(findings[0]?.fix, undefined);
    assert.ok(findings[1]?.fix);
  });

  it("fixes the keyword only, keeping flags, case and ONBUILD", () => {
    const dockerfile = "FROM debian\nADD --chown=1000 [\"a b.txt\", \"/app/\"]\nonbuild add . /src\n";
    const fixed = applyEdits(dockerfile, findingsOf(dockerfile, id).flatMap((finding) => finding.fix ?? []));
    assert.equal(fixed, "FROM debian\nCOPY --chown=1000 [\"a b.txt\", \"/app/\"]\nonbuild copy . /src\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("does not fix when an ADD-only flag is used", () => {
    assert.equal(findingsOf("FROM debian\nADD --keep-git-dir=true src /src\n", id)[0]?.fix, undefined);
  });

  it("honours # hadolint ignore=DL3020", () => {
    assert.deepEqual(linesOf("FROM debian\n# hadolint ignore=DL3020\nADD app.py /app/\n", id), []);
  });
});
