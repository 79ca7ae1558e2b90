// Budget lines of the HTML report: the config's `budgets:` (docs/budgets.md) for one image of the
// metrics history, looked up as build, layers --ci and monitor look them up (by build target name,
// then by image reference).
import type { ShipshapeConfig } from "../audit/config.ts";
import { budgetFor as configuredBudget } from "../budgets/check.ts";

/** The size and build-time limits the charts draw for `image` (a history image key), if a budget names it. */
export function budgetLinesFor(config: ShipshapeConfig, image: string): { sizeBytes?: number; buildMs?: number } | undefined {
  const found = configuredBudget(config.budgets, { name: image, reference: image });
  if (found === undefined) return undefined;
  const { maxSize, maxBuildTime } = found.budget;
  if (maxSize === undefined && maxBuildTime === undefined) return undefined;
  return { ...(maxSize !== undefined ? { sizeBytes: maxSize } : {}), ...(maxBuildTime !== undefined ? { buildMs: maxBuildTime } : {}) };
}
