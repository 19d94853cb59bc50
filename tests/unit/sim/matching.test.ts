// Matching: market orders walk the synthetic book level by level; IOC, FOK, post-only and GTC
// limits behave as on Binance; resting orders fill as the path trades through them.

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import {
  add,
  dec,
  div,
  eq,
  gt,
  gte,
  isZero,
  lt,
  mul,
  normalize,
  sum,
} from "../../../domain/decimal/index.ts";
import { limit, makeEngine, market, must, refused, scaled, t0 } from "./sim-kit.ts";

describe("market orders walk the book", () => {
  test("thin book: 1 BTC takes whole levels best first, at the depth's prices", () => {
    const engine = makeEngine("thin_book", 3);
    const now = t0 + 1_000;
    const depth = must(engine.depth("SPOT", "BTCUSDT", 10, now));
    const order = must(engine.placeOrder(market({ side: "BUY", qty: dec("1") }), now));
    expect(order.status).toBe("FILLED");
    expect(order.fills.length).toBeGreaterThanOrEqual(3);
    order.fills.forEach((fill, i) => {
      expect(eq(fill.price, depth.asks[i]!.price)).toBe(true);
      if (i < order.fills.length - 1) expect(eq(fill.qty, depth.asks[i]!.qty)).toBe(true);
      else expect(gte(depth.asks[i]!.qty, fill.qty)).toBe(true);
      expect(fill.liquidity).toBe("TAKER");
    });
    const quote = sum(order.fills.map((fill) => mul(fill.price, fill.qty)));
    expect(eq(order.filledQuote, quote)).toBe(true);
    const vwap = div(quote, order.filledQty, 8, "half_up");
    expect(gt(vwap, order.fills[0]!.price)).toBe(true);
    expect(lt(vwap, order.fills.at(-1)!.price)).toBe(true);
    const tradeIds = order.fills.map((fill) => fill.tradeId);
    expect(tradeIds).toEqual([...tradeIds].sort((a, b) => a - b));
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
  });

  test("taken depth is gone for the next taker and refills over time", () => {
    const engine = makeEngine("thin_book", 3);
    const now = t0 + 1_000;
    const first = must(engine.placeOrder(market({ side: "BUY", qty: dec("0.5") }), now));
    const top = must(engine.bookTop("SPOT", "BTCUSDT", now));
    expect(gte(top.ask, first.fills.at(-1)!.price)).toBe(true);
    const second = must(engine.placeOrder(market({ side: "BUY", qty: dec("0.1") }), now));
    expect(gte(second.fills[0]!.price, first.fills.at(-1)!.price)).toBe(true);
    const later = must(engine.depth("SPOT", "BTCUSDT", 1, now + 120_000));
    const spreadLater = must(engine.bookTop("SPOT", "BTCUSDT", now + 120_000));
    expect(eq(later.asks[0]!.price, spreadLater.ask)).toBe(true);
    expect(gt(later.asks[0]!.qty, dec("0.1"))).toBe(true);
  });

  test("a market order larger than the whole book fills what exists and expires the rest", () => {
    const engine = makeEngine("thin_book", 3);
    must(engine.setLeverage("BTCUSDT", 125, t0));
    const order = must(
      engine.placeOrder(market({ market: "FUT", side: "SELL", qty: dec("100") }), t0 + 1_000),
    );
    expect(order.status).toBe("EXPIRED");
    expect(order.expiryReason).toBe("MARKET_REMAINDER");
    expect(gt(order.filledQty, dec("1"))).toBe(true);
    expect(lt(order.filledQty, dec("100"))).toBe(true);
    const position = engine.positions("BTCUSDT", t0 + 1_000)[0]!;
    expect(
      eq(position.qty, normalize({ units: -order.filledQty.units, scale: order.filledQty.scale })),
    ).toBe(true);
  });

  test("spot market buy by quote amount spends at most that amount", () => {
    const engine = makeEngine("calm", 5);
    const order = must(
      engine.placeOrder(market({ side: "BUY", qty: null, quoteOrderQty: dec("1000") }), t0 + 1_000),
    );
    expect(order.status).toBe("FILLED");
    expect(gt(order.filledQuote, dec("999"))).toBe(true);
    expect(gte(dec("1000"), order.filledQuote)).toBe(true);
    expect(eq(order.qty, order.filledQty)).toBe(true);
  });
});

