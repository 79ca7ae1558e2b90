import type { DockerfileRule, RuleReport } from "./types.ts";

// An untagged FROM means `:latest`, and `:latest` moves: the same Dockerfile builds on a new
// major version of the OS or runtime the day upstream publishes one, so builds stop being
// reproducible and break (or change behaviour) without any change in the repository.
export const rule: DockerfileRule = {
  meta: {
    id: "base-image-latest-or-untagged",
    description: "A FROM uses an image without a tag or with the moving `latest` tag.",
    impact: "medium",
    category: "maintainability",
    scope: "dockerfile",
    hadolint: ["DL3006", "DL3007"],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      const base = stage.base;
      // Stage references and scratch have no tag; `${IMAGE}` without a default is the caller's choice.
      if (stage.baseStage !== undefined || stage.isScratch || base.unresolved || base.digest !== undefined) continue;
      const untagged = base.tag === undefined;
      if (!untagged && base.tag !== "latest") continue;
      const viaArg = base.raw !== base.resolved ? ` (${base.raw} resolves to ${base.resolved} with the ARG defaults)` : "";
      reports.push({
        message: `${base.resolved}${viaArg} ${untagged ? "has no tag, so it means :latest" : "uses the latest tag"}, which moves with every upstream release: pin a version tag (and ideally a digest) so builds are reproducible`,
        line: stage.from.span.start.line,
      });
    }
    return reports;
  },
};
