import type { DockerfileModel } from "../dockerfile/model.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { generateDockerignore } from "./support/dockerignore-generator.ts";
import type { BuildContext, RepositoryView } from "../repo/snapshot.ts";
import { contextSources, describeSource, sentSummary } from "./support/context.ts";
import { formatBytes, plural } from "../format/index.ts";
import type { DockerfileRule, Impact, RuleReport } from "./types.ts";
/** Below this many bytes sent, a missing .dockerignore costs little: low impact. */
export const SMALL_CONTEXT_BYTES = 1_000_000;
/** Below this, medium; from here on (dependencies, .git, build output) high. */
export const MEDIUM_CONTEXT_BYTES = 20_000_000;

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
    fixable: true,
    fixLevel: "rewrite",
  },
  check({ dockerfile, buildContext, repository }) {
    if (!buildContext || buildContext.dockerignore) return [];
    const sent = sentSummary(buildContext, contextSources(dockerfile));
    // Only a whole-context source makes BuildKit send everything; `COPY package.json src/ ./` does not need an ignore file.
    if (!sent.wholeContext || !sent.via) return [];
    const instruction = sent.via.instruction;
    const where = buildContext.root === "" ? "the repository root" : `${buildContext.root}/`;
    const sender = describeSource(sent.via);
    const largest = sent.directories.slice(0, 3).map((directory) => `${directory.name}/ ${formatBytes(directory.bytes)}`);
    const report: RuleReport = {
      message:
        `No .dockerignore for the build context (${where}): ${sender} sends all of it, ` +
        `${plural(sent.files, "file")} (${formatBytes(sent.bytes)})${largest.length > 0 ? `, largest: ${largest.join(", ")}` : ""}; ` +
        `add a .dockerignore that excludes .git, dependencies, build output and local secrets`,
      line: instruction.span.start.line,
      endLine: instruction.span.end.line,
    };
    // What a missing ignore file costs grows with what it lets through: a few KB of sources upload in no time.
    const impact = impactForSentBytes(sent.bytes);
    if (impact !== "high") report.impact = impact;
    // The fix writes one generated from the context's files and every Dockerfile built with it.
    // Generated on first read: an audit never reads it, and it costs more than the check.
    const context = buildContext;
    let text: string | undefined;
    report.createFile = {
      path: context.root === "" ? ".dockerignore" : `${context.root}/.dockerignore`,
      get text(): string {
        text ??= generateDockerignore({ context, dockerfiles: dockerfilesUsing(repository, context, dockerfile), texts: repository.snapshot.texts })?.text ?? "";
        return text;
      },
    };
    return [report];
  },
};

function impactForSentBytes(bytes: number): Impact {
  if (bytes < SMALL_CONTEXT_BYTES) return "low";
  return bytes < MEDIUM_CONTEXT_BYTES ? "medium" : "high";
}

/** The Dockerfiles the new .dockerignore would apply to: built with this context root and without a `<Dockerfile>.dockerignore`. */
function dockerfilesUsing(repository: RepositoryView, context: BuildContext, current: DockerfileModel): DockerfileModel[] {
  const models: DockerfileModel[] = [current];
  for (const [path, other] of repository.contexts) {
    if (path === context.dockerfile || other.root !== context.root || other.dockerignore !== undefined) continue;
    const text = repository.snapshot.texts.get(path);
    if (text === undefined) continue;
    try {
      models.push(parseDockerfile(text, path));
    } catch {
      // A Dockerfile that does not parse is reported on its own; it cannot tell what it copies.
    }
  }
  return models;
}
