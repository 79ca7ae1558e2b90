// `shipshape fix [PATH...] [--write] [--rule ID...] [--config FILE]`: the edge around the pure
// fix loop (src/fix/run-fixes.ts). Without --write it prints a unified diff (stdout) and a
// summary (stderr), so `shipshape fix | git apply` works; with --write it writes the changed
// and created files atomically, touching nothing else, and prints the summary.
// `--level rewrite` first replaces single-stage Dockerfiles with the planner's multi-stage
// rewrite (src/fix/rewrite.ts; `--dev` adds a dev target and compose.dev.yaml), and `--verify`
// builds and verifies every changed Dockerfile before it is written (src/fix/verify-changes.ts).
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { chooseNetwork } from "../engine/network.ts";
import { openTarget } from "../audit/audit-paths.ts";
import { unifiedDiff } from "../fix/diff.ts";
import { consolidateDiff, parseDockerfiles, planConsolidation, renderConsolidateSummary } from "../fix/consolidate.ts";
import type { ConsolidateChange, ConsolidatePlan } from "../fix/consolidate.ts";
import { FIX_LEVELS, fixWithLevel } from "../fix/rewrite.ts";
import type { FixLevel, LeveledFixResult, PlannedRewrite } from "../fix/rewrite.ts";
import { renderRewriteReport, renderVerifyReport } from "../fix/rewrite-report.ts";
import type { FileChange, FixResult } from "../fix/run-fixes.ts";
import { configuredAllow, verifyChanges } from "../fix/verify-changes.ts";
import type { VerifiedChange } from "../fix/verify-changes.ts";
import { rewriteIntent } from "../fix/expected-differences.ts";
import type { RewriteIntent } from "../fix/expected-differences.ts";
import type { RewriteProbes } from "../fix/verify-rewrite.ts";
import { createEngine, ENGINE_DRIVERS, isEngineDriver } from "../engine/select.ts";
import type { Engine } from "../engine/types.ts";
import { splitArguments } from "../repo/shell-words.ts";
import { parseHttpTarget } from "../verify/outputs.ts";
import { joinDisplayPath, renderFixSummary } from "../fix/summary.ts";
import { decodeText } from "../repo/decode.ts";
import { buildRepositoryView, skippedFolders } from "../repo/view.ts";
import { describeSkipped } from "../audit/skipped.ts";
import { allRules } from "../rules/index.ts";
import { parseAssignments } from "./assignments.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { writeFileAtomic } from "./write.ts";
import { UsageError } from "../errors.ts";

export const FIX_OPTIONS = `Options:
  --write                            write the changes (atomically) instead of printing a diff
  --rule ID                          only this rule's fixes (repeatable)
  --config FILE                      config file, as for audit
  --level safe|rewrite               rewrite: also replace single-stage Dockerfiles with a multi-stage rewrite (docs/fix.md)
  --accept-review                    apply rewrites that need review too (otherwise they are shown, not applied)
  --dev                              with --level rewrite: add a dev target and compose.dev.yaml
  --verify                           build each changed Dockerfile before and after and verify the images; failures are not written
  --smoke 'ARGS' / --http PORT/PATH  probes for --verify on every target (else verify.services in the config)
  --smoke-ignore REGEX               text to ignore in --verify's smoke output and HTTP bodies
  --env KEY=VALUE                    environment of --verify's probes (repeatable), over compose's environment: and the config's env
  --driver api|buildx|auto           how --verify reaches the engine (default: auto)
  --network NAME                     network of --verify's builds and probes (default: the engine's; env SHIPSHAPE_NETWORK, config build.network)
  --consolidate                      merge near-duplicate Dockerfiles into one multi-target Dockerfile + docker-bake.hcl (docs/consolidate.md)
`;

export const FIX_HELP = commandHelp({
  usage: "shipshape fix [PATH...] [options]",
  summary: "Fixes what the audit can fix under each PATH (default: the current directory). Without --write it prints a\nunified diff on stdout (so `shipshape fix | git apply` works) and a summary on stderr.",
  options: FIX_OPTIONS,
  examples: ["shipshape fix", "shipshape fix --write", "shipshape fix services/api --level rewrite --verify --http 3000/health --write"],
  exitCodes: "0 done, 1 a file could not be read or written, or a change failed --verify, 2 usage error or no engine.",
});

