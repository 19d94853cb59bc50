// Spot order lists (OCO): leg types and price rules, one-cancels-other on fill, trigger and
// cancel, the shared lock; and the spot STOP_LOSS_LIMIT trigger on the last price.

import { describe, expect, test } from "bun:test";
import type { SimOcoRequest, SimOrderListResult } from "../../../adapters/sim/engine/index.ts";
import { dec, eq, formatDecimal, isZero, mul } from "../../../domain/decimal/index.ts";
import { limit, makeEngine, must, nextId, recordEvents, refused, scaled, t0 } from "./sim-kit.ts";

const now = t0 + 1_000;

function sellOco(
  engine: ReturnType<typeof makeEngine>,
  tp = "1.01",
  stop = "0.99",
  stopLimit = "0.985",
) {
  const top = must(engine.bookTop("SPOT", "BTCUSDT", now));
  const request: SimOcoRequest = {
    symbol: "BTCUSDT",
    side: "SELL",
    qty: dec("0.5"),
    listClientOrderId: nextId("list"),
    above: {
      type: "LIMIT_MAKER",
      price: scaled(top.ask, tp),
      stopPrice: null,
      timeInForce: null,
      clientOrderId: nextId("tp"),
    },
    below: {
      type: "STOP_LOSS_LIMIT",
      price: scaled(top.bid, stopLimit),
      stopPrice: scaled(top.bid, stop),
      timeInForce: "GTC",
      clientOrderId: nextId("sl"),
    },
  };
  return { request, top };
}

function legs(result: SimOrderListResult) {
  return { tp: result.orders[0]!, sl: result.orders[1]! };
}

describe("OCO placement rules", () => {
  test("a SELL OCO needs take-profit above and stop below the last price", () => {
    const engine = makeEngine();
    const { request, top } = sellOco(engine);
    const swapped = { ...request, above: request.below, below: request.above };
    expect(refused(engine.placeOco(swapped, now)).code).toBe("OCO_BAD_TYPES");
    const tpBelow = { ...request, above: { ...request.above, price: scaled(top.bid, "0.995") } };
    expect(refused(engine.placeOco(tpBelow, now)).code).toBe("OCO_BAD_PRICES");
    const stopAbove = {
      ...request,
      below: { ...request.below, stopPrice: scaled(top.ask, "1.005") },
    };
    expect(refused(engine.placeOco(stopAbove, now)).code).toBe("OCO_BAD_PRICES");
    const tooMuch = { ...request, qty: dec("2") };
    expect(refused(engine.placeOco(tooMuch, now)).code).toBe("INSUFFICIENT_BALANCE");
    expect(engine.openOrders("SPOT", null, now)).toHaveLength(0);
  });

  test("a BUY OCO is the mirror: stop above, take-profit below", () => {
    const engine = makeEngine();
    const top = must(engine.bookTop("SPOT", "BTCUSDT", now));
    const result = must(
      engine.placeOco(
        {
          symbol: "BTCUSDT",
          side: "BUY",
          qty: dec("0.1"),
          listClientOrderId: null,
          above: {
            type: "STOP_LOSS_LIMIT",
            price: scaled(top.ask, "1.02"),
            stopPrice: scaled(top.ask, "1.01"),
            timeInForce: "GTC",
            clientOrderId: null,
          },
          below: {
            type: "LIMIT_MAKER",
            price: scaled(top.bid, "0.99"),
            stopPrice: null,
            timeInForce: null,
            clientOrderId: null,
          },
        },
        now,
      ),
    );
    expect(result.list.listOrderStatus).toBe("EXECUTING");
    const usdt = engine.spotBalances(now).find((b) => b.asset === "USDT")!;
    expect(eq(usdt.locked, mul(scaled(top.ask, "1.02"), dec("0.1")))).toBe(true);
  });
});

