// Grids: any rounding lands on the grid, floor never rises and ceil never falls, and the step
// counts agree with the grid tests and with plain bigint arithmetic.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  ceilToStep,
  countSteps,
  dec,
  exactSteps,
  floorToStep,
  formatDecimal,
  fromSteps,
  gte,
  isOnGrid,
  lte,
  roundToStep,
  sub,
  zero,
} from "../../../../domain/decimal/index.ts";
import {
  compareTruth,
  decimalArbitrary,
  roundingArbitrary,
  sameValue,
  stepArbitrary,
  tenTo,
} from "./decimal-arbitraries.ts";

const valueArbitrary = decimalArbitrary({ scaleMax: 12, integerDigitsMax: 9 });

describe("steps, examples", () => {
  test.each([
    ["0.0015", "0.001", "0.001", "0.002", "0.002"],
    ["0.0014", "0.001", "0.001", "0.002", "0.001"],
    ["97000.05", "0.10", "97000", "97000.1", "97000.1"],
    ["97000.04", "0.10", "97000", "97000.1", "97000"],
    ["-0.0015", "0.001", "-0.002", "-0.001", "-0.002"],
    ["12", "5", "10", "15", "10"],
    ["0.00001000", "0.00001000", "0.00001", "0.00001", "0.00001"],
  ])("%p on step %p: floor %p, ceil %p, half_up %p", (value, step, floor, ceil, halfUp) => {
    expect(formatDecimal(floorToStep(dec(value), dec(step)))).toBe(floor);
    expect(formatDecimal(ceilToStep(dec(value), dec(step)))).toBe(ceil);
    expect(formatDecimal(roundToStep(dec(value), dec(step), "half_up"))).toBe(halfUp);
  });

  test("grid membership and exact counts", () => {
    expect(isOnGrid(dec("0.0015"), dec("0.001"))).toBe(false);
    expect(isOnGrid(dec("0.002"), dec("0.001"))).toBe(true);
    expect(isOnGrid(dec("97000.10"), dec("0.01000000"))).toBe(true);
    expect(exactSteps(dec("0.0015"), dec("0.001"))).toBeNull();
    expect(exactSteps(dec("0.002"), dec("0.001"))).toBe(2n);
    expect(exactSteps(dec("-0.003"), dec("0.001"))).toBe(-3n);
    expect(exactSteps(zero, dec("0.001"))).toBe(0n);
    expect(countSteps(dec("0.0015"), dec("0.001"), "floor")).toBe(1n);
    expect(countSteps(dec("0.0015"), dec("0.001"), "ceil")).toBe(2n);
    expect(fromSteps(1500n, dec("0.10"))).toEqual({ units: 150n, scale: 0 });
  });

  test("a zero step means no grid: everything is on it and rounding is the identity", () => {
    expect(isOnGrid(dec("0.123456"), zero)).toBe(true);
    expect(roundToStep(dec("0.123456"), zero, "floor")).toEqual(dec("0.123456"));
    expect(roundToStep(dec("0.123456"), dec("0.00000000"), "ceil")).toEqual(dec("0.123456"));
  });

  test("counting steps of a zero step is a broken invariant", () => {
    expect(() => countSteps(dec("1"), zero, "floor")).toThrow("step must be positive");
    expect(() => countSteps(dec("1"), dec("-0.1"), "floor")).toThrow("step must be positive");
    expect(() => exactSteps(dec("1"), zero)).toThrow("step must be positive");
  });
});

describe("steps, properties", () => {
  test("a value rounded in any direction is on the grid, within one step of the input", () => {
    fc.assert(
      fc.property(valueArbitrary, stepArbitrary, roundingArbitrary, (value, step, rounding) => {
        const rounded = roundToStep(value, step, rounding);
        expect(isOnGrid(rounded, step)).toBe(true);
        // |rounded − value| < step, and for half_up 2·|rounded − value| ≤ step, compared exactly.
        const distance = sub(rounded, value);
        const magnitude = distance.units < 0n ? -distance.units : distance.units;
        if (rounding === "half_up") {
          const twice = { units: 2n * magnitude, scale: distance.scale };
          expect(compareTruth(twice, step)).toBeLessThanOrEqual(0);
        } else {
          expect(compareTruth({ units: magnitude, scale: distance.scale }, step)).toBe(-1);
        }
      }),
    );
  });

  test("floor never exceeds the input and ceil never goes below it", () => {
    fc.assert(
      fc.property(valueArbitrary, stepArbitrary, (value, step) => {
        const floor = floorToStep(value, step);
        const ceil = ceilToStep(value, step);
        expect(lte(floor, value)).toBe(true);
        expect(gte(ceil, value)).toBe(true);
        const onGrid = isOnGrid(value, step);
        expect(sameValue(floor, ceil)).toBe(onGrid);
        if (onGrid) expect(sameValue(floor, value)).toBe(true);
      }),
    );
  });

  test("exactSteps and isOnGrid agree, and fromSteps restores an on-grid value", () => {
    fc.assert(
      fc.property(valueArbitrary, stepArbitrary, (value, step) => {
        const steps = exactSteps(value, step);
        expect(steps !== null).toBe(isOnGrid(value, step));
        if (steps !== null) expect(sameValue(fromSteps(steps, step), value)).toBe(true);
      }),
    );
  });

  test("on-grid values: exactSteps agrees with bigint truth", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), stepArbitrary, (n, step) => {
        const value = { units: n * step.units * tenTo(2), scale: step.scale + 2 };
        expect(exactSteps(value, step)).toBe(n);
        expect(countSteps(value, step, "floor")).toBe(n);
        expect(countSteps(value, step, "ceil")).toBe(n);
      }),
    );
  });

  test("fromSteps(countSteps(v)) equals roundToStep(v), and counts round-trip", () => {
    fc.assert(
      fc.property(valueArbitrary, stepArbitrary, roundingArbitrary, (value, step, rounding) => {
        const steps = countSteps(value, step, rounding);
        const rebuilt = fromSteps(steps, step);
        expect(sameValue(rebuilt, roundToStep(value, step, rounding))).toBe(true);
        expect(countSteps(rebuilt, step, "floor")).toBe(steps);
        expect(countSteps(rebuilt, step, "ceil")).toBe(steps);
        expect(exactSteps(rebuilt, step)).toBe(steps);
      }),
    );
  });

  test("rounding is idempotent", () => {
    fc.assert(
      fc.property(valueArbitrary, stepArbitrary, roundingArbitrary, (value, step, rounding) => {
        const once = roundToStep(value, step, rounding);
        expect(roundToStep(once, step, rounding)).toEqual(once);
      }),
    );
  });
});
