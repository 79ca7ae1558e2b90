import type { Stage } from "../dockerfile/model.ts";
import { joinWithAnd } from "../format/index.ts";
import { composeBuildDockerfile } from "../repo/compose-service.ts";
import type { ComposeRule, RuleReport } from "./types.ts";

/** A last stage with one of these names is a development or test image, not what should run. */
const NON_RUNTIME_STAGE = /(^|[-_])(dev|develop|development|test|tests|testing|debug|ci|lint)([-_]|$)/;

// Without `target:` Compose builds the Dockerfile's last stage. In a Dockerfile with several
// targets (dev, test, prod...) that is whichever happens to come last: reorder the file or
// append a `test` stage and the service silently runs a different image. A plain multi-stage
// build (build stages feeding one final stage) has a single meaningful target and is fine.
export const rule: ComposeRule = {
  meta: {
    id: "compose-build-without-target",
    description: "A compose service builds a Dockerfile with several possible targets without naming one in build.target.",
    impact: "medium",
    category: "compose",
    scope: "compose",
    hadolint: [],
    fixable: false,
  },
  check({ compose, dockerfiles }) {
    const reports: RuleReport[] = [];
    for (const service of compose.services) {
      if (!service.build || service.build.target !== undefined) continue;
      const dockerfilePath = composeBuildDockerfile(compose, service);
      const model = dockerfilePath === undefined ? undefined : dockerfiles.get(dockerfilePath);
      const last = model?.stages.at(-1);
      if (!model || !last || model.stages.length < 2) continue;
      // Leaves: stages nothing else builds on or copies from, i.e. the images one would build.
      const leaves = model.stages.filter((stage) => !stage.usedByLaterStages);
      const lastIsNotRuntime = last.name !== undefined && NON_RUNTIME_STAGE.test(last.name);
      if (leaves.length < 2 && !lastIsNotRuntime) continue;
      const why =
        leaves.length >= 2
          ? `it has ${leaves.length} possible targets (${joinWithAnd(leaves.map(stageLabel))}) and Compose builds the last one, ${stageLabel(last)}`
          : `Compose builds its last stage, ${stageLabel(last)}, which looks like a development or test image`;
      reports.push({
        line: service.build.line,
        message: `Service ${service.name} builds ${dockerfilePath} without build.target: ${why}; set target: to the stage this service should run`,
      });
    }
    return reports;
  },
};

function stageLabel(stage: Stage): string {
  return stage.name ?? `stage #${stage.index}`;
}
