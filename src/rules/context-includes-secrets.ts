import { isShippedStage } from "./queries.ts";
import { contextSources, describeSource, sentGroups, thirdPartyIndex } from "./support/context.ts";
import { joinWithAnd } from "../format/index.ts";
import { snapshotFile } from "../repo/snapshot.ts";
import type { DockerfileRule } from "./types.ts";

/** Directories of credentials. */
const SECRET_DIRECTORIES = new Set([".aws", ".ssh", ".kube", ".gnupg"]);
/** Files that are credentials by name. Only names are looked at: contents are never read. */
const SECRET_FILES = new Set(["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "credentials.json", ".pypirc", ".netrc", ".git-credentials", "kubeconfig"]);
/** `.env.example` and friends are committed templates without values. */
const ENV_TEMPLATES = /^\.env\.(example|sample|template|dist|defaults?)$/i;
/** Test keys and fixtures are dummies; a key inside node_modules belongs to a package's tests. */
const FIXTURE_DIRECTORIES = new Set(["test", "tests", "__tests__", "spec", "testdata", "fixtures", "__fixtures__"]);

/** Whether a file name says "credentials". */
export function isSecretName(name: string): boolean {
  if (SECRET_FILES.has(name)) return true;
  if (/^\.env(\..+)?$/i.test(name)) return !ENV_TEMPLATES.test(name);
  if (/\.kubeconfig$|^kubeconfig\.ya?ml$/i.test(name)) return true;
  if (/\.(key|p12|pfx)$/i.test(name)) return !/pub/i.test(name);
  if (/\.pem$/i.test(name)) {
    const stem = name.slice(0, -4);
    // A .pem is often a public certificate; only a name that says key, or says nothing, counts.
    if (/key|priv|secret/i.test(stem)) return true;
    return !/cert|chain|(^|[-_.])ca([-_.]|$)|crt|pub|bundle|root/i.test(stem);
  }
  return false;
}

// With `COPY . .` every file of the context lands in a layer: anyone who can pull the image
// can read a copied .env or private key, and deleting it in a later RUN does not remove it
// from the earlier layer. Build-time secrets belong in RUN --mount=type=secret, runtime ones
// in the orchestrator's secret store.
export const rule: DockerfileRule = {
  meta: {
    id: "context-includes-secrets",
    description: "The Dockerfile copies files that look like secrets (.env, private keys, cloud credentials) from the build context into the image.",
    impact: "high",
    category: "security",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile, buildContext, repository }) {
    if (!buildContext) return [];
    // Bind mounts do not leave files in a layer; copies do, even when they name the file on purpose.
    const sources = contextSources(dockerfile).filter((source) => source.kind === "copy");
    const prefix = buildContext.root === "" ? "" : `${buildContext.root}/`;
    const groups = sentGroups(buildContext, { sources, skipNamedExplicitly: false, key: "context-includes-secrets" }, (parts) => {
      const directory = parts.findIndex((part, index) => index < parts.length - 1 && SECRET_DIRECTORIES.has(part));
      const index = directory >= 0 ? directory : parts.length - 1;
      if (thirdPartyIndex(parts, index) >= 0 || parts.slice(0, index).some((part) => FIXTURE_DIRECTORIES.has(part))) return undefined;
      if (directory >= 0) return directory;
      const name = parts[index] ?? "";
      if (isSecretName(name)) return index;
      // A project .npmrc usually holds registry settings; one git ignores is personal and usually holds an auth token.
      if (name === ".npmrc" && snapshotFile(repository.snapshot, `${prefix}${parts.join("/")}`)?.gitignored === true) return index;
      return undefined;
    });
    if (groups.length === 0) return [];
    // One finding per copying instruction, so each COPY that leaks is visible where it is.
    const byInstruction = new Map<number, typeof groups>();
    for (const group of groups) {
      const list = byInstruction.get(group.via.instruction.index);
      if (list) list.push(group);
      else byInstruction.set(group.via.instruction.index, [group]);
    }
    return [...byInstruction.values()].flatMap((list) => {
      const via = list[0]?.via;
      if (!via) return [];
      const names = list.map((group) => `${group.path}${group.isDirectory ? "/" : ""}`).sort();
      const shown = names.length > 5 ? `${names.slice(0, 5).join(", ")} and ${names.length - 5} more` : joinWithAnd(names);
      const them = names.length === 1 ? "it" : "them";
      const where = isShippedStage(dockerfile, via.stage)
        ? `into the image, where anyone who can pull the image can read ${them}`
        : `into build stage ${via.stage.name ?? `#${via.stage.index}`}, whose layers stay in the build cache and in any exported cache`;
      return {
        message:
          `${describeSource(via)} copies ${shown} ${where}: exclude ${them} in .dockerignore and pass secrets with ` +
          `RUN --mount=type=secret at build time or through the runtime's secret store`,
        line: via.instruction.span.start.line,
        endLine: via.instruction.span.end.line,
      };
    });
  },
};
