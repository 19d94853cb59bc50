// Futures protection over the in-process simulated venue and a manual clock: the algo legs and
// their parameters, bounded placement retries and the guardian fallback with its ERROR alert,
// "one leg executes, the other is cancelled" (also when the cancel is lost, and when the trigger
// is missed during a stream drop), stand-alone PROTECT, entries that fill later, and written-
// ahead legs that reconciliation leaves alone.

import { describe, expect, test } from "bun:test";
import { protectionIds } from "../../../../application/protection/protection-ids.ts";
import { dec, formatDecimal } from "../../../../domain/decimal/index.ts";
import type { OrderIntent } from "../../../../domain/order/index.ts";
import {
  advance,
  intent,
  midOf,
  openShared,
  type Router,
  type Shared,
  startRouter,
} from "./protection-kit.ts";

function protectedIntent(
  shared: Shared,
  overrides: Omit<Partial<OrderIntent>, "qty"> = {},
): OrderIntent {
  const mid = midOf(shared, "FUT", "BTCUSDT");
  return intent({
    sl: { type: "STOP_MARKET", price: dec((mid * 0.995).toFixed(1)) },
    tp: { type: "TAKE_PROFIT_MARKET", target: "price", value: dec((mid * 1.005).toFixed(1)) },
    ...overrides,
  });
}

async function legs(router: Router, intentId = "intent-1") {
  const state = await router.ledger.load(intentId);
  return state?.orders.filter((order) => order.role === "SL" || order.role === "TP") ?? [];
}

/** Runs a placement that waits on the manual clock (retry backoffs) to its end. */
async function placeWithTime(shared: Shared, router: Router, request: OrderIntent) {
  let done = false;
  const pending = router.place.execute(request).finally(() => {
    done = true;
  });
  for (let step = 0; step < 200 && !done; step += 1) await advance(shared, router, 100);
  return pending;
}

