// `--allow CLASS` / `verify.allow`: settings differences a reviewer has accepted (a rewrite's
// exec-form CMD, its `USER node`), so that CI can gate on `shipshape verify` after the review.
// An allowed difference stays in the report, marked "allowed", and does not count against the
// verdict. Only settings (`config`) differences can be allowed: files, programs, libraries,
// packages and what the images do when run are never waved through. Pure.
import type { RuntimeConfig } from "./config-diff.ts";
import type { Difference } from "./result.ts";

/** The classes, with what each allows (docs/verify.md lists the same). */
export const ALLOW_CLASSES = {
  user: "a different User (not one AFTER's passwd file does not know)",
  "cmd-form": "the same command in exec form instead of shell form (`/bin/sh -c \"node server.js\"` -> `[\"node\", \"server.js\"]`)",
  cmd: "a different Cmd",
  entrypoint: "a different Entrypoint, including the same command split differently between Entrypoint and Cmd",
  workdir: "a different WorkingDir",
  "env:KEY": "a different value of the variable KEY, set or unset (`env KEY` too)",
  env: "any Env difference",
  "exposed-ports": "ports declared or no longer declared",
  volumes: "volumes declared or no longer declared",
  healthcheck: "a different Healthcheck",
  "stop-signal": "a different StopSignal",
} as const;

export type AllowClassName = Exclude<keyof typeof ALLOW_CLASSES, "env:KEY">;

/** One parsed class; `env` with a key allows that variable only. */
export interface AllowClass {
  name: AllowClassName;
  key?: string;
}

export class AllowClassError extends Error {}

const NAMES = new Set<string>(Object.keys(ALLOW_CLASSES).filter((name) => name !== "env:KEY"));

/** `user`, `cmd-form`, `env:NODE_ENV`, `env NODE_ENV`...; anything else is an error listing the valid classes. */
export function parseAllowClass(text: string): AllowClass {
  const trimmed = text.trim();
  const env = /^env(?::|\s+)(\S+)$/.exec(trimmed);
  if (env) return { name: "env", key: env[1] as string };
  if (NAMES.has(trimmed)) return { name: trimmed as AllowClassName };
  throw new AllowClassError(`unknown difference class ${JSON.stringify(text)}: expected one of ${Object.keys(ALLOW_CLASSES).join(", ")}`);
}

/** How a class is written back (`env:NODE_ENV`). */
export function allowClassText(allow: AllowClass): string {
  return allow.key !== undefined ? `${allow.name}:${allow.key}` : allow.name;
}

type Commands = Pick<RuntimeConfig, "entrypoint" | "cmd">;

/** `["/bin/sh", "-c", "python app.py"]` vs `["python", "app.py"]`: plain words, nothing a shell would interpret. */
export function isShellFormOf(before: readonly string[], after: readonly string[]): boolean {
  if (before.length !== 3 || !/^(\/bin\/)?(ba)?sh$/.test(before[0] ?? "") || before[1] !== "-c") return false;
  const text = (before[2] ?? "").trim();
  if (/[$`'"\\|&;<>(){}*?~[\]#!]/.test(text)) return false;
  const words = text.split(/\s+/);
  return words.length === after.length && words.every((word, index) => word === after[index]);
}

function commandOf(config: Commands): string[] {
  return [...(config.entrypoint ?? []), ...(config.cmd ?? [])];
}

/** Whether `allow` covers `difference` (a settings difference; `before`/`after` are the images' configs). */
function allows(allow: AllowClass, difference: Difference, before: Commands, after: Commands): boolean {
  const subject = difference.subject;
  switch (allow.name) {
    case "user":
      // A user that cannot be resolved stops the container from starting: breakage, not a choice.
      return subject === "User" && !difference.message.includes("cannot be resolved");
    case "cmd-form":
      return (subject === "Cmd" || subject === "Entrypoint" || subject === "Entrypoint/Cmd") && isShellFormOf(commandOf(before), commandOf(after));
    case "cmd":
      return subject === "Cmd";
    case "entrypoint":
      return subject === "Entrypoint" || subject === "Entrypoint/Cmd";
    case "workdir":
      return subject === "WorkingDir";
    case "env":
      return allow.key === undefined ? subject.startsWith("Env.") : subject === `Env.${allow.key}`;
    case "exposed-ports":
      return subject.startsWith("ExposedPorts ");
    case "volumes":
      return subject.startsWith("Volumes ");
    case "healthcheck":
      return subject === "Healthcheck";
    case "stop-signal":
      return subject === "StopSignal";
  }
}

/**
 * Marks the differences the classes allow: severity "allowed", `allowedBy` the first class that
 * covers it. Notes and non-settings differences are returned as they are.
 */
export function applyAllowed(differences: readonly Difference[], allowed: readonly AllowClass[], before: Commands, after: Commands): Difference[] {
  if (allowed.length === 0) return [...differences];
  return differences.map((difference) => {
    if (difference.kind !== "config" || difference.severity !== "difference") return difference;
    const by = allowed.find((allow) => allows(allow, difference, before, after));
    return by === undefined ? difference : { ...difference, severity: "allowed", allowedBy: allowClassText(by) };
  });
}
