// Futures take-profit triggers: each target kind, tick rounding away from the entry, the exact
// guarantee (the trigger nets at least the target, one tick closer does not), and side checks.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  add,
  type Decimal,
  dec,
  formatDecimal,
  gte,
  isOnGrid,
  lt,
  sub,
} from "../../../../domain/decimal/index.ts";
import {
  checkProtectionPrices,
  futuresTakeProfit,
  netProfitUsdt,
  type ProtectionPriceCode,
  type ProtectionPrices,
  type TakeProfitInput,
} from "../../../../domain/protection/index.ts";
import { futBtcRules } from "../execution/symbol-rules-fixture.ts";

const base: TakeProfitInput = {
  rules: futBtcRules,
  positionSide: "LONG",
  entryPrice: dec("90000"),
  qty: dec("0.002"),
  target: { kind: "net_profit_usdt", value: dec("2") },
  leverage: 20,
  entryFeeUsdt: dec("0.09"), // 180 USDT × 0.05 %
  takerFeeRate: dec("0.0005"),
};

function trigger(overrides: Partial<TakeProfitInput>): string {
  const outcome = futuresTakeProfit({ ...base, ...overrides });
  if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.message}`);
  return formatDecimal(outcome.triggerPrice);
}

describe("futuresTakeProfit", () => {
  test("long, net profit: (2 + 0.09 + 180) / (0.002 × 0.9995) = 91090.545… → up to 91090.6", () => {
    expect(trigger({})).toBe("91090.6");
  });

  test("short, net profit: (180 − 2 − 0.09) / (0.002 × 1.0005) = 88910.54… → 88910.5", () => {
    expect(trigger({ positionSide: "SHORT" })).toBe("88910.5");
  });

  test("ROE: 10 % of the margin 180 / 20 = 9 is a 0.9 USDT target", () => {
    const roe = futuresTakeProfit({ ...base, target: { kind: "roe", value: dec("0.1") } });
    const net = futuresTakeProfit({
      ...base,
      target: { kind: "net_profit_usdt", value: dec("0.9") },
    });
    expect(roe).toMatchObject({ ok: true, targetUsdt: dec("0.9") });
    expect(roe.ok && net.ok && formatDecimal(roe.triggerPrice)).toBe(
      net.ok && formatDecimal(net.triggerPrice),
    );
  });

  test("the fees reported are the entry fee plus the taker fee at the trigger", () => {
    const outcome = futuresTakeProfit(base);
    // 0.09 + 0.0005 × 91090.6 × 0.002
    expect(outcome.ok && formatDecimal(outcome.feesUsdt!)).toBe("0.1810906");
  });

  test("a price target is used as given when it is on the tick grid", () => {
    expect(trigger({ target: { kind: "price", price: dec("95000.1") } })).toBe("95000.1");
  });

  const refusals: [string, Partial<TakeProfitInput>, string][] = [
    [
      "an off-tick price target",
      { target: { kind: "price", price: dec("95000.05") } },
      "PRICE_FILTER",
    ],
    [
      "a zero target",
      { target: { kind: "net_profit_usdt", value: dec("0") } },
      "TP_TARGET_INVALID",
    ],
    [
      "a zero leverage",
      { target: { kind: "roe", value: dec("1") }, leverage: 0 },
      "TP_TARGET_INVALID",
    ],
    ["negative fees", { entryFeeUsdt: dec("-1") }, "TP_TARGET_INVALID"],
    [
      "a short target worth more than the whole notional",
      { positionSide: "SHORT", target: { kind: "net_profit_usdt", value: dec("500") } },
      "TP_UNREACHABLE",
    ],
    [
      "a short target that lands below the minimum price",
      { positionSide: "SHORT", target: { kind: "net_profit_usdt", value: dec("179") } },
      "PRICE_FILTER",
    ],
  ];
  for (const [name, overrides, code] of refusals) {
    test(`refuses ${name}`, () => {
      expect(futuresTakeProfit({ ...base, ...overrides })).toMatchObject({ ok: false, code });
    });
  }

  test("property: the trigger nets the target; one tick closer to the entry does not", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10_000, max: 2_000_000 }), // entry in tenths: 1000.0 … 200000.0
        fc.integer({ min: 1, max: 5_000 }), // qty in steps of 0.001
        fc.integer({ min: 1, max: 100_000 }), // target in cents
        fc.integer({ min: 0, max: 1_000 }), // entry fee in cents
        fc.integer({ min: 0, max: 10 }), // taker rate in 0.01 %
        fc.constantFrom("LONG" as const, "SHORT" as const),
        (entryTenths, qtySteps, targetCents, feeCents, rateBp, positionSide) => {
          const input: TakeProfitInput = {
            ...base,
            positionSide,
            entryPrice: { units: BigInt(entryTenths), scale: 1 },
            qty: { units: BigInt(qtySteps), scale: 3 },
            target: { kind: "net_profit_usdt", value: { units: BigInt(targetCents), scale: 2 } },
            entryFeeUsdt: { units: BigInt(feeCents), scale: 2 },
            takerFeeRate: { units: BigInt(rateBp), scale: 4 },
          };
          const outcome = futuresTakeProfit(input);
          if (!outcome.ok) {
            expect(["TP_UNREACHABLE", "PRICE_FILTER"]).toContain(outcome.code);
            expect(positionSide).toBe("SHORT");
            return;
          }
          const target: Decimal = outcome.targetUsdt!;
          const tick = futBtcRules.price.tick;
          expect(isOnGrid(outcome.triggerPrice, tick)).toBe(true);
          expect(gte(netProfitUsdt(input, outcome.triggerPrice), target)).toBe(true);
          const closer =
            positionSide === "LONG"
              ? sub(outcome.triggerPrice, tick)
              : add(outcome.triggerPrice, tick);
          expect(lt(netProfitUsdt(input, closer), target)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("checkProtectionPrices", () => {
  const long = (stop: string | null, tp: string | null, current: string | null = "100") =>
    ({
      positionSide: "LONG",
      entryPrice: dec("100"),
      currentPrice: current === null ? null : dec(current),
      stopPrice: stop === null ? null : dec(stop),
      takeProfitPrice: tp === null ? null : dec(tp),
    }) satisfies ProtectionPrices;
  const short = (stop: string | null, tp: string | null, current: string | null = "100") => ({
    ...long(stop, tp, current),
    positionSide: "SHORT" as const,
  });

  const cases: [string, ProtectionPrices, ProtectionPriceCode[]][] = [
    ["a long with stop below and target above", long("95", "110"), []],
    ["a long's stop above the entry", long("101", null, "102"), ["SL_NOT_ON_LOSING_SIDE"]],
    ["a long's stop at the entry", long("100", null, "102"), ["SL_NOT_ON_LOSING_SIDE"]],
    ["a long's stop already crossed", long("95", null, "94"), ["SL_WOULD_TRIGGER_IMMEDIATELY"]],
    ["a long's target below the entry", long(null, "99", "98"), ["TP_NOT_ON_WINNING_SIDE"]],
    ["a long's target already reached", long(null, "105", "106"), ["TP_WOULD_TRIGGER_IMMEDIATELY"]],
    ["a short with stop above and target below", short("105", "90"), []],
    [
      "a short with both swapped",
      short("95", "110"),
      [
        "SL_NOT_ON_LOSING_SIDE",
        "SL_WOULD_TRIGGER_IMMEDIATELY",
        "TP_NOT_ON_WINNING_SIDE",
        "TP_WOULD_TRIGGER_IMMEDIATELY",
      ],
    ],
    ["no current price: only the entry is checked", long("95", "110", null), []],
  ];
  for (const [name, prices, codes] of cases) {
    test(name, () => {
      const violations = checkProtectionPrices(prices);
      expect(violations.map((violation) => violation.code)).toEqual(codes);
      for (const violation of violations) expect(violation.message).toContain(violation.field);
    });
  }
});
