import type { CopyInstruction } from "../dockerfile/model.ts";
import { isCopyOrAdd } from "../dockerfile/model.ts";
import { officialImage, rootImageStage } from "./support/runtime-image.ts";
import { stageChain } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

/** Official images that set a WORKDIR of their own, so relative destinations land there. */
const IMAGES_WITH_WORKDIR = new Set(["golang", "php", "tomcat", "httpd", "wordpress", "composer", "drupal", "joomla"]);

// Without a WORKDIR, the working directory of nearly every official image is `/`: `COPY . .`
// spreads the project over the root of the filesystem, next to (and over) /bin, /etc and /lib.
// A repository with a `lib/` or `etc/` directory overwrites system files; the application's
// files mix with the OS's, so no later COPY or cleanup can name "the app" by one path; and the
// commands that follow (npm ci, pip install) write node_modules or build output into `/`.
export const rule: DockerfileRule = {
  meta: {
    id: "copy-before-workdir",
    description: "COPY or ADD to a relative destination (COPY . .) before any WORKDIR, so the files land in / of an official image.",
    impact: "medium",
    category: "maintainability",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      const root = rootImageStage(dockerfile, stage);
      const image = root ? officialImage(root.base) : undefined;
      // scratch starts empty (/ is the place for a static binary); other publishers' images may set a WORKDIR we cannot see.
      if (image === undefined || IMAGES_WITH_WORKDIR.has(image)) continue;
      const chain = stageChain(dockerfile, stage);
      const inherited = chain.slice(0, -1).some((ancestor) => ancestor.instructions.some((instruction) => instruction.keyword === "WORKDIR"));
      if (inherited) continue;
      for (const instruction of stage.instructions) {
        if (instruction.keyword === "WORKDIR") break;
        if (!isCopyOrAdd(instruction) || instruction.onbuild || !isRelative(instruction.destination)) continue;
        reports.push({
          message: `${instruction.keyword} ${instruction.argumentText.replace(/\s+/g, " ")} runs before any WORKDIR, so ${wholeContext(instruction) ? "the whole build context lands" : "its files land"} in / of ${root?.base.resolved ?? image}, among (and over) the system's directories; set WORKDIR /app (or another directory of its own) first`,
          line: instruction.span.start.line,
          endLine: instruction.span.end.line,
        });
        // One finding per stage: the later copies follow from the same missing WORKDIR.
        break;
      }
    }
    return reports;
  },
};

/** `.`, `./`, `app/`: relative to the working directory; not `/app`, `$HOME/x`, `C:\\app`. */
function isRelative(destination: string): boolean {
  return destination !== "" && !destination.startsWith("/") && !destination.startsWith("$") && !destination.startsWith("~") && !/^[A-Za-z]:/.test(destination);
}

function wholeContext(copy: CopyInstruction): boolean {
  return copy.from === undefined && copy.sources.some((source) => /^(\.\/?|\*)$/.test(source));
}
