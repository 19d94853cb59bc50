// Reconciliation of open orders: the overlap J of venue and store open orders, orphans on the
// venue cancelled (when enabled), and an alert when the two disagree.

import { describe, expect, test } from "bun:test";
import { MemoryLogger } from "../../../../adapters/observability/console-logger.ts";
import { PrometheusMetrics } from "../../../../adapters/observability/prometheus-metrics.ts";
import { ReconcileOrders } from "../../../../application/reconcile/reconcile-orders.ts";
import { IntentLedger } from "../../../../application/shared/intent-ledger.ts";
import { KeyedMutex } from "../../../../application/shared/keyed-mutex.ts";
import { RuleBook } from "../../../../application/shared/rule-book.ts";
import { dec } from "../../../../domain/decimal/index.ts";
import { intent, limitPolicy, startAppHarness } from "../../../support/app-harness.ts";

async function reconcilerFor(
  app: Awaited<ReturnType<typeof startAppHarness>>,
  cancelOrphans: boolean,
) {
  const rules = new RuleBook();
  await rules.load(app.venue.gateway);
  return new ReconcileOrders({
    clock: app.clock,
    exchange: app.venue.gateway,
    store: app.store,
    ledger: new IntentLedger(app.store, app.clock),
    mutex: new KeyedMutex(),
    rules,
    logger: new MemoryLogger(),
    metrics: new PrometheusMetrics(),
    unknownAfterMs: 10_000,
    batchMax: 100,
    cancelOrphans,
    jaccardAlertBelow: 0.9,
  });
}

describe("reconcile open orders", () => {
  test("agreeing books give J = 1 and no alert", async () => {
    const app = await startAppHarness();
    await app.place.execute(
      intent({ intentId: "r-1", market: "SPOT", qty: "0.01", execPolicy: limitPolicy("80000") }),
    );
    const report = await (await reconcilerFor(app, true)).runOnce();
    expect(report.overlap.find((entry) => entry.market === "SPOT")).toMatchObject({
      venueOpen: 1,
      storeOpen: 1,
      jaccard: 1,
    });
    expect(await app.store.recentAlerts(10)).toHaveLength(0);
  });

  test("an orphan on the venue lowers J, raises an alert, and is cancelled when enabled", async () => {
    const app = await startAppHarness();
    await app.place.execute(
      intent({ intentId: "r-2", market: "SPOT", qty: "0.01", execPolicy: limitPolicy("80000") }),
    );
    const orphan = await app.venue.gateway.placeOrder({
      market: "SPOT",
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      qty: dec("0.01"),
      price: dec("80000"),
      stopPrice: null,
      clientOrderId: "manual-order-1",
      reduceOnly: false,
    });
    expect(orphan.ok).toBe(true);
    const watching = await (await reconcilerFor(app, false)).runOnce();
    expect(watching.overlap.find((entry) => entry.market === "SPOT")).toMatchObject({
      jaccard: 0.5,
      orphansCanceled: 0,
    });
    expect((await app.store.recentAlerts(10)).map((alert) => alert.code)).toContain(
      "RECONCILE_MISMATCH",
    );
    const cleaning = await (await reconcilerFor(app, true)).runOnce();
    expect(cleaning.overlap.find((entry) => entry.market === "SPOT")?.orphansCanceled).toBe(1);
    const open = await app.venue.gateway.openOrders("SPOT");
    expect(open.ok && open.value.map((order) => order.clientOrderId)).toEqual(["r-2"]);
  });
});
