// .gitignore matching for the repository walk (which files can be Dockerfile candidates).
// Git's rules: a pattern without a slash (other than a trailing one) matches a name at any
// depth below its .gitignore; with a slash it is anchored there; `dir/` matches directories only;
// `!` re-includes; last match wins; a directory ignored hides everything below it.
import { compileGlob } from "./glob.ts";

interface GitignoreRule {
  /** Whether the rule's pattern matches a path relative to the .gitignore's folder. */
  test: (path: string) => boolean;
  negate: boolean;
  directoryOnly: boolean;
}

export interface GitignoreSet {
  /** `base` is the directory of the .gitignore, relative to the root ("" for the root). */
  add(base: string, text: string): void;
  ignores(path: string, isDirectory: boolean): boolean;
}

export function createGitignoreSet(): GitignoreSet {
  // By base directory: a path only consults the .gitignore files of its ancestors, so the
  // walk does not test every path against every .gitignore of the repository.
  const rulesByBase = new Map<string, { order: number; rules: GitignoreRule[] }[]>();
  let added = 0;
  return {
    add(base, text) {
      const rules = text
        .split(/\r?\n/)
        .map(trimUnescapedTrailingSpace)
        .filter((line) => line !== "" && !line.startsWith("#"))
        .map(compileRule);
      const entry = { order: added++, rules };
      const entries = rulesByBase.get(base);
      if (entries) entries.push(entry);
      else rulesByBase.set(base, [entry]);
    },
    ignores(path, isDirectory) {
      if (rulesByBase.size === 0) return false;
      // The bases `path` lies below: "" and each prefix that ends where a `/` follows.
      const applicable: { order: number; rules: GitignoreRule[]; relative: string }[] = [];
      for (const entry of rulesByBase.get("") ?? []) applicable.push({ ...entry, relative: path });
      for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
        if (slash === 0) continue;
        const entries = rulesByBase.get(path.slice(0, slash));
        if (entries) for (const entry of entries) applicable.push({ ...entry, relative: path.slice(slash + 1) });
      }
      // Files added later win, as when every .gitignore was tried in the order it was added.
      if (applicable.length > 1) applicable.sort((a, b) => a.order - b.order);
      let ignored = false;
      for (const { rules, relative } of applicable) {
        for (const rule of rules) {
          if (rule.directoryOnly && !isDirectory) continue;
          if (rule.test(relative)) ignored = !rule.negate;
        }
      }
      return ignored;
    },
  };
}

/** Trailing blanks are dropped unless escaped with a backslash (then one stays: `a\ ` keeps its space). */
function trimUnescapedTrailingSpace(line: string): string {
  const trimmed = line.trimEnd();
  return trimmed.endsWith("\\") && trimmed.length < line.length ? line.slice(0, trimmed.length + 1) : trimmed;
}

function compileRule(line: string): GitignoreRule {
  let pattern = line;
  const negate = pattern.startsWith("!");
  if (negate) pattern = pattern.slice(1);
  if (pattern.startsWith("\\")) pattern = pattern.slice(1);
  const directoryOnly = pattern.endsWith("/");
  if (directoryOnly) pattern = pattern.replace(/(?<!\/)\/+$/, "");
  const anchored = pattern.includes("/");
  if (pattern.startsWith("/")) pattern = pattern.slice(1);
  // Unanchored: at any depth. `a/**` is everything inside `a` (at least one more segment).
  let glob = anchored ? pattern : `**/${pattern}`;
  if (glob.endsWith("/**")) glob = `${glob}/*`;
  return { test: compileGlob(glob, { globstar: true }), negate, directoryOnly };
}


/**
 * One line of a .gitignore, as a .dockerignore pattern for a build context, or undefined when
 * the line is blank, a comment, or does not apply inside the context. `base` is the directory of
 * the .gitignore and `contextRoot` the context's, both repository-relative ("" for the root).
 * - git matches a pattern without a slash at any depth below its .gitignore; .dockerignore
 *   matches from the context root only, so `foo` becomes `**\/foo` (`sub/**\/foo` for a nested
 *   .gitignore);
 * - a pattern with a slash is anchored at its .gitignore: rebased on the context root, and
 *   dropped when it points outside the context (or at the context directory itself);
 * - `dir/` (directories only) loses its slash: .dockerignore cannot say "directories only";
 * - `!` negations stay negations.
 */
export function gitignoreLineToDockerignore(line: string, base: string, contextRoot: string): string | undefined {
  // Trailing blanks go unless escaped (`a\ ` keeps its space): the run starts after a non-blank or an escaped blank.
  let pattern = line.replace(/(?<=^|[^\\\s]|\\\s)\s+$/, "");
  if (pattern === "" || pattern.startsWith("#")) return undefined;
  const negate = pattern.startsWith("!");
  if (negate) pattern = pattern.slice(1);
  pattern = pattern.replace(/(?<!\/)\/+$/, "");
  let anchored = pattern.includes("/");
  pattern = pattern.replace(/^\/+/, "");
  if (pattern.startsWith("**/")) {
    anchored = false;
    pattern = pattern.slice(3);
  }
  if (pattern === "" || pattern === "**") return undefined;
  const bang = negate ? "!" : "";
  if (contextRoot === "" || base === contextRoot || base.startsWith(`${contextRoot}/`)) {
    // The .gitignore is inside the context.
    const prefix = base === contextRoot ? "" : `${base.slice(contextRoot === "" ? 0 : contextRoot.length + 1)}/`;
    return `${bang}${prefix}${anchored ? "" : "**/"}${pattern}`;
  }
  if (base !== "" && !contextRoot.startsWith(`${base}/`)) return undefined;
  // The .gitignore is above the context.
  if (!anchored) return `${bang}**/${pattern}`;
  const below = (base === "" ? contextRoot : contextRoot.slice(base.length + 1)).split("/");
  const segments = pattern.split("/");
  if (segments.length <= below.length) return undefined;
  for (let index = 0; index < below.length; index++) {
    const segment = segments[index] ?? "";
    if (segment.includes("**") || !compileRule(`/${segment}`).test(below[index] ?? "")) return undefined;
  }
  return `${bang}${segments.slice(below.length).join("/")}`;
}
