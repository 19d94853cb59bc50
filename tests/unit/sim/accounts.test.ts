// Fees, spot balances and locks, futures positions, margin, reduce-only, leverage, margin type,
// transfers and client order ids.

import { describe, expect, test } from "bun:test";
import {
  add,
  dec,
  eq,
  formatDecimal,
  isZero,
  mul,
  normalize,
  roundToScale,
  sub,
  sum,
} from "../../../domain/decimal/index.ts";
import { limit, makeEngine, market, must, refused, scaled, t0 } from "./sim-kit.ts";

const now = t0 + 1_000;
const fee8 = (value: ReturnType<typeof dec>) => normalize(roundToScale(value, 8, "half_up"));

describe("spot fees and balances", () => {
  test("a buy pays 0.1 % in the base asset; a sell pays 0.1 % in the quote asset", () => {
    const engine = makeEngine();
    const buy = must(engine.placeOrder(market({ side: "BUY", qty: dec("0.1") }), now));
    for (const fill of buy.fills) {
      expect(fill.feeAsset).toBe("BTC");
      expect(eq(fill.fee, fee8(mul(fill.qty, dec("0.001"))))).toBe(true);
    }
    const balances = new Map(engine.spotBalances(now).map((b) => [b.asset, b]));
    const buyFees = sum(buy.fills.map((fill) => fill.fee));
    expect(eq(balances.get("BTC")!.free, sub(dec("1.1"), buyFees))).toBe(true);
    expect(eq(balances.get("USDT")!.free, sub(dec("100000"), buy.filledQuote))).toBe(true);
    const sell = must(engine.placeOrder(market({ side: "SELL", qty: dec("0.05") }), now));
    for (const fill of sell.fills) {
      expect(fill.feeAsset).toBe("USDT");
      expect(eq(fill.fee, fee8(mul(fill.quoteQty, dec("0.001"))))).toBe(true);
    }
    const after = new Map(engine.spotBalances(now).map((b) => [b.asset, b]));
    const sellFees = sum(sell.fills.map((fill) => fill.fee));
    const usdt = add(sub(dec("100000"), buy.filledQuote), sub(sell.filledQuote, sellFees));
    expect(eq(after.get("USDT")!.free, usdt)).toBe(true);
  });

  test("a resting limit locks its funds; cancel returns them", () => {
    const engine = makeEngine();
    const top = must(engine.bookTop("SPOT", "BTCUSDT", now));
    const price = scaled(top.bid, "0.99");
    const order = must(engine.placeOrder(limit({ side: "BUY", price, qty: dec("0.5") }), now));
    const locked = engine.spotBalances(now).find((b) => b.asset === "USDT")!;
    expect(eq(locked.locked, mul(price, dec("0.5")))).toBe(true);
    expect(eq(add(locked.free, locked.locked), dec("100000"))).toBe(true);
    const sell = must(
      engine.placeOrder(
        limit({ side: "SELL", price: scaled(top.ask, "1.01"), qty: dec("0.4") }),
        now,
      ),
    );
    expect(formatDecimal(engine.spotBalances(now).find((b) => b.asset === "BTC")!.locked)).toBe(
      "0.4",
    );
    must(
      engine.cancelOrder(
        { market: "SPOT", symbol: "BTCUSDT", orderId: order.orderId, clientOrderId: null },
        now,
      ),
    );
    must(
      engine.cancelOrder(
        { market: "SPOT", symbol: "BTCUSDT", orderId: sell.orderId, clientOrderId: null },
        now,
      ),
    );
    const balances = new Map(engine.spotBalances(now).map((b) => [b.asset, b]));
    expect(formatDecimal(balances.get("USDT")!.free)).toBe("100000");
    expect(isZero(balances.get("USDT")!.locked) && isZero(balances.get("BTC")!.locked)).toBe(true);
  });

  test("insufficient balance is refused before anything happens", () => {
    const engine = makeEngine();
    expect(refused(engine.placeOrder(market({ side: "SELL", qty: dec("1.5") }), now)).code).toBe(
      "INSUFFICIENT_BALANCE",
    );
    expect(refused(engine.placeOrder(market({ side: "BUY", qty: dec("2") }), now)).code).toBe(
      "INSUFFICIENT_BALANCE",
    );
    expect(engine.openOrders("SPOT", null, now)).toHaveLength(0);
  });
});

