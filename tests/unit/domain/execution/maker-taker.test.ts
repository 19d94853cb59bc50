// Maker→taker math: passive and through-the-touch prices on the tick grid, the exact φ < θ test,
// the taker remainder and its filter checks, and the early liquidity judgement.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  add,
  countSteps,
  type Decimal,
  dec,
  formatDecimal,
  fromSteps,
  isOnGrid,
  lte,
} from "../../../../domain/decimal/index.ts";
import {
  afterPostOnlyReject,
  fillRatio,
  fillRatioBelow,
  judgeMakerLiquidity,
  makerPrice,
  takerRemainder,
  throughTouchPrice,
} from "../../../../domain/execution/index.ts";
import { checkNotional, checkQuantity } from "../../../../domain/instrument/index.ts";
import type { Side } from "../../../../domain/order/index.ts";
import { futBtcRules, spotBtcRules } from "./symbol-rules-fixture.ts";

const tick = dec("0.1");
const shown = (price: Decimal | null) => (price === null ? null : formatDecimal(price));

describe("makerPrice", () => {
  const cases: [string, Side, string, string, string | null][] = [
    ["BUY rests at the bid", "BUY", "100", "100.5", "100"],
    ["SELL rests at the ask", "SELL", "100", "100.5", "100.5"],
    ["BUY on a one-tick book", "BUY", "100", "100.1", "100"],
    ["BUY on a locked book steps back a tick", "BUY", "100", "100", "99.9"],
    ["SELL on a locked book steps back a tick", "SELL", "100", "100", "100.1"],
    ["BUY on a stale crossed book stays below the ask", "BUY", "101", "100", "99.9"],
    ["SELL on a stale crossed book stays above the bid", "SELL", "101", "100", "101.1"],
    ["no positive passive price", "BUY", "0.1", "0.1", null],
  ];
  for (const [name, side, bid, ask, expected] of cases) {
    test(name, () => {
      expect(shown(makerPrice(side, { bid: dec(bid), ask: dec(ask) }, tick))).toBe(expected);
    });
  }

  test("property: the passive price is on the grid and can never take", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Side>("BUY", "SELL"),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: -50, max: 50 }),
        (side, bidTicks, spreadTicks) => {
          const bid = { units: BigInt(bidTicks), scale: 1 };
          const ask = { units: BigInt(bidTicks + spreadTicks), scale: 1 };
          if (ask.units <= 0n) return;
          const price = makerPrice(side, { bid, ask }, tick);
          if (price === null) return;
          expect(isOnGrid(price, tick)).toBe(true);
          // A BUY below the ask, a SELL above the bid: post-only cannot be rejected on this book.
          if (side === "BUY") expect(lte(price, add(ask, dec("-0.1")))).toBe(true);
          else expect(lte(add(bid, tick), price)).toBe(true);
        },
      ),
    );
  });
});

describe("post-only rejection", () => {
  test("re-prices once, then falls back", () => {
    expect(afterPostOnlyReject(1)).toBe("REPRICE");
    expect(afterPostOnlyReject(2)).toBe("FALL_BACK");
  });
});

describe("throughTouchPrice", () => {
  const cases: [string, Side, string, string, string | null][] = [
    ["BUY one tick above the ask", "BUY", "100", "100.5", "100.6"],
    ["SELL one tick below the bid", "SELL", "100", "100.5", "99.9"],
    ["SELL with the bid at one tick has no price", "SELL", "0.1", "0.2", null],
  ];
  for (const [name, side, bid, ask, expected] of cases) {
    test(name, () => {
      expect(shown(throughTouchPrice(side, { bid: dec(bid), ask: dec(ask) }, tick))).toBe(expected);
    });
  }
});

describe("fill ratio", () => {
  const cases: [bigint, bigint, string, boolean][] = [
    [4n, 10n, "0.5", true],
    [5n, 10n, "0.5", false],
    [3n, 10n, "0.3", false],
    [0n, 10n, "0", false],
    [1n, 3n, "0.333333333333333333", false],
    [0n, 7n, "0.1", true],
  ];
  for (const [filled, qty, theta, below] of cases) {
    test(`${filled}/${qty} below ${theta}: ${below}`, () => {
      expect(fillRatioBelow(filled, qty, dec(theta))).toBe(below);
    });
  }

  test("φ as a statistic", () => expect(fillRatio(3n, 12n)).toBe(0.25));
});

