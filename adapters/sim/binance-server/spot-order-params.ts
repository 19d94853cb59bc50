// POST /api/v3/order and /api/v3/orderList/oco parameters, checked in Binance's order: enums
// (-1117 side, -1116 type, -1115 timeInForce), then what each type requires or forbids (-1102 /
// -1106), decimals (-1100 / -1111 beyond eight places) and the client id charset (-1100).

import type { Decimal } from "../../../domain/decimal/index.ts";
import type { Side } from "../../../domain/order/index.ts";
import type { SimOcoLeg, SimOcoRequest, SimPlaceOrderRequest } from "../engine/index.ts";
import { clientIdRange, errors } from "./api-errors.ts";
import type { ParamReader } from "./request-params.ts";
import type { ResponseType } from "./spot-views.ts";
import { spotScale } from "./wire-format.ts";

export const sides: readonly Side[] = ["BUY", "SELL"];
export const spotOrderTypes = [
  "LIMIT",
  "MARKET",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
  "LIMIT_MAKER",
] as const;
export type SpotOrderType = (typeof spotOrderTypes)[number];
export const spotTimesInForce = ["GTC", "IOC", "FOK"] as const;
export const responseTypes: readonly ResponseType[] = ["ACK", "RESULT", "FULL"];
export const stpModes = [
  "NONE",
  "EXPIRE_TAKER",
  "EXPIRE_MAKER",
  "EXPIRE_BOTH",
  "DECREMENT",
  "TRANSFER",
] as const;

const clientIdPattern = /^[.A-Z:/a-z0-9_-]{1,36}$/;

interface TypeRule {
  readonly required: readonly ("timeInForce" | "quantity" | "price" | "stopPrice")[];
  readonly forbidden: readonly string[];
}

const typeRules: Readonly<Record<SpotOrderType, TypeRule>> = {
  LIMIT: { required: ["timeInForce", "quantity", "price"], forbidden: ["stopPrice"] },
  MARKET: { required: [], forbidden: ["timeInForce", "price", "stopPrice"] },
  LIMIT_MAKER: { required: ["quantity", "price"], forbidden: ["timeInForce", "stopPrice"] },
  STOP_LOSS: { required: ["quantity", "stopPrice"], forbidden: ["timeInForce", "price"] },
  TAKE_PROFIT: { required: ["quantity", "stopPrice"], forbidden: ["timeInForce", "price"] },
  STOP_LOSS_LIMIT: { required: ["timeInForce", "quantity", "price", "stopPrice"], forbidden: [] },
  TAKE_PROFIT_LIMIT: { required: ["timeInForce", "quantity", "price", "stopPrice"], forbidden: [] },
};

/** A client order id: absent → null (the venue makes one); malformed → -1100. */
export function spotClientId(read: ParamReader, name: string): string | null {
  const value = read.text(name);
  if (value === null) return null;
  if (!clientIdPattern.test(value)) return read.fail(errors.illegalParam(name, clientIdRange));
  return value;
}

export interface SpotOrderParams {
  readonly request: SimPlaceOrderRequest;
  readonly responseType: ResponseType;
  readonly stpMode: string;
}

/** Parameters the simulator does not model, answered as the venue does for a disabled feature. */
function unsupported(read: ParamReader): void {
  if (read.params.has("trailingDelta")) {
    read.fail(errors.newOrderRejected("Trailing stop orders are not supported for this symbol."));
  }
  if (read.params.has("icebergQty")) {
    read.fail(errors.newOrderRejected("Iceberg orders are not supported for this symbol."));
  }
  if (read.params.has("pegPriceType")) {
    read.fail(errors.newOrderRejected("Pegged orders are not supported for this symbol."));
  }
}

function checkTypeRule(read: ParamReader, type: SpotOrderType): void {
  const rule = typeRules[type];
  for (const name of rule.required) read.required(name);
  for (const name of rule.forbidden) read.forbid(name);
  if (type !== "MARKET") {
    read.forbid("quoteOrderQty");
    return;
  }
  read.eitherOf("quantity", "quoteOrderQty");
  if (read.params.has("quantity") && read.params.has("quoteOrderQty")) {
    read.fail(errors.badCombination());
  }
}

/** Reads POST /api/v3/order; null with read.failure set when something is wrong. */
export function readSpotOrder(read: ParamReader, symbol: string): SpotOrderParams | null {
  const side = read.oneOf("side", sides, errors.invalidSide, true);
  const type = read.oneOf("type", spotOrderTypes, errors.invalidOrderType, true);
  const timeInForce = read.oneOf("timeInForce", spotTimesInForce, errors.invalidTimeInForce, false);
  if (type !== null) checkTypeRule(read, type);
  const qty = read.decimal("quantity", spotScale);
  const quoteOrderQty = read.decimal("quoteOrderQty", spotScale);
  const price = read.decimal("price", spotScale);
  const stopPrice = read.decimal("stopPrice", spotScale);
  const clientOrderId = spotClientId(read, "newClientOrderId");
  const invalidType = () => errors.invalidParameter("newOrderRespType");
  const responseType = read.oneOf("newOrderRespType", responseTypes, invalidType, false);
  const invalidStp = () => errors.invalidParameter("selfTradePreventionMode");
  const stpMode = read.oneOf("selfTradePreventionMode", stpModes, invalidStp, false);
  unsupported(read);
  if (read.failure !== null || side === null || type === null) return null;
  const request: SimPlaceOrderRequest = {
    market: "SPOT",
    symbol,
    side,
    type,
    timeInForce,
    qty,
    quoteOrderQty,
    price,
    stopPrice,
    clientOrderId,
    reduceOnly: false,
  };
  const fullByDefault = type === "LIMIT" || type === "MARKET";
  return {
    request,
    responseType: responseType ?? (fullByDefault ? "FULL" : "ACK"),
    stpMode: stpMode ?? "EXPIRE_MAKER",
  };
}

