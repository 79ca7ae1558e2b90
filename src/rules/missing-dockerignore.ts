import { contextSources, describeSource, formatBytes, plural, sentSummary } from "./support/context.ts";
import type { DockerfileRule } from "./types.ts";

// Without a .dockerignore, `COPY . .` sends and copies everything in the directory: .git,
// node_modules, build output, local .env files. The upload costs time on every build, the
// layer changes whenever any of it changes, and whatever secrets sit there end up in the image.
export const rule: DockerfileRule = {
  meta: {
    id: "missing-dockerignore",
    description: "The Dockerfile copies its whole build context, which has no .dockerignore (nor <Dockerfile>.dockerignore).",
    impact: "high",
    category: "speed",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext }) {
    if (!buildContext || buildContext.dockerignore) return [];
    const sent = sentSummary(buildContext, contextSources(dockerfile));
    // Only a whole-context source makes BuildKit send everything; `COPY package.json src/ ./` does not need an ignore file.
    if (!sent.wholeContext || !sent.via) return [];
    const instruction = sent.via.instruction;
    const where = buildContext.root === "" ? "the repository root" : `${buildContext.root}/`;
    const sender = describeSource(sent.via);
    const largest = sent.directories.slice(0, 3).map((directory) => `${directory.name}/ ${formatBytes(directory.bytes)}`);
    return [
      {
        message:
          `No .dockerignore for the build context (${where}): ${sender} sends all of it, ` +
          `${plural(sent.files, "file")} (${formatBytes(sent.bytes)})${largest.length > 0 ? `, largest: ${largest.join(", ")}` : ""}; ` +
          `add a .dockerignore that excludes .git, dependencies, build output and local secrets`,
        line: instruction.span.start.line,
        endLine: instruction.span.end.line,
      },
    ];
  },
};
