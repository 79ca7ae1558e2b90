import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { createApp } from "./server";

test("GET /health and GET /products", async () => {
  const server = createApp().listen(0);
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  try {
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });

    const products = await fetch(`http://127.0.0.1:${port}/products`);
    const list = (await products.json()) as unknown[];
    assert.ok(Array.isArray(list) && list.length > 0);
  } finally {
    server.close();
  }
});
