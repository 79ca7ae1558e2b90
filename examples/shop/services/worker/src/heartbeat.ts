export interface Heartbeat {
  event: "heartbeat";
  beat: number;
  uptimeSeconds: number;
  at: string;
}

export function heartbeat(beat: number, startedAt: number, now: number = Date.now()): Heartbeat {
  return {
    event: "heartbeat",
    beat,
    uptimeSeconds: Math.round((now - startedAt) / 1000),
    at: new Date(now).toISOString(),
  };
}
