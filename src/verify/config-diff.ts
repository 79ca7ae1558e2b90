// The image settings a `docker run` user depends on, compared after normalising what the engine
// treats as the same: an empty WorkingDir is "/", an empty StopSignal is SIGTERM, "15" and "TERM"
// are SIGTERM, "3000" is "3000/tcp", Env is a map (order and duplicates do not matter, the last
// value wins as in Docker), a Healthcheck of ["NONE"] is no healthcheck. Labels are not compared
// (nothing at run time reads them).
import type { ImageConfig } from "../engine/types.ts";
import type { Difference } from "./result.ts";

export type RuntimeConfig = Pick<ImageConfig, "entrypoint" | "cmd" | "env" | "workingDir" | "user" | "exposedPorts" | "volumes" | "healthcheck" | "stopSignal">;

export interface UserIdentity {
  uid: number;
  gid: number;
}

/** Facts found in the images' filesystems that decide how serious a config difference is. */
export interface ConfigFacts {
  /** Whether every command named by Entrypoint/Cmd/Healthcheck resolves to the same file in both images (undefined: not known). */
  commandsResolveAlike?: boolean;
  /** The User setting resolved through each image's /etc/passwd and /etc/group. */
  beforeUser?: UserIdentity | { error: string };
  afterUser?: UserIdentity | { error: string };
}

/** `KEY=value` lines as a map; a line without "=" is a key with an empty value; later lines win. */
export function envMap(env: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of env) {
    const equals = line.indexOf("=");
    if (equals < 0) map.set(line, "");
    else map.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return map;
}

