import { projectRoots } from "../repo/view.ts";
import { bestMatches, normalizedInstructions } from "./support/similarity.ts";
import type { RepositoryRule, RuleReport } from "./types.ts";
import { plural } from "../format/index.ts";

/** Pairs at or above this instruction similarity (LCS ratio, see support/similarity.ts) are reported. */
export const SIMILARITY_THRESHOLD = 0.7;
/** Shorter Dockerfiles are too small for duplication to cost anything. */
export const MIN_INSTRUCTIONS = 5;

// Copy-pasted Dockerfiles drift: a base image bump, a security fix or a cache mount lands in
// one copy and not the others, and every service pays separately for the same build steps.
// One Dockerfile with a stage per service (or shared base stages) built through
// docker-bake.hcl keeps them in step and lets BuildKit share the common layers.
export const rule: RepositoryRule = {
  meta: {
    id: "duplicated-dockerfiles",
    description: "Dockerfiles in the repository share most of their instructions: candidates for one multi-target Dockerfile.",
    impact: "medium",
    category: "maintainability",
    scope: "repository",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfiles, repository }) {
    // Independent projects that share a repository (a collection of samples) are not compared with each other.
    const roots = projectRoots(repository);
    const sequencesByProject = new Map<string, Map<string, string[]>>();
    for (const [path, model] of dockerfiles) {
      const project = roots.get(path) ?? "";
      const sequences = sequencesByProject.get(project) ?? new Map<string, string[]>();
      sequences.set(path, normalizedInstructions(model));
      sequencesByProject.set(project, sequences);
    }
    const matches = [...sequencesByProject.values()].flatMap((sequences) => [...bestMatches(sequences, SIMILARITY_THRESHOLD, MIN_INSTRUCTIONS)]);
    const reports: RuleReport[] = [];
    for (const [path, match] of matches.sort(([a], [b]) => (a < b ? -1 : 1))) {
      const first = dockerfiles.get(path)?.instructions[0];
      if (!first) continue;
      const percent = Math.floor(match.similarity * 100);
      const prefix = `${plural(match.sharedPrefix, "instruction")}`;
      reports.push({
        path,
        line: first.span.start.line,
        message: `${path} is ${percent}% identical to ${match.other} (shared prefix: ${prefix}): consolidation candidate (one multi-target Dockerfile + docker-bake.hcl)`,
      });
    }
    return reports;
  },
};
