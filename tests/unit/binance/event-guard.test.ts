// The event guard: a fill is delivered once per trade id, an order never moves backwards, and a
// late event with a new fill still delivers the fill (with the newest snapshot).

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { dec, formatDecimal } from "../../../domain/decimal/index.ts";
import type { ExchangeEvent, ExchangeOrder } from "../../../ports/exchange-gateway.ts";
import { EventGuard } from "../../../adapters/binance/event-guard.ts";

const snapshot = (
  status: ExchangeOrder["status"],
  filled: string,
): Omit<ExchangeOrder, "fills"> => ({
  market: "FUT",
  symbol: "BTCUSDT",
  exchangeOrderId: "1",
  clientOrderId: "c",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  qty: dec("3"),
  price: dec("100"),
  stopPrice: null,
  status,
  filledQty: dec(filled),
  avgPrice: null,
  reduceOnly: false,
  orderListId: null,
  updateTimeMs: 1,
});

const update = (
  status: ExchangeOrder["status"],
  filled: string,
  tradeId: string | null,
): ExchangeEvent => ({
  kind: "ORDER_UPDATE",
  order: snapshot(status, filled),
  fill:
    tradeId === null
      ? null
      : {
          tradeId,
          price: dec("100"),
          qty: dec("1"),
          fee: dec("0"),
          feeAsset: "USDT",
          liquidity: "MAKER",
          tsMs: 1,
        },
  tsMs: 1,
});

const history: readonly ExchangeEvent[] = [
  update("NEW", "0", null),
  update("PARTIALLY_FILLED", "1", "t1"),
  update("PARTIALLY_FILLED", "2", "t2"),
  update("FILLED", "3", "t3"),
];

describe("EventGuard", () => {
  test("duplicates are dropped", () => {
    const guard = new EventGuard();
    const delivered = [...history, ...history]
      .map((event) => guard.admit(event))
      .filter((event) => event !== null);
    expect(delivered.length).toBe(4);
  });

  test("a late fill is delivered with the newest snapshot, never moving the order back", () => {
    const guard = new EventGuard();
    guard.admit(history[0] as ExchangeEvent);
    guard.admit(history[3] as ExchangeEvent);
    const late = guard.admit(history[1] as ExchangeEvent);
    expect(late?.kind === "ORDER_UPDATE" && late.fill?.tradeId).toBe("t1");
    expect(late?.kind === "ORDER_UPDATE" && late.order.status).toBe("FILLED");
    expect(guard.admit(update("NEW", "0", null))).toBeNull();
  });

  test("any order of any duplicated history: each trade once, statuses never go back", () => {
    const events = fc.array(fc.constantFrom(...history), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(events, (stream) => {
        const guard = new EventGuard();
        const delivered = stream
          .map((event) => guard.admit(event))
          .filter((event) => event !== null);
        const trades = delivered.flatMap((event) =>
          event.kind === "ORDER_UPDATE" && event.fill ? [event.fill.tradeId] : [],
        );
        const distinct = new Set(
          stream.flatMap((event) =>
            event.kind === "ORDER_UPDATE" && event.fill ? [event.fill.tradeId] : [],
          ),
        );
        expect(trades.length).toBe(distinct.size);
        const filled = delivered.map((event) =>
          event.kind === "ORDER_UPDATE" ? Number(formatDecimal(event.order.filledQty)) : 0,
        );
        expect(filled).toEqual([...filled].sort((a, b) => a - b));
      }),
    );
  });

  test("conditional updates never go back", () => {
    const guard = new EventGuard();
    const conditional = (status: "NEW" | "TRIGGERED" | "FINISHED"): ExchangeEvent => ({
      kind: "CONDITIONAL_UPDATE",
      order: {
        symbol: "BTCUSDT",
        algoId: "9",
        clientAlgoId: "a",
        side: "SELL",
        type: "STOP_MARKET",
        triggerPrice: dec("1"),
        workingType: "MARK_PRICE",
        qty: null,
        reduceOnly: true,
        closePosition: true,
        status,
        triggeredOrderId: null,
        filledQty: dec("0"),
        avgPrice: null,
        updateTimeMs: 1,
      },
      tsMs: 1,
    });
    expect(guard.admit(conditional("TRIGGERED"))).not.toBeNull();
    expect(guard.admit(conditional("NEW"))).toBeNull();
    expect(guard.admit(conditional("TRIGGERED"))).toBeNull();
    expect(guard.admit(conditional("FINISHED"))).not.toBeNull();
  });
});
