// The exchangeInfo parser on the real BTCUSDT/ETHUSDT documents the simulator ships.

import { describe, expect, test } from "bun:test";
import { defaultSymbolSpecs, parseSymbolSpec } from "../../../adapters/sim/engine/index.ts";
import { dec, eq, formatDecimal } from "../../../domain/decimal/index.ts";

const specs = defaultSymbolSpecs();
const find = (market: "SPOT" | "FUT", symbol: string) => {
  const spec = specs.find((s) => s.rules.market === market && s.rules.symbol === symbol);
  if (spec === undefined) throw new Error(`${market} ${symbol} missing`);
  return spec;
};

describe("exchangeInfo parser", () => {
  test("spot BTCUSDT: tick, step, NOTIONAL with applyMinToMarket, MARKET_LOT_SIZE max only", () => {
    const spec = find("SPOT", "BTCUSDT");
    expect(formatDecimal(spec.rules.price.tick)).toBe("0.01");
    expect(formatDecimal(spec.rules.lot.step)).toBe("0.00001");
    expect(formatDecimal(spec.rules.lot.min)).toBe("0.00001");
    expect(spec.notionalFilter).toBe("NOTIONAL");
    expect(formatDecimal(spec.rules.notional!.min)).toBe("5");
    expect(spec.rules.notional!.applyMinToMarket).toBe(true);
    expect(formatDecimal(spec.rules.notional!.max)).toBe("9000000");
    expect(spec.rules.notional!.waivedForReduceOnly).toBe(false);
    expect(formatDecimal(spec.rules.marketLot!.step)).toBe("0");
    expect(formatDecimal(spec.rules.marketLot!.max)).toBe("188.9393325");
    expect(spec.percentPrice?.filter).toBe("PERCENT_PRICE_BY_SIDE");
    expect(spec.maxNumOrders).toBe(200);
    expect(spec.maxNumOrderLists).toBe(20);
    expect(spec.maxNumAlgoOrders).toBe(5);
  });

  test("futures BTCUSDT: MIN_NOTIONAL from `notional`, waived for reduce-only", () => {
    const spec = find("FUT", "BTCUSDT");
    expect(formatDecimal(spec.rules.price.tick)).toBe("0.1");
    expect(formatDecimal(spec.rules.lot.step)).toBe("0.001");
    expect(spec.notionalFilter).toBe("MIN_NOTIONAL");
    expect(eq(spec.rules.notional!.min, dec("50"))).toBe(true);
    expect(spec.rules.notional!.waivedForReduceOnly).toBe(true);
    expect(formatDecimal(spec.rules.marketLot!.max)).toBe("120");
    expect(spec.percentPrice?.filter).toBe("PERCENT_PRICE");
    expect(formatDecimal(spec.percentPrice!.bidUp)).toBe("1.05");
    expect(spec.maxNumOrders).toBe(200);
  });

  test("ETHUSDT on both markets", () => {
    expect(formatDecimal(find("SPOT", "ETHUSDT").rules.lot.step)).toBe("0.0001");
    expect(formatDecimal(find("FUT", "ETHUSDT").rules.notional!.min)).toBe("20");
  });

  test("a legacy spot MIN_NOTIONAL and an all-zero MARKET_LOT_SIZE", () => {
    const spec = parseSymbolSpec("SPOT", {
      symbol: "OLDUSDT",
      status: "TRADING",
      baseAsset: "OLD",
      quoteAsset: "USDT",
      filters: [
        { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "100", tickSize: "0.01" },
        { filterType: "LOT_SIZE", minQty: "1", maxQty: "1000", stepSize: "1" },
        { filterType: "MARKET_LOT_SIZE", minQty: "0", maxQty: "0", stepSize: "0" },
        { filterType: "MIN_NOTIONAL", minNotional: "10", applyToMarket: false, avgPriceMins: 5 },
      ],
    });
    expect(spec.rules.marketLot).toBeNull();
    expect(spec.notionalFilter).toBe("MIN_NOTIONAL");
    expect(spec.rules.notional!.applyMinToMarket).toBe(false);
  });
});
