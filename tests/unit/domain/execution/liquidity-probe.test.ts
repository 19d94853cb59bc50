// The liquidity probe: spread in bps, the bounded one-hour spread mean (checked against a brute-
// force mean), slippage by walking the book, and each decision with its reason and inputs.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { dec, formatDecimal } from "../../../../domain/decimal/index.ts";
import {
  emptySpreadWindow,
  estimateSlippage,
  type ProbeInput,
  type ProbeReason,
  probeLiquidity,
  recordSpread,
  spreadBps,
  spreadBucketCountMax,
  spreadBucketMs,
  spreadMean,
  spreadMeanSampleMin,
  type SpreadWindow,
} from "../../../../domain/execution/index.ts";

const level = (price: string, qty: string) => ({ price: dec(price), qty: dec(qty) });
const hourMs = 3_600_000;
const t0 = 1_700_000_000_000 - (1_700_000_000_000 % spreadBucketMs);

describe("spreadBps", () => {
  test("(ask − bid) / mid × 1e4", () => {
    expect(spreadBps(dec("100"), dec("100.1"))).toBeCloseTo((0.1 / 100.05) * 1e4, 6);
    expect(spreadBps(dec("100"), dec("100"))).toBe(0);
  });
  test("a crossed or empty book has no spread", () => {
    expect(spreadBps(dec("100.1"), dec("100"))).toBeNull();
    expect(spreadBps(dec("0"), dec("100"))).toBeNull();
  });
});

describe("rolling spread mean", () => {
  function fill(samples: [number, number][]): SpreadWindow {
    return samples.reduce((window, [at, bps]) => recordSpread(window, at, bps), emptySpreadWindow);
  }

  test("below the sample minimum the mean is not trusted", () => {
    const window = fill([[t0, 1]]);
    expect(spreadMean(window, t0)).toEqual({ meanBps: null, sampleCount: 1 });
  });

  test("the mean of the last hour; older samples fall out", () => {
    const old: [number, number][] = Array.from({ length: 20 }, (_, index) => [t0 + index, 100]);
    const recent: [number, number][] = Array.from({ length: 10 }, (_, index) => [
      t0 + hourMs + index * 1000,
      index,
    ]);
    const window = fill([...old, ...recent]);
    expect(spreadMean(window, t0 + hourMs + 10_000)).toEqual({ meanBps: 4.5, sampleCount: 10 });
  });

  test("memory stays bounded over a day of samples", () => {
    let window = emptySpreadWindow;
    for (let at = t0; at < t0 + 24 * hourMs; at += 7_000) window = recordSpread(window, at, 3);
    expect(window.buckets.length).toBeLessThanOrEqual(spreadBucketCountMax);
  });

  test("a late sample lands in its own bucket; one older than the window is dropped", () => {
    const base = fill(Array.from({ length: 10 }, (_, index) => [t0 + 5 * 60_000 + index, 2]));
    const late = recordSpread(base, t0 + 60_000, 13);
    expect(spreadMean(late, t0 + 5 * 60_000 + 10)).toEqual({ meanBps: 3, sampleCount: 11 });
    const ancient = recordSpread(base, t0 - 2 * hourMs, 1000);
    expect(ancient.buckets).toEqual(base.buckets);
  });

  test("property: the mean equals a brute-force mean over the samples inside the window", () => {
    const sample = fc.tuple(
      fc.integer({ min: 0, max: 3 * hourMs }),
      fc.integer({ min: 0, max: 500 }),
    );
    fc.assert(
      fc.property(
        fc.array(sample, { maxLength: 300 }),
        fc.integer({ min: 0, max: hourMs }),
        (raw, extra) => {
          const samples = [...raw].sort((a, b) => a[0] - b[0]).map(([at, bps]) => [t0 + at, bps]);
          const window = samples.reduce(
            (current, [at, bps]) => recordSpread(current, at!, bps!),
            emptySpreadWindow,
          );
          const last = samples[samples.length - 1]?.[0] ?? t0;
          const now = last + extra;
          const firstBucket =
            Math.floor(now / spreadBucketMs) * spreadBucketMs -
            (spreadBucketCountMax - 1) * spreadBucketMs;
          const inside = samples.filter(([at]) => at! >= firstBucket && at! <= now);
          const mean = spreadMean(window, now);
          expect(mean.sampleCount).toBe(inside.length);
          if (inside.length >= spreadMeanSampleMin) {
            const truth = inside.reduce((total, [, bps]) => total + bps!, 0) / inside.length;
            expect(mean.meanBps).toBeCloseTo(truth, 9);
          } else {
            expect(mean.meanBps).toBeNull();
          }
          expect(window.buckets.length).toBeLessThanOrEqual(spreadBucketCountMax);
        },
      ),
    );
  });
});

