// Symbol rules on the real BTCUSDT/ETHUSDT spot and futures filters: each violation has its code
// and rule, and whatever roundQuantity/roundPrice return passes the matching check.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type Decimal,
  dec,
  formatDecimal,
  gt,
  gte,
  isOnGrid,
  isPositive,
  lt,
  lte,
  roundToStep,
  sub,
  zero,
} from "../../../../domain/decimal/index.ts";
import {
  checkNotional,
  checkPrice,
  checkQuantity,
  type Market,
  roundPrice,
  roundQuantity,
  type SymbolRules,
  symbolKey,
} from "../../../../domain/instrument/index.ts";
import {
  allFixtureRules,
  type FixtureSymbol,
  fixtureRules,
  parseSymbolRules,
} from "../../../fixtures/symbol-rules.ts";
import { decimalArbitrary, roundingArbitrary } from "../decimal/decimal-arbitraries.ts";

const spotBtc = fixtureRules("SPOT", "BTCUSDT");
const futBtc = fixtureRules("FUT", "BTCUSDT");
const futEth = fixtureRules("FUT", "ETHUSDT");
const everyRules = allFixtureRules();

function rulesOf(market: Market, symbol: FixtureSymbol): SymbolRules {
  return fixtureRules(market, symbol);
}

describe("fixture rules", () => {
  test("the recorded filters arrive as the documented values", () => {
    expect(everyRules.map((rules) => symbolKey(rules.market, rules.symbol))).toEqual([
      "SPOT:BTCUSDT",
      "SPOT:ETHUSDT",
      "FUT:BTCUSDT",
      "FUT:ETHUSDT",
    ]);
    expect(formatDecimal(futBtc.price.tick)).toBe("0.1");
    expect(formatDecimal(futBtc.price.min)).toBe("556.8");
    expect(formatDecimal(futBtc.lot.step)).toBe("0.001");
    expect(formatDecimal(futBtc.marketLot?.max ?? zero)).toBe("120");
    expect(futBtc.notional).toMatchObject({ waivedForReduceOnly: true, applyMinToMarket: true });
    expect(formatDecimal(futBtc.notional?.min ?? zero)).toBe("50");
    expect(formatDecimal(futEth.notional?.min ?? zero)).toBe("20");
    expect(formatDecimal(spotBtc.price.tick)).toBe("0.01");
    expect(formatDecimal(spotBtc.lot.step)).toBe("0.00001");
    expect(spotBtc.notional).toMatchObject({
      applyMinToMarket: true,
      applyMaxToMarket: false,
      waivedForReduceOnly: false,
    });
    expect(formatDecimal(spotBtc.notional?.max ?? zero)).toBe("9000000");
    // Spot MARKET_LOT_SIZE: minQty and stepSize are zero (disabled), maxQty is live.
    expect(spotBtc.marketLot?.min).toEqual(zero);
    expect(spotBtc.marketLot?.step).toEqual(zero);
    expect(formatDecimal(spotBtc.marketLot?.max ?? zero)).toBe("188.9393325");
  });

  test("the fixture parser reads legacy MIN_NOTIONAL and drops an all-zero MARKET_LOT_SIZE", () => {
    const rules = parseSymbolRules("SPOT", {
      symbol: "OLDUSDT",
      status: "TRADING",
      baseAsset: "OLD",
      quoteAsset: "USDT",
      filters: [
        { filterType: "PRICE_FILTER", minPrice: "0", maxPrice: "0", tickSize: "0.01" },
        { filterType: "LOT_SIZE", minQty: "0.1", maxQty: "100", stepSize: "0.1" },
        { filterType: "MARKET_LOT_SIZE", minQty: "0.0", maxQty: "0.0", stepSize: "0.0" },
        { filterType: "MIN_NOTIONAL", minNotional: "10", applyToMarket: false },
      ],
    });
    expect(rules.marketLot).toBeNull();
    expect(rules.notional).toMatchObject({ applyMinToMarket: false, max: zero });
  });
});

interface ViolationCase {
  readonly name: string;
  readonly rules: SymbolRules;
  readonly check: (rules: SymbolRules) => ReturnType<typeof checkPrice>;
  readonly code: string | null;
  readonly rule?: string;
  readonly field?: string;
}

