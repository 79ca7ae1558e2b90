// Which images are a project's: what clean-up may touch, and what it must leave alone. Read from
// the repository, never from the engine:
// - the images shipshape builds (`<prefix>/<repository>-<target>`; they also carry the label
//   shipshape.project=<repository>);
// - compose services that build: their `image:` name, else compose's own `<project>-<service>`;
// - base images: every FROM of the project's Dockerfiles and the `image:` of compose services
//   that only pull. They are kept unless --include-bases (the next build pulls them again).
import path from "node:path";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { interpolate } from "../repo/compose-environment.ts";
import { scanDirectory, scanFile } from "../repo/scan.ts";
import type { RepositoryView } from "../repo/snapshot.ts";
import { buildRepositoryView } from "../repo/view.ts";
import { buildTargetsFromView, imageTagFor, readDotenv, repositoryNameOf } from "../builds/targets.ts";
import { composeProjectName, normalizeReference, repositoryOf } from "./references.ts";
import fs from "node:fs";
import { UsageError } from "../errors.ts";

export { PROJECT_LABEL } from "../builds/run-builds.ts";

export interface ProjectScope {
  /** The project's name: its directory's name, as in shipshape's tags and the project label. */
  project: string;
  /** Repositories (`name` without tag) whose images are the project's. */
  repositories: Set<string>;
  /** Base images (normalized references): kept unless --include-bases. */
  bases: Set<string>;
  /** Compose project names (for --aggressive's stopped containers: label com.docker.compose.project). */
  composeProjects: Set<string>;
  /** Build target names with their image repositories (budgets and cache status use them). */
  targets: { name: string; repository: string; dockerfile: string; contextDir: string }[];
}

export interface ScopeOptions {
  tagPrefix?: string;
  env?: NodeJS.ProcessEnv;
  /** An environment's compose file set (`--env`). */
  composeFiles?: string[];
}

/** Reads the repository at `root` (a directory or a Dockerfile). */
export function projectScope(root: string, options: ScopeOptions = {}): ProjectScope {
  const absolute = path.resolve(root);
  const stat = fs.statSync(absolute, { throwIfNoEntry: false });
  if (stat === undefined) throw new UsageError(`no such file or directory: ${root}`);
  if (stat.isDirectory()) return scopeFromView(buildRepositoryView(scanDirectory(absolute)), absolute, options);
  const { snapshot, target } = scanFile(absolute);
  return scopeFromView(buildRepositoryView(snapshot, { targets: [target] }), path.dirname(absolute), { ...options, dockerfilesOnly: true });
}

/** The pure part: a repository view and its directory. */
export function scopeFromView(view: RepositoryView, rootDir: string, options: ScopeOptions & { dockerfilesOnly?: boolean }): ProjectScope {
  const project = repositoryNameOf(rootDir);
  const repositories = new Set<string>();
  const bases = new Set<string>();
  const composeProjects = new Set<string>();
  const env = options.env ?? {};
  const targets = buildTargetsFromView(view, { rootDir, env, dotenv: readDotenv, ...(options.dockerfilesOnly ? { dockerfilesOnly: true } : {}), ...(options.composeFiles !== undefined ? { composeFiles: options.composeFiles } : {}) });
  const scopeTargets: ProjectScope["targets"] = [];
  for (const target of targets) {
    const repository = repositoryOf(imageTagFor(project, target.name, options.tagPrefix ?? "shipshape"));
    repositories.add(repository);
    scopeTargets.push({ name: target.name, repository, dockerfile: path.resolve(target.contextDir, target.dockerfile), contextDir: target.contextDir });
  }
  if (!options.dockerfilesOnly) {
    const composeFiles = options.composeFiles !== undefined ? new Set(options.composeFiles.map((file) => path.posix.normalize(file).replace(/^\.\//, ""))) : undefined;
    for (const compose of view.composes) {
      if (composeFiles !== undefined && !composeFiles.has(compose.path)) continue;
      const directory = path.resolve(rootDir, path.posix.dirname(compose.path));
      const composeProject = composeProjectName(directory);
      composeProjects.add(composeProject);
      const variables = { ...readDotenv(directory), ...env };
      for (const service of compose.services) {
        const image = service.image !== undefined ? interpolated(service.image, variables) : undefined;
        if (service.build !== undefined) {
          repositories.add(repositoryOf(image ?? `${composeProject}-${service.name}`));
        } else if (image !== undefined) {
          bases.add(normalizeReference(image));
        }
      }
    }
  }
  for (const dockerfile of view.dockerfiles) {
    const text = view.snapshot.texts.get(dockerfile);
    if (text === undefined) continue;
    let model;
    try {
      model = parseDockerfile(text, dockerfile);
    } catch {
      continue;
    }
    for (const stage of model.stages) {
      if (stage.baseStage !== undefined || stage.isScratch || stage.base.unresolved) continue;
      bases.add(normalizeReference(stage.base.resolved));
    }
  }
  return { project, repositories, bases, composeProjects, targets: scopeTargets };
}

function interpolated(text: string, variables: Record<string, string | undefined>): string {
  const result = interpolate(text, variables);
  return "error" in result ? text : result.value;
}
