import { toolchainSavingMB } from "./estimates.ts";
import { classifyBaseImage, isNonProductionDockerfile, rootImageStage } from "./support/runtime-image.ts";
import type { DockerfileRule } from "./types.ts";

// Compiler and SDK images (golang, rust, maven, JDKs, dotnet/sdk) are built to produce
// artifacts, not to run them: the toolchain, its caches and a full OS are hundreds of MB on top
// of a binary or jar that runs on a runtime image of a few MB (distroless) to a few hundred
// (a JRE). Shipping the toolchain also ships a compiler to anyone who gets a shell.
export const rule: DockerfileRule = {
  meta: {
    id: "final-stage-toolchain-image",
    description: "The final image is a toolchain image (golang, rust, maven, gradle, a JDK, dotnet/sdk...) instead of a runtime image.",
    impact: "high",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const final = dockerfile.stages.at(-1);
    if (!final || isNonProductionDockerfile(dockerfile)) return [];
    const root = rootImageStage(dockerfile, final);
    const base = root ? classifyBaseImage(root.base) : undefined;
    if (!root || base?.kind !== "toolchain") return [];
    return [
      {
        message:
          `the final image is based on ${root.base.resolved}, a toolchain image: build in a stage FROM it and copy only the artifact into a runtime image such as ${base.runtime}`,
        line: root.from.span.start.line,
        estimatedSavingMB: toolchainSavingMB(base.image, root.base.tag),
      },
    ];
  },
};
