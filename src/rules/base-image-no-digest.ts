import type { DockerfileRule, RuleReport } from "./types.ts";

// A tag is a pointer the publisher (or anyone who compromises the registry account) can move:
// `node:22-slim` is rebuilt every few days. Pinning `@sha256:...` makes the build use exactly
// the bytes that were reviewed, and turns base-image updates into visible, reviewable diffs
// (Renovate and Dependabot update digests). Low impact on purpose: it is hygiene, and it trades
// automatic security patches for explicit updates.
export const rule: DockerfileRule = {
  meta: {
    id: "base-image-no-digest",
    description: "A FROM image is not pinned by digest (@sha256:...), so its content can change under the same tag.",
    impact: "low",
    category: "security",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      const base = stage.base;
      if (stage.baseStage !== undefined || stage.isScratch || base.unresolved || base.digest !== undefined) continue;
      reports.push({
        message: `${base.resolved} is not pinned by digest: use ${base.resolved}@sha256:<digest> (a bot such as Renovate keeps it current) so the build uses exactly the image that was reviewed`,
        line: stage.from.span.start.line,
      });
    }
    return reports;
  },
};
