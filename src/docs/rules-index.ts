// docs/rules/README.md is generated from the registry so the list never drifts:
// `node scripts/docs-index.ts` rewrites it; a test fails when it is stale.
import type { Rule } from "../rules/types.ts";
import { CATEGORIES } from "../rules/types.ts";

export function renderRulesIndex(rules: readonly Rule[]): string {
  const lines = [
    "# Rules",
    "",
    "Generated from `src/rules/index.ts` by `node scripts/docs-index.ts`; do not edit by hand.",
    "",
    `${rules.length} rules. Impact says how much a finding usually costs; size estimates are estimates (see [estimates](../estimates.md)). Fixable says the level of the rule's fix: \`safe\` fixes are applied by \`shipshape fix\`, \`rewrite\` ones only with \`--level rewrite\` (see [What safe means](../fix.md#what-safe-means)).`,
    "",
  ];
  for (const category of CATEGORIES) {
    const inCategory = rules.filter((rule) => rule.meta.category === category).sort((a, b) => a.meta.id.localeCompare(b.meta.id));
    if (inCategory.length === 0) continue;
    lines.push(`## ${category}`, "", "| rule | impact | hadolint | fixable | what it finds |", "|---|---|---|---|---|");
    for (const { meta } of inCategory) {
      lines.push(`| [${meta.id}](${meta.id}.md) | ${meta.impact} | ${meta.hadolint.join(", ") || "-"} | ${meta.fixable ? (meta.fixLevel ?? "rewrite") : "no"} | ${meta.description.replace(/\|/g, "\\|")} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
