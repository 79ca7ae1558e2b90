// The strategy document's cost section: `shipshape cost`'s model run on optimize's own measurements
// (the baseline and the measurement after the changes), with the config's `cost:` assumptions.
// Sizes and build times are measured; builds per week, tags, pulls and prices are assumptions, and
// the section says which is which (src/cost/report.ts).
import { costConfigSchema, type ShipshapeConfig } from "../audit/config.ts";
import { inputsFromBenchSide } from "../cost/inputs.ts";
import { buildCostReport, type ImageCostInputs } from "../cost/model.ts";
import { renderCostMarkdown } from "../cost/report.ts";
import type { OptimizeResult } from "./result.ts";
import type { CostSection } from "./strategy.ts";

/** Before and after inputs of `shipshape cost` from an optimize run: the images measured on both sides, undefined when nothing was measured after the changes. */
export function optimizeCostInputs(result: OptimizeResult): { basis: string; before: ImageCostInputs[]; after: ImageCostInputs[] } | undefined {
  if (result.after === undefined) return undefined;
  const afterByName = new Map(result.after.targets.map((target) => [target.name, target.before]));
  const compared = result.baseline.targets.filter((target) => afterByName.has(target.name));
  if (compared.length === 0) return undefined;
  return {
    basis: `shipshape optimize: baseline and after the changes, ${result.finishedAt}`,
    before: compared.map((target) => inputsFromBenchSide(target.name, target.before, "optimize baseline")),
    after: compared.map((target) => inputsFromBenchSide(target.name, afterByName.get(target.name) ?? target.before, "optimize, after the changes")),
  };
}

/** The cost section, or undefined when nothing was measured after the changes (then there is no before/after to price). */
export function costEstimateFor(result: OptimizeResult, config: ShipshapeConfig): CostSection | undefined {
  const inputs = optimizeCostInputs(result);
  if (inputs === undefined) return undefined;
  const report = buildCostReport(inputs.basis, config.cost ?? costConfigSchema.parse({}), inputs.after, inputs.before);
  // The cost report's own heading is a level-2 "## shipshape cost"; the strategy document already has "## Cost estimate".
  return { markdown: renderCostMarkdown(report).replace(/^## shipshape cost\n\n/, "") };
}
