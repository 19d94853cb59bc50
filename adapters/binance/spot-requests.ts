// Spot (/api/v3) and wallet (/sapi/v1) requests as data: path, method, ordered params. Decimals
// go out in canonical form (no exponent, no float); post-only maps to LIMIT_MAKER.

import { type Decimal, formatDecimal } from "../../domain/decimal/index.ts";
import type {
  OcoRequest,
  PlaceOrderRequest,
  TransferDirection,
} from "../../ports/exchange-gateway.ts";
import type { RestCall } from "./rest-client.ts";
import type { Param } from "./signer.ts";

const signed = (method: RestCall["method"], path: string, params: Param[]): RestCall => ({
  api: "SPOT",
  method,
  path,
  params,
  security: "SIGNED",
});

const spotStopTypes: ReadonlySet<string> = new Set([
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
]);

/** POST /api/v3/order with newOrderRespType=FULL so fills come back with the answer. */
export function spotPlaceOrder(request: PlaceOrderRequest): RestCall {
  // Spot has no GTX: a post-only limit is a LIMIT_MAKER, which takes no time in force.
  const postOnly = request.type === "LIMIT_MAKER" || request.timeInForce === "GTX";
  const type = postOnly ? "LIMIT_MAKER" : request.type;
  const params: Param[] = [
    ["symbol", request.symbol],
    ["side", request.side],
    ["type", type],
  ];
  const limitPriced = type === "LIMIT" || type.endsWith("_LIMIT");
  if (limitPriced) params.push(["timeInForce", request.timeInForce ?? "GTC"]);
  params.push(["quantity", formatDecimal(request.qty)]);
  if ((limitPriced || type === "LIMIT_MAKER") && request.price !== null) {
    params.push(["price", formatDecimal(request.price)]);
  }
  if (spotStopTypes.has(type) && request.stopPrice !== null) {
    params.push(["stopPrice", formatDecimal(request.stopPrice)]);
  }
  params.push(["newClientOrderId", request.clientOrderId], ["newOrderRespType", "FULL"]);
  return signed("POST", "/api/v3/order", params);
}

export function spotCancelOrder(symbol: string, clientOrderId: string): RestCall {
  return signed("DELETE", "/api/v3/order", [
    ["symbol", symbol],
    ["origClientOrderId", clientOrderId],
  ]);
}

export function spotQueryOrder(symbol: string, clientOrderId: string): RestCall {
  return signed("GET", "/api/v3/order", [
    ["symbol", symbol],
    ["origClientOrderId", clientOrderId],
  ]);
}

export function spotQueryOrderById(symbol: string, exchangeOrderId: string): RestCall {
  return signed("GET", "/api/v3/order", [
    ["symbol", symbol],
    ["orderId", exchangeOrderId],
  ]);
}

export function spotOpenOrders(symbol?: string): RestCall {
  return signed("GET", "/api/v3/openOrders", symbol === undefined ? [] : [["symbol", symbol]]);
}

/** GET /api/v3/myTrades for one order: the fills GET /api/v3/order does not carry. */
export function spotMyTrades(symbol: string, exchangeOrderId: string): RestCall {
  return signed("GET", "/api/v3/myTrades", [
    ["symbol", symbol],
    ["orderId", exchangeOrderId],
  ]);
}

/**
 * POST /api/v3/orderList/oco. SELL: the take-profit LIMIT_MAKER is above the market and the
 * STOP_LOSS_LIMIT below; BUY mirrors it (take-profit below, stop above).
 */
export function spotPlaceOco(request: OcoRequest): RestCall {
  const takeProfitLeg = request.side === "SELL" ? "above" : "below";
  const stopLeg = request.side === "SELL" ? "below" : "above";
  const legs: Record<"above" | "below", Param[]> = {
    above: [],
    below: [],
  };
  legs[takeProfitLeg].push(
    [`${takeProfitLeg}Type`, "LIMIT_MAKER"],
    [`${takeProfitLeg}ClientOrderId`, request.takeProfitClientOrderId],
    [`${takeProfitLeg}Price`, formatDecimal(request.takeProfitPrice)],
  );
  legs[stopLeg].push(
    [`${stopLeg}Type`, "STOP_LOSS_LIMIT"],
    [`${stopLeg}ClientOrderId`, request.stopClientOrderId],
    [`${stopLeg}Price`, formatDecimal(request.stopLimitPrice)],
    [`${stopLeg}StopPrice`, formatDecimal(request.stopPrice)],
    [`${stopLeg}TimeInForce`, "GTC"],
  );
  return signed("POST", "/api/v3/orderList/oco", [
    ["symbol", request.symbol],
    ["listClientOrderId", request.listClientOrderId],
    ["side", request.side],
    ["quantity", formatDecimal(request.qty)],
    ...legs.above,
    ...legs.below,
    ["newOrderRespType", "FULL"],
  ]);
}

export function spotCancelOrderList(symbol: string, listClientOrderId: string): RestCall {
  return signed("DELETE", "/api/v3/orderList", [
    ["symbol", symbol],
    ["listClientOrderId", listClientOrderId],
  ]);
}

/** GET /api/v3/orderList takes the list's client id as origClientOrderId (no symbol). */
export function spotQueryOrderList(listClientOrderId: string): RestCall {
  return signed("GET", "/api/v3/orderList", [["origClientOrderId", listClientOrderId]]);
}

export function spotAccount(): RestCall {
  return signed("GET", "/api/v3/account", [["omitZeroBalances", "true"]]);
}

export function spotCommission(symbol: string): RestCall {
  return signed("GET", "/api/v3/account/commission", [["symbol", symbol]]);
}

const publicCall = (path: string, params: Param[]): RestCall => ({
  api: "SPOT",
  method: "GET",
  path,
  params,
  security: "NONE",
});

export function spotExchangeInfo(symbols?: readonly string[]): RestCall {
  return publicCall(
    "/api/v3/exchangeInfo",
    symbols === undefined || symbols.length === 0 ? [] : [["symbols", JSON.stringify(symbols)]],
  );
}

export function spotDepth(symbol: string, limit: number): RestCall {
  return publicCall("/api/v3/depth", [
    ["symbol", symbol],
    ["limit", String(limit)],
  ]);
}

export function spotBookTicker(symbol: string): RestCall {
  return publicCall("/api/v3/ticker/bookTicker", [["symbol", symbol]]);
}

export function spotTime(): RestCall {
  return publicCall("/api/v3/time", []);
}

/** POST /sapi/v1/asset/transfer: MAIN_UMFUTURE is spot → USDⓈ-M, UMFUTURE_MAIN the reverse. */
export function walletTransfer(
  direction: TransferDirection,
  asset: string,
  amount: Decimal,
): RestCall {
  return {
    api: "WALLET",
    method: "POST",
    path: "/sapi/v1/asset/transfer",
    params: [
      ["type", direction === "SPOT_TO_FUT" ? "MAIN_UMFUTURE" : "UMFUTURE_MAIN"],
      ["asset", asset],
      ["amount", formatDecimal(amount)],
    ],
    security: "SIGNED",
  };
}