describe("takerRemainder", () => {
  const cases: [string, Parameters<typeof takerRemainder>[0], Record<string, unknown>][] = [
    [
      "futures remainder in whole steps",
      {
        rules: futBtcRules,
        qty: dec("0.01"),
        filledQty: dec("0.004"),
        fallback: "MARKET",
        price: dec("90000"),
        reduceOnly: false,
      },
      { ok: true, qtySteps: 6n },
    ],
    [
      "everything filled",
      {
        rules: futBtcRules,
        qty: dec("0.01"),
        filledQty: dec("0.01"),
        fallback: "MARKET",
        price: dec("90000"),
        reduceOnly: false,
      },
      { ok: false, code: "NOTHING_LEFT", qtySteps: 0n },
    ],
    [
      "a remainder below the futures notional minimum",
      {
        rules: futBtcRules,
        qty: dec("0.01"),
        filledQty: dec("0.009"),
        fallback: "MARKET",
        price: dec("20000"),
        reduceOnly: false,
      },
      {
        ok: false,
        code: "REMAINDER_BELOW_MINIMUM",
        qtySteps: 1n,
        violation: expect.objectContaining({ code: "MIN_NOTIONAL" }),
      },
    ],
    [
      "reduce-only waives the futures notional minimum",
      {
        rules: futBtcRules,
        qty: dec("0.01"),
        filledQty: dec("0.009"),
        fallback: "MARKET",
        price: dec("20000"),
        reduceOnly: true,
      },
      { ok: true, qtySteps: 1n },
    ],
    [
      "a spot remainder worth less than 5 USDT",
      {
        rules: spotBtcRules,
        qty: dec("0.001"),
        filledQty: dec("0.00095"),
        fallback: "LIMIT",
        price: dec("90000"),
        reduceOnly: false,
      },
      { ok: false, code: "REMAINDER_BELOW_MINIMUM", qtySteps: 5n },
    ],
    [
      "an off-grid fill leaves the remainder rounded down",
      {
        rules: futBtcRules,
        qty: dec("0.01"),
        filledQty: dec("0.0035"),
        fallback: "MARKET",
        price: dec("90000"),
        reduceOnly: false,
      },
      { ok: true, qtySteps: 6n },
    ],
  ];
  for (const [name, given, expected] of cases) {
    test(name, () => expect(takerRemainder(given)).toMatchObject(expected));
  }

  test("property: remainder = Q − filled in steps, ok exactly when the filters pass", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 100_000, max: 20_000_000 }),
        fc.boolean(),
        fc.constantFrom("MARKET" as const, "LIMIT" as const),
        (qtySteps, filledSteps, priceTenths, reduceOnly, fallback) => {
          const rules = futBtcRules;
          const filled = Math.min(filledSteps, qtySteps);
          const qty = fromSteps(BigInt(qtySteps), rules.lot.step);
          const filledQty = fromSteps(BigInt(filled), rules.lot.step);
          const price = { units: BigInt(priceTenths), scale: 1 };
          const outcome = takerRemainder({ rules, qty, filledQty, fallback, price, reduceOnly });
          expect(outcome.qtySteps).toBe(BigInt(qtySteps - filled));
          expect(countSteps(add(outcome.qty, filledQty), rules.lot.step, "floor")).toBe(
            BigInt(qtySteps),
          );
          const isMarket = fallback === "MARKET";
          const valid =
            outcome.qtySteps > 0n &&
            checkQuantity(rules, outcome.qty, isMarket) === null &&
            checkNotional(rules, outcome.qty, price, isMarket, reduceOnly) === null;
          expect(outcome.ok).toBe(valid);
        },
      ),
    );
  });
});

describe("judgeMakerLiquidity", () => {
  const level = (price: string, qty: string) => ({ price: dec(price), qty: dec(qty) });
  const bids = [level("100", "0.3"), level("99.9", "5")];
  const asks = [level("100.1", "0.4"), level("100.2", "5")];
  const cases: [string, Side, string, string, boolean][] = [
    ["BUY: sellers at the top show less than θ of our size", "BUY", "1", "0.5", true],
    ["BUY: sellers show exactly θ of our size", "BUY", "0.8", "0.5", false],
    ["SELL looks at the bids", "SELL", "0.5", "0.5", false],
    ["SELL: buyers at the top show too little", "SELL", "1", "0.5", true],
    ["nothing left to fill", "BUY", "0", "0.5", false],
  ];
  for (const [name, side, remaining, theta, insufficient] of cases) {
    test(name, () => {
      const judged = judgeMakerLiquidity({
        side,
        bids,
        asks,
        remainingQty: dec(remaining),
        ratioMin: dec(theta),
      });
      expect(judged.insufficient).toBe(insufficient);
    });
  }

  test("an empty counter side is insufficient", () => {
    const judged = judgeMakerLiquidity({
      side: "BUY",
      bids,
      asks: [],
      remainingQty: dec("0.1"),
      ratioMin: dec("0.5"),
    });
    expect(judged).toMatchObject({ insufficient: true, counterDepth: { units: 0n } });
  });
});
