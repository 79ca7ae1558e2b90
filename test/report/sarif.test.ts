import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summarize } from "../../src/audit/run.ts";
import type { AuditResult, FileResult } from "../../src/audit/result.ts";
import type { RuleSource } from "../../src/report/json.ts";
import { artifactLocation, fingerprintBase, pascalCase, renderSarif } from "../../src/report/sarif.ts";
import { allRules } from "../../src/rules/index.ts";
import { HAND_RULES, handResult, pipelineResult, resultWithMessage } from "../fixtures/report/results.ts";

type Json = Record<string, unknown>;

/**
 * A structural check of what GitHub code scanning requires of a SARIF file ("SARIF support for
 * code scanning": required properties, non-empty strings, limits) plus the SARIF 2.1.0 schema's
 * own required properties for the objects written (sarifLog.version/runs, run.tool,
 * tool.driver.name, result.message, invocation.executionSuccessful, notification.message).
 * Returns the list of problems (empty when valid).
 */
function sarifProblems(log: Json): string[] {
  const problems: string[] = [];
  const check = (condition: boolean, problem: string): void => {
    if (!condition) problems.push(problem);
  };
  const text = (value: unknown): value is string => typeof value === "string" && value !== "";
  const object = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
  const positiveInteger = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 1;
  const levels = ["none", "note", "warning", "error"];

  check(log.$schema === "https://json.schemastore.org/sarif-2.1.0.json", "$schema");
  check(log.version === "2.1.0", "version");
  check(Array.isArray(log.runs) && log.runs.length >= 1, "runs[]");
  for (const [runIndex, run] of ((log.runs as unknown[]) ?? []).entries()) {
    const at = `runs[${runIndex}]`;
    if (!object(run)) {
      problems.push(at);
      continue;
    }
    const driver = (run.tool as Json | undefined)?.driver as Json | undefined;
    check(object(driver) && text(driver.name), `${at}.tool.driver.name`);
    const rules = (driver?.rules ?? []) as Json[];
    check(Array.isArray(driver?.rules), `${at}.tool.driver.rules[]`);
    const ids = new Set<string>();
    for (const [ruleIndex, rule] of rules.entries()) {
      const where = `${at}.tool.driver.rules[${ruleIndex}]`;
      check(text(rule.id), `${where}.id`);
      check(!ids.has(rule.id as string), `${where}.id is not unique`);
      ids.add(rule.id as string);
      check(rule.name === undefined || (text(rule.name) && rule.name.length <= 255), `${where}.name`);
      for (const key of ["shortDescription", "fullDescription"]) {
        const description = rule[key] as Json | undefined;
        check(text(description?.text) && (description?.text as string).length <= 1024, `${where}.${key}.text`);
      }
      check(text((rule.help as Json | undefined)?.text), `${where}.help.text`);
      const level = (rule.defaultConfiguration as Json | undefined)?.level;
      check(level === undefined || ["note", "warning", "error"].includes(level as string), `${where}.defaultConfiguration.level`);
      const properties = (rule.properties ?? {}) as Json;
      check(properties.tags === undefined || (Array.isArray(properties.tags) && properties.tags.every(text)), `${where}.properties.tags`);
      check(properties.precision === undefined || ["very-high", "high", "medium", "low"].includes(properties.precision as string), `${where}.properties.precision`);
      check(properties["problem.severity"] === undefined || ["error", "warning", "recommendation"].includes(properties["problem.severity"] as string), `${where}.properties.problem.severity`);
      const severity = properties["security-severity"];
      if (severity !== undefined) {
        const score = Number(severity);
        check(typeof severity === "string" && score > 0 && score <= 10, `${where}.properties.security-severity`);
        check((properties.tags as string[] | undefined)?.includes("security") === true, `${where}: security-severity without the security tag`);
      }
    }
    check(Array.isArray(run.results), `${at}.results[]`);
    for (const [resultIndex, result] of ((run.results as Json[]) ?? []).entries()) {
      const where = `${at}.results[${resultIndex}]`;
      check(text((result.message as Json | undefined)?.text), `${where}.message.text`);
      if (result.ruleIndex !== undefined) {
        check(Number.isInteger(result.ruleIndex) && (result.ruleIndex as number) >= 0 && (result.ruleIndex as number) < rules.length, `${where}.ruleIndex`);
        check(rules[result.ruleIndex as number]?.id === result.ruleId, `${where}.ruleIndex does not point at ruleId`);
      }
      check(result.level === undefined || levels.includes(result.level as string), `${where}.level`);
      const locations = result.locations as Json[] | undefined;
      check(Array.isArray(locations) && locations.length >= 1 && locations.length <= 10, `${where}.locations[]`);
      for (const location of locations ?? []) {
        const physical = location.physicalLocation as Json | undefined;
        const artifact = physical?.artifactLocation as Json | undefined;
        check(text(artifact?.uri), `${where}.locations[].physicalLocation.artifactLocation.uri`);
        const region = physical?.region as Json | undefined;
        check(object(region) && positiveInteger(region.startLine), `${where}.region.startLine`);
        if (region?.endLine !== undefined) check(positiveInteger(region.endLine) && (region.endLine as number) >= (region.startLine as number), `${where}.region.endLine`);
        if (region?.startColumn !== undefined) check(positiveInteger(region.startColumn), `${where}.region.startColumn`);
      }
      const fingerprints = result.partialFingerprints as Json | undefined;
      check(object(fingerprints) && Object.values(fingerprints).length > 0 && Object.values(fingerprints).every(text), `${where}.partialFingerprints`);
    }
    for (const [invocationIndex, invocation] of ((run.invocations as Json[] | undefined) ?? []).entries()) {
      const where = `${at}.invocations[${invocationIndex}]`;
      check(typeof invocation.executionSuccessful === "boolean", `${where}.executionSuccessful`);
      for (const notification of (invocation.toolExecutionNotifications as Json[] | undefined) ?? []) {
        check(text((notification.message as Json | undefined)?.text), `${where}.toolExecutionNotifications[].message.text`);
        check(notification.level === undefined || levels.includes(notification.level as string), `${where}.toolExecutionNotifications[].level`);
      }
    }
  }
  return problems;
}

