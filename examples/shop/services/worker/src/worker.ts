import { heartbeat } from "./heartbeat";

const intervalMs = Number(process.env.HEARTBEAT_INTERVAL_MS) || 5000;
const startedAt = Date.now();
let beat = 0;

function log(record: object): void {
  console.log(JSON.stringify(record));
}

log({ event: "started", intervalMs, pid: process.pid });

const timer = setInterval(() => {
  beat += 1;
  log(heartbeat(beat, startedAt));
}, intervalMs);

function shutdown(signal: NodeJS.Signals): void {
  clearInterval(timer);
  log({ event: "stopping", signal, beats: beat });
  process.exit(0);
}

process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