describe("futures positions, fees and margin", () => {
  test("taker 0.05 %, maker 0.02 % in USDT; realised PnL on reduction; flip re-enters", () => {
    const engine = makeEngine("calm", 21);
    const open = must(
      engine.placeOrder(market({ market: "FUT", side: "BUY", qty: dec("0.2") }), now),
    );
    for (const fill of open.fills) {
      expect(fill.feeAsset).toBe("USDT");
      expect(eq(fill.fee, fee8(mul(fill.quoteQty, dec("0.0005"))))).toBe(true);
    }
    const flip = must(
      engine.placeOrder(market({ market: "FUT", side: "SELL", qty: dec("0.3") }), now),
    );
    const position = engine.positions("BTCUSDT", now)[0]!;
    expect(formatDecimal(position.qty)).toBe("-0.1");
    expect(eq(position.entryPrice, flip.fills.at(-1)!.price)).toBe(true);
    const realized = sum(flip.fills.map((fill) => fill.realizedPnl));
    expect(eq(position.realizedPnl, realized)).toBe(true);
    const fees = sum([...open.fills, ...flip.fills].map((fill) => fill.fee));
    const account = engine.futuresAccount(now);
    expect(eq(account.walletBalance, sub(add(dec("100000"), realized), fees))).toBe(true);
    const top = must(engine.bookTop("FUT", "BTCUSDT", now));
    const maker = must(
      engine.placeOrder(
        limit({ market: "FUT", side: "BUY", price: top.bid, qty: dec("0.1"), reduceOnly: true }),
        now,
      ),
    );
    must(engine.setMid("BTCUSDT", scaled(top.bid, "0.995"), now + 100));
    const filled = must(
      engine.queryOrder(
        { market: "FUT", symbol: "BTCUSDT", orderId: maker.orderId, clientOrderId: null },
        now + 100,
      ),
    );
    expect(filled.status).toBe("FILLED");
    for (const fill of filled.fills) {
      expect(fill.liquidity).toBe("MAKER");
      expect(eq(fill.fee, fee8(mul(fill.quoteQty, dec("0.0002"))))).toBe(true);
    }
    expect(isZero(engine.positions("BTCUSDT", now + 100)[0]!.qty)).toBe(true);
  });

  test("margin: leverage limits the size; insufficient margin is refused", () => {
    const engine = makeEngine();
    must(engine.setLeverage("BTCUSDT", 1, now));
    expect(
      refused(engine.placeOrder(market({ market: "FUT", side: "BUY", qty: dec("1.1") }), now)).code,
    ).toBe("INSUFFICIENT_MARGIN");
    must(engine.setLeverage("BTCUSDT", 20, now));
    const ok = must(
      engine.placeOrder(market({ market: "FUT", side: "BUY", qty: dec("1.1") }), now),
    );
    expect(ok.status).toBe("FILLED");
    const account = engine.futuresAccount(now);
    expect(eq(account.positionMargin, engine.positions("BTCUSDT", now)[0]!.initialMargin)).toBe(
      true,
    );
    expect(refused(engine.setLeverage("BTCUSDT", 126, now)).code).toBe("INVALID_LEVERAGE");
  });

  test("reduce-only: refused without a position, capped at the position", () => {
    const engine = makeEngine();
    const none = engine.placeOrder(
      market({ market: "FUT", side: "SELL", qty: dec("0.01"), reduceOnly: true }),
      now,
    );
    expect(refused(none).code).toBe("REDUCE_ONLY_REJECTED");
    must(engine.placeOrder(market({ market: "FUT", side: "BUY", qty: dec("0.01") }), now));
    const sameSide = engine.placeOrder(
      market({ market: "FUT", side: "BUY", qty: dec("0.01"), reduceOnly: true }),
      now,
    );
    expect(refused(sameSide).code).toBe("REDUCE_ONLY_REJECTED");
    const capped = must(
      engine.placeOrder(
        market({ market: "FUT", side: "SELL", qty: dec("0.05"), reduceOnly: true }),
        now,
      ),
    );
    expect(formatDecimal(capped.filledQty)).toBe("0.01");
    expect(capped.status).toBe("EXPIRED");
    expect(isZero(engine.positions("BTCUSDT", now)[0]!.qty)).toBe(true);
  });

  test("margin type: change, already set, locked by a position", () => {
    const engine = makeEngine();
    expect(engine.symbolConfig("BTCUSDT")).toEqual({
      symbol: "BTCUSDT",
      leverage: 20,
      marginType: "CROSSED",
    });
    expect(must(engine.setMarginType("BTCUSDT", "ISOLATED", now)).alreadySet).toBe(false);
    expect(must(engine.setMarginType("BTCUSDT", "ISOLATED", now)).alreadySet).toBe(true);
    must(engine.placeOrder(market({ market: "FUT", side: "BUY", qty: dec("0.01") }), now));
    const locked = refused(engine.setMarginType("BTCUSDT", "CROSSED", now));
    expect(locked.code).toBe("MARGIN_TYPE_LOCKED");
    expect(locked.detail).toBe("POSITION");
    expect(engine.positions("BTCUSDT", now)[0]!.marginType).toBe("ISOLATED");
  });

  test("transfers move USDT between the wallets and are refused beyond the balance", () => {
    const engine = makeEngine();
    const moved = must(engine.transfer("SPOT_TO_FUT", "USDT", dec("2500.5"), now));
    expect(moved.transferId).toBe(1);
    expect(formatDecimal(engine.spotBalances(now).find((b) => b.asset === "USDT")!.free)).toBe(
      "97499.5",
    );
    expect(formatDecimal(engine.futuresAccount(now).walletBalance)).toBe("102500.5");
    must(engine.transfer("FUT_TO_SPOT", "USDT", dec("500.5"), now));
    expect(refused(engine.transfer("FUT_TO_SPOT", "USDT", dec("1000000"), now)).code).toBe(
      "INSUFFICIENT_BALANCE",
    );
    expect(refused(engine.transfer("SPOT_TO_FUT", "BTC", dec("1"), now)).code).toBe(
      "INVALID_PARAMETER",
    );
    expect(engine.transferHistory().map((t) => t.transferId)).toEqual([1, 2]);
  });
});

