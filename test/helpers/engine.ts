// Engine-backed tests run against a real Docker Engine (../shared/docker-lab). When none answers
// (or a base image is missing) they skip with the reason, unless SHIPSHAPE_REQUIRE_DOCKER=1, where
// the reason becomes a failure. Use: `const status = await engineStatus(engine, [BASE]);
// describe("...", { skip: status.skip }, () => { it("...", () => failIfRequired(status)); ... })`.
import type { Engine } from "../../src/engine/types.ts";

// This lab's engine has no bridge network (../shared/docker-lab): the engine tests build and probe
// with host networking, named explicitly, as .ci/run does. The CLI reads SHIPSHAPE_NETWORK; tests
// that call the library pass TEST_NETWORK. Set SHIPSHAPE_NETWORK to test another network.
process.env.SHIPSHAPE_NETWORK ??= "host";
export const TEST_NETWORK: string = process.env.SHIPSHAPE_NETWORK;

export const REQUIRE_DOCKER = process.env.SHIPSHAPE_REQUIRE_DOCKER === "1";

/** Why the engine cannot be used for these tests (no answer, missing base images), or undefined. */
export async function engineProblem(engine: Engine, baseImages: readonly string[]): Promise<string | undefined> {
  try {
    await engine.ping();
  } catch (error) {
    return (error as Error).message;
  }
  for (const image of baseImages) {
    try {
      await engine.inspectImage(image);
    } catch (error) {
      return `${image} is not on the engine (${(error as Error).message}); run ../shared/docker-lab/forge ${image}`;
    }
  }
  return undefined;
}

export interface EngineStatus {
  /** Why the engine cannot be used, or undefined. */
  problem: string | undefined;
  /** The `skip` option for node:test: the reason, or false (always false when the engine is required). */
  skip: string | false;
}

/** Asks the engine once; tests that must not skip call failIfRequired(status) first. */
export async function engineStatus(engine: Engine, baseImages: readonly string[]): Promise<EngineStatus> {
  const problem = await engineProblem(engine, baseImages);
  const skip = problem !== undefined && !REQUIRE_DOCKER ? `no usable Docker Engine: ${problem} (SHIPSHAPE_REQUIRE_DOCKER=1 makes this fail)` : false;
  return { problem, skip };
}

/** With SHIPSHAPE_REQUIRE_DOCKER=1 an unusable engine is a failure with the reason, not a skip. */
export function failIfRequired(status: EngineStatus): void {
  if (status.problem !== undefined) throw new Error(`SHIPSHAPE_REQUIRE_DOCKER=1 but ${status.problem}`);
}
