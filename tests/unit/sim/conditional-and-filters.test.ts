// Futures conditional (algo) orders: trigger rules on mark and contract price, the status
// sequence, reduce-only and closePosition at trigger, gap_down; and the exact failing filter.

import { describe, expect, test } from "bun:test";
import type { SimAlgoRequest, SimEngine } from "../../../adapters/sim/engine/index.ts";
import { add, dec, formatDecimal, gt, isZero, lt } from "../../../domain/decimal/index.ts";
import {
  limit,
  makeEngine,
  market,
  must,
  nextId,
  recordEvents,
  refused,
  scaled,
  t0,
} from "./sim-kit.ts";

const now = t0 + 1_000;

function stop(
  overrides: Partial<SimAlgoRequest> & Pick<SimAlgoRequest, "triggerPrice">,
): SimAlgoRequest {
  return {
    symbol: "BTCUSDT",
    side: "SELL",
    type: "STOP_MARKET",
    workingType: "MARK_PRICE",
    qty: dec("0.1"),
    reduceOnly: true,
    closePosition: false,
    clientAlgoId: nextId("algo"),
    ...overrides,
  };
}

function openLong(engine: SimEngine, qty = "0.1") {
  must(engine.placeOrder(market({ market: "FUT", side: "BUY", qty: dec(qty) }), now));
}

