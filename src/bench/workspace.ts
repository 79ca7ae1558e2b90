// The temporary copy of a build context that `shipshape bench` edits, so the user's tree is never
// touched. Only what the build would send is copied (the context after .dockerignore), and the
// copy is arranged so that the engine sends exactly those files again: same relative paths, same
// modes, symlinks kept, the Dockerfile at the same place relative to the context.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { planContext } from "../engine/context-tar.ts";

export interface BenchWorkspace {
  /** The temporary directory holding everything (removed by dispose). */
  root: string;
  /** The copied context. */
  contextDir: string;
  /** The `dockerfile` build option for the copy: the same relative path, or an absolute path outside the copied context. */
  dockerfile: string;
  /** The Dockerfile's text as the user has it. */
  dockerfileText: string;
  /** Context-relative paths of the regular files copied, sorted. */
  files: string[];
  /** Reads a copied file. */
  read(file: string): string;
  /** Writes a copied file (keeps its mode). */
  write(file: string, text: string): void;
  dispose(): void;
}

export interface WorkspaceSource {
  contextDir: string;
  /** Relative to contextDir, or absolute. */
  dockerfile: string;
}

/** Characters special in .dockerignore patterns, escaped so a pattern names one file. */
function literalPattern(file: string): string {
  return file.replace(/[\\*?[\]]/g, (character) => `\\${character}`);
}

/**
 * Copies not yet disposed. Every way out of a bench disposes its copy in a `finally`; this is the
 * net for the ways that skip `finally` blocks (process.exit from elsewhere, an uncaught exception
 * in an event handler): on exit, whatever is left is removed synchronously.
 */
const liveRoots = new Set<string>();
let exitNetInstalled = false;

function trackRoot(root: string): void {
  liveRoots.add(root);
  if (exitNetInstalled) return;
  exitNetInstalled = true;
  process.once("exit", () => {
    for (const left of liveRoots) fs.rmSync(left, { recursive: true, force: true });
    liveRoots.clear();
  });
}

function disposeRoot(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
  liveRoots.delete(root);
}

/** Temporary copies that exist now (for tests and diagnostics). */
export function liveWorkspaces(): string[] {
  return [...liveRoots];
}

export async function createWorkspace(source: WorkspaceSource, tempDir: string = os.tmpdir()): Promise<BenchWorkspace> {
  const originalContext = path.resolve(source.contextDir);
  const originalDockerfile = path.resolve(originalContext, source.dockerfile);
  const dockerfileText = await fs.promises.readFile(originalDockerfile, "utf8");
  const plan = await planContext({ contextDir: originalContext, dockerfile: source.dockerfile });

  const root = await fs.promises.mkdtemp(path.join(tempDir, "shipshape-bench-"));
  trackRoot(root);
  try {
    const contextDir = path.join(root, "context");
    await fs.promises.mkdir(contextDir);
    for (const entry of plan.entries) {
      const target = path.join(contextDir, entry.name);
      if (plan.generatedDockerfile && entry.name === plan.dockerfile) continue;
      if (entry.type === "directory") {
        await fs.promises.mkdir(target, { recursive: true });
        continue;
      }
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      if (entry.type === "symlink") await fs.promises.symlink(entry.linkname ?? "", target);
      else if (entry.sourcePath !== undefined) await fs.promises.copyFile(entry.sourcePath, target);
      else await fs.promises.writeFile(target, entry.content ?? Buffer.alloc(0));
      if (entry.type === "file") {
        await fs.promises.chmod(target, entry.mode & 0o7777);
        await fs.promises.utimes(target, entry.mtimeMs / 1000, entry.mtimeMs / 1000);
      }
    }
    // Directory modes and times last, deepest first: writing into them changes their times.
    for (const entry of [...plan.entries].reverse()) {
      if (entry.type !== "directory") continue;
      const target = path.join(contextDir, entry.name);
      await fs.promises.chmod(target, (entry.mode & 0o7777) | 0o700);
      await fs.promises.utimes(target, entry.mtimeMs / 1000, entry.mtimeMs / 1000);
    }

    // The Dockerfile keeps its place: inside the context at the same relative path, or outside it.
    const dockerfile = plan.generatedDockerfile ? path.join(root, "outside", path.basename(originalDockerfile)) : plan.dockerfile;
    const copiedDockerfile = path.resolve(contextDir, dockerfile);
    if (plan.generatedDockerfile) {
      await fs.promises.mkdir(path.dirname(copiedDockerfile), { recursive: true });
      await fs.promises.writeFile(copiedDockerfile, dockerfileText);
    }
    // Everything copied was sent, so the copy must exclude nothing. Only a `<Dockerfile>.dockerignore`
    // that was not sent needs care: without it, the copy's .dockerignore would apply instead.
    const specificIgnore = `${originalDockerfile}.dockerignore`;
    if (plan.dockerignoreFile === specificIgnore) {
      const copiedIgnore = `${copiedDockerfile}.dockerignore`;
      if (!fs.existsSync(copiedIgnore)) {
        const inside = path.relative(contextDir, copiedIgnore);
        const excludesItself = inside.startsWith("..") || path.isAbsolute(inside) ? "" : `${literalPattern(inside.split(path.sep).join("/"))}\n`;
        await fs.promises.writeFile(copiedIgnore, excludesItself);
      }
    }

    const files = plan.entries.filter((entry) => entry.type === "file" && !(plan.generatedDockerfile && entry.name === plan.dockerfile)).map((entry) => entry.name).sort();
    const resolveInside = (file: string): string => {
      const absolute = path.resolve(contextDir, file);
      const relative = path.relative(contextDir, absolute);
      if (relative.startsWith("..") || path.isAbsolute(relative)) throw new Error(`${file} is outside the copied context`);
      return absolute;
    };
    return {
      root,
      contextDir,
      dockerfile,
      dockerfileText,
      files,
      read: (file) => fs.readFileSync(resolveInside(file), "utf8"),
      write: (file, text) => {
        const absolute = resolveInside(file);
        // A symlinked file is replaced by a regular one in the copy, never written through.
        const stat = fs.lstatSync(absolute, { throwIfNoEntry: false });
        const mode = stat?.isFile() ? stat.mode & 0o7777 : 0o644;
        if (stat?.isSymbolicLink()) fs.rmSync(absolute);
        // A read-only file (mode 0444) is made writable for the write and gets its mode back.
        if (stat?.isFile()) fs.chmodSync(absolute, mode | 0o200);
        fs.writeFileSync(absolute, text, { mode });
        fs.chmodSync(absolute, mode);
      },
      dispose: () => disposeRoot(root),
    };
  } catch (error) {
    disposeRoot(root);
    throw error;
  }
}
