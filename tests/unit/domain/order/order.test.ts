// The order mutator: duplicates and overfills are refused before any transition, averages are
// quantity-weighted, late fills after a cancel count, and any sequence keeps the books exact.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  add,
  type Decimal,
  dec,
  eq,
  formatDecimal,
  isPositive,
  lt,
  mul,
  zero,
} from "../../../../domain/decimal/index.ts";
import {
  applyEvent,
  applyFill,
  averagePrice,
  type Fill,
  isFullyFilled,
  newOrder,
  type Order,
  type OrderChange,
  type OrderEventKind,
  remainingQty,
  transition,
} from "../../../../domain/order/index.ts";

const createdAtMs = 1_700_000_000_000;

function makeOrder(qty = "0.010", overrides: Partial<Order> = {}): Order {
  const order = newOrder({
    orderId: "ord_1",
    intentId: "intent-1",
    clientOrderId: "intent-1",
    market: "FUT",
    symbol: "BTCUSDT",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    qty: dec(qty),
    price: dec("97000"),
    stopPrice: null,
    reduceOnly: false,
    role: "ENTRY",
    parentId: null,
    midAtSend: dec("96999.95"),
    createdAtMs,
  });
  return { ...order, ...overrides };
}

function makeFill(tradeId: string, qty: string, price: string, orderId = "ord_1"): Fill {
  return {
    fillId: `fill-${tradeId}`,
    orderId,
    tradeId,
    price: dec(price),
    qty: dec(qty),
    fee: dec("0.01"),
    feeAsset: "USDT",
    feeUsdt: dec("0.01"),
    liquidity: "TAKER",
    midAtSend: null,
    bookTop3: null,
    slippageBps: null,
    tsMs: createdAtMs + 1,
  };
}

function accepted(change: OrderChange): Order {
  if (!change.ok) throw new Error(`expected a change, got ${change.reason}`);
  return change.order;
}

type NonFillEvent = Exclude<OrderEventKind, "PARTIAL_FILL" | "FULL_FILL">;

function afterEvents(order: Order, ...kinds: NonFillEvent[]): Order {
  return kinds.reduce((current, kind) => accepted(applyEvent(current, kind, createdAtMs)), order);
}

describe("newOrder", () => {
  test("starts PENDING_NEW with nothing filled", () => {
    const order = makeOrder();
    expect(order).toMatchObject({
      status: "PENDING_NEW",
      exchangeOrderId: null,
      filledQty: zero,
      filledQuote: zero,
      avgPrice: null,
      tradeIds: [],
      updatedAtMs: createdAtMs,
    });
    expect(formatDecimal(remainingQty(order))).toBe("0.01");
    expect(isFullyFilled(order)).toBe(false);
  });
});

