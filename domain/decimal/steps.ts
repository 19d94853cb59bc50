// Grids of steps and ticks: a quantity is a whole number of steps, a price a whole number of ticks.
// Every rounding names its direction; off-grid values are detected exactly, never by float error.

import {
  type Decimal,
  divideRounded,
  isPositive,
  normalize,
  type Rounding,
  rescaleExact,
} from "./decimal.ts";

function commonUnits(value: Decimal, step: Decimal): [bigint, bigint, number] {
  const scale = Math.max(value.scale, step.scale);
  return [rescaleExact(value, scale).units, rescaleExact(step, scale).units, scale];
}

/** True when `value` is a whole multiple of `step` (a zero step means "no grid"). */
export function isOnGrid(value: Decimal, step: Decimal): boolean {
  if (!isPositive(step)) return true;
  const [units, stepUnits] = commonUnits(value, step);
  return units % stepUnits === 0n;
}

/** The count of whole steps in `value`, rounded in the stated direction. */
export function countSteps(value: Decimal, step: Decimal, rounding: Rounding): bigint {
  if (!isPositive(step)) throw new Error("Condition failed: step must be positive");
  const [units, stepUnits] = commonUnits(value, step);
  return divideRounded(units, stepUnits, rounding);
}

/** The exact count of steps, or null when `value` is off the grid. */
export function exactSteps(value: Decimal, step: Decimal): bigint | null {
  if (!isOnGrid(value, step)) return null;
  return countSteps(value, step, "floor");
}

export function fromSteps(steps: bigint, step: Decimal): Decimal {
  return normalize({ units: steps * step.units, scale: step.scale });
}

/** Rounds onto the grid in the stated direction; a zero step returns the value unchanged. */
export function roundToStep(value: Decimal, step: Decimal, rounding: Rounding): Decimal {
  if (!isPositive(step)) return value;
  return fromSteps(countSteps(value, step, rounding), step);
}

export const floorToStep = (value: Decimal, step: Decimal): Decimal =>
  roundToStep(value, step, "floor");
export const ceilToStep = (value: Decimal, step: Decimal): Decimal =>
  roundToStep(value, step, "ceil");
