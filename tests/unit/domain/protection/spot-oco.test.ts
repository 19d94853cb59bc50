// Spot OCO: the protected quantity net of base-asset commission, and the two legs checked against
// the filters and Binance's price relationship (SELL: limit > last > stop).

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { dec, formatDecimal, fromSteps, isOnGrid, sub } from "../../../../domain/decimal/index.ts";
import { checkNotional, type SymbolRules } from "../../../../domain/instrument/index.ts";
import {
  type OcoLegsInput,
  ocoPricesRelated,
  protectedQuantity,
  spotOcoLegs,
} from "../../../../domain/protection/index.ts";
import { spotBtcRules } from "../execution/symbol-rules-fixture.ts";

describe("protectedQuantity", () => {
  const coarseRules: SymbolRules = {
    ...spotBtcRules,
    lot: { ...spotBtcRules.lot, min: dec("0.0001") },
  };
  const cases: [string, SymbolRules, string, [string, string][], Record<string, unknown>][] = [
    ["no commission", spotBtcRules, "0.001", [], { ok: true, qtySteps: 100n }],
    [
      "a BTC commission is taken off, then floored to step",
      spotBtcRules,
      "0.001",
      [["0.000001", "BTC"]],
      { ok: true, qtySteps: 99n },
    ],
    [
      "a BNB commission leaves the quantity whole",
      spotBtcRules,
      "0.001",
      [["0.0002", "BNB"]],
      { ok: true, qtySteps: 100n },
    ],
    [
      "several fills' commissions add up",
      spotBtcRules,
      "0.001",
      [
        ["0.0000005", "BTC"],
        ["0.0000005", "BTC"],
        ["0.01", "USDT"],
      ],
      { ok: true, qtySteps: 99n },
    ],
    [
      "nothing left after fees",
      spotBtcRules,
      "0.00001",
      [["0.00001", "BTC"]],
      { ok: false, code: "NOTHING_TO_PROTECT" },
    ],
    [
      "dust under minQty",
      coarseRules,
      "0.0001",
      [["0.0000001", "BTC"]],
      { ok: false, code: "BELOW_MIN_QTY" },
    ],
  ];
  for (const [name, rules, filled, commissions, expected] of cases) {
    test(name, () => {
      const paid = commissions.map(([amount, asset]) => ({ amount: dec(amount), asset }));
      expect(protectedQuantity(rules, dec(filled), paid)).toMatchObject(expected);
    });
  }

  test("property: never more than held, never a whole step less, always on the grid", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (filledSatoshi, feeSatoshi) => {
          const filled = { units: BigInt(filledSatoshi), scale: 8 };
          const fee = { units: BigInt(feeSatoshi), scale: 8 };
          const outcome = protectedQuantity(spotBtcRules, filled, [{ amount: fee, asset: "BTC" }]);
          const held = sub(filled, fee);
          const heldSteps = held.units <= 0n ? 0n : held.units / 1000n; // 1 step = 1000 satoshi
          if (!outcome.ok) {
            expect(heldSteps).toBe(0n);
            return;
          }
          expect(outcome.qtySteps).toBe(heldSteps);
          expect(isOnGrid(outcome.qty, spotBtcRules.lot.step)).toBe(true);
        },
      ),
    );
  });
});

describe("spotOcoLegs", () => {
  const base: OcoLegsInput = {
    rules: spotBtcRules,
    side: "SELL",
    qty: dec("0.001"),
    takeProfitPrice: dec("95000"),
    stopPrice: dec("85000"),
    stopLimitTicks: 10,
    lastPrice: dec("90000"),
  };

  test("a SELL OCO protecting a long: stop limit ten ticks below the stop", () => {
    const outcome = spotOcoLegs(base);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(formatDecimal(outcome.legs.stopLimitPrice)).toBe("84999.9");
    expect(formatDecimal(outcome.legs.takeProfitPrice)).toBe("95000");
  });

  test("a BUY OCO protecting a short mirrors it", () => {
    const outcome = spotOcoLegs({
      ...base,
      side: "BUY",
      takeProfitPrice: dec("85000"),
      stopPrice: dec("95000"),
    });
    expect(outcome.ok && formatDecimal(outcome.legs.stopLimitPrice)).toBe("95000.1");
  });

  const refusals: [string, Partial<OcoLegsInput>, string, string][] = [
    [
      "a target below the last price",
      { takeProfitPrice: dec("89000") },
      "OCO_PRICE_RELATIONSHIP",
      "tp_price",
    ],
    [
      "a stop above the last price",
      { stopPrice: dec("91000") },
      "OCO_PRICE_RELATIONSHIP",
      "tp_price",
    ],
    ["an off-tick target", { takeProfitPrice: dec("95000.005") }, "PRICE_FILTER", "tp_price"],
    ["an off-tick stop", { stopPrice: dec("85000.001") }, "PRICE_FILTER", "sl_price"],
    ["an off-step quantity", { qty: dec("0.000015") }, "LOT_SIZE", "qty"],
    [
      "a stop limit at or below zero",
      { stopPrice: dec("0.05"), stopLimitTicks: 5 },
      "STOP_LIMIT_PRICE_INVALID",
      "stop_limit_price",
    ],
    [
      "a stop leg worth less than 5 USDT",
      { qty: dec("0.00006"), stopPrice: dec("80000") },
      "MIN_NOTIONAL",
      "notional",
    ],
  ];
  for (const [name, overrides, code, field] of refusals) {
    test(`refuses ${name}`, () => {
      expect(spotOcoLegs({ ...base, ...overrides })).toMatchObject({ ok: false, code, field });
    });
  }

  test("property: accepted legs satisfy the venue's rules", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 100, max: 20_000_000 }),
        fc.integer({ min: 100, max: 20_000_000 }),
        fc.integer({ min: 100, max: 20_000_000 }),
        fc.integer({ min: 0, max: 50 }),
        fc.constantFrom("BUY" as const, "SELL" as const),
        (qtySteps, tpCents, lastCents, stopCents, ticks, side) => {
          const input: OcoLegsInput = {
            ...base,
            side,
            qty: fromSteps(BigInt(qtySteps), spotBtcRules.lot.step),
            takeProfitPrice: { units: BigInt(tpCents), scale: 2 },
            lastPrice: { units: BigInt(lastCents), scale: 2 },
            stopPrice: { units: BigInt(stopCents), scale: 2 },
            stopLimitTicks: ticks,
          };
          const outcome = spotOcoLegs(input);
          const related = ocoPricesRelated(
            side,
            input.takeProfitPrice,
            input.lastPrice,
            input.stopPrice,
          );
          if (!related) expect(outcome.ok).toBe(false);
          if (!outcome.ok) return;
          const { legs } = outcome;
          expect(related).toBe(true);
          const offset = sub(legs.stopPrice, legs.stopLimitPrice);
          expect(formatDecimal(offset)).toBe(
            formatDecimal({ units: BigInt(side === "SELL" ? ticks : -ticks), scale: 2 }),
          );
          for (const price of [legs.takeProfitPrice, legs.stopLimitPrice]) {
            expect(checkNotional(spotBtcRules, legs.qty, price, false, false)).toBeNull();
          }
        },
      ),
    );
  });
});
