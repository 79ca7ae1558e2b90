import type { KeyValueInstruction, Stage } from "../dockerfile/model.ts";
import { isKeyValue } from "../dockerfile/model.ts";
import { isShippedStage } from "./queries.ts";
import { joinWithAnd } from "../format/index.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// ENV values are stored in the image configuration: `docker inspect` on any pulled copy shows
// them. Build arguments are recorded in the image history of every RUN that follows them
// (`RUN |1 NPM_TOKEN=... /bin/sh -c npm ci` in `docker history`) and in max-mode provenance. A
// literal in the Dockerfile is also in git. Secret mounts expose a secret to one RUN, in
// memory, and leave nothing behind.
export const rule: DockerfileRule = {
  meta: {
    id: "secrets-in-env-or-arg",
    description: "ENV or ARG carries a secret (a name like PASSWORD, TOKEN, API_KEY, SECRET with a literal value, or any such build argument), which persists in the image or its history.",
    impact: "high",
    category: "security",
    scope: "dockerfile",
    hadolint: [],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    const globalSecrets = new Set<string>();
    for (const instruction of dockerfile.instructions) {
      if (!isKeyValue(instruction) || instruction.keyword === "LABEL" || instruction.onbuild) continue;
      const stage = instruction.stageIndex >= 0 ? dockerfile.stages[instruction.stageIndex] : undefined;
      const found = instruction.keyword === "ARG" ? secretArgs(instruction, stage, dockerfile.globalArgs, globalSecrets) : secretEnv(instruction, stage);
      if (found.length === 0) continue;
      if (instruction.stageIndex < 0) found.forEach((finding) => globalSecrets.add(finding.key));
      const keys = joinWithAnd(found.map((finding) => finding.key));
      const literal = found.some((finding) => finding.kind === "literal");
      const fromArg = found.find((finding) => finding.kind === "build-arg");
      let message: string;
      if (instruction.keyword === "ARG") {
        const shipped = stage === undefined || isShippedStage(dockerfile, stage);
        const recorded = shipped ? "in the image history of every RUN that uses them (docker history) and in build provenance" : "in the build definition (build cache metadata, max-mode provenance)";
        message =
          `ARG ${keys}${literal ? " has a literal default in the Dockerfile, and" : ":"} build arguments are recorded ${recorded}: ` +
          "pass the secret with `docker build --secret id=...` and read it in the RUN that needs it with `RUN --mount=type=secret,id=...`";
      } else {
        const shipped = stage !== undefined && isShippedStage(dockerfile, stage);
        const what = fromArg ? `copies build argument ${fromArg.source} into` : "sets a literal secret in";
        message =
          `ENV ${keys} ${what} the ${shipped ? "image configuration, visible to anyone who can pull the image (docker inspect)" : "stage's environment and the Dockerfile"}: ` +
          "provide it at run time (orchestrator secrets or environment), and for build steps use `RUN --mount=type=secret`";
      }
      reports.push({ message, line: instruction.span.start.line, endLine: instruction.span.end.line });
    }
    return reports;
  },
};

interface SecretPair {
  key: string;
  kind: "literal" | "build-arg" | "declared";
  /** For build-arg: the ARG the ENV copies. */
  source?: string;
}

function secretArgs(instruction: KeyValueInstruction, stage: Stage | undefined, globalArgs: ReadonlyMap<string, string | undefined>, globalSecrets: ReadonlySet<string>): SecretPair[] {
  const result: SecretPair[] = [];
  for (const { key, value } of instruction.pairs) {
    if (!looksSecret(key)) continue;
    // `ARG NPM_TOKEN` inside a stage re-imports a global ARG already reported.
    if (stage && value === undefined && globalSecrets.has(key) && globalArgs.has(key)) continue;
    if (value !== undefined && isHarmlessValue(value)) continue;
    result.push({ key, kind: value === undefined || isReference(value) ? "declared" : "literal" });
  }
  return result;
}

function secretEnv(instruction: KeyValueInstruction, stage: Stage | undefined): SecretPair[] {
  const result: SecretPair[] = [];
  for (const { key, value } of instruction.pairs) {
    if (!looksSecret(key) || value === undefined || isHarmlessValue(value)) continue;
    if (isReference(value)) {
      // `ENV TOKEN=$TOKEN` after `ARG TOKEN` bakes the build argument into the image; a reference to another ENV is that ENV's business.
      const source = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(value)?.[1] ?? "";
      if (stage && declaresArg(stage, instruction, source)) result.push({ key, kind: "build-arg", source });
      continue;
    }
    result.push({ key, kind: "literal" });
  }
  return result;
}

/** ARGs are scoped to their stage (a global ARG is visible only when the stage redeclares it). */
function declaresArg(stage: Stage, before: KeyValueInstruction, name: string): boolean {
  for (const instruction of stage.instructions) {
    if (instruction === before) return false;
    if (instruction.keyword === "ARG" && isKeyValue(instruction) && instruction.pairs.some((pair) => pair.key === name)) return true;
  }
  return false;
}

/**
 * Name words (split at `_`, `-`, `.` and camelCase) must END in a secret word: DB_PASSWORD,
 * GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, stripeApiKey. Names that only mention one
 * (NPM_TOKEN_FILE, PASSWORD_MIN_LENGTH, SECRET_KEY_BASE_DUMMY, AWS_ACCESS_KEY_ID) are settings
 * or references, not secrets, and a bare KEY (GPG_KEY in the official images is a public key
 * fingerprint) is not either.
 */
function looksSecret(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .split(/[_.-]+/)
    .filter(Boolean)
    .map((word) => word.toUpperCase());
  const ends = (...suffix: string[]): boolean => words.length >= suffix.length && suffix.every((word, index) => words[words.length - suffix.length + index] === word);
  if (["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "AUTHTOKEN", "CREDENTIAL", "CREDENTIALS", "PASSPHRASE"].some((word) => ends(word))) return true;
  // Short words that mean something else on their own: PWD is the working directory, PASS a boolean somewhere.
  if (words.length >= 2 && (ends("PASS") || ends("PWD"))) return true;
  return [["API", "KEY"], ["PRIVATE", "KEY"], ["ACCESS", "KEY"], ["SECRET", "KEY"], ["ENCRYPTION", "KEY"], ["SIGNING", "KEY"], ["MASTER", "KEY"], ["LICENSE", "KEY"], ["SECRET", "KEY", "BASE"]].some((suffix) => ends(...suffix));
}

/** Values that cannot be a secret: empty, a switch, or a path to a file that holds it. */
function isHarmlessValue(value: string): boolean {
  const trimmed = value.trim();
  return trimmed === "" || /^(true|false|yes|no|on|off|0|1|none|null)$/i.test(trimmed) || /^(\/|\.\/|~\/)[\w.@/-]*$/.test(trimmed);
}

/** The value is just another variable: `$TOKEN`, `${TOKEN}`, `${TOKEN:-}`. */
function isReference(value: string): boolean {
  return /^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?[-+][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(value.trim());
}
