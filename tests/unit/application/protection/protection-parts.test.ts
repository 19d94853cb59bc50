// The small pieces of protection, table-driven: an algo order's status folded into its stored leg,
// the guard record round trip, derived ids, the stored request read back, the ledger that keeps
// guardian marks and shows written-ahead legs as pending, the reconcile view, and order tracking
// of algo and order-list updates.

import { describe, expect, test } from "bun:test";
import { guardFromRecord, guardToRecord } from "../../../../application/guardian/guard-model.ts";
import { prepareArm } from "../../../../application/guardian/prepare-arm.ts";
import { syncConditional } from "../../../../application/protection/conditional-legs.ts";
import {
  listLegClientIds,
  protectionIds,
} from "../../../../application/protection/protection-ids.ts";
import {
  protectionRequestFromStored,
  protectionRequestOf,
} from "../../../../application/protection/protection-request.ts";
import { reconcileView } from "../../../../application/protection/reconcile-view.ts";
import { dec } from "../../../../domain/decimal/index.ts";
import { intentToJson, newOrder, type OrderStatus } from "../../../../domain/order/index.ts";
import type {
  ConditionalOrder,
  ConditionalStatus,
  ExchangeGateway,
} from "../../../../ports/exchange-gateway.ts";
import { fixtureRules } from "../../../fixtures/symbol-rules.ts";
import { intent, openShared, startRouter } from "./protection-kit.ts";

function leg(status: OrderStatus = "NEW") {
  const order = newOrder({
    orderId: "ord_sl",
    intentId: "i-1",
    clientOrderId: "i-1/sl",
    market: "FUT",
    symbol: "BTCUSDT",
    side: "SELL",
    type: "STOP_MARKET",
    timeInForce: null,
    qty: dec("0.002"),
    price: null,
    stopPrice: dec("94000"),
    reduceOnly: true,
    role: "SL",
    parentId: null,
    midAtSend: null,
    createdAtMs: 1,
  });
  return { ...order, status };
}

function venue(status: ConditionalStatus, filled = "0"): ConditionalOrder {
  return {
    symbol: "BTCUSDT",
    algoId: "42",
    clientAlgoId: "i-1/sl",
    side: "SELL",
    type: "STOP_MARKET",
    triggerPrice: dec("94000"),
    workingType: "MARK_PRICE",
    qty: dec("0.002"),
    reduceOnly: true,
    closePosition: false,
    status,
    triggeredOrderId: null,
    filledQty: dec(filled),
    avgPrice: null,
    updateTimeMs: 2,
  };
}

describe("algo order status onto the stored leg", () => {
  const rows: [OrderStatus, ConditionalStatus, string, OrderStatus][] = [
    ["PENDING_NEW", "NEW", "0", "NEW"],
    ["UNKNOWN", "NEW", "0", "NEW"],
    ["NEW", "TRIGGERING", "0", "TRIGGERED"],
    ["PENDING_NEW", "TRIGGERED", "0", "TRIGGERED"],
    // Executed but its fills not seen yet: wait for them (they bring the trade ids).
    ["NEW", "FINISHED", "0.002", "TRIGGERED"],
    // Finished with nothing executed.
    ["TRIGGERED", "FINISHED", "0", "EXPIRED"],
    ["NEW", "CANCELED", "0", "CANCELED"],
    ["NEW", "REJECTED", "0", "REJECTED"],
    ["TRIGGERED", "REJECTED", "0", "REJECTED"],
    ["NEW", "EXPIRED", "0", "EXPIRED"],
    // Never backwards.
    ["CANCELED", "NEW", "0", "CANCELED"],
  ];
  for (const [from, status, filled, expected] of rows) {
    test(`${from} + ${status} (executed ${filled}) → ${expected}`, () => {
      const synced = syncConditional(leg(from), venue(status, filled), 3);
      expect(synced.status).toBe(expected);
      if (expected !== from) expect(synced.exchangeOrderId).toBe("42");
    });
  }
  test("nothing new is the same object", () => {
    const same = leg("NEW");
    expect(syncConditional({ ...same, exchangeOrderId: "42" }, venue("NEW"), 3).status).toBe("NEW");
  });
});

