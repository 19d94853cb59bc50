// Spot protection over the in-process simulated venue and a manual clock: the venue OCO for the
// filled quantity net of the base commission, the backstop behind its stop-limit when the price
// gaps through it, the guardian when forced (a take-profit fill racing the trigger: cancel first,
// sell only the rest; the leg's final state written with the exit, in one write ahead of sending
// it, and a crash on either side of that write), and the cascade cancel of a guarded leg.

import { describe, expect, test } from "bun:test";
import type { StoreChanges } from "../../../../ports/order-store.ts";
import { protectionIds } from "../../../../application/protection/protection-ids.ts";
import { add, dec, formatDecimal, isPositive, lt, zero } from "../../../../domain/decimal/index.ts";
import {
  advance,
  intent,
  midOf,
  ocoPolicy,
  openShared,
  type Router,
  type Shared,
  startRouter,
} from "./protection-kit.ts";

function ocoIntent(shared: Shared, qty: string, tpBps: number, slBps: number, id = "intent-1") {
  const mid = midOf(shared, "SPOT", "BTCUSDT");
  const tp = (mid * (1 + tpBps / 10_000)).toFixed(2);
  const sl = (mid * (1 - slBps / 10_000)).toFixed(2);
  return intent({ intentId: id, market: "SPOT", qty, execPolicy: ocoPolicy(tp, sl) });
}

async function exits(router: Router, intentId = "intent-1") {
  const state = await router.ledger.load(intentId);
  if (state === null) throw new Error("no intent");
  let tp = zero;
  let sl = zero;
  for (const fill of state.fills) {
    const order = state.orders.find((candidate) => candidate.orderId === fill.orderId)!;
    if (order.role === "TP") tp = add(tp, fill.qty);
    if (order.role === "SL") sl = add(sl, fill.qty);
  }
  return { tp, sl, orders: state.orders };
}

/** Every store write and venue placement, in order, from now on. */
function journal(shared: Shared): string[] {
  const entries: string[] = [];
  const store = shared.store;
  const commit = store.commit.bind(store);
  store.commit = (changes: StoreChanges) => {
    const orders = (changes.orders ?? []).map((order) => `${order.clientOrderId}:${order.status}`);
    const events = (changes.strategyEvents ?? []).map((event) => event.kind);
    entries.push(`write ${[...orders, ...events].join(" ")}`);
    return commit(changes);
  };
  const gateway = shared.gateway;
  const placeOrder = gateway.placeOrder.bind(gateway);
  gateway.placeOrder = (request) => {
    entries.push(`send ${request.clientOrderId}`);
    return placeOrder(request);
  };
  return entries;
}

/** A router instance forcing the spot guardian, with a lease short enough to outlive. */
async function startGuardian(shared: Shared, owner: string) {
  const router = await startRouter(shared, {
    owner,
    settings: { spotGuardian: true },
    guardianSettings: { leaseMs: 3_000, renewEveryMs: 1_000, takeoverEveryMs: 1_000 },
  });
  await router.started;
  return router;
}

/** Lets the first instance's lease run out; the second one takes its guardian over. */
async function takeOver(shared: Shared, second: Router) {
  await advance(shared, second, 3_000);
  await second.protection.sweep({ venue: true });
  await advance(shared, second, 3_000);
}

describe("spot OCO", () => {
  test("the list protects the filled quantity net of commission; a backstop stands behind", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    const outcome = await router.place.execute(ocoIntent(shared, "0.01", 20, 20));
    expect(outcome.result.status).toBe("ACCEPTED");
    const list = shared.engine
      .openOrderLists("BTCUSDT", shared.clock.nowMs())
      .find((candidate) => candidate.list.listClientOrderId === protectionIds("intent-1").list);
    expect(list?.orders.map((order) => [order.type, formatDecimal(order.qty)])).toEqual([
      ["LIMIT_MAKER", "0.00999"],
      ["STOP_LOSS_LIMIT", "0.00999"],
    ]);
    expect(outcome.result.legs.every((leg) => leg.guardian === undefined)).toBe(true);
    const backstop = router.protection.guardian.stateOf("intent-1");
    expect(backstop).toMatchObject({ status: "ARMED", takeProfitLeg: "WORKING" });
    const events = (await shared.store.strategyEvents("intent-1")).map((event) => event.kind);
    expect(events).toContain("OCO_ARMED");
  });

  test("a gap through the stop-limit: the backstop cancels the list and sells the rest", async () => {
    const shared = openShared();
    const router = await startRouter(shared);
    await router.place.execute(ocoIntent(shared, "0.01", 20, 20));
    const mid = midOf(shared, "SPOT", "BTCUSDT");
    shared.engine.setMid("BTCUSDT", dec((mid * 0.97).toFixed(2)), shared.clock.nowMs());
    await advance(shared, router, 300);
    const { tp, sl, orders } = await exits(router);
    expect(formatDecimal(add(tp, sl))).toBe("0.00999");
    expect(tp).toEqual(zero);
    const ids = protectionIds("intent-1");
    const byId = (id: string) => orders.find((order) => order.orderId === id)!;
    // The stop-limit triggered but could not fill below its limit; the backstop exit did.
    expect(byId(ids.stopLoss.orderId).status).toBe("CANCELED");
    expect(byId(ids.takeProfit.orderId).status).toBe("EXPIRED");
    expect(byId(ids.guardExit(1).orderId)).toMatchObject({ status: "FILLED", type: "MARKET" });
    expect(router.protection.guardian.stateOf("intent-1")).toBeNull();
  });
});

