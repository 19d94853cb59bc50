// Pure checks of an order request against the symbol's filters and the venue's parameter rules,
// in Binance's order: parameters, PRICE_FILTER, PERCENT_PRICE, LOT_SIZE/MARKET_LOT_SIZE, notional.
// Each refusal names the exact filter and rule so a face can produce the venue's error.

import {
  type Decimal,
  formatDecimal,
  gt,
  isPositive,
  lt,
  mul,
} from "../../../domain/decimal/index.ts";
import {
  checkNotional,
  checkPrice,
  checkQuantity,
  type RuleViolation,
} from "../../../domain/instrument/index.ts";
import type { Side } from "../../../domain/order/index.ts";
import type {
  SimFilterName,
  SimOrderType,
  SimPlaceOrderRequest,
  SimReject,
  SimRejectCode,
  SimSymbolSpec,
} from "./types.ts";

export function reject(code: SimRejectCode, message: string): SimReject {
  return { code, message, filter: null, rule: null, detail: null };
}

export function filterReject(
  filter: SimFilterName,
  rule: string,
  message: string,
  detail: string | null = null,
): SimReject {
  return { code: "FILTER", message, filter, rule, detail };
}

const stopTypes: ReadonlySet<SimOrderType> = new Set([
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
]);
const limitPriceTypes: ReadonlySet<SimOrderType> = new Set([
  "LIMIT",
  "LIMIT_MAKER",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT_LIMIT",
]);

export function isStopType(type: SimOrderType): boolean {
  return stopTypes.has(type);
}

export function hasLimitPrice(type: SimOrderType): boolean {
  return limitPriceTypes.has(type);
}

/** Executes as a market order once working (MARKET, STOP_LOSS, TAKE_PROFIT). */
export function isMarketExecution(type: SimOrderType): boolean {
  return type === "MARKET" || type === "STOP_LOSS" || type === "TAKE_PROFIT";
}

/** Whether a stop fires at `price`: stop-loss buys fire on the way up, take-profit buys on the
 *  way down (Binance §2a and the algo trigger rules of §3b). */
export function triggerFires(
  kind: "STOP" | "TAKE_PROFIT",
  side: Side,
  price: Decimal,
  trigger: Decimal,
): boolean {
  const upward = (kind === "STOP") === (side === "BUY");
  return upward ? !lt(price, trigger) : !gt(price, trigger);
}

export function stopKind(type: SimOrderType): "STOP" | "TAKE_PROFIT" {
  return type === "TAKE_PROFIT" || type === "TAKE_PROFIT_LIMIT" ? "TAKE_PROFIT" : "STOP";
}

/** Parameter shape per market and type; null when acceptable. */
export function checkParameters(
  spec: SimSymbolSpec,
  request: SimPlaceOrderRequest,
): SimReject | null {
  const { type, timeInForce } = request;
  const futures = spec.rules.market === "FUT";
  if (futures && type !== "MARKET" && type !== "LIMIT") {
    return reject(
      "UNSUPPORTED_ORDER_TYPE",
      `Order type ${type} is not supported on this endpoint.`,
    );
  }
  if (!futures && request.reduceOnly)
    return reject("INVALID_PARAMETER", "reduceOnly is futures only.");
  if (!futures && timeInForce === "GTX") return reject("INVALID_PARAMETER", "GTX is futures only.");
  const quoteQty = request.quoteOrderQty ?? null;
  if (quoteQty !== null) {
    if (futures || type !== "MARKET" || request.qty !== null) {
      return reject(
        "INVALID_PARAMETER",
        "quoteOrderQty is for spot MARKET orders without quantity.",
      );
    }
    if (!isPositive(quoteQty))
      return reject("INVALID_PARAMETER", "quoteOrderQty must be positive.");
  } else if (request.qty === null) {
    return reject("INVALID_PARAMETER", "Mandatory parameter 'quantity' was not sent.");
  }
  if (hasLimitPrice(type) && request.price === null) {
    return reject("INVALID_PARAMETER", "Mandatory parameter 'price' was not sent.");
  }
  if ((type === "LIMIT" || type.endsWith("_LIMIT")) && timeInForce === null) {
    return reject("INVALID_PARAMETER", "Mandatory parameter 'timeInForce' was not sent.");
  }
  if (isStopType(type) && request.stopPrice === null) {
    return reject("INVALID_PARAMETER", "Mandatory parameter 'stopPrice' was not sent.");
  }
  if (type.endsWith("_LIMIT") && timeInForce === "GTX") {
    return reject("INVALID_PARAMETER", "Invalid timeInForce.");
  }
  return null;
}