describe("guard record", () => {
  const rules = fixtureRules("SPOT", "BTCUSDT");
  const base = {
    intentId: "i-1",
    market: "SPOT" as const,
    symbol: "BTCUSDT",
    rules,
    entryOrderId: "ord_e",
    exitSide: "SELL" as const,
    qty: dec("0.00999"),
    stopPrice: dec("94000"),
    watchedTakeProfitPrice: null,
    role: "PRIMARY" as const,
    priceSource: "MID" as const,
    reason: "forced",
    nowMs: 5,
  };
  const venues = [
    { kind: "NONE" as const },
    { kind: "ORDER" as const, orderId: "ord_t", clientOrderId: "i-1/gtp" },
    { kind: "CONDITIONAL" as const, orderId: "ord_t", clientOrderId: "i-1/tp" },
    { kind: "LIST" as const, listClientOrderId: "i-1/oco", legOrderIds: ["ord_a", "ord_b"] },
  ];
  for (const takeProfit of venues) {
    test(`round-trips with a ${takeProfit.kind} take-profit leg, unleased`, () => {
      const { guard } = prepareArm({ ...base, takeProfit });
      const record = JSON.parse(JSON.stringify(guardToRecord(guard)));
      expect(record).toMatchObject({ state: "armed", armed_at: 5, intent_id: "i-1" });
      const decoded = guardFromRecord(record);
      if (!decoded.ok) throw new Error(decoded.message);
      expect(decoded.guard.meta).toEqual(guard.meta);
      expect(decoded.guard.state).toEqual({ ...guard.state, leased: false });
    });
  }
  test("a record without its intent or lot step is refused", () => {
    const { guard } = prepareArm({ ...base, takeProfit: { kind: "NONE" } });
    const { lot_step: _step, ...rest } = guardToRecord(guard);
    expect(guardFromRecord(rest).ok).toBe(false);
    expect(guardFromRecord(null).ok).toBe(false);
  });
  test("the notional minimum sets the smallest exit of a spot guardian", () => {
    const { guard } = prepareArm({ ...base, takeProfit: { kind: "NONE" } });
    // 5 USDT at a 94000 stop is 0.0000532 BTC: 6 steps of 0.00001.
    expect(guard.state.minExitSteps).toBe(6n);
    expect(guard.state.positionSteps).toBe(999n);
  });
});

describe("ids and the stored request", () => {
  test("derived ids: legs, list, guardian legs and exits under the intent's base", () => {
    const ids = protectionIds("abc");
    expect(
      [ids.stopLoss, ids.takeProfit, ids.guardStop, ids.guardTarget].map((i) => i.clientOrderId),
    ).toEqual(["abc/sl", "abc/tp", "abc/gsl", "abc/gtg"]);
    expect(ids.list).toBe("abc/oco");
    expect(ids.guardExit(2).clientOrderId).toBe("abc/gx2");
    expect(protectionIds("abc")).toBe(ids);
    expect(listLegClientIds("abc/oco")).toEqual(["abc/tp", "abc/sl"]);
    expect(listLegClientIds("someone-else")).toBeNull();
  });

  test("the stored request reads back as the intent asked", () => {
    const asked = intent({
      sl: { type: "STOP_MARKET", price: dec("94000.5") },
      tp: { type: "TAKE_PROFIT_MARKET", target: "roe", value: dec("0.25") },
    });
    const stored = JSON.parse(JSON.stringify(intentToJson(asked)));
    expect(protectionRequestFromStored(stored)).toEqual(protectionRequestOf(asked));
    expect(protectionRequestFromStored({ market: "FUT" })).toBeNull();
  });
});

