// Small readers of build tool configuration (tsconfig.json, bundler configs): where a build
// writes its output. Pure text in, values out; used by the rewrite planner and the
// .dockerignore generator.

/** JSON with comments and trailing commas (tsconfig.json), or undefined. */
export function parseJsonc(text: string): unknown {
  const withoutComments = text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match, quoted: string | undefined) => quoted ?? "");
  try {
    return JSON.parse(withoutComments.replace(/,(\s*[}\]])/g, "$1"));
  } catch {
    return undefined;
  }
}

/** compilerOptions.outDir of a tsconfig text, normalised (`./dist/` -> `dist`); undefined when unset or unreadable. */
export function tsconfigOutDir(text: string): { outDir?: string; extendsOther: boolean } | undefined {
  const parsed = parseJsonc(text);
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const record = parsed as { compilerOptions?: { outDir?: unknown; noEmit?: unknown }; extends?: unknown };
  const outDir = record.compilerOptions?.outDir;
  const result: { outDir?: string; extendsOther: boolean } = { extendsOther: record.extends !== undefined };
  if (typeof outDir === "string") result.outDir = normalizeDirectory(outDir);
  return result;
}

export function normalizeDirectory(directory: string): string {
  return directory.replace(/^\.\//, "").replace(/(?<!\/)\/+$/, "");
}

/** `outDir: 'build'` (vite build.outDir) or `distDir` (next) found in a bundler config text. */
export function configuredOutputDirectory(text: string, key: string): string | undefined {
  const match = new RegExp(`\\b${key}\\s*:\\s*["'\`]([^"'\`]+)["'\`]`).exec(text);
  return match?.[1] === undefined ? undefined : normalizeDirectory(match[1]);
}
