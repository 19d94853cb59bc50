// minimumTradableSteps: the smallest quantity that passes the lot and notional filters, checked
// against the instrument's own filter checks (the minimum passes, one step less fails).

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { dec, fromSteps } from "../../../../domain/decimal/index.ts";
import { minimumTradableSteps } from "../../../../domain/execution/index.ts";
import {
  checkNotional,
  checkQuantity,
  type SymbolRules,
} from "../../../../domain/instrument/index.ts";
import { futBtcRules, futEthRules, spotBtcRules } from "./symbol-rules-fixture.ts";

describe("minimumTradableSteps", () => {
  const cases: [string, SymbolRules, string, boolean, boolean, bigint][] = [
    ["futures BTC at 90000: minQty binds", futBtcRules, "90000", true, false, 1n],
    ["futures BTC at 20000: 50 / 20 → 3 steps", futBtcRules, "20000", true, false, 3n],
    ["futures BTC reduce-only waives the notional", futBtcRules, "20000", true, true, 1n],
    ["spot BTC at 90000: 5 / 0.9 → 6 steps", spotBtcRules, "90000", true, false, 6n],
    ["spot BTC limit at 100000: exactly 5", spotBtcRules, "100000", false, false, 5n],
    ["futures ETH at 3000: 20 / 3 → 7 steps", futEthRules, "3000", false, false, 7n],
  ];
  for (const [name, rules, price, isMarketOrder, reduceOnly, expected] of cases) {
    test(name, () => {
      const context = { referencePrice: dec(price), isMarketOrder, reduceOnly };
      expect(minimumTradableSteps(rules, context)).toBe(expected);
    });
  }

  test("property: the minimum passes the filters and one step less does not", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(spotBtcRules, futBtcRules, futEthRules),
        fc.integer({ min: 1_000, max: 20_000_000 }),
        fc.boolean(),
        fc.boolean(),
        (rules, priceCents, isMarketOrder, reduceOnly) => {
          const referencePrice = { units: BigInt(priceCents), scale: 2 };
          const context = { referencePrice, isMarketOrder, reduceOnly };
          const steps = minimumTradableSteps(rules, context);
          const passes = (count: bigint) => {
            const qty = fromSteps(count, rules.lot.step);
            return (
              checkQuantity(rules, qty, isMarketOrder) === null &&
              checkNotional(rules, qty, referencePrice, isMarketOrder, reduceOnly) === null
            );
          };
          expect(passes(steps)).toBe(true);
          if (steps > 1n) expect(passes(steps - 1n)).toBe(false);
        },
      ),
    );
  });
});
