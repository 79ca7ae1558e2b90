// Adds rules to src/rules/index.ts (import + registry entry), keeping both lists sorted.
// Usage: node scripts/register-rule.ts <rule-id>...   (idempotent)
import fs from "node:fs";

const registryPath = new URL("../src/rules/index.ts", import.meta.url);
const ids = process.argv.slice(2);
if (ids.length === 0) {
  console.error("usage: register-rule.ts <rule-id>...");
  process.exit(2);
}
const camel = (id: string): string => id.replace(/-([a-z0-9])/g, (_, char: string) => char.toUpperCase());
let text = fs.readFileSync(registryPath, "utf8");
const importLines = text.split("\n").filter((line) => line.startsWith("import { rule as "));
const listMatch = /export const allRules: readonly Rule\[\] = \[([\s\S]*?)\];/.exec(text);
if (!listMatch) throw new Error("registry list not found in src/rules/index.ts");
const entries = new Set((listMatch[1] ?? "").split(",").map((entry) => entry.trim()).filter(Boolean));
const imports = new Set(importLines);
for (const id of ids) {
  if (!fs.existsSync(new URL(`../src/rules/${id}.ts`, import.meta.url))) throw new Error(`src/rules/${id}.ts does not exist`);
  imports.add(`import { rule as ${camel(id)} } from "./${id}.ts";`);
  entries.add(camel(id));
}
const sortedImports = [...imports].sort((a, b) => (a.split('"./')[1] ?? "").localeCompare(b.split('"./')[1] ?? ""));
const sortedEntries = [...entries].sort((a, b) => a.localeCompare(b));
text = text.replace(importLines.join("\n"), sortedImports.join("\n"));
text = text.replace(listMatch[0], `export const allRules: readonly Rule[] = [\n  ${sortedEntries.join(",\n  ")},\n];`);
fs.writeFileSync(registryPath, text);
