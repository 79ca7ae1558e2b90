// `npm run lint` checks every regular expression literal for super-linear backtracking
// (eslint-plugin-regexp). A pattern built from a string at run time (`new RegExp(...)`) escapes
// that check, so this test gives those the same analysis (scslre, which the plugin's
// no-super-linear-backtracking and no-super-linear-move rules use): it records every RegExp built
// from a string in src/ while auditing and fixing the example, fixture and documentation
// repositories, and fails on any source the analysis flags. Every `new RegExp` call in src/ must
// be reached by that run, or be listed below as compiling the user's own pattern.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { analyse } from "scslre";
import type { RepoSnapshot } from "../../src/repo/snapshot.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");

/**
 * Files whose `new RegExp` compiles a pattern the user wrote (to validate it, or to apply it as
 * written): its run time is the user's choice, as with `grep`. Each entry says why.
 */
const USER_PATTERNS: Record<string, string> = {
  "src/audit/config.ts": "validates verify.services.*.smokeIgnore, the user's regular expression",
  "src/cli/fix-command.ts": "validates --smoke-ignore, the user's regular expression",
  "src/cli/verify-command.ts": "compiles --ignore, the user's regular expression",
  "src/fix/verify-rewrite.ts": "compiles smokeIgnore, the user's regular expression",
  "src/verify/outputs.ts": "adds the g flag to the user's --ignore expressions",
  "src/repo/go-regexp.ts": "checks a translated Go character class; the .dockerignore patterns with only wildcards are matched by src/repo/dockerignore-wildcards.ts",
  "src/repo/dockerignore.ts": "a .dockerignore pattern with a character class, escape or raw `|{}`, translated from Go's syntax as Docker reads it (wildcard-only patterns go to the linear automaton)",
};

/** `file:line` of every `new RegExp(` in src/, comments excluded. */
function constructionSites(): string[] {
  const sites: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of fs.readdirSync(path.join(ROOT, directory), { withFileTypes: true })) {
      const relative = `${directory}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".ts")) {
        fs.readFileSync(path.join(ROOT, relative), "utf8")
          .split("\n")
          .forEach((line, index) => {
            if (/\bnew RegExp\(/.test(line) && !/^\s*(?:\/\/|\*)/.test(line)) sites.push(`${relative}:${index + 1}`);
          });
      }
    }
  };
  walk("src");
  return sites;
}

/** The `src/` file and line that called `new RegExp` (the first src/ frame of the stack). */
function callerSite(stack: string): string | undefined {
  const prefix = `${path.join(ROOT, "src")}${path.sep}`;
  for (const line of stack.split("\n").slice(1)) {
    const at = line.indexOf(prefix);
    if (at < 0) continue;
    const location = /^(.*?):(\d+):\d+\)?$/.exec(line.slice(at + ROOT.length + 1));
    if (location) return `${location[1]}:${location[2]}`;
  }
  return undefined;
}

/** Every RegExp built from a string while `work` runs (module-level ones too: it imports src/ itself), by calling site. */
async function recordRegExps(work: () => Promise<void>): Promise<Map<string, Set<string>>> {
  const recorded = new Map<string, Set<string>>();
  const Original = globalThis.RegExp;
  globalThis.RegExp = new Proxy(Original, {
    construct(target, args: unknown[], newTarget) {
      if (typeof args[0] === "string") {
        const site = callerSite(new Error().stack ?? "");
        if (site !== undefined) {
          const sources = recorded.get(site) ?? new Set<string>();
          sources.add(JSON.stringify([args[0], typeof args[1] === "string" ? args[1] : ""]));
          recorded.set(site, sources);
        }
      }
      return Reflect.construct(target, args, newTarget === globalThis.RegExp ? target : newTarget) as object;
    },
  });
  try {
    await work();
  } finally {
    globalThis.RegExp = Original;
  }
  return recorded;
}

/** Repositories that reach every rule and rewrite: the example, the fixtures, each rule doc's examples. */
async function corpus(): Promise<void> {
  // Imported here, after RegExp is wrapped, so that module-level expressions are recorded too.
  const { auditRepository } = await import("../../src/audit/run.ts");
  const { fixWithLevel } = await import("../../src/fix/rewrite.ts");
  const { snapshotFromFiles } = await import("../../src/repo/memory.ts");
  const { scanDirectory } = await import("../../src/repo/scan.ts");
  const { buildRepositoryView } = await import("../../src/repo/view.ts");
  const { goldenCases } = await import("../fix/golden-cases.ts");
  const { readDocExamples } = await import("../helpers/doc-examples.ts");
  const auditAndFix = (snapshot: RepoSnapshot): void => {
    auditRepository(buildRepositoryView(snapshot));
    fixWithLevel(snapshot, { level: "rewrite", acceptReview: true, dev: true });
  };
  auditAndFix(scanDirectory(path.join(ROOT, "examples", "shop")));
  const projects = path.join(ROOT, "test", "fixtures", "projects");
  for (const project of fs.readdirSync(projects)) auditAndFix(scanDirectory(path.join(projects, project)));
  for (const golden of goldenCases()) auditAndFix(snapshotFromFiles(golden.files));
  const docs = path.join(ROOT, "docs", "rules");
  for (const doc of fs.readdirSync(docs)) for (const example of readDocExamples(path.join(docs, doc))) auditAndFix(snapshotFromFiles(example.files));
  // Shapes the examples lack: a download option with its value attached, the `&&` style of
  // continuation, a wait loop in a compose entrypoint.
  auditAndFix(
    snapshotFromFiles({
      Dockerfile: "FROM debian:bookworm-slim\nRUN curl -fsSL -oapp.tgz https://example.com/app.tgz\nRUN rm app.tgz\nRUN apt-get clean && \\\n    apt-get update && \\\n    apt-get install -y --no-install-recommends curl && \\\n    rm -rf /var/lib/apt/lists/*\n",
      "compose.yaml": "services:\n  db:\n    image: postgres:16\n  app:\n    build: .\n    depends_on: [db]\n    entrypoint: sh -c 'until nc -z db 5432; do sleep 1; done; exec node server.js'\n",
    }),
  );
}

describe("regular expressions built at run time", async () => {
  const recorded = await recordRegExps(corpus);

  it("are not flagged by the super-linear backtracking and moving analysis", () => {
    const flagged: string[] = [];
    for (const [site, sources] of recorded) {
      for (const entry of sources) {
        const [source, flags] = JSON.parse(entry) as [string, string];
        const { reports } = analyse({ source, flags }, { assumeRejectingSuffix: false });
        if (reports.length > 0) flagged.push(`${site}: /${source}/${flags}: ${reports.map((report) => `${report.type}${report.exponential ? " (exponential)" : ""}`).join(", ")}`);
      }
    }
    assert.deepEqual(flagged, []);
  });

  it("come from call sites the corpus reaches, or from the user's own patterns", () => {
    const sites = constructionSites();
    assert.ok(sites.length > 20, `only ${sites.length} sites found`);
    const unreached = sites.filter((site) => !recorded.has(site) && USER_PATTERNS[site.replace(/:\d+$/, "")] === undefined);
    assert.deepEqual(unreached, [], "add an input that reaches these to corpus(), or a reason to USER_PATTERNS");
    for (const file of Object.keys(USER_PATTERNS)) assert.ok(sites.some((site) => site.startsWith(`${file}:`)), `${file} has no new RegExp any more: remove it from USER_PATTERNS`);
  });
});
