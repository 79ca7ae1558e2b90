// The table `shipshape build` ends with: tty, json and markdown renderings of one report.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cacheStats, renderBuildJson, renderBuildMarkdown, renderBuildReport, renderBuildTty } from "../../src/builds/summary.ts";
import type { BuildRunReport } from "../../src/builds/summary.ts";
import type { BuildStep } from "../../src/engine/types.ts";

const report: BuildRunReport = {
  path: "examples/shop",
  driver: "api",
  durationMs: 75_400,
  images: [
    { name: "api", tag: "shipshape/shop-api:latest", origin: "docker-compose.yml service api", ok: true, imageId: "sha256:aa", sizeBytes: 883_100_000, layers: 11, durationMs: 66_000, steps: 6, cachedSteps: 4, cacheHitRatio: 4 / 6 },
    {
      name: "web|x",
      tag: "shipshape/shop-web:latest",
      origin: "docker-compose.yml service web",
      ok: false,
      durationMs: 9_400,
      steps: 5,
      cachedSteps: 1,
      cacheHitRatio: 0.2,
      error: { step: "[4/5] RUN npm run build", message: "executor failed running [/bin/sh -c npm run build]: exit code: 2", logTail: ["src/main.ts(3,1): error TS2304", "\u001b[31mnpm ERR!\u001b[0m code 2"] },
    },
  ],
};

describe("build summary", () => {
  it("tty: a row per image with size, layers, build time and cache hit %, then the failure", () => {
    assert.equal(
      renderBuildTty(report, { color: false }),
      [
        "image  tag                          size  layers  build time  cache hit",
        "api    shipshape/shop-api:latest  883 MB      11        66 s        67%",
        "web|x  shipshape/shop-web:latest  FAILED       -       9.4 s        20%",
        "",
        "1 of 2 images built in 75.4 s (driver: api)",
        "",
        "web|x failed at [4/5] RUN npm run build",
        "  executor failed running [/bin/sh -c npm run build]: exit code: 2",
        "  | src/main.ts(3,1): error TS2304",
        "  | \\x1b[31mnpm ERR!\\x1b[0m code 2",
        "",
      ].join("\n"),
    );
  });

  it("tty colours only when asked", () => {
    assert.ok(renderBuildTty(report, { color: true }).includes("\u001b[31m"));
    assert.ok(!renderBuildTty(report, { color: false }).includes("\u001b["));
  });

  it("json is the report itself", () => {
    assert.deepEqual(JSON.parse(renderBuildJson(report)), report);
    assert.equal(renderBuildReport("json", report), renderBuildJson(report));
  });

  it("markdown: an escaped table and the failing step with its log in a code block", () => {
    const markdown = renderBuildMarkdown(report);
    assert.ok(markdown.includes("| image | tag | size | layers | build time | cache hit |\n| --- | --- | ---: | ---: | ---: | ---: |\n"));
    assert.ok(markdown.includes("| api | `shipshape/shop-api:latest` | 883 MB | 11 | 66 s | 67% |"));
    assert.ok(markdown.includes("| web\\|x | `shipshape/shop-web:latest` | FAILED | - | 9.4 s | 20% |"));
    assert.ok(markdown.includes("### web\\|x failed at `[4/5] RUN npm run build`\n\n```\nexecutor failed running [/bin/sh -c npm run build]: exit code: 2\nsrc/main.ts(3,1): error TS2304\n"));
    assert.ok(!markdown.includes("\u001b"));
  });

  it("cache hit ratio counts cached Dockerfile steps over Dockerfile steps, FROM and internal steps left out", () => {
    const step = (name: string, cached: boolean, internal = false): BuildStep => ({ id: name, name, cached, internal });
    const internal = [step("[internal] load build definition", true, true), step("exporting to image", false, true)];
    assert.deepEqual(cacheStats([...internal, step("[1/4] FROM x", true), step("[2/4] RUN a", true), step("[3/4] COPY . .", true), step("[4/4] RUN b", false)]), {
      steps: 3,
      cachedSteps: 2,
      cacheHitRatio: 2 / 3,
    });
    // A fully cached build is 100% whatever BuildKit says about its FROM steps.
    assert.equal(cacheStats([step("[build 1/2] FROM x AS build", false), step("[build 2/2] RUN make", true), step("[stage-1 1/2] FROM y", false), step("[stage-1 2/2] COPY --from=build /a /a", true)]).cacheHitRatio, 1);
    assert.deepEqual(cacheStats([]), { steps: 0, cachedSteps: 0, cacheHitRatio: 0 });
  });
});