function fromViolation(spec: SimSymbolSpec, violation: RuleViolation): SimReject {
  let filter: SimFilterName = violation.code;
  if (violation.code === "MIN_NOTIONAL" || violation.code === "NOTIONAL") {
    filter = spec.notionalFilter ?? violation.code;
  }
  return filterReject(filter, violation.rule, violation.message);
}

/** PERCENT_PRICE(_BY_SIDE): a limit price within multipliers of the reference price. */
export function checkPercentPrice(
  spec: SimSymbolSpec,
  side: Side,
  price: Decimal,
  reference: Decimal,
): SimReject | null {
  const rule = spec.percentPrice;
  if (rule === null) return null;
  const up = side === "BUY" ? rule.bidUp : rule.askUp;
  const down = side === "BUY" ? rule.bidDown : rule.askDown;
  const shown = `price ${formatDecimal(price)} against reference ${formatDecimal(reference)}`;
  if (isPositive(up) && gt(price, mul(reference, up))) {
    return filterReject(rule.filter, "multiplier_up", `${shown} is above the multiplier cap`, "up");
  }
  if (isPositive(down) && lt(price, mul(reference, down))) {
    return filterReject(
      rule.filter,
      "multiplier_down",
      `${shown} is below the multiplier floor`,
      "down",
    );
  }
  return null;
}

export interface FilterContext {
  /** PERCENT_PRICE reference: spot average (mid), futures mark. */
  readonly referencePrice: Decimal;
  /** For market orders: the touch on the side a taker would consume. */
  readonly takerTouch: Decimal;
}

/** The symbol filters, first failure wins. */
export function checkFilters(
  spec: SimSymbolSpec,
  request: SimPlaceOrderRequest,
  context: FilterContext,
): SimReject | null {
  const { rules } = spec;
  if (request.price !== null) {
    const violation = checkPrice(rules, request.price, "price");
    if (violation !== null) return fromViolation(spec, violation);
  }
  if (request.stopPrice !== null) {
    const violation = checkPrice(rules, request.stopPrice, "stop_price");
    if (violation !== null) return fromViolation(spec, violation);
  }
  if (request.price !== null && hasLimitPrice(request.type)) {
    const percent = checkPercentPrice(spec, request.side, request.price, context.referencePrice);
    if (percent !== null) return percent;
  }
  const marketExecution = isMarketExecution(request.type);
  if (request.qty !== null) {
    const violation = checkQuantity(rules, request.qty, marketExecution);
    if (violation !== null) return fromViolation(spec, violation);
    const notionalPrice = request.price ?? (request.type === "MARKET" ? context.takerTouch : null);
    const price = notionalPrice ?? request.stopPrice ?? context.takerTouch;
    const notional = checkNotional(rules, request.qty, price, marketExecution, request.reduceOnly);
    if (notional !== null) return fromViolation(spec, notional);
  } else if (request.quoteOrderQty !== null && request.quoteOrderQty !== undefined) {
    const one = { units: 1n, scale: 0 };
    const notional = checkNotional(rules, request.quoteOrderQty, one, true, false);
    if (notional !== null) return fromViolation(spec, notional);
  }
  return null;
}
