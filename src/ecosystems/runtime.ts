// The parts of a runtime stage every ecosystem writes the same way: the original metadata in
// its original order, a non-root user, and the startup command in exec form when that is safe.
import type { CommandInstruction } from "../dockerfile/model.ts";
import { instructionText, isRootUser } from "./original.ts";
import type { OriginalBuild } from "./original.ts";
import { execForm, plainWords } from "./render.ts";

export interface PlanMessages {
  review: string[];
  notes: string[];
  /** Set by a planner that declines because the image is already lean: why, for the report. */
  lean?: string;
}

export interface StartupOptions {
  /** Rewrites an argv (exec form, or plain shell-form words) for the new image: `npm start` -> `node dist/server.js`. */
  rewrite?: (argv: string[]) => string[] | undefined;
  /** The runtime image has /bin/sh (shell-form commands and shell HEALTHCHECKs still work). */
  hasShell: boolean;
  /** The command the runtime image should start with when the original's command no longer applies (a dev server replaced by nginx). */
  replacement?: { cmd?: string[]; entrypoint?: string[] };
}

/** ENV, ARG, LABEL, EXPOSE, HEALTHCHECK, STOPSIGNAL, VOLUME and SHELL as written, in their original order. */
export function metadataLines(original: OriginalBuild, messages: PlanMessages, hasShell: boolean, skip: (keyword: string) => boolean = () => false): string[] {
  const lines: string[] = [];
  for (const instruction of original.metadata) {
    if (skip(instruction.keyword)) continue;
    const text = instructionText(original.model, instruction);
    if (!hasShell && instruction.keyword === "SHELL") {
      messages.review.push(`\`${text}\` names a shell the runtime image does not have; it was left out.`);
      continue;
    }
    if (instruction.keyword === "HEALTHCHECK") {
      const health = instruction as CommandInstruction;
      const needsShell = health.form === "shell" || ["sh", "bash", "/bin/sh", "/bin/bash"].includes(health.command[0] ?? "");
      if (!hasShell && needsShell) messages.review.push(`\`${text}\` needs a shell, which the runtime image does not have; replace it with a check the binary can run itself.`);
      const tools = ["curl", "wget", "nc"].filter((tool) => health.command.some((word) => word === tool || word.endsWith(`/${tool}`)) || new RegExp(`\\b${tool}\\b`).test(health.argumentText));
      if (tools.length > 0 && !original.aptPackages.some((name) => tools.includes(name) || (name === "netcat-openbsd" && tools.includes("nc")))) {
        messages.review.push(`\`${text}\` runs ${tools.join(", ")}, which the slim runtime image may not contain.`);
      }
    }
    lines.push(text);
  }
  return lines;
}

/**
 * USER for the runtime stage: the original's when it was already non-root (with the commands
 * that created it, when the runtime image has a shell to run them), else `fallback`.
 */
export function userLines(original: OriginalBuild, fallback: string, messages: PlanMessages, hasShell: boolean): string[] {
  if (!isRootUser(original.user)) {
    if (original.userSetup.length === 0) return [`USER ${original.user}`];
    if (hasShell) return [`RUN ${original.userSetup.join(" && ")}`, `USER ${original.user}`];
    messages.review.push(`The original creates its user with \`${original.userSetup.join(" && ")}\`; the distroless runtime has no shell to do that, so it runs as ${fallback} instead of ${original.user ?? "root"}.`);
    return [`USER ${fallback}`];
  }
  const lowPorts = privilegedPorts(original);
  if (lowPorts.length > 0) {
    // Binding a port below 1024 as non-root works on Docker's default sysctls only; host networking and some orchestrators refuse it.
    messages.notes.push(`Keeps running as ${original.user ?? "root"}: the application listens on port ${lowPorts.join(", ")} (below 1024), which an unprivileged user can bind only where the engine lowers net.ipv4.ip_unprivileged_port_start (Docker's default, not host networking or every orchestrator). Move it to a port >= 1024 to run as \`${fallback}\`.`);
    if (original.userSetup.length > 0) return [`RUN ${original.userSetup.join(" && ")}`];
    return [];
  }
  messages.notes.push(`Runs as the unprivileged user \`${fallback}\` instead of root; application files stay owned by root (read-only to the process).`);
  if (original.userSetup.length > 0) messages.review.push(`The original runs \`${original.userSetup.join(" && ")}\` but stays root; the rewrite does not carry the user over and runs as ${fallback}.`);
  return [`USER ${fallback}`];
}

/** Ports below 1024 the image listens on: EXPOSE, and a PORT variable. */
export function privilegedPorts(original: OriginalBuild): number[] {
  const ports = [...original.exposedPorts, original.env.get("PORT") ?? ""].map((port) => Number.parseInt(port.split("/")[0] ?? "", 10));
  return [...new Set(ports.filter((port) => Number.isInteger(port) && port > 0 && port < 1024))];
}

