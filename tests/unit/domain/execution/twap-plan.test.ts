// TWAP plans: exact slice quantities (uniform and √i), merging of slices below the symbol minimum,
// and jittered due times that stay in bounds and strictly increasing.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  integerSqrt,
  planTwap,
  sliceQuantities,
  type TwapPlanInput,
  twapSliceCountMax,
} from "../../../../domain/execution/index.ts";

const startMs = 1_700_000_000_000;

function plan(overrides: Partial<TwapPlanInput>) {
  return planTwap({
    qtySteps: 10n,
    sliceCount: 4,
    curve: "uniform",
    gapMs: 1000,
    jitterMs: 0,
    startMs,
    jitterDraws: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    minSliceSteps: 1n,
    ...overrides,
  });
}

describe("slice quantities", () => {
  const cases: [string, bigint, number, "uniform" | "sqrt", bigint[]][] = [
    ["uniform, remainder on the last", 10n, 4, "uniform", [2n, 2n, 2n, 4n]],
    ["uniform, exact", 12n, 4, "uniform", [3n, 3n, 3n, 3n]],
    ["uniform, fewer steps than slices", 2n, 4, "uniform", [0n, 0n, 0n, 2n]],
    ["√i weights normalised to Q", 100n, 4, "sqrt", [16n, 23n, 28n, 33n]],
    ["one slice", 7n, 1, "sqrt", [7n]],
  ];
  for (const [name, qty, count, curve, expected] of cases) {
    test(name, () => expect(sliceQuantities(qty, count, curve)).toEqual(expected));
  }

  test("integerSqrt is the floor square root", () => {
    for (const [value, root] of [
      [0n, 0n],
      [1n, 1n],
      [3n, 1n],
      [4n, 2n],
      [2_000_000_000_000n, 1_414_213n],
      [10n ** 40n, 10n ** 20n],
    ] as const) {
      expect(integerSqrt(value)).toBe(root);
    }
  });
});

describe("planTwap", () => {
  test("nominal due times without jitter", () => {
    expect(plan({}).slices).toEqual([
      { index: 0, qtySteps: 2n, dueMs: startMs },
      { index: 1, qtySteps: 2n, dueMs: startMs + 1000 },
      { index: 2, qtySteps: 2n, dueMs: startMs + 2000 },
      { index: 3, qtySteps: 4n, dueMs: startMs + 3000 },
    ]);
  });

  test("a slice below the minimum is carried into the next slot, never dropped", () => {
    const result = plan({ minSliceSteps: 3n });
    expect(result.slices).toEqual([
      { index: 0, qtySteps: 4n, dueMs: startMs + 1000 },
      { index: 1, qtySteps: 6n, dueMs: startMs + 3000 },
    ]);
    expect(result.mergedCount).toBe(2);
  });

  test("a short last slice folds back into the previous emitted slice", () => {
    // Uniform 10 over 4 with minimum 5: [2, 2, 2, 4] → 6 at slot 2, then 4 < 5 joins it.
    expect(plan({ minSliceSteps: 5n }).slices).toEqual([
      { index: 0, qtySteps: 10n, dueMs: startMs + 2000 },
    ]);
  });

  test("√i plans merge their small early slices forward", () => {
    // √i over 4 slices of 20 steps: [3, 4, 5, 8]; minimum 8 → 3+4+5 = 12 at slot 2, then 8.
    expect(plan({ qtySteps: 20n, curve: "sqrt", minSliceSteps: 8n }).slices).toEqual([
      { index: 0, qtySteps: 12n, dueMs: startMs + 2000 },
      { index: 1, qtySteps: 8n, dueMs: startMs + 3000 },
    ]);
    // Uniform 30 over 4 with minimum 9: [7, 7, 7, 9] → 14 at slot 1, then 7+9 = 16 at slot 3.
    expect(
      plan({ qtySteps: 30n, minSliceSteps: 9n }).slices.map((slice) => slice.qtySteps),
    ).toEqual([14n, 16n]);
  });

  test("an order below the minimum stays one slice (the caller's filter check refuses it)", () => {
    expect(plan({ qtySteps: 2n, sliceCount: 3, minSliceSteps: 5n }).slices).toEqual([
      { index: 0, qtySteps: 2n, dueMs: startMs + 2000 },
    ]);
  });

  test("jitter moves each due time by U(−ε, ε), clamped to the start", () => {
    const result = plan({ jitterMs: 100, jitterDraws: [0, 0.5, 0.999, 0.25] });
    expect(result.jitterMsApplied).toBe(100);
    expect(result.slices.map((slice) => slice.dueMs - startMs)).toEqual([0, 1000, 2100, 2950]);
  });

  test("jitter is capped below half the gap so order holds", () => {
    const result = plan({ gapMs: 100, jitterMs: 1000, jitterDraws: [0.999, 0, 0.999, 0] });
    expect(result.jitterMsApplied).toBe(49);
    expect(result.slices.map((slice) => slice.dueMs - startMs)).toEqual([49, 51, 249, 251]);
  });

  test("a zero gap still gives strictly increasing due times", () => {
    const result = plan({ gapMs: 0, jitterMs: 50 });
    expect(result.slices.map((slice) => slice.dueMs - startMs)).toEqual([0, 1, 2, 3]);
  });

  const broken: [string, Partial<TwapPlanInput>][] = [
    ["zero quantity", { qtySteps: 0n }],
    ["zero slices", { sliceCount: 0 }],
    ["too many slices", { sliceCount: twapSliceCountMax + 1 }],
    ["too few draws", { jitterDraws: [0.1] }],
    ["a draw of 1", { jitterDraws: [0.1, 1, 0.1, 0.1] }],
    ["a NaN draw", { jitterDraws: [0.1, Number.NaN, 0.1, 0.1] }],
    ["a negative gap", { gapMs: -1 }],
    ["a zero minimum", { minSliceSteps: 0n }],
  ];
  for (const [name, overrides] of broken) {
    test(`${name} is a broken precondition`, () => expect(() => plan(overrides)).toThrow());
  }
});