describe("estimateSlippage", () => {
  const asks = [level("100.1", "1"), level("100.3", "1"), level("100.8", "5")];
  const mid = dec("100.05");

  test("walks the levels to a VWAP and prices it against the mid", () => {
    const estimate = estimateSlippage("BUY", asks, dec("1.5"), mid);
    const vwap = (100.1 + 0.5 * 100.3) / 1.5;
    expect(estimate.bps).toBeCloseTo(((vwap - 100.05) / 100.05) * 1e4, 4);
    expect(estimate.depthExhausted).toBe(false);
  });

  test("beyond the visible depth the rest is priced at the last level and flagged", () => {
    const estimate = estimateSlippage("BUY", asks, dec("10"), mid);
    const vwap = (100.1 + 100.3 + 8 * 100.8) / 10;
    expect(estimate.bps).toBeCloseTo(((vwap - 100.05) / 100.05) * 1e4, 4);
    expect(estimate.depthExhausted).toBe(true);
  });

  test("a SELL walking the bids down is a positive cost", () => {
    const bids = [level("100", "1"), level("99.9", "1")];
    const estimate = estimateSlippage("SELL", bids, dec("2"), mid);
    expect(estimate.bps).toBeCloseTo(((100.05 - 99.95) / 100.05) * 1e4, 4);
  });

  test("no levels: no estimate", () => {
    expect(estimateSlippage("BUY", [], dec("1"), mid)).toMatchObject({
      bps: null,
      depthExhausted: true,
    });
  });
});

