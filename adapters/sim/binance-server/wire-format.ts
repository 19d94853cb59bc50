// Decimals as Binance writes them: spot pads to 8 places ("0.01000000"), futures to the symbol's
// precision ("95000.10", "0.010"). Values are exact; only derived averages are rounded (half up).

import {
  type Decimal,
  formatFixed,
  normalize,
  roundToScale,
  zero,
} from "../../../domain/decimal/index.ts";

/** Spot prices, quantities, commissions and balances carry eight places. */
export const spotScale = 8;
/** Derived values (average prices) are rounded to this many places. */
export const derivedScale = 8;

/** Exactly `scale` places; a more precise value is rounded half up (derived values only). */
export function fixed(value: Decimal, scale: number): string {
  const rounded = value.scale > scale ? roundToScale(value, scale, "half_up") : value;
  return formatFixed(rounded, scale);
}

/** Spot text: eight places. */
export function spot(value: Decimal | null): string {
  return fixed(value ?? zero, spotScale);
}

/** At least `scale` places, more when the exact value needs them. */
export function atLeast(value: Decimal | null, scale: number): string {
  const exact = normalize(value ?? zero);
  return formatFixed(exact, Math.max(scale, exact.scale));
}