const planInput: fc.Arbitrary<TwapPlanInput> = fc.record({
  qtySteps: fc.bigInt({ min: 1n, max: 10n ** 15n }),
  sliceCount: fc.integer({ min: 1, max: twapSliceCountMax }),
  curve: fc.constantFrom("uniform" as const, "sqrt" as const),
  gapMs: fc.integer({ min: 0, max: 600_000 }),
  jitterMs: fc.integer({ min: 0, max: 600_000 }),
  startMs: fc.integer({ min: 0, max: 2 ** 42 }),
  jitterDraws: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
    minLength: twapSliceCountMax,
    maxLength: twapSliceCountMax,
  }),
  minSliceSteps: fc.oneof(
    fc.bigInt({ min: 1n, max: 1_000n }),
    fc.bigInt({ min: 1n, max: 10n ** 15n }),
  ),
});

describe("planTwap properties", () => {
  test("slices sum exactly to Q, count ≤ cap, each ≥ minimum when Q ≥ minimum", () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const { slices, mergedCount } = planTwap(input);
        const total = slices.reduce((sum, slice) => sum + slice.qtySteps, 0n);
        expect(total).toBe(input.qtySteps);
        expect(slices.length).toBeGreaterThanOrEqual(1);
        expect(slices.length).toBeLessThanOrEqual(input.sliceCount);
        expect(slices.length + mergedCount).toBe(input.sliceCount);
        expect(slices.map((slice) => slice.index)).toEqual(slices.map((_, index) => index));
        if (input.qtySteps >= input.minSliceSteps) {
          for (const slice of slices) expect(slice.qtySteps >= input.minSliceSteps).toBe(true);
        } else {
          expect(slices.length).toBe(1);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("due times never precede the start and strictly increase", () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const { slices } = planTwap(input);
        let previous = input.startMs - 1;
        for (const slice of slices) {
          expect(slice.dueMs).toBeGreaterThan(previous);
          expect(Number.isInteger(slice.dueMs)).toBe(true);
          previous = slice.dueMs;
        }
      }),
      { numRuns: 500 },
    );
  });

  test("with every slot kept, each due time is within ε of t0 + i·Δt", () => {
    fc.assert(
      fc.property(
        planInput.filter((input) => input.gapMs >= 1 && input.qtySteps >= BigInt(input.sliceCount)),
        (input) => {
          // Uniform slices of at least one step each: no merging, so slot i is slice i.
          const kept = { ...input, curve: "uniform" as const, minSliceSteps: 1n };
          const { slices, jitterMsApplied } = planTwap(kept);
          expect(slices.length).toBe(kept.sliceCount);
          expect(jitterMsApplied).toBeLessThanOrEqual(kept.jitterMs);
          expect(2 * jitterMsApplied).toBeLessThan(kept.gapMs);
          slices.forEach((slice, index) => {
            const nominal = kept.startMs + index * kept.gapMs;
            expect(Math.abs(slice.dueMs - nominal)).toBeLessThanOrEqual(jitterMsApplied);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test("√i quantities never shrink from one slice to the next", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.integer({ min: 1, max: twapSliceCountMax }),
        (qty, count) => {
          const quantities = sliceQuantities(qty, count, "sqrt");
          for (let index = 1; index < quantities.length; index += 1) {
            expect(quantities[index]! >= quantities[index - 1]!).toBe(true);
          }
        },
      ),
    );
  });
});
