// Where the inputs of `shipshape cost` come from: the metrics history (latest values, or the values
// as of a run), or a `bench --compare --format json` report (before and after). Pure.
import { z } from "zod";
import type { ImageMeasurements, MeasuredValue } from "../metrics/latest.ts";
import type { CostInput, ImageCostInputs } from "./model.ts";

function measured(value: MeasuredValue | undefined): CostInput | undefined {
  return value === undefined ? undefined : { value: value.value, provenance: "measured", source: `${value.source}, run ${value.runId} (${value.recordedAt})` };
}

/** One input set per image the history knows, from its latest (or as-of) measurements. */
export function inputsFromHistory(measurements: ReadonlyMap<string, ImageMeasurements>, images?: readonly string[]): ImageCostInputs[] {
  const names = images ?? [...measurements.keys()].sort();
  return names.map((image) => {
    const facts = measurements.get(image);
    const inputs: ImageCostInputs = { image };
    const size = measured(facts?.sizeBytes);
    const build = measured(facts?.ciBuildMs ?? facts?.coldBuildMs);
    if (size !== undefined) inputs.sizeBytes = size;
    if (build !== undefined) inputs.buildMs = build;
    return inputs;
  });
}

const scenarioSchema = z.object({ scenario: z.string(), status: z.string(), medianMs: z.number().optional(), sizeBytes: z.number().optional() }).passthrough();
const sideSchema = z.object({ label: z.enum(["before", "after"]), name: z.string(), scenarios: z.array(scenarioSchema), sizeBytes: z.number().optional() }).passthrough();
const benchJsonSchema = z
  .object({
    version: z.literal(1),
    compare: z.string().optional(),
    targets: z.array(z.object({ name: z.string(), before: sideSchema, after: sideSchema.optional() }).passthrough()),
  })
  .passthrough();

export interface BeforeAfterInputs {
  basis: string;
  before: ImageCostInputs[];
  after: ImageCostInputs[];
}

/** Before and after from `shipshape bench --compare ... --format json`: sizes and the `code` (else `cold`) median build time of each side. Throws with the reason when the text is not such a report. */
export function inputsFromBenchJson(text: string, fileName: string): BeforeAfterInputs {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName}: not JSON (${(error as Error).message})`);
  }
  const parsed = benchJsonSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${fileName}: not a shipshape bench --format json report (${parsed.error.issues[0]?.path.join(".") ?? ""}: ${parsed.error.issues[0]?.message ?? "invalid"})`);
  const compared = parsed.data.targets.filter((target) => target.after !== undefined);
  if (compared.length === 0) throw new Error(`${fileName}: the bench report has no after side: run shipshape bench with --compare`);
  return {
    basis: `bench --compare ${parsed.data.compare ?? ""} (${fileName})`.replace("  ", " "),
    before: compared.map((target) => inputsFromBenchSide(target.name, target.before, `${fileName}, before (${target.before.name})`)),
    after: compared.map((target) => inputsFromBenchSide(target.name, target.after as BenchSideFacts, `${fileName}, after (${(target.after as BenchSideFacts).name})`)),
  };
}

/** What cost reads of one measured bench side (a `bench --format json` side, or a BenchSide in memory). */
export interface BenchSideFacts {
  name: string;
  sizeBytes?: number | undefined;
  scenarios: readonly { scenario: string; status: string; medianMs?: number | undefined; sizeBytes?: number | undefined }[];
}

/** Cost inputs of one image from one bench side: its size and its `code` (else `cold`) median build time, both measured. */
export function inputsFromBenchSide(image: string, one: BenchSideFacts, where: string): ImageCostInputs {
  const inputs: ImageCostInputs = { image };
  const size = one.sizeBytes ?? one.scenarios.find((scenario) => scenario.sizeBytes !== undefined)?.sizeBytes;
  if (size !== undefined) inputs.sizeBytes = { value: size, provenance: "measured", source: `bench sizeBytes, ${where}` };
  const timed = ["code", "cold"].map((name) => one.scenarios.find((scenario) => scenario.scenario === name && scenario.status === "measured" && scenario.medianMs !== undefined)).find((scenario) => scenario !== undefined);
  if (timed?.medianMs !== undefined) inputs.buildMs = { value: timed.medianMs, provenance: "measured", source: `bench ${timed.scenario} medianMs, ${where}` };
  return inputs;
}
