// Spot REST answers in Binance's shapes (rest-api.md; fixtures spot-*.json): order objects for
// ACK / RESULT / FULL, query and cancel, order lists, account, commission and trades. Every
// decimal is a string with eight places; ids and times are numbers.

import {
  type Decimal,
  formatDecimal,
  fromInteger,
  isZero,
  mul,
  zero,
} from "../../../domain/decimal/index.ts";
import type {
  SimBalance,
  SimFill,
  SimOrder,
  SimOrderListResult,
  SimOrderState,
} from "../engine/index.ts";
import { spot } from "./wire-format.ts";

export type Json = Record<string, unknown>;
export type ResponseType = "ACK" | "RESULT" | "FULL";

/** The self-trade prevention mode the simulator reports (BTCUSDT's default). */
export const defaultStpMode = "EXPIRE_MAKER";

const stopTypes = new Set(["STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]);

function listId(order: SimOrderState): number {
  return order.orderListId ?? -1;
}

function timeInForce(order: SimOrderState): string {
  return order.timeInForce ?? "GTC";
}

function quoteOrderQty(order: SimOrderState): string {
  return spot(order.quoteOrderQty ?? zero);
}

export function spotAck(order: SimOrderState): Json {
  return {
    symbol: order.symbol,
    orderId: order.orderId,
    orderListId: listId(order),
    clientOrderId: order.clientOrderId,
    transactTime: order.createdMs,
  };
}

/** The order's terms and progress, in the key order RESULT, FULL and a cancel share. */
function orderFields(order: SimOrderState): Json {
  return {
    price: spot(order.price),
    origQty: spot(order.qty),
    executedQty: spot(order.filledQty),
    origQuoteOrderQty: quoteOrderQty(order),
    cummulativeQuoteQty: spot(order.filledQuote),
    status: order.status,
    timeInForce: timeInForce(order),
    type: order.type,
    side: order.side,
  };
}

export function spotResult(order: SimOrderState, stpMode = defaultStpMode): Json {
  const body: Json = { ...spotAck(order), ...orderFields(order) };
  if (stopTypes.has(order.type)) body["stopPrice"] = spot(order.stopPrice);
  body["workingTime"] = order.workingTimeMs ?? -1;
  body["selfTradePreventionMode"] = stpMode;
  return body;
}

export function spotFill(fill: SimFill): Json {
  return {
    price: spot(fill.price),
    qty: spot(fill.qty),
    commission: spot(fill.fee),
    commissionAsset: fill.feeAsset,
    tradeId: fill.tradeId,
  };
}

export function spotFull(order: SimOrder, stpMode = defaultStpMode): Json {
  return { ...spotResult(order, stpMode), fills: order.fills.map(spotFill) };
}

export function spotPlaced(order: SimOrder, type: ResponseType, stpMode = defaultStpMode): Json {
  if (type === "ACK") return spotAck(order);
  return type === "RESULT" ? spotResult(order, stpMode) : spotFull(order, stpMode);
}

/** GET /api/v3/order and openOrders rows. */
export function spotQueried(order: SimOrderState, stpMode = defaultStpMode): Json {
  return {
    symbol: order.symbol,
    orderId: order.orderId,
    orderListId: listId(order),
    clientOrderId: order.clientOrderId,
    price: spot(order.price),
    origQty: spot(order.qty),
    executedQty: spot(order.filledQty),
    cummulativeQuoteQty: spot(order.filledQuote),
    status: order.status,
    timeInForce: timeInForce(order),
    type: order.type,
    side: order.side,
    stopPrice: spot(order.stopPrice),
    icebergQty: spot(zero),
    time: order.createdMs,
    updateTime: order.updatedMs,
    isWorking: order.working,
    workingTime: order.workingTimeMs ?? -1,
    origQuoteOrderQty: quoteOrderQty(order),
    selfTradePreventionMode: stpMode,
  };
}

/** DELETE /api/v3/order: clientOrderId is the cancel's own id. */
export function spotCanceled(order: SimOrderState, cancelId: string, nowMs: number): Json {
  return {
    symbol: order.symbol,
    origClientOrderId: order.clientOrderId,
    orderId: order.orderId,
    orderListId: listId(order),
    clientOrderId: cancelId,
    transactTime: nowMs,
    ...orderFields(order),
    selfTradePreventionMode: defaultStpMode,
  };
}

/** The list header (GET orderList, openOrderList). */
export function spotList(result: SimOrderListResult): Json {
  const { list } = result;
  return {
    orderListId: list.orderListId,
    contingencyType: list.contingencyType,
    listStatusType: list.listStatusType,
    listOrderStatus: list.listOrderStatus,
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.updatedMs,
    symbol: list.symbol,
    orders: result.orders.map((order) => ({
      symbol: order.symbol,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
    })),
  };
}

/** POST orderList/oco: header plus orderReports in the requested style. */
export function spotListPlaced(result: SimOrderListResult, type: ResponseType): Json {
  return { ...spotList(result), orderReports: result.orders.map((o) => spotPlaced(o, type)) };
}

/** DELETE orderList: header plus each leg as cancelled. */
export function spotListCanceled(
  result: SimOrderListResult,
  cancelIdOf: (orderId: number) => string,
  nowMs: number,
): Json {
  return {
    ...spotList(result),
    orderReports: result.orders.map((o) => spotCanceled(o, cancelIdOf(o.orderId), nowMs)),
  };
}

function rate(value: Decimal): string {
  return spot(value);
}

export function spotAccount(
  balances: readonly SimBalance[],
  fee: Decimal,
  omitZero: boolean,
  nowMs: number,
): Json {
  const basisPoints = Number(formatDecimal(mul(fee, fromInteger(10_000))));
  const rows = balances.filter((b) => !omitZero || !isZero(b.free) || !isZero(b.locked));
  return {
    makerCommission: basisPoints,
    takerCommission: basisPoints,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: rate(fee), taker: rate(fee), buyer: rate(zero), seller: rate(zero) },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: nowMs,
    accountType: "SPOT",
    balances: rows.map((b) => ({ asset: b.asset, free: spot(b.free), locked: spot(b.locked) })),
    permissions: ["SPOT"],
    uid: 354937868,
  };
}

export function spotCommission(symbol: string, maker: Decimal, taker: Decimal): Json {
  const none = { maker: rate(zero), taker: rate(zero), buyer: rate(zero), seller: rate(zero) };
  return {
    symbol,
    standardCommission: {
      maker: rate(maker),
      taker: rate(taker),
      buyer: rate(zero),
      seller: rate(zero),
    },
    specialCommission: none,
    taxCommission: none,
    discount: {
      enabledForAccount: false,
      enabledForSymbol: false,
      discountAsset: "BNB",
      discount: "0.75000000",
    },
  };
}

/** GET /api/v3/myTrades rows. */
export function spotTrade(order: SimOrderState, fill: SimFill): Json {
  return {
    symbol: order.symbol,
    id: fill.tradeId,
    orderId: order.orderId,
    orderListId: listId(order),
    price: spot(fill.price),
    qty: spot(fill.qty),
    quoteQty: spot(fill.quoteQty),
    commission: spot(fill.fee),
    commissionAsset: fill.feeAsset,
    time: fill.tsMs,
    isBuyer: order.side === "BUY",
    isMaker: fill.liquidity === "MAKER",
    isBestMatch: true,
  };
}
