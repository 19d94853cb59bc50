// fast-check generators and exact-truth helpers for decimal tests: a Decimal is compared with the
// rational units / 10^scale using plain bigint arithmetic, never with the code under test.

import fc from "fast-check";
import type { Decimal } from "../../../../domain/decimal/index.ts";

export function tenTo(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

/** A decimal whose units and scale are bounded; `integerDigitsMax` bounds the integer part. */
export function decimalArbitrary(
  options: { scaleMax?: number; integerDigitsMax?: number; positive?: boolean } = {},
): fc.Arbitrary<Decimal> {
  const scaleMax = options.scaleMax ?? 18;
  const integerDigitsMax = options.integerDigitsMax ?? 20;
  return fc.integer({ min: 0, max: scaleMax }).chain((scale) => {
    const bound = tenTo(integerDigitsMax + scale) - 1n;
    const min = options.positive === true ? 1n : -bound;
    return fc.bigInt({ min, max: bound }).map((units) => ({ units, scale }));
  });
}

/** A positive grid step such as 0.001, 0.10, 5 or 0.00001000. */
export const stepArbitrary: fc.Arbitrary<Decimal> = fc
  .record({
    digits: fc.constantFrom(1n, 2n, 5n, 10n, 25n, 100n, 1000n, 7n, 3n),
    scale: fc.integer({ min: 0, max: 10 }),
  })
  .map(({ digits, scale }) => ({ units: digits, scale }));

export const roundingArbitrary = fc.constantFrom(
  "floor" as const,
  "ceil" as const,
  "half_up" as const,
);

/** a·10^bs compared with b·10^as: the exact order of two decimals. */
export function compareTruth(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const left = a.units * tenTo(b.scale);
  const right = b.units * tenTo(a.scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function sameValue(a: Decimal, b: Decimal): boolean {
  return compareTruth(a, b) === 0;
}

/** True when `result` (units at its scale) is numerator/denominator rounded as asked. */
export function isRoundedQuotient(
  result: bigint,
  numerator: bigint,
  denominator: bigint,
  rounding: "floor" | "ceil" | "half_up",
): boolean {
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  if (rounding === "floor") return result * d <= n && n < (result + 1n) * d;
  if (rounding === "ceil") return (result - 1n) * d < n && n <= result * d;
  // Half away from zero, computed from magnitudes: sign(n) · ⌊(2|n| + d) / 2d⌋.
  const magnitude = n < 0n ? -n : n;
  const rounded = (2n * magnitude + d) / (2n * d);
  return result === (n < 0n ? -rounded : rounded);
}
