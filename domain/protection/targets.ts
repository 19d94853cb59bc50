// Futures take-profit triggers from targets (DESIGN §5) and the side checks on stop and target.
// TP is solved exactly so that, after the entry fee and the taker fee on the exit itself, the
// position still nets the target; the trigger is rounded to tick away from the entry.

import {
  add,
  type Decimal,
  div,
  formatDecimal,
  gt,
  isPositive,
  mul,
  sign,
  sub,
  lt,
  roundToStep,
} from "../decimal/index.ts";
import { checkPrice, type SymbolRules } from "../instrument/index.ts";

export type PositionSide = "LONG" | "SHORT";

export type TakeProfitSpec =
  | { readonly kind: "price"; readonly price: Decimal }
  /** Net profit in USDT after the entry fee and the estimated exit fee. */
  | { readonly kind: "net_profit_usdt"; readonly value: Decimal }
  /** Return on margin as a fraction: 0.25 is 25 % of P̄·Q / leverage. */
  | { readonly kind: "roe"; readonly value: Decimal };

export interface TakeProfitInput {
  readonly rules: SymbolRules;
  readonly positionSide: PositionSide;
  /** P̄, the entry's average fill price. */
  readonly entryPrice: Decimal;
  /** Q, the position quantity protected. */
  readonly qty: Decimal;
  readonly target: TakeProfitSpec;
  readonly leverage: number;
  /** The entry's fees in USDT (actual, or estimated when paid in another asset). */
  readonly entryFeeUsdt: Decimal;
  /** The taker fee rate the exit will pay, e.g. 0.0005. */
  readonly takerFeeRate: Decimal;
}

export type TakeProfitCode = "TP_TARGET_INVALID" | "TP_UNREACHABLE" | "PRICE_FILTER";

export type TakeProfitOutcome =
  | {
      readonly ok: true;
      readonly triggerPrice: Decimal;
      /** The USDT target and the fees assumed at the trigger; null for a price target. */
      readonly targetUsdt: Decimal | null;
      readonly feesUsdt: Decimal | null;
    }
  | { readonly ok: false; readonly code: TakeProfitCode; readonly message: string };

/** Extra decimals carried by margin and target arithmetic before the final tick rounding. */
const workingScale = 12;

export function futuresTakeProfit(input: TakeProfitInput): TakeProfitOutcome {
  const { target } = input;
  if (target.kind === "price") return priceTarget(input, target.price);
  if (!isPositive(input.entryPrice) || !isPositive(input.qty)) {
    return fail("TP_TARGET_INVALID", "entry price and quantity must be positive");
  }
  if (!isPositive(target.value)) return fail("TP_TARGET_INVALID", `${target.kind} must be > 0`);
  if (sign(input.entryFeeUsdt) < 0 || sign(input.takerFeeRate) < 0) {
    return fail("TP_TARGET_INVALID", "fees cannot be negative");
  }
  if (!Number.isInteger(input.leverage) || input.leverage < 1) {
    return fail("TP_TARGET_INVALID", "leverage must be a positive integer");
  }
  const targetUsdt = target.kind === "roe" ? roeTargetUsdt(input, target.value) : target.value;
  return solvedTarget(input, targetUsdt);
}

/** target_usdt = ROE × margin, margin = P̄·Q / leverage; rounded up so the ROE is still met. */
export function roeTargetUsdt(
  input: Pick<TakeProfitInput, "entryPrice" | "qty" | "leverage">,
  roe: Decimal,
): Decimal {
  const margin = div(
    mul(input.entryPrice, input.qty),
    intDecimal(input.leverage),
    workingScale,
    "ceil",
  );
  return mul(roe, margin);
}

/**
 * Long:  (TP − P̄)·Q − fee_in − r·TP·Q = target  ⇒  TP = (target + fee_in + P̄·Q) / (Q·(1 − r))
 * Short: (P̄ − TP)·Q − fee_in − r·TP·Q = target  ⇒  TP = (P̄·Q − target − fee_in) / (Q·(1 + r))
 * i.e. the design's P̄ ± (target + fees)/Q with the exit fee taken at TP itself.
 */
function solvedTarget(input: TakeProfitInput, targetUsdt: Decimal): TakeProfitOutcome {
  const { entryPrice, qty, takerFeeRate, rules } = input;
  const one = intDecimal(1);
  const long = input.positionSide === "LONG";
  const notional = mul(entryPrice, qty);
  const numerator = long
    ? add(add(targetUsdt, input.entryFeeUsdt), notional)
    : sub(sub(notional, targetUsdt), input.entryFeeUsdt);
  const denominator = mul(qty, long ? sub(one, takerFeeRate) : add(one, takerFeeRate));
  if (!isPositive(denominator) || !isPositive(numerator)) {
    return fail(
      "TP_UNREACHABLE",
      `no trigger price reaches a net ${formatDecimal(targetUsdt)} USDT`,
    );
  }
  // Away from the entry: up for a long, down for a short; both roundings share the direction.
  const rounding = long ? "ceil" : "floor";
  const exact = div(numerator, denominator, rules.price.tick.scale + workingScale, rounding);
  const trigger = roundToStep(exact, rules.price.tick, rounding);
  if (!isPositive(trigger)) {
    return fail(
      "TP_UNREACHABLE",
      `no trigger price reaches a net ${formatDecimal(targetUsdt)} USDT`,
    );
  }
  const violation = checkPrice(rules, trigger, "stop_price");
  if (violation !== null) return fail("PRICE_FILTER", violation.message);
  const feesUsdt = add(input.entryFeeUsdt, mul(mul(takerFeeRate, trigger), qty));
  return { ok: true, triggerPrice: trigger, targetUsdt, feesUsdt };
}

