// The static half of `shipshape verify`: config, files, executables, libraries and Node packages,
// from the two images' configs and merged filesystems. Pure: run.ts does the exporting and running.
import type { AllowClass } from "./allow.ts";
import { applyAllowed } from "./allow.ts";
import type { RuntimeConfig } from "./config-diff.ts";
import { compareConfig, normalizeWorkingDir, resolveUser } from "./config-diff.ts";
import type { CommandOverride } from "./executables.ts";
import { compareExecutables, compareNativeAddons, overrideOwner } from "./executables.ts";
import type { MergedFilesystem } from "./filesystem.ts";
import { compareClosures, dependencyClosure, devOnlyPackageDirs, readPackageJson, workspaceMembers } from "./node-deps.ts";
import type { Check, Difference, IgnoredFiles } from "./result.ts";
import { checkFrom } from "./result.ts";
import { compareWorkingDirectory, TSCONFIG_READERS } from "./runtime-files.ts";
import { plural } from "../format/index.ts";

export interface ImageUnderTest {
  config: RuntimeConfig;
  filesystem: MergedFilesystem;
}

export interface StaticAnalysis {
  checks: Check[];
  differences: Difference[];
  ignored: IgnoredFiles[];
}

function userOf(image: ImageUnderTest, user = image.config.user): ReturnType<typeof resolveUser> {
  const text = (path: string): string | undefined => image.filesystem.resolve(path)?.node.content?.text;
  return resolveUser(user, text("/etc/passwd"), text("/etc/group"));
}

/** The override's user (compose's `user:`) must exist in AFTER when it does in BEFORE: the runtime refuses to start the container otherwise. */
function overrideUserDifferences(before: ImageUnderTest, after: ImageUnderTest, override: CommandOverride | undefined): Difference[] {
  if (override?.user === undefined) return [];
  const [beforeUser, afterUser] = [userOf(before, override.user), userOf(after, override.user)];
  if (!("error" in afterUser) || "error" in beforeUser) return [];
  return [{ kind: "config", severity: "difference", subject: `User (${override.source})`, before: override.user, after: afterUser.error, message: `${override.source} runs as ${override.user}, which AFTER's passwd or group file does not know: the container would not start.` }];
}

const CONFIG_FIELDS = 9;

/**
 * `override`: what compose runs instead of the images' own Entrypoint/Cmd; its commands must resolve in AFTER too.
 * `allowed`: settings differences the user accepted (allow.ts), reported as "allowed".
 */
export function analyzeImages(before: ImageUnderTest, after: ImageUnderTest, override?: CommandOverride, allowed: readonly AllowClass[] = []): StaticAnalysis {
  const checks: Check[] = [];
  const differences: Difference[] = [];
  const beforeDir = normalizeWorkingDir(before.config.workingDir);
  const afterDir = normalizeWorkingDir(after.config.workingDir);

  const executables = compareExecutables({ filesystem: before.filesystem, config: before.config }, { filesystem: after.filesystem, config: after.config }, override);
  const compared = [...compareConfig(before.config, after.config, { commandsResolveAlike: executables.commandsResolveAlike, beforeUser: userOf(before), afterUser: userOf(after) }), ...overrideUserDifferences(before, after, override)];
  const config = applyAllowed(compared, allowed, before.config, after.config);
  const allowedCount = config.filter((difference) => difference.severity === "allowed").length;
  checks.push(checkFrom("config", config, `${CONFIG_FIELDS} settings compared (Entrypoint, Cmd, Env, WorkingDir, User, ExposedPorts, Volumes, Healthcheck, StopSignal)${allowedCount > 0 ? `; ${plural(allowedCount, "allowed difference")}` : ""}`));
  differences.push(...config);

  const programDifferences = executables.differences.filter((difference) => difference.kind !== "library");
  checks.push(checkFrom("executables", programDifferences, `${plural(executables.commands, "command")} named by Entrypoint/Cmd/Healthcheck${override !== undefined ? ` and ${overrideOwner(override)} command` : ""} resolved in AFTER`));
  const addons = compareNativeAddons({ filesystem: before.filesystem, config: before.config }, { filesystem: after.filesystem, config: after.config });
  const libraryDifferences = [...executables.differences.filter((difference) => difference.kind === "library"), ...addons.differences];
  checks.push(checkFrom("libraries", libraryDifferences, `${plural(executables.loaded, "object")} loaded by those commands, ${plural(addons.addons, "native Node addon")}`));
  differences.push(...programDifferences, ...libraryDifferences);

  const manifest = beforeDir === "/" ? undefined : readPackageJson(before.filesystem, beforeDir);
  let devOnly = new Set<string>();
  let runtimeReadsTsconfig = false;
  if (manifest) {
    const workspaces = workspaceMembers(before.filesystem, beforeDir);
    const beforeClosure = dependencyClosure(before.filesystem, beforeDir, manifest, "production", workspaces);
    const afterClosure = dependencyClosure(after.filesystem, afterDir, manifest, "production", workspaces);
    const nodeDifferences = compareClosures(beforeClosure, afterClosure);
    const fromWorkspaces = workspaces.length > 0 ? ` and ${plural(workspaces.length, "workspace package")}` : "";
    checks.push(checkFrom("node-dependencies", nodeDifferences, `${plural(beforeClosure.packages.size, "production package")} from ${beforeDir}/package.json${fromWorkspaces}`));
    differences.push(...nodeDifferences);
    devOnly = devOnlyPackageDirs(before.filesystem, beforeDir, manifest, beforeClosure, workspaces);
    runtimeReadsTsconfig = [...beforeClosure.packages.values()].some((pkg) => TSCONFIG_READERS.includes(pkg.name));
  } else {
    checks.push({ name: "node-dependencies", status: "skipped", detail: beforeDir === "/" ? "no working directory" : `no package.json in ${beforeDir}` });
  }

  let ignored: IgnoredFiles[] = [];
  if (beforeDir === "/") {
    checks.push({ name: "working-directory", status: "skipped", detail: "BEFORE's working directory is /: the app's files cannot be told apart from the system's" });
  } else if (before.filesystem.resolve(beforeDir)?.node.type !== "directory") {
    checks.push({ name: "working-directory", status: "skipped", detail: `BEFORE has no directory ${beforeDir}` });
  } else {
    const files = compareWorkingDirectory({ before: before.filesystem, after: after.filesystem, beforeDir, afterDir, devOnlyPackageDirs: devOnly, runtimeReadsTsconfig });
    const ignoredCount = files.ignored.reduce((sum, entry) => sum + entry.count, 0);
    const where = beforeDir === afterDir ? beforeDir : `${beforeDir} (BEFORE) vs ${afterDir} (AFTER)`;
    checks.push(checkFrom("working-directory", files.differences, `${files.compared} entries under ${where}${ignoredCount > 0 ? `, ${ignoredCount} missing but not needed at run time` : ""}`));
    differences.push(...files.differences);
    ignored = files.ignored;
  }
  return { checks, differences, ignored };
}
