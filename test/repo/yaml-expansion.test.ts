// Compose files with many aliases are accepted; files whose aliases expand without bound are a
// per-file error. The limit is on the expanded document, not on the number of aliases.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDocument } from "yaml";
import { auditRepository } from "../../src/audit/run.ts";
import { ComposeError, parseCompose } from "../../src/repo/compose.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import { aliasExpansionProblem, expandedValueCount, MAX_EXPANDED_VALUES } from "../../src/repo/yaml-expansion.ts";

/** Many services sharing `x-` blocks, one nested in the other (the shape real files have). */
function sharedBlocks(services: number): string {
  let text = "x-logging: &logging\n  driver: json-file\n  options:\n    max-size: 10m\nx-defaults: &defaults\n  restart: unless-stopped\n  logging: *logging\n  environment: &env\n    TZ: UTC\nservices:\n";
  for (let index = 0; index < services; index++) text += `  worker-${index}:\n    <<: *defaults\n    image: example/worker:${index}\n    environment: *env\n    logging: *logging\n`;
  return text;
}

/** Each level lists the previous one `width` times: width^levels values from a few lines. */
function laughs(levels: number, width: number): string {
  let text = "x-l0: &l0 [lol]\n";
  for (let level = 1; level <= levels; level++) text += `x-l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(", ")}]\n`;
  return `${text}x-all: *l${levels}\nservices:\n  app:\n    image: alpine\n`;
}

describe("YAML alias expansion", () => {
  it("counts the values of the expanded document", () => {
    assert.equal(expandedValueCount(parseDocument("a: 1\n")), 3);
    // The list (1) and its value (1), then two aliases to it: 2 each.
    assert.equal(expandedValueCount(parseDocument("x: &x [1]\ny: *x\nz: *x\n")), 1 + (1 + 2) + (1 + 2) + (1 + 2));
    assert.ok(expandedValueCount(parseDocument(laughs(3, 10))) > 1000);
    // A later anchor of the same name wins for the aliases after it.
    assert.equal(expandedValueCount(parseDocument("a: &x [1, 2, 3]\nb: &x [1]\nc: *x\n")), 1 + (1 + 4) + (1 + 2) + (1 + 2));
  });

  it("accepts a compose file with hundreds of aliases (yaml's default refuses more than 100)", () => {
    const text = sharedBlocks(300);
    assert.throws(() => parseDocument(text, { merge: true }).toJS({ maxAliasCount: 100 }), /Excessive alias count/);
    const compose = parseCompose(text, "compose.yaml");
    assert.equal(compose.services.length, 300);
    const last = compose.services.at(-1);
    assert.equal(last?.image, "example/worker:299");
    assert.deepEqual(last?.environment, { TZ: "UTC" });
  });

  it("refuses a file with so many aliases that resolving them would take long (yaml walks the document per alias)", () => {
    // 20,000 aliases to one scalar in 20,000 entries: 800 million node visits in yaml's resolver.
    const text = `x-v: &v 1\nx-many:\n${Array.from({ length: 20_000 }, (_, index) => `  k${index}: *v\n`).join("")}services:\n  app:\n    image: alpine\n`;
    assert.throws(() => parseCompose(text, "compose.yaml"), (error: unknown) => error instanceof ComposeError && /^it has 20,000 aliases among 40,0\d\d values, more than can be resolved in reasonable time/.test(error.message));
    assert.equal(aliasExpansionProblem(parseDocument(sharedBlocks(300))), undefined);
    assert.equal(aliasExpansionProblem(parseDocument("a: 1\n")), undefined);
  });

  it("refuses a billion-laughs file, quickly and as a per-file error", () => {
    // 10^9 values once expanded; the count stops at the limit and never builds them.
    assert.ok(expandedValueCount(parseDocument(laughs(9, 10))) > MAX_EXPANDED_VALUES);
    assert.throws(
      () => parseCompose(laughs(9, 10), "compose.yaml"),
      (error: unknown) => error instanceof ComposeError && /anchors and aliases expand to more than 200,000 values/.test(error.message),
    );
    // A small nesting of the same shape is fine.
    assert.equal(parseCompose(laughs(2, 10), "compose.yaml").services.length, 1);
    const view = buildRepositoryView(snapshotFromFiles({ "compose.yaml": laughs(9, 10), "app/Dockerfile": "FROM alpine:3.20\nCMD [\"true\"]\n" }));
    const result = auditRepository(view);
    assert.match(result.files.find((file) => file.path === "compose.yaml")?.error ?? "", /expand to more than/);
    assert.equal(result.files.find((file) => file.path === "app/Dockerfile")?.error, undefined);
  });
});