describe("the ledger and tracking", () => {
  test("guardian marks survive a later save; written-ahead legs read PENDING_NEW", async () => {
    const shared = openShared();
    const router = await startRouter(shared, { settings: { spotGuardian: true } });
    const mid = 95_000;
    await router.place.execute(
      intent({
        market: "SPOT",
        qty: "0.01",
        execPolicy: {
          type: "OCO",
          price: dec("90000"),
          timeInForce: "GTC",
          makerWaitMs: null,
          twap: null,
          tpPrice: dec(String(mid * 1.01)),
          slPrice: dec(String(mid * 0.99)),
        },
      }),
    );
    const pending = await router.lookup.execute("intent-1");
    expect(pending?.legs.map((l) => [l.role, l.status])).toEqual([
      ["TP", "PENDING_NEW"],
      ["SL", "PENDING_NEW"],
    ]);
    const state = await router.ledger.load("intent-1");
    if (state === null) throw new Error("no intent");
    await router.ledger.save(state, { guardedOrderIds: new Set([state.orders[1]!.orderId]) });
    const again = await router.ledger.load("intent-1");
    await router.ledger.save(again!, {});
    const looked = await router.lookup.execute("intent-1");
    expect(looked?.legs.map((l) => l.guardian)).toEqual([true, undefined]);
  });

  test("an algo update moves the stored leg and reaches the listeners", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    await router.place.execute(intent({ sl: { type: "STOP_MARKET", price: dec("90000") } }));
    const seen: string[] = [];
    router.track.onIntentChange((state, event) => {
      seen.push(`${event.kind}:${state.orders.find((o) => o.role === "SL")?.status}`);
    });
    const algo = shared.engine.openAlgos("BTCUSDT", shared.clock.nowMs())[0]!;
    await router.track.enqueue({
      kind: "CONDITIONAL_UPDATE",
      order: {
        ...venue("TRIGGERED"),
        clientAlgoId: algo.clientAlgoId,
        algoId: String(algo.algoId),
      },
      tsMs: shared.clock.nowMs(),
    });
    expect(seen).toEqual(["CONDITIONAL_UPDATE:TRIGGERED"]);
    const lists: string[] = [];
    router.track.onOrderListUpdate((list) => {
      lists.push(list.listClientOrderId);
    });
    await router.track.enqueue({
      kind: "ORDER_LIST_UPDATE",
      list: {
        symbol: "BTCUSDT",
        orderListId: "7",
        listClientOrderId: "x/oco",
        status: "ALL_DONE",
        updateTimeMs: 1,
      },
      tsMs: 1,
    });
    expect(lists).toEqual(["x/oco"]);
  });
});

describe("the reconcile view", () => {
  const conditional = venue("NEW");
  const calls: string[] = [];
  const fake = {
    name: "fake",
    queryOrder: async (ref: { clientOrderId: string }) => {
      calls.push(`order:${ref.clientOrderId}`);
      return { ok: false, error: { kind: "UNKNOWN_ORDER", message: "Order does not exist." } };
    },
    queryConditional: async (_symbol: string, clientAlgoId: string) => {
      calls.push(`algo:${clientAlgoId}`);
      return clientAlgoId === "i-1/sl"
        ? { ok: true, value: conditional }
        : { ok: false, error: { kind: "UNKNOWN_ORDER", message: "Order does not exist." } };
    },
  } as unknown as ExchangeGateway;
  const view = reconcileView(fake);
  const ref = (clientOrderId: string, market: "FUT" | "SPOT" = "FUT") => ({
    market,
    symbol: "BTCUSDT",
    clientOrderId,
  });

  test("a futures leg answers as its algo order", async () => {
    const answer = await view.queryOrder(ref("i-1/sl"));
    expect(answer.ok && [answer.value.status, answer.value.exchangeOrderId]).toEqual(["NEW", "42"]);
  });
  test("a protective order not on the venue reads unavailable, not unknown", async () => {
    for (const id of ["i-1/tp", "i-1/gsl", "i-1/gx2"]) {
      const answer = await view.queryOrder(ref(id));
      expect(answer.ok ? "" : answer.error.kind).toBe("UNAVAILABLE");
    }
    const spotLeg = await view.queryOrder(ref("i-1/tp", "SPOT"));
    expect(spotLeg.ok ? "" : spotLeg.error.kind).toBe("UNAVAILABLE");
  });
  test("any other order is asked for as usual", async () => {
    const answer = await view.queryOrder(ref("i-1"));
    expect(answer.ok ? "" : answer.error.kind).toBe("UNKNOWN_ORDER");
    expect(view.name).toBe("fake");
  });
});
