// The multi-stage rewrite planner: from a single-stage Dockerfile and its build context to a
// Dockerfile with a dependencies stage (manifests only, cache mounts), a build stage and a
// slim or distroless runtime of the same runtime version. Pure: reads only its arguments.
// What the planner cannot be sure about goes to `review`, so a rewrite is never applied blindly.
import type { DockerfileModel } from "../dockerfile/model.ts";
import type { BuildContext, RepositoryView } from "../repo/snapshot.ts";
import { contextFiles } from "./context.ts";
import { planDevStage } from "./dev.ts";
import type { DevTarget } from "./dev.ts";
import { planGo } from "./go/plan.ts";
import { planJava } from "./java/plan.ts";
import { isNodeBuild } from "./node/detect.ts";
import { planNode } from "./node/plan.ts";
import { readNodeProject } from "./node/project.ts";
import { readOriginal } from "./original.ts";
import { composeCommandReview } from "./compose-commands.ts";
import { composeBuildDockerfile } from "../repo/compose-service.ts";
import type { ComposeRuntime, PlannedStages, PlannerInput, RewriteEcosystem } from "./plan-types.ts";
import { planPython } from "./python/plan.ts";
import { renderDockerfile } from "./render.ts";
import type { PlanMessages } from "./runtime.ts";
import type { StagePlan } from "./render.ts";
import { planRust } from "./rust/plan.ts";
import { isStaticWebProject, planStaticWeb } from "./static-web/plan.ts";

export type { RewriteEcosystem } from "./plan-types.ts";
export type { DevTarget } from "./dev.ts";

export interface RewriteResult {
  /** The new Dockerfile text. */
  dockerfile: string;
  ecosystem: RewriteEcosystem;
  /** Things the planner could not be sure about (unknown output dir, unreadable scripts, native modules...). When non-empty the rewrite is marked for review, never applied silently. */
  review: string[];
  /** Short human explanation of what changed (stages, base images, what ships). */
  notes: string[];
  /** The `dev` stage, when asked for (`options.dev`) and the ecosystem has one, or when a development server was replaced. */
  dev?: DevTarget;
  /** The original ran a development server; the runtime stage runs a production server instead (verify's "dev-server" intent). */
  replacesDevServer?: boolean;
}

export interface PlanRewriteInput {
  dockerfile: DockerfileModel;
  buildContext: BuildContext | undefined;
  repository: RepositoryView;
  /** `dev`: add a development stage before the runtime stage (which stays last). */
  options?: { allowSyntaxFeatures?: boolean; dev?: boolean };
}

type Planner = (input: PlannerInput) => PlannedStages | undefined;

function planNodeOrStatic(input: PlannerInput): PlannedStages | undefined {
  if (!isNodeBuild(input.original)) return undefined;
  const project = readNodeProject(input.original, input.files, input.messages);
  if (!project) return undefined;
  return isStaticWebProject(input, project) ? planStaticWeb(input, project) : planNode(input, project);
}

/** Compiled languages first: their toolchain images are unambiguous, and a Go or Rust image may also carry Node for assets. */
const PLANNERS: Planner[] = [planGo, planRust, planJava, planPython, planNodeOrStatic];

/** undefined when the Dockerfile is not a single-stage build the planner understands (already multi-stage, unknown ecosystem...) or is already lean. Pure: reads only its arguments. */
export function planRewrite(input: PlanRewriteInput): RewriteResult | undefined {
  return planRewriteOrExplain(input).rewrite;
}

/** planRewrite, with the reason when a planner recognised the project but found it already lean (nothing worth a rewrite). */
export function planRewriteOrExplain(input: PlanRewriteInput): { rewrite?: RewriteResult; lean?: string } {
  const original = readOriginal(input.dockerfile);
  if (!original) return {};
  const files = contextFiles(input.repository, input.buildContext);
  const composeServices = composeServicesBuilding(input.repository, input.dockerfile.path);
  const options = { allowSyntaxFeatures: input.options?.allowSyntaxFeatures ?? false };
  for (const planner of PLANNERS) {
    // Each planner gets fresh messages: a planner that declines leaves no notes behind.
    const messages: PlanMessages = { review: [...original.review], notes: [] };
    const plannerInput: PlannerInput = { original, files, options, messages, composeServices };
    const planned = planner(plannerInput);
    if (!planned && messages.lean !== undefined) return { lean: messages.lean };
    if (!planned) continue;
    messages.review.push(...composeCommandReview(plannerInput, planned.ecosystem));
    // A replaced development server keeps the original command as the dev target, asked for or not.
    const dev = input.options?.dev || planned.devServer?.command.length ? planDevStage(plannerInput, planned) : undefined;
    const stages = keepStageName(dev ? [...planned.stages.slice(0, -1), dev.stage, ...planned.stages.slice(-1)] : planned.stages, original.stage.name);
    return {
      rewrite: {
        dockerfile: renderDockerfile(original.globalArgs, stages, options),
        ecosystem: planned.ecosystem,
        review: unique(messages.review),
        notes: unique(messages.notes),
        ...(dev ? { dev: dev.target } : {}),
        ...(planned.devServer?.command.length ? { replacesDevServer: true } : {}),
      },
    };
  }
  return {};
}

/**
 * The original's stage name (`FROM node:22 AS app`) goes on the runtime stage, so `docker build
 * --target app` and compose's `build.target: app` still build the image that runs. A stage of the
 * plan with that name is renamed, with its references (`FROM`, `--from=`, `from=`).
 */
export function keepStageName(stages: readonly StagePlan[], name: string | undefined): StagePlan[] {
  if (name === undefined || stages.length === 0) return [...stages];
  const taken = new Set(stages.map((stage) => stage.name).filter((stageName) => stageName !== undefined));
  let renamed: string | undefined;
  if (taken.has(name)) {
    renamed = `${name}-stage`;
    for (let counter = 2; taken.has(renamed); counter++) renamed = `${name}-stage-${counter}`;
  }
  const reference = new RegExp(`(--from=|\\bfrom=)${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=[\\s,]|$)`, "g");
  const result = stages.map((stage) => {
    if (renamed === undefined) return { ...stage };
    return {
      ...stage,
      ...(stage.name === name ? { name: renamed } : {}),
      from: stage.from === name ? renamed : stage.from,
      lines: stage.lines.map((line) => line.replace(reference, `$1${renamed}`)),
    };
  });
  const last = result[result.length - 1] as StagePlan;
  result[result.length - 1] = { ...last, name };
  return result;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** Compose services whose build uses this Dockerfile (repository path), with their environment and command. */
function composeServicesBuilding(repository: RepositoryView, dockerfile: string): ComposeRuntime[] {
  const services: ComposeRuntime[] = [];
  for (const compose of repository.composes) {
    for (const service of compose.services) {
      if (composeBuildDockerfile(compose, service) !== dockerfile) continue;
      const runtime: ComposeRuntime = { service: `${compose.path}: ${service.name}`, environment: service.environment };
      if (service.commandArgv !== undefined) runtime.command = service.commandArgv;
      if (service.entrypointArgv !== undefined) runtime.entrypoint = service.entrypointArgv;
      services.push(runtime);
    }
  }
  return services;
}
