import { serviceUsesMergeKey } from "../repo/compose-service.ts";
import type { ComposeRule, RuleReport } from "./types.ts";

// Without limits a container may take all the host's memory and CPU: one leak or busy loop
// slows or OOM-kills every other service on the machine, and nothing tells you which one
// grew. Limits also document what a service needs, which is what capacity planning starts from.
// Impact low: measured on 48 real compose files it fires on 97 of 108 services (only one sets a
// limit), so at medium it drowned the findings that differ between projects (see its docs page).
export const rule: ComposeRule = {
  meta: {
    id: "compose-no-resource-limits",
    description: "A compose service has no memory or CPU limit (deploy.resources.limits, mem_limit or cpus).",
    impact: "low",
    category: "compose",
    scope: "compose",
    hadolint: [],
    fixable: false,
  },
  check({ compose, repository }) {
    const text = repository.snapshot.texts.get(compose.path);
    const reports: RuleReport[] = [];
    for (const service of compose.services) {
      // Development services run on a laptop next to an editor; limits there are a matter of taste.
      if (service.hasResourceLimits || service.isDevelopment || serviceUsesMergeKey(text, compose, service)) continue;
      reports.push({
        line: service.line,
        message: `Service ${service.name} has no memory or CPU limit: one leak can starve every service on the host; set deploy.resources.limits (memory, cpus), which docker compose applies, or mem_limit/cpus`,
      });
    }
    return reports;
  },
};