describe("spot guardian (S4_OCO_GUARDIAN)", () => {
  test("a take-profit fill racing the trigger: cancel first, then sell only the rest", async () => {
    const shared = openShared({ seed: 11 });
    const router = await startRouter(shared, { settings: { spotGuardian: true } });
    const mid = midOf(shared, "SPOT", "BTCUSDT");
    const tp = (mid * 1.0005).toFixed(2);
    const request = intent({
      market: "SPOT",
      qty: "0.9",
      execPolicy: ocoPolicy(tp, (mid * 0.995).toFixed(2)),
    });
    const outcome = await router.place.execute(request);
    expect(outcome.result.legs.map((leg) => [leg.role, leg.type, leg.guardian])).toEqual([
      ["TP", "LIMIT_MAKER", true],
      ["SL", "STOP_LOSS", true],
    ]);
    // The market comes up to the maker: takers fill part of it.
    for (let step = 0; step < 10 && !isPositive((await exits(router)).tp); step += 1) {
      shared.engine.setMid("BTCUSDT", dec((Number(tp) - 4.75).toFixed(2)), shared.clock.nowMs());
      await advance(shared, router, 100);
    }
    const before = await exits(router);
    expect(isPositive(before.tp)).toBe(true);
    expect(lt(before.tp, dec("0.8991"))).toBe(true);
    // ...and falls through the stop before the maker is done: the cancel answer says how much
    // the maker sold (takers may still have hit it in between), the exit sells the rest.
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(2)), shared.clock.nowMs());
    await advance(shared, router, 300);
    const after = await exits(router);
    expect(formatDecimal(add(after.tp, after.sl))).toBe("0.8991");
    expect(isPositive(after.sl)).toBe(true);
    const ids = protectionIds("intent-1");
    const maker = after.orders.find((o) => o.orderId === ids.guardTakeProfit.orderId)!;
    expect(maker.status).toBe("CANCELED");
    const stop = after.orders.find((o) => o.orderId === ids.guardStop.orderId)!;
    // The stop shrank to what the take-profit left.
    expect(stop).toMatchObject({ status: "FILLED" });
    expect(formatDecimal(stop.qty)).toBe(formatDecimal(after.sl));
    const events = (await shared.store.strategyEvents("intent-1")).map((event) => event.kind);
    expect(events).toEqual(["GUARD_ARMED", "GUARD_TRIGGERED", "GUARD_DISARMED"]);
    expect(router.metrics.quantile("guardian_reaction_ms", 0.5)).not.toBeNull();
  });

  test("cancel the emulated stop without cascade: disarmed, the maker keeps working", async () => {
    const shared = openShared();
    const router = await startRouter(shared, { settings: { spotGuardian: true } });
    const outcome = await router.place.execute(ocoIntent(shared, "0.01", 30, 30));
    const stop = outcome.result.legs.find((leg) => leg.role === "SL")!;
    const answer = await router.cancel.execute({
      orderId: stop.order_id,
      clientOrderId: null,
      cascadeOco: false,
      reason: "operator",
      afterCancel: "NONE",
    });
    expect(answer).toMatchObject({
      result: "OK",
      status: "CANCELED",
      canceled_ids: [stop.order_id],
    });
    await router.drain();
    expect(router.protection.guardian.stateOf("intent-1")).toBeNull();
    const id = protectionIds("intent-1").guardTakeProfit.orderId;
    const maker = (await exits(router)).orders.find((o) => o.orderId === id)!;
    expect(maker.status).toBe("NEW");
    expect(await shared.guards.get({ symbol: "BTCUSDT", intentId: "intent-1" })).toBeNull();
  });

  test("the take-profit's final state is written with the exit, in one write", async () => {
    const shared = openShared();
    const router = await startGuardian(shared, "router-a");
    await router.place.execute(ocoIntent(shared, "0.01", 30, 30));
    const mid = midOf(shared, "SPOT", "BTCUSDT");
    const entries = journal(shared);
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(2)), shared.clock.nowMs());
    await advance(shared, router, 300);
    const ids = protectionIds("intent-1");
    const sent = entries.indexOf(`send ${ids.guardStop.clientOrderId}`);
    expect(sent).toBeGreaterThan(0);
    // The stream's event for the cancel came while the exit was being written: it writes nothing.
    expect(entries.slice(0, sent)).toEqual([
      `write ${ids.guardTakeProfit.clientOrderId}:CANCELED ` +
        `${ids.guardStop.clientOrderId}:TRIGGERED GUARD_TRIGGERED`,
    ]);
    const after = await exits(router);
    expect(formatDecimal(after.sl)).toBe("0.00999");
    expect(after.tp).toEqual(zero);
  });

  test("a crash right after the cancel: the next instance asks, sells once", async () => {
    const shared = openShared();
    const first = await startGuardian(shared, "router-a");
    await first.place.execute(ocoIntent(shared, "0.01", 30, 30));
    const mid = midOf(shared, "SPOT", "BTCUSDT");
    // The cancel is the first venue call after the trigger: it executes, its answer is lost.
    first.crashAfterCalls(1);
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(2)), shared.clock.nowMs());
    await advance(shared, first, 200);
    expect(first.isDead()).toBe(true);
    first.crash();
    const ids = protectionIds("intent-1");
    const stored = await shared.store.ordersOfIntent("intent-1");
    const leg = (id: string) => stored.find((order) => order.orderId === id)?.status;
    // Nothing was written after the cancel: the leg reads working, the stop armed.
    expect([leg(ids.guardTakeProfit.orderId), leg(ids.guardStop.orderId)]).toEqual(["NEW", "NEW"]);
    const second = await startGuardian(shared, "router-b");
    await takeOver(shared, second);
    const after = await exits(second);
    expect(formatDecimal(after.sl)).toBe("0.00999");
    expect(after.tp).toEqual(zero);
    const maker = after.orders.find((order) => order.orderId === ids.guardTakeProfit.orderId);
    expect(maker?.status).toBe("CANCELED");
    const kinds = (await shared.store.strategyEvents("intent-1")).map((event) => event.kind);
    expect(kinds).toEqual(["GUARD_ARMED", "GUARD_TRIGGERED", "GUARD_DISARMED"]);
  });

  test("a crash right after the exit went: found, no other sent", async () => {
    const shared = openShared();
    const first = await startGuardian(shared, "router-a");
    await first.place.execute(ocoIntent(shared, "0.01", 30, 30));
    const mid = midOf(shared, "SPOT", "BTCUSDT");
    // The cancel answers; the exit, written with the leg's final state, executes; its answer
    // is lost.
    first.crashAfterCalls(2);
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(2)), shared.clock.nowMs());
    await advance(shared, first, 200);
    expect(first.isDead()).toBe(true);
    first.crash();
    const ids = protectionIds("intent-1");
    const stored = await shared.store.ordersOfIntent("intent-1");
    const leg = (id: string) => stored.find((order) => order.orderId === id)?.status;
    expect([leg(ids.guardTakeProfit.orderId), leg(ids.guardStop.orderId)]).toEqual([
      "CANCELED",
      "TRIGGERED",
    ]);
    const second = await startGuardian(shared, "router-b");
    const entries = journal(shared);
    await takeOver(shared, second);
    expect(entries.filter((entry) => entry.startsWith("send"))).toEqual([]);
    const after = await exits(second);
    expect(formatDecimal(after.sl)).toBe("0.00999");
    const stop = after.orders.find((order) => order.orderId === ids.guardStop.orderId);
    expect(stop?.status).toBe("FILLED");
    expect(after.orders.some((order) => order.orderId === ids.guardExit(2).orderId)).toBe(false);
  });
});