// ---- orderList/oco ----

const ocoAboveTypes = [
  "STOP_LOSS_LIMIT",
  "STOP_LOSS",
  "LIMIT_MAKER",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
] as const;
const ocoBelowTypes = ocoAboveTypes;
type OcoLegType = SimOcoLeg["type"];

function isStopLoss(type: OcoLegType): boolean {
  return type === "STOP_LOSS" || type === "STOP_LOSS_LIMIT";
}

/** -1165/-1166/-1196..-1199: a leg on the wrong side of the market for this OCO side. */
function legSideFailure(read: ParamReader, side: Side, above: OcoLegType, below: OcoLegType) {
  if (side === "SELL") {
    if (isStopLoss(above)) return read.fail(errorsOco(-1197));
    if (below === "LIMIT_MAKER") return read.fail(errorsOco(-1166));
    if (!isStopLoss(below)) return read.fail(errorsOco(-1199));
    return null;
  }
  if (isStopLoss(below)) return read.fail(errorsOco(-1196));
  if (above === "LIMIT_MAKER") return read.fail(errorsOco(-1165));
  if (!isStopLoss(above)) return read.fail(errorsOco(-1198));
  return null;
}

const ocoMessages: Readonly<Record<number, string>> = {
  [-1165]: "A limit order in a buy OCO must be below.",
  [-1166]: "A limit order in a sell OCO must be above.",
  [-1196]: "A stop loss order in a buy OCO must be above.",
  [-1197]: "A stop loss order in a sell OCO must be below.",
  [-1198]: "A take profit order in a buy OCO must be below.",
  [-1199]: "A take profit order in a sell OCO must be above.",
};

function errorsOco(code: number) {
  return { status: 400, code, msg: ocoMessages[code] ?? "" };
}

function readLeg(read: ParamReader, prefix: "above" | "below", type: OcoLegType): SimOcoLeg {
  const limit = type === "LIMIT_MAKER" || type.endsWith("_LIMIT");
  const stop = type !== "LIMIT_MAKER";
  if (limit) read.required(`${prefix}Price`);
  if (stop) read.required(`${prefix}StopPrice`);
  if (type.endsWith("_LIMIT")) read.required(`${prefix}TimeInForce`);
  if (!limit) read.forbid(`${prefix}Price`);
  if (!type.endsWith("_LIMIT")) read.forbid(`${prefix}TimeInForce`);
  if (read.params.has(`${prefix}TrailingDelta`)) {
    read.fail(errors.newOrderRejected("Trailing stop orders are not supported for this symbol."));
  }
  const invalidTif = errors.invalidTimeInForce;
  return {
    type,
    price: read.decimal(`${prefix}Price`, spotScale),
    stopPrice: read.decimal(`${prefix}StopPrice`, spotScale),
    timeInForce: read.oneOf(`${prefix}TimeInForce`, spotTimesInForce, invalidTif, false),
    clientOrderId: spotClientId(read, `${prefix}ClientOrderId`),
  };
}

export interface OcoParams {
  readonly request: SimOcoRequest;
  readonly responseType: ResponseType;
}

/** Reads POST /api/v3/orderList/oco. */
export function readOco(read: ParamReader, symbol: string): OcoParams | null {
  const side = read.oneOf("side", sides, errors.invalidSide, true);
  const qty: Decimal | null = read.decimal("quantity", spotScale, true);
  const aboveType = read.oneOf("aboveType", ocoAboveTypes, errors.ocoTypeRejected, true);
  const belowType = read.oneOf("belowType", ocoBelowTypes, errors.ocoTypeRejected, true);
  if (side !== null && aboveType !== null && belowType !== null) {
    legSideFailure(read, side, aboveType, belowType);
  }
  const listClientOrderId = spotClientId(read, "listClientOrderId");
  const invalidType = () => errors.invalidParameter("newOrderRespType");
  const responseType = read.oneOf("newOrderRespType", responseTypes, invalidType, false);
  if (read.failure !== null || side === null || qty === null) return null;
  const above = readLeg(read, "above", aboveType!);
  const below = readLeg(read, "below", belowType!);
  if (read.failure !== null) return null;
  return {
    request: { symbol, side, qty, listClientOrderId, above, below },
    responseType: responseType ?? "RESULT",
  };
}
