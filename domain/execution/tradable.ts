// The smallest order a symbol accepts, in whole steps, at a reference price. Every child order the
// execution math creates (a TWAP slice, a taker remainder) is measured against this minimum.

import {
  countSteps,
  type Decimal,
  divideRounded,
  isPositive,
  max,
  mul,
  rescaleExact,
} from "../decimal/index.ts";
import type { SymbolRules } from "../instrument/index.ts";

export interface TradableContext {
  /** The limit price, or for a market order the touch it would take (BUY: ask, SELL: bid). */
  readonly referencePrice: Decimal;
  readonly isMarketOrder: boolean;
  readonly reduceOnly: boolean;
}

/**
 * The fewest steps that pass LOT_SIZE (and MARKET_LOT_SIZE for market orders) and the notional
 * minimum at the reference price. Always at least one step.
 */
export function minimumTradableSteps(rules: SymbolRules, context: TradableContext): bigint {
  const step = rules.lot.step;
  let minQty = rules.lot.min;
  if (context.isMarketOrder && rules.marketLot !== null) minQty = max(minQty, rules.marketLot.min);
  let steps = isPositive(minQty) ? countSteps(minQty, step, "ceil") : 1n;
  const notionalMin = notionalMinimum(rules, context);
  if (notionalMin !== null && isPositive(context.referencePrice)) {
    // notional = steps × step × price ≥ min  ⇔  steps ≥ min / (step × price), rounded up.
    const perStep = mul(step, context.referencePrice);
    const scale = Math.max(perStep.scale, notionalMin.scale);
    const needed = divideRounded(
      rescaleExact(notionalMin, scale).units,
      rescaleExact(perStep, scale).units,
      "ceil",
    );
    if (needed > steps) steps = needed;
  }
  return steps < 1n ? 1n : steps;
}

function notionalMinimum(rules: SymbolRules, context: TradableContext): Decimal | null {
  const rule = rules.notional;
  if (rule === null || !isPositive(rule.min)) return null;
  if (context.isMarketOrder && !rule.applyMinToMarket) return null;
  if (context.reduceOnly && rule.waivedForReduceOnly) return null;
  return rule.min;
}
