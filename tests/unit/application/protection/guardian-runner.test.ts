// The guardian runtime across router instances, over the in-process simulated venue and a manual
// clock: restored from the order store when the guard store is gone, owned through a lease (a
// second instance acts only once the first one's lease has expired), and an exit sent just before
// a crash adopted by the next instance instead of being sent twice.

import { describe, expect, test } from "bun:test";
import { MemoryGuardStore } from "../../../../adapters/memory/memory-guard-store.ts";
import { protectionIds } from "../../../../application/protection/protection-ids.ts";
import { dec, formatDecimal } from "../../../../domain/decimal/index.ts";
import {
  advance,
  intent,
  midOf,
  openShared,
  type Router,
  type Shared,
  startRouter,
} from "./protection-kit.ts";

const guardianSettings = { leaseMs: 3_000, renewEveryMs: 1_000, takeoverEveryMs: 1_000 };

async function openGuarded(shared: Shared, router: Router) {
  const mid = midOf(shared, "FUT", "BTCUSDT");
  const outcome = await router.place.execute(
    intent({
      sl: { type: "STOP_MARKET", price: dec((mid * 0.995).toFixed(1)) },
      tp: { type: "TAKE_PROFIT_MARKET", target: "price", value: dec((mid * 1.005).toFixed(1)) },
    }),
  );
  expect(outcome.result.legs.filter((leg) => leg.guardian).length).toBe(2);
  return mid;
}

function positionUnits(shared: Shared): bigint {
  return shared.engine.positions("BTCUSDT", shared.clock.nowMs())[0]?.qty.units ?? 0n;
}

function venueOrder(shared: Shared, clientOrderId: string) {
  const found = shared.engine.queryOrder(
    { market: "FUT", symbol: "BTCUSDT", orderId: null, clientOrderId },
    shared.clock.nowMs(),
  );
  return found.ok ? found.value : null;
}

async function startGuarded(shared: Shared, owner: string) {
  const router = await startRouter(shared, {
    owner,
    settings: { futuresGuardian: true },
    guardianSettings,
  });
  await router.started;
  return router;
}

describe("guardian across instances", () => {
  test("restored from the order store after a crash that lost the guard store", async () => {
    const shared = openShared();
    const first = await startGuarded(shared, "router-a");
    const mid = await openGuarded(shared, first);
    first.crash();
    shared.guards = new MemoryGuardStore({ clock: shared.clock });
    const second = await startGuarded(shared, "router-b");
    expect(second.protection.guardian.stateOf("intent-1")).toMatchObject({
      status: "ARMED",
      leased: true,
    });
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(1)), shared.clock.nowMs());
    await advance(shared, second, 300);
    expect(positionUnits(shared)).toBe(0n);
    expect(second.protection.guardian.stateOf("intent-1")).toBeNull();
  });

  test("a second instance takes a guardian over only once the first one's lease expires", async () => {
    const shared = openShared();
    const first = await startGuarded(shared, "router-a");
    const mid = await openGuarded(shared, first);
    const second = await startGuarded(shared, "router-b");
    expect(second.protection.guardian.stateOf("intent-1")).toBeNull();
    // While the first renews its lease, the second keeps its hands off.
    for (let second_ = 0; second_ < 5; second_ += 1) {
      await advance(shared, first, 1_000, 500);
      await first.protection.sweep({ venue: false });
      await second.protection.sweep({ venue: false });
    }
    expect(second.protection.guardian.stateOf("intent-1")).toBeNull();
    first.crash();
    for (let step = 0; step < 6; step += 1) {
      await advance(shared, second, 1_000, 500);
      await second.protection.sweep({ venue: false });
    }
    expect(second.protection.guardian.stateOf("intent-1")?.status).toBe("ARMED");
    shared.engine.setMid("BTCUSDT", dec((mid * 1.01).toFixed(1)), shared.clock.nowMs());
    await advance(shared, second, 300);
    expect(positionUnits(shared)).toBe(0n);
    const target = venueOrder(shared, protectionIds("intent-1").guardTarget.clientOrderId);
    expect(target?.status).toBe("FILLED");
  });

  test("a stop cancelled through another instance: the owning guardian stands down", async () => {
    const shared = openShared();
    const owner = await startGuarded(shared, "router-a");
    const mid = await openGuarded(shared, owner);
    const other = await startGuarded(shared, "router-b");
    const stop = protectionIds("intent-1").guardStop.orderId;
    const answer = await other.cancel.execute({
      orderId: stop,
      clientOrderId: null,
      cascadeOco: false,
      reason: "operator",
      afterCancel: "NONE",
    });
    expect(answer).toMatchObject({ result: "OK", status: "CANCELED" });
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(1)), shared.clock.nowMs());
    await advance(shared, owner, 300);
    expect(owner.protection.guardian.stateOf("intent-1")).toBeNull();
    expect(positionUnits(shared)).toBe(2n);
    expect(venueOrder(shared, protectionIds("intent-1").guardExit(2).clientOrderId)).toBeNull();
    // Recorded as disarmed, its watched take-profit closed: a restart does not bring it back.
    const kinds = (await shared.store.strategyEvents("intent-1")).map((event) => event.kind);
    expect(kinds.at(-1)).toBe("GUARD_DISARMED");
    const state = await owner.ledger.load("intent-1");
    expect(state?.orders.filter((order) => order.status === "NEW")).toEqual([]);
  });

  test("an exit sent just before a crash is adopted, not sent again", async () => {
    const shared = openShared();
    const first = await startGuarded(shared, "router-a");
    const mid = await openGuarded(shared, first);
    // The exit is the first venue call after the trigger: it executes, its answer is lost.
    first.crashAfterCalls(1);
    shared.engine.setMid("BTCUSDT", dec((mid * 0.99).toFixed(1)), shared.clock.nowMs());
    await advance(shared, first, 200);
    expect(first.isDead()).toBe(true);
    expect(positionUnits(shared)).toBe(0n);
    first.crash();
    const second = await startGuarded(shared, "router-b");
    await advance(shared, second, 3_000);
    await second.protection.sweep({ venue: true });
    await advance(shared, second, 3_000);
    const ids = protectionIds("intent-1");
    expect(venueOrder(shared, ids.guardStop.clientOrderId)?.status).toBe("FILLED");
    expect(venueOrder(shared, ids.guardExit(2).clientOrderId)).toBeNull();
    expect(positionUnits(shared)).toBe(0n);
    const state = await second.ledger.load("intent-1");
    const stop = state?.orders.find((order) => order.orderId === ids.guardStop.orderId);
    expect(stop?.status).toBe("FILLED");
    expect(formatDecimal(stop!.filledQty)).toBe("0.002");
    expect(second.protection.guardian.stateOf("intent-1")).toBeNull();
  });
});
