// What `shipshape fix --level rewrite` and `--verify` say besides the safe fixes' summary: which
// Dockerfiles were rewritten (with the planner's notes), which rewrites need review (with the
// reasons and their diff, never applied silently), and per verified build target: both builds,
// the verdict and the sizes. Pure: (report) => string.
import { unifiedDiff } from "./diff.ts";
import type { PlannedRewrite } from "./rewrite.ts";
import { joinDisplayPath } from "./summary.ts";
import type { VerifyRewriteResult } from "./verify-rewrite.ts";
import type { Check, Difference } from "../verify/result.ts";
import { formatBytes, formatDuration, plural } from "../format/index.ts";

export interface RewriteReport {
  displayRoot: string;
  rewrites: PlannedRewrite[];
  /** Rewrites `--verify` turned down (left as they were): their review reasons and notes still explain them. */
  unverified?: PlannedRewrite[];
  notRewritten: string[];
  /** Of notRewritten: the ones already lean, with why. */
  alreadyLean?: { path: string; reason: string }[];
  devNotes: string[];
}

export interface VerifiedDockerfile {
  /** Display path of the Dockerfile. */
  path: string;
  results: VerifyRewriteResult[];
  /** Probes that ran, for the "no runtime probe" remark. */
  probed: boolean;
}

export function renderRewriteReport(report: RewriteReport, options: { written: boolean }): string {
  const lines: string[] = [];
  for (const rewrite of report.rewrites) {
    const shown = joinDisplayPath(report.displayRoot, rewrite.path);
    if (rewrite.status === "applied") {
      const accepted = rewrite.review.length > 0 ? " (review accepted with --accept-review)" : "";
      lines.push(`rewrite: ${shown} (${rewrite.ecosystem}): ${options.written ? "rewritten" : "to be rewritten"}${accepted}`);
    } else {
      lines.push(`rewrite: ${shown} (${rewrite.ecosystem}): NEEDS REVIEW, not applied (--accept-review applies it); the safe fixes ran on the original`);
    }
    for (const reason of rewrite.review) lines.push(`  review: ${reason}`);
    for (const note of rewrite.notes) lines.push(`  note: ${note}`);
    if (rewrite.status === "needs-review") {
      lines.push(`  the rewrite that needs review:`);
      const diff = unifiedDiff({ path: shown, before: rewrite.before, after: rewrite.after });
      lines.push(...diff.trimEnd().split("\n").map((line) => `  ${line}`));
    }
  }
  for (const rewrite of report.unverified ?? []) {
    lines.push(`rewrite: ${joinDisplayPath(report.displayRoot, rewrite.path)} (${rewrite.ecosystem}): ${options.written ? "not written" : "left out"}: it did not pass verification (below)`);
    for (const reason of rewrite.review) lines.push(`  review: ${reason}`);
    for (const note of rewrite.notes) lines.push(`  note: ${note}`);
  }
  const lean = new Map((report.alreadyLean ?? []).map((entry) => [entry.path, entry.reason]));
  for (const dockerfile of report.notRewritten) {
    const reason = lean.get(dockerfile);
    if (reason !== undefined) lines.push(`rewrite: ${joinDisplayPath(report.displayRoot, dockerfile)}: not rewritten, ${reason}`);
    else lines.push(`rewrite: ${joinDisplayPath(report.displayRoot, dockerfile)}: not rewritten (already multi-stage, or not a build the planner understands; see docs/rewrites.md)`);
  }
  for (const note of report.devNotes) lines.push(`dev: ${joinDisplayPath(report.displayRoot, note)}`);
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

function size(bytes: number | undefined): string {
  return bytes === undefined ? "?" : formatBytes(bytes);
}

/** Which check reports each kind of difference (src/verify/analyze.ts and run.ts). */
const CHECK_OF_KIND: Record<Difference["kind"], Check["name"]> = {
  config: "config",
  file: "working-directory",
  "moved-file": "moved-directories",
  executable: "executables",
  library: "libraries",
  "node-dependency": "node-dependencies",
  smoke: "smoke",
  http: "http",
};

/** A failed check whose every difference is one the change intends reads "intended", not "failed". */
function checkStatus(check: Check, result: VerifyRewriteResult): string {
  if (check.status !== "failed") return check.status;
  const expected = new Set((result.expected ?? []).map((entry) => entry.difference));
  const own = (result.verify?.differences ?? []).filter((difference) => difference.severity === "difference" && CHECK_OF_KIND[difference.kind] === check.name);
  return own.length > 0 && own.every((difference) => expected.has(difference)) ? "intended" : "failed";
}

export function renderVerifyReport(verified: readonly VerifiedDockerfile[], options: { written: boolean }): string {
  const lines: string[] = [];
  for (const dockerfile of verified) {
    const ok = dockerfile.results.every((result) => result.ok);
    for (const result of dockerfile.results) {
      const before = result.before.ok ? `${size(result.before.sizeBytes)} (built in ${formatDuration(result.before.durationMs)})` : "did not build";
      const after = !result.before.ok ? "not built" : result.after.ok ? `${size(result.after.sizeBytes)} (built in ${formatDuration(result.after.durationMs)})` : "did not build";
      const intended = result.expected?.length ?? 0;
      const verdict = !result.ok ? "FAILED" : intended > 0 ? `verified (${plural(intended, "intended difference")})` : "equivalent";
      lines.push(`verify: ${dockerfile.path} [${result.name}]: ${verdict}; before ${before}, after ${after}`);
      if (result.environment) {
        const names = result.environment.names.length > 0 ? result.environment.names.join(", ") : "none";
        lines.push(`  environment: ${names}${result.environment.sources.length > 0 ? ` (from ${result.environment.sources.join(", then ")})` : ""}`);
        for (const note of result.environment.notes) lines.push(`  environment note: ${note}`);
      }
      if (result.verify) {
        lines.push(`  checks: ${result.verify.checks.map((check) => `${check.name} ${checkStatus(check, result)}`).join(", ")}`);
        for (const expected of result.expected ?? []) lines.push(`  expected: ${expected.difference.kind} ${expected.difference.subject}: ${expected.why}`);
        for (const difference of result.verify.differences.filter((entry) => entry.severity === "allowed")) lines.push(`  allowed: ${difference.kind} ${difference.subject}: by verify.services allow ${difference.allowedBy ?? ""}`);
        for (const difference of result.verify.differences.filter((entry) => entry.severity === "note").slice(0, 5)) lines.push(`  note: ${difference.subject}: ${difference.message}`);
      }
      if (!result.ok && result.reason !== undefined) lines.push(...result.reason.split("\n").map((line, index) => (index === 0 ? `  why: ${line}` : `  ${line}`)));
    }
    if (!dockerfile.probed) lines.push(`  no runtime probe ran: only the static checks (config, files, executables, libraries, node deps); configure verify.services or pass --smoke/--http`);
    if (!ok) lines.push(`  ${dockerfile.path} is ${options.written ? "not written" : "left out of the diff"}: its changes did not pass verification`);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
