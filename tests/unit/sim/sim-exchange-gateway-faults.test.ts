// The in-process gateway under its fault plan: definite failures, unknown outcomes before and
// after execution, bans, and duplicated, reordered and dropped user-data events.

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { SimEngine } from "../../../adapters/sim/engine/index.ts";
import { FaultDecider, type FaultPlan, noFaults } from "../../../adapters/sim/fault-plan.ts";
import { SimExchangeGateway } from "../../../adapters/sim/sim-exchange-gateway.ts";
import { dec } from "../../../domain/decimal/index.ts";
import type { ExchangeEvent, PlaceOrderRequest } from "../../../ports/exchange-gateway.ts";
import { t0 } from "./sim-kit.ts";

function setup(plan: FaultPlan = noFaults) {
  const clock = new ManualClock(t0);
  const engine = new SimEngine({ seed: 2, scenario: "calm", startMs: t0 });
  const faults = new FaultDecider(plan, 7);
  const gateway = new SimExchangeGateway({ engine, clock, faults });
  const events: ExchangeEvent[] = [];
  gateway.onEvent((event) => events.push(event));
  return { clock, engine, faults, gateway, events };
}

let sequence = 0;
function buy(clientOrderId = `f-${++sequence}`): PlaceOrderRequest {
  return {
    market: "FUT",
    symbol: "BTCUSDT",
    side: "BUY",
    type: "MARKET",
    timeInForce: null,
    qty: dec("0.01"),
    price: null,
    stopPrice: null,
    clientOrderId,
    reduceOnly: false,
  };
}

const ref = (clientOrderId: string) => ({
  market: "FUT" as const,
  symbol: "BTCUSDT",
  clientOrderId,
});

describe("request faults", () => {
  test("timeout after execution: unknown outcome, yet the order exists and filled", async () => {
    const { gateway, faults } = setup();
    faults.inject({ kind: "PLACE", fault: "TIMEOUT_AFTER_EXECUTION" });
    const request = buy();
    const answer = await gateway.placeOrder(request);
    expect(answer.ok ? "" : answer.error.kind).toBe("OUTCOME_UNKNOWN");
    const found = await gateway.queryOrder(ref(request.clientOrderId));
    expect(found.ok && found.value.status).toBe("FILLED");
  });

  test("503 unknown after execution on cancel: the order is cancelled all the same", async () => {
    const { gateway, faults } = setup();
    const request = {
      ...buy(),
      type: "LIMIT" as const,
      timeInForce: "GTC" as const,
      price: dec("93000"),
    };
    expect((await gateway.placeOrder(request)).ok).toBe(true);
    faults.inject({ kind: "CANCEL", fault: "UNKNOWN_AFTER_EXECUTION" });
    const cancel = await gateway.cancelOrder(ref(request.clientOrderId));
    expect(cancel.ok ? "" : cancel.error.kind).toBe("OUTCOME_UNKNOWN");
    const found = await gateway.queryOrder(ref(request.clientOrderId));
    expect(found.ok && found.value.status).toBe("CANCELED");
  });

  test("timeout before arrival: unknown outcome, and nothing was placed", async () => {
    const { gateway, faults } = setup();
    faults.inject({ kind: "PLACE", fault: "TIMEOUT_BEFORE_ARRIVAL" });
    const request = buy();
    const answer = await gateway.placeOrder(request);
    expect(answer.ok ? "" : answer.error.kind).toBe("OUTCOME_UNKNOWN");
    const found = await gateway.queryOrder(ref(request.clientOrderId));
    expect(found.ok ? "" : found.error.kind).toBe("UNKNOWN_ORDER");
    expect((await gateway.placeOrder(request)).ok).toBe(true);
  });

  test("unavailable and rate limited are definite: nothing executes", async () => {
    const { gateway, faults } = setup();
    faults.inject({ kind: "PLACE", fault: "UNAVAILABLE" }, { kind: "ANY", fault: "RATE_LIMITED" });
    const request = buy();
    const first = await gateway.placeOrder(request);
    expect(first.ok ? "" : first.error.kind).toBe("UNAVAILABLE");
    const second = await gateway.placeOrder(request);
    expect(second.ok ? null : second.error).toMatchObject({
      kind: "RATE_LIMITED",
      retryAfterMs: 1_000,
    });
    const found = await gateway.queryOrder(ref(request.clientOrderId));
    expect(found.ok ? "" : found.error.kind).toBe("UNKNOWN_ORDER");
  });

  test("a ban refuses every request until it ends", async () => {
    const { gateway, faults, clock } = setup({ ...noFaults, banMs: 60_000 });
    faults.inject({ kind: "QUERY", fault: "BANNED" });
    const banned = await gateway.openOrders("FUT");
    expect(banned.ok ? null : banned.error).toMatchObject({ kind: "BANNED", untilMs: t0 + 60_000 });
    await clock.advanceMs(30_000);
    const still = await gateway.placeOrder(buy());
    expect(still.ok ? "" : still.error.kind).toBe("BANNED");
    await clock.advanceMs(30_000);
    expect((await gateway.placeOrder(buy())).ok).toBe(true);
  });

  test("random faults follow the seed", async () => {
    const plan: FaultPlan = { ...noFaults, probabilities: { UNAVAILABLE: 0.3 } };
    const run = async () => {
      const { gateway } = setup(plan);
      const kinds: string[] = [];
      for (let i = 0; i < 40; i += 1) {
        const result = await gateway.bookTop("SPOT", "BTCUSDT");
        kinds.push(result.ok ? "ok" : result.error.kind);
      }
      return kinds;
    };
    const first = await run();
    expect(first).toEqual(await run());
    expect(first.filter((kind) => kind === "UNAVAILABLE").length).toBeGreaterThan(4);
    expect(first.filter((kind) => kind === "ok").length).toBeGreaterThan(15);
  });
});