export async function runFixCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      write: { type: "boolean", default: false },
      rule: { type: "string", multiple: true },
      config: { type: "string" },
      level: { type: "string", default: "safe" },
      "accept-review": { type: "boolean", default: false },
      dev: { type: "boolean", default: false },
      verify: { type: "boolean", default: false },
      driver: { type: "string" },
      network: { type: "string" },
      smoke: { type: "string", multiple: true },
      "smoke-ignore": { type: "string" },
      http: { type: "string" },
      env: { type: "string", multiple: true },
      consolidate: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
    },
  });
  if (values.consolidate) return runConsolidate(positionals, values, io);
  const only = selectedRules(values.rule);
  const level = fixLevel(values.level);
  if (level !== "rewrite" && values.dev) throw new UsageError("--dev adds a dev stage to rewritten Dockerfiles: use it with --level rewrite");
  if (level !== "rewrite" && values["accept-review"]) throw new UsageError("--accept-review applies rewrites that need review: use it with --level rewrite");
  const commandLineProbes = probesFromOptions(values.smoke, values.http, values["smoke-ignore"]);
  if (values.env !== undefined) commandLineProbes.env = parseAssignments("--env", values.env, io.env);
  if (!values.verify && (values.driver !== undefined || Object.keys(commandLineProbes).length > 0)) throw new UsageError("--driver, --smoke, --smoke-ignore, --http and --env apply to --verify");
  let engine: Engine | undefined;
  if (values.verify) {
    const driver = values.driver ?? "auto";
    if (!isEngineDriver(driver)) throw new UsageError(`--driver ${driver}: expected ${ENGINE_DRIVERS.join(", ")}`);
    // Before any work: without an engine --verify cannot keep its promise, so it never silently skips.
    engine = await createEngine({ driver, env: io.env });
    await engine.ping();
  }
  const leveled = { level, dev: values.dev, acceptReview: values["accept-review"] };
  const targets = positionals.length > 0 ? positionals : ["."];

  const results: { displayRoot: string; root: string; result: FixResult; leveledResult: LeveledFixResult; verified: VerifiedChange[]; unverified: PlannedRewrite[] }[] = [];
  for (const target of targets) {
    const { absolute, displayRoot, config, snapshot, viewOptions } = openTarget(target, { cwd: io.cwd, configPath: values.config });
    // Checked before this target's builds: the config's verify.allow holds for every target, as for `shipshape verify`.
    const allow = engine !== undefined ? configuredAllow(config.verify?.allow) : [];
    io.stderr(describeSkipped(skippedFolders(snapshot, viewOptions).map((folder) => ({ ...folder, path: joinDisplayPath(displayRoot, folder.path) })), values.verbose));
    const fixOptions = { config, ...(only ? { only } : {}), viewOptions, ...leveled, clock: () => performance.now() };
    let leveledResult = fixWithLevel(snapshot, fixOptions);
    let verified: VerifiedChange[] = [];
    let unverified: PlannedRewrite[] = [];
    if (engine !== undefined) {
      const dockerfiles = buildRepositoryView(snapshot, viewOptions).dockerfiles;
      const intents: Record<string, RewriteIntent> = {};
      for (const rewrite of leveledResult.rewrites) {
        const intent = rewrite.status === "applied" ? rewriteIntent(rewrite.ecosystem, rewrite.after, rewrite.replacesDevServer) : undefined;
        if (intent !== undefined) intents[rewrite.path] = intent;
      }
      verified = await verifyChanges(engine, { root: snapshot.root, target: absolute, changes: leveledResult.fix.changes, dockerfiles, configured: config.verify?.services ?? {}, allow, commandLine: commandLineProbes, intents, shellEnv: io.env }, { onProgress: (message) => io.stderr(`${message}\n`), ...networkFor(values.network, io.env, config.build?.network) });
      const failed = new Set(verified.filter((entry) => !entry.ok).map((entry) => entry.dockerfile));
      // A Dockerfile whose change did not build or verify is left as it is (and so are the files created for it).
      if (failed.size > 0) {
        unverified = leveledResult.rewrites.filter((rewrite) => rewrite.status === "applied" && failed.has(rewrite.path));
        leveledResult = fixWithLevel(snapshot, { ...fixOptions, leaveAlone: failed });
      }
    }
    results.push({ displayRoot, root: snapshot.root, result: leveledResult.fix, leveledResult, verified, unverified });
  }
  const verificationFailed = results.some(({ verified }) => verified.some((entry) => !entry.ok));
  // As for audit: a file that could not be read or parsed (binary, no FROM) is reported and fails the run.
  const notAudited = results.some(({ result }) => result.remaining.files.some((file) => file.error !== undefined));
  const reports = (written: boolean): string =>
    results
      .map(({ displayRoot, leveledResult, verified, unverified }) => {
        const rewriteReport = renderRewriteReport({ displayRoot, rewrites: leveledResult.rewrites, unverified, notRewritten: leveledResult.notRewritten, alreadyLean: leveledResult.alreadyLean, devNotes: leveledResult.devNotes }, { written });
        const verifyReport = renderVerifyReport(verified.map((entry) => ({ path: joinDisplayPath(displayRoot, entry.dockerfile), results: entry.results, probed: entry.probed })), { written });
        return `${rewriteReport}${verifyReport}`;
      })
      .join("");

  if (!values.write) {
    for (const { displayRoot, result } of results) {
      for (const change of result.changes) io.stdout(unifiedDiff({ ...change, path: joinDisplayPath(displayRoot, change.path) }));
    }
    io.stderr(reports(false));
    io.stderr(renderFixSummary({ results, written: false }));
    return verificationFailed || notAudited ? 1 : 0;
  }

  const writeFailures: { path: string; reason: string }[] = [];
  for (const { displayRoot, root, result } of results) {
    for (const change of result.changes) {
      const failure = writeChange(root, change);
      if (failure !== undefined) writeFailures.push({ path: joinDisplayPath(displayRoot, change.path), reason: failure });
    }
  }
  io.stdout(reports(true));
  io.stdout(renderFixSummary({ results, written: true, writeFailures }));
  // A file whose fixes could not be applied cleanly was left as it was: the run did not do its job for it.
  const rejected = results.some(({ result }) => result.rejected.length > 0);
  return writeFailures.length > 0 || verificationFailed || notAudited || rejected ? 1 : 0;
}

