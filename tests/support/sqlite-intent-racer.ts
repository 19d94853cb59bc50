// A child process for the cross-process createIntent race: opens the store file, says "ready",
// waits for "go" on stdin, then tries to create every intent id, and prints which ones it won.
// Usage: bun tests/support/sqlite-intent-racer.ts <db path> <worker> <intent count> [up|down]
// Workers going "down" meet the "up" ones midway, so every run has a contested stretch.

import { SqliteOrderStore } from "../../adapters/sqlite/sqlite-order-store.ts";
import { makeIntent, makeOrder, makeOutboxEvent } from "./order-fixtures.ts";

const [path, worker, countText, direction = "up"] = process.argv.slice(2);
if (path === undefined || worker === undefined || countText === undefined) {
  throw new Error("usage: sqlite-intent-racer.ts <db path> <worker> <count>");
}
const count = Number(countText);
const store = new SqliteOrderStore({ path, busyTimeoutMs: 10_000 });

process.stdout.write("ready\n");
for await (const chunk of Bun.stdin.stream()) {
  if (new TextDecoder().decode(chunk).includes("go")) break;
}

const startedAtMs = Date.now();
const won: string[] = [];
for (let step = 0; step < count; step += 1) {
  const index = direction === "down" ? count - 1 - step : step;
  const intentId = `race-${index}`;
  const orderId = `ord_${worker}_${index}`;
  const outcome = await store.createIntent(makeIntent({ intentId, fingerprint: worker }), {
    orders: [makeOrder({ intentId, orderId, clientOrderId: `c-${worker}-${index}` })],
    outbox: [makeOutboxEvent({ eventId: `out-${worker}-${index}` })],
  });
  if (outcome.created) won.push(intentId);
}
await store.close();
const finishedAtMs = Date.now();
process.stdout.write(`${JSON.stringify({ worker, won, startedAtMs, finishedAtMs })}\n`);
