import type { CopyInstruction, DockerfileModel } from "../dockerfile/model.ts";
import { addSourceKind } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// `ADD https://...` trusts whatever the server returns at build time: without a checksum
// nothing notices a compromised or silently replaced file, and the image changes without a
// line of the Dockerfile changing. The downloaded file also stays in its own layer (remote
// archives are not extracted). ADD of a local tar archive has the opposite surprise: it is
// extracted, silently, with whatever paths and links the archive holds.
export const rule: DockerfileRule = {
  meta: {
    id: "add-remote-url",
    description: "ADD of a URL without a checksum, or ADD of a local tar archive that gets extracted implicitly.",
    impact: "medium",
    category: "security",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      for (const instruction of stage.instructions) {
        if (instruction.keyword !== "ADD") continue;
        const add = instruction as CopyInstruction;
        const hasChecksum = add.flags.some((flag) => flag.name === "checksum");
        const explicitUnpack = add.flags.some((flag) => flag.name === "unpack");
        for (const source of add.sources) {
          const kind = addSourceKind(source);
          let message: string | undefined;
          if (kind === "url" && !hasChecksum) {
            message =
              `ADD ${source} downloads at build time without verifying the file: a changed or compromised download silently changes the image, and the file stays in its own layer` +
              (/\.(tar|tgz|tar\.\w+|zip)$/i.test(source.replace(/(?<![?#])[?#].*$/, "")) ? " (remote archives are not extracted)" : "") +
              `. Pin it with ADD --checksum=sha256:<digest> (${checksumSupport(dockerfile)}), or download it in a RUN with curl, check it with sha256sum -c and use it in the same RUN`;
          } else if (kind === "tar" && !explicitUnpack && !stage.isScratch) {
            // FROM scratch + ADD rootfs.tar.xz / is how base images are built: extraction is the point there.
            message = `ADD ${source} extracts the local tar archive into ${add.destination} implicitly (ADD unpacks tar archives, COPY does not): whatever paths, permissions and links the archive holds land in the image. Make it explicit: extract with RUN tar in a build stage and COPY --from the result, or RUN --mount=type=bind,source=${source},target=/tmp/${source.split("/").pop()} tar -xf ... (no copy of the archive in any layer)`;
          }
          if (message) reports.push({ message, line: add.span.start.line, endLine: add.span.end.line });
        }
      }
    }
    return reports;
  },
};

/** ADD --checksum is stable since Dockerfile frontend 1.6 (1.5-labs before); older pinned frontends reject it. */
function checksumSupport(model: DockerfileModel): string {
  const syntax = model.directives.find((directive) => directive.name === "syntax")?.value;
  if (syntax === undefined) return "needs Dockerfile frontend 1.6+: add `# syntax=docker/dockerfile:1` as the first line";
  const version = /:(\d+)(?:\.(\d+))?/.exec(syntax);
  const major = Number(version?.[1] ?? NaN);
  const minor = version?.[2] === undefined ? undefined : Number(version[2]);
  if (/labs/.test(syntax) || (major === 1 && (minor === undefined || minor >= 6)) || major > 1) return "supported by your # syntax frontend";
  return `needs Dockerfile frontend 1.6+, your # syntax line pins ${syntax}`;
}
