// A symbol's trading rules (the Binance filters we enforce) and the checks that apply them.
// Checks return a violation value with a stable code; they never round or fix the input.

import {
  type Decimal,
  formatDecimal,
  gt,
  isOnGrid,
  isPositive,
  lt,
  mul,
  roundToStep,
  type Rounding,
} from "../decimal/index.ts";

export type Market = "SPOT" | "FUT";
export const markets: readonly Market[] = ["SPOT", "FUT"];

export interface PriceRule {
  /** Each bound is disabled when zero, as in Binance's PRICE_FILTER. */
  readonly min: Decimal;
  readonly max: Decimal;
  readonly tick: Decimal;
}

export interface LotRule {
  readonly min: Decimal;
  readonly max: Decimal;
  readonly step: Decimal;
}

export interface NotionalRule {
  readonly min: Decimal;
  /** Spot NOTIONAL.applyMinToMarket; futures MIN_NOTIONAL always applies. */
  readonly applyMinToMarket: boolean;
  /** Zero when there is no maximum. */
  readonly max: Decimal;
  readonly applyMaxToMarket: boolean;
  /** Futures waive the minimum for reduce-only orders ("unless you choose reduce only"). */
  readonly waivedForReduceOnly: boolean;
}

export interface SymbolRules {
  readonly market: Market;
  readonly symbol: string;
  readonly status: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly price: PriceRule;
  readonly lot: LotRule;
  /** MARKET_LOT_SIZE; a zero step or bound means that part is disabled (spot BTCUSDT). */
  readonly marketLot: LotRule | null;
  readonly notional: NotionalRule | null;
}

export type RuleCode =
  | "PRICE_FILTER"
  | "LOT_SIZE"
  | "MARKET_LOT_SIZE"
  | "MIN_NOTIONAL"
  | "NOTIONAL";

export interface RuleViolation {
  readonly code: RuleCode;
  readonly field: "qty" | "price" | "stop_price" | "notional";
  readonly rule: string;
  readonly message: string;
}

function violation(
  code: RuleCode,
  field: RuleViolation["field"],
  rule: string,
  message: string,
): RuleViolation {
  return { code, field, rule, message };
}

export function symbolKey(market: Market, symbol: string): string {
  return `${market}:${symbol}`;
}

/** Checks a limit, stop or trigger price against PRICE_FILTER. */
export function checkPrice(
  rules: SymbolRules,
  price: Decimal,
  field: "price" | "stop_price" = "price",
): RuleViolation | null {
  const { min, max, tick } = rules.price;
  const shown = formatDecimal(price);
  if (!isPositive(price)) {
    return violation("PRICE_FILTER", field, "positive", `${field} ${shown} must be greater than 0`);
  }
  if (isPositive(min) && lt(price, min)) {
    return violation(
      "PRICE_FILTER",
      field,
      "min_price",
      `${field} ${shown} is below minPrice ${formatDecimal(min)}`,
    );
  }
  if (isPositive(max) && gt(price, max)) {
    return violation(
      "PRICE_FILTER",
      field,
      "max_price",
      `${field} ${shown} is above maxPrice ${formatDecimal(max)}`,
    );
  }
  if (!isOnGrid(price, tick)) {
    return violation(
      "PRICE_FILTER",
      field,
      "tick_size",
      `${field} ${shown} is not a multiple of tickSize ${formatDecimal(tick)}`,
    );
  }
  return null;
}

/** Checks an order quantity against LOT_SIZE and, for market orders, MARKET_LOT_SIZE. */
export function checkQuantity(
  rules: SymbolRules,
  qty: Decimal,
  isMarketOrder: boolean,
): RuleViolation | null {
  const shown = formatDecimal(qty);
  if (!isPositive(qty))
    return violation("LOT_SIZE", "qty", "positive", `qty ${shown} must be greater than 0`);
  const lotViolation = checkLot("LOT_SIZE", rules.lot, qty, shown);
  if (lotViolation !== null) return lotViolation;
  if (isMarketOrder && rules.marketLot !== null) {
    return checkLot("MARKET_LOT_SIZE", rules.marketLot, qty, shown);
  }
  return null;
}

function checkLot(code: "LOT_SIZE" | "MARKET_LOT_SIZE", lot: LotRule, qty: Decimal, shown: string) {
  if (isPositive(lot.min) && lt(qty, lot.min)) {
    return violation(
      code,
      "qty",
      "min_qty",
      `qty ${shown} is below ${code} minQty ${formatDecimal(lot.min)}`,
    );
  }
  if (isPositive(lot.max) && gt(qty, lot.max)) {
    return violation(
      code,
      "qty",
      "max_qty",
      `qty ${shown} is above ${code} maxQty ${formatDecimal(lot.max)}`,
    );
  }
  if (!isOnGrid(qty, lot.step)) {
    return violation(
      code,
      "qty",
      "step_size",
      `qty ${shown} is not a multiple of ${code} stepSize ${formatDecimal(lot.step)}`,
    );
  }
  return null;
}

/**
 * Checks price × qty against the notional rule. `price` is the limit price, or for market orders
 * the reference price the venue would use (the touch on the side that would be taken).
 */
export function checkNotional(
  rules: SymbolRules,
  qty: Decimal,
  price: Decimal,
  isMarketOrder: boolean,
  reduceOnly: boolean,
): RuleViolation | null {
  const rule = rules.notional;
  if (rule === null) return null;
  const notional = mul(qty, price);
  const minApplies =
    (!isMarketOrder || rule.applyMinToMarket) && !(reduceOnly && rule.waivedForReduceOnly);
  if (minApplies && isPositive(rule.min) && lt(notional, rule.min)) {
    return violation(
      "MIN_NOTIONAL",
      "notional",
      "min_notional",
      `notional ${formatDecimal(notional)} (qty × price) is below the minimum ${formatDecimal(rule.min)}`,
    );
  }
  const maxApplies = !isMarketOrder || rule.applyMaxToMarket;
  if (maxApplies && isPositive(rule.max) && gt(notional, rule.max)) {
    return violation(
      "NOTIONAL",
      "notional",
      "max_notional",
      `notional ${formatDecimal(notional)} (qty × price) is above the maximum ${formatDecimal(rule.max)}`,
    );
  }
  return null;
}

/** Rounds a quantity onto LOT_SIZE, and for market orders onto MARKET_LOT_SIZE too (default
 *  floor, so it never grows); null unless the result passes checkQuantity ("rounds to zero" or
 *  out of bounds is an error, not an order). */
export function roundQuantity(
  rules: SymbolRules,
  qty: Decimal,
  rounding: Rounding = "floor",
  isMarketOrder = false,
): Decimal | null {
  // One rounding onto the coarser grid: rounding twice could move a half_up result by a step.
  const marketStep = isMarketOrder && rules.marketLot !== null ? rules.marketLot.step : null;
  const step = marketStep !== null && gt(marketStep, rules.lot.step) ? marketStep : rules.lot.step;
  const rounded = roundToStep(qty, step, rounding);
  return checkQuantity(rules, rounded, isMarketOrder) === null ? rounded : null;
}

/** Rounds a price onto the tick grid in the stated direction; null when outside min/max. */
export function roundPrice(rules: SymbolRules, price: Decimal, rounding: Rounding): Decimal | null {
  const rounded = roundToStep(price, rules.price.tick, rounding);
  return checkPrice(rules, rounded) === null ? rounded : null;
}