function priceTarget(input: TakeProfitInput, price: Decimal): TakeProfitOutcome {
  const violation = checkPrice(input.rules, price, "stop_price");
  if (violation !== null) return fail("PRICE_FILTER", violation.message);
  return { ok: true, triggerPrice: price, targetUsdt: null, feesUsdt: null };
}

/** Net PnL of closing at `exitPrice` after both fees: what the solved trigger guarantees. */
export function netProfitUsdt(
  input: Pick<
    TakeProfitInput,
    "positionSide" | "entryPrice" | "qty" | "entryFeeUsdt" | "takerFeeRate"
  >,
  exitPrice: Decimal,
): Decimal {
  const move =
    input.positionSide === "LONG"
      ? sub(exitPrice, input.entryPrice)
      : sub(input.entryPrice, exitPrice);
  const exitFee = mul(mul(input.takerFeeRate, exitPrice), input.qty);
  return sub(sub(mul(move, input.qty), input.entryFeeUsdt), exitFee);
}

// ---- Side checks ---------------------------------------------------------------------------

export type ProtectionPriceCode =
  | "SL_NOT_ON_LOSING_SIDE"
  | "TP_NOT_ON_WINNING_SIDE"
  | "SL_WOULD_TRIGGER_IMMEDIATELY"
  | "TP_WOULD_TRIGGER_IMMEDIATELY";

export interface ProtectionPriceViolation {
  readonly code: ProtectionPriceCode;
  readonly field: "sl" | "tp";
  readonly message: string;
}

export interface ProtectionPrices {
  readonly positionSide: PositionSide;
  readonly entryPrice: Decimal;
  /** The price the triggers watch now (mark or last); null when unknown. */
  readonly currentPrice: Decimal | null;
  readonly stopPrice: Decimal | null;
  readonly takeProfitPrice: Decimal | null;
}

/**
 * A long's stop must lie below the entry and the current price and its target above both; a
 * short's the other way round. Returns every violation, stop first.
 */
export function checkProtectionPrices(prices: ProtectionPrices): ProtectionPriceViolation[] {
  const long = prices.positionSide === "LONG";
  // "Losing side" of a reference: below it for a long, above it for a short.
  const losing = (price: Decimal, reference: Decimal) =>
    long ? lt(price, reference) : gt(price, reference);
  const winning = (price: Decimal, reference: Decimal) =>
    long ? gt(price, reference) : lt(price, reference);
  const violations: ProtectionPriceViolation[] = [];
  const { stopPrice, takeProfitPrice, entryPrice, currentPrice } = prices;
  const side = long ? "long" : "short";
  if (stopPrice !== null) {
    if (!losing(stopPrice, entryPrice)) {
      violations.push(
        violation("SL_NOT_ON_LOSING_SIDE", "sl", side, stopPrice, "entry", entryPrice),
      );
    }
    if (currentPrice !== null && !losing(stopPrice, currentPrice)) {
      violations.push(
        violation("SL_WOULD_TRIGGER_IMMEDIATELY", "sl", side, stopPrice, "current", currentPrice),
      );
    }
  }
  if (takeProfitPrice !== null) {
    if (!winning(takeProfitPrice, entryPrice)) {
      violations.push(
        violation("TP_NOT_ON_WINNING_SIDE", "tp", side, takeProfitPrice, "entry", entryPrice),
      );
    }
    if (currentPrice !== null && !winning(takeProfitPrice, currentPrice)) {
      violations.push(
        violation(
          "TP_WOULD_TRIGGER_IMMEDIATELY",
          "tp",
          side,
          takeProfitPrice,
          "current",
          currentPrice,
        ),
      );
    }
  }
  return violations;
}

function violation(
  code: ProtectionPriceCode,
  field: "sl" | "tp",
  side: string,
  price: Decimal,
  referenceName: string,
  reference: Decimal,
): ProtectionPriceViolation {
  const wanted = (field === "sl") === (side === "long") ? "below" : "above";
  return {
    code,
    field,
    message:
      `${field} ${formatDecimal(price)} must be ${wanted} the ${referenceName} price ` +
      `${formatDecimal(reference)} for a ${side}`,
  };
}

function intDecimal(value: number): Decimal {
  return { units: BigInt(value), scale: 0 };
}

function fail(code: TakeProfitCode, message: string): TakeProfitOutcome {
  return { ok: false, code, message };
}