describe("futures SL/TP after the entry fills", () => {
  test("STOP_MARKET and TAKE_PROFIT_MARKET algo orders: reduce-only, trigger, working type", async () => {
    const shared = openShared();
    const router = await startRouter(shared, { settings: { workingType: "CONTRACT_PRICE" } });
    const outcome = await router.place.execute(protectedIntent(shared));
    expect(outcome.result.status).toBe("ACCEPTED");
    const algos = shared.engine.openAlgos("BTCUSDT", shared.clock.nowMs());
    const ids = protectionIds("intent-1");
    expect(algos.map((algo) => [algo.clientAlgoId, algo.type, algo.side])).toEqual([
      [ids.stopLoss.clientOrderId, "STOP_MARKET", "SELL"],
      [ids.takeProfit.clientOrderId, "TAKE_PROFIT_MARKET", "SELL"],
    ]);
    for (const algo of algos) {
      expect(algo).toMatchObject({ workingType: "CONTRACT_PRICE", reduceOnly: true });
      expect(algo.closePosition).toBe(false);
      expect(formatDecimal(algo.qty!)).toBe("0.002");
    }
    const events = await shared.store.strategyEvents("intent-1");
    const placed = events.find((event) => event.kind === "TP_SL_PLACED");
    expect(placed?.payload).toMatchObject({ working_type: "CONTRACT_PRICE", qty: "0.002" });
  });

  test("margin type and leverage are set once per symbol, before the first entry", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    let calls = 0;
    const configure = shared.gateway.configureSymbol.bind(shared.gateway);
    shared.gateway.configureSymbol = async (symbol, settings) => {
      calls += 1;
      expect(settings).toEqual({ leverage: 20, marginType: "ISOLATED" });
      return configure(symbol, settings);
    };
    await router.place.execute(protectedIntent(shared));
    await router.place.execute(protectedIntent(shared, { intentId: "intent-2" }));
    expect(calls).toBe(1);
    const position = shared.engine.positions("BTCUSDT", shared.clock.nowMs())[0];
    expect(position).toMatchObject({ leverage: 20, marginType: "ISOLATED" });
  });

  test("a placement that keeps failing is retried (bounded), then a guardian is the stop", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    // The entry's placement goes through; every protective placement answers 503 three times.
    const place = shared.gateway.placeConditional.bind(shared.gateway);
    let attempts = 0;
    shared.gateway.placeConditional = async (request) => {
      attempts += 1;
      if (request.type === "STOP_MARKET") {
        return { ok: false, error: { kind: "UNAVAILABLE", message: "Service Unavailable." } };
      }
      return place(request);
    };
    const outcome = await placeWithTime(shared, router, protectedIntent(shared));
    expect(attempts).toBe(4); // three for the stop, one for the take-profit
    expect(outcome.result.status).toBe("ACCEPTED");
    const shown = outcome.result.legs.map((leg) => [leg.role, leg.type, leg.status, leg.guardian]);
    expect(shown).toEqual([
      ["SL", "STOP_MARKET", "REJECTED", undefined],
      ["TP", "TAKE_PROFIT_MARKET", "ACCEPTED", true],
      ["SL", "STOP_MARKET", "ACCEPTED", true],
    ]);
    expect(router.protection.guardian.stateOf("intent-1")).toMatchObject({
      status: "ARMED",
      takeProfitLeg: "WORKING",
    });
    const alerts = await shared.store.recentAlerts(10);
    expect(alerts.map((alert) => [alert.level, alert.code])).toContainEqual([
      "ERROR",
      "PROTECTION_FAILED",
    ]);
    // The guardian exits through the stop, cancelling the venue take-profit first.
    const mid = midOf(shared, "FUT", "BTCUSDT");
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(1)), shared.clock.nowMs());
    await advance(shared, router, 300);
    const ended = await legs(router);
    expect(ended.map((leg) => [leg.clientOrderId.split("/")[1], leg.status])).toEqual([
      ["sl", "REJECTED"],
      ["tp", "CANCELED"],
      ["gsl", "FILLED"],
    ]);
    expect(shared.engine.positions("BTCUSDT", shared.clock.nowMs())[0]?.qty.units ?? 0n).toBe(0n);
  });

  test("the stop executes: the take-profit is cancelled, even when the first cancel is lost", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    await router.place.execute(protectedIntent(shared));
    shared.faults.inject({ kind: "CANCEL", fault: "TIMEOUT_BEFORE_ARRIVAL" });
    const mid = midOf(shared, "FUT", "BTCUSDT");
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(1)), shared.clock.nowMs());
    await advance(shared, router, 200);
    expect((await legs(router)).map((leg) => leg.status)).toEqual(["FILLED", "CANCELED"]);
    expect(shared.engine.openAlgos("BTCUSDT", shared.clock.nowMs())).toEqual([]);
  });

  test("a trigger missed while the stream is down is caught by the sweep", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    await router.place.execute(protectedIntent(shared));
    shared.faults.setPlan({
      ...shared.faults.plan(),
      events: { ...shared.faults.plan().events, dropProbability: 1, dropDurationMs: 5_000 },
    });
    const mid = midOf(shared, "FUT", "BTCUSDT");
    shared.engine.setMid("BTCUSDT", dec((mid * 1.01).toFixed(1)), shared.clock.nowMs());
    await advance(shared, router, 200);
    // Nothing seen: both legs still look working in the store.
    expect((await legs(router)).map((leg) => leg.status)).toEqual(["NEW", "NEW"]);
    expect(router.protection.userStreamDown()).toBe(true);
    await router.protection.sweep({ venue: true });
    await router.drain();
    expect((await legs(router)).map((leg) => leg.status)).toEqual(["CANCELED", "FILLED"]);
  });

  test("PROTECT: legs on an existing position; none to protect is REDUCE_ONLY_REJECTED", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    const mid = midOf(shared, "FUT", "BTCUSDT");
    const protect = (id: string) =>
      intent({
        intentId: id,
        kind: "PROTECT",
        side: "SELL",
        sl: { type: "STOP_MARKET", price: dec((mid * 0.99).toFixed(1)) },
        tp: { type: "TAKE_PROFIT_MARKET", target: "price", value: dec((mid * 1.01).toFixed(1)) },
      });
    const nothing = await router.place.execute(protect("protect-none"));
    expect(nothing.result).toMatchObject({ code: "REDUCE_ONLY_REJECTED" });
    await router.place.execute(intent({ intentId: "entry-plain" }));
    const placed = await router.place.execute(protect("protect-1"));
    expect(placed.result.status).toBe("ACCEPTED");
    expect(placed.result.legs.map((leg) => [leg.role, leg.status])).toEqual([
      ["SL", "ACCEPTED"],
      ["TP", "ACCEPTED"],
    ]);
    expect(shared.engine.openAlgos("BTCUSDT", shared.clock.nowMs()).length).toBe(2);
  });

  test("a resting limit entry is protected when it fills, its legs written ahead meanwhile", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    const mid = midOf(shared, "FUT", "BTCUSDT");
    const limit = (mid * 0.998).toFixed(1);
    const request = protectedIntent(shared, {
      execPolicy: {
        type: "LIMIT",
        price: dec(limit),
        timeInForce: "GTC",
        makerWaitMs: null,
        twap: null,
        tpPrice: null,
        slPrice: null,
      },
    });
    const accepted = await router.place.execute(request);
    expect(accepted.result.legs.map((leg) => [leg.role, leg.status])).toEqual([
      ["SL", "PENDING_NEW"],
      ["TP", "PENDING_NEW"],
    ]);
    // Reconciliation long after: the written-ahead legs are not "never sent" orders to close.
    await advance(shared, router, 20_000, 1_000);
    await router.reconcile.runOnce();
    expect((await legs(router)).map((leg) => leg.status)).toEqual(["PENDING_NEW", "PENDING_NEW"]);
    shared.engine.setMid("BTCUSDT", dec((mid * 0.997).toFixed(1)), shared.clock.nowMs());
    await advance(shared, router, 300);
    const placed = await legs(router);
    expect(placed.map((leg) => leg.status)).toEqual(["NEW", "NEW"]);
    expect(shared.engine.openAlgos("BTCUSDT", shared.clock.nowMs()).length).toBe(2);
  });

  test("an entry cancelled unfilled closes its written-ahead legs (and hides them)", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    const mid = midOf(shared, "FUT", "BTCUSDT");
    const request = protectedIntent(shared, {
      execPolicy: {
        type: "LIMIT",
        price: dec((mid * 0.99).toFixed(1)),
        timeInForce: "GTC",
        makerWaitMs: null,
        twap: null,
        tpPrice: null,
        slPrice: null,
      },
    });
    const accepted = await router.place.execute(request);
    const canceled = await router.cancel.execute({
      orderId: accepted.result.order_id,
      clientOrderId: null,
      cascadeOco: true,
      reason: null,
      afterCancel: "NONE",
    });
    expect(canceled.status).toBe("CANCELED");
    expect((await legs(router)).map((leg) => leg.status)).toEqual(["CANCELED", "CANCELED"]);
    const looked = await router.lookup.execute("intent-1");
    expect(looked).toMatchObject({ status: "CANCELED", legs: [] });
  });
});
