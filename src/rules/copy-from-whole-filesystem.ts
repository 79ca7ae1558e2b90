import type { ImageReference, Stage } from "../dockerfile/model.ts";
import { isCopyOrAdd } from "../dockerfile/model.ts";
import { parseImageReference, tagVariants } from "../dockerfile/image-ref.ts";
import { BASE_IMAGE_SIZES_MB } from "./estimates.ts";
import { isShippedStage } from "./queries.ts";
import { normalizePath } from "./support/package-hygiene.ts";
import { classifyBaseImage, officialImage, rootImageStage } from "./support/runtime-image.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// `COPY --from=build / /` copies a whole operating system (package databases, compilers,
// caches, docs, the sources) into one new layer of the final image, on top of the base image's
// own copy of most of it: the multi-stage build keeps nothing out. Copying /usr does the same
// for most of the binaries and libraries.
export const rule: DockerfileRule = {
  meta: {
    id: "copy-from-whole-filesystem",
    description: "COPY --from copies a whole filesystem (/ or /usr) of another stage or image into a stage that reaches the final image.",
    impact: "medium",
    category: "size",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const copy of stage.instructions.filter(isCopyOrAdd)) {
        if (copy.from === undefined || copy.from.includes("$") || copy.onbuild) continue;
        // With --from, relative sources start at the source's root: `.` is the whole filesystem too.
        const written = copy.sources.find((source) => ["/", "/usr"].includes(wholeTree(source)));
        if (written === undefined) continue;
        const whole = wholeTree(written);
        const source = sourceOf(dockerfile.stages, stage, copy.from, dockerfile.globalArgs);
        // An export stage FROM scratch holds only the artifacts copied into it: copying its / is the clean way.
        if (source.stage && !rootImageStage(dockerfile, source.stage)) continue;
        // Another publisher's image copied whole is nearly always a small single-tool image (tonistiigi/xx,
        // tianon/gosu) meant to be copied that way; an OS, runtime or toolchain image is the mistake.
        if (source.image && !isKnownFullImage(source.image)) continue;
        const image = source.stage ? rootImageStage(dockerfile, source.stage)?.base : source.image;
        // FROM scratch + COPY --from=x / / flattens x into one layer on purpose; only worth a word when x is a toolchain or full image.
        if (!rootImageStage(dockerfile, stage) && whole === "/" && !(image && classifyBaseImage(image))) continue;
        const what = source.stage ? `stage ${source.stage.name ?? source.stage.index}` : `image ${copy.from}`;
        const report: RuleReport = {
          message:
            `COPY --from=${copy.from} ${written} copies the whole ${whole === "/" ? "filesystem" : "/usr tree"} of ${what} (OS packages, toolchains, caches) into the image: ` +
            "copy only the paths the application needs (the binary, dist/, the virtualenv, specific libraries)",
          line: copy.span.start.line,
          endLine: copy.span.end.line,
        };
        const size = whole === "/" && image ? imageSizeMB(image) : undefined;
        if (size !== undefined) report.estimatedSavingMB = size;
        reports.push(report);
      }
    }
    return reports;
  },
};

/** `/`, `.`, `/*` -> `/`; `/usr/` -> `/usr`; anything else normalised as an absolute path. */
function wholeTree(source: string): string {
  return normalizePath(`/${source.replace(/\/\*$/, "/")}`);
}

/** `--from` names an earlier stage (by name or index) or else an image. */
function sourceOf(stages: readonly Stage[], stage: Stage, from: string, args: ReadonlyMap<string, string | undefined>): { stage?: Stage; image?: ImageReference } {
  const lower = from.toLowerCase();
  const named = stages.find((candidate) => candidate.index < stage.index && (candidate.name === lower || (/^\d+$/.test(from) && candidate.index === Number(from))));
  return named ? { stage: named } : { image: parseImageReference(from, args) };
}

/** An official OS, runtime or toolchain image: one the estimates table knows, or a full/toolchain kind. */
function isKnownFullImage(image: ImageReference): boolean {
  if (classifyBaseImage(image)) return true;
  const official = officialImage(image);
  return official !== undefined && BASE_IMAGE_SIZES_MB[official] !== undefined;
}

/** Typical size of the image copied, from the estimates table, when its variant is known. */
function imageSizeMB(image: ImageReference): number | undefined {
  const official = officialImage(image);
  if (official === undefined) return undefined;
  const sizes = BASE_IMAGE_SIZES_MB[official];
  const variants = tagVariants(image.tag);
  const variant = variants.includes("slim") ? "slim" : variants.some((name) => name.startsWith("alpine")) ? "alpine" : "full";
  return sizes?.[variant];
}
