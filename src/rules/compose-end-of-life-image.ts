import { parseImageReference } from "../dockerfile/image-ref.ts";
import { endedReleases } from "./end-of-life-base-image.ts";
import { joinWithAnd } from "../format/index.ts";
import type { ComposeRule, RuleReport } from "./types.ts";

// The same end-of-life table as end-of-life-base-image, for the images a compose file runs as
// they are: the database, cache and queue services (postgres:9.4, mongo:4) that no Dockerfile
// names. They hold the data and face the network, and get no security fixes any more.
export const rule: ComposeRule = {
  meta: {
    id: "compose-end-of-life-image",
    description: "A compose service runs an image (image: without build:) whose release is past its end of life (postgres:9.4, mongo:4, node:16...).",
    impact: "medium",
    category: "security",
    scope: "compose",
    hadolint: [],
    fixable: false,
  },
  check({ compose }) {
    const reports: RuleReport[] = [];
    for (const service of compose.services) {
      // With build:, image: names the image being built, not one that is pulled.
      if (service.build || service.image === undefined || service.image.includes("$")) continue;
      const ended = endedReleases(parseImageReference(service.image));
      if (ended.length === 0) continue;
      reports.push({
        line: service.imageLine ?? service.line,
        message: `Service ${service.name} runs ${service.image}: ${joinWithAnd(ended)}, so it gets no security fixes: move to a supported release (for a database, with a dump and restore or its upgrade tool)`,
      });
    }
    return reports;
  },
};
