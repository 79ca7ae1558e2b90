// In which order, and how many at once, `shipshape build` builds a repository's images. Images
// that do not depend on each other build concurrently, up to a limit (--parallel N), as
// `docker compose build` and `docker buildx bake` do; an image waits for the images it depends
// on: a FROM naming another target's image, compose's depends_on, additional_contexts with
// `service:NAME`. An image whose dependency failed is not built. Pure: no engine, no clock; the
// caller passes the function that builds one image.
import os from "node:os";
import { UsageError } from "../errors.ts";

/** What the scheduler needs to know about one image. */
export interface ScheduledImage {
  name: string;
  /** The names the built image is tagged with (shipshape's tag, compose's `image:`). */
  tags: readonly string[];
  /** Base images its Dockerfile names in FROM (after the last FROM-less ARG defaults are known or not). */
  fromImages: readonly string[];
  /** Other images (by name) to build first, declared in compose (depends_on, additional_contexts). */
  after: readonly string[];
}

/** The default for --parallel: as many builds as cores, at most 4 (builds share the engine's CPUs). */
export function defaultParallelism(cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.min(4, cores));
}

/**
 * An image reference in one spelling, so that `FROM app` finds the image tagged `app:latest`
 * and `docker.io/library/app:latest`.
 */
export function normalizeImageReference(reference: string): string {
  let name = reference.trim();
  let digest = "";
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at);
    name = name.slice(0, at);
  }
  const lastSlash = name.lastIndexOf("/");
  const hasTag = name.lastIndexOf(":") > lastSlash;
  if (!hasTag && digest === "") name = `${name}:latest`;
  name = name.replace(/^(?:docker\.io|index\.docker\.io)\//, "");
  if (!name.slice(0, name.lastIndexOf(":") > 0 ? name.lastIndexOf(":") : name.length).includes("/")) name = `library/${name}`;
  return `${name}${digest}`.toLowerCase();
}

/**
 * The base images a Dockerfile's FROM lines name, without stage names (`FROM build`) and
 * without references that still hold an unresolved `$VARIABLE`.
 */
export function fromImagesOf(dockerfile: string): string[] {
  const images: string[] = [];
  const stages = new Set<string>();
  // Line continuations are joined first: `FROM \` on its own line happens.
  const text = dockerfile.replace(/\\\r?\n/g, " ");
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*from\s+((?:--\S+\s+)*)(\S+)(?:\s+as\s+(\S+))?/i.exec(line);
    if (!match) continue;
    const image = match[2] ?? "";
    if (!stages.has(image.toLowerCase()) && !image.includes("$") && image.toLowerCase() !== "scratch") images.push(image);
    if (match[3] !== undefined) stages.add(match[3].toLowerCase());
  }
  return images;
}

/** For each image, the other images it waits for (by name), in the order they were listed. */
export function buildDependencies(images: readonly ScheduledImage[]): Map<string, string[]> {
  const byTag = new Map<string, string>();
  for (const image of images) for (const tag of image.tags) byTag.set(normalizeImageReference(tag), image.name);
  const names = new Set(images.map((image) => image.name));
  const dependencies = new Map<string, string[]>();
  for (const image of images) {
    const wanted = new Set<string>();
    for (const base of image.fromImages) {
      const builder = byTag.get(normalizeImageReference(base));
      if (builder !== undefined) wanted.add(builder);
    }
    // A dependency that is not being built (--service picked a subset) is not waited for.
    for (const name of image.after) if (names.has(name)) wanted.add(name);
    wanted.delete(image.name);
    dependencies.set(image.name, [...wanted]);
  }
  return dependencies;
}

/** A dependency cycle as a path (`a -> b -> a`), or undefined. */
export function findCycle(dependencies: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dependency of dependencies.get(name) ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of dependencies.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

export interface ScheduleOptions<T> {
  /** How many builds run at once (>= 1). */
  parallel: number;
  /** Whether a finished build counts as built (its dependents may start). */
  succeeded: (result: T) => boolean;
  /** The result for an image that is not built because `dependency` failed or was not built. */
  notBuilt: (name: string, dependency: string) => T;
  /** Stop starting new builds (already started ones finish). */
  signal?: AbortSignal;
}

/**
 * Runs `build` for every image, at most `parallel` at once, each only after its dependencies
 * built. Images start in list order whenever a slot is free. Results come back in list order;
 * images not started (aborted) are left out.
 */
export async function runScheduled<T>(names: readonly string[], dependencies: ReadonlyMap<string, readonly string[]>, build: (name: string) => Promise<T>, options: ScheduleOptions<T>): Promise<T[]> {
  if (!Number.isInteger(options.parallel) || options.parallel < 1) throw new RangeError(`parallel must be a whole number >= 1, got ${options.parallel}`);
  const cycle = findCycle(dependencies);
  if (cycle) throw new UsageError(`these images depend on each other, none can be built first: ${cycle.join(" -> ")}`);
  const results = new Map<string, T>();
  /** Built (true) or failed/not built (false). */
  const outcome = new Map<string, boolean>();
  const waiting = [...names];
  let running = 0;

  return new Promise<T[]>((resolve, reject) => {
    const finish = (): void => resolve(names.filter((name) => results.has(name)).map((name) => results.get(name) as T));
    const pump = (): void => {
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (let index = 0; index < waiting.length; index++) {
          const name = waiting[index] as string;
          const dependencyNames = (dependencies.get(name) ?? []).filter((dependency) => names.includes(dependency));
          const failed = dependencyNames.find((dependency) => outcome.get(dependency) === false);
          if (failed !== undefined) {
            // Not built either: its own dependents are released (as failed) in the same pass.
            waiting.splice(index, 1);
            results.set(name, options.notBuilt(name, failed));
            outcome.set(name, false);
            progressed = true;
            break;
          }
          if (running >= options.parallel || options.signal?.aborted) continue;
          if (!dependencyNames.every((dependency) => outcome.get(dependency) === true)) continue;
          waiting.splice(index, 1);
          running++;
          progressed = true;
          build(name).then(
            (result) => {
              running--;
              results.set(name, result);
              outcome.set(name, options.succeeded(result));
              pump();
            },
            (error: unknown) => {
              // An engine that went away: nothing more can be built.
              waiting.length = 0;
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
          break;
        }
      }
      if (running === 0 && (waiting.length === 0 || options.signal?.aborted)) finish();
    };
    pump();
  });
}