interface SarifRun {
  tool: { driver: { name: string; version?: string; informationUri: string; rules: Json[] } };
  invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string }; locations?: Json[] }[] }[];
  results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Json } }[]; partialFingerprints: Record<string, string> }[];
}

function sarif(result: AuditResult, rules: readonly RuleSource[] = HAND_RULES): { log: Json; run: SarifRun } {
  const text = renderSarif(result, { toolVersion: "1.2.3", rules });
  assert.ok(text.endsWith("}\n"));
  const log = JSON.parse(text) as Json;
  assert.deepEqual(sarifProblems(log), []);
  return { log, run: (log.runs as SarifRun[])[0] as SarifRun };
}

describe("renderSarif", () => {
  it("writes a SARIF 2.1.0 log with the properties GitHub code scanning requires", () => {
    const { log, run } = sarif(handResult());
    assert.deepEqual(Object.keys(log), ["$schema", "version", "runs"]);
    assert.equal((log.runs as unknown[]).length, 1);
    assert.deepEqual(run.tool.driver.name, "shipshape");
    assert.equal(run.tool.driver.version, "1.2.3");
    assert.match(run.tool.driver.informationUri, /^https:\/\//);
    assert.equal(run.results.length, 5);
  });

  it("describes each rule: PascalCase name, docs helpUri, help text and markdown, default level, tags and precision", () => {
    const { run } = sarif(handResult());
    const byId = new Map(run.tool.driver.rules.map((rule) => [rule.id as string, rule]));
    const recommends = byId.get("apt-no-install-recommends") as Json;
    assert.equal(recommends.name, "AptNoInstallRecommends");
    assert.equal(recommends.helpUri, "https://github.com/shipshape-dev/shipshape/blob/main/docs/rules/apt-no-install-recommends.md");
    assert.deepEqual(recommends.shortDescription, { text: "apt-get install without --no-install-recommends." });
    assert.match((recommends.fullDescription as { text: string }).text, /DL3015/);
    assert.match((recommends.help as { markdown: string }).markdown, /\(https:\/\/github\.com\/shipshape-dev\/shipshape\/blob\/main\/docs\/rules\/apt-no-install-recommends\.md\)/);
    assert.deepEqual(recommends.defaultConfiguration, { level: "warning" });
    const properties = recommends.properties as Json;
    assert.equal((properties.tags as string[])[0], "size");
    assert.equal(properties.precision, "high");
    assert.equal(properties["security-severity"], undefined);
    const secrets = byId.get("context-includes-secrets") as Json;
    assert.deepEqual(secrets.defaultConfiguration, { level: "error" });
    assert.ok(((secrets.properties as Json).tags as string[]).includes("security"));
    assert.ok(Number((secrets.properties as Json)["security-severity"]) >= 7, "high-impact security rules rank as high on GitHub");
    assert.equal(pascalCase("compose-depends-on-without-healthcheck"), "ComposeDependsOnWithoutHealthcheck");
  });

  it("maps impact to level (high: error, medium: warning, low: note) and points ruleIndex at the rule", () => {
    const { run } = sarif(handResult());
    const levels = Object.fromEntries(run.results.map((result) => [result.ruleId, result.level]));
    assert.deepEqual(levels, { "apt-no-install-recommends": "warning", "dev-dependencies-in-runtime": "error", "context-includes-secrets": "error", "shell-form-cmd": "warning", "compose-no-resource-limits": "note" });
    for (const result of run.results) assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
  });

  it("locates results with repository-relative forward-slash uris against %SRCROOT% and a 1-based region", () => {
    const { run } = sarif(handResult());
    const first = run.results.find((result) => result.ruleId === "apt-no-install-recommends");
    assert.deepEqual(first?.locations, [{ physicalLocation: { artifactLocation: { uri: "services/api/Dockerfile", uriBaseId: "%SRCROOT%" }, region: { startLine: 3, startColumn: 5, endLine: 5 } } }]);
    const cmd = run.results.find((result) => result.ruleId === "shell-form-cmd");
    assert.deepEqual(cmd?.locations[0]?.physicalLocation.region, { startLine: 12 });
    assert.deepEqual(artifactLocation("services\\api\\Dockerfile"), { uri: "services/api/Dockerfile", uriBaseId: "%SRCROOT%" });
    assert.deepEqual(artifactLocation("./my app/Dockerfile#1"), { uri: "my%20app/Dockerfile%231", uriBaseId: "%SRCROOT%" });
    assert.deepEqual(artifactLocation("/abs/path/Dockerfile"), { uri: "file:///abs/path/Dockerfile" });
  });

  it("labels the estimated saving in the message as an estimate", () => {
    const { run } = sarif(handResult());
    const first = run.results.find((result) => result.ruleId === "apt-no-install-recommends");
    assert.match(first?.message.text ?? "", /^apt-get install without --no-install-recommends \(estimated saving: ~60 MB; an estimate, not measured\)$/);
  });

  it("fingerprints results by rule, path and normalized message, so alerts survive line shifts", () => {
    const before = resultWithMessage("`npm ci` runs after `COPY . .` (line 4), so every change re-runs it");
    const after = resultWithMessage("`npm ci` runs after `COPY . .` (line 9), so every change re-runs it");
    const finding = after.files[0]?.findings[0];
    if (finding) finding.line = 7;
    const hashOf = (result: AuditResult): string | undefined => sarif(result).run.results[0]?.partialFingerprints.primaryLocationLineHash;
    assert.equal(hashOf(before), hashOf(after));
    assert.match(hashOf(before) ?? "", /^[0-9a-f]{16}:1$/);
    assert.notEqual(hashOf(before), hashOf(resultWithMessage("`npm ci` runs after `COPY . .` (line 4), so every change re-runs it", "other/Dockerfile")));
    assert.notEqual(hashOf(before), hashOf(resultWithMessage("something else entirely")));
    assert.notEqual(fingerprintBase("a", "Dockerfile", "same"), fingerprintBase("b", "Dockerfile", "same"));
    assert.equal(fingerprintBase("a", "./x/Dockerfile", "two  spaces"), fingerprintBase("a", "x/Dockerfile", "two spaces"));
  });

  it("keeps identical findings in one file apart with an occurrence index", () => {
    const files: FileResult[] = [
      {
        path: "Dockerfile",
        kind: "dockerfile",
        findings: [2, 5].map((line) => ({ rule: "apt-no-install-recommends", impact: "medium" as const, category: "size" as const, line, message: "apt-get install without --no-install-recommends", hadolint: ["DL3015"], fixable: true })),
      },
    ];
    const { run } = sarif({ root: "/r", files, summary: summarize(files) });
    const hashes = run.results.map((result) => result.partialFingerprints.primaryLocationLineHash ?? "");
    assert.equal(new Set(hashes).size, 2);
    assert.deepEqual(hashes.map((hash) => hash.split(":")[1]), ["1", "2"]);
    assert.equal(hashes[0]?.split(":")[0], hashes[1]?.split(":")[0]);
  });

  it("reports files that could not be audited as tool execution notifications", () => {
    const { run } = sarif(handResult());
    const [invocation] = run.invocations;
    assert.equal(invocation?.executionSuccessful, true);
    const notifications = invocation?.toolExecutionNotifications ?? [];
    assert.equal(notifications.length, 2);
    assert.equal(notifications[0]?.level, "error");
    assert.match(notifications[0]?.message.text ?? "", /^broken\/Dockerfile: could not be audited: cannot parse: unexpected end of file$/);
    assert.deepEqual(notifications[0]?.locations, [{ physicalLocation: { artifactLocation: { uri: "broken/Dockerfile", uriBaseId: "%SRCROOT%" } } }]);
    // No result for an error by itself.
    assert.ok(run.results.every((result) => result.locations[0]?.physicalLocation.artifactLocation.uri !== "broken/Dockerfile"));
  });

  it("marks the execution unsuccessful only when nothing could be audited", () => {
    const failed: FileResult[] = [{ path: "Dockerfile", kind: "dockerfile", error: "binary file", findings: [] }];
    assert.equal(sarif({ root: "/r", files: failed, summary: summarize(failed) }).run.invocations[0]?.executionSuccessful, false);
    const empty = sarif({ root: "/r", files: [], summary: summarize([]) }).run;
    assert.equal(empty.invocations[0]?.executionSuccessful, true);
    assert.deepEqual(empty.results, []);
  });

  it("describes rules it was not given from the findings, so every ruleIndex is valid", () => {
    const { run } = sarif(handResult(), []);
    assert.deepEqual(run.tool.driver.rules.map((rule) => rule.id), ["apt-no-install-recommends", "compose-no-resource-limits", "context-includes-secrets", "dev-dependencies-in-runtime", "shell-form-cmd"]);
  });

  it("renders a result of the real pipeline with the whole registry", () => {
    const { run } = sarif(pipelineResult(), allRules);
    assert.equal(run.tool.driver.rules.length, allRules.length);
    const recommends = run.results.find((result) => result.ruleId === "apt-no-install-recommends");
    assert.equal(recommends?.level, "warning");
    assert.deepEqual(recommends?.locations[0]?.physicalLocation.artifactLocation, { uri: "Dockerfile", uriBaseId: "%SRCROOT%" });
    assert.equal(recommends?.locations[0]?.physicalLocation.region.startLine, 2);
    assert.ok(run.results.some((result) => result.ruleId === "shell-form-cmd"));
  });

  it("the validator catches what GitHub would reject", () => {
    const { log } = sarif(handResult());
    const broken = structuredClone(log) as { runs: { results: Json[]; tool: { driver: { rules: Json[] } } }[] };
    const run = broken.runs[0];
    assert.ok(run);
    (run.results[0] as Json).message = { text: "" };
    (run.results[1] as Json).ruleIndex = 99;
    delete (run.tool.driver.rules[0] as Json).shortDescription;
    assert.deepEqual(sarifProblems(broken as unknown as Json), [
      "runs[0].tool.driver.rules[0].shortDescription.text",
      "runs[0].results[0].message.text",
      "runs[0].results[1].ruleIndex",
      "runs[0].results[1].ruleIndex does not point at ruleId",
    ]);
  });
});
