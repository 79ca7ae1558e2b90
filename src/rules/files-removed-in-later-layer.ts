import path from "node:path";
import type { CopyInstruction, DockerfileModel, Instruction, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isCopyOrAdd, isRun, runtimeStages } from "../dockerfile/model.ts";
import type { BuildContext } from "../repo/snapshot.ts";
import { isAptUpdate, optionValue } from "./queries.ts";
import { commandIndex, globMatcher, hasMountFor, normalizePath, removalCovers, removedPaths, resolvePath, workdirAt } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";
import { formatBytes } from "../format/index.ts";

// Every instruction that changes files adds a layer, and layers only ever add: deleting a file
// in a later RUN records a "whiteout" that hides it, while the bytes stay in the earlier layer
// and are pulled with the image. `COPY big.tar.gz` + `RUN tar x && rm big.tar.gz` ships the
// archive anyway. The only ways out: never add the file (.dockerignore, a narrower COPY), add
// and delete it in the same RUN, or do the work in a build stage.
export const rule: DockerfileRule = {
  meta: {
    id: "files-removed-in-later-layer",
    description: "Files added by one instruction and deleted by a later RUN: the deletion hides them, the bytes stay in the image.",
    impact: "high",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext }) {
    const reports: RuleReport[] = [];
    let added: AddedPath[] = [];
    for (const stage of runtimeStages(dockerfile)) {
      for (const instruction of stage.instructions) {
        if (instruction.onbuild) continue;
        if (isRun(instruction)) {
          const workdir = workdirAt(dockerfile, stage, instruction);
          const removals = removalsOf(instruction, workdir);
          const hits = new Map<Instruction, Hit>();
          for (const removal of removals) {
            for (const entry of added) {
              const bytes = matchRemoval(removal, entry, buildContext);
              if (bytes === undefined) continue;
              const hit = hits.get(entry.instruction) ?? { removed: [], targets: [], how: entry, bytes: 0, sizeKnown: true };
              if (!hit.removed.includes(removal.written)) hit.removed.push(removal.written);
              // A deletion inside a copied directory names what it deletes; a wider one names what was added.
              const target = removalCovers(removal.path, entry.path) ? entry.path : removal.path;
              if (!hit.targets.includes(target)) hit.targets.push(target);
              hit.bytes += bytes;
              if (!isContextCopy(entry) || !buildContext) hit.sizeKnown = false;
              hits.set(entry.instruction, hit);
            }
          }
          for (const [source, hit] of hits) {
            // Known to be small (a script, a README): not worth a finding.
            if (hit.sizeKnown && hit.bytes < MIN_REPORTED_BYTES) continue;
            reports.push(report(instruction, source, hit));
          }
          // Whole paths that were removed are gone; later removals of them find nothing more.
          added = added.filter((entry) => !removals.some((removal) => removalCovers(removal.path, entry.path)));
          added.push(...runAdditions(instruction, workdir, removals));
        } else if (isCopyOrAdd(instruction)) {
          added.push(...copyAdditions(dockerfile, stage, instruction, buildContext));
        }
      }
    }
    return reports;
  },
};

interface AddedPath {
  /** Absolute path in the image. */
  path: string;
  instruction: Instruction;
  /** How it got there, for the message: "COPY", "curl", "git clone", "apt-get update". */
  how: "COPY" | "ADD" | "download" | "git clone" | "apt-get update";
  /** For a directory copied from the build context: the context directory it mirrors, to check deletions inside it. */
  contextDir?: string;
  /** For a single context file: its size. */
  bytes?: number;
}

interface Hit {
  /** Removed paths as written. */
  removed: string[];
  /** What the removal deletes of the added files. */
  targets: string[];
  /** The first matching addition: tells how the files got there. */
  how: AddedPath;
  bytes: number;
  /** All deleted bytes come from build-context files of known size. */
  sizeKnown: boolean;
}

const MIN_REPORTED_BYTES = 1_000_000;

function isContextCopy(entry: AddedPath): boolean {
  return entry.contextDir !== undefined || entry.bytes !== undefined;
}

interface Removal {
  /** As written in the script. */
  written: string;
  /** Absolute, maybe a glob. */
  path: string;
}

/** Paths the RUN deletes with rm / find -delete, resolved against WORKDIR; skipped after a `cd` or when a mount covers them. */
function removalsOf(run: RunInstruction, workdir: string | undefined): Removal[] {
  const removals: Removal[] = [];
  for (const command of run.shell.commands) {
    const cwd = changesDirectoryBefore(run, command) ? undefined : workdir;
    for (const written of removedPaths(command)) {
      if (/\$(?!HOME\b|\{HOME\})/.test(written) || written.includes("`")) continue;
      const resolved = resolvePath(written, cwd);
      if (resolved === undefined || resolved === "/" || hasMountFor(run, resolved, ["cache", "tmpfs", "bind", "secret"])) continue;
      removals.push({ written, path: resolved });
    }
  }
  return removals;
}