describe("conditional orders", () => {
  test("stop-market on mark price: NEW → TRIGGERING → TRIGGERED → FINISHED, its own market order", () => {
    const engine = makeEngine();
    const events = recordEvents(engine);
    openLong(engine);
    const mark = must(engine.markPrice("BTCUSDT", now)).markPrice;
    const algo = must(engine.placeAlgo(stop({ triggerPrice: scaled(mark, "0.99", "0.1") }), now));
    expect(algo.status).toBe("NEW");
    must(engine.setMid("BTCUSDT", scaled(mark, "0.995", "0.1"), now + 100));
    expect(
      must(engine.queryAlgo({ algoId: algo.algoId, clientAlgoId: null }, now + 100)).status,
    ).toBe("NEW");
    must(engine.setMid("BTCUSDT", scaled(mark, "0.985", "0.1"), now + 200));
    const done = must(
      engine.queryAlgo({ algoId: null, clientAlgoId: algo.clientAlgoId }, now + 200),
    );
    expect(done.status).toBe("FINISHED");
    expect(done.actualOrderId).not.toBeNull();
    expect(formatDecimal(done.filledQty)).toBe("0.1");
    const statuses = events.flatMap((e) =>
      e.kind === "ALGO_UPDATE" && e.algo.algoId === algo.algoId ? [e.algo.status] : [],
    );
    expect(statuses).toEqual(["NEW", "TRIGGERING", "TRIGGERED", "FINISHED"]);
    const triggered = must(
      engine.queryOrder(
        { market: "FUT", symbol: "BTCUSDT", orderId: done.actualOrderId, clientOrderId: null },
        now + 200,
      ),
    );
    expect(triggered.type).toBe("MARKET");
    expect(triggered.algoId).toBe(algo.algoId);
    expect(triggered.reduceOnly).toBe(true);
    expect(isZero(engine.positions("BTCUSDT", now + 200)[0]!.qty)).toBe(true);
    expect(engine.openAlgos(null, now + 200)).toHaveLength(0);
  });

  test("trigger rules per type and side, and 'would trigger immediately'", () => {
    const engine = makeEngine();
    openLong(engine);
    const last = must(engine.bookTop("FUT", "BTCUSDT", now)).lastPrice;
    const contract = { workingType: "CONTRACT_PRICE" as const };
    const above = scaled(last, "1.01", "0.1");
    const below = scaled(last, "0.99", "0.1");
    expect(refused(engine.placeAlgo(stop({ ...contract, triggerPrice: above }), now)).code).toBe(
      "WOULD_TRIGGER_IMMEDIATELY",
    );
    const takeProfitBelow = stop({ ...contract, type: "TAKE_PROFIT_MARKET", triggerPrice: below });
    expect(refused(engine.placeAlgo(takeProfitBelow, now)).code).toBe("WOULD_TRIGGER_IMMEDIATELY");
    const buyStopBelow = stop({ ...contract, side: "BUY", triggerPrice: below, reduceOnly: false });
    expect(refused(engine.placeAlgo(buyStopBelow, now)).code).toBe("WOULD_TRIGGER_IMMEDIATELY");
    const tp = must(
      engine.placeAlgo(stop({ ...contract, type: "TAKE_PROFIT_MARKET", triggerPrice: above }), now),
    );
    must(engine.setMid("BTCUSDT", scaled(above, "1.002", "0.1"), now + 100));
    expect(
      must(engine.queryAlgo({ algoId: tp.algoId, clientAlgoId: null }, now + 100)).status,
    ).toBe("FINISHED");
  });

  test("contract price triggers on the last trade, mark price on the mark", () => {
    const engine = makeEngine();
    openLong(engine, "0.2");
    const depth = must(engine.depth("FUT", "BTCUSDT", 5, now));
    const trigger = depth.bids[2]!.price;
    const sweep = depth.bids.slice(0, 4).reduce((total, level) => add(total, level.qty), dec("0"));
    const onLast = must(
      engine.placeAlgo(
        stop({ workingType: "CONTRACT_PRICE", triggerPrice: trigger, reduceOnly: false }),
        now,
      ),
    );
    const mark = must(engine.markPrice("BTCUSDT", now)).markPrice;
    const onMark = must(engine.placeAlgo(stop({ triggerPrice: scaled(mark, "0.98", "0.1") }), now));
    must(engine.setLeverage("BTCUSDT", 125, now));
    must(engine.placeOrder(market({ market: "FUT", side: "SELL", qty: sweep }), now));
    const afterSweep = must(engine.queryAlgo({ algoId: onLast.algoId, clientAlgoId: null }, now));
    expect(afterSweep.status).toBe("FINISHED");
    expect(must(engine.queryAlgo({ algoId: onMark.algoId, clientAlgoId: null }, now)).status).toBe(
      "NEW",
    );
  });

  test("reduce-only with nothing to reduce at trigger is REJECTED; closePosition EXPIRED", () => {
    const engine = makeEngine();
    const mark = must(engine.markPrice("BTCUSDT", now)).markPrice;
    const reduce = must(engine.placeAlgo(stop({ triggerPrice: scaled(mark, "0.99", "0.1") }), now));
    const close = must(
      engine.placeAlgo(
        stop({
          triggerPrice: scaled(mark, "0.99", "0.1"),
          qty: null,
          reduceOnly: false,
          closePosition: true,
        }),
        now,
      ),
    );
    must(engine.setMid("BTCUSDT", scaled(mark, "0.98", "0.1"), now + 100));
    const rejected = must(
      engine.queryAlgo({ algoId: reduce.algoId, clientAlgoId: null }, now + 100),
    );
    expect(rejected.status).toBe("REJECTED");
    expect(rejected.reason).toBe("Reduce Only reject");
    expect(
      must(engine.queryAlgo({ algoId: close.algoId, clientAlgoId: null }, now + 100)).status,
    ).toBe("EXPIRED");
    const bad = stop({
      triggerPrice: scaled(mark, "0.9", "0.1"),
      qty: dec("0.1"),
      reduceOnly: false,
      closePosition: true,
    });
    expect(refused(engine.placeAlgo(bad, now)).code).toBe("INVALID_PARAMETER");
  });

  test("cancel once, then unknown; duplicate clientAlgoId among open ones", () => {
    const engine = makeEngine();
    openLong(engine);
    const mark = must(engine.markPrice("BTCUSDT", now)).markPrice;
    const request = stop({ triggerPrice: scaled(mark, "0.98", "0.1") });
    must(engine.placeAlgo(request, now));
    expect(refused(engine.placeAlgo(request, now)).code).toBe("DUPLICATE_CLIENT_ORDER_ID");
    const ref = { algoId: null, clientAlgoId: request.clientAlgoId };
    expect(must(engine.cancelAlgo(ref, now)).status).toBe("CANCELED");
    expect(refused(engine.cancelAlgo(ref, now)).code).toBe("UNKNOWN_ORDER");
    expect(must(engine.placeAlgo(request, now)).status).toBe("NEW");
  });

  test("gap_down: the jump passes the stop and the stop fills far below its trigger", () => {
    const engine = makeEngine("gap_down", 9);
    openLong(engine, "0.5");
    const mark = must(engine.markPrice("BTCUSDT", now)).markPrice;
    const trigger = scaled(mark, "0.995", "0.1");
    const algo = must(engine.placeAlgo(stop({ triggerPrice: trigger, qty: dec("0.5") }), now));
    let status = "NEW";
    let at = now;
    while (status === "NEW" && at < t0 + 60_000) {
      at += 500;
      status = must(engine.queryAlgo({ algoId: algo.algoId, clientAlgoId: null }, at)).status;
    }
    expect(status).toBe("FINISHED");
    expect(at).toBeGreaterThanOrEqual(t0 + 20_000);
    const fired = must(engine.queryAlgo({ algoId: algo.algoId, clientAlgoId: null }, at));
    const orderRef = { market: "FUT" as const, symbol: "BTCUSDT", clientOrderId: null };
    const order = must(engine.queryOrder({ ...orderRef, orderId: fired.actualOrderId }, at));
    const worst = scaled(trigger, "0.985", "0.1");
    expect(order.fills.every((fill) => lt(fill.price, worst))).toBe(true);
  });
});

