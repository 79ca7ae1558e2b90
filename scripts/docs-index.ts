// Rewrites docs/rules/README.md from the rule registry.
import fs from "node:fs";
import { renderRulesIndex } from "../src/docs/rules-index.ts";
import { allRules } from "../src/rules/index.ts";

fs.writeFileSync(new URL("../docs/rules/README.md", import.meta.url), renderRulesIndex(allRules));
console.log(`docs/rules/README.md: ${allRules.length} rules`);