const violationCases: readonly ViolationCase[] = [
  // LOT_SIZE
  {
    name: "FUT BTCUSDT qty 0.0015 is off the 0.001 step",
    rules: futBtc,
    check: (rules) => checkQuantity(rules, dec("0.0015"), false),
    code: "LOT_SIZE",
    rule: "step_size",
    field: "qty",
  },
  {
    name: "FUT BTCUSDT qty 0.002 passes",
    rules: futBtc,
    check: (rules) => checkQuantity(rules, dec("0.002"), false),
    code: null,
  },
  {
    name: "FUT BTCUSDT qty 0.0005 is below minQty",
    rules: futBtc,
    check: (rules) => checkQuantity(rules, dec("0.0005"), false),
    code: "LOT_SIZE",
    rule: "min_qty",
  },
  {
    name: "FUT BTCUSDT qty 1000.001 is above maxQty",
    rules: futBtc,
    check: (rules) => checkQuantity(rules, dec("1000.001"), false),
    code: "LOT_SIZE",
    rule: "max_qty",
  },
  {
    name: "a zero qty is refused",
    rules: spotBtc,
    check: (rules) => checkQuantity(rules, zero, false),
    code: "LOT_SIZE",
    rule: "positive",
  },
  {
    name: "a negative qty is refused",
    rules: futBtc,
    check: (rules) => checkQuantity(rules, dec("-0.001"), true),
    code: "LOT_SIZE",
    rule: "positive",
  },
  {
    name: "SPOT ETHUSDT qty 0.00015 is off the 0.0001 step",
    rules: rulesOf("SPOT", "ETHUSDT"),
    check: (rules) => checkQuantity(rules, dec("0.00015"), false),
    code: "LOT_SIZE",
    rule: "step_size",
  },
  // MARKET_LOT_SIZE
  {
    name: "FUT BTCUSDT market qty 121 is above MARKET_LOT_SIZE maxQty 120",
    rules: futBtc,
    check: (rules) => checkQuantity(rules, dec("121"), true),
    code: "MARKET_LOT_SIZE",
    rule: "max_qty",
  },
  {
    name: "FUT BTCUSDT limit qty 121 is within LOT_SIZE",
    rules: futBtc,
    check: (rules) => checkQuantity(rules, dec("121"), false),
    code: null,
  },
  {
    name: "SPOT BTCUSDT market qty 189 is above MARKET_LOT_SIZE maxQty",
    rules: spotBtc,
    check: (rules) => checkQuantity(rules, dec("189"), true),
    code: "MARKET_LOT_SIZE",
    rule: "max_qty",
  },
  {
    name: "SPOT BTCUSDT market qty 0.00001: the zero MARKET_LOT_SIZE min and step are disabled",
    rules: spotBtc,
    check: (rules) => checkQuantity(rules, dec("0.00001"), true),
    code: null,
  },
  {
    name: "LOT_SIZE is checked before MARKET_LOT_SIZE",
    rules: futBtc,
    check: (rules) => checkQuantity(rules, dec("120.0005"), true),
    code: "LOT_SIZE",
    rule: "step_size",
  },
  // PRICE_FILTER
  {
    name: "SPOT BTCUSDT price 97000.005 is off the 0.01 tick",
    rules: spotBtc,
    check: (rules) => checkPrice(rules, dec("97000.005")),
    code: "PRICE_FILTER",
    rule: "tick_size",
    field: "price",
  },
  {
    name: "SPOT BTCUSDT price 97000.01 passes",
    rules: spotBtc,
    check: (rules) => checkPrice(rules, dec("97000.01")),
    code: null,
  },
  {
    name: "FUT BTCUSDT price 97000.05 is off the 0.10 tick",
    rules: futBtc,
    check: (rules) => checkPrice(rules, dec("97000.05")),
    code: "PRICE_FILTER",
    rule: "tick_size",
  },
  {
    name: "FUT BTCUSDT stop price 556.7 is below minPrice",
    rules: futBtc,
    check: (rules) => checkPrice(rules, dec("556.7"), "stop_price"),
    code: "PRICE_FILTER",
    rule: "min_price",
    field: "stop_price",
  },
  {
    name: "SPOT BTCUSDT price 1000000.01 is above maxPrice",
    rules: spotBtc,
    check: (rules) => checkPrice(rules, dec("1000000.01")),
    code: "PRICE_FILTER",
    rule: "max_price",
  },
  {
    name: "a zero price is refused",
    rules: futBtc,
    check: (rules) => checkPrice(rules, zero),
    code: "PRICE_FILTER",
    rule: "positive",
  },
  // Notional: spot NOTIONAL and futures MIN_NOTIONAL
  {
    name: "SPOT BTCUSDT limit notional 4.85 is below 5",
    rules: spotBtc,
    check: (rules) => checkNotional(rules, dec("0.00005"), dec("97000"), false, false),
    code: "MIN_NOTIONAL",
    rule: "min_notional",
    field: "notional",
  },
  {
    name: "SPOT BTCUSDT market notional 4.85 is below 5 (applyMinToMarket)",
    rules: spotBtc,
    check: (rules) => checkNotional(rules, dec("0.00005"), dec("97000"), true, false),
    code: "MIN_NOTIONAL",
    rule: "min_notional",
  },
  {
    name: "SPOT BTCUSDT: reduce-only does not waive the spot minimum",
    rules: spotBtc,
    check: (rules) => checkNotional(rules, dec("0.00005"), dec("97000"), false, true),
    code: "MIN_NOTIONAL",
  },
  {
    name: "SPOT BTCUSDT notional exactly 5 passes",
    rules: spotBtc,
    check: (rules) => checkNotional(rules, dec("0.0001"), dec("50000"), false, false),
    code: null,
  },
  {
    name: "SPOT BTCUSDT limit notional 9700000 is above maxNotional",
    rules: spotBtc,
    check: (rules) => checkNotional(rules, dec("100"), dec("97000"), false, false),
    code: "NOTIONAL",
    rule: "max_notional",
  },
  {
    name: "SPOT BTCUSDT market notional 9700000: applyMaxToMarket is false",
    rules: spotBtc,
    check: (rules) => checkNotional(rules, dec("100"), dec("97000"), true, false),
    code: null,
  },
  {
    name: "FUT BTCUSDT limit notional 48.5 is below 50",
    rules: futBtc,
    check: (rules) => checkNotional(rules, dec("0.0005"), dec("97000"), false, false),
    code: "MIN_NOTIONAL",
    rule: "min_notional",
  },
  {
    name: "FUT BTCUSDT market notional 48.5 is below 50",
    rules: futBtc,
    check: (rules) => checkNotional(rules, dec("0.0005"), dec("97000"), true, false),
    code: "MIN_NOTIONAL",
  },
  {
    name: "FUT BTCUSDT reduce-only notional 48.5 is waived",
    rules: futBtc,
    check: (rules) => checkNotional(rules, dec("0.0005"), dec("97000"), false, true),
    code: null,
  },
  {
    name: "FUT BTCUSDT reduce-only market notional 48.5 is waived",
    rules: futBtc,
    check: (rules) => checkNotional(rules, dec("0.0005"), dec("97000"), true, true),
    code: null,
  },
  {
    name: "FUT BTCUSDT notional 97 passes",
    rules: futBtc,
    check: (rules) => checkNotional(rules, dec("0.001"), dec("97000"), false, false),
    code: null,
  },
  {
    name: "FUT BTCUSDT has no maximum notional",
    rules: futBtc,
    check: (rules) => checkNotional(rules, dec("1000"), dec("4529764"), false, false),
    code: null,
  },
  {
    name: "FUT ETHUSDT notional 19.99 is below 20",
    rules: futEth,
    check: (rules) => checkNotional(rules, dec("0.001"), dec("19990"), false, false),
    code: "MIN_NOTIONAL",
  },
  {
    name: "no notional rule, no notional check",
    rules: { ...futBtc, notional: null },
    check: (rules) => checkNotional(rules, dec("0.001"), dec("1"), false, false),
    code: null,
  },
];

