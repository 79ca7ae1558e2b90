import type { DockerfileModel } from "../dockerfile/model.ts";
import { isCopyOrAdd, isRun } from "../dockerfile/model.ts";
import { parseImageReference } from "../dockerfile/image-ref.ts";
import type { DockerfileRule, TextEdit } from "./types.ts";

// `# syntax=docker/dockerfile:1` tells BuildKit to parse the file with a frontend image instead
// of the one built into the Docker Engine: before each build it resolves the tag on Docker Hub
// and pulls the image when it is not cached. Builds without access to Docker Hub (air-gapped CI,
// registry outages, rate limits) fail before the first instruction, and every build pays the
// lookup. Worth it only when the file uses syntax the built-in frontend may lack.
export const rule: DockerfileRule = {
  meta: {
    id: "syntax-directive-needs-registry",
    description: "A `# syntax=docker/dockerfile` directive makes every build fetch the frontend from Docker Hub although the file uses no feature that needs it.",
    impact: "low",
    category: "speed",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    const directive = dockerfile.directives.find((candidate) => candidate.name === "syntax");
    if (!directive || dockerfile.stages.length === 0) return [];
    const frontend = parseImageReference(directive.value.trim());
    // Only Docker's own frontend from Docker Hub: a mirrored copy already avoids the registry, other frontends are needed.
    if (frontend.name !== "docker/dockerfile" || (frontend.registry !== undefined && frontend.registry !== "docker.io")) return [];
    // Labs channels exist for features the stable frontend does not have.
    if (/labs/i.test(frontend.tag ?? "")) return [];
    if (newerSyntaxUsed(dockerfile)) return [];
    return [
      {
        message:
          `# syntax=${directive.value.trim()} makes BuildKit look up (and pull, when not cached) the frontend image on Docker Hub before every build: it fails without registry access and adds latency. ` +
          "This file uses no syntax that needs it (heredocs, COPY --link, ADD --checksum, COPY --exclude or --parents would); RUN --mount works with the frontend built into Docker Engine 20.10 and later: remove the line",
        line: directive.line,
        fix: [removeLine(dockerfile, directive.line)],
      },
    ];
  },
};

/** Syntax that older built-in frontends reject, so pinning a frontend keeps the file portable. */
function newerSyntaxUsed(model: DockerfileModel): boolean {
  if (model.directives.some((directive) => directive.name === "check")) return true;
  return model.instructions.some((instruction) => {
    if (isRun(instruction) || isCopyOrAdd(instruction)) {
      if (instruction.heredocs.length > 0) return true;
    }
    if (isCopyOrAdd(instruction)) {
      if (instruction.flags.some((flag) => ["link", "checksum", "exclude", "parents", "keep-git-dir", "unpack"].includes(flag.name))) return true;
      if (instruction.keyword === "ADD" && instruction.sources.some((source) => /^git@|\.git(#.*)?$/.test(source))) return true;
    }
    if (isRun(instruction)) {
      if (instruction.flags.some((flag) => flag.name === "network" || flag.name === "security" || flag.name === "device")) return true;
      if (instruction.mounts.some((mount) => mount.options.env !== undefined)) return true;
    }
    // `${VAR#prefix}`, `${VAR%suffix}`, `${VAR/a/b}` outside RUN: expansion forms only recent frontends know.
    return !isRun(instruction) && /\$\{[A-Za-z_][A-Za-z0-9_]*(#|%|\/)/.test(instruction.argumentText);
  });
}

/** Deletes a whole line, its line break included. */
function removeLine(model: DockerfileModel, line: number): TextEdit {
  const start = model.lineStarts[line - 1] ?? 0;
  const end = model.lineStarts[line] ?? model.text.length;
  return { start, end, text: "" };
}