describe("filters report the exact failing filter", () => {
  const cases = [
    {
      name: "spot tick",
      request: { price: dec("90000.001") },
      filter: "PRICE_FILTER",
      rule: "tick_size",
    },
    { name: "spot step", request: { qty: dec("0.000011") }, filter: "LOT_SIZE", rule: "step_size" },
    {
      name: "spot min qty",
      request: { qty: dec("0.000001") },
      filter: "LOT_SIZE",
      rule: "min_qty",
    },
    {
      name: "spot notional",
      request: { qty: dec("0.00005") },
      filter: "NOTIONAL",
      rule: "min_notional",
    },
    {
      name: "spot percent price",
      request: { price: dec("40000") },
      filter: "PERCENT_PRICE_BY_SIDE",
      rule: "multiplier_down",
    },
    {
      name: "futures tick",
      request: { market: "FUT" as const, price: dec("90000.05"), qty: dec("0.01") },
      filter: "PRICE_FILTER",
      rule: "tick_size",
    },
    {
      name: "futures step",
      request: { market: "FUT" as const, price: dec("94000"), qty: dec("0.0015") },
      filter: "LOT_SIZE",
      rule: "step_size",
    },
    {
      name: "futures notional",
      request: { market: "FUT" as const, price: dec("94000"), qty: dec("0.0005") },
      filter: "LOT_SIZE",
      rule: "min_qty",
    },
    {
      name: "futures min notional",
      request: { market: "FUT" as const, symbol: "ETHUSDT", price: dec("3400"), qty: dec("0.001") },
      filter: "MIN_NOTIONAL",
      rule: "min_notional",
    },
    {
      name: "futures percent price",
      request: { market: "FUT" as const, price: dec("80000"), qty: dec("0.01") },
      filter: "PERCENT_PRICE",
      rule: "multiplier_down",
    },
  ];
  for (const testCase of cases) {
    test(testCase.name, () => {
      const engine = makeEngine();
      const result = engine.placeOrder(
        limit({ side: "BUY", price: dec("94000"), qty: dec("0.001"), ...testCase.request }),
        now,
      );
      const rejection = refused(result);
      expect(rejection.code).toBe("FILTER");
      expect([rejection.filter, rejection.rule]).toEqual([testCase.filter, testCase.rule]);
    });
  }

  test("futures reduce-only waives MIN_NOTIONAL; MARKET_LOT_SIZE caps market orders", () => {
    const engine = makeEngine();
    openLong(engine, "0.01");
    const small = must(
      engine.placeOrder(
        market({ market: "FUT", side: "SELL", qty: dec("0.001"), reduceOnly: true }),
        now,
      ),
    );
    expect(small.status).toBe("FILLED");
    const big = refused(
      engine.placeOrder(market({ market: "FUT", side: "BUY", qty: dec("121") }), now),
    );
    expect([big.filter, big.rule]).toEqual(["MARKET_LOT_SIZE", "max_qty"]);
    const spotBig = refused(engine.placeOrder(market({ side: "SELL", qty: dec("189") }), now));
    expect(spotBig.filter).toBe("MARKET_LOT_SIZE");
    expect(gt(dec("121"), dec("120"))).toBe(true);
  });

  test("futures STOP_MARKET on the order endpoint is an unsupported type", () => {
    const engine = makeEngine();
    const result = engine.placeOrder(
      market({ market: "FUT", side: "SELL", type: "STOP_LOSS", stopPrice: dec("90000") }),
      now,
    );
    expect(refused(result).code).toBe("UNSUPPORTED_ORDER_TYPE");
  });
});