/** Docker's PATH when an image sets none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function imagePath(env: readonly string[]): string[] {
  return (envMap(env).get("PATH") ?? DEFAULT_PATH).split(":").filter((entry) => entry !== "");
}

export function normalizeWorkingDir(workingDir: string): string {
  const segments = workingDir.split("/").filter((segment) => segment !== "" && segment !== ".");
  return `/${segments.join("/")}`;
}

const SIGNAL_NUMBERS: Record<string, string> = {
  "1": "SIGHUP",
  "2": "SIGINT",
  "3": "SIGQUIT",
  "6": "SIGABRT",
  "9": "SIGKILL",
  "10": "SIGUSR1",
  "12": "SIGUSR2",
  "15": "SIGTERM",
  "28": "SIGWINCH",
};

export function normalizeSignal(signal: string): string {
  const trimmed = signal.trim().toUpperCase();
  if (trimmed === "") return "SIGTERM";
  if (/^\d+$/.test(trimmed)) return SIGNAL_NUMBERS[trimmed] ?? `signal ${trimmed}`;
  return trimmed.startsWith("SIG") ? trimmed : `SIG${trimmed}`;
}

export function normalizePort(port: string): string {
  return port.includes("/") ? port.toLowerCase() : `${port}/tcp`;
}

function normalizeHealthcheck(check: ImageConfig["healthcheck"]): string | undefined {
  if (!check || check.test.length === 0 || check.test[0] === "NONE") return undefined;
  const parts = [JSON.stringify(check.test)];
  if (check.interval !== undefined) parts.push(`interval=${check.interval}ms`);
  if (check.timeout !== undefined) parts.push(`timeout=${check.timeout}ms`);
  if (check.retries !== undefined) parts.push(`retries=${check.retries}`);
  return parts.join(" ");
}

function show(value: readonly string[] | null): string {
  return value === null || value.length === 0 ? "(none)" : JSON.stringify(value);
}

function sameList(a: readonly string[] | null, b: readonly string[] | null): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

function setDifferences(kind: "ExposedPorts" | "Volumes", before: readonly string[], after: readonly string[], normalize: (value: string) => string): Difference[] {
  const beforeSet = new Set(before.map(normalize));
  const afterSet = new Set(after.map(normalize));
  const differences: Difference[] = [];
  const what = kind === "ExposedPorts" ? "port" : "volume";
  for (const value of [...beforeSet].sort()) {
    if (!afterSet.has(value)) differences.push({ kind: "config", severity: "difference", subject: `${kind} ${value}`, before: value, message: `AFTER no longer declares the ${what} ${value}.` });
  }
  for (const value of [...afterSet].sort()) {
    if (!beforeSet.has(value)) differences.push({ kind: "config", severity: "difference", subject: `${kind} ${value}`, after: value, message: `AFTER declares a new ${what} ${value}.` });
  }
  return differences;
}

function isIdentity(value: ConfigFacts["beforeUser"]): value is UserIdentity {
  return value !== undefined && !("error" in value);
}

function userDifference(before: string, after: string, facts: ConfigFacts): Difference[] {
  const beforeName = before === "" ? "(default: root)" : before;
  const afterName = after === "" ? "(default: root)" : after;
  const beforeId = facts.beforeUser;
  const afterId = facts.afterUser;
  if (afterId !== undefined && !isIdentity(afterId)) {
    return [{ kind: "config", severity: "difference", subject: "User", before: beforeName, after: afterName, message: `AFTER's user cannot be resolved: ${afterId.error}; \`docker run\` fails before the app starts.` }];
  }
  if (before === after) return [];
  if (isIdentity(beforeId) && isIdentity(afterId) && beforeId.uid === afterId.uid && beforeId.gid === afterId.gid) {
    return [{ kind: "config", severity: "note", subject: "User", before: beforeName, after: afterName, message: `Spelled differently, same identity (uid ${afterId.uid}, gid ${afterId.gid}) in both images.` }];
  }
  let message = "The container runs as a different user.";
  if (isIdentity(beforeId) && isIdentity(afterId)) {
    const ids = `uid ${beforeId.uid}:${beforeId.gid} -> ${afterId.uid}:${afterId.gid}`;
    if (beforeId.uid === 0 && afterId.uid !== 0) {
      message = `AFTER runs as non-root (${ids}), usually the point of the change; check that the app does not bind ports below 1024, write to root-owned paths (working directory, volumes, caches) or read root-only files.`;
    } else if (beforeId.uid !== 0 && afterId.uid === 0) {
      message = `AFTER runs as root where BEFORE did not (${ids}): a security regression.`;
    } else {
      message = `The container runs as a different user (${ids}); file permissions may differ.`;
    }
  }
  return [{ kind: "config", severity: "difference", subject: "User", before: beforeName, after: afterName, message }];
}

function envDifferences(before: readonly string[], after: readonly string[], facts: ConfigFacts): Difference[] {
  const beforeEnv = envMap(before);
  const afterEnv = envMap(after);
  const keys = [...new Set([...beforeEnv.keys(), ...afterEnv.keys()])].sort();
  const differences: Difference[] = [];
  for (const key of keys) {
    const beforeValue = beforeEnv.get(key);
    const afterValue = afterEnv.get(key);
    if (beforeValue === afterValue) continue;
    const subject = `Env.${key}`;
    if (key === "PATH") {
      // PATH only matters through what it finds: same files for every command we can see -> a note.
      const alike = facts.commandsResolveAlike === true;
      const message = alike
        ? "PATH differs, but every command named by Entrypoint, Cmd and Healthcheck resolves to the same file in both images; commands the app starts by name at run time may still resolve differently."
        : facts.commandsResolveAlike === false
          ? "PATH differs and at least one command named by Entrypoint, Cmd or Healthcheck resolves differently (see the executables check)."
          : "PATH differs; whether commands resolve differently was not checked.";
      differences.push({ kind: "config", severity: alike ? "note" : "difference", subject, before: beforeValue ?? DEFAULT_PATH, after: afterValue ?? DEFAULT_PATH, message });
      continue;
    }
    const difference: Difference = { kind: "config", severity: "difference", subject, message: "" };
    if (beforeValue !== undefined) difference.before = beforeValue;
    if (afterValue !== undefined) difference.after = afterValue;
    difference.message = beforeValue === undefined ? `AFTER sets ${key}.` : afterValue === undefined ? `AFTER no longer sets ${key}.` : `${key} has a different value.`;
    differences.push(difference);
  }
  return differences;
}

/** Every run-time setting that differs, in a stable order. */
export function compareConfig(before: RuntimeConfig, after: RuntimeConfig, facts: ConfigFacts = {}): Difference[] {
  const differences: Difference[] = [];
  const beforeCommand = [...(before.entrypoint ?? []), ...(before.cmd ?? [])];
  const afterCommand = [...(after.entrypoint ?? []), ...(after.cmd ?? [])];
  const splitChanged = !sameList(before.entrypoint, after.entrypoint) || !sameList(before.cmd, after.cmd);
  if (splitChanged && sameList(beforeCommand, afterCommand)) {
    // Same default command, split differently: `docker run IMAGE ARGS` replaces a different part.
    differences.push({
      kind: "config",
      severity: "difference",
      subject: "Entrypoint/Cmd",
      before: `Entrypoint ${show(before.entrypoint)}, Cmd ${show(before.cmd)}`,
      after: `Entrypoint ${show(after.entrypoint)}, Cmd ${show(after.cmd)}`,
      message: `The same command runs by default (${show(afterCommand)}), but arguments given to \`docker run IMAGE ARGS\` replace a different part of it.`,
    });
  } else {
    if (!sameList(before.entrypoint, after.entrypoint)) {
      differences.push({ kind: "config", severity: "difference", subject: "Entrypoint", before: show(before.entrypoint), after: show(after.entrypoint), message: "The container starts a different program." });
    }
    if (!sameList(before.cmd, after.cmd)) {
      differences.push({ kind: "config", severity: "difference", subject: "Cmd", before: show(before.cmd), after: show(after.cmd), message: "The default command or arguments differ." });
    }
  }
  differences.push(...envDifferences(before.env, after.env, facts));
  const beforeDir = normalizeWorkingDir(before.workingDir);
  const afterDir = normalizeWorkingDir(after.workingDir);
  if (beforeDir !== afterDir) {
    differences.push({ kind: "config", severity: "difference", subject: "WorkingDir", before: beforeDir, after: afterDir, message: "Relative paths (in Cmd, in the app, in `docker exec`) resolve from a different directory." });
  }
  differences.push(...userDifference(before.user, after.user, facts));
  differences.push(...setDifferences("ExposedPorts", before.exposedPorts, after.exposedPorts, normalizePort));
  differences.push(...setDifferences("Volumes", before.volumes, after.volumes, (volume) => normalizeWorkingDir(volume)));
  const beforeCheck = normalizeHealthcheck(before.healthcheck);
  const afterCheck = normalizeHealthcheck(after.healthcheck);
  if (beforeCheck !== afterCheck) {
    differences.push({ kind: "config", severity: "difference", subject: "Healthcheck", before: beforeCheck ?? "(none)", after: afterCheck ?? "(none)", message: "Orchestrators see health (and restart or route) differently." });
  }
  const beforeSignal = normalizeSignal(before.stopSignal);
  const afterSignal = normalizeSignal(after.stopSignal);
  if (beforeSignal !== afterSignal) {
    differences.push({ kind: "config", severity: "difference", subject: "StopSignal", before: beforeSignal, after: afterSignal, message: "`docker stop` asks the app to stop with a different signal." });
  }
  return differences;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

function parseColonFile(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.split(":"));
}

