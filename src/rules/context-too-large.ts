import { contextSources, sentSummary } from "./support/context.ts";
import { formatBytes } from "../format/index.ts";
import type { DockerfileRule } from "./types.ts";

/** Above this many bytes sent, the context upload is a noticeable part of every build (decimal: 100 MB). */
export const CONTEXT_SIZE_LIMIT_BYTES = 100_000_000;

// Every build uploads the context to the builder before the first step runs (BuildKit sends
// only what changed since the last build on the same builder, but CI runners and remote
// builders usually start cold). Hundreds of megabytes mean minutes of waiting.
export const rule: DockerfileRule = {
  meta: {
    id: "context-too-large",
    description: "The build context this Dockerfile sends to the builder is larger than 100 MB.",
    impact: "medium",
    category: "speed",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext }) {
    if (!buildContext) return [];
    const sent = sentSummary(buildContext, contextSources(dockerfile));
    if (sent.bytes <= CONTEXT_SIZE_LIMIT_BYTES || !sent.via) return [];
    const instruction = sent.via.instruction;
    const largest = sent.directories.slice(0, 3).map((directory) => `${directory.name}/ ${formatBytes(directory.bytes)}`);
    const advice = buildContext.dockerignore ? `tighten ${buildContext.dockerignore.path}` : "add a .dockerignore";
    return [
      {
        message:
          `The build sends ${formatBytes(sent.bytes)} of context to the builder (limit ${formatBytes(CONTEXT_SIZE_LIMIT_BYTES)})` +
          `${largest.length > 0 ? `; largest: ${largest.join(", ")}` : ""}: ${advice} or copy only the paths the image needs`,
        line: instruction.span.start.line,
        endLine: instruction.span.end.line,
      },
    ];
  },
};
