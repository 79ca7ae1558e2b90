import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "add-remote-url";

describe(id, () => {
  it("flags ADD of a URL without --checksum, in every stage", () => {
    const dockerfile = [
      "FROM debian AS build",
      "ADD https://example.com/tool.tar.gz /tmp/",
      "FROM debian",
      "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /tmp/",
      "ADD http://example.com/run.sh /usr/local/bin/run.sh",
      "ADD ${URL} /tmp/",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 5]);
    assert.match(findings[0]?.message ?? "", /remote archives are not extracted/);
    assert.match(findings[0]?.message ?? "", /sha256sum -c/);
  });

  it("explains which frontend --checksum needs", () => {
    const unpinned = findingsOf("FROM debian\nADD https://example.com/a.bin /a\n", id)[0]?.message ?? "";
    assert.match(unpinned, /needs Dockerfile frontend 1\.6\+: add `# syntax=docker\/dockerfile:1`/);
    const old = findingsOf("# syntax=docker/dockerfile:1.4\nFROM debian\nADD https://example.com/a.bin /a\n", id)[0]?.message ?? "";
    assert.match(old, /your # syntax line pins docker\/dockerfile:1\.4/);
    const recent = findingsOf("# syntax=docker/dockerfile:1\nFROM debian\nADD https://example.com/a.bin /a\n", id)[0]?.message ?? "";
    assert.match(recent, /supported by your # syntax frontend/);
  });

  it("flags implicit extraction of local tar archives, except when building a base image FROM scratch", () => {
    const dockerfile = ["FROM scratch", "ADD rootfs.tar.xz /", "FROM debian", "ADD vendor.tgz /opt/", "ADD --unpack=true app.tar.gz /opt/", "ADD notes.txt /opt/", "ADD data.json.gz /opt/"].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [4]);
    assert.match(findings[0]?.message ?? "", /extracts the local tar archive into \/opt\/ implicitly/);
  });

  it("ignores git sources and COPY", () => {
    assert.deepEqual(linesOf("FROM debian\nADD https://github.com/acme/lib.git#v1.2.0 /lib\nCOPY https.txt /x\n", id), []);
  });
});
