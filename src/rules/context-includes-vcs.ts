import { contextSources, describeGroups, describeSource, firstVia, sentGroups, thirdPartyIndex } from "./support/context.ts";
import { formatBytes, joinWithAnd } from "../format/index.ts";
import type { DockerfileRule } from "./types.ts";

const VCS_DIRECTORIES = new Set([".git", ".hg", ".svn"]);

// The repository's history is useless inside an image, often bigger than the code, and it
// changes at every commit, fetch and checkout: a `COPY . .` that takes .git never hits the cache.
export const rule: DockerfileRule = {
  meta: {
    id: "context-includes-vcs",
    description: "The Dockerfile takes .git (or .hg, .svn) from the build context: sent on every build, and it changes at every commit.",
    impact: "medium",
    category: "speed",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext }) {
    if (!buildContext) return [];
    const groups = sentGroups(buildContext, { sources: contextSources(dockerfile), skipNamedExplicitly: true, key: "context-includes-vcs" }, (parts) => {
      // Only directories: a `.git` file (submodule or worktree pointer) is a few bytes.
      const index = parts.findIndex((part, position) => VCS_DIRECTORIES.has(part) && position < parts.length - 1);
      // A checkout inside node_modules or a virtualenv is context-includes-dependencies' finding.
      return index >= 0 && thirdPartyIndex(parts, index) < 0 ? index : undefined;
    });
    const via = firstVia(groups);
    if (!via) return [];
    const total = groups.reduce((sum, group) => sum + group.bytes, 0);
    return [
      {
        message:
          `${describeSource(via)} takes ${describeGroups(groups)} from the build context (${formatBytes(total)} sent on every build); ` +
          `its contents change at every commit, so this step misses the cache even when no source file changed: add ${joinWithAnd(ignorePatterns(groups.map((group) => group.path)))} to .dockerignore ` +
          `(pass a commit id with --build-arg if the build needs one)`,
        line: via.instruction.span.start.line,
        endLine: via.instruction.span.end.line,
      },
    ];
  },
};

// `.git` for the root checkout, `**` + `/.svn` for nested ones: a bare name in .dockerignore matches only at the root.
function ignorePatterns(paths: string[]): string[] {
  return [...new Set(paths.map((path) => (path.includes("/") ? `**/${path.split("/").pop() ?? ""}` : path)))];
}
