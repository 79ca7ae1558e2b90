// Where a Node build writes its output: flags in the build scripts, the tsconfig tsc uses, the
// tool's default, and the start file.
import path from "node:path";
import type { ContextFiles } from "../context.ts";
import { hasDirectory } from "../context.ts";
import { normalizeDirectory, tsconfigOutDir } from "./manifests.ts";
import type { NodeProject } from "./project.ts";

export interface BuildOutput {
  directories: string[];
  /** Where the directories came from, for the notes. */
  source?: string;
}

/** The directories the build writes, from flags in the build scripts, tsconfig.json, tool defaults and the start file. */
export function nodeBuildOutput(project: NodeProject, files: ContextFiles, startFile: string | undefined, messages: { review: string[] }): BuildOutput {
  const fromTool = toolOutput(project.buildTexts, files, messages);
  if (startFile === undefined) return fromTool ?? { directories: [] };
  const startDirectory = startFile.includes("/") ? topDirectory(startFile) : undefined;
  // The start file is a source the context sends (server.js next to a bundled front end): the
  // server needs sources the planner cannot list, so the output is not known.
  const generated = startDirectory !== undefined && !hasDirectory(files, startDirectory);
  if (!generated) return fromTool !== undefined && startDirectory !== undefined && fromTool.directories.includes(startDirectory) ? fromTool : { directories: [] };
  if (fromTool === undefined) return { directories: [startDirectory], source: "the start command (the build creates it)" };
  if (fromTool.directories.includes(startDirectory)) return fromTool;
  return { directories: [...fromTool.directories, startDirectory], source: `${fromTool.source ?? "the build"} and the start command` };
}

/** Where the build tool writes: `--outDir` style flags, the tsconfig tsc uses, or the tool's default. */
export function toolOutput(buildTexts: readonly string[], files: ContextFiles, messages: { review: string[] }): BuildOutput | undefined {
  const texts = buildTexts.join(" && ");
  const flag = /--(?:outDir|outdir|out-dir)[=\s]+([^\s&;|]+)/.exec(texts) ?? /--outfile[=\s]+([^\s&;|]+)/.exec(texts);
  if (flag?.[1] !== undefined) {
    const value = normalizeDirectory(flag[0].includes("outfile") ? path.posix.dirname(flag[1]) : flag[1]);
    return { directories: [topDirectory(value)], source: `the build script's ${flag[0].split(/[=\s]/)[0]}` };
  }
  if (/\btsc\b/.test(texts)) {
    const projectFlag = /\btsc\b[^&;|]*?(?:-p|--project)\s+([^\s&;|]+)/.exec(texts)?.[1];
    const tsconfigPath = projectFlag === undefined ? "tsconfig.json" : projectFlag.endsWith(".json") ? normalizeDirectory(projectFlag) : `${normalizeDirectory(projectFlag)}/tsconfig.json`;
    const text = files.text(tsconfigPath);
    const config = text === undefined ? undefined : tsconfigOutDir(text);
    if (config?.outDir !== undefined) {
      const relative = path.posix.join(path.posix.dirname(tsconfigPath), config.outDir);
      return { directories: [topDirectory(relative)], source: `${tsconfigPath} (compilerOptions.outDir)` };
    }
    if (config && !config.extendsOther) {
      messages.review.push(`${tsconfigPath} sets no outDir: tsc writes the .js files next to the sources, so the runtime ships the whole built project.`);
    }
    return undefined;
  }
  const toolDefaults: [RegExp, string][] = [
    [/\bnest build\b/, "dist"],
    [/\btsup\b/, "dist"],
    [/\bvite build\b/, "dist"],
    [/\bparcel build\b/, "dist"],
    [/\bwebpack\b/, "dist"],
    [/\bncc build\b/, "dist"],
  ];
  const match = toolDefaults.find(([pattern]) => pattern.test(texts));
  return match ? { directories: [match[1]], source: `${match[0].source.replace(/\\b/g, "")}'s default output directory` } : undefined;
}

export function topDirectory(relative: string): string {
  return normalizeDirectory(relative).split("/")[0] ?? relative;
}
