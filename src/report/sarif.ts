// `--format sarif`: SARIF 2.1.0 for GitHub code scanning (upload with
// github/codeql-action/upload-sarif). Follows the subset GitHub documents in "SARIF support for
// code scanning": one run, tool.driver with rules (reportingDescriptor: id, name, short and full
// description, help, helpUri, defaultConfiguration.level, properties.tags / precision /
// security-severity), results with ruleId, ruleIndex, level, message.text, one location with a
// repository-relative uri and a region, and partialFingerprints. Files that could not be audited
// become toolExecutionNotifications of the run's invocation. Pure: no clock, no disk.
import { createHash } from "node:crypto";
import type { AuditResult, FileResult, Finding } from "../audit/result.ts";
import type { Category, Impact, RuleMeta } from "../rules/types.ts";
import type { RuleSource } from "./json.ts";
import { compareStrings, ruleMetas, ruleDocsUrl, shipshapeDocUrl, SHIPSHAPE_REPOSITORY_URL } from "./json.ts";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
export const SARIF_VERSION = "2.1.0";
/** The uriBaseId every artifact location is relative to: the audited repository's root. */
export const SOURCE_ROOT_ID = "%SRCROOT%";

export type SarifLevel = "error" | "warning" | "note";

export interface SarifOptions {
  /** shipshape's version (tool.driver.version). */
  toolVersion?: string;
  /** Rules to describe in tool.driver.rules (normally the whole registry). */
  rules?: readonly RuleSource[];
}

// A typed subset of the SARIF 2.1.0 object model: the properties this reporter writes.
export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
}

export interface SarifLocation {
  physicalLocation: { artifactLocation: SarifArtifactLocation; region?: SarifRegion };
}

export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  helpUri: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: "very-high" | "high" | "medium" | "low"; "problem.severity"?: "error" | "warning" | "recommendation"; "security-severity"?: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: { impact: Impact; category: Category; fixable: boolean; estimatedSavingMB?: number };
}

export interface SarifNotification {
  level: "error" | "warning" | "note";
  message: SarifMessage;
  locations?: SarifLocation[];
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: [
    {
      tool: { driver: { name: string; informationUri: string; version?: string; rules: SarifReportingDescriptor[] } };
      invocations: { executionSuccessful: boolean; toolExecutionNotifications: SarifNotification[] }[];
      originalUriBaseIds: Record<string, { uri?: string; description: SarifMessage }>;
      columnKind: "utf16CodeUnits";
      results: SarifResult[];
    },
  ];
}

const LEVEL_BY_IMPACT: Record<Impact, SarifLevel> = { high: "error", medium: "warning", low: "note" };
const PROBLEM_SEVERITY_BY_IMPACT: Record<Impact, "error" | "warning" | "recommendation"> = { high: "error", medium: "warning", low: "recommendation" };
/** GitHub maps 7.0-8.9 to high, 4.0-6.9 to medium, 0.1-3.9 to low. */
const SECURITY_SEVERITY_BY_IMPACT: Record<Impact, string> = { high: "8.0", medium: "5.5", low: "3.0" };
/** GitHub's limit on shortDescription.text and fullDescription.text. */
const DESCRIPTION_LIMIT = 1024;

export function sarifLevel(impact: Impact): SarifLevel {
  return LEVEL_BY_IMPACT[impact];
}