describe("client order ids and lookups", () => {
  test("unique among open orders, reusable once terminal; query answers the latest", () => {
    const engine = makeEngine();
    const top = must(engine.bookTop("SPOT", "BTCUSDT", now));
    const request = limit({
      side: "BUY",
      price: scaled(top.bid, "0.99"),
      qty: dec("0.001"),
      clientOrderId: "same-id",
    });
    const first = must(engine.placeOrder(request, now));
    expect(refused(engine.placeOrder(request, now)).code).toBe("DUPLICATE_CLIENT_ORDER_ID");
    const ref = {
      market: "SPOT" as const,
      symbol: "BTCUSDT",
      orderId: null,
      clientOrderId: "same-id",
    };
    expect(must(engine.cancelOrder(ref, now)).status).toBe("CANCELED");
    expect(refused(engine.cancelOrder(ref, now)).code).toBe("UNKNOWN_ORDER");
    const second = must(engine.placeOrder(request, now));
    expect(second.orderId).toBe(first.orderId + 1);
    expect(must(engine.queryOrder(ref, now)).orderId).toBe(second.orderId);
    const byId = must(engine.queryOrder({ ...ref, orderId: first.orderId }, now));
    expect(byId.status).toBe("CANCELED");
    expect(refused(engine.queryOrder({ ...ref, clientOrderId: "never" }, now)).code).toBe(
      "UNKNOWN_ORDER",
    );
    const futures = must(
      engine.placeOrder(
        market({ market: "FUT", side: "BUY", qty: dec("0.001"), clientOrderId: "same-id" }),
        now,
      ),
    );
    expect(futures.orderId).toBe(1);
  });
});
