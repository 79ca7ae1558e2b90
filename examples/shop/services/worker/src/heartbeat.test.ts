import { test } from "node:test";
import assert from "node:assert/strict";
import { heartbeat } from "./heartbeat";

test("heartbeat reports beat number and uptime", () => {
  const startedAt = Date.parse("2024-01-01T00:00:00Z");
  const hb = heartbeat(3, startedAt, startedAt + 15_400);
  assert.deepEqual(hb, {
    event: "heartbeat",
    beat: 3,
    uptimeSeconds: 15,
    at: "2024-01-01T00:00:15.400Z",
  });
});