/** ENTRYPOINT and CMD lines, converted to exec form when safe and rewritten for the new image. */
export function startupLines(original: OriginalBuild, options: StartupOptions, messages: PlanMessages): string[] {
  const lines: string[] = [];
  const emit = (keyword: "ENTRYPOINT" | "CMD", instruction: CommandInstruction | undefined, replacement: string[] | undefined): void => {
    if (replacement) {
      lines.push(`${keyword} ${execForm(replacement)}`);
      return;
    }
    if (!instruction) return;
    const text = instructionText(original.model, instruction);
    if (instruction.form === "exec") {
      const rewritten = options.rewrite?.(instruction.command);
      lines.push(rewritten ? `${keyword} ${execForm(rewritten)}` : text);
      return;
    }
    if (instruction.form === "none") {
      lines.push(text);
      return;
    }
    const words = plainWords(instruction.argumentText);
    if (words) {
      const argv = options.rewrite?.(words) ?? words;
      lines.push(`${keyword} ${execForm(argv)}`);
      messages.notes.push(`\`${text}\` became \`${keyword} ${execForm(argv)}\`: exec form, so the process receives signals (docker stop) directly.`);
      return;
    }
    if (!options.hasShell) messages.review.push(`\`${text}\` is a shell command line and the runtime image has no shell; rewrite it in exec form.`);
    else messages.review.push(`\`${text}\` stays in shell form: it uses shell features, so converting it to exec form is not safe.`);
    lines.push(text);
  };
  if (options.replacement) {
    // The original's startup command belongs to a server the rewrite replaced.
    emit("ENTRYPOINT", undefined, options.replacement.entrypoint);
    emit("CMD", undefined, options.replacement.cmd);
    return lines;
  }
  emit("ENTRYPOINT", original.entrypoint, undefined);
  emit("CMD", original.cmd, undefined);
  return lines;
}

/** Review notes for RUN commands the planner did not recognise (they are not carried over). */
export function unrecognisedCommands(commands: readonly { command: { text: string } }[], messages: PlanMessages): void {
  for (const { command } of commands) {
    messages.review.push(`\`RUN ${command.text}\` was not carried over: the planner does not know which stage it belongs to.`);
  }
}

/**
 * The slim sibling of a versioned tag: node puts `-slim` last (`22-bookworm` -> `22-bookworm-slim`),
 * python right after the version (`3.11-bookworm` -> `3.11-slim-bookworm`). Undefined for
 * unversioned tags (`latest`, `lts`), whose version the planner cannot pin.
 */
export function slimTag(tag: string | undefined, style: "suffix" | "after-version"): string | undefined {
  if (tag === undefined || !/^\d/.test(tag)) return undefined;
  if (/(^|-)(slim|alpine[\d.]*)(-|$)/.test(tag)) return tag;
  if (style === "suffix") return `${tag}-slim`;
  const [version, ...variants] = tag.split("-");
  return [version, "slim", ...variants].join("-");
}

/**
 * The slim image of the same version as the original official `image` base: `node:22` ->
 * `node:22-slim`. A tag written as an ARG (`node:${NODE_VERSION}`) stays an ARG when it holds a
 * bare version, so `--build-arg` keeps working. Undefined when there is no such image to name.
 */
export function sameVersionSlimImage(original: OriginalBuild, image: string, style: "suffix" | "after-version"): string | undefined {
  const base = original.base;
  const official = (base.registry === undefined || base.registry === "docker.io") && base.name.replace(/^library\//, "") === image;
  if (!official || base.digest !== undefined || base.unresolved) return undefined;
  const rawTag = tagAsWritten(base.raw);
  if (rawTag?.includes("$") && base.tag !== undefined && /^\d[\d.]*$/.test(base.tag)) return `${image}:${rawTag}-slim`;
  const slim = slimTag(base.tag, style);
  return slim === undefined ? undefined : `${image}:${slim}`;
}

/** The tag of an image reference as written (`node:${NODE_VERSION}`): after the first `:` past the last `/` or `@`. */
function tagAsWritten(reference: string): string | undefined {
  const name = reference.slice(Math.max(reference.lastIndexOf("/"), reference.lastIndexOf("@")) + 1);
  const colon = name.indexOf(":");
  return colon < 0 || colon === name.length - 1 ? undefined : name.slice(colon + 1);
}

/** Context files the startup commands name (`./docker-entrypoint.sh`, `scripts/start.sh`): the runtime needs them too. */
export function startupFiles(original: OriginalBuild, files: { has(relative: string): boolean }): string[] {
  const found: string[] = [];
  for (const instruction of [original.entrypoint, original.cmd]) {
    if (!instruction || instruction.form === "none") continue;
    const words = instruction.form === "exec" ? instruction.command : (plainWords(instruction.argumentText) ?? instruction.command);
    for (const word of words) {
      const workdirPrefix = `${original.workdir.replace(/\/$/, "")}/`;
      const relative = word.startsWith(workdirPrefix) ? word.slice(workdirPrefix.length) : word.replace(/^\.\//, "");
      if (relative !== "" && !relative.startsWith("/") && !relative.startsWith("-") && files.has(relative) && !found.includes(relative)) found.push(relative);
    }
  }
  return found;
}