describe("applyFill", () => {
  test("a partial then a full fill: quantities, quote and quantity-weighted average", () => {
    const opened = afterEvents(makeOrder("0.004"), "ACCEPTED");
    const partial = accepted(applyFill(opened, makeFill("t1", "0.001", "100"), createdAtMs + 5));
    expect(partial.status).toBe("PARTIALLY_FILLED");
    expect(partial.updatedAtMs).toBe(createdAtMs + 5);
    const full = accepted(applyFill(partial, makeFill("t2", "0.003", "200"), createdAtMs + 6));
    expect(full.status).toBe("FILLED");
    expect(formatDecimal(full.filledQty)).toBe("0.004");
    expect(formatDecimal(full.filledQuote)).toBe("0.7");
    // (0.001 × 100 + 0.003 × 200) / 0.004 = 175, not the plain mean 150.
    expect(formatDecimal(full.avgPrice ?? zero)).toBe("175");
    expect(full.tradeIds).toEqual(["t1", "t2"]);
    expect(isFullyFilled(full)).toBe(true);
    expect(formatDecimal(remainingQty(full))).toBe("0");
  });

  test("an average that does not terminate carries twelve decimals, rounded half up", () => {
    const order = afterEvents(makeOrder("3"), "ACCEPTED");
    const once = accepted(applyFill(order, makeFill("t1", "1", "1"), createdAtMs));
    const twice = accepted(applyFill(once, makeFill("t2", "2", "2"), createdAtMs));
    expect(formatDecimal(twice.avgPrice ?? zero)).toBe("1.666666666667");
    expect(averagePrice(dec("5"), zero)).toBeNull();
    expect(formatDecimal(averagePrice(dec("1"), dec("3")) ?? zero)).toBe("0.333333333333");
  });

  test("a duplicate trade id is refused before any transition, in every status", () => {
    const filled = accepted(applyFill(makeOrder("0.001"), makeFill("t1", "0.001", "100"), 1));
    expect(filled.status).toBe("FILLED");
    // FILLED has no legal fill row and the quantity is already full: the duplicate check wins.
    expect(applyFill(filled, makeFill("t1", "0.001", "100"), 2)).toEqual({
      ok: false,
      reason: "DUPLICATE_TRADE",
      status: "FILLED",
    });
    const partial = accepted(applyFill(makeOrder("0.002"), makeFill("t1", "0.001", "100"), 1));
    const rejected = { ...partial, status: "REJECTED" as const };
    expect(applyFill(rejected, makeFill("t1", "0.001", "100"), 2)).toMatchObject({
      ok: false,
      reason: "DUPLICATE_TRADE",
    });
  });

  test("an overfill is refused and changes nothing", () => {
    const order = afterEvents(makeOrder("0.002"), "ACCEPTED");
    const partial = accepted(applyFill(order, makeFill("t1", "0.0015", "100"), 1));
    const snapshot = structuredClone(partial);
    expect(applyFill(partial, makeFill("t2", "0.001", "100"), 2)).toEqual({
      ok: false,
      reason: "OVERFILL",
      status: "PARTIALLY_FILLED",
    });
    expect(partial).toEqual(snapshot);
    // The trade id of a refused fill is not consumed: the corrected fill still applies.
    const full = accepted(applyFill(partial, makeFill("t2", "0.0005", "100"), 3));
    expect(full.status).toBe("FILLED");
  });

  test("a fill for another order is refused", () => {
    expect(applyFill(makeOrder(), makeFill("t1", "0.001", "100", "ord_2"), 1)).toEqual({
      ok: false,
      reason: "WRONG_ORDER",
      status: "PENDING_NEW",
    });
  });

  test("a fill where no fill may land is an illegal transition", () => {
    const rejected = afterEvents(makeOrder(), "REJECTED");
    expect(applyFill(rejected, makeFill("t1", "0.001", "100"), 1)).toEqual({
      ok: false,
      reason: "ILLEGAL_TRANSITION",
      status: "REJECTED",
    });
  });

  test("a fill without a positive price and quantity is refused and consumes no trade id", () => {
    const order = afterEvents(makeOrder(), "ACCEPTED");
    const refused: OrderChange = { ok: false, reason: "INVALID_FILL", status: "NEW" };
    expect(applyFill(order, makeFill("t1", "0", "100"), 1)).toEqual(refused);
    expect(applyFill(order, makeFill("t1", "-0.001", "100"), 1)).toEqual(refused);
    expect(applyFill(order, makeFill("t1", "0.001", "0"), 1)).toEqual(refused);
    expect(accepted(applyFill(order, makeFill("t1", "0.001", "100"), 1)).tradeIds).toEqual(["t1"]);
  });

  test("fills after CANCELED and EXPIRED still count; completing one makes it FILLED", () => {
    for (const terminal of ["CANCELED", "EXPIRED"] as const) {
      const order = afterEvents(makeOrder("0.003"), "ACCEPTED", terminal);
      const late = accepted(applyFill(order, makeFill("t1", "0.001", "100"), 1));
      expect(late.status).toBe(terminal);
      expect(formatDecimal(late.filledQty)).toBe("0.001");
      const completing = accepted(applyFill(late, makeFill("t2", "0.002", "100"), 2));
      expect(completing.status).toBe("FILLED");
    }
  });

  test("a fill that overtakes the acknowledgement, then the acknowledgement", () => {
    const partial = accepted(applyFill(makeOrder("0.002"), makeFill("t1", "0.001", "100"), 1));
    expect(partial.status).toBe("PARTIALLY_FILLED");
    expect(afterEvents(partial, "ACCEPTED").status).toBe("PARTIALLY_FILLED");
  });
});

describe("applyEvent", () => {
  test("CANCEL_REJECTED restores PARTIALLY_FILLED when something filled, NEW otherwise", () => {
    const open = afterEvents(makeOrder("0.003"), "ACCEPTED");
    const pending = afterEvents(open, "CANCEL_REQUESTED");
    expect(pending.status).toBe("PENDING_CANCEL");
    expect(afterEvents(pending, "CANCEL_REJECTED").status).toBe("NEW");
    const filledDuringCancel = accepted(applyFill(pending, makeFill("t1", "0.001", "100"), 1));
    expect(filledDuringCancel.status).toBe("PENDING_CANCEL");
    expect(afterEvents(filledDuringCancel, "CANCEL_REJECTED").status).toBe("PARTIALLY_FILLED");
    const partialFirst = accepted(applyFill(open, makeFill("t2", "0.001", "100"), 1));
    const pendingAgain = afterEvents(partialFirst, "CANCEL_REQUESTED");
    expect(afterEvents(pendingAgain, "CANCEL_REJECTED").status).toBe("PARTIALLY_FILLED");
  });

  test("an illegal event is refused with the current status", () => {
    expect(applyEvent(makeOrder(), "CANCEL_REJECTED", 1)).toEqual({
      ok: false,
      reason: "ILLEGAL_TRANSITION",
      status: "PENDING_NEW",
    });
    const filled = accepted(applyFill(makeOrder("0.001"), makeFill("t1", "0.001", "1"), 1));
    expect(applyEvent(filled, "CANCELED", 2)).toMatchObject({ ok: false, status: "FILLED" });
  });

  test("the patch sets the venue's order id; an absent or null patch keeps it", () => {
    const acknowledged = accepted(
      applyEvent(makeOrder(), "ACCEPTED", 7, { exchangeOrderId: "42" }),
    );
    expect(acknowledged.exchangeOrderId).toBe("42");
    expect(acknowledged.updatedAtMs).toBe(7);
    const again = accepted(applyEvent(acknowledged, "ACCEPTED", 8, { exchangeOrderId: null }));
    expect(again.exchangeOrderId).toBe("42");
    expect(accepted(applyEvent(again, "CANCEL_REQUESTED", 9)).exchangeOrderId).toBe("42");
  });
});

