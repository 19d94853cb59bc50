// TWAP under a manual clock: the plan (count cap, √i weights summing exactly to Q, jitter bounds,
// merged sub-minimum slices), the slices sent at their due times with derived ids, progress in
// the result, a cancelled parent stopping the plan, maker→taker slices, the liquidity probe's
// delay and split, and the queue's leases: a crashed owner's slice re-claimed once, never twice.

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../../../adapters/clock/manual-clock.ts";
import { MemoryOrderStore } from "../../../../adapters/memory/memory-order-store.ts";
import { MemoryTwapQueue } from "../../../../adapters/memory/memory-twap-queue.ts";
import { add, dec, eq, formatDecimal, zero } from "../../../../domain/decimal/index.ts";
import { routerOrderId } from "../../../../domain/order/index.ts";
import { TwapRecovery } from "../../../../application/twap-tick/twap-recovery.ts";
import { intent, startExecutionApp, t0, twapPolicy } from "./execution-harness.ts";
import { ScriptedVenue } from "./scripted-venue.ts";

async function setUp(options: Parameters<typeof startExecutionApp>[1] = {}) {
  const clock = options.clock ?? new ManualClock(t0);
  const venue = new ScriptedVenue(clock);
  const app = await startExecutionApp(venue, { clock, ...options });
  return { clock, venue, app };
}

function sliceRequests(venue: ScriptedVenue) {
  return venue.placed.filter((request) => /\/s\d+t?r?$/.test(request.clientOrderId));
}

async function planOf(app: Awaited<ReturnType<typeof setUp>>["app"], intentId = "exec-1") {
  const events = await app.store.strategyEvents(intentId);
  const plan = events.find((event) => event.payload["decision"] === "twap_plan");
  if (plan === undefined) throw new Error("no twap_plan decision stored");
  return (plan.payload["inputs"] as { plan: { slice: number; qty: string; due_ms: number }[] })
    .plan;
}

