import path from "node:path";
import type { CopyInstruction, DockerfileModel, RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { isCopyOrAdd, isRun } from "../dockerfile/model.ts";
import type { DependencyFile, PackageManager } from "../repo/snapshot.ts";
import { LOCKFILES, MANIFESTS, commandLabel, readsLockfile } from "./support/cache-mounts.ts";
import { contextSources, covers } from "./support/context.ts";
import type { ContextSource } from "./support/context.ts";
import type { DockerfileRule, RuleReport, TextEdit } from "./types.ts";

// `COPY package.json ./` + `npm install` without the lockfile that sits next to it: the
// install resolves version ranges afresh on every rebuild (a different dependency tree than
// the one developers and CI tested), and the layer's cache key ignores lockfile changes, so a
// dependency bump in the lockfile alone is not picked up until something else changes.
export const rule: DockerfileRule = {
  meta: {
    id: "lockfile-not-copied",
    description: "A dependency manifest is copied without its lockfile from the build context before the install.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "rewrite",
  },
  check({ dockerfile, buildContext }) {
    if (!buildContext) return [];
    const reports: RuleReport[] = [];
    const copies = contextSources(dockerfile).filter((source) => source.kind === "copy");
    const manifests = buildContext.dependencyFiles.filter((file) => file.kind === "manifest");
    const lockfiles = buildContext.dependencyFiles.filter((file) => file.kind === "lockfile");
    const reported = new Set<string>();
    for (const source of copies) {
      const copy = source.instruction as CopyInstruction;
      if (copy.onbuild) continue;
      const stage = source.stage;
      // Only sources that name the manifest itself (a directory or `.` brings the lockfile along).
      for (const manifest of manifests.filter((file) => namesFile(source, file.path))) {
        for (const lockfile of lockfilesFor(manifest, lockfiles)) {
          const manager = lockfile.packageManager;
          const install = stage.instructions.find((instruction): instruction is RunInstruction => isRun(instruction) && !instruction.onbuild && instruction.index > copy.index && instruction.shell.commands.some((command) => readsLockfile(command, manager)));
          if (!install) continue;
          const parts = lockfile.path.split("/");
          const copied = copies.some((other) => other.stage === stage && other.instruction.index >= copy.index && other.instruction.index < install.index && covers(other, parts));
          const key = `${copy.index}:${lockfile.path}`;
          if (copied || reported.has(key)) continue;
          reported.add(key);
          const command = install.shell.commands.find((candidate) => readsLockfile(candidate, manager)) as ShellCommand;
          const report: RuleReport = {
            message: `${copy.keyword} copies ${manifest.path} without ${lockfile.path} (it is in the build context) before \`${commandLabel(command)}\` (line ${install.span.start.line}): dependency versions are resolved afresh instead of locked, and the install's cache ignores lockfile changes; copy ${lockfile.path} with it`,
            line: copy.span.start.line,
            endLine: copy.span.end.line,
          };
          const fix = addSourceFix(dockerfile, copy, source.raw, lockfile.path);
          if (fix) report.fix = fix;
          reports.push(report);
        }
      }
    }
    return reports;
  },
};

/** The source names this file (exactly or by a glob), not a directory containing it. */
function namesFile(source: ContextSource, filePath: string): boolean {
  const parts = filePath.split("/");
  return source.components.length === parts.length && covers(source, parts);
}

/** Lockfiles next to the manifest that belong to a manager using that manifest. */
function lockfilesFor(manifest: DependencyFile, lockfiles: DependencyFile[]): DependencyFile[] {
  const directory = path.posix.dirname(manifest.path);
  const name = path.posix.basename(manifest.path);
  return lockfiles.filter((lockfile) => {
    const manager: PackageManager = lockfile.packageManager;
    return path.posix.dirname(lockfile.path) === directory && (MANIFESTS[manager] ?? []).includes(name) && (LOCKFILES[manager] ?? []).includes(path.posix.basename(lockfile.path));
  });
}

/**
 * Adds the lockfile right after the manifest in a shell-form COPY whose destination is a
 * directory (`./`, `/app/`; a bare `.` becomes `./`, which several sources require).
 */
function addSourceFix(model: DockerfileModel, copy: CopyInstruction, written: string, lockfilePath: string): TextEdit[] | undefined {
  if (!isCopyOrAdd(copy) || copy.argumentText.startsWith("[") || /[*?[$\\]/.test(written)) return undefined;
  const destination = copy.destination;
  if (destination !== "." && !destination.endsWith("/")) return undefined;
  const raw = model.text.slice(copy.span.start.offset, copy.span.end.offset);
  const escaped = written.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const matches = [...raw.matchAll(new RegExp(`(?<=\\s)${escaped}(?=\\s)`, "g"))];
  if (matches.length !== 1 || matches[0]?.index === undefined) return undefined;
  const lockfile = `${written.slice(0, written.length - path.posix.basename(written).length)}${path.posix.basename(lockfilePath)}`;
  const end = copy.span.start.offset + matches[0].index + written.length;
  const edits: TextEdit[] = [{ start: end, end, text: ` ${lockfile}` }];
  if (destination === ".") {
    if (!/\s\.$/.test(raw)) return undefined;
    edits.push({ start: copy.span.end.offset, end: copy.span.end.offset, text: "/" });
  }
  return edits;
}
