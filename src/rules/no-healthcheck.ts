import type { CommandInstruction, ImageReference } from "../dockerfile/model.ts";
import { runtimeStages } from "../dockerfile/model.ts";
import { servicesBuilding } from "../repo/compose-service.ts";
import { isNonProductionDockerfile, officialImage, rootImageStage, startupCommands, startupInstructions } from "./support/runtime-image.ts";
import type { DockerfileRule } from "./types.ts";

// Without a HEALTHCHECK, Docker only knows whether the process exists: a server that deadlocks
// or lost its database stays "running". Compose's `depends_on: condition: service_healthy`,
// Swarm rolling updates and `docker ps` all rely on the health status. (Kubernetes ignores
// HEALTHCHECK and uses its own probes: say so with HEALTHCHECK NONE, or turn the rule off.)
export const rule: DockerfileRule = {
  meta: {
    id: "no-healthcheck",
    description: "The final image runs a service (EXPOSE, or a server command or base image) but declares no HEALTHCHECK.",
    impact: "low",
    category: "maintainability",
    scope: "dockerfile",
    hadolint: ["DL3057"],
    fixable: false,
  },
  check({ dockerfile, repository }) {
    const final = dockerfile.stages.at(-1);
    if (!final || isNonProductionDockerfile(dockerfile)) return [];
    const instructions = runtimeStages(dockerfile).flatMap((stage) => stage.instructions.filter((instruction) => !instruction.onbuild));
    // HEALTHCHECK NONE is a decision too.
    if (instructions.some((instruction) => instruction.keyword === "HEALTHCHECK")) return [];
    const base = rootImageStage(dockerfile, final)?.base;
    if (base && HEALTHCHECKED_BASES.has(base.name)) return [];
    const expose = instructions.find((instruction) => instruction.keyword === "EXPOSE");
    const startup = startupInstructions(dockerfile);
    const server = serverCommand([startup.entrypoint, startup.cmd]) ?? (startup.entrypoint || startup.cmd ? undefined : serverBase(base));
    if (!expose && !server) return [];
    // Compose services that build this Dockerfile and define their own healthcheck cover it.
    const services = servicesBuilding(repository).get(dockerfile.path) ?? [];
    if (services.length > 0 && services.every((service) => service.hasHealthcheck || service.healthcheckDisabled)) return [];
    const what = server ?? `a service (EXPOSE ${expose?.argumentText ?? ""})`;
    return [
      {
        message:
          `the final image runs ${what} but declares no HEALTHCHECK, so Docker cannot tell a hung process from a healthy one (compose depends_on: service_healthy, Swarm rollouts): ` +
          "add `HEALTHCHECK CMD <a request to the service>` (a small binary or script when the image has no curl), or `HEALTHCHECK NONE` when an orchestrator's probes handle it",
        line: final.from.span.start.line,
      },
    ];
  },
};

/** Vendor images that already declare a HEALTHCHECK the final image inherits. */
const HEALTHCHECKED_BASES = new Set(["gitlab/gitlab-ce", "gitlab/gitlab-ee"]);

/** Programs that serve requests until stopped. Ambiguous launchers (`node app.js`, `java -jar`) need an EXPOSE to count. */
const SERVERS = new Set(["nginx", "httpd", "apache2-foreground", "apache2ctl", "caddy", "traefik", "haproxy", "gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "granian", "uwsgi", "puma", "unicorn", "php-fpm", "catalina.sh", "http-server", "serve", "next", "remix-serve"]);

function serverCommand(instructions: (CommandInstruction | undefined)[]): string | undefined {
  for (const instruction of instructions) {
    if (!instruction) continue;
    for (const command of startupCommands(instruction)) {
      const words = command.args.filter((arg) => !arg.startsWith("-"));
      if (command.name === "next" && words[0] !== "start") continue;
      if (SERVERS.has(command.name) || /^php-fpm\d/.test(command.name)) return command.name;
      if ((command.name === "rails" || command.name === "bundle") && words.some((word) => word === "server" || word === "s")) return "rails server";
      if (command.name === "flask" && words[0] === "run") return "flask run";
      if (/^python/.test(command.name) && words.includes("runserver")) return "manage.py runserver";
      if (command.name === "node" && /(^|\/)server\.[cm]?[jt]s$/.test(words[0] ?? "")) return `node ${words[0]}`;
    }
  }
  return undefined;
}

/** Official images whose default command is a server, inherited when the Dockerfile sets no CMD/ENTRYPOINT. */
function serverBase(base: ImageReference | undefined): string | undefined {
  if (!base) return undefined;
  const official = officialImage(base);
  const tag = base.tag ?? "";
  if (official && ["nginx", "httpd", "caddy", "traefik", "haproxy", "tomcat", "jetty"].includes(official)) return `${official} (from ${base.resolved})`;
  if (official === "php" && /apache|fpm/.test(tag)) return `php ${/apache/.test(tag) ? "with Apache" : "FPM"} (from ${base.resolved})`;
  if (base.name === "nginxinc/nginx-unprivileged") return `nginx (from ${base.resolved})`;
  return undefined;
}
