import { imageShortName } from "../dockerfile/image-ref.ts";
import type { ImageReference } from "../dockerfile/model.ts";
import { projectRoots } from "../repo/view.ts";
import { joinWithAnd } from "../format/index.ts";
import type { RepositoryRule, RuleReport } from "./types.ts";

/** Official runtime images, the family they belong to and how many version parts make a release line. */
const RUNTIMES: Record<string, { family: string; parts: number }> = {
  node: { family: "node", parts: 1 },
  python: { family: "python", parts: 2 },
  golang: { family: "go", parts: 2 },
  rust: { family: "rust", parts: 2 },
  openjdk: { family: "java", parts: 1 },
  "eclipse-temurin": { family: "java", parts: 1 },
  amazoncorretto: { family: "java", parts: 1 },
  ruby: { family: "ruby", parts: 2 },
  php: { family: "php", parts: 2 },
};

interface Usage {
  path: string;
  line: number;
  image: string;
  family: string;
  version: string;
}

// Services on different releases of the same runtime behave differently (language features,
// defaults, security fixes), share no base layers on the nodes that pull them, and get
// upgraded one by one, which is how the oldest one ends up years behind.
export const rule: RepositoryRule = {
  meta: {
    id: "runtime-version-drift",
    description: "The same language runtime image (node, python, golang...) is used at different versions across the repository's Dockerfiles.",
    impact: "medium",
    category: "maintainability",
    scope: "repository",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfiles, repository }) {
    // Independent projects that share a repository (a collection of samples) are compared only within themselves.
    const roots = projectRoots(repository);
    const usagesByFamily = new Map<string, Usage[]>();
    for (const [path, model] of dockerfiles) {
      const project = roots.get(path) ?? "";
      for (const stage of model.stages) {
        if (stage.baseStage !== undefined) continue;
        const usage = runtimeUsage(stage.base);
        if (!usage) continue;
        const entry = { path, line: stage.from.span.start.line, image: stage.base.resolved, ...usage };
        const key = `${project}\u0000${usage.family}`;
        const list = usagesByFamily.get(key);
        if (list) list.push(entry);
        else usagesByFamily.set(key, [entry]);
      }
    }

    const reports: RuleReport[] = [];
    for (const usages of usagesByFamily.values()) {
      const family = usages[0]?.family ?? "";
      // Each Dockerfile counts once per version, however many stages use it.
      const filesByVersion = new Map<string, Set<string>>();
      for (const usage of usages) {
        const files = filesByVersion.get(usage.version) ?? new Set<string>();
        files.add(usage.path);
        filesByVersion.set(usage.version, files);
      }
      if (filesByVersion.size < 2) continue;
      // The most common version is the reference; on a tie, the newest (the outliers are the ones to upgrade).
      const [reference] = [...filesByVersion].sort(([a, x], [b, y]) => y.size - x.size || compareVersions(b, a));
      if (!reference) continue;
      const [referenceVersion, referenceFiles] = reference;
      for (const usage of usages) {
        if (usage.version === referenceVersion || pathNamesVersion(usage.path, usage.version)) continue;
        const others = [...referenceFiles].filter((file) => file !== usage.path).sort();
        const shown = others.length > 3 ? [...others.slice(0, 3), `${others.length - 3} more`] : others;
        // A build stage on one version and a runtime stage on another is drift inside one file.
        const named = joinWithAnd(referenceFiles.has(usage.path) ? [...shown, "another stage of this Dockerfile"] : shown);
        const versions = [...filesByVersion.keys()].sort(compareVersions).join(", ");
        reports.push({
          path: usage.path,
          line: usage.line,
          message:
            `${usage.image} is ${family} ${usage.version}, but the repository mostly uses ${family} ${referenceVersion} (${named}); ` +
            `versions in use: ${versions}: align them (one shared ARG or bake variable) so services behave alike and share base layers`,
        });
      }
    }
    return reports;
  },
};

function runtimeUsage(base: ImageReference): { family: string; version: string } | undefined {
  if (base.unresolved || base.tag === undefined) return undefined;
  const short = imageShortName(base);
  const runtime = RUNTIMES[short];
  // Official images only (also through mirrors: `public.ecr.aws/docker/library/node`); `bitnami/node` versions differently.
  if (!runtime || (base.name !== short && !base.name.endsWith(`library/${short}`))) return undefined;
  const digits = /^\d+(?:\.\d+)*/.exec(base.tag.split("-")[0] ?? "");
  const parts = digits ? digits[0].split(".") : [];
  // `python:3` or `node:lts` float; they cannot be compared to a release line.
  if (parts.length < runtime.parts) return undefined;
  return { family: runtime.family, version: parts.slice(0, runtime.parts).join(".") };
}

function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let index = 0; index < Math.max(x.length, y.length); index++) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** `compat/node18/Dockerfile`, `Dockerfile.py3.9`: a file that names its version is pinned on purpose. */
function pathNamesVersion(path: string, version: string): boolean {
  // Not a digit or letter right after it: `node18/` and `py3.9` count, `k8s/` does not name Java 8.
  return new RegExp(`(^|[^0-9.])${version.replace(/\./g, "\\.")}(?![0-9a-z]|\\.[0-9])`, "i").test(path);
}
