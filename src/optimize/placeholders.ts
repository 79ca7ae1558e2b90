// Inputs that other parts of shipshape provide once they are merged into this build. Each returns
// "nothing" today, and the documents say so instead of showing a made-up number.
//
// MERGE: budgets in shipshape.config.yaml (size/build-time per image); wire them here and the
// HTML report draws them as dashed budget lines.
import type { ShipshapeConfig } from "../audit/config.ts";

/** Budget lines for one image: none until budgets are part of the config schema. */
export function budgetFor(_config: ShipshapeConfig, _image: string): { sizeBytes?: number; buildMs?: number } | undefined {
  return undefined;
}