/** `apt-no-install-recommends` -> `AptNoInstallRecommends`. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

export function buildSarif(result: AuditResult, options: SarifOptions = {}): SarifLog {
  const metas = ruleMetas(options.rules);
  const known = new Set(metas.map((meta) => meta.id));
  // Findings of rules the caller did not describe still need a descriptor for ruleIndex.
  const extra = new Map<string, RuleMeta>();
  for (const file of result.files) {
    for (const finding of file.findings) {
      if (!known.has(finding.rule) && !extra.has(finding.rule)) extra.set(finding.rule, syntheticMeta(finding));
    }
  }
  const descriptors = [...metas, ...[...extra.values()].sort((a, b) => compareStrings(a.id, b.id))].map(reportingDescriptor);
  const indexById = new Map(descriptors.map((descriptor, index) => [descriptor.id, index]));

  const results: SarifResult[] = [];
  for (const file of result.files) {
    const occurrences = new Map<string, number>();
    for (const finding of file.findings) {
      const base = fingerprintBase(finding.rule, file.path, finding.message);
      const occurrence = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, occurrence);
      results.push(sarifResult(file, finding, indexById.get(finding.rule) ?? 0, `${base}:${occurrence}`));
    }
  }

  const notifications: SarifNotification[] = result.files.filter((file) => file.error !== undefined).map(fileErrorNotification);
  const nothingAudited = result.files.length > 0 && result.files.every((file) => file.error !== undefined);

  const driver: SarifLog["runs"][0]["tool"]["driver"] =
    options.toolVersion !== undefined && options.toolVersion !== ""
      ? { name: "shipshape", informationUri: SHIPSHAPE_REPOSITORY_URL, version: options.toolVersion, rules: descriptors }
      : { name: "shipshape", informationUri: SHIPSHAPE_REPOSITORY_URL, rules: descriptors };

  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver },
        invocations: [{ executionSuccessful: !nothingAudited, toolExecutionNotifications: notifications }],
        // No uri: paths are relative to the directory shipshape ran in, which the consumer knows
        // (GitHub: the checkout); `result.root` is the scanned directory, not always that one.
        originalUriBaseIds: { [SOURCE_ROOT_ID]: { description: { text: "The directory shipshape ran in (normally the repository root); result paths are relative to it." } } },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
}

export function renderSarif(result: AuditResult, options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(result, options), null, 2)}\n`;
}

function syntheticMeta(finding: Finding): RuleMeta {
  return {
    id: finding.rule,
    description: `shipshape rule ${finding.rule}.`,
    impact: finding.impact,
    category: finding.category,
    scope: "dockerfile",
    hadolint: [...finding.hadolint],
    fixable: finding.fixable,
  };
}

function reportingDescriptor(meta: RuleMeta): SarifReportingDescriptor {
  const url = ruleDocsUrl(meta.id);
  const sentence = /[.!?]$/.test(meta.description) ? meta.description : `${meta.description}.`;
  const hadolint = meta.hadolint.length > 0 ? meta.hadolint.join(", ") : "none";
  const facts = `Impact: ${meta.impact}. Category: ${meta.category}. hadolint equivalent: ${hadolint}. Fixable by shipshape: ${meta.fixable ? "yes" : "no"}.`;
  const estimates = `Size savings shown with findings are estimates from ${shipshapeDocUrl("docs/estimates.md")}, not measurements.`;
  const properties: SarifReportingDescriptor["properties"] = { tags: ruleTags(meta), precision: "high" };
  if (meta.category === "security") properties["security-severity"] = SECURITY_SEVERITY_BY_IMPACT[meta.impact];
  else properties["problem.severity"] = PROBLEM_SEVERITY_BY_IMPACT[meta.impact];
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: limit(sentence) },
    fullDescription: { text: limit(`${sentence} ${facts}`) },
    helpUri: url,
    help: {
      text: `${sentence}\n\n${facts}\n${estimates}\n\nDocumentation: ${url}`,
      markdown: [
        `**${meta.id}**: ${sentence}`,
        "",
        "| impact | category | hadolint | fixable |",
        "|---|---|---|---|",
        `| ${meta.impact} | ${meta.category} | ${meta.hadolint.join(", ") || "-"} | ${meta.fixable ? "yes" : "no"} |`,
        "",
        `Size savings are [estimates](${shipshapeDocUrl("docs/estimates.md")}), not measurements.`,
        "",
        `Documentation: [docs/rules/${meta.id}.md](${url})`,
      ].join("\n"),
    },
    defaultConfiguration: { level: sarifLevel(meta.impact) },
    properties,
  };
}

function ruleTags(meta: RuleMeta): string[] {
  const tags = [meta.category, "docker", meta.scope];
  return [...new Set(tags)];
}

function sarifResult(file: FileResult, finding: Finding, ruleIndex: number, fingerprint: string): SarifResult {
  const region: SarifRegion = { startLine: Math.max(1, finding.line) };
  if (finding.column !== undefined && finding.column >= 1) region.startColumn = finding.column;
  if (finding.endLine !== undefined && finding.endLine > region.startLine) region.endLine = finding.endLine;
  const estimate = finding.estimatedSavingMB !== undefined && finding.estimatedSavingMB > 0 ? ` (estimated saving: ~${finding.estimatedSavingMB} MB; an estimate, not measured)` : "";
  const properties: SarifResult["properties"] = { impact: finding.impact, category: finding.category, fixable: finding.fixable };
  if (finding.estimatedSavingMB !== undefined) properties.estimatedSavingMB = finding.estimatedSavingMB;
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: sarifLevel(finding.impact),
    message: { text: `${finding.message}${estimate}` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(file.path), region } }],
    partialFingerprints: { primaryLocationLineHash: fingerprint },
    properties,
  };
}

function fileErrorNotification(file: FileResult): SarifNotification {
  const notification: SarifNotification = { level: "error", message: { text: `${file.path}: could not be audited: ${file.error ?? "unknown error"}` } };
  if (file.path !== "" && file.path !== ".") notification.locations = [{ physicalLocation: { artifactLocation: artifactLocation(file.path) } }];
  return notification;
}

/**
 * The stable part of a result's identity, so an alert survives edits that move it: the rule,
 * the file, and the message with whitespace collapsed and every number replaced (messages quote
 * line numbers, sizes and percentages that change when unrelated lines do). Line and column are
 * left out on purpose. The caller appends the occurrence index within the file, as GitHub's own
 * values do. It is written as `primaryLocationLineHash`, the only key code scanning reads; when
 * uploading with github/codeql-action/upload-sarif, the action logs a warning per result that
 * its own (line-content) hash differs, and keeps ours.
 */
export function fingerprintBase(rule: string, path: string, message: string): string {
  const normalizedMessage = message.replace(/\d+(?:[.,]\d+)*/g, "0").replace(/\s+/g, " ").trim();
  const normalizedPath = toForwardSlashes(path).replace(/^\.\//, "");
  return createHash("sha256").update(`${rule}\u0000${normalizedPath}\u0000${normalizedMessage}`).digest("hex").slice(0, 16);
}

/** A repository-relative path as a relative URI reference against %SRCROOT% (forward slashes, percent-encoded segments). */
export function artifactLocation(path: string): SarifArtifactLocation {
  const slashed = toForwardSlashes(path);
  if (/^[A-Za-z]:\//.test(slashed) || slashed.startsWith("/")) {
    // Not relative to the repository: an absolute file URI (GitHub relativizes it against the checkout).
    const absolute = slashed.startsWith("/") ? slashed : `/${slashed}`;
    return { uri: `file://${encodePath(absolute)}` };
  }
  const relative = slashed.replace(/^(?:\.\/)+/, "");
  return { uri: encodePath(relative), uriBaseId: SOURCE_ROOT_ID };
}

function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment, index) => (index === 1 && /^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment)))
    .join("/");
}

function toForwardSlashes(path: string): string {
  return path.replace(/\\/g, "/");
}

function limit(text: string): string {
  return text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}
