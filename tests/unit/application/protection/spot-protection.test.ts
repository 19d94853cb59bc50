// Spot protection over the in-process simulated venue and a manual clock: the venue OCO for the
// filled quantity net of the base commission, the backstop behind its stop-limit when the price
// gaps through it, the guardian when forced (a take-profit fill racing the trigger: cancel first,
// sell only the rest), and the cascade cancel of a guarded leg.

import { describe, expect, test } from "bun:test";
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
});