describe("probeLiquidity", () => {
  const base: ProbeInput = {
    side: "BUY",
    qtySteps: 500n, // 0.5 at a step of 0.001
    step: dec("0.001"),
    tick: dec("0.1"),
    minSliceSteps: 1n,
    sliceCountMax: 4,
    bid: dec("100"),
    ask: dec("100.1"),
    bids: [level("100", "1"), level("99.9", "1")],
    asks: [level("100.1", "1"), level("100.3", "1"), level("100.8", "5")],
    spreadMeanBps: 8,
    limits: { spreadLimitBps: 20, slippageLimitBps: 10, spreadDelayMs: 5000, spreadRetryMax: 2 },
    spreadDelaysSoFar: 0,
  };
  const probe = (overrides: Partial<ProbeInput>) => probeLiquidity({ ...base, ...overrides });

  const cases: [string, Partial<ProbeInput>, Record<string, unknown>, ProbeReason][] = [
    ["a calm book proceeds", {}, { action: "proceed" }, "within_limits"],
    [
      "a spread above the table's limit delays",
      { spreadMeanBps: null, limits: { ...base.limits, spreadLimitBps: 5 } },
      { action: "delay", delayMs: 5000 },
      "spread_above_limit",
    ],
    [
      "a spread above twice its hourly mean delays",
      { spreadMeanBps: 4 },
      { action: "delay", delayMs: 5000 },
      "spread_above_mean",
    ],
    [
      "a tight spread is never wide by the mean rule",
      {
        bid: dec("100000"),
        ask: dec("100000.1"),
        bids: [level("100000", "9")],
        asks: [level("100000.1", "9")],
        spreadMeanBps: 0.004,
      },
      { action: "proceed" },
      "within_limits",
    ],
    [
      "a wide spread after the last retry splits",
      { spreadMeanBps: 4, spreadDelaysSoFar: 2 },
      { action: "split", sliceCount: 2 },
      "spread_retries_exhausted",
    ],
    [
      "slippage above the limit splits as coarsely as the limit allows",
      { qtySteps: 3000n },
      { action: "split", sliceCount: 3 },
      "slippage_above_limit",
    ],
    [
      "slippage above the limit with no fine enough split goes limit at the cap",
      { qtySteps: 3000n, sliceCountMax: 2 },
      { action: "switch_to_limit" },
      "slippage_above_limit",
    ],
    [
      "an order too small to split goes limit",
      { qtySteps: 3000n, minSliceSteps: 2000n },
      { action: "switch_to_limit" },
      "slippage_above_limit",
    ],
    [
      "a crossed book delays",
      { bid: dec("100.2"), ask: dec("100.1") },
      { action: "delay" },
      "book_invalid",
    ],
    [
      "an empty book after the last retry proceeds, flagged",
      { asks: [], spreadDelaysSoFar: 2 },
      { action: "proceed" },
      "book_invalid_retries_exhausted",
    ],
  ];
  for (const [name, overrides, decision, reason] of cases) {
    test(name, () => {
      const result = probe(overrides);
      expect(result.decision).toMatchObject(decision);
      expect(result.reason).toBe(reason);
    });
  }

  test("the limit price is the slippage cap from the mid, on the tick grid", () => {
    // BUY: 100.05 × (1 + 10 / 1e4) = 100.15005 → 100.1; SELL: 100.05 × 0.999 = 99.94995 → 100.
    const buy = probe({ qtySteps: 3000n, sliceCountMax: 1 }).decision;
    const sell = probe({
      side: "SELL",
      qtySteps: 3000n,
      sliceCountMax: 1,
      bids: [level("100", "0.5"), level("99", "5")],
    }).decision;
    expect(buy.action === "switch_to_limit" && formatDecimal(buy.limitPrice)).toBe("100.1");
    expect(sell.action === "switch_to_limit" && formatDecimal(sell.limitPrice)).toBe("100");
  });

  test("the result carries every input the decision used", () => {
    const result = probe({ spreadMeanBps: 4 });
    expect(result.inputs).toEqual({
      spreadBps: expect.any(Number),
      spreadMeanBps: 4,
      spreadLimitBps: 20,
      slippageBps: expect.any(Number),
      slippageLimitBps: 10,
      depthExhausted: false,
      spreadDelaysSoFar: 0,
      spreadRetryMax: 2,
    });
  });

  test("property: delays are bounded by the retry maximum; a split's slices fit the limit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 0, max: 5 }),
        fc.option(fc.double({ min: 0, max: 50, noNaN: true }), { nil: null }),
        fc.integer({ min: 1, max: 8 }),
        (qtySteps, delaysSoFar, meanBps, sliceCountMax) => {
          const result = probe({
            qtySteps: BigInt(qtySteps),
            spreadDelaysSoFar: delaysSoFar,
            spreadMeanBps: meanBps,
            sliceCountMax,
          });
          if (result.decision.action === "delay") {
            expect(delaysSoFar).toBeLessThan(base.limits.spreadRetryMax);
          }
          if (result.decision.action === "split") {
            const count = result.decision.sliceCount;
            expect(count).toBeGreaterThanOrEqual(2);
            expect(count).toBeLessThanOrEqual(sliceCountMax);
            const sliceQty = dec(String((Math.floor(qtySteps / count) / 1000).toFixed(3)));
            const estimate = estimateSlippage("BUY", base.asks, sliceQty, dec("100.05"));
            expect(estimate.bps!).toBeLessThanOrEqual(base.limits.slippageLimitBps);
          }
        },
      ),
    );
  });
});
