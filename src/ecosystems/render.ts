// Writing the rewritten Dockerfile: stages of instruction lines, cache-mounted RUNs, exec-form
// commands, and the optional Dockerfile-syntax features (`# syntax=`, `COPY --link`) that the
// engine's built-in frontend 1.2 does not understand and so are only used when allowed.

export interface StagePlan {
  from: string;
  name?: string;
  /** One comment line above the FROM saying what the stage is for. */
  purpose: string;
  lines: string[];
}

export interface RenderOptions {
  allowSyntaxFeatures: boolean;
}

const SYNTAX_LINE = "# syntax=docker/dockerfile:1";

export function renderDockerfile(globalArgs: readonly string[], stages: readonly StagePlan[], options: RenderOptions): string {
  const blocks: string[] = [];
  const head: string[] = [];
  if (options.allowSyntaxFeatures) head.push(SYNTAX_LINE);
  head.push("# Rewritten by `shipshape fix --level rewrite` (dependencies, build and runtime stages); see docs/rewrites.md.");
  head.push(...globalArgs);
  blocks.push(head.join("\n"));
  for (const stage of stages) {
    const from = `FROM ${stage.from}${stage.name === undefined ? "" : ` AS ${stage.name}`}`;
    blocks.push([`# ${stage.purpose}`, from, ...stage.lines].join("\n"));
  }
  return `${blocks.join("\n\n")}\n`;
}

/** `RUN --mount=type=cache,target=A --mount=type=cache,target=B command`, continued over lines when long. */
export function cachedRun(cacheTargets: readonly string[], command: string, extraMounts: readonly string[] = []): string {
  const mounts = [...cacheTargets.map((target) => `--mount=type=cache,target=${target}`), ...extraMounts];
  const single = `RUN ${[...mounts, command].join(" ")}`;
  if (single.length <= 100) return single;
  return `RUN ${mounts.join(" \\\n    ")} \\\n    ${command}`;
}

/** A COPY from another stage; `--link` when the Dockerfile may use syntax features. */
export function copyFrom(stage: string, source: string, destination: string, options: RenderOptions, chown?: string): string {
  const flags = [options.allowSyntaxFeatures ? "--link" : undefined, chown === undefined ? undefined : `--chown=${chown}`, `--from=${stage}`].filter((flag) => flag !== undefined);
  return `COPY ${flags.join(" ")} ${source} ${destination}`;
}

/**
 * apt packages installed with the package cache and lists in BuildKit cache mounts (shared
 * between stages and builds, never in a layer). docker-clean is switched off first, or apt
 * would empty the cache after each install; the lists stay in the mount, out of the image.
 */
export function aptInstall(packages: readonly string[]): string {
  return [
    "RUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache",
    "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y --no-install-recommends " + packages.join(" "),
  ].join("\n");
}

/** Exec form as Docker writes it: a JSON array. */
export function execForm(argv: readonly string[]): string {
  return `[${argv.map((word) => JSON.stringify(word)).join(", ")}]`;
}

/**
 * The words of a shell-form command when running them without a shell means the same thing:
 * plain words only (no quotes, expansions, redirections, operators, globs or assignments).
 */
export function plainWords(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (trimmed === "" || /[$`'"\\|&;<>(){}*?~[\]#!]/.test(trimmed)) return undefined;
  const words = trimmed.split(/\s+/);
  if (words.some((word) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(word))) return undefined;
  return words;
}

/** A COPY source list plus destination, quoting nothing (paths here never hold spaces). */
export function copyLine(sources: readonly string[], destination: string): string {
  return `COPY ${[...sources, destination].join(" ")}`;
}

/** A word for a regenerated shell command: as is when plain, else double-quoted (parameter expansions written as `${VAR}` still expand). */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./${}-]+$/.test(word)) return word;
  return `"${word.replace(/["\\`]/g, (character) => `\\${character}`)}"`;
}
