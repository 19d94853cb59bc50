// Slippage sign convention (DESIGN §3.2): positive is a cost, negative an improvement, for both
// sides; and the quantity-weighted mean used for an order's slippage. (domain/execution/tca.ts
// is tested here because the fill and result code in domain/order is what consumes it.)

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Decimal, dec, zero } from "../../../../domain/decimal/index.ts";
import { quantityWeightedMean, slippageBps } from "../../../../domain/execution/tca.ts";

describe("slippageBps", () => {
  test.each<[string, "BUY" | "SELL", string, string, number]>([
    ["BUY above mid is a cost", "BUY", "100.5", "100", 50],
    ["BUY below mid is an improvement", "BUY", "99.5", "100", -50],
    ["SELL below mid is a cost", "SELL", "99.5", "100", 50],
    ["SELL above mid is an improvement", "SELL", "100.5", "100", -50],
    ["at mid is zero", "BUY", "100", "100", 0],
    ["one tick on BTCUSDT", "BUY", "97000.1", "97000", 0.010309],
    ["a third of a basis point", "SELL", "2.9999", "3", 0.333333],
  ])("%s", (_, side, price, mid, expected) => {
    expect(slippageBps(side, dec(price), dec(mid))).toBe(expected);
  });

  test("no mid, no slippage", () => {
    expect(slippageBps("BUY", dec("100"), zero)).toBeNull();
    expect(slippageBps("SELL", dec("100"), dec("-1"))).toBeNull();
  });

  test("a BUY and a SELL at the same price mirror each other, to the last digit", () => {
    const positive = (scaleMax: number) =>
      fc
        .record({
          units: fc.bigInt({ min: 1n, max: 10n ** 12n }),
          scale: fc.integer({ min: 0, max: scaleMax }),
        })
        .map(({ units, scale }): Decimal => ({ units, scale }));
    fc.assert(
      fc.property(positive(8), positive(8), (price, mid) => {
        const buy = slippageBps("BUY", price, mid) ?? Number.NaN;
        const sell = slippageBps("SELL", price, mid) ?? Number.NaN;
        expect(buy + sell).toBe(0);
        const difference =
          price.units * 10n ** BigInt(mid.scale) - mid.units * 10n ** BigInt(price.scale);
        // A BUY above mid costs (≥ 0 once rounded to 1e-6 bps), below mid it improves.
        if (difference > 0n) expect(buy).toBeGreaterThanOrEqual(0);
        if (difference < 0n) expect(buy).toBeLessThanOrEqual(0);
        if (difference === 0n) expect(buy === 0).toBe(true);
      }),
    );
  });

  test("a tie at the sixth decimal rounds away from zero on both sides", () => {
    // (2 + 1e-10 − 2) / 2 × 1e4 = 0.0000005 bps exactly.
    expect(slippageBps("BUY", dec("2.0000000001"), dec("2"))).toBe(0.000001);
    expect(slippageBps("SELL", dec("2.0000000001"), dec("2"))).toBe(-0.000001);
  });
});

describe("quantityWeightedMean", () => {
  test("weights by quantity, not by count", () => {
    const mean = quantityWeightedMean([
      { qty: dec("1"), value: 10 },
      { qty: dec("3"), value: 20 },
    ]);
    expect(mean).toBe(17.5);
  });

  test("a single sample is itself; nothing weighted is null", () => {
    expect(quantityWeightedMean([{ qty: dec("0.001"), value: -3.25 }])).toBe(-3.25);
    expect(quantityWeightedMean([])).toBeNull();
    expect(quantityWeightedMean([{ qty: zero, value: 5 }])).toBeNull();
  });

  test("lies between the smallest and largest value", () => {
    const sample = fc.record({
      qty: fc
        .integer({ min: 1, max: 1_000_000 })
        .map((units): Decimal => ({ units: BigInt(units), scale: 3 })),
      value: fc.double({ min: -500, max: 500, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 20 }), (samples) => {
        const mean = quantityWeightedMean(samples) ?? Number.NaN;
        const values = samples.map((entry) => entry.value);
        expect(mean).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
        expect(mean).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
      }),
    );
  });
});
