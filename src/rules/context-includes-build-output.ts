import { contextSources, describeGroups, describeSource, entryPathSet, firstVia, sentGroups, thirdPartyIndex } from "./support/context.ts";
import type { DockerfileRule } from "./types.ts";

/** Directories that only ever hold generated files or tool caches. */
const OUTPUT_DIRECTORIES = new Set([".next", ".nuxt", ".svelte-kit", ".turbo", ".cache", ".parcel-cache", "coverage"]);
/** Generic names that are build output only next to a build manifest; elsewhere (`build/ci/`, Go's `build/package/`) they may be source. */
const GENERIC_OUTPUT_DIRECTORIES = new Set(["dist", "build", "out"]);
const BUILD_MANIFESTS = ["package.json", "pyproject.toml", "setup.py", "build.gradle", "build.gradle.kts", "CMakeLists.txt"];

// Local build output changes every time someone builds on the host. A `COPY . .` that takes
// it misses the cache after each local build even when no source changed, and the image
// builds its own output anyway, so the host copy is dead weight (or, worse, a stale build
// that wins over the fresh one).
export const rule: DockerfileRule = {
  meta: {
    id: "context-includes-build-output",
    description: "The Dockerfile takes local build output (dist, build, .next, coverage, *.log, caches) from the build context and busts its cache.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext }) {
    if (!buildContext) return [];
    let paths: Set<string> | undefined;
    const isBuildDirectory = (parent: string[]): boolean => {
      paths ??= entryPathSet(buildContext);
      const prefix = parent.length === 0 ? "" : `${parent.join("/")}/`;
      return BUILD_MANIFESTS.some((manifest) => paths?.has(`${prefix}${manifest}`));
    };
    const groups = sentGroups(buildContext, { sources: contextSources(dockerfile), skipNamedExplicitly: true, key: "context-includes-build-output" }, (parts) => {
      for (let index = 0; index < parts.length; index++) {
        const name = parts[index] ?? "";
        const isLast = index === parts.length - 1;
        let matched = false;
        if (isLast) matched = /\.log$/.test(name);
        else if (OUTPUT_DIRECTORIES.has(name)) matched = true;
        else if (GENERIC_OUTPUT_DIRECTORIES.has(name)) matched = isBuildDirectory(parts.slice(0, index));
        // Inside node_modules or .venv this is someone else's file (context-includes-dependencies).
        if (matched) return thirdPartyIndex(parts, index) < 0 ? index : undefined;
      }
      return undefined;
    });
    const via = firstVia(groups);
    if (!via) return [];
    return [
      {
        message:
          `${describeSource(via)} takes local build output from the build context: ${describeGroups(groups)}; ` +
          `it changes on every local build, so this step misses the cache even when no source changed: add it to .dockerignore and let the image build its own`,
        line: via.instruction.span.start.line,
        endLine: via.instruction.span.end.line,
      },
    ];
  },
};