function fixLevel(value: string | undefined): FixLevel {
  const level = value ?? "safe";
  if (!(FIX_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--level ${level}: expected ${FIX_LEVELS.join(" or ")}`);
  return level as FixLevel;
}

/** `--network`, SHIPSHAPE_NETWORK or the config's build.network, as verifyChanges options. */
function networkFor(flag: string | undefined, env: NodeJS.ProcessEnv, configured: string | undefined): { network?: string } {
  const network = chooseNetwork(flag, env, configured);
  return network !== undefined ? { network } : {};
}

/** `--smoke`, `--http`, `--smoke-ignore` for every verified target (they win over the config's probes). */
function probesFromOptions(smoke: string[] | undefined, http: string | undefined, smokeIgnore: string | undefined): RewriteProbes {
  const probes: RewriteProbes = {};
  try {
    if (smoke !== undefined && smoke.length > 0) {
      for (const args of smoke) splitArguments(args);
      probes.smoke = smoke;
    }
    if (http !== undefined) probes.http = parseHttpTarget(http);
    if (smokeIgnore !== undefined) {
      new RegExp(smokeIgnore);
      probes.smokeIgnore = smokeIgnore;
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return probes;
}

/** Ids named with --rule; a name that is not a rule, or a rule without fixes, is a usage error. */
function selectedRules(names: string[] | undefined): Set<string> | undefined {
  if (names === undefined || names.length === 0) return undefined;
  const ids = names.flatMap((name) => name.split(",")).map((name) => name.trim()).filter(Boolean);
  const fixable = allRules.filter((rule) => rule.meta.fixable).map((rule) => rule.meta.id);
  for (const id of ids) {
    const rule = allRules.find((candidate) => candidate.meta.id === id);
    if (!rule) throw new UsageError(`--rule ${id}: no such rule (\`shipshape rules\` lists them)`);
    if (!rule.meta.fixable) throw new UsageError(`--rule ${id}: this rule has no automatic fix; fixable rules: ${fixable.join(", ")}`);
  }
  return new Set(ids);
}

/** Where writing `target` lands: itself, or the file its symbolic link(s) resolve to when that lies within `root`. */
function linkDestinationWithin(root: string, target: string): string | undefined {
  if (!fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) return target;
  try {
    const real = fs.realpathSync(target);
    const realRoot = fs.realpathSync(root);
    return real.startsWith(`${realRoot}${path.sep}`) ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes one change atomically; returns why it was not written. The file must still hold the
 * text the fixes started from (an editor may have saved meanwhile), a UTF-8 byte order mark is
 * kept, and files that were not UTF-8 are left alone rather than re-encoded.
 */
function writeChange(root: string, change: FileChange): string | undefined {
  const target = path.join(root, ...change.path.split("/"));
  if (change.before === undefined) {
    if (fs.existsSync(target)) return "it exists now; not overwritten";
    try {
      writeFileAtomic(target, change.after);
    } catch (error) {
      return `cannot write: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
    return undefined;
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(target);
  } catch (error) {
    return `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  const decoded = decodeText(bytes);
  if ("error" in decoded) return decoded.error;
  if (decoded.note !== undefined) return `${decoded.note}; only UTF-8 files are rewritten`;
  if (decoded.text !== change.before) return "the file changed since it was read; run `shipshape fix` again";
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? "\uFEFF" : "";
  // A symbolic link is written through: its target gets the fix, the link stays a link.
  const destination = linkDestinationWithin(root, target);
  if (destination === undefined) return "it is a symbolic link to a file outside the repository; not written";
  try {
    writeFileAtomic(destination, `${bom}${change.after}`);
  } catch (error) {
    return `cannot write: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  return undefined;
}

/**
 * `shipshape fix --consolidate [PATH...] [--write]` (docs/consolidate.md): near-duplicate
 * Dockerfiles become one multi-target Dockerfile + docker-bake.hcl. Without --write the diffs go
 * to stdout (created and removed files included) and the summary to stderr. With --write the new
 * and edited files are written first and the old Dockerfiles removed only when all of that worked.
 */
async function runConsolidate(positionals: string[], values: { write?: boolean; config?: string; rule?: string[]; level?: string; verify?: boolean }, io: CliIO): Promise<number> {
  if ((values.rule?.length ?? 0) > 0 || (values.level ?? "safe") !== "safe" || values.verify === true) {
    throw new UsageError("--consolidate is a fix of its own: it takes PATH..., --write and --config only");
  }
  const plans: { displayRoot: string; root: string; plan: ConsolidatePlan }[] = [];
  for (const target of positionals.length > 0 ? positionals : ["."]) {
    const { absolute, isDirectory, displayRoot, snapshot, viewOptions } = openTarget(target, { cwd: io.cwd, configPath: values.config });
    if (!isDirectory) throw new UsageError(`--consolidate works on a directory (the repository or the part of it that holds the services): ${target}`);
    const view = buildRepositoryView(snapshot, viewOptions);
    plans.push({ displayRoot, root: absolute, plan: planConsolidation(view, parseDockerfiles(view)) });
  }
  if (!values.write) {
    for (const { displayRoot, plan } of plans) for (const change of plan.changes) io.stdout(consolidateDiff(change, joinDisplayPath(displayRoot, change.path)));
    io.stderr(renderConsolidateSummary(plans, false));
    return 0;
  }
  const failures: string[] = [];
  for (const { displayRoot, root, plan } of plans) {
    const writes = plan.changes.filter((change): change is ConsolidateChange & { after: string } => change.after !== undefined);
    const planFailures: string[] = [];
    for (const change of writes) {
      const failure = writeChange(root, change);
      if (failure !== undefined) planFailures.push(`not written: ${joinDisplayPath(displayRoot, change.path)}: ${failure}`);
    }
    // The old Dockerfiles go only once their replacement is on disk.
    for (const change of plan.changes.filter((candidate) => candidate.after === undefined)) {
      const display = joinDisplayPath(displayRoot, change.path);
      if (planFailures.length > 0) planFailures.push(`not removed: ${display}: the new files were not all written`);
      else {
        const failure = removeUnchanged(root, change.path, change.before ?? "");
        if (failure !== undefined) planFailures.push(`not removed: ${display}: ${failure}`);
      }
    }
    failures.push(...planFailures);
  }
  io.stdout(renderConsolidateSummary(plans, true));
  for (const failure of failures) io.stdout(`${failure}\n`);
  return failures.length > 0 ? 1 : 0;
}

/** Removes a file that still holds the text the plan read; returns why it was not removed. */
function removeUnchanged(root: string, file: string, expected: string): string | undefined {
  const target = path.join(root, ...file.split("/"));
  try {
    const decoded = decodeText(fs.readFileSync(target));
    if ("error" in decoded || decoded.text !== expected) return "the file changed since it was read";
    fs.unlinkSync(target);
  } catch (error) {
    return `cannot remove: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  return undefined;
}
