import type { BuildContext } from "../repo/snapshot.ts";
import { isShippedStage } from "./queries.ts";
import { contextSources, describeGroups, describeSource, firstVia, sentGroups, thirdPartyIndex } from "./support/context.ts";
import { formatBytes } from "../format/index.ts";
import type { DockerfileRule } from "./types.ts";

const TEST_AND_DOC_DIRECTORIES = new Set(["test", "tests", "__tests__", "docs"]);
/** `spec/` is RSpec's or Jasmine's only when it holds spec files; an API's `spec/openapi.yaml` is runtime data. */
const SPEC_FILE = /([._-]spec\.[a-z]+|^spec_helper\.rb)$/i;

// Tests, fixtures and documentation are not needed to run the application. Copied into the
// runtime image by a broad `COPY . .`, they add size (fixtures can be large) and files that
// scanners and attackers read, and every test edit rebuilds the application layers.
export const rule: DockerfileRule = {
  meta: {
    id: "context-includes-tests-and-docs",
    description: "A broad COPY in a stage that reaches the final image copies test and documentation directories into it.",
    impact: "low",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext }) {
    if (!buildContext) return [];
    // Only copies into stages that ship count: `COPY . .` in a build stage that runs the tests is fine.
    const sources = contextSources(dockerfile).filter((source) => source.kind === "copy" && isShippedStage(dockerfile, source.stage));
    const groups = sentGroups(buildContext, { sources, skipNamedExplicitly: true, key: "context-includes-tests-and-docs" }, (parts) => {
      for (let index = 0; index < parts.length - 1; index++) {
        const name = parts[index] ?? "";
        if (thirdPartyIndex(parts, index) >= 0) return undefined;
        if (TEST_AND_DOC_DIRECTORIES.has(name)) return index;
        if (name === "spec") return index;
      }
      return undefined;
    }).filter((group) => group.path.split("/").pop() !== "spec" || holdsSpecFiles(buildContext, group.path));
    const via = firstVia(groups);
    if (!via) return [];
    const total = groups.reduce((sum, group) => sum + group.bytes, 0);
    return [
      {
        message:
          `${describeSource(via)} copies ${describeGroups(groups)} into the image${groups.length > 1 ? ` (${formatBytes(total)} in all)` : ""}: ` +
          `the application does not need them at runtime; exclude them in .dockerignore, or run tests in a separate stage and copy only what the app needs`,
        line: via.instruction.span.start.line,
        endLine: via.instruction.span.end.line,
      },
    ];
  },
};

/** A `spec/` directory counts when it holds spec files (`*_spec.rb`, `x.spec.ts`): Rails and JS specs, not any folder called spec. */
function holdsSpecFiles(context: BuildContext, directory: string): boolean {
  const prefix = `${directory}/`;
  return context.entries.some((entry) => !entry.excluded && entry.path.startsWith(prefix) && SPEC_FILE.test(entry.path.slice(entry.path.lastIndexOf("/") + 1)));
}
