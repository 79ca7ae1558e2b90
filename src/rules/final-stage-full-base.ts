import { variantSavingMB } from "./estimates.ts";
import { classifyBaseImage, isNonProductionDockerfile, rootImageStage } from "./support/runtime-image.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// The default tags of node, python and ruby are built on buildpack-deps: a full Debian with
// compilers, headers, git and hundreds of libraries, 800+ MB that the application rarely uses
// at run time. Every node pulls it, and every package in it is one more CVE to triage. The
// -slim variant has the same runtime on a minimal Debian.
export const rule: DockerfileRule = {
  meta: {
    id: "final-stage-full-base",
    description: "The final image is based on a full image (node:22, python:3.11, debian:bookworm...) where a -slim variant exists.",
    impact: "high",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const final = dockerfile.stages.at(-1);
    if (!final || isNonProductionDockerfile(dockerfile)) return [];
    // The FROM that names the image: the final stage's own, or the stage its FROM <stage> chain starts at.
    const root = rootImageStage(dockerfile, final);
    const base = root ? classifyBaseImage(root.base) : undefined;
    if (!root || base?.kind !== "full") return [];
    const saving = variantSavingMB(base.image, "full", "slim");
    const compilers = ["node", "python", "ruby"].includes(base.image) ? ", with compilers, headers and build libraries the application does not run with" : "";
    const report: RuleReport = {
      message:
        `the final image is based on ${root.base.resolved}, the full variant${compilers}: use ${base.slimReference}` +
        `${compilers ? " and build native extensions in a build stage on the full image if you need them" : ", installing the few packages you need"}`,
      line: root.from.span.start.line,
    };
    if (saving !== undefined) report.estimatedSavingMB = saving;
    return [report];
  },
};
