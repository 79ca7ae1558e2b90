import { contextSources, describeGroups, describeSource, entryPathSet, firstVia, sentGroups } from "./support/context.ts";
import { formatBytes } from "../format/index.ts";
import type { DockerfileRule } from "./types.ts";

/** Dependency directories by name; `target` and `vendor/bundle` need more evidence (below). */
const DEPENDENCY_DIRECTORIES = new Set(["node_modules", ".venv", "venv", "__pycache__", ".pnpm-store", ".gradle"]);
/** `target/` is Cargo's or Maven's output only next to their manifest; elsewhere it may be source. */
const TARGET_MANIFESTS = ["Cargo.toml", "pom.xml"];
/** Installed packages that may hold native code compiled on the host. */
const NATIVE_CAPABLE = new Set(["node_modules", ".venv", "venv", "bundle"]);

// Dependencies installed on the host are large (node_modules often dwarfs the code), slow to
// send, change whenever anyone runs an install, and the image installs its own anyway.
// Worse, native modules built for the host (macOS, or glibc when the image is Alpine/musl)
// crash or misbehave inside the container when they shadow the image's own install.
export const rule: DockerfileRule = {
  meta: {
    id: "context-includes-dependencies",
    description: "The Dockerfile takes host-installed dependencies (node_modules, .venv, vendor/bundle, target, .gradle...) from the build context.",
    impact: "high",
    category: "speed",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext }) {
    if (!buildContext) return [];
    let paths: Set<string> | undefined;
    const groups = sentGroups(buildContext, { sources: contextSources(dockerfile), skipNamedExplicitly: true, key: "context-includes-dependencies" }, (parts) => {
      for (let index = 0; index < parts.length - 1; index++) {
        const name = parts[index] ?? "";
        if (DEPENDENCY_DIRECTORIES.has(name)) return index;
        if (name === "bundle" && index > 0 && parts[index - 1] === "vendor") return index;
        if (name === "target") {
          paths ??= entryPathSet(buildContext);
          const parent = parts.slice(0, index).join("/");
          if (TARGET_MANIFESTS.some((manifest) => paths?.has(parent === "" ? manifest : `${parent}/${manifest}`))) return index;
        }
      }
      return undefined;
    });
    const via = firstVia(groups);
    if (!via) return [];
    const total = groups.reduce((sum, group) => sum + group.bytes, 0);
    const native = groups.some((group) => NATIVE_CAPABLE.has(group.path.split("/").pop() ?? ""));
    return [
      {
        message:
          `${describeSource(via)} takes host-installed dependencies from the build context: ${describeGroups(groups)}${groups.length > 1 ? `, ${formatBytes(total)} in all` : ""}; ` +
          `they are sent on every build and change with every local install` +
          `${native ? ", and native modules compiled on the host can break in the image" : ""}: ` +
          `add them to .dockerignore and install dependencies inside the build`,
        line: via.instruction.span.start.line,
        endLine: via.instruction.span.end.line,
      },
    ];
  },
};
