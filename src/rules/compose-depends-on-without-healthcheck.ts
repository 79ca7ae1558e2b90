import type { DockerfileModel, Stage } from "../dockerfile/model.ts";
import type { ComposeService } from "../repo/compose.ts";
import { composeBuildDockerfile, serviceUsesMergeKey } from "../repo/compose-service.ts";
import type { ComposeRule, RuleReport } from "./types.ts";

/** Readiness probes for common dependency images, for the message. */
const HEALTHCHECK_EXAMPLES: [RegExp, string][] = [
  [/(^|\/)(postgres|postgis|timescaledb)/, `["CMD-SHELL", "pg_isready -U postgres"]`],
  [/(^|\/)(mysql|mariadb)/, `["CMD", "mysqladmin", "ping", "-h", "localhost"]`],
  [/(^|\/)(redis|valkey|keydb)/, `["CMD", "redis-cli", "ping"]`],
  [/(^|\/)mongo/, `["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping')"]`],
  [/(^|\/)rabbitmq/, `["CMD", "rabbitmq-diagnostics", "-q", "ping"]`],
];

// `depends_on: [db]` only orders container start: the app starts while the database is still
// initialising, fails its first connections and crash-loops or, worse, caches a broken state.
// Compose waits for readiness only with a healthcheck on the dependency and
// `condition: service_healthy` on the dependent.
export const rule: ComposeRule = {
  meta: {
    id: "compose-depends-on-without-healthcheck",
    description: "depends_on on a service without a healthcheck, or without condition: service_healthy: start order is not readiness.",
    impact: "medium",
    category: "compose",
    scope: "compose",
    hadolint: [],
    fixable: false,
  },
  check({ compose, repository, dockerfiles }) {
    const text = repository.snapshot.texts.get(compose.path);
    const byName = new Map(compose.services.map((service) => [service.name, service]));
    const reports: RuleReport[] = [];
    for (const service of compose.services) {
      for (const dependency of service.dependsOn) {
        const target = byName.get(dependency.service);
        // Services from other files, and conditions that already say what they wait for.
        if (!target || dependency.condition === "service_healthy" || dependency.condition === "service_completed_successfully") continue;
        const model = target.build ? dockerfiles.get(composeBuildDockerfile(compose, target) ?? "") : undefined;
        const healthy = !target.healthcheckDisabled && (target.hasHealthcheck || (model !== undefined && imageHasHealthcheck(model, target)));
        if (!healthy && serviceUsesMergeKey(text, compose, target)) continue;
        if (healthy) {
          reports.push({
            line: dependency.line,
            message: `Service ${service.name} depends on ${target.name} without condition: service_healthy, so Compose starts it as soon as ${target.name}'s container starts, not when its healthcheck passes: use depends_on: {${target.name}: {condition: service_healthy}}`,
          });
        } else {
          const example = HEALTHCHECK_EXAMPLES.find(([pattern]) => pattern.test(target.image ?? ""))?.[1];
          reports.push({
            line: dependency.line,
            message:
              `Service ${service.name} depends on ${target.name}, which has no healthcheck: Compose only waits for the container to start, not for ${target.name} to be ready; ` +
              `add a healthcheck to ${target.name}${example ? ` (test: ${example})` : ""} and depend on it with condition: service_healthy`,
          });
        }
      }
    }
    return reports;
  },
};

/** A HEALTHCHECK in the built stage or the stages it builds FROM (the last one wins; NONE disables). */
function imageHasHealthcheck(model: DockerfileModel, service: ComposeService): boolean {
  const targetName = service.build?.target?.toLowerCase();
  let stage: Stage | undefined = targetName === undefined ? model.stages.at(-1) : model.stages.find((candidate) => candidate.name === targetName);
  while (stage) {
    const healthcheck = stage.instructions.filter((instruction) => instruction.keyword === "HEALTHCHECK").at(-1);
    if (healthcheck) return !/^none\b/i.test(healthcheck.argumentText);
    stage = stage.baseStage === undefined ? undefined : model.stages[stage.baseStage];
  }
  return false;
}
