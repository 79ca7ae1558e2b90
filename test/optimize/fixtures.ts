// Small optimize results for the pure tests: two images, measured before and after.
import type { BenchResult, ScenarioName } from "../../src/bench/result.ts";
import type { OptimizeResult } from "../../src/optimize/result.ts";

export function benchOf(images: Record<string, { sizeBytes: number; ms: Partial<Record<ScenarioName, number>>; failed?: ScenarioName[] }>): BenchResult {
  const scenarios: ScenarioName[] = ["cold", "warm", "code", "deps"];
  return {
    runs: 1,
    scenarios,
    targets: Object.entries(images).map(([name, image]) => ({
      name,
      contextDir: `/repo/services/${name}`,
      dockerfile: "Dockerfile",
      origin: `docker-compose.yml service ${name}`,
      before: {
        label: "before",
        name: "Dockerfile",
        ownDockerfile: true,
        dockerfileSource: `services/${name}/Dockerfile`,
        sizeBytes: image.sizeBytes,
        scenarios: scenarios.map((scenario) =>
          image.failed?.includes(scenario)
            ? { scenario, status: "failed" as const, reason: "the timed build failed at RUN cargo build\nlog line", runs: [] }
            : image.ms[scenario] !== undefined
              ? { scenario, status: "measured" as const, runs: [], medianMs: image.ms[scenario], cacheHitRatio: 0.5, sizeBytes: image.sizeBytes }
              : { scenario, status: "skipped" as const, reason: "no source file found in the context", runs: [] },
        ),
      },
    })),
  };
}

export function optimizeResult(overrides: Partial<OptimizeResult> = {}): OptimizeResult {
  return {
    version: 1,
    target: "examples/shop",
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:09:00.000Z",
    mode: "branch",
    branch: "shipshape/optimize-test",
    baseCommit: "0123456789abcdef0123456789abcdef01234567",
    runs: 1,
    scenarios: ["cold", "warm", "code", "deps"],
    baseline: benchOf({ api: { sizeBytes: 883_000_000, ms: { cold: 58_400, warm: 400, code: 22_300, deps: 31_500 } }, pricing: { sizeBytes: 1_500_000_000, ms: {}, failed: ["cold", "warm", "code", "deps"] } }),
    after: benchOf({ api: { sizeBytes: 262_000_000, ms: { cold: 80_000, warm: 300, code: 4_100, deps: 6_000 } }, pricing: { sizeBytes: 20_000_000, ms: { cold: 1000 } } }),
    changes: [
      { step: "fix", path: "services/api/Dockerfile", what: "multi-stage rewrite (node)", applied: true, verification: "built and verified with the configured probes" },
      { step: "fix", path: "services/web/Dockerfile", what: "multi-stage rewrite (static-web)", applied: false, reason: "verify found 1 unexpected difference: http GET /: status 200 -> 404\nmore" },
    ],
    notConsolidated: [{ dockerfiles: ["services/api/Dockerfile", "services/worker/Dockerfile"], reason: "services/api/Dockerfile has 5 stages; only single-stage Dockerfiles are consolidated" }],
    commits: [{ sha: "abcdefabcdefabcdefabcdefabcdefabcdefabcd", subject: "shipshape optimize: safe fixes" }],
    documents: ["docs/docker-optimization-audit.md"],
    layers: [],
    phaseSeconds: { baseline: 60, audit: 0.3, fix: 200, consolidate: 0.5, measure: 120, documents: 0 },
    audit: { findings: 10, byImpact: { high: 4, medium: 6 }, files: 3 },
    buildCommands: [{ image: "api", command: "docker compose build api" }],
    machine: { cpus: 2, loadBaseline: 3.5, loadAfter: 7.25 },
    ...overrides,
  };
}