describe("OCO execution", () => {
  test("take-profit fill expires the stop leg; the list is ALL_DONE; the lock is spent", () => {
    const engine = makeEngine();
    const events = recordEvents(engine);
    const { request } = sellOco(engine);
    const placed = must(engine.placeOco(request, now));
    expect(formatDecimal(engine.spotBalances(now).find((b) => b.asset === "BTC")!.locked)).toBe(
      "0.5",
    );
    must(engine.setMid("BTCUSDT", scaled(request.above.price!, "1.002"), now + 100));
    const done = must(
      engine.queryOrderList(
        { symbol: "BTCUSDT", orderListId: placed.list.orderListId, listClientOrderId: null },
        now + 100,
      ),
    );
    const { tp, sl } = legs(done);
    expect(tp.status).toBe("FILLED");
    expect(tp.fills.every((fill) => fill.liquidity === "MAKER")).toBe(true);
    expect(sl.status).toBe("EXPIRED");
    expect(sl.expiryReason).toBe("OCO_SIBLING");
    expect(done.list.listOrderStatus).toBe("ALL_DONE");
    const btc = engine.spotBalances(now + 100).find((b) => b.asset === "BTC")!;
    expect(formatDecimal(btc.free)).toBe("0.5");
    expect(isZero(btc.locked)).toBe(true);
    const listEvents = events.filter((e) => e.kind === "ORDER_LIST_UPDATE");
    expect(
      listEvents.map((e) => (e.kind === "ORDER_LIST_UPDATE" ? e.list.listStatusType : "")),
    ).toEqual(["EXEC_STARTED", "ALL_DONE"]);
  });

  test("the stop triggering expires the take-profit and sells through its limit", () => {
    const engine = makeEngine();
    const { request } = sellOco(engine, "1.01", "0.99", "0.98");
    const placed = must(engine.placeOco(request, now));
    must(engine.setMid("BTCUSDT", scaled(request.below.stopPrice!, "0.999"), now + 100));
    const done = must(
      engine.queryOrderList(
        { symbol: "BTCUSDT", orderListId: placed.list.orderListId, listClientOrderId: null },
        now + 100,
      ),
    );
    const { tp, sl } = legs(done);
    expect(tp.status).toBe("EXPIRED");
    expect(sl.working).toBe(true);
    expect(sl.status).toBe("FILLED");
    expect(sl.fills.every((fill) => !eq(fill.price, dec("0")) && fill.liquidity === "TAKER")).toBe(
      true,
    );
    expect(done.list.listOrderStatus).toBe("ALL_DONE");
  });

  test("cancelling one leg cancels the list; cancelling the list twice is unknown", () => {
    const engine = makeEngine();
    const { request } = sellOco(engine);
    const placed = must(engine.placeOco(request, now));
    const leg = must(
      engine.cancelOrder(
        {
          market: "SPOT",
          symbol: "BTCUSDT",
          orderId: null,
          clientOrderId: request.below.clientOrderId,
        },
        now,
      ),
    );
    expect(leg.status).toBe("CANCELED");
    const list = must(
      engine.queryOrderList(
        { symbol: "BTCUSDT", orderListId: null, listClientOrderId: request.listClientOrderId },
        now,
      ),
    );
    expect(list.list.listOrderStatus).toBe("ALL_DONE");
    expect(list.orders.map((o) => o.status)).toEqual(["CANCELED", "CANCELED"]);
    expect(formatDecimal(engine.spotBalances(now).find((b) => b.asset === "BTC")!.free)).toBe("1");
    const ref = {
      symbol: "BTCUSDT",
      orderListId: placed.list.orderListId,
      listClientOrderId: null,
    };
    expect(refused(engine.cancelOrderList(ref, now)).code).toBe("UNKNOWN_ORDER");
    expect(engine.openOrderLists(null, now)).toHaveLength(0);
    const again = must(engine.placeOco(request, now));
    expect(again.list.listClientOrderId).toBe(request.listClientOrderId!);
  });
});

describe("spot stop orders", () => {
  test("STOP_LOSS_LIMIT sell triggers on the last price; a stop already crossed is refused", () => {
    const engine = makeEngine();
    const top = must(engine.bookTop("SPOT", "BTCUSDT", now));
    const crossed = limit({
      side: "SELL",
      type: "STOP_LOSS_LIMIT",
      price: scaled(top.ask, "1.01"),
      stopPrice: scaled(top.ask, "1.005"),
      qty: dec("0.1"),
    });
    expect(refused(engine.placeOrder(crossed, now)).code).toBe("WOULD_TRIGGER_IMMEDIATELY");
    const stop = must(
      engine.placeOrder(
        limit({
          side: "SELL",
          type: "STOP_LOSS_LIMIT",
          price: scaled(top.bid, "0.985"),
          stopPrice: scaled(top.bid, "0.99"),
          qty: dec("0.1"),
        }),
        now,
      ),
    );
    expect(stop.working).toBe(false);
    must(engine.setMid("BTCUSDT", scaled(top.bid, "0.995"), now + 100));
    expect(
      must(
        engine.queryOrder(
          { market: "SPOT", symbol: "BTCUSDT", orderId: stop.orderId, clientOrderId: null },
          now + 100,
        ),
      ).working,
    ).toBe(false);
    must(engine.setMid("BTCUSDT", scaled(top.bid, "0.989"), now + 200));
    const fired = must(
      engine.queryOrder(
        { market: "SPOT", symbol: "BTCUSDT", orderId: stop.orderId, clientOrderId: null },
        now + 200,
      ),
    );
    expect(fired.working).toBe(true);
    expect(fired.status).toBe("FILLED");
  });
});
