// The contract between index.ts and the per-ecosystem planners.
import type { ContextFiles } from "./context.ts";
import type { OriginalBuild } from "./original.ts";
import type { RenderOptions, StagePlan } from "./render.ts";
import type { PlanMessages } from "./runtime.ts";

export type RewriteEcosystem = "node" | "static-web" | "python" | "go" | "rust" | "java";

/** A compose service that builds the Dockerfile being planned, with the environment it runs with. */
export interface ComposeRuntime {
  /** "docker-compose.yml: web". */
  service: string;
  /** null: "KEY" without a value, taken from the shell compose runs in. */
  environment: Readonly<Record<string, string | null>>;
  /** `command:` / `entrypoint:` as argv: what compose runs instead of the image's own CMD/ENTRYPOINT. */
  command?: readonly string[];
  entrypoint?: readonly string[];
}

export interface PlannerInput {
  original: OriginalBuild;
  files: ContextFiles;
  options: RenderOptions;
  messages: PlanMessages;
  /** Compose services built from this Dockerfile (their run-time environment matters to a static bundle). */
  composeServices?: readonly ComposeRuntime[];
}

export interface PlannedStages {
  ecosystem: RewriteEcosystem;
  stages: StagePlan[];
  /**
   * The original started a development server that the runtime stage replaced with a production
   * one: the `dev` target keeps the original command (and is added even without `--dev`).
   */
  devServer?: DevServerTarget;
  /** Lines that give a `dev` stage every dependency when the plan has no stage to start it from (a Node project without a build). */
  devInstall?: string[];
}

export interface DevServerTarget {
  /** The original startup command (argv). */
  command: string[];
  /** Lines the dev stage runs before copying the sources: global dev tools, the original's node_modules move. */
  setup: string[];
  /** Whether node_modules was moved out of the application directory (a bind mount then hides nothing). */
  nodeModulesMoved: boolean;
}

/** The directory the application lives in: the original WORKDIR, or /app when it set none. */
export function applicationDirectory(input: PlannerInput): string {
  const { original, messages } = input;
  if (original.hasWorkdir && original.workdir !== "/") return original.workdir;
  messages.notes.push("The original sets no WORKDIR; the rewrite builds and runs in /app.");
  return "/app";
}

/** Review notes for COPY instructions that put the context somewhere other than the application directory, or copy single files. */
export function checkCopies(input: PlannerInput, workdir: string): void {
  const { original, messages } = input;
  original.copies.forEach((copy, index) => {
    if (copy.from !== undefined) return;
    const destination = (original.copyDestinations[index] ?? copy.destination).replace(/(?<!\/)\/+$/, "") || "/";
    const root = workdir.replace(/(?<!\/)\/+$/, "");
    const intoWorkdir = destination === root || destination.startsWith(`${root}/`);
    const whole = copy.sources.some((source) => source === "." || source === "./");
    if (intoWorkdir) return;
    if (whole && destination === "/" && original.hasWorkdir) {
      // `COPY . .` before the WORKDIR puts the project in /; npm and node find it there by walking up, so it worked by accident.
      messages.notes.push(`The original copies the build context to / (its \`COPY ${copy.sources.join(" ")} ${copy.destination}\` comes before \`WORKDIR ${original.workdir}\`); the rewrite copies it into ${workdir}, where every command runs.`);
      return;
    }
    if (whole) messages.review.push(`The original copies the build context to ${copy.destination}; the rewrite copies it to ${workdir}.`);
    else messages.review.push(`\`COPY ${copy.sources.join(" ")} ${copy.destination}\` puts files outside ${workdir}; the rewrite copies the build context into ${workdir} only.`);
  });
}