describe("TWAP", () => {
  test("3 slices 500 ms apart: ACCEPTED at once, each slice at its due time, then FILLED", async () => {
    const { venue, app } = await setUp();
    const { result } = await app.place.execute(
      intent({ qty: "0.03", execPolicy: twapPolicy(3, 500) }),
    );
    expect(result).toMatchObject({
      status: "ACCEPTED",
      order_id: routerOrderId("exec-1", "entry"),
      exec: { policy: "TWAP", reason: "requested", slices_total: 3, slices_done: 0 },
    });
    await app.runFor(1_200, 1);
    const sent = sliceRequests(venue);
    expect(sent.map((request) => request.clientOrderId)).toEqual([
      "exec-1/s1",
      "exec-1/s2",
      "exec-1/s3",
    ]);
    expect(sent.map((request) => request.atMs - t0)).toEqual([0, 500, 1_000]);
    expect(sent.every((request) => request.type === "MARKET" && eq(request.qty, dec("0.01")))).toBe(
      true,
    );
    const done = await app.place.execute(intent({ qty: "0.03", execPolicy: twapPolicy(3, 500) }));
    expect(done.result).toMatchObject({
      status: "FILLED",
      filled_qty: "0.03",
      exec: { slices_total: 3, slices_done: 3 },
    });
    expect(done.result.order_ids).toContain(routerOrderId("exec-1", "slice-2"));
    const slices = (await app.store.ordersOfIntent("exec-1")).filter(
      (order) => order.role === "SLICE",
    );
    expect(slices.every((order) => order.parentId === routerOrderId("exec-1", "entry"))).toBe(true);
    expect(await app.queue.size()).toBe(0);
  });

  test("progress shows while it works: slices_done, filled so far, the parent's own fill", async () => {
    const { app } = await setUp();
    await app.place.execute(intent({ qty: "0.04", execPolicy: twapPolicy(4, 1_000) }));
    await app.runFor(1_500, 10);
    const midway = await app.ledger.load("exec-1");
    const result = midway === null ? null : app.ledger.preview(midway, {}).result;
    expect(result).toMatchObject({
      status: "PARTIALLY_FILLED",
      filled_qty: "0.02",
      exec: { slices_total: 4, slices_done: 2 },
    });
    const parent = midway?.orders.find((order) => order.orderId === midway.record.orderId);
    expect(parent === undefined ? null : formatDecimal(parent.filledQty)).toBe("0.02");
  });

  test("the slice count is capped by S4_TWAP_MAX_SLICES, and the parts still sum to Q", async () => {
    const { venue, app } = await setUp({ twapSlicesMax: 3 });
    const { result } = await app.place.execute(
      intent({ qty: "0.1", execPolicy: twapPolicy(10, 100) }),
    );
    expect(result.exec).toMatchObject({ slices_total: 3 });
    await app.runFor(400, 10);
    const total = sliceRequests(venue).reduce((sum, request) => add(sum, request.qty), zero);
    expect(formatDecimal(total)).toBe("0.1");
    expect(sliceRequests(venue).map((request) => formatDecimal(request.qty))).toEqual([
      "0.033",
      "0.033",
      "0.034",
    ]);
  });

  test("√i weights: rising slices, remainder on the last, summing exactly to Q", async () => {
    const { venue, app } = await setUp();
    await app.place.execute(
      intent({ qty: "0.1", execPolicy: twapPolicy(4, 100, { curve: "sqrt" }) }),
    );
    const plan = await planOf(app);
    expect(plan.map((slice) => slice.qty)).toEqual(["0.016", "0.023", "0.028", "0.033"]);
    await app.runFor(500, 10);
    const sent = sliceRequests(venue).map((request) => request.qty);
    expect(formatDecimal(sent.reduce((sum, qty) => add(sum, qty), zero))).toBe("0.1");
  });

  test("jitter moves each due time by at most ε and keeps the order", async () => {
    const { venue, app } = await setUp();
    await app.place.execute(
      intent({ qty: "0.04", execPolicy: twapPolicy(4, 600, { jitterMs: 200 }) }),
    );
    const plan = await planOf(app);
    plan.forEach((slice, index) => {
      const nominal = t0 + index * 600;
      expect(Math.abs(slice.due_ms - nominal)).toBeLessThanOrEqual(200);
      if (index > 0) expect(slice.due_ms).toBeGreaterThan(plan[index - 1]!.due_ms);
    });
    expect(plan.some((slice, index) => slice.due_ms !== t0 + index * 600)).toBe(true);
    await app.runFor(2_300, 1);
    // The scheduler wakes at each due time, not at a polling tick.
    sliceRequests(venue).forEach((request, index) => {
      expect(request.atMs - plan[index]!.due_ms).toBeGreaterThanOrEqual(0);
      expect(request.atMs - plan[index]!.due_ms).toBeLessThanOrEqual(1);
    });
  });

  test("slices below the symbol's minimum are merged into a neighbour, never dropped", async () => {
    const { venue, app } = await setUp();
    // ETHUSDT futures: 20 USDT minimum at ~3000 → 7 steps; 20 steps in 4 slices of 5 → 2 × 10.
    const { result } = await app.place.execute(
      intent({ symbol: "ETHUSDT", qty: "0.02", execPolicy: twapPolicy(4, 100) }),
    );
    expect(result.exec).toMatchObject({ slices_total: 2 });
    const events = await app.store.strategyEvents("exec-1");
    const plan = events.find((event) => event.payload["decision"] === "twap_plan");
    expect(plan?.payload["inputs"]).toMatchObject({ slices_merged: 2 });
    await app.runFor(500, 10);
    expect(sliceRequests(venue).map((request) => formatDecimal(request.qty))).toEqual([
      "0.01",
      "0.01",
    ]);
  });

  test("a slice the venue refused without acting (429) is resent under its id after Retry-After", async () => {
    const { venue, app } = await setUp();
    venue.placeScript.push({
      kind: "error",
      error: { kind: "RATE_LIMITED", retryAfterMs: 700, message: "Too many requests." },
    });
    await app.place.execute(intent({ qty: "0.01", execPolicy: twapPolicy(1, 100) }));
    await app.runFor(1_000, 10);
    const attempts = sliceRequests(venue);
    expect(attempts.map((request) => request.clientOrderId)).toEqual(["exec-1/s1", "exec-1/s1"]);
    expect((attempts[1]?.atMs ?? 0) - (attempts[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(700);
    expect(formatDecimal(venue.netQty())).toBe("0.01");
    const state = await app.ledger.load("exec-1");
    expect(state === null ? null : app.ledger.preview(state, {}).result).toMatchObject({
      status: "FILLED",
      exec: { slices_done: 1 },
    });
  });

  test("cancelling the parent stops the slices still queued", async () => {
    const { venue, app } = await setUp();
    await app.place.execute(intent({ qty: "0.03", execPolicy: twapPolicy(3, 1_000) }));
    await app.runFor(500, 10);
    expect(sliceRequests(venue)).toHaveLength(1);
    const canceled = await app.cancel.execute({
      orderId: routerOrderId("exec-1", "entry"),
      clientOrderId: null,
      cascadeOco: false,
      reason: "test",
      afterCancel: "NONE",
    });
    expect(canceled).toMatchObject({ result: "OK", status: "CANCELED" });
    await app.runFor(3_000, 10);
    expect(sliceRequests(venue)).toHaveLength(1);
    expect(await app.queue.size()).toBe(0);
    const state = await app.ledger.load("exec-1");
    const result = state === null ? null : app.ledger.preview(state, {}).result;
    expect(result).toMatchObject({ status: "PARTIALLY_FILLED", filled_qty: "0.01" });
  });

  test("cancel with then: MARKET moves only what the slices left to market", async () => {
    const { venue, app } = await setUp();
    await app.place.execute(intent({ qty: "0.03", execPolicy: twapPolicy(3, 1_000) }));
    await app.runFor(1_500, 10);
    const moved = await app.cancel.execute({
      orderId: routerOrderId("exec-1", "entry"),
      clientOrderId: null,
      cascadeOco: false,
      reason: "hurry",
      afterCancel: "MARKET",
    });
    expect(moved.result).toBe("OK");
    expect(venue.placed[venue.placed.length - 1]).toMatchObject({
      type: "MARKET",
      qty: dec("0.01"),
    });
    await app.runFor(3_000, 10);
    expect(formatDecimal(venue.netQty())).toBe("0.03");
  });

  test("with maker_wait_ms each slice runs maker→taker under its own derived ids", async () => {
    const { venue, app } = await setUp();
    await app.place.execute(
      intent({ qty: "0.02", execPolicy: twapPolicy(2, 2_000, { makerWaitMs: 500 }) }),
    );
    await app.runFor(100, 10);
    venue.fill("exec-1/s1", "0.004");
    await app.runFor(3_000, 10);
    expect(sliceRequests(venue).map((request) => [request.clientOrderId, request.type])).toEqual([
      ["exec-1/s1", "LIMIT"],
      ["exec-1/s1t", "MARKET"],
      ["exec-1/s2", "LIMIT"],
      ["exec-1/s2t", "MARKET"],
    ]);
    expect(sliceRequests(venue)[1]?.qty).toEqual(dec("0.006"));
    const state = await app.ledger.load("exec-1");
    const result = state === null ? null : app.ledger.preview(state, {}).result;
    expect(result).toMatchObject({ status: "FILLED", exec: { slices_done: 2 } });
  });

  test("an extreme spread delays a slice (router:events), then splits it into finer slices", async () => {
    const { venue, app } = await setUp();
    venue.setBook("FUT", "BTCUSDT", "90000.0", "90100.0", "0.02");
    await app.place.execute(intent({ qty: "0.02", execPolicy: twapPolicy(1, 1_000) }));
    await app.runFor(12_000, 50);
    const decisions = async () =>
      (await app.store.pending(200))
        .filter((event) => event.stream === "router:events")
        .map((event) => [event.payload["decision"], event.payload["reason"]]);
    expect((await decisions()).slice(0, 4)).toEqual([
      ["twap_plan", "requested"],
      ["delay", "spread_above_limit"],
      ["delay", "spread_above_limit"],
      ["split", "spread_retries_exhausted"],
    ]);
    const state = await app.ledger.load("exec-1");
    const result = state === null ? null : app.ledger.preview(state, {}).result;
    expect(result?.exec).toMatchObject({ slices_total: 2, slices_done: 0 });
    expect(sliceRequests(venue)).toHaveLength(0);
    // Each half waits the spread out again, then (no second split) goes as a capped limit IOC.
    await app.runFor(25_000, 50);
    expect((await decisions()).slice(4)).toEqual([
      ["delay", "spread_above_limit"],
      ["delay", "spread_above_limit"],
      ["switch_to_limit", "spread_retries_exhausted"],
      ["delay", "spread_above_limit"],
      ["delay", "spread_above_limit"],
      ["switch_to_limit", "spread_retries_exhausted"],
    ]);
    expect(
      sliceRequests(venue).map((request) => [
        request.type,
        request.timeInForce,
        formatDecimal(request.qty),
        formatDecimal(request.price ?? zero),
      ]),
    ).toEqual([
      ["LIMIT", "IOC", "0.01", "90122"],
      ["LIMIT", "IOC", "0.01", "90122"],
    ]);
    const end = await app.ledger.load("exec-1");
    expect(end === null ? null : app.ledger.preview(end, {}).result).toMatchObject({
      status: "FILLED",
      exec: { slices_total: 2, slices_done: 2 },
    });
  });
});

describe("TWAP queue leases", () => {
  test("a slice claimed by an instance that died is re-claimed after the lease and sent once", async () => {
    const clock = new ManualClock(t0);
    const queue = new MemoryTwapQueue();
    const { venue, app } = await setUp({ clock, queue, leaseMs: 5_000, owner: "owner-b" });
    await app.place.execute(intent({ qty: "0.02", execPolicy: twapPolicy(2, 1_000) }));
    // Instance A claims the first slice and dies before doing anything with it.
    expect(await queue.claim("owner-a", clock.nowMs(), 5_000, 10)).toHaveLength(1);
    await app.runFor(4_900, 10);
    expect(sliceRequests(venue)).toHaveLength(0);
    await app.runFor(2_000, 10);
    const sent = sliceRequests(venue);
    expect(sent.map((request) => request.clientOrderId)).toEqual(["exec-1/s1", "exec-1/s2"]);
    // Slice 1 the moment the lease ends; slice 2 (due long ago) right after it.
    expect(sent[0]?.atMs).toBe(t0 + 5_000);
    expect(sent[1]?.atMs).toBeLessThanOrEqual(t0 + 5_010);
  });

  test("a slice its dead owner had already sent is settled from the venue, not sent again", async () => {
    const clock = new ManualClock(t0);
    const queue = new MemoryTwapQueue();
    const { venue, app } = await setUp({ clock, queue, leaseMs: 5_000, owner: "owner-b" });
    await app.place.execute(intent({ qty: "0.02", execPolicy: twapPolicy(2, 10_000) }));
    // Instance A stored and sent slice 1, then died before recording the answer.
    const [claimed] = await queue.claim("owner-a", clock.nowMs(), 5_000, 10);
    expect(claimed).toBeDefined();
    const state = await app.ledger.load("exec-1");
    if (state === null) throw new Error("no intent");
    const parent = state.orders[0]!;
    const { newOrder } = await import("../../../../domain/order/index.ts");
    const slice = newOrder({
      orderId: routerOrderId("exec-1", "slice-1"),
      intentId: "exec-1",
      clientOrderId: "exec-1/s1",
      market: "FUT",
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      timeInForce: null,
      qty: dec("0.01"),
      price: null,
      stopPrice: null,
      reduceOnly: false,
      role: "SLICE",
      parentId: parent.orderId,
      midAtSend: null,
      createdAtMs: clock.nowMs(),
    });
    await app.ledger.save(state, { orders: [slice] });
    await venue.placeOrder({ ...slice, clientOrderId: "exec-1/s1" });
    await app.runFor(6_000, 10);
    expect(venue.placed.filter((request) => request.clientOrderId === "exec-1/s1")).toHaveLength(1);
    expect(venue.queried).toContain("exec-1/s1");
    const fills = await app.store.fillsOfIntent("exec-1");
    expect(fills.map((fill) => fill.orderId)).toEqual([routerOrderId("exec-1", "slice-1")]);
    await app.runFor(10_000, 50);
    const after = await app.ledger.load("exec-1");
    const result = after === null ? null : app.ledger.preview(after, {}).result;
    expect(result).toMatchObject({ status: "FILLED", filled_qty: "0.02" });
  });

  test("a slice stored but never received is sent again only once it can no longer arrive", async () => {
    const clock = new ManualClock(t0);
    const queue = new MemoryTwapQueue();
    const { venue, app } = await setUp({ clock, queue, leaseMs: 2_000, owner: "owner-b" });
    await app.place.execute(intent({ qty: "0.01", execPolicy: twapPolicy(1, 1_000) }));
    expect(await queue.claim("owner-a", clock.nowMs(), 2_000, 10)).toHaveLength(1);
    const state = await app.ledger.load("exec-1");
    if (state === null) throw new Error("no intent");
    const { newOrder } = await import("../../../../domain/order/index.ts");
    await app.ledger.save(state, {
      orders: [
        newOrder({
          orderId: routerOrderId("exec-1", "slice-1"),
          intentId: "exec-1",
          clientOrderId: "exec-1/s1",
          market: "FUT",
          symbol: "BTCUSDT",
          side: "BUY",
          type: "MARKET",
          timeInForce: null,
          qty: dec("0.01"),
          price: null,
          stopPrice: null,
          reduceOnly: false,
          role: "SLICE",
          parentId: state.orders[0]!.orderId,
          midAtSend: null,
          createdAtMs: clock.nowMs(),
        }),
      ],
    });
    await app.runFor(9_000, 10);
    expect(sliceRequests(venue)).toHaveLength(0);
    await app.runFor(2_000, 10);
    expect(sliceRequests(venue).map((request) => request.atMs - t0)).toEqual([10_000]);
  });

  test("a working TWAP whose task was lost (Redis restarted) is restored where it stood", async () => {
    const clock = new ManualClock(t0);
    const queue = new MemoryTwapQueue();
    const { venue, app } = await setUp({ clock, queue });
    await app.place.execute(intent({ qty: "0.03", execPolicy: twapPolicy(3, 1_000) }));
    await app.runFor(1_500, 10);
    expect(sliceRequests(venue)).toHaveLength(2);
    // The queue loses the task.
    await queue.claim("gone", clock.nowMs() + 10_000, 1_000, 10);
    await queue.complete("exec-1", "gone", null);
    const recovery = new TwapRecovery({
      clock,
      store: app.store,
      ledger: app.ledger,
      queue,
      rules: app.rules,
      logger: app.logger,
      batchMax: 100,
    });
    expect(await recovery.runOnce()).toBe(1);
    expect(await recovery.runOnce()).toBe(0);
    await app.runFor(1_000, 10);
    expect(sliceRequests(venue).map((request) => request.clientOrderId)).toEqual([
      "exec-1/s1",
      "exec-1/s2",
      "exec-1/s3",
    ]);
    const state = await app.ledger.load("exec-1");
    expect(state === null ? null : app.ledger.preview(state, {}).result).toMatchObject({
      status: "FILLED",
      exec: { slices_done: 3 },
    });
    expect(await recovery.runOnce()).toBe(0);
  });

  test("a task whose every claim dies is abandoned after claimsMax, with an alert", async () => {
    const clock = new ManualClock(t0);
    const queue = new MemoryTwapQueue();
    const { venue, app } = await setUp({ clock, queue, leaseMs: 1_000, owner: "owner-b" });
    await app.place.execute(intent({ qty: "0.02", execPolicy: twapPolicy(2, 100) }));
    // Twenty instances in a row claim it and die.
    for (let claim = 0; claim < 20; claim += 1) {
      expect(await queue.claim(`dead-${claim}`, clock.nowMs(), 1_000, 1)).toHaveLength(1);
      await clock.advanceMs(1_000);
    }
    await app.runFor(100, 10);
    expect(sliceRequests(venue)).toHaveLength(0);
    expect(await queue.size()).toBe(0);
    const state = await app.ledger.load("exec-1");
    expect(state === null ? null : app.ledger.preview(state, {}).result).toMatchObject({
      status: "REJECTED",
      code: "TWAP_ABANDONED",
    });
    expect((await app.store.recentAlerts(5))[0]).toMatchObject({
      level: "ERROR",
      code: "TWAP_ABANDONED",
    });
  });

  test("two instances ticking on one queue and store run every slice exactly once", async () => {
    const clock = new ManualClock(t0);
    const queue = new MemoryTwapQueue();
    const store = new MemoryOrderStore();
    const venue = new ScriptedVenue(clock);
    const a = await startExecutionApp(venue, { clock, queue, store, owner: "owner-a" });
    const b = await startExecutionApp(venue, { clock, queue, store, owner: "owner-b" });
    for (let index = 0; index < 10; index += 1) {
      const app = index % 2 === 0 ? a : b;
      await app.place.execute(
        intent({ intentId: `race-${index}`, qty: "0.03", execPolicy: twapPolicy(3, 300) }),
      );
    }
    for (let step = 0; step < 120; step += 1) {
      await Promise.all([a.tick.runOnce(), b.tick.runOnce()]);
      await clock.advanceMs(10);
    }
    await Promise.all([a.tick.drain(), b.tick.drain()]);
    const ids = sliceRequests(venue).map((request) => request.clientOrderId);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(formatDecimal(venue.netQty())).toBe("0.3");
    for (let index = 0; index < 10; index += 1) {
      const state = await a.ledger.load(`race-${index}`);
      const result = state === null ? null : a.ledger.preview(state, {}).result;
      expect(result).toMatchObject({ status: "FILLED", exec: { slices_done: 3 } });
    }
  });
});