function changesDirectoryBefore(run: RunInstruction, command: ShellCommand): boolean {
  let first = firstDirectoryChange.get(run);
  if (first === undefined) {
    first = run.shell.commands.findIndex((each) => each.name === "cd" || each.name === "pushd");
    if (first < 0) first = Number.POSITIVE_INFINITY;
    firstDirectoryChange.set(run, first);
  }
  return commandIndex(run, command) > first;
}

/** Per RUN, the index of its first `cd`/`pushd` (asked for every command: computed once). */
const firstDirectoryChange = new WeakMap<RunInstruction, number>();

/**
 * Bytes of `entry` that `removal` deletes: 0 when unknown but certain (the whole path, a
 * parent, or a matching glob), the size of matching context files for a deletion inside a
 * copied context directory, undefined when it does not touch the entry.
 */
function matchRemoval(removal: Removal, entry: AddedPath, context: BuildContext | undefined): number | undefined {
  if (removalCovers(removal.path, entry.path)) return entry.bytes ?? (entry.contextDir !== undefined && context ? contextBytes(context, `/${entry.contextDir}`) : 0);
  const inside = removal.path.startsWith(`${entry.path}/`) || (entry.path === "/" && removal.path !== "/");
  if (!inside) return undefined;
  const relative = entry.path === "/" ? removal.path.slice(1) : removal.path.slice(entry.path.length + 1);
  // A cloned repository always has .git.
  if (entry.how === "git clone" && /^\.git(\/|$)/.test(relative)) return 0;
  if (entry.contextDir === undefined || !context) return undefined;
  const pattern = normalizePath(`/${entry.contextDir}/${relative}`);
  const matched = context.entries.filter((file) => !file.excluded && removalCovers(pattern, `/${file.path}`));
  return matched.length > 0 ? matched.reduce((sum, file) => sum + file.size, 0) : undefined;
}

function contextBytes(context: BuildContext, dir: string): number {
  return context.entries.filter((file) => !file.excluded && removalCovers(dir, `/${file.path}`)).reduce((sum, file) => sum + file.size, 0);
}

/** Files a RUN leaves behind: downloads, clones, apt lists; not those it deletes itself or writes to mounts. */
function runAdditions(run: RunInstruction, workdir: string | undefined, removals: Removal[]): AddedPath[] {
  const additions: AddedPath[] = [];
  for (const command of run.shell.commands) {
    const cwd = changesDirectoryBefore(run, command) ? undefined : workdir;
    const add = (written: string | undefined, how: AddedPath["how"]): void => {
      if (written === undefined || written === "-" || written.includes("$") || written.includes("`")) return;
      const resolved = resolvePath(written, cwd);
      if (resolved === undefined || hasMountFor(run, resolved)) return;
      if (removals.some((removal) => removalCovers(removal.path, resolved))) return;
      additions.push({ path: resolved, instruction: run, how });
    };
    if (command.name === "curl" && command.pipelineIndex === command.pipelineLength - 1) {
      const dir = optionValue(command, "--output-dir");
      const output = shortOptionValue(command, "o", "--output");
      if (output !== undefined) add(dir && !output.startsWith("/") ? `${dir}/${output}` : output, "download");
      else if (command.args.some((arg) => /^-[a-zA-NP-Z]*O[a-zA-Z]*$/.test(arg) || arg === "--remote-name")) add(urlFileName(command.args, dir), "download");
    } else if (command.name === "wget" && command.pipelineIndex === command.pipelineLength - 1) {
      const output = shortOptionValue(command, "O", "--output-document");
      const prefix = optionValue(command, "-P") ?? optionValue(command, "--directory-prefix");
      if (output !== undefined) add(output, "download");
      else add(urlFileName(command.args, prefix), "download");
    } else if (command.name === "git" && command.args[0] === "clone") {
      const positional = command.args.slice(1).filter((arg, index, args) => !arg.startsWith("-") && !/^-(b|c|o|j)$|^--(branch|depth|origin|config|jobs|filter|reference|separate-git-dir|template|upload-pack)$/.test(args[index - 1] ?? ""));
      const url = positional[0];
      if (url !== undefined) add(positional[1] ?? path.posix.basename(url.replace(/(?<!\/)\/+$/, "")).replace(/\.git$/, ""), "git clone");
    } else if (isAptUpdate(command)) {
      add("/var/lib/apt/lists", "apt-get update");
    }
  }
  return additions;
}

/** Value of a short option that may end a cluster or be attached (`-o f`, `-fsSLo f`, `-qO-`, `-ofile`) or of its long form. */
function shortOptionValue(command: ShellCommand, letter: string, long: string): string | undefined {
  for (let index = 0; index < command.args.length; index++) {
    const arg = command.args[index] ?? "";
    if (arg === long || new RegExp(`^-[a-zA-Z]*${letter}$`).test(arg)) return command.args[index + 1];
    if (arg.startsWith(`${long}=`)) return arg.slice(long.length + 1);
    const attached = attachedValue(arg, letter);
    if (attached !== undefined) return attached;
  }
  return undefined;
}