type Step =
  | {
      readonly kind: "fill";
      readonly tradeId: string;
      readonly qtySteps: number;
      readonly price: Decimal;
    }
  | { readonly kind: "event"; readonly event: NonFillEvent };

const nonFillEvents: readonly NonFillEvent[] = [
  "ACCEPTED",
  "OUTCOME_UNKNOWN",
  "CANCEL_REQUESTED",
  "CANCEL_REJECTED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
  "TRIGGERED",
];

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("fill" as const),
      tradeId: fc.constantFrom("t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"),
      qtySteps: fc.integer({ min: 1, max: 4 }),
      price: fc
        .record({
          units: fc.bigInt({ min: 1n, max: 10_000_000n }),
          scale: fc.integer({ min: 0, max: 4 }),
        })
        .map(({ units, scale }): Decimal => ({ units, scale })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("event" as const),
      event: fc.constantFrom(...nonFillEvents),
    }),
  },
);

describe("any sequence of fills and events", () => {
  test("keeps filledQty ≤ qty, never double counts a trade, and filledQuote = Σ price × qty", () => {
    const step = dec("0.001");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(stepArbitrary, { maxLength: 40 }),
        (qtySteps, steps) => {
          let order = makeOrder(formatDecimal(mul(step, { units: BigInt(qtySteps), scale: 0 })));
          const counted = new Map<string, Fill>();
          steps.forEach((next, index) => {
            const before = structuredClone(order);
            let change: OrderChange;
            if (next.kind === "fill") {
              const qty = formatDecimal(mul(step, { units: BigInt(next.qtySteps), scale: 0 }));
              const fill = makeFill(next.tradeId, qty, formatDecimal(next.price));
              change = applyFill(order, fill, index);
              const total = add(order.filledQty, fill.qty);
              if (counted.has(fill.tradeId)) {
                expect(change).toMatchObject({ ok: false, reason: "DUPLICATE_TRADE" });
              } else if (lt(order.qty, total)) {
                expect(change).toMatchObject({ ok: false, reason: "OVERFILL" });
              } else {
                const kind = eq(total, order.qty) ? "FULL_FILL" : "PARTIAL_FILL";
                const legal = transition(order.status, kind);
                expect(change.ok).toBe(legal !== null);
                if (change.ok) {
                  counted.set(fill.tradeId, fill);
                  expect(change.order.status).toBe(legal as NonNullable<typeof legal>);
                }
              }
            } else {
              change = applyEvent(order, next.event, index);
              const legal = transition(order.status, next.event);
              expect(change.ok).toBe(legal !== null);
              if (change.ok && next.event !== "CANCEL_REJECTED") {
                expect(change.order.status).toBe(legal as NonNullable<typeof legal>);
              }
            }
            expect(order).toEqual(before); // the mutator never mutates its input
            if (!change.ok) {
              expect(change.status).toBe(order.status);
              return;
            }
            order = change.order;
            const fills = [...counted.values()];
            const quantity = fills.reduce((total, fill) => add(total, fill.qty), zero);
            const quote = fills.reduce(
              (total, fill) => add(total, mul(fill.price, fill.qty)),
              zero,
            );
            expect(eq(order.filledQty, quantity)).toBe(true);
            expect(eq(order.filledQuote, quote)).toBe(true);
            expect(lt(order.qty, order.filledQty)).toBe(false);
            expect(order.tradeIds).toEqual(fills.map((fill) => fill.tradeId));
            expect(new Set(order.tradeIds).size).toBe(order.tradeIds.length);
            expect(order.avgPrice).toEqual(averagePrice(quote, quantity));
            expect(order.status === "FILLED").toBe(eq(order.filledQty, order.qty));
            if (order.status === "PARTIALLY_FILLED") expect(isPositive(order.filledQty)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
