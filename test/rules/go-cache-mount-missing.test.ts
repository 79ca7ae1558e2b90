import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { runFixes } from "../../src/fix/run-fixes.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "go-cache-mount-missing";

function messageOf(files: string | Record<string, string | number>): string {
  return findingsOf(files, id)[0]?.message ?? "";
}

describe(id, () => {
  it("flags go build, install, test and mod download once per RUN", () => {
    const dockerfile = [
      "FROM golang:1.22 AS build",
      "RUN go mod download",
      "RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app && go test ./...",
      "RUN go install github.com/go-delve/delve/cmd/dlv@latest",
      "RUN go vet ./... && go version",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3, 4]);
    const messages = findingsOf(dockerfile, id).map((finding) => finding.message);
    // go mod download only fills the module cache.
    assert.match(messages[0] ?? "", /`go mod download` runs without a cache mount on \/go\/pkg\/mod,.*`--mount=type=cache,target=\/go\/pkg\/mod`/);
    assert.match(messages[1] ?? "", /`go build` and `go test` run without a cache mount on \/go\/pkg\/mod and \/root\/\.cache\/go-build/);
  });

  it("is silent with both mounts, with ~ forms, and names only the missing one", () => {
    const dockerfile = [
      "FROM golang:1.22",
      "RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build ./...",
      "RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=~/.cache go build ./...",
      "RUN --mount=type=cache,target=/go/pkg/mod go build ./...",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [4]);
    assert.match(findings[0]?.message ?? "", /without a cache mount on \/root\/\.cache\/go-build,/);
  });

  it("follows GOMODCACHE, GOPATH, GOCACHE and the home directory outside the golang image", () => {
    assert.match(messageOf("FROM golang:1.22\nENV GOMODCACHE=/cache/mod GOCACHE=/cache/build\nRUN go build .\n"), /target=\/cache\/mod --mount=type=cache,target=\/cache\/build`/);
    assert.match(messageOf("FROM golang:1.22\nENV GOPATH=/gopath\nRUN go mod download\n"), /target=\/gopath\/pkg\/mod`/);
    assert.match(messageOf("FROM debian:bookworm\nRUN go mod download\n"), /target=\/root\/go\/pkg\/mod`/);
    // Another base may set GOPATH=/go: that mount counts too.
    assert.deepEqual(linesOf("FROM debian:bookworm\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n", id), []);
  });

  it("does not ask for the module cache with -mod=vendor or a vendor/modules.txt in the context", () => {
    assert.match(messageOf("FROM golang:1.22\nRUN go build -mod=vendor ./...\n"), /without a cache mount on \/root\/\.cache\/go-build,/);
    const vendored = { Dockerfile: "FROM golang:1.22\nCOPY . .\nRUN go build ./...\n", "go.mod": "module x\n", "vendor/modules.txt": "# x\n" };
    assert.doesNotMatch(messageOf(vendored), /pkg\/mod/);
  });

  it("does not fix a go mod download whose modules a later GOPROXY=off build reads from the layer", () => {
    const dockerfile = "FROM golang:1.22\nRUN go mod download\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/go-build GOPROXY=off go build ./...\n";
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2]);
    assert.equal(findings[0]?.fix, undefined);
  });

  it("fixes by inserting both mounts, and the fixed file passes", () => {
    const dockerfile = "FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o /app .\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM golang:1.22 AS build\nWORKDIR /src\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });
  it("offers no fix when GOPATH comes from a command substitution: no mount target names it", () => {
    for (const dockerfile of [
      "FROM golang:1.22\nRUN GOPATH=$(mktemp -d) go mod download\n",
      "FROM golang:1.22\nRUN export GOPATH=/$(mktemp -d) && go mod download\n",
      "FROM golang:1.22\nRUN GOPATH=`mktemp -d` go mod download\n",
    ]) {
      const findings = findingsOf(dockerfile, id);
      assert.equal(findings.length, 1, dockerfile);
      assert.equal(findings[0]?.fix, undefined, dockerfile);
    }
  });

  it("leaves a RUN alone whose GOPATH (ENV) holds a command substitution, so fix has nothing to repeat", () => {
    // Docker does not run `$(...)` in ENV: the mount target would be the literal text, with a space in it.
    const dockerfile = "FROM golang:1.22\nENV GOPATH /$(mktemp -d)\nRUN go mod download\n";
    const result = runFixes(snapshotFromFiles({ Dockerfile: dockerfile }), { only: new Set([id]) });
    assert.deepEqual(result.changes, []);
    assert.ok(result.converged);
  });

  it("is a safe fix, except in a shipped stage whose command runs the go tool (the caches would be downloaded at start-up)", () => {
    assert.equal(findingsOf("FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n", id)[0]?.fixLevel, "safe");
    assert.equal(findingsOf("FROM golang:1.22\nRUN go build -o /app .\nCMD [\"/app\"]\n", id)[0]?.fixLevel, "safe");
    const runAtStart = findingsOf("FROM golang:1.22\nCOPY . .\nRUN go mod download\nCMD [\"go\", \"run\", \".\"]\n", id)[0];
    assert.ok(runAtStart?.fix);
    assert.equal(runAtStart.fixLevel, "rewrite");
    const buildStage = findingsOf("FROM golang:1.22 AS dev\nRUN go mod download\nCMD go run .\nFROM scratch\nCOPY --from=dev /go/bin/x /x\n", id)[0];
    assert.equal(buildStage?.fixLevel, "safe");
  });
});