/** `-fsSLofile` -> `file` for `o`: what follows the option's first letter in a cluster of letters (a loop: `^-[a-zA-Z]*?o(.+)$` backtracked quadratically). */
function attachedValue(arg: string, letter: string): string | undefined {
  if (!arg.startsWith("-") || arg.startsWith("--")) return undefined;
  for (let index = 1; index < arg.length; index++) {
    const char = arg[index] as string;
    if (char === letter) {
      const value = arg.slice(index + 1);
      return value === "" || value.includes("\n") ? undefined : value;
    }
    if (!/[a-zA-Z]/.test(char)) return undefined;
  }
  return undefined;
}

/** The file name curl -O / wget save a URL under: its last path segment. */
function urlFileName(args: string[], dir: string | undefined): string | undefined {
  const url = args.find((arg) => /^(https?|ftp):\/\//.test(arg));
  if (url === undefined) return undefined;
  const name = path.posix.basename(url.replace(/(?<![?#])[?#].*$/, "").replace(/^[a-z]+:\/\/[^/]*/, ""));
  if (name === "" || name === "/") return undefined;
  return dir ? `${dir}/${name}` : name;
}

/** What a COPY/ADD puts into the image, as precisely as the build context allows. */
function copyAdditions(model: DockerfileModel, stage: Stage, copy: CopyInstruction, context: BuildContext | undefined): AddedPath[] {
  if (copy.heredocs.length > 0 || copy.destination.includes("$")) return [];
  const workdir = workdirAt(model, stage, copy);
  const destination = resolvePath(copy.destination, workdir);
  if (destination === undefined) return [];
  const intoDirectory = copy.destination.endsWith("/") || copy.sources.length > 1;
  const how = copy.keyword;
  const additions: AddedPath[] = [];
  for (const source of copy.sources) {
    if (source.includes("$")) continue;
    if (/^[a-z]+:\/\//i.test(source) || source.startsWith("git@")) {
      const name = urlFileName([source], undefined);
      if (name) additions.push({ path: intoDirectory ? normalizePath(`${destination}/${name}`) : destination, instruction: copy, how });
      continue;
    }
    const cleaned = source.replace(/^(\.\/|\/)+/, "").replace(/(?<!\/)\/+$/, "");
    if (copy.from === undefined && context) {
      const files = context.entries.filter((file) => !file.excluded);
      if (cleaned === "" || cleaned === "." || files.some((file) => file.path.startsWith(`${cleaned}/`))) {
        // A directory: its contents land in the destination.
        additions.push({ path: destination, instruction: copy, how, contextDir: cleaned === "." ? "" : cleaned });
        continue;
      }
      const matcher = /[*?[]/.test(cleaned) ? globMatcher(cleaned) : undefined;
      for (const file of files.filter((candidate) => (matcher ? matcher(candidate.path) : candidate.path === cleaned))) {
        const target = intoDirectory || matcher ? normalizePath(`${destination}/${path.posix.basename(file.path)}`) : destination;
        additions.push({ path: target, instruction: copy, how, bytes: file.size });
      }
      continue;
    }
    // Unknown context or another stage: only the destination path is certain.
    if (/[*?[]/.test(cleaned)) continue;
    additions.push({ path: intoDirectory ? normalizePath(`${destination}/${path.posix.basename(cleaned)}`) : destination, instruction: copy, how });
  }
  return additions;
}

function report(run: RunInstruction, source: Instruction, hit: Hit): RuleReport {
  const sourceLine = source.span.start.line;
  const list = (items: string[]): string => items.slice(0, 3).join(", ") + (items.length > 3 ? ", ..." : "");
  const size = hit.bytes >= 1_000_000 ? ` (${formatBytes(hit.bytes)} in the build context)` : "";
  const { how } = hit.how;
  const origin = how === "download" ? "downloaded" : how === "git clone" ? "cloned by git clone" : how === "apt-get update" ? "written by apt-get update" : `added by ${how}`;
  const advice =
    hit.how.contextDir !== undefined
      ? "exclude it in .dockerignore, or copy only what the image needs"
      : hit.how.bytes !== undefined
        ? "use the file without copying it, through RUN --mount=type=bind,source=...,target=..., or in a build stage"
        : how === "COPY" || how === "ADD"
      ? "copy only what the image needs, or do the work in a build stage"
      : how === "apt-get update"
        ? "remove the lists in the RUN that ran apt-get update"
        : how === "git clone"
          ? "clone, build and delete in the same RUN, or do it in a build stage"
          : "download, use and delete it in the same RUN, or do it in a build stage";
  return {
    message: `rm ${list(hit.removed)} at line ${run.span.start.line} deletes ${list(hit.targets)}${size}, ${origin} at line ${sourceLine}: the bytes remain in line ${sourceLine}'s layer, the image is no smaller; ${advice}`,
    line: run.span.start.line,
    endLine: run.span.end.line,
  };
}
