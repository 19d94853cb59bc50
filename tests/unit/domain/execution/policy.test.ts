// Policy resolution: what runs for each shape of exec_policy (or none), with its reason code, and
// the TWAP slice count ⌈N / s⌉ capped by the maximum.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { dec, fromInteger, gt, lte, mul } from "../../../../domain/decimal/index.ts";
import {
  type PolicyInput,
  type PolicyRequest,
  type RouteRow,
  resolvePolicy,
  twapSliceCount,
} from "../../../../domain/execution/index.ts";

const row: RouteRow = {
  market: "*",
  symbol: "*",
  makerWaitCurve: [
    { notional: dec("0"), waitMs: 500 },
    { notional: dec("10000"), waitMs: 2500 },
  ],
  makerFillRatioMin: dec("0.5"),
  twapSliceNotional: dec("5000"),
  twapAboveNotional: dec("20000"),
  spreadLimitBps: 10,
  slippageLimitBps: 20,
  makerFallback: "MARKET",
  spreadDelayMs: 5000,
  spreadRetryMax: 2,
};

function input(request: PolicyRequest, notional = "1000", overrides: Partial<PolicyInput> = {}) {
  return {
    market: "FUT" as const,
    notional: dec(notional),
    request,
    row,
    makerWaitCapMs: 3000,
    twapSlicesMax: 4,
    ...overrides,
  };
}

describe("resolvePolicy", () => {
  const cases: [string, PolicyInput, Record<string, unknown>][] = [
    [
      "no exec_policy, small notional: maker→taker on the route curve",
      input({}),
      {
        type: "MAKER_THEN_TAKER",
        reason: "route_default",
        makerWaitMs: 700,
        makerWaitReason: "route_curve",
      },
    ],
    [
      "no exec_policy, notional at the threshold is not above it",
      input({}, "20000"),
      { type: "MAKER_THEN_TAKER", reason: "route_default", makerWaitMs: 2500 },
    ],
    [
      "no exec_policy, notional above the threshold: TWAP, ⌈30000/5000⌉ = 6 capped at 4",
      input({}, "30000"),
      {
        type: "TWAP",
        reason: "notional_above_twap_threshold",
        sliceCount: 4,
        sliceCountReason: "notional_per_slice",
        sliceCountCapped: true,
        slicePolicy: "MARKET",
        makerWaitMs: null,
      },
    ],
    [
      "no TWAP threshold: large orders stay maker→taker",
      input({}, "1000000", { row: { ...row, twapAboveNotional: null } }),
      { type: "MAKER_THEN_TAKER", reason: "route_default" },
    ],
    ["type MARKET", input({ type: "MARKET" }, "30000"), { type: "MARKET", reason: "requested" }],
    [
      "order_type alias",
      input({ orderType: "LIMIT", limitPrice: true }),
      { type: "LIMIT", reason: "order_type_alias" },
    ],
    [
      "type and alias agreeing",
      input({ type: "MARKET", orderType: "MARKET" }),
      { type: "MARKET", reason: "requested" },
    ],
    [
      "a price alone means LIMIT",
      input({ limitPrice: true }),
      { type: "LIMIT", reason: "limit_price_given" },
    ],
    [
      "maker_wait_ms alone means maker→taker, capped by S4_MAKER_MAX_WAIT_MS",
      input({ makerWaitMs: 5000 }),
      {
        type: "MAKER_THEN_TAKER",
        reason: "maker_wait_requested",
        makerWaitMs: 3000,
        makerWaitReason: "requested",
      },
    ],
    [
      "twap with slices and maker_wait_ms: maker→taker slices (the seed's FUT example)",
      input({ twap: true, twapSlices: 2, makerWaitMs: 2000 }),
      {
        type: "TWAP",
        reason: "twap_requested",
        sliceCount: 2,
        sliceCountReason: "requested",
        sliceCountCapped: false,
        slicePolicy: "MAKER_THEN_TAKER",
        makerWaitMs: 2000,
      },
    ],
    [
      "twap slices above the maximum are capped",
      input({ type: "TWAP", twapSlices: 9 }),
      { type: "TWAP", sliceCount: 4, sliceCountCapped: true, reason: "requested" },
    ],
    [
      "spot tp_price and sl_price alone mean OCO",
      input({ ocoPrices: true }, "1000", { market: "SPOT" }),
      { type: "OCO", reason: "oco_prices_given" },
    ],
  ];
  for (const [name, given, expected] of cases) {
    test(name, () => {
      const resolution = resolvePolicy(given);
      expect(resolution.ok).toBe(true);
      if (resolution.ok) expect(resolution.policy).toMatchObject(expected);
    });
  }

  const refusals: [string, PolicyInput, string][] = [
    [
      "type and alias disagreeing",
      input({ type: "MARKET", orderType: "LIMIT", limitPrice: true }),
      "POLICY_CONFLICT",
    ],
    ["LIMIT without a price", input({ type: "LIMIT" }), "LIMIT_PRICE_REQUIRED"],
    ["OCO on futures", input({ type: "OCO" }), "OCO_SPOT_ONLY"],
  ];
  for (const [name, given, code] of refusals) {
    test(`refuses ${name}`, () => {
      expect(resolvePolicy(given)).toMatchObject({ ok: false, code });
    });
  }
});

describe("twapSliceCount", () => {
  test("property: n = ⌈N / s⌉ within [1, max], capped flagged", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 100 }),
        (notionalUnits, sliceUnits, slicesMax) => {
          const notional = { units: BigInt(notionalUnits), scale: 2 };
          const sliceNotional = { units: BigInt(sliceUnits), scale: 2 };
          const count = twapSliceCount({ notional, sliceNotional, slicesMax });
          expect(count.sliceCount).toBeGreaterThanOrEqual(1);
          expect(count.sliceCount).toBeLessThanOrEqual(slicesMax);
          if (count.capped) {
            // More than slicesMax slices of s would be needed.
            expect(gt(notional, mul(sliceNotional, fromInteger(slicesMax)))).toBe(true);
          } else {
            const n = count.sliceCount;
            expect(lte(notional, mul(sliceNotional, fromInteger(n)))).toBe(true);
            if (n > 1) expect(gt(notional, mul(sliceNotional, fromInteger(n - 1)))).toBe(true);
          }
        },
      ),
    );
  });

  test("a requested count wins over the derived one", () => {
    const count = twapSliceCount({
      notional: dec("100"),
      sliceNotional: dec("10"),
      requestedSlices: 3,
      slicesMax: 4,
    });
    expect(count).toEqual({ sliceCount: 3, reason: "requested", capped: false });
  });
});
