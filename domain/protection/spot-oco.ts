// Spot OCO legs (DESIGN §5): the quantity a spot entry can protect (its fills net of a base-asset
// commission, rounded down to step) and the two legs of the protective order list, checked
// against the symbol's filters and Binance's price relationship before anything is sent.

import {
  add,
  countSteps,
  type Decimal,
  formatDecimal,
  fromSteps,
  gt,
  isPositive,
  lt,
  mul,
  sub,
  zero,
} from "../decimal/index.ts";
import {
  checkNotional,
  checkPrice,
  checkQuantity,
  type RuleCode,
  type SymbolRules,
} from "../instrument/index.ts";
import type { Side } from "../order/index.ts";

export interface CommissionPaid {
  readonly amount: Decimal;
  readonly asset: string;
}

export type ProtectedQuantity =
  | { readonly ok: true; readonly qty: Decimal; readonly qtySteps: bigint }
  | {
      readonly ok: false;
      /** NOTHING_TO_PROTECT: nothing left after fees. BELOW_MIN_QTY: dust under LOT_SIZE. */
      readonly code: "NOTHING_TO_PROTECT" | "BELOW_MIN_QTY";
      readonly qty: Decimal;
      readonly message: string;
    };

/**
 * What a spot BUY entry actually holds: the filled quantity minus commissions charged in the base
 * asset (spot charges the asset received unless BNB pays), rounded down to the lot step.
 */
export function protectedQuantity(
  rules: SymbolRules,
  filledQty: Decimal,
  commissions: readonly CommissionPaid[],
): ProtectedQuantity {
  const held = sub(filledQty, baseCommission(rules, commissions));
  const qtySteps = isPositive(held) ? countSteps(held, rules.lot.step, "floor") : 0n;
  const qty = fromSteps(qtySteps, rules.lot.step);
  if (qtySteps === 0n) {
    return {
      ok: false,
      code: "NOTHING_TO_PROTECT",
      qty,
      message: `${formatDecimal(held)} ${rules.baseAsset} held after fees is less than one step`,
    };
  }
  if (isPositive(rules.lot.min) && lt(qty, rules.lot.min)) {
    return {
      ok: false,
      code: "BELOW_MIN_QTY",
      qty,
      message: `${formatDecimal(qty)} is below minQty ${formatDecimal(rules.lot.min)}`,
    };
  }
  return { ok: true, qty, qtySteps };
}

/**
 * Binance's order-list price rule: a SELL OCO needs limit > last > stop, a BUY OCO
 * limit < last < stop (the take-profit on the far side of the market from the stop).
 */
export function ocoPricesRelated(
  side: Side,
  limitPrice: Decimal,
  lastPrice: Decimal,
  stopPrice: Decimal,
): boolean {
  if (side === "SELL") return gt(limitPrice, lastPrice) && gt(lastPrice, stopPrice);
  return lt(limitPrice, lastPrice) && lt(lastPrice, stopPrice);
}

export interface OcoLegsInput {
  readonly rules: SymbolRules;
  /** SELL protects a long (the spot case); BUY protects a short. */
  readonly side: Side;
  readonly qty: Decimal;
  readonly takeProfitPrice: Decimal;
  readonly stopPrice: Decimal;
  /** The STOP_LOSS_LIMIT limit sits this many ticks beyond the stop (below it for a SELL). */
  readonly stopLimitTicks: number;
  readonly lastPrice: Decimal;
}

export interface OcoLegs {
  readonly side: Side;
  readonly qty: Decimal;
  /** LIMIT_MAKER take-profit leg. */
  readonly takeProfitPrice: Decimal;
  /** STOP_LOSS_LIMIT leg: trigger and limit. */
  readonly stopPrice: Decimal;
  readonly stopLimitPrice: Decimal;
}

export type OcoLegsCode = RuleCode | "OCO_PRICE_RELATIONSHIP" | "STOP_LIMIT_PRICE_INVALID";

export type OcoLegsOutcome =
  | { readonly ok: true; readonly legs: OcoLegs }
  | {
      readonly ok: false;
      readonly code: OcoLegsCode;
      readonly field: "qty" | "tp_price" | "sl_price" | "stop_limit_price" | "notional";
      readonly message: string;
    };

/** Greatest stop-limit offset accepted; beyond it a "stop" is no longer one. */
export const stopLimitTicksMax = 1_000;

export function spotOcoLegs(input: OcoLegsInput): OcoLegsOutcome {
  const { rules, side, qty, takeProfitPrice, stopPrice } = input;
  if (!Number.isInteger(input.stopLimitTicks) || input.stopLimitTicks < 0) {
    throw new Error("Condition failed: stop limit ticks must be a non-negative integer");
  }
  if (input.stopLimitTicks > stopLimitTicksMax) {
    throw new Error("Condition failed: stop limit ticks above the maximum");
  }
  const qtyViolation = checkQuantity(rules, qty, false);
  if (qtyViolation !== null) return fail(qtyViolation.code, "qty", qtyViolation.message);
  const tpViolation = checkPrice(rules, takeProfitPrice, "price");
  if (tpViolation !== null) return fail(tpViolation.code, "tp_price", tpViolation.message);
  const slViolation = checkPrice(rules, stopPrice, "stop_price");
  if (slViolation !== null) return fail(slViolation.code, "sl_price", slViolation.message);
  const offset = mul(rules.price.tick, { units: BigInt(input.stopLimitTicks), scale: 0 });
  const stopLimitPrice = side === "SELL" ? sub(stopPrice, offset) : add(stopPrice, offset);
  if (checkPrice(rules, stopLimitPrice, "price") !== null) {
    return fail(
      "STOP_LIMIT_PRICE_INVALID",
      "stop_limit_price",
      `stop limit price ${formatDecimal(stopLimitPrice)} is outside the price filter`,
    );
  }
  if (!ocoPricesRelated(side, takeProfitPrice, input.lastPrice, stopPrice)) {
    const order = side === "SELL" ? "tp > last > stop" : "tp < last < stop";
    return fail(
      "OCO_PRICE_RELATIONSHIP",
      "tp_price",
      `a ${side} OCO needs ${order}: tp ${formatDecimal(takeProfitPrice)}, ` +
        `last ${formatDecimal(input.lastPrice)}, stop ${formatDecimal(stopPrice)}`,
    );
  }
  // Each leg is its own order on the venue: both must meet the notional minimum at their price.
  for (const price of [takeProfitPrice, stopLimitPrice]) {
    const notional = checkNotional(rules, qty, price, false, false);
    if (notional !== null) return fail(notional.code, "notional", notional.message);
  }
  return { ok: true, legs: { side, qty, takeProfitPrice, stopPrice, stopLimitPrice } };
}

function fail(
  code: OcoLegsCode,
  field: "qty" | "tp_price" | "sl_price" | "stop_limit_price" | "notional",
  message: string,
): OcoLegsOutcome {
  return { ok: false, code, field, message };
}

/** The sum of base-asset commissions, for the OCO_ARMED event payload. */
export function baseCommission(
  rules: SymbolRules,
  commissions: readonly CommissionPaid[],
): Decimal {
  let total = zero;
  for (const commission of commissions) {
    if (commission.asset === rules.baseAsset) total = add(total, commission.amount);
  }
  return total;
}