describe("limit orders", () => {
  test("IOC takes up to its price and expires the rest", () => {
    const engine = makeEngine("thin_book", 4);
    const now = t0 + 1_000;
    const depth = must(engine.depth("SPOT", "BTCUSDT", 5, now));
    const price = depth.asks[2]!.price;
    const available = add(add(depth.asks[0]!.qty, depth.asks[1]!.qty), depth.asks[2]!.qty);
    const order = must(
      engine.placeOrder(
        limit({ side: "BUY", price, timeInForce: "IOC", qty: add(available, dec("0.1")) }),
        now,
      ),
    );
    expect(order.status).toBe("EXPIRED");
    expect(order.expiryReason).toBe("IOC_REMAINDER");
    expect(eq(order.filledQty, available)).toBe(true);
    expect(order.fills.every((fill) => !gt(fill.price, price))).toBe(true);
    expect(engine.openOrders("SPOT", null, now)).toHaveLength(0);
  });

  test("FOK fills all or nothing", () => {
    const engine = makeEngine("thin_book", 4);
    const now = t0 + 1_000;
    const depth = must(engine.depth("SPOT", "BTCUSDT", 5, now));
    const price = depth.asks[1]!.price;
    const available = add(depth.asks[0]!.qty, depth.asks[1]!.qty);
    const usdtBefore = engine.spotBalances(now).find((b) => b.asset === "USDT")!;
    const tooBig = must(
      engine.placeOrder(
        limit({ side: "BUY", price, timeInForce: "FOK", qty: add(available, dec("0.001")) }),
        now,
      ),
    );
    expect(tooBig.status).toBe("EXPIRED");
    expect(tooBig.expiryReason).toBe("FOK_NOT_FILLED");
    expect(tooBig.fills).toHaveLength(0);
    const usdtAfter = engine.spotBalances(now).find((b) => b.asset === "USDT")!;
    expect(eq(usdtAfter.free, usdtBefore.free) && isZero(usdtAfter.locked)).toBe(true);
    const fits = must(
      engine.placeOrder(limit({ side: "BUY", price, timeInForce: "FOK", qty: available }), now),
    );
    expect(fits.status).toBe("FILLED");
  });

  test("a marketable GTC limit takes what it can and rests the rest at its price", () => {
    const engine = makeEngine("thin_book", 4);
    const now = t0 + 1_000;
    const depth = must(engine.depth("SPOT", "BTCUSDT", 2, now));
    const price = depth.asks[0]!.price;
    const qty = add(depth.asks[0]!.qty, dec("0.05"));
    const order = must(engine.placeOrder(limit({ side: "BUY", price, qty }), now));
    expect(order.status).toBe("PARTIALLY_FILLED");
    expect(eq(order.filledQty, depth.asks[0]!.qty)).toBe(true);
    expect(engine.openOrders("SPOT", "BTCUSDT", now).map((o) => o.orderId)).toEqual([
      order.orderId,
    ]);
  });

  test("post-only that would take is rejected: spot LIMIT_MAKER and futures GTX", () => {
    const engine = makeEngine("calm", 4);
    const now = t0 + 1_000;
    const spot = must(engine.bookTop("SPOT", "BTCUSDT", now));
    const take = engine.placeOrder(
      limit({ side: "BUY", type: "LIMIT_MAKER", timeInForce: null, price: spot.ask }),
      now,
    );
    expect(refused(take).code).toBe("POST_ONLY_WOULD_TAKE");
    const rest = must(
      engine.placeOrder(
        limit({ side: "BUY", type: "LIMIT_MAKER", timeInForce: null, price: spot.bid }),
        now,
      ),
    );
    expect(rest.status).toBe("NEW");
    const fut = must(engine.bookTop("FUT", "BTCUSDT", now));
    const gtx = engine.placeOrder(
      limit({ market: "FUT", side: "SELL", price: fut.bid, timeInForce: "GTX", qty: dec("0.002") }),
      now,
    );
    expect(refused(gtx).code).toBe("POST_ONLY_WOULD_TAKE");
    expect(engine.openOrders("FUT", null, now)).toHaveLength(0);
  });
});

describe("resting orders fill as the path moves (manual clock)", () => {
  test("calm: a bid at the touch fills as a maker at its price within seconds", async () => {
    const clock = new ManualClock(t0);
    const engine = makeEngine("calm", 11);
    const top = must(engine.bookTop("SPOT", "BTCUSDT", clock.nowMs()));
    const order = must(engine.placeOrder(limit({ side: "BUY", price: top.bid }), clock.nowMs()));
    expect(order.status).toBe("NEW");
    let status = order.status;
    for (let step = 0; step < 100 && status !== "FILLED"; step += 1) {
      await clock.advanceMs(100);
      status = must(engine.queryOrder({ ...refOf(order) }, clock.nowMs())).status;
    }
    const done = must(engine.queryOrder(refOf(order), clock.nowMs()));
    expect(done.status).toBe("FILLED");
    expect(done.fills.every((fill) => fill.liquidity === "MAKER" && eq(fill.price, top.bid))).toBe(
      true,
    );
    expect(clock.nowMs() - t0).toBeLessThanOrEqual(10_000);
  });

  test("thin book: a large resting order fills partially, piece by piece", () => {
    const engine = makeEngine("thin_book", 12);
    const top = must(engine.bookTop("FUT", "BTCUSDT", t0));
    const order = must(
      engine.placeOrder(limit({ market: "FUT", side: "SELL", price: top.ask, qty: dec("3") }), t0),
    );
    let seenPartial = false;
    for (let ms = 100; ms <= 120_000; ms += 100) {
      const now = must(engine.queryOrder(refOf(order), t0 + ms));
      if (now.status === "PARTIALLY_FILLED") seenPartial = true;
      if (now.status === "FILLED") break;
    }
    const done = must(engine.queryOrder(refOf(order), t0 + 120_000));
    expect(seenPartial).toBe(true);
    expect(done.fills.length).toBeGreaterThan(2);
    expect(eq(sum(done.fills.map((fill) => fill.qty)), done.filledQty)).toBe(true);
  });

  test("an order far from the market does not fill while the market stays away", () => {
    const engine = makeEngine("calm", 13);
    const top = must(engine.bookTop("SPOT", "BTCUSDT", t0));
    const order = must(
      engine.placeOrder(
        limit({ side: "BUY", price: scaled(top.bid, "0.9"), qty: dec("0.001") }),
        t0,
      ),
    );
    expect(must(engine.queryOrder(refOf(order), t0 + 60_000)).status).toBe("NEW");
  });
});

function refOf(order: { market: "SPOT" | "FUT"; symbol: string; orderId: number }) {
  return {
    market: order.market,
    symbol: order.symbol,
    orderId: order.orderId,
    clientOrderId: null,
  };
}
