// Placement at the application layer: idempotency in every shape, venue refusals stored as
// results, lost answers resolved by reconciliation, resting limits filled by venue events,
// and the outbox carrying every result and fill.

import { describe, expect, test } from "bun:test";
import { formatDecimal } from "../../../../domain/decimal/index.ts";
import { intentFingerprint } from "../../../../domain/order/index.ts";
import { intent, limitPolicy, startAppHarness } from "../../../support/app-harness.ts";

describe("place order", () => {
  test("a market order fills with TCA on every fill and one result event", async () => {
    const app = await startAppHarness();
    const { result } = await app.place.execute(intent());
    expect(result).toMatchObject({ result: "OK", status: "FILLED", filled_qty: "0.002" });
    expect(result.fills.every((fill) => fill.slippage_bps !== null)).toBe(true);
    const fills = await app.store.fillsOfIntent("intent-1");
    expect(fills[0]?.midAtSend).not.toBeNull();
    expect(fills[0]?.bookTop3?.asks.length).toBeGreaterThan(0);
    expect(fills[0]?.feeUsdt).not.toBeNull();
    const outbox = await app.store.pending(100);
    expect(
      outbox.filter((event) => event.stream === "ord:{results}").length,
    ).toBeGreaterThanOrEqual(1);
    expect(outbox.filter((event) => event.stream === "orders:executed")).toHaveLength(
      result.fills.length,
    );
  });

  test("duplicates in flight share one execution; a replay answers the stored result", async () => {
    const app = await startAppHarness();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => app.place.execute(intent())),
    );
    expect(new Set(answers.map((answer) => answer.result.order_id)).size).toBe(1);
    const positions = app.venue.engine.positions("BTCUSDT", app.clock.nowMs());
    expect(positions.map((position) => formatDecimal(position.qty))).toEqual(["0.002"]);
    const replay = await app.place.execute({ ...intent(), uuid: "another-echo" });
    expect(replay.result.order_id).toBe(answers[0]?.result.order_id ?? "missing");
    const mismatch = await app.place.execute(intent({ qty: "0.003" }));
    expect(mismatch.result.code).toBe("IDEMPOTENCY_MISMATCH");
  });

  test("a claim held by another instance is waited for, and taken over once released", async () => {
    const app = await startAppHarness();
    const held = intent({ intentId: "shared-1" });
    await app.idempotency.claim("shared-1", intentFingerprint(held), 30_000);
    const pending = app.place.execute(held);
    expect(await app.clock.waitForSleepers()).toBe(true);
    await app.clock.advanceMs(1_000);
    expect(await app.store.getIntent("shared-1")).toBeNull();
    await app.idempotency.release("shared-1");
    await app.clock.advanceUntil(() => app.clock.pendingSleepers() === 0, 5, 100);
    const { result } = await pending;
    expect(result.status).toBe("FILLED");
  });

  test("a claim that stays held elsewhere answers 'retry shortly' after the wait bound", async () => {
    const app = await startAppHarness();
    const held = intent({ intentId: "shared-2" });
    await app.idempotency.claim("shared-2", intentFingerprint(held), 60_000);
    const pending = app.place.execute(held);
    expect(await app.clock.waitForSleepers()).toBe(true);
    await app.clock.advanceMs(16_000);
    const outcome = await pending;
    expect(outcome.result).toMatchObject({ result: "FAIL", code: "EXCHANGE_UNAVAILABLE" });
    expect(outcome.retryAfterMs).toBe(1_000);
    expect(await app.store.getIntent("shared-2")).toBeNull();
  });

  test("a venue refusal is stored: the replay returns it, and nothing was placed", async () => {
    const app = await startAppHarness();
    const { result } = await app.place.execute(
      intent({ intentId: "too-big", market: "SPOT", qty: "50" }),
    );
    expect(result).toMatchObject({
      result: "FAIL",
      status: "REJECTED",
      code: "INSUFFICIENT_BALANCE",
    });
    const replay = await app.place.execute(
      intent({ intentId: "too-big", market: "SPOT", qty: "50" }),
    );
    expect(replay.result).toEqual(result);
    expect((await app.store.getIntent("too-big"))?.result?.code).toBe("INSUFFICIENT_BALANCE");
  });

  test("a lost answer is reported as unknown, never resent, and settled from the venue", async () => {
    const app = await startAppHarness();
    app.venue.gateway.faultDecider().inject({ kind: "PLACE", fault: "TIMEOUT_AFTER_EXECUTION" });
    const { result } = await app.place.execute(intent({ intentId: "lost-1" }));
    expect(result).toMatchObject({ result: "OK", status: "NEW", code: "OUTCOME_UNKNOWN" });
    // The venue's pushed events or the reconciliation query (whichever comes first) settle it.
    await app.drainEvents();
    await app.reconcile.runOnce();
    const settled = await app.lookup.execute("lost-1");
    expect(settled).toMatchObject({ status: "FILLED", filled_qty: "0.002" });
    expect(settled?.code).toBeUndefined();
    const positions = app.venue.engine.positions("BTCUSDT", app.clock.nowMs());
    expect(positions.map((position) => formatDecimal(position.qty))).toEqual(["0.002"]);
  });

  test("a send that never arrived is closed only after the receive window", async () => {
    const app = await startAppHarness();
    app.venue.gateway.faultDecider().inject({ kind: "PLACE", fault: "TIMEOUT_BEFORE_ARRIVAL" });
    const { result } = await app.place.execute(intent({ intentId: "lost-2" }));
    expect(result.code).toBe("OUTCOME_UNKNOWN");
    expect((await app.reconcile.runOnce()).closedAsNeverArrived).toBe(0);
    await app.clock.advanceMs(10_000);
    expect((await app.reconcile.runOnce()).closedAsNeverArrived).toBe(1);
    expect(await app.lookup.execute("lost-2")).toMatchObject({
      status: "REJECTED",
      code: "NOT_SENT",
    });
  });

  test("a resting limit is ACCEPTED, then filled by venue events as the market trades through it", async () => {
    const app = await startAppHarness();
    const book = await app.venue.gateway.bookTop("FUT", "BTCUSDT");
    if (!book.ok) throw new Error("no book");
    const { result } = await app.place.execute(
      intent({
        intentId: "rest-1",
        side: "BUY",
        execPolicy: limitPolicy(formatDecimal(book.value.bid)),
      }),
    );
    expect(result.status).toBe("ACCEPTED");
    // Move the market down through the resting bid; the venue fills it and pushes the trade.
    app.venue.engine.setMid("BTCUSDT", book.value.bid, app.clock.nowMs());
    for (let step = 0; step < 100; step += 1) {
      await app.clock.advanceMs(200);
      app.venue.gateway.tick();
      await app.drainEvents();
      if ((await app.lookup.execute("rest-1"))?.status === "FILLED") break;
    }
    const filled = await app.lookup.execute("rest-1");
    expect(filled).toMatchObject({ status: "FILLED", filled_qty: "0.002" });
    expect(filled?.fills.every((fill) => fill.liquidity === "MAKER")).toBe(true);
  });

  test("IOC and FOK limits that cannot fill end CANCELED with nothing filled", async () => {
    const app = await startAppHarness();
    for (const timeInForce of ["IOC", "FOK"] as const) {
      const { result } = await app.place.execute(
        intent({ intentId: `far-${timeInForce}`, execPolicy: limitPolicy("92000", timeInForce) }),
      );
      expect(result).toMatchObject({ status: "CANCELED", filled_qty: "0" });
    }
  });

  test("reduce-only without a position is refused before anything is stored", async () => {
    const app = await startAppHarness();
    const { result } = await app.place.execute(
      intent({ intentId: "ro-1", side: "SELL", reduceOnly: true }),
    );
    expect(result).toMatchObject({ code: "REDUCE_ONLY_REJECTED", field: "reduce_only" });
    expect(await app.store.getIntent("ro-1")).toBeNull();
  });
});

