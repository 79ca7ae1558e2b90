import type { DockerfileModel, ImageReference, Instruction, Stage } from "../dockerfile/model.ts";
import { runtimeStages } from "../dockerfile/model.ts";
import { substituteVariables } from "../dockerfile/image-ref.ts";
import { environmentAt } from "./support/package-hygiene.ts";
import { isNonProductionDockerfile, officialImage, rootImageStage, startupCommands, startupInstructions } from "./support/runtime-image.ts";
import type { DockerfileRule } from "./types.ts";

// A container process running as root is root on the host's kernel: a remote code execution
// bug or a container escape starts with every capability the runtime leaves it, it can write
// anywhere in the image, and clusters that enforce `runAsNonRoot` (Pod Security "restricted")
// refuse to start it. An unprivileged USER costs one line.
export const rule: DockerfileRule = {
  meta: {
    id: "runs-as-root",
    description: "The final image runs as root: no USER instruction (on a base that defaults to root), or the last USER is root.",
    impact: "medium",
    category: "security",
    scope: "dockerfile",
    hadolint: ["DL3002"],
    fixable: false,
  },
  check({ dockerfile }) {
    const final = dockerfile.stages.at(-1);
    if (!final || isNonProductionDockerfile(dockerfile)) return [];
    let lastUser: { instruction: Instruction; stage: Stage } | undefined;
    for (const stage of runtimeStages(dockerfile)) {
      for (const instruction of stage.instructions) if (instruction.keyword === "USER" && !instruction.onbuild) lastUser = { instruction, stage };
    }
    if (lastUser) {
      const { instruction, stage } = lastUser;
      const written = instruction.args[0] ?? "";
      const { text, unresolved } = substituteVariables(written, new Map(environmentAt(dockerfile, stage, instruction)));
      const user = text.split(":")[0] ?? "";
      if (unresolved || (user !== "root" && user !== "0")) return [];
      return [
        {
          message: `the last USER is ${written}${written !== text ? ` (${text})` : ""}, so the container runs as root: switch back to an unprivileged user after the steps that need root`,
          line: instruction.span.start.line,
        },
      ];
    }
    const base = rootImageStage(dockerfile, final)?.base;
    if (base && defaultsToNonRoot(base)) return [];
    if (dropsPrivileges(dockerfile)) return [];
    return [
      {
        message: `the final image sets no USER, so it runs as root${base ? ` (${base.resolved} defaults to root)` : " (FROM scratch has no other user)"}: ${suggestion(base)}`,
        line: final.from.span.start.line,
      },
    ];
  },
};

/**
 * Base images whose default user is not root. Kept small and documented: distroless `nonroot`
 * tags (uid 65532), Chainguard images other than -dev tags and wolfi-base, .NET chiseled
 * images (user `app`), and nginxinc/nginx-unprivileged.
 */
function defaultsToNonRoot(base: ImageReference): boolean {
  const tag = base.tag ?? "";
  if (base.registry === "gcr.io" && base.name.startsWith("distroless/")) return tag.includes("nonroot");
  if (base.registry === "cgr.dev" && base.name.startsWith("chainguard/")) return !/(^|-)dev($|-)/.test(tag) && !/\/(wolfi-base|busybox)$/.test(base.name);
  if (base.registry === "mcr.microsoft.com" && base.name.startsWith("dotnet/")) return tag.includes("chiseled");
  return base.name === "nginxinc/nginx-unprivileged";
}

/** Entrypoints that start as root on purpose and then drop to another user (gosu, su-exec...). */
function dropsPrivileges(dockerfile: DockerfileModel): boolean {
  const { entrypoint, cmd } = startupInstructions(dockerfile);
  return [entrypoint, cmd].some((instruction) => instruction !== undefined && startupCommands(instruction).some((command) => /^(gosu|su-exec|setpriv|s6-setuidgid|chpst|runuser|setuidgid)$/.test(command.name) || command.argv.some((word) => /^(gosu|su-exec|setpriv)$/.test(word))));
}

function suggestion(base: ImageReference | undefined): string {
  const official = base ? officialImage(base) : undefined;
  if (official === "node") return "add `USER node` (the node image ships that user) after the steps that need root";
  if (base?.registry === "gcr.io" && base.name.startsWith("distroless/")) return `use the ${base.name}:nonroot tag (or USER 65532)`;
  if (!base) return "add `USER 65532:65532` (any non-zero uid works without /etc/passwd)";
  return "create an unprivileged user (`RUN useradd --system --uid 10001 app`, or `adduser -S -u 10001 app` on Alpine) and add `USER app` after the steps that need root";
}
