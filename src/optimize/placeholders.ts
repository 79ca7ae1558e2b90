// Inputs that other parts of shipshape provide once they are merged into this build. Each returns
// "nothing" today, and the documents say so instead of showing a made-up number.
//
// MERGE: `shipshape cost` (src/cost/) estimates what the measured sizes and build minutes cost;
// wire its estimate here and the strategy document's "Cost estimate" section shows it.
// MERGE: budgets in shipshape.config.yaml (size/build-time per image); wire them here and the
// HTML report draws them as dashed budget lines.
import type { ShipshapeConfig } from "../audit/config.ts";
import type { CostSection } from "./strategy.ts";
import type { OptimizeResult } from "./result.ts";

/** The cost estimate for the strategy document: none until `shipshape cost` is part of this build. */
export function costEstimateFor(_result: OptimizeResult, _config: ShipshapeConfig): CostSection | undefined {
  return undefined;
}

/** Budget lines for one image: none until budgets are part of the config schema. */
export function budgetFor(_config: ShipshapeConfig, _image: string): { sizeBytes?: number; buildMs?: number } | undefined {
  return undefined;
}
