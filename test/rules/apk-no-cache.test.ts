import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apk-no-cache";

describe(id, () => {
  it("flags apk add without --no-cache and apk update, in shipped stages", () => {
    const dockerfile = [
      "FROM alpine:3.20",
      "RUN apk add --update curl",
      "RUN apk add --no-cache git",
      "RUN apk update && apk add --no-cache jq",
      "RUN apk --no-cache add bash",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 4]);
    assert.equal(findingsOf(dockerfile, id)[0]?.estimatedSavingMB, 3);
    assert.match(findingsOf(dockerfile, id)[1]?.message ?? "", /apk update stores/);
  });

  it("accepts removing /var/cache/apk in the same RUN, after the add", () => {
    const dockerfile = [
      "FROM alpine:3.20",
      "RUN apk add --update curl && rm -rf /var/cache/apk/*",
      "RUN apk update && apk add git && rm -rf /var/cache/apk",
      "RUN rm -rf /var/cache/apk/* && apk add --update jq",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [4]);
  });

  it("is silent under a cache mount of /var/cache/apk and in build stages", () => {
    const dockerfile = [
      "FROM alpine:3.20 AS build",
      "RUN apk add --update build-base",
      "FROM alpine:3.20",
      "RUN --mount=type=cache,target=/var/cache/apk ln -s /var/cache/apk /etc/apk/cache && apk add curl",
      "COPY --from=build /out /usr/local/bin/",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("fixes by inserting --no-cache after add", () => {
    const dockerfile = "FROM alpine:3.20\nRUN apk add --update \\\n      curl \\\n      git\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM alpine:3.20\nRUN apk add --no-cache --update \\\n      curl \\\n      git\n");
    assert.deepEqual(linesOf(fixed, id), []);
    assert.equal(findingsOf("FROM alpine\nRUN apk update\n", id)[0]?.fix, undefined);
  });

  it("honours # hadolint ignore=DL3019", () => {
    assert.deepEqual(linesOf("FROM alpine\n# hadolint ignore=DL3019\nRUN apk add --update curl\n", id), []);
  });
});
