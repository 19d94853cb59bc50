// The OrderStore + EventOutbox contract: every store adapter and its in-memory twin pass exactly
// these cases (intent-once, upserts, fill dedupe, lookups, orderings, outbox, atomic commits).

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { dec, formatDecimal } from "../../domain/decimal/index.ts";
import { applyFill } from "../../domain/order/index.ts";
import type { EventOutbox } from "../../ports/event-outbox.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import {
  fixtureNowMs,
  makeAlert,
  makeFill,
  makeIntent,
  makeOrder,
  makeOutboxEvent,
  makeResult,
  makeStrategyEvent,
} from "../support/order-fixtures.ts";

export interface OrderStoreUnderTest {
  readonly store: OrderStore & EventOutbox;
  dispose(): Promise<void>;
}

export function runOrderStoreContract(
  name: string,
  make: () => Promise<OrderStoreUnderTest>,
): void {
  describe(`OrderStore contract: ${name}`, () => {
    let subject: OrderStoreUnderTest;
    let store: OrderStore & EventOutbox;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    describe("intents", () => {
      test("createIntent stores the intent and its changes, then refuses the same id", async () => {
        const intent = makeIntent();
        const order = makeOrder();
        const first = await store.createIntent(intent, {
          orders: [order],
          outbox: [makeOutboxEvent()],
        });
        expect(first).toEqual({ created: true });
        expect(await store.getIntent("intent-1")).toEqual(intent);
        expect(await store.getOrder(order.orderId)).toEqual(order);

        const replay = await store.createIntent(makeIntent({ fingerprint: "fp-other" }), {
          orders: [makeOrder({ orderId: "ord_other", clientOrderId: "c-other" })],
          outbox: [makeOutboxEvent({ eventId: "out-other" })],
        });
        expect(replay).toEqual({ created: false, existing: intent });
        expect(await store.getOrder("ord_other")).toBeNull();
        expect((await store.pending(10)).map((event) => event.eventId)).toEqual(["out-1"]);
      });

      test("20 concurrent createIntent calls with one id: exactly one is created", async () => {
        const attempts = Array.from({ length: 20 }, (_, index) =>
          store.createIntent(makeIntent({ fingerprint: `fp-${index}` }), {
            orders: [makeOrder({ orderId: `ord_${index}`, clientOrderId: `c-${index}` })],
            outbox: [makeOutboxEvent({ eventId: `out-${index}` })],
          }),
        );
        const outcomes = await Promise.all(attempts);
        const winners = outcomes.flatMap((outcome, index) => (outcome.created ? [index] : []));
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        for (const outcome of outcomes) {
          if (!outcome.created) expect(outcome.existing.fingerprint).toBe(`fp-${winner}`);
        }
        expect((await store.ordersOfIntent("intent-1")).map((order) => order.orderId)).toEqual([
          `ord_${winner}`,
        ]);
        expect((await store.pending(100)).map((event) => event.eventId)).toEqual([`out-${winner}`]);
      });

      test("a createIntent whose changes break a rule writes nothing at all", async () => {
        await store.commit({ orders: [makeOrder({ orderId: "ord_a", clientOrderId: "taken" })] });
        const attempt = store.createIntent(makeIntent({ intentId: "intent-2" }), {
          orders: [makeOrder({ intentId: "intent-2", orderId: "ord_b", clientOrderId: "taken" })],
          outbox: [makeOutboxEvent({ eventId: "out-b" })],
        });
        await expect(attempt).rejects.toThrow();
        expect(await store.getIntent("intent-2")).toBeNull();
        expect(await store.getOrder("ord_b")).toBeNull();
        expect(await store.pending(10)).toEqual([]);
        const retry = await store.createIntent(makeIntent({ intentId: "intent-2" }), {});
        expect(retry.created).toBe(true);
      });

      test("commit upserts intent records (the stored result)", async () => {
        await store.createIntent(makeIntent(), {});
        const updated = makeIntent({ result: makeResult(), updatedAtMs: fixtureNowMs + 50 });
        await store.commit({ intents: [updated] });
        expect(await store.getIntent("intent-1")).toEqual(updated);
        expect(await store.getIntent("unknown")).toBeNull();
      });
    });

    describe("orders", () => {
      test("commit upserts by router id: the latest write wins, no duplicate rows", async () => {
        const order = makeOrder();
        await store.commit({ orders: [order] });
        const fill = makeFill({ qty: dec("0.004") });
        const change = applyFill({ ...order, status: "NEW" }, fill, fixtureNowMs + 10);
        if (!change.ok) throw new Error(change.reason);
        await store.commit({ orders: [change.order], fills: [fill] });
        const stored = await store.getOrder(order.orderId);
        expect(stored?.status).toBe("PARTIALLY_FILLED");
        expect(formatDecimal(stored!.filledQty)).toBe("0.004");
        expect(stored?.tradeIds).toEqual(["t-1"]);
        expect(await store.ordersOfIntent("intent-1")).toHaveLength(1);
      });

      test("decimals come back canonical and exact, whatever their scale", async () => {
        const order = makeOrder({
          qty: { units: 1500n, scale: 3 },
          price: { units: 9700010000n, scale: 5 },
          filledQty: { units: 0n, scale: 8 },
          filledQuote: { units: 123456789012345678901234567890n, scale: 18 },
          avgPrice: { units: 1n, scale: 12 },
          stopPrice: null,
          midAtSend: null,
        });
        await store.commit({ orders: [order] });
        const stored = await store.getOrder(order.orderId);
        expect(stored?.qty).toEqual({ units: 15n, scale: 1 });
        expect(stored?.price).toEqual({ units: 970001n, scale: 1 });
        expect(stored?.filledQty).toEqual({ units: 0n, scale: 0 });
        expect(stored?.filledQuote).toEqual({ units: 12345678901234567890123456789n, scale: 17 });
        expect(stored?.avgPrice).toEqual({ units: 1n, scale: 12 });
        expect(stored?.stopPrice).toBeNull();
        expect(stored?.midAtSend).toBeNull();
      });

      test("every field survives the round trip", async () => {
        const order = makeOrder({
          exchangeOrderId: "8389765",
          market: "SPOT",
          side: "SELL",
          type: "STOP_LOSS_LIMIT",
          timeInForce: null,
          stopPrice: dec("95000"),
          reduceOnly: true,
          role: "SL",
          parentId: "ord_parent",
          tradeIds: ["a", "b"],
          status: "TRIGGERED",
          updatedAtMs: fixtureNowMs + 99,
        });
        await store.commit({ orders: [order] });
        expect(await store.getOrder(order.orderId)).toEqual(order);
        expect(await store.getOrderByClientId(order.clientOrderId)).toEqual(order);
      });

      test("a client order id belongs to one order; a clash rolls back the commit", async () => {
        await store.commit({ orders: [makeOrder({ orderId: "ord_a", clientOrderId: "shared" })] });
        const clash = store.commit({
          orders: [makeOrder({ orderId: "ord_b", clientOrderId: "shared" })],
          fills: [makeFill({ orderId: "ord_a", tradeId: "t-9" })],
          strategyEvents: [makeStrategyEvent({ eventId: "ev-clash" })],
          alerts: [makeAlert({ alertId: "alert-clash" })],
          outbox: [makeOutboxEvent({ eventId: "out-clash" })],
        });
        await expect(clash).rejects.toThrow();
        expect(await store.getOrder("ord_b")).toBeNull();
        expect((await store.getOrderByClientId("shared"))?.orderId).toBe("ord_a");
        expect(await store.fillsOfIntent("intent-1")).toEqual([]);
        expect(await store.strategyEvents("intent-1")).toEqual([]);
        expect(await store.recentAlerts(10)).toEqual([]);
        expect(await store.pending(10)).toEqual([]);
      });

      test("an order may change its client order id; the old one is then free", async () => {
        await store.commit({ orders: [makeOrder({ orderId: "ord_a", clientOrderId: "first" })] });
        await store.commit({ orders: [makeOrder({ orderId: "ord_a", clientOrderId: "second" })] });
        expect(await store.getOrderByClientId("first")).toBeNull();
        expect((await store.getOrderByClientId("second"))?.orderId).toBe("ord_a");
        await store.commit({ orders: [makeOrder({ orderId: "ord_b", clientOrderId: "first" })] });
        expect((await store.getOrderByClientId("first"))?.orderId).toBe("ord_b");
      });

      test("lookups by id, client id and intent; unknown ids give null or empty", async () => {
        const parent = makeOrder({ orderId: "ord_p", clientOrderId: "c-p", role: "ENTRY" });
        const slice2 = makeOrder({
          orderId: "ord_s2",
          clientOrderId: "c-p/s2",
          role: "SLICE",
          parentId: "ord_p",
          createdAtMs: fixtureNowMs + 20,
        });
        const slice1 = makeOrder({
          orderId: "ord_s1",
          clientOrderId: "c-p/s1",
          role: "SLICE",
          parentId: "ord_p",
          createdAtMs: fixtureNowMs + 10,
        });
        const other = makeOrder({ intentId: "intent-2", orderId: "ord_x", clientOrderId: "c-x" });
        await store.commit({ orders: [parent, slice2, slice1, other] });
        expect((await store.getOrder("ord_s1"))?.clientOrderId).toBe("c-p/s1");
        expect((await store.getOrderByClientId("c-p/s2"))?.orderId).toBe("ord_s2");
        const ofIntent = await store.ordersOfIntent("intent-1");
        expect(ofIntent.map((order) => order.orderId)).toEqual(["ord_p", "ord_s1", "ord_s2"]);
        expect(await store.getOrder("ord_none")).toBeNull();
        expect(await store.getOrderByClientId("c-none")).toBeNull();
        expect(await store.ordersOfIntent("intent-none")).toEqual([]);
        expect(await store.fillsOfIntent("intent-none")).toEqual([]);
      });

      test("openOrders lists non-terminal orders, oldest first, up to the limit", async () => {
        const statuses = [
          "PENDING_NEW",
          "FILLED",
          "NEW",
          "CANCELED",
          "PARTIALLY_FILLED",
          "REJECTED",
          "UNKNOWN",
          "EXPIRED",
          "TRIGGERED",
          "PENDING_CANCEL",
        ] as const;
        const orders = statuses.map((status, index) =>
          makeOrder({
            orderId: `ord_${index}`,
            clientOrderId: `c-${index}`,
            status,
            createdAtMs: fixtureNowMs + 100 - index,
          }),
        );
        await store.commit({ orders });
        const open = await store.openOrders(100);
        expect(open.map((order) => order.status)).toEqual([
          "PENDING_CANCEL",
          "TRIGGERED",
          "UNKNOWN",
          "PARTIALLY_FILLED",
          "NEW",
          "PENDING_NEW",
        ]);
        expect((await store.openOrders(2)).map((order) => order.orderId)).toEqual([
          "ord_9",
          "ord_8",
        ]);
        expect(await store.openOrders(0)).toEqual([]);
        await store.commit({ orders: [{ ...orders[0]!, status: "CANCELED" }] });
        expect((await store.openOrders(100)).map((order) => order.orderId)).not.toContain("ord_0");
      });
    });

    describe("fills", () => {
      test("a fill is stored once per (order, trade id), whatever its fill id", async () => {
        await store.commit({ orders: [makeOrder()] });
        const fill = makeFill();
        await store.commit({ fills: [fill] });
        await store.commit({ fills: [fill] });
        await store.commit({ fills: [{ ...fill, fillId: "another-id", price: dec("1") }] });
        expect(await store.fillsOfIntent("intent-1")).toEqual([fill]);
      });

      test("the same trade id on another order is another fill", async () => {
        const a = makeOrder({ orderId: "ord_a", clientOrderId: "c-a" });
        const b = makeOrder({ orderId: "ord_b", clientOrderId: "c-b" });
        const fillA = makeFill({ orderId: "ord_a", tradeId: "t-1", tsMs: fixtureNowMs + 2 });
        const fillB = makeFill({ orderId: "ord_b", tradeId: "t-1", tsMs: fixtureNowMs + 1 });
        await store.commit({ orders: [a, b], fills: [fillA, fillB] });
        expect(await store.fillsOfIntent("intent-1")).toEqual([fillB, fillA]);
      });

      test("fills of an intent span its orders, by time then arrival", async () => {
        const parent = makeOrder({ orderId: "ord_p", clientOrderId: "c-p" });
        const child = makeOrder({ orderId: "ord_c", clientOrderId: "c-c", parentId: "ord_p" });
        const other = makeOrder({ intentId: "intent-2", orderId: "ord_o", clientOrderId: "c-o" });
        const late = makeFill({ orderId: "ord_p", tradeId: "t-3", tsMs: fixtureNowMs + 30 });
        const early = makeFill({
          orderId: "ord_c",
          tradeId: "t-2",
          tsMs: fixtureNowMs + 10,
          feeUsdt: null,
          midAtSend: null,
          bookTop3: null,
          slippageBps: null,
          liquidity: "MAKER",
          feeAsset: "BNB",
        });
        const tie = makeFill({ orderId: "ord_p", tradeId: "t-4", tsMs: fixtureNowMs + 10 });
        const foreign = makeFill({ orderId: "ord_o", tradeId: "t-5" });
        await store.commit({ orders: [parent, child, other], fills: [late, early, tie, foreign] });
        expect(await store.fillsOfIntent("intent-1")).toEqual([early, tie, late]);
        expect(await store.fillsOfIntent("intent-2")).toEqual([foreign]);
      });
    });

    describe("outbox", () => {
      test("pending lists unpublished events in commit order, sequences increasing", async () => {
        await store.commit({
          outbox: [
            makeOutboxEvent({ eventId: "e1", stream: "ord:{results}" }),
            makeOutboxEvent({ eventId: "e2", stream: "orders:executed" }),
          ],
        });
        await store.commit({ outbox: [makeOutboxEvent({ eventId: "e3", stream: "alerts" })] });
        const pending = await store.pending(10);
        expect(pending.map((event) => [event.eventId, event.stream])).toEqual([
          ["e1", "ord:{results}"],
          ["e2", "orders:executed"],
          ["e3", "alerts"],
        ]);
        const sequences = pending.map((event) => event.sequence);
        expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
        expect(new Set(sequences).size).toBe(3);
        expect(pending[0]?.payload).toEqual(makeOutboxEvent().payload);
        expect(pending[0]?.createdAtMs).toBe(fixtureNowMs);
        expect((await store.pending(2)).map((event) => event.eventId)).toEqual(["e1", "e2"]);
      });

      test("markPublished takes events out of pending; repeats are harmless", async () => {
        const events = ["e1", "e2", "e3", "e4"].map((eventId) => makeOutboxEvent({ eventId }));
        await store.commit({ outbox: events });
        const pending = await store.pending(10);
        await store.markPublished([pending[0]!.sequence, pending[2]!.sequence]);
        expect((await store.pending(10)).map((event) => event.eventId)).toEqual(["e2", "e4"]);
        await store.markPublished([pending[0]!.sequence, 987_654_321]);
        await store.markPublished([]);
        expect((await store.pending(10)).map((event) => event.eventId)).toEqual(["e2", "e4"]);
        await store.commit({ outbox: [makeOutboxEvent({ eventId: "e5" })] });
        const after = await store.pending(10);
        expect(after.map((event) => event.eventId)).toEqual(["e2", "e4", "e5"]);
        expect(after[2]!.sequence).toBeGreaterThan(pending[3]!.sequence);
      });

      test("an event id already in the outbox is not stored again", async () => {
        await store.commit({ outbox: [makeOutboxEvent({ eventId: "e1" })] });
        await store.commit({ outbox: [makeOutboxEvent({ eventId: "e1", stream: "other" })] });
        const pending = await store.pending(10);
        expect(pending.map((event) => event.stream)).toEqual(["ord:{results}"]);
        await store.markPublished([pending[0]!.sequence]);
        await store.commit({ outbox: [makeOutboxEvent({ eventId: "e1" })] });
        expect(await store.pending(10)).toEqual([]);
      });
    });

    describe("strategy events and alerts", () => {
      test("strategy events come by time, then arrival; duplicates are ignored", async () => {
        const placed = makeStrategyEvent({ eventId: "ev-1", tsMs: fixtureNowMs + 5 });
        const timeout = makeStrategyEvent({
          eventId: "ev-2",
          kind: "MAKER_TIMEOUT",
          tsMs: fixtureNowMs + 1,
          orderId: null,
        });
        const cancel = makeStrategyEvent({
          eventId: "ev-3",
          kind: "CANCEL",
          payload: { reason: "risk" },
          tsMs: fixtureNowMs + 5,
        });
        const elsewhere = makeStrategyEvent({ eventId: "ev-4", intentId: "intent-2" });
        await store.commit({ strategyEvents: [placed, timeout, cancel, elsewhere] });
        await store.commit({ strategyEvents: [{ ...placed, payload: { changed: true } }] });
        expect(await store.strategyEvents("intent-1")).toEqual([timeout, placed, cancel]);
        expect(await store.strategyEvents("intent-2")).toEqual([elsewhere]);
        expect(await store.strategyEvents("intent-none")).toEqual([]);
      });

      test("recentAlerts returns the newest first, up to the limit", async () => {
        const alerts = [
          makeAlert({ alertId: "a1", tsMs: fixtureNowMs + 1, level: "WARN" }),
          makeAlert({ alertId: "a2", tsMs: fixtureNowMs + 3, level: "FATAL", code: "CANCEL" }),
          makeAlert({ alertId: "a3", tsMs: fixtureNowMs + 2, level: "ERROR", refs: {} }),
        ];
        await store.commit({ alerts });
        await store.commit({ alerts: [{ ...alerts[0]!, message: "again" }] });
        expect(await store.recentAlerts(10)).toEqual([alerts[1]!, alerts[2]!, alerts[0]!]);
        expect((await store.recentAlerts(1)).map((alert) => alert.alertId)).toEqual(["a2"]);
      });
    });

    describe("values", () => {
      test("what is stored is a copy: later edits by the caller do not reach it", async () => {
        const payload: Record<string, unknown> = { a: 1 };
        const request = { qty: "1" };
        const tradeIds = ["t-1"];
        await store.createIntent(makeIntent({ request }), {
          orders: [makeOrder({ tradeIds })],
          strategyEvents: [makeStrategyEvent({ payload })],
          outbox: [makeOutboxEvent({ payload })],
        });
        payload["a"] = 2;
        request.qty = "2";
        tradeIds.push("t-2");
        expect((await store.getIntent("intent-1"))?.request).toEqual({ qty: "1" });
        expect((await store.getOrder("ord_intent-1"))?.tradeIds).toEqual(["t-1"]);
        expect((await store.strategyEvents("intent-1"))[0]?.payload).toEqual({ a: 1 });
        expect((await store.pending(1))[0]?.payload).toEqual({ a: 1 });
      });

      test("what is read is a copy: edits to it do not reach the store", async () => {
        await store.createIntent(makeIntent(), {
          orders: [makeOrder()],
          outbox: [makeOutboxEvent()],
        });
        const order = await store.getOrder("ord_intent-1");
        (order!.tradeIds as string[]).push("t-x");
        const [event] = await store.pending(1);
        event!.payload["status"] = "EDITED";
        const intent = await store.getIntent("intent-1");
        (intent!.request as Record<string, unknown>)["qty"] = "99";
        expect((await store.getOrder("ord_intent-1"))?.tradeIds).toEqual([]);
        expect((await store.pending(1))[0]?.payload["status"]).toBe("NEW");
        expect((await store.getIntent("intent-1"))?.request).toEqual(makeIntent().request);
      });

      test("ping answers true while open", async () => {
        expect(await store.ping()).toBe(true);
      });
    });
  });
}