describe("violations", () => {
  test.each(violationCases.map((entry) => [entry.name, entry] as const))("%s", (_, entry) => {
    const result = entry.check(entry.rules);
    if (entry.code === null) {
      expect(result).toBeNull();
      return;
    }
    expect(result?.code).toBe(entry.code as NonNullable<typeof result>["code"]);
    if (entry.rule !== undefined) expect(result?.rule).toBe(entry.rule);
    if (entry.field !== undefined) expect(result?.field).toBe(entry.field as "qty");
    expect(result?.message.length).toBeGreaterThan(0);
  });

  test("messages name the value and the filter bound in venue terms", () => {
    expect(checkQuantity(futBtc, dec("0.0015"), false)?.message).toBe(
      "qty 0.0015 is not a multiple of LOT_SIZE stepSize 0.001",
    );
    expect(checkPrice(spotBtc, dec("97000.005"))?.message).toBe(
      "price 97000.005 is not a multiple of tickSize 0.01",
    );
    expect(checkQuantity(futBtc, dec("121"), true)?.message).toBe(
      "qty 121 is above MARKET_LOT_SIZE maxQty 120",
    );
    expect(checkNotional(futBtc, dec("0.0005"), dec("97000"), false, false)?.message).toBe(
      "notional 48.5 (qty × price) is below the minimum 50",
    );
  });
});

