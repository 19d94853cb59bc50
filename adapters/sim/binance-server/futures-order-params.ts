// POST /fapi/v1/order and /fapi/v1/algoOrder parameters as USDⓈ-M checks them: conditional
// types on the order endpoint are -4120 (algo service since 2025-12-09), LIMIT_MAKER does not
// exist (-1116), decimals beyond the symbol's precision are -1111, client ids -4015, one-way
// mode only (positionSide LONG/SHORT → -4061).

import type { SimAlgoRequest, SimPlaceOrderRequest, SimSymbolSpec } from "../engine/index.ts";
import { errors, failure, futuresErrors } from "./api-errors.ts";
import type { FuturesPrecision } from "./exchange-info.ts";
import type { FuturesResponseType } from "./futures-views.ts";
import type { ParamReader } from "./request-params.ts";
import { sides } from "./spot-order-params.ts";

const conditionalTypes = [
  "STOP",
  "STOP_MARKET",
  "TAKE_PROFIT",
  "TAKE_PROFIT_MARKET",
  "TRAILING_STOP_MARKET",
];
const futuresTimesInForce = ["GTC", "IOC", "FOK", "GTX"] as const;
const futuresResponseTypes: readonly FuturesResponseType[] = ["ACK", "RESULT"];
const clientIdPattern = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** A futures client id (newClientOrderId, clientAlgoId): malformed → -4015. */
export function futuresClientId(read: ParamReader, name: string): string | null {
  const value = read.text(name);
  if (value === null) return null;
  if (!clientIdPattern.test(value)) return read.fail(futuresErrors.invalidClientOrderId());
  return value;
}

/** One-way mode: BOTH (or absent) only. */
function checkPositionSide(read: ParamReader): void {
  const value = read.text("positionSide");
  if (value === null || value === "BOTH") return;
  if (value === "LONG" || value === "SHORT") read.fail(futuresErrors.positionSide());
  else read.fail(failure(-4060, "Invalid position side."));
}

function orderType(read: ParamReader): "LIMIT" | "MARKET" | null {
  const type = read.required("type");
  if (read.failure !== null) return null;
  if (type === "LIMIT" || type === "MARKET") return type;
  if (conditionalTypes.includes(type)) return read.fail(futuresErrors.useAlgoEndpoint());
  return read.fail(errors.invalidOrderType());
}

export interface FuturesOrderParams {
  readonly request: SimPlaceOrderRequest;
  readonly responseType: FuturesResponseType;
}

/** Reads POST /fapi/v1/order. */
export function readFuturesOrder(
  read: ParamReader,
  spec: SimSymbolSpec,
  precision: FuturesPrecision,
): FuturesOrderParams | null {
  const side = read.oneOf("side", sides, errors.invalidSide, true);
  const type = orderType(read);
  checkPositionSide(read);
  const invalidTif = errors.invalidTimeInForce;
  const timeInForce = read.oneOf("timeInForce", futuresTimesInForce, invalidTif, false);
  if (type === "LIMIT")
    for (const name of ["timeInForce", "quantity", "price"]) read.required(name);
  if (type === "MARKET") {
    read.required("quantity");
    read.forbid("price");
  }
  const qty = read.decimal("quantity", precision.quantity);
  const price = read.decimal("price", precision.price);
  const reduceOnly = read.flag("reduceOnly");
  const clientOrderId = futuresClientId(read, "newClientOrderId");
  const respType = read.oneOf(
    "newOrderRespType",
    futuresResponseTypes,
    errors.invalidResponseType,
    false,
  );
  const priceMatch = read.text("priceMatch");
  if (priceMatch !== null && priceMatch !== "NONE")
    read.fail(errors.invalidParameter("priceMatch"));
  if (read.failure !== null || side === null || type === null) return null;
  return {
    request: {
      market: "FUT",
      symbol: spec.rules.symbol,
      side,
      type,
      timeInForce: type === "LIMIT" ? timeInForce : null,
      qty,
      price,
      stopPrice: null,
      clientOrderId,
      reduceOnly,
    },
    responseType: respType ?? "ACK",
  };
}

const algoTypes = ["STOP_MARKET", "TAKE_PROFIT_MARKET"] as const;
const workingTypes = ["MARK_PRICE", "CONTRACT_PRICE"] as const;

/** Reads POST /fapi/v1/algoOrder (CONDITIONAL; STOP_MARKET and TAKE_PROFIT_MARKET). */
export function readAlgoOrder(
  read: ParamReader,
  spec: SimSymbolSpec,
  precision: FuturesPrecision,
): SimAlgoRequest | null {
  read.oneOf("algoType", ["CONDITIONAL"], () => errors.invalidParameter("algoType"), true);
  const side = read.oneOf("side", sides, errors.invalidSide, true);
  const type = read.oneOf("type", algoTypes, errors.invalidOrderType, true);
  checkPositionSide(read);
  read.oneOf("timeInForce", futuresTimesInForce, errors.invalidTimeInForce, false);
  const triggerPrice = read.decimal("triggerPrice", precision.price, true);
  const working = read.text("workingType") ?? "CONTRACT_PRICE";
  if (!(workingTypes as readonly string[]).includes(working)) {
    read.fail(futuresErrors.invalidWorkingType(working));
  }
  const closePosition = read.flag("closePosition");
  const reduceOnly = read.flag("reduceOnly");
  read.flag("priceProtect");
  const qty = read.decimal("quantity", precision.quantity);
  if (closePosition && qty !== null) read.fail(futuresErrors.quantityWithClosePosition());
  if (closePosition && read.params.has("reduceOnly")) read.fail(errors.notRequired("reduceOnly"));
  if (!closePosition) read.required("quantity");
  const clientAlgoId = futuresClientId(read, "clientAlgoId");
  read.oneOf("newOrderRespType", futuresResponseTypes, errors.invalidResponseType, false);
  if (read.failure !== null || side === null || type === null || triggerPrice === null) {
    return null;
  }
  return {
    symbol: spec.rules.symbol,
    side,
    type,
    triggerPrice,
    workingType: working as SimAlgoRequest["workingType"],
    qty,
    reduceOnly,
    closePosition,
    clientAlgoId,
  };
}