/**
 * Resolves a Dockerfile USER value (`name`, `uid`, `name:group`, `uid:gid`) as the runtime does:
 * names through the image's /etc/passwd and /etc/group, numbers as they are; an empty value is root.
 */
export function resolveUser(user: string, passwd: string | undefined, group: string | undefined): UserIdentity | { error: string } {
  const spec = user.trim() === "" ? "0" : user.trim();
  const [userPart = "", groupPart] = spec.split(":");
  const users: PasswdEntry[] = parseColonFile(passwd).map(([name = "", , uid = "", gid = ""]) => ({ name, uid: Number(uid), gid: Number(gid) }));
  const groups = parseColonFile(group).map(([name = "", , gid = ""]) => ({ name, gid: Number(gid) }));
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    gid = users.find((entry) => entry.uid === uid)?.gid ?? 0;
  } else {
    const entry = users.find((candidate) => candidate.name === userPart);
    if (!entry) return { error: `unable to find user ${userPart}: no matching entries in passwd file` };
    uid = entry.uid;
    gid = entry.gid;
  }
  if (groupPart !== undefined && groupPart !== "") {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const entry = groups.find((candidate) => candidate.name === groupPart);
      if (!entry) return { error: `unable to find group ${groupPart}: no matching entries in group file` };
      gid = entry.gid;
    }
  }
  return { uid, gid };
}
