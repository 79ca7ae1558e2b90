import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";
import { applyEdits } from "../../src/fix/apply.ts";

const id = "syntax-directive-needs-registry";

describe(id, () => {
  it("flags a docker/dockerfile directive in a file that needs no newer syntax, RUN --mount included", () => {
    const dockerfile = "# syntax=docker/dockerfile:1\nFROM node:22-slim\nRUN --mount=type=cache,target=/root/.npm npm ci\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.equal(finding?.line, 1);
    assert.match(finding?.message ?? "", /# syntax=docker\/dockerfile:1 makes BuildKit look up .* RUN --mount works with the frontend built into Docker Engine 20\.10/);
  });

  it("fixes by deleting the directive line only, and the fixed file is clean", () => {
    const dockerfile = "# syntax=docker.io/docker/dockerfile:1.7\n# escape=\\\nFROM alpine:3.22\n# keep this comment\nRUN echo hi\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "# escape=\\\nFROM alpine:3.22\n# keep this comment\nRUN echo hi\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("accepts the directive when the file uses syntax it guarantees", () => {
    const uses = [
      "RUN <<EOF\necho hi\nEOF",
      "COPY --link app /app",
      "ADD --checksum=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef https://example.com/a.tgz /a.tgz",
      "COPY --exclude=*.md . /app",
      "COPY --parents ./a/b /dst/",
      "RUN --network=none make",
      "RUN --mount=type=secret,id=token,env=TOKEN make",
      "ENV FILE=${NAME%.txt}",
    ];
    for (const use of uses) assert.deepEqual(linesOf(`# syntax=docker/dockerfile:1\nFROM alpine:3.22\n${use}\n`, id), [], use);
  });

  it("ignores labs channels, other frontends, mirrors and files without the directive", () => {
    for (const directive of ["docker/dockerfile:1-labs", "registry.example.com/docker/dockerfile:1", "tonistiigi/dockerfile:custom"]) {
      assert.deepEqual(linesOf(`# syntax=${directive}\nFROM alpine:3.22\n`, id), [], directive);
    }
    assert.deepEqual(linesOf("FROM alpine:3.22\n", id), []);
    assert.deepEqual(linesOf("# syntax=docker/dockerfile:1\n# check=error=true\nFROM alpine:3.22\n", id), []);
  });
});