describe("cancel order", () => {
  test("a fill racing the cancel is kept, the remainder cancelled, and then: MARKET moves it", async () => {
    const app = await startAppHarness();
    const { result } = await app.place.execute(
      intent({ intentId: "c-1", market: "SPOT", qty: "0.01", execPolicy: limitPolicy("80000") }),
    );
    expect(result.status).toBe("ACCEPTED");
    const response = await app.cancel.execute({
      orderId: result.order_id,
      clientOrderId: null,
      cascadeOco: true,
      reason: "flatten",
      afterCancel: "MARKET",
    });
    expect(response).toMatchObject({
      result: "OK",
      status: "CANCELED",
      canceled_ids: [result.order_id],
    });
    expect(response.market_order_id).toBeDefined();
    const after = await app.lookup.execute("c-1");
    expect(after?.order_ids).toHaveLength(2);
    const events = await app.store.strategyEvents("c-1");
    expect(events.map((event) => event.kind)).toContain("CANCEL");
    expect(events.find((event) => event.kind === "CANCEL")?.payload["reason"]).toBe("flatten");
    const again = await app.cancel.execute({
      orderId: result.order_id,
      clientOrderId: null,
      cascadeOco: true,
      reason: null,
      afterCancel: "NONE",
    });
    expect(again).toMatchObject({ result: "OK", status: "CANCELED" });
  });

  test("a cancel whose answer is lost is settled by query; a second cancel is harmless", async () => {
    const app = await startAppHarness();
    const { result } = await app.place.execute(
      intent({ intentId: "c-2", market: "SPOT", qty: "0.01", execPolicy: limitPolicy("80000") }),
    );
    app.venue.gateway.faultDecider().inject({ kind: "CANCEL", fault: "TIMEOUT_AFTER_EXECUTION" });
    const first = await app.cancel.execute({
      orderId: result.order_id,
      clientOrderId: null,
      cascadeOco: true,
      reason: null,
      afterCancel: "NONE",
    });
    expect(first.code).toBe("CANCEL_FAILED");
    const second = await app.cancel.execute({
      orderId: result.order_id,
      clientOrderId: null,
      cascadeOco: true,
      reason: null,
      afterCancel: "NONE",
    });
    expect(second).toMatchObject({ result: "OK", status: "CANCELED" });
    expect((await app.store.recentAlerts(10)).map((alert) => alert.code)).toContain(
      "CANCEL_FAILED",
    );
  });
});
