// The build context as the planner sees it: which files are sent to the builder and the text
// of the ones the repository snapshot read. Pure: built from the RepositoryView.
import path from "node:path";
import type { BuildContext, RepositoryView } from "../repo/snapshot.ts";

export interface ContextFiles {
  /** Sent to the builder (present and not excluded by .dockerignore). */
  has(relative: string): boolean;
  /** Present in the context directory but excluded by .dockerignore. */
  excluded(relative: string): boolean;
  /** Text when the snapshot read it; undefined when absent or not read. */
  text(relative: string): string | undefined;
  /** Every sent path, sorted. */
  paths: string[];
  /** Sent files named `name`, outside dependency directories. */
  named(name: string): string[];
}

const DEPENDENCY_DIRECTORIES = new Set(["node_modules", ".venv", "venv", "target", ".gradle", "vendor", ".git"]);

export function contextFiles(repository: RepositoryView, context: BuildContext | undefined): ContextFiles {
  const root = context?.root ?? "";
  const sent = new Set<string>();
  const excludedPaths = new Set<string>();
  for (const entry of context?.entries ?? []) (entry.excluded ? excludedPaths : sent).add(entry.path);
  const paths = [...sent].sort();
  return {
    has: (relative) => sent.has(relative),
    excluded: (relative) => excludedPaths.has(relative),
    text: (relative) => (sent.has(relative) ? repository.snapshot.texts.get(root === "" ? relative : `${root}/${relative}`) : undefined),
    paths,
    named: (name) => paths.filter((file) => path.posix.basename(file) === name && !file.split("/").some((part) => DEPENDENCY_DIRECTORIES.has(part))),
  };
}

/** Whether any sent file lives under `directory/`. */
export function hasDirectory(files: ContextFiles, directory: string): boolean {
  const prefix = `${directory.replace(/\/$/, "")}/`;
  return files.paths.some((file) => file.startsWith(prefix));
}
