// A runtime configuration for verify's tests: a Node server in /app on port 3000, as root.
import type { RuntimeConfig } from "../../src/verify/config-diff.ts";

export function runtimeConfig(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return {
    entrypoint: null,
    cmd: ["node", "server.js"],
    env: ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_ENV=production"],
    workingDir: "/app",
    user: "",
    exposedPorts: ["3000/tcp"],
    volumes: [],
    healthcheck: null,
    stopSignal: "",
    ...overrides,
  };
}
