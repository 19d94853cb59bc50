// Transaction-cost math: slippage against the mid at send and quantity-weighted aggregates.
// slip_bps = side × (price − mid) / mid × 1e4, side = +1 BUY / −1 SELL: positive is a cost.

import { type Decimal, div, isPositive, mul, sub, toNumber } from "../decimal/index.ts";
import type { Side } from "../order/index.ts";

/** Slippage carries this many decimals of a basis point before it becomes a statistic. */
const slippageScale = 6;
const tenThousand: Decimal = { units: 10_000n, scale: 0 };

export function slippageBps(side: Side, price: Decimal, midAtSend: Decimal): number | null {
  if (!isPositive(midAtSend)) return null;
  const difference = side === "BUY" ? sub(price, midAtSend) : sub(midAtSend, price);
  return toNumber(div(mul(difference, tenThousand), midAtSend, slippageScale, "half_up"));
}

export interface WeightedSample {
  readonly qty: Decimal;
  readonly value: number;
}

/** Quantity-weighted mean of per-fill values; null when nothing is weighted. */
export function quantityWeightedMean(samples: readonly WeightedSample[]): number | null {
  let weight = 0;
  let total = 0;
  for (const sample of samples) {
    const qty = toNumber(sample.qty);
    weight += qty;
    total += qty * sample.value;
  }
  return weight > 0 ? total / weight : null;
}
