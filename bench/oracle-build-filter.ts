// The fix oracle's build sample (bench/fix-oracle.ts --build-sample): which real Dockerfiles can be
// built in this lab at all, before and after their fix. The lab reaches only Debian's packages and
// the npm registry, and has forged stand-ins for a few official images: a file whose base cannot be
// forged, that copies from a build context the corpus does not have, or whose RUN fetches from
// elsewhere (curl, pip, git...) fails on both sides and says nothing about the fix.
import { parseDockerfile } from "../src/dockerfile/parse.ts";

/** The lab's forged image a base image maps to, for the build sample. */
export function forgedBase(image: string): string | undefined {
  const name = image.toLowerCase().replace(/^docker\.io\/(library\/)?/, "").replace(/^library\//, "");
  if (/^debian(:|$)/.test(name)) return name.includes("slim") ? "debian:bookworm-slim" : "debian:bookworm";
  // Ubuntu has no stand-in; Debian is the closest (apt, most package names). Both sides get it.
  if (/^ubuntu(:|$)/.test(name)) return "debian:bookworm";
  if (/^node(:|$)/.test(name)) return "node:22";
  if (/^python:3/.test(name)) return name.includes("slim") ? "python:3.11-slim" : "python:3.11";
  if (/^golang(:|$)/.test(name) && !name.includes("alpine")) return "golang:1.19";
  return undefined;
}

/**
 * Commands whose RUN needs a network this lab does not reach (only Debian's packages and the npm
 * registry answer): a file running one cannot build here, before or after its fix.
 */
export const UNREACHABLE_COMMANDS = new Set(["curl", "wget", "git", "pip", "pip3", "pipenv", "poetry", "uv", "easy_install", "conda", "gem", "bundle", "go", "cargo", "rustup", "composer", "pecl", "mvn", "gradle", "yarn", "pnpm", "add-apt-repository", "apt-key", "gpg", "svn", "hg", "cpanm", "luarocks", "Rscript", "R", "npx", "bower", "dotnet", "nuget", "sdk", "aws", "gsutil"]);

/** Why a file cannot be built here, or its text with every FROM mapped to a forged image. */
export function withForgedBases(text: string): { text: string } | { skip: string } {
  const model = parseDockerfile(text);
  if (model.stages.length === 0) return { skip: "no FROM" };
  if (model.directives.some((directive) => directive.name === "syntax")) return { skip: "a # syntax= frontend (not reachable)" };
  if (model.instructions.some((instruction) => (instruction.keyword === "COPY" || instruction.keyword === "ADD") && !instruction.flags.some((flag) => flag.name === "from"))) return { skip: "COPY/ADD from the build context (not in the corpus)" };
  for (const instruction of model.instructions) {
    if (instruction.keyword !== "RUN" || !("shell" in instruction)) continue;
    const unreachable = instruction.shell.commands.find((command) => UNREACHABLE_COMMANDS.has(command.name));
    if (unreachable !== undefined) return { skip: `RUN ${unreachable.name} (a network the lab does not reach)` };
  }
  const stageNames = new Set(model.stages.flatMap((stage) => (stage.name === undefined ? [] : [stage.name])));
  const edits: { start: number; end: number; text: string }[] = [];
  for (const stage of model.stages) {
    if (stageNames.has(stage.base.resolved.toLowerCase())) continue;
    const forged = stage.base.unresolved ? undefined : forgedBase(stage.base.resolved);
    if (forged === undefined) return { skip: "a base image the lab cannot forge" };
    const fromText = text.slice(stage.from.span.start.offset, stage.from.span.end.offset);
    const at = fromText.indexOf(stage.base.raw);
    if (at < 0) return { skip: "a base image the lab cannot forge" };
    edits.push({ start: stage.from.span.start.offset + at, end: stage.from.span.start.offset + at + stage.base.raw.length, text: forged });
  }
  let result = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return { text: result };
}