/** Positive quantities from far below the smallest step to beyond every maxQty. */
const qtyArbitrary = fc.oneof(
  decimalArbitrary({ scaleMax: 10, integerDigitsMax: 1, positive: true }),
  decimalArbitrary({ scaleMax: 6, integerDigitsMax: 5, positive: true }),
);
const priceArbitrary = fc.oneof(
  decimalArbitrary({ scaleMax: 4, integerDigitsMax: 4, positive: true }),
  decimalArbitrary({ scaleMax: 6, integerDigitsMax: 8, positive: true }),
);
const rulesArbitrary = fc.constantFrom(...everyRules);

/** Bound checks written out independently of the code under test (zero disables a bound). */
function withinLot(qty: Decimal, min: Decimal, max: Decimal): boolean {
  return (!isPositive(min) || gte(qty, min)) && (!isPositive(max) || lte(qty, max));
}

describe("roundQuantity", () => {
  test("whatever it returns passes checkQuantity; null exactly when the rounded value cannot", () => {
    fc.assert(
      fc.property(
        rulesArbitrary,
        qtyArbitrary,
        roundingArbitrary,
        fc.boolean(),
        (rules, qty, rounding, isMarketOrder) => {
          const rounded = roundQuantity(rules, qty, rounding, isMarketOrder);
          const marketLot = isMarketOrder ? rules.marketLot : null;
          const marketStep = marketLot?.step ?? zero;
          const step = gt(marketStep, rules.lot.step) ? marketStep : rules.lot.step;
          const expected = roundToStep(qty, step, rounding);
          const tradable =
            isPositive(expected) &&
            withinLot(expected, rules.lot.min, rules.lot.max) &&
            (marketLot === null || withinLot(expected, marketLot.min, marketLot.max));
          if (!tradable) {
            expect(rounded).toBeNull();
            return;
          }
          expect(rounded).not.toBeNull();
          if (rounded === null) return;
          expect(checkQuantity(rules, rounded, isMarketOrder)).toBeNull();
          expect(checkQuantity(rules, rounded, false)).toBeNull();
          expect(isOnGrid(rounded, rules.lot.step)).toBe(true);
          if (rounding === "floor") expect(lte(rounded, qty)).toBe(true);
          if (rounding === "ceil") expect(gte(rounded, qty)).toBe(true);
          expect(lt(sub(rounded, qty), rules.lot.step)).toBe(true);
          expect(lt(sub(qty, rounded), rules.lot.step)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  test("by default it never grows the quantity beyond what was asked", () => {
    fc.assert(
      fc.property(rulesArbitrary, qtyArbitrary, fc.boolean(), (rules, qty, isMarketOrder) => {
        const rounded = roundQuantity(rules, qty, undefined, isMarketOrder);
        if (rounded !== null) expect(lte(rounded, qty)).toBe(true);
        const limitRounded = roundQuantity(rules, qty);
        if (limitRounded !== null) expect(lte(limitRounded, qty)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test.each<[string, SymbolRules, string, "floor" | "ceil", boolean, string | null]>([
    ["FUT BTCUSDT 0.0015 floors to 0.001", futBtc, "0.0015", "floor", false, "0.001"],
    ["FUT BTCUSDT 0.0015 ceils to 0.002", futBtc, "0.0015", "ceil", false, "0.002"],
    ["FUT BTCUSDT 0.0009 rounds to zero: null", futBtc, "0.0009", "floor", false, null],
    ["FUT BTCUSDT 0.0009 ceils to minQty", futBtc, "0.0009", "ceil", false, "0.001"],
    ["SPOT BTCUSDT 0.000009 rounds to zero: null", spotBtc, "0.000009", "floor", false, null],
    [
      "SPOT BTCUSDT 0.123456789 floors to 0.12345",
      spotBtc,
      "0.123456789",
      "floor",
      false,
      "0.12345",
    ],
    ["FUT BTCUSDT 1000.0004 floors to maxQty", futBtc, "1000.0004", "floor", false, "1000"],
    ["FUT BTCUSDT 1000.0004 ceils above maxQty: null", futBtc, "1000.0004", "ceil", false, null],
    ["FUT BTCUSDT market 120.0009 floors to 120", futBtc, "120.0009", "floor", true, "120"],
    ["FUT BTCUSDT market 150 is above MARKET_LOT_SIZE: null", futBtc, "150", "floor", true, null],
    ["FUT BTCUSDT limit 150 stays 150", futBtc, "150", "floor", false, "150"],
    [
      "SPOT BTCUSDT market 188.94 is above the market max: null",
      spotBtc,
      "188.94",
      "floor",
      true,
      null,
    ],
  ])("%s", (_, rules, qty, rounding, isMarketOrder, expected) => {
    const rounded = roundQuantity(rules, dec(qty), rounding, isMarketOrder);
    expect(rounded === null ? null : formatDecimal(rounded)).toBe(expected);
  });

  test("a coarser MARKET_LOT_SIZE step is honoured for market orders", () => {
    const rules: SymbolRules = {
      ...futBtc,
      marketLot: { min: dec("0.01"), max: dec("100"), step: dec("0.01") },
    };
    expect(formatDecimal(roundQuantity(rules, dec("0.019"), "floor", true) ?? zero)).toBe("0.01");
    expect(formatDecimal(roundQuantity(rules, dec("0.019"), "floor", false) ?? zero)).toBe("0.019");
    expect(roundQuantity(rules, dec("0.009"), "floor", true)).toBeNull();
    // One rounding onto 0.01, not 0.0149 → 0.015 → 0.02.
    expect(formatDecimal(roundQuantity(rules, dec("0.0149"), "half_up", true) ?? zero)).toBe(
      "0.01",
    );
  });
});

describe("roundPrice", () => {
  test("whatever it returns passes checkPrice, in the stated direction, within one tick", () => {
    fc.assert(
      fc.property(rulesArbitrary, priceArbitrary, roundingArbitrary, (rules, price, rounding) => {
        const rounded = roundPrice(rules, price, rounding);
        const expected = roundToStep(price, rules.price.tick, rounding);
        const { min, max } = rules.price;
        const inRange =
          isPositive(expected) &&
          (!isPositive(min) || gte(expected, min)) &&
          (!isPositive(max) || lte(expected, max));
        if (!inRange) {
          expect(rounded).toBeNull();
          return;
        }
        expect(rounded).not.toBeNull();
        if (rounded === null) return;
        expect(checkPrice(rules, rounded)).toBeNull();
        expect(checkPrice(rules, rounded, "stop_price")).toBeNull();
        if (rounding === "floor") expect(lte(rounded, price)).toBe(true);
        if (rounding === "ceil") expect(gte(rounded, price)).toBe(true);
        expect(lt(sub(rounded, price), rules.price.tick)).toBe(true);
        expect(lt(sub(price, rounded), rules.price.tick)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  test.each<[string, SymbolRules, string, "floor" | "ceil" | "half_up", string | null]>([
    ["SPOT BTCUSDT 97000.005 floors to 97000", spotBtc, "97000.005", "floor", "97000"],
    ["SPOT BTCUSDT 97000.005 ceils to 97000.01", spotBtc, "97000.005", "ceil", "97000.01"],
    ["SPOT BTCUSDT 97000.005 half_up is 97000.01", spotBtc, "97000.005", "half_up", "97000.01"],
    ["FUT BTCUSDT 97000.04 half_up is 97000", futBtc, "97000.04", "half_up", "97000"],
    ["FUT BTCUSDT 556.79 floors below minPrice: null", futBtc, "556.79", "floor", null],
    ["FUT BTCUSDT 556.79 ceils to minPrice", futBtc, "556.79", "ceil", "556.8"],
    ["SPOT BTCUSDT 0.004 floors to zero: null", spotBtc, "0.004", "floor", null],
    ["SPOT BTCUSDT 1000000.001 ceils above maxPrice: null", spotBtc, "1000000.001", "ceil", null],
    ["SPOT BTCUSDT 1000000.001 floors to maxPrice", spotBtc, "1000000.001", "floor", "1000000"],
  ])("%s", (_, rules, price, rounding, expected) => {
    const rounded = roundPrice(rules, dec(price), rounding);
    expect(rounded === null ? null : formatDecimal(rounded)).toBe(expected);
  });
});

describe("notional", () => {
  test("a limit order at or above the minimum passes; below it fails unless waived", () => {
    fc.assert(
      fc.property(
        rulesArbitrary,
        qtyArbitrary,
        priceArbitrary,
        fc.boolean(),
        (rules, qty, price, reduceOnly) => {
          const result = checkNotional(rules, qty, price, false, reduceOnly);
          const rule = rules.notional;
          if (rule === null) return;
          const notional = { units: qty.units * price.units, scale: qty.scale + price.scale };
          const waived = reduceOnly && rule.waivedForReduceOnly;
          const belowMin = !waived && isPositive(rule.min) && lt(notional, rule.min);
          const aboveMax = isPositive(rule.max) && gt(notional, rule.max);
          const expected = belowMin ? "MIN_NOTIONAL" : aboveMax ? "NOTIONAL" : null;
          expect(result?.code ?? null).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