describe("event faults", () => {
  const userEvents = (events: ExchangeEvent[]) =>
    events.filter((e) => e.kind !== "BOOK_TOP" && e.kind !== "MARK_PRICE");

  test("duplicated events arrive twice", async () => {
    const plan = { ...noFaults, events: { ...noFaults.events, duplicateProbability: 1 } };
    const { gateway, events } = setup(plan);
    await gateway.start();
    await gateway.placeOrder(buy());
    const updates = userEvents(events).filter((e) => e.kind === "ORDER_UPDATE");
    expect(updates.length % 2).toBe(0);
    expect(updates[0]).toEqual(updates[1]!);
  });

  test("reordered events swap with the next one", async () => {
    const quiet = setup();
    await quiet.gateway.start();
    await quiet.gateway.placeOrder(buy("same"));
    const plan = { ...noFaults, events: { ...noFaults.events, reorderProbability: 1 } };
    const shuffled = setup(plan);
    await shuffled.gateway.start();
    await shuffled.gateway.placeOrder(buy("same"));
    const a = userEvents(quiet.events);
    const b = userEvents(shuffled.events);
    expect(b[0]).toEqual(a[1]!);
    expect(b[1]).toEqual(a[0]!);
  });

  test("a stream drop loses events, reports it, and reconnects after its duration", async () => {
    const plan = {
      ...noFaults,
      events: { ...noFaults.events, dropProbability: 1, dropDurationMs: 5_000 },
    };
    const { gateway, events, clock, faults } = setup(plan);
    await gateway.start();
    await gateway.placeOrder(buy());
    expect(gateway.connectivity().userStreamConnected).toBe(false);
    expect(userEvents(events)).toEqual([
      { kind: "STREAM_STATE", stream: "USER", connected: false, tsMs: t0 },
    ]);
    faults.setPlan(noFaults);
    await clock.advanceMs(5_000);
    gateway.tick();
    expect(gateway.connectivity().userStreamConnected).toBe(true);
    expect(userEvents(events).at(-1)).toMatchObject({ kind: "STREAM_STATE", connected: true });
  });
});
