// A TWAP plan in whole steps: slices sum exactly to the order, every slice is a valid lot (a slice
// below the symbol minimum is merged into its neighbour), and due times strictly increase.
// Randomness arrives as draws u ∈ [0, 1) from the caller's seeded Rng, so a plan is reproducible.

import type { TwapCurve } from "../order/index.ts";

export type { TwapCurve };
export const twapCurves: readonly TwapCurve[] = ["uniform", "sqrt"];

/** The hard ceiling on slices; S4_TWAP_MAX_SLICES sits below it. */
export const twapSliceCountMax = 100;
/** The longest gap between slices a plan accepts (one day). */
export const twapGapMsMax = 86_400_000;

export interface TwapPlanInput {
  readonly qtySteps: bigint;
  readonly sliceCount: number;
  readonly curve: TwapCurve;
  /** Δt between nominal due times: t_i = startMs + i·Δt. */
  readonly gapMs: number;
  /** ε: each due time moves by U(−ε, ε), ε capped below half the gap. */
  readonly jitterMs: number;
  readonly startMs: number;
  /** One draw in [0, 1) per slice (extra draws are unused). */
  readonly jitterDraws: readonly number[];
  /** The symbol's smallest tradable order in steps (see minimumTradableSteps). */
  readonly minSliceSteps: bigint;
}

export interface TwapSlice {
  /** 0-based and consecutive after merging; child ids derive from it. */
  readonly index: number;
  readonly qtySteps: bigint;
  readonly dueMs: number;
}

export interface TwapPlan {
  readonly slices: readonly TwapSlice[];
  /** How many planned slices were folded into a neighbour for being below the minimum. */
  readonly mergedCount: number;
  /** The jitter bound applied: min(ε, ⌊(Δt − 1) / 2⌋), so order is kept by construction. */
  readonly jitterMsApplied: number;
}

/** Six decimal digits of √i: exact integer weights, identical on every machine. */
const sqrtWeightScale = 1_000_000_000_000n;

export function planTwap(input: TwapPlanInput): TwapPlan {
  checkInput(input);
  const quantities = sliceQuantities(input.qtySteps, input.sliceCount, input.curve);
  const jitterMsApplied = appliedJitterMs(input.jitterMs, input.gapMs);
  const dueTimes = scheduleDueTimes(input, jitterMsApplied);
  const merged = mergeSmallSlices(quantities, dueTimes, input.minSliceSteps);
  return { slices: merged, mergedCount: input.sliceCount - merged.length, jitterMsApplied };
}

function checkInput(input: TwapPlanInput): void {
  if (input.qtySteps <= 0n) throw new Error("Condition failed: qty must be positive");
  const count = input.sliceCount;
  if (!Number.isInteger(count) || count < 1 || count > twapSliceCountMax) {
    throw new Error("Condition failed: slice count out of range");
  }
  if (!Number.isInteger(input.gapMs) || input.gapMs < 0 || input.gapMs > twapGapMsMax) {
    throw new Error("Condition failed: gap out of range");
  }
  if (!Number.isInteger(input.jitterMs) || input.jitterMs < 0) {
    throw new Error("Condition failed: jitter must be a non-negative integer");
  }
  if (!Number.isSafeInteger(input.startMs)) throw new Error("Condition failed: start time");
  if (input.minSliceSteps < 1n) throw new Error("Condition failed: minimum slice below one step");
  if (input.jitterDraws.length < count) throw new Error("Condition failed: one draw per slice");
  for (let index = 0; index < count; index += 1) {
    const draw = input.jitterDraws[index]!;
    if (!(draw >= 0 && draw < 1)) throw new Error("Condition failed: draws lie in [0, 1)");
  }
}

/** q_i ∝ weight_i, each floored to whole steps, the remainder on the last slice. */
export function sliceQuantities(qtySteps: bigint, sliceCount: number, curve: TwapCurve): bigint[] {
  const weights: bigint[] = [];
  for (let index = 1; index <= sliceCount; index += 1) {
    weights.push(curve === "uniform" ? 1n : integerSqrt(BigInt(index) * sqrtWeightScale));
  }
  const weightTotal = weights.reduce((total, weight) => total + weight, 0n);
  const quantities = weights.map((weight) => (qtySteps * weight) / weightTotal);
  const assigned = quantities.reduce((total, qty) => total + qty, 0n);
  quantities[sliceCount - 1] = quantities[sliceCount - 1]! + (qtySteps - assigned);
  return quantities;
}

/** ⌊√n⌋ by Newton's method on bigints. */
export function integerSqrt(value: bigint): bigint {
  if (value < 0n) throw new Error("Condition failed: square root of a negative number");
  if (value < 2n) return value;
  let current = value;
  let next = (current + 1n) / 2n;
  while (next < current) {
    current = next;
    next = (current + value / current) / 2n;
  }
  return current;
}

function appliedJitterMs(jitterMs: number, gapMs: number): number {
  if (gapMs < 1) return 0;
  return Math.min(jitterMs, Math.floor((gapMs - 1) / 2));
}

/**
 * t_i = start + i·Δt + round((2u_i − 1)·ε). With ε below half the gap, order holds by construction;
 * the clamps (never before start, strictly after the previous slice) only bind at the first slice
 * or when the gap is zero.
 */
function scheduleDueTimes(input: TwapPlanInput, jitterMs: number): number[] {
  const dueTimes: number[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < input.sliceCount; index += 1) {
    const offset = Math.round((2 * input.jitterDraws[index]! - 1) * jitterMs);
    const nominal = input.startMs + index * input.gapMs;
    const due = Math.max(input.startMs, nominal + offset, previous + 1);
    dueTimes.push(due);
    previous = due;
  }
  return dueTimes;
}

/**
 * A slice below the minimum is carried forward into the next one (it runs at that slot's time);
 * a short last slice folds back into the previous emitted slice. Nothing is dropped.
 */
function mergeSmallSlices(
  quantities: readonly bigint[],
  dueTimes: readonly number[],
  minSliceSteps: bigint,
): TwapSlice[] {
  const slices: { qtySteps: bigint; dueMs: number }[] = [];
  let carried = 0n;
  quantities.forEach((qty, slot) => {
    const total = qty + carried;
    const isLast = slot === quantities.length - 1;
    if (total < minSliceSteps && !isLast) {
      carried = total;
      return;
    }
    carried = 0n;
    const previous = slices[slices.length - 1];
    if (total < minSliceSteps && previous !== undefined) {
      previous.qtySteps += total;
      return;
    }
    slices.push({ qtySteps: total, dueMs: dueTimes[slot]! });
  });
  return slices.map((slice, index) => ({ index, qtySteps: slice.qtySteps, dueMs: slice.dueMs }));
}
