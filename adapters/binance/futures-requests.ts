// USDⓈ-M requests (/fapi) as data. Conditional orders go to the algo endpoints (since
// 2025-12-09); a post-only limit is LIMIT with timeInForce GTX.

import { formatDecimal } from "../../domain/decimal/index.ts";
import type { ConditionalOrderRequest, PlaceOrderRequest } from "../../ports/exchange-gateway.ts";
import type { RestCall } from "./rest-client.ts";
import type { Param } from "./signer.ts";

const signed = (method: RestCall["method"], path: string, params: Param[]): RestCall => ({
  api: "FUT",
  method,
  path,
  params,
  security: "SIGNED",
});

const publicCall = (path: string, params: Param[]): RestCall => ({
  api: "FUT",
  method: "GET",
  path,
  params,
  security: "NONE",
});

/** Futures depth accepts only these limits (others answer -4021). */
export const futuresDepthLimits: readonly number[] = [5, 10, 20, 50, 100, 500, 1000];

/** POST /fapi/v1/order, LIMIT or MARKET, newOrderRespType=RESULT (final state for IOC/MARKET). */
export function futuresPlaceOrder(request: PlaceOrderRequest): RestCall {
  const postOnly = request.type === "LIMIT_MAKER" || request.timeInForce === "GTX";
  const type = postOnly ? "LIMIT" : request.type;
  const params: Param[] = [
    ["symbol", request.symbol],
    ["side", request.side],
    ["type", type],
  ];
  if (type === "LIMIT")
    params.push(["timeInForce", postOnly ? "GTX" : (request.timeInForce ?? "GTC")]);
  params.push(["quantity", formatDecimal(request.qty)]);
  if (type === "LIMIT" && request.price !== null) {
    params.push(["price", formatDecimal(request.price)]);
  }
  if (request.reduceOnly) params.push(["reduceOnly", "true"]);
  params.push(["newClientOrderId", request.clientOrderId], ["newOrderRespType", "RESULT"]);
  return signed("POST", "/fapi/v1/order", params);
}

export function futuresCancelOrder(symbol: string, clientOrderId: string): RestCall {
  return signed("DELETE", "/fapi/v1/order", [
    ["symbol", symbol],
    ["origClientOrderId", clientOrderId],
  ]);
}

export function futuresQueryOrder(symbol: string, clientOrderId: string): RestCall {
  return signed("GET", "/fapi/v1/order", [
    ["symbol", symbol],
    ["origClientOrderId", clientOrderId],
  ]);
}

/** GET /fapi/v1/order by orderId: the order a triggered algo order placed. */
export function futuresQueryOrderById(symbol: string, exchangeOrderId: string): RestCall {
  return signed("GET", "/fapi/v1/order", [
    ["symbol", symbol],
    ["orderId", exchangeOrderId],
  ]);
}

export function futuresOpenOrders(symbol?: string): RestCall {
  return signed("GET", "/fapi/v1/openOrders", symbol === undefined ? [] : [["symbol", symbol]]);
}

/** GET /fapi/v1/userTrades by orderId: futures order answers carry no fills. */
export function futuresUserTrades(symbol: string, exchangeOrderId: string): RestCall {
  return signed("GET", "/fapi/v1/userTrades", [
    ["symbol", symbol],
    ["orderId", exchangeOrderId],
  ]);
}

/** POST /fapi/v1/algoOrder, algoType=CONDITIONAL. closePosition excludes quantity and reduceOnly. */
export function futuresPlaceAlgo(request: ConditionalOrderRequest): RestCall {
  const params: Param[] = [
    ["algoType", "CONDITIONAL"],
    ["symbol", request.symbol],
    ["side", request.side],
    ["type", request.type],
    ["triggerPrice", formatDecimal(request.triggerPrice)],
    ["workingType", request.workingType],
  ];
  if (request.closePosition) {
    params.push(["closePosition", "true"]);
  } else {
    if (request.qty !== null) params.push(["quantity", formatDecimal(request.qty)]);
    if (request.reduceOnly) params.push(["reduceOnly", "true"]);
  }
  params.push(["clientAlgoId", request.clientAlgoId]);
  return signed("POST", "/fapi/v1/algoOrder", params);
}

export function futuresCancelAlgo(clientAlgoId: string): RestCall {
  return signed("DELETE", "/fapi/v1/algoOrder", [["clientAlgoId", clientAlgoId]]);
}

export function futuresQueryAlgo(clientAlgoId: string): RestCall {
  return signed("GET", "/fapi/v1/algoOrder", [["clientAlgoId", clientAlgoId]]);
}

export function futuresOpenAlgoOrders(symbol?: string): RestCall {
  return signed("GET", "/fapi/v1/openAlgoOrders", symbol === undefined ? [] : [["symbol", symbol]]);
}

export function futuresLeverage(symbol: string, leverage: number): RestCall {
  return signed("POST", "/fapi/v1/leverage", [
    ["symbol", symbol],
    ["leverage", String(leverage)],
  ]);
}

export function futuresMarginType(symbol: string, marginType: "ISOLATED" | "CROSSED"): RestCall {
  return signed("POST", "/fapi/v1/marginType", [
    ["symbol", symbol],
    ["marginType", marginType],
  ]);
}

export function futuresPositionRisk(symbol?: string): RestCall {
  return signed("GET", "/fapi/v3/positionRisk", symbol === undefined ? [] : [["symbol", symbol]]);
}

export function futuresSymbolConfig(symbol?: string): RestCall {
  return signed("GET", "/fapi/v1/symbolConfig", symbol === undefined ? [] : [["symbol", symbol]]);
}

export function futuresBalance(): RestCall {
  return signed("GET", "/fapi/v3/balance", []);
}

export function futuresCommissionRate(symbol: string): RestCall {
  return signed("GET", "/fapi/v1/commissionRate", [["symbol", symbol]]);
}

export function futuresPremiumIndex(symbol: string): RestCall {
  return publicCall("/fapi/v1/premiumIndex", [["symbol", symbol]]);
}

export function futuresExchangeInfo(): RestCall {
  return publicCall("/fapi/v1/exchangeInfo", []);
}

export function futuresDepth(symbol: string, limit: number): RestCall {
  return publicCall("/fapi/v1/depth", [
    ["symbol", symbol],
    ["limit", String(limit)],
  ]);
}

export function futuresBookTicker(symbol: string): RestCall {
  return publicCall("/fapi/v1/ticker/bookTicker", [["symbol", symbol]]);
}

export function futuresTime(): RestCall {
  return publicCall("/fapi/v1/time", []);
}

/** listenKey calls need the API key header but no signature (USER_STREAM). */
export function futuresListenKey(method: "POST" | "PUT" | "DELETE"): RestCall {
  return { api: "FUT", method, path: "/fapi/v1/listenKey", params: [], security: "API_KEY" };
}
