// Maker→taker math (DESIGN §4): the post-only price at the touch and its re-price, the "one tick
// through the touch" fallback, the taker remainder (1 − φ)·Q in whole steps and whether it is
// still a valid order, the fill ratio φ, and the early "liquidity insufficient" judgement.

import {
  add,
  ceilToStep,
  countSteps,
  type Decimal,
  floorToStep,
  fromSteps,
  gte,
  isPositive,
  lt,
  min,
  max,
  mul,
  sub,
  zero,
} from "../decimal/index.ts";
import {
  checkNotional,
  checkQuantity,
  type RuleViolation,
  type SymbolRules,
} from "../instrument/index.ts";
import type { BookLevel, Side } from "../order/index.ts";

export interface Touch {
  readonly bid: Decimal;
  readonly ask: Decimal;
}

/** A post-only order re-prices this many times after a rejection, then falls back to taker. */
export const postOnlyRepriceMax = 1;

/**
 * The passive price at the touch: BUY at the bid, SELL at the ask, kept one tick away from the
 * other side so a locked or stale crossed book cannot make it take. Null when no positive price.
 */
export function makerPrice(side: Side, touch: Touch, tick: Decimal): Decimal | null {
  const price =
    side === "BUY"
      ? floorToStep(min(touch.bid, sub(touch.ask, tick)), tick)
      : ceilToStep(max(touch.ask, add(touch.bid, tick)), tick);
  return isPositive(price) ? price : null;
}

export type PostOnlyRejectStep = "REPRICE" | "FALL_BACK";

/** What to do after the n-th post-only rejection (1-based): re-price from a fresh book, or stop. */
export function afterPostOnlyReject(rejectionCount: number): PostOnlyRejectStep {
  return rejectionCount <= postOnlyRepriceMax ? "REPRICE" : "FALL_BACK";
}

/** The fallback limit one tick through the touch: BUY at ask + tick, SELL at bid − tick. */
export function throughTouchPrice(side: Side, touch: Touch, tick: Decimal): Decimal | null {
  const price =
    side === "BUY"
      ? ceilToStep(add(touch.ask, tick), tick)
      : floorToStep(sub(touch.bid, tick), tick);
  return isPositive(price) ? price : null;
}

/** φ = filled / Q, as a statistic (metrics and logs). */
export function fillRatio(filledSteps: bigint, qtySteps: bigint): number {
  if (qtySteps <= 0n) throw new Error("Condition failed: qty must be positive");
  return Number(filledSteps) / Number(qtySteps);
}

/** φ < θ decided exactly: filled·10^s < θ·Q·10^s with no rounding at all. */
export function fillRatioBelow(filledSteps: bigint, qtySteps: bigint, ratioMin: Decimal): boolean {
  if (qtySteps <= 0n) throw new Error("Condition failed: qty must be positive");
  return lt({ units: filledSteps, scale: 0 }, mul(ratioMin, { units: qtySteps, scale: 0 }));
}

export interface RemainderInput {
  readonly rules: SymbolRules;
  /** The maker order's quantity Q and what it filled. */
  readonly qty: Decimal;
  readonly filledQty: Decimal;
  /** How the remainder goes out: a market order, or a limit at `price`. */
  readonly fallback: "MARKET" | "LIMIT";
  /** The limit price, or for MARKET the touch it takes (BUY: ask, SELL: bid). */
  readonly price: Decimal;
  readonly reduceOnly: boolean;
}

export type RemainderOutcome =
  | {
      readonly ok: true;
      readonly qtySteps: bigint;
      readonly qty: Decimal;
    }
  | {
      readonly ok: false;
      /** NOTHING_LEFT: the maker filled it all. BELOW_MINIMUM: the rest is not a valid order. */
      readonly code: "NOTHING_LEFT" | "REMAINDER_BELOW_MINIMUM";
      readonly qtySteps: bigint;
      readonly qty: Decimal;
      readonly violation: RuleViolation | null;
    };

/** The remainder (1 − φ)·Q in whole steps (rounded down), and whether the venue would take it. */
export function takerRemainder(input: RemainderInput): RemainderOutcome {
  const { rules } = input;
  const left = sub(input.qty, input.filledQty);
  const qtySteps = isPositive(left) ? countSteps(left, rules.lot.step, "floor") : 0n;
  const qty = fromSteps(qtySteps, rules.lot.step);
  if (qtySteps === 0n) return { ok: false, code: "NOTHING_LEFT", qtySteps, qty, violation: null };
  const isMarket = input.fallback === "MARKET";
  const violation =
    checkQuantity(rules, qty, isMarket) ??
    checkNotional(rules, qty, input.price, isMarket, input.reduceOnly);
  if (violation !== null) {
    return { ok: false, code: "REMAINDER_BELOW_MINIMUM", qtySteps, qty, violation };
  }
  return { ok: true, qtySteps, qty };
}

export interface MakerLiquidityInput {
  readonly side: Side;
  /** The snapshot's levels, best first. */
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** What is still to fill. */
  readonly remainingQty: Decimal;
  /** θ from the route table. */
  readonly ratioMin: Decimal;
}

export interface MakerLiquidity {
  readonly insufficient: boolean;
  /** Quantity shown at the top of the side that fills a resting order of ours (BUY: asks). */
  readonly counterDepth: Decimal;
  /** θ × the remaining quantity: what the window must be able to fill. */
  readonly depthNeeded: Decimal;
}

/**
 * A resting BUY fills only when sellers arrive; the quantity they show at the top of the book is
 * the snapshot's best proxy for that flow. When it is below θ of what we still need, the window
 * cannot be expected to reach θ, so the caller cancels early and goes taker.
 */
export function judgeMakerLiquidity(input: MakerLiquidityInput): MakerLiquidity {
  const levels = input.side === "BUY" ? input.asks : input.bids;
  const counterDepth = levels[0]?.qty ?? zero;
  const depthNeeded = mul(input.ratioMin, input.remainingQty);
  const insufficient = isPositive(input.remainingQty) && !gte(counterDepth, depthNeeded);
  return { insufficient, counterDepth, depthNeeded };
}
