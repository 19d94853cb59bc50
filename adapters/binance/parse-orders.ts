// REST order payloads (spot, USDⓈ-M, algo, order lists, trades) into the port's order types.
// Quoted numbers become exact decimals; venue enums are translated, never passed through.

import {
  type Decimal,
  div,
  isPositive,
  mul,
  normalize,
  sum,
  zero,
} from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type { OrderType, Side, TimeInForce } from "../../domain/order/index.ts";
import type {
  ConditionalOrder,
  ConditionalStatus,
  ExchangeFill,
  ExchangeOrder,
  OrderList,
  OrderListStatus,
  VenueOrderStatus,
  WorkingType,
} from "../../ports/exchange-gateway.ts";
import {
  asArray,
  asObject,
  decimalField,
  flag,
  id,
  integer,
  optionalDecimal,
  optionalInteger,
  optionalText,
  positiveOrNull,
  text,
  type WireObject,
  WireError,
} from "./wire.ts";

/** Average prices are derived values; 12 places keep them exact to well below any tick. */
export const averagePriceScale = 12;

const orderTypes: Readonly<Record<string, OrderType>> = {
  LIMIT: "LIMIT",
  MARKET: "MARKET",
  LIMIT_MAKER: "LIMIT_MAKER",
  STOP_LOSS: "STOP_LOSS",
  STOP_LOSS_LIMIT: "STOP_LOSS_LIMIT",
  TAKE_PROFIT: "TAKE_PROFIT",
  TAKE_PROFIT_LIMIT: "TAKE_PROFIT_LIMIT",
  STOP_MARKET: "STOP_MARKET",
  TAKE_PROFIT_MARKET: "TAKE_PROFIT_MARKET",
  // Futures names for the same ideas: STOP is a stop-limit, TAKE_PROFIT a take-profit-limit.
  STOP: "STOP_LOSS_LIMIT",
  TRAILING_STOP_MARKET: "STOP_MARKET",
  // A liquidation is a market order the venue sent for us.
  LIQUIDATION: "MARKET",
};

const futuresOverrides: Readonly<Record<string, OrderType>> = { TAKE_PROFIT: "TAKE_PROFIT_LIMIT" };

const statuses: Readonly<Record<string, VenueOrderStatus>> = {
  NEW: "NEW",
  // An order-list leg waiting for its list; it works like NEW.
  PENDING_NEW: "NEW",
  PARTIALLY_FILLED: "PARTIALLY_FILLED",
  FILLED: "FILLED",
  CANCELED: "CANCELED",
  // Documented as unused; the order is still working until CANCELED arrives.
  PENDING_CANCEL: "NEW",
  REJECTED: "REJECTED",
  EXPIRED: "EXPIRED",
  // Self-trade prevention expired it.
  EXPIRED_IN_MATCH: "EXPIRED",
};

const timesInForce: ReadonlySet<string> = new Set(["GTC", "IOC", "FOK", "GTX"]);

export function orderType(market: Market, value: string): OrderType {
  const mapped = (market === "FUT" ? futuresOverrides[value] : undefined) ?? orderTypes[value];
  if (mapped === undefined) throw new WireError(`unknown order type ${value}`);
  return mapped;
}

export function orderStatus(value: string): VenueOrderStatus {
  const mapped = statuses[value];
  if (mapped === undefined) throw new WireError(`unknown order status ${value}`);
  return mapped;
}

export function side(value: string): Side {
  if (value === "BUY" || value === "SELL") return value;
  throw new WireError(`unknown side ${value}`);
}

/** GTD and RPI have no router equivalent; they read as "no time in force we manage". */
export function timeInForce(value: string | null): TimeInForce | null {
  return value !== null && timesInForce.has(value) ? (value as TimeInForce) : null;
}

function firstTime(object: WireObject, keys: readonly string[]): number {
  for (const key of keys) {
    const value = optionalInteger(object, key);
    if (value !== null && value > 0) return value;
  }
  return 0;
}

export function averagePrice(quote: Decimal, qty: Decimal): Decimal | null {
  if (!isPositive(qty)) return null;
  return normalize(div(quote, qty, averagePriceScale, "half_up"));
}

function fillsAverage(fills: readonly ExchangeFill[]): Decimal | null {
  const qty = sum(fills.map((fill) => fill.qty));
  return averagePrice(sum(fills.map((fill) => mul(fill.price, fill.qty))), qty);
}

/** FULL-response fills: matched at placement, so always taker; time is the transact time. */
function placementFills(value: unknown, tsMs: number): ExchangeFill[] {
  if (value === undefined) return [];
  return asArray(value, "fills").map((raw) => {
    const fill = asObject(raw, "fill");
    return {
      tradeId: id(fill, "tradeId"),
      price: decimalField(fill, "price"),
      qty: decimalField(fill, "qty"),
      fee: decimalField(fill, "commission"),
      feeAsset: text(fill, "commissionAsset"),
      liquidity: "TAKER",
      tsMs,
    };
  });
}

/**
 * A spot order object from POST/GET/DELETE /api/v3/order, openOrders or an orderReport.
 * On a cancel answer `clientOrderId` is the cancel's own id; the order's is `origClientOrderId`.
 */
export function parseSpotOrder(raw: unknown): ExchangeOrder {
  const order = asObject(raw, "spot order");
  const updateTimeMs = firstTime(order, ["updateTime", "transactTime", "workingTime", "time"]);
  const fills = placementFills(order["fills"], updateTimeMs);
  const filledQty = decimalField(order, "executedQty");
  const quote = optionalDecimal(order, "cummulativeQuoteQty") ?? zero;
  const listId = optionalInteger(order, "orderListId");
  return {
    market: "SPOT",
    symbol: text(order, "symbol"),
    exchangeOrderId: id(order, "orderId"),
    clientOrderId: optionalText(order, "origClientOrderId") ?? text(order, "clientOrderId"),
    side: side(text(order, "side")),
    type: orderType("SPOT", text(order, "type")),
    timeInForce: timeInForce(optionalText(order, "timeInForce")),
    qty: decimalField(order, "origQty"),
    price: positiveOrNull(optionalDecimal(order, "price")),
    stopPrice: positiveOrNull(optionalDecimal(order, "stopPrice")),
    status: orderStatus(text(order, "status")),
    filledQty,
    avgPrice: fills.length > 0 ? fillsAverage(fills) : averagePrice(quote, filledQty),
    fills,
    reduceOnly: false,
    orderListId: listId === null || listId < 0 ? null : String(listId),
    updateTimeMs,
  };
}

/** A USDⓈ-M order object (POST/GET/DELETE /fapi/v1/order, openOrders); it carries no fills. */
export function parseFuturesOrder(raw: unknown): ExchangeOrder {
  const order = asObject(raw, "futures order");
  const filledQty = decimalField(order, "executedQty");
  const avg = positiveOrNull(optionalDecimal(order, "avgPrice"));
  return {
    market: "FUT",
    symbol: text(order, "symbol"),
    exchangeOrderId: id(order, "orderId"),
    clientOrderId: text(order, "clientOrderId"),
    side: side(text(order, "side")),
    type: orderType("FUT", text(order, "type")),
    timeInForce: timeInForce(optionalText(order, "timeInForce")),
    qty: decimalField(order, "origQty"),
    price: positiveOrNull(optionalDecimal(order, "price")),
    stopPrice: positiveOrNull(optionalDecimal(order, "stopPrice")),
    status: orderStatus(text(order, "status")),
    filledQty,
    avgPrice: isPositive(filledQty)
      ? (avg ?? averagePrice(optionalDecimal(order, "cumQuote") ?? zero, filledQty))
      : null,
    fills: [],
    reduceOnly: flag(order, "reduceOnly"),
    orderListId: null,
    updateTimeMs: firstTime(order, ["updateTime", "time"]),
  };
}

/** GET /api/v3/myTrades rows (spot) and GET /fapi/v1/userTrades rows (futures). */
export function parseTrades(raw: unknown): ExchangeFill[] {
  return asArray(raw, "trades").map((row) => {
    const trade = asObject(row, "trade");
    const maker = flag(trade, "isMaker", flag(trade, "maker"));
    return {
      tradeId: id(trade, "id"),
      price: decimalField(trade, "price"),
      qty: decimalField(trade, "qty"),
      fee: decimalField(trade, "commission"),
      feeAsset: text(trade, "commissionAsset"),
      liquidity: maker ? "MAKER" : "TAKER",
      tsMs: integer(trade, "time"),
    };
  });
}

/** Trade rows of one order, by order id; a trades query may return a whole window. */
export function tradesOfOrder(raw: unknown, exchangeOrderId: string): ExchangeFill[] {
  const rows = asArray(raw, "trades").filter((row) => {
    const trade = asObject(row, "trade");
    return trade["orderId"] === undefined || id(trade, "orderId") === exchangeOrderId;
  });
  return parseTrades(rows);
}

const conditionalStatuses: ReadonlySet<string> = new Set([
  "NEW",
  "TRIGGERING",
  "TRIGGERED",
  "FINISHED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
]);

export function conditionalStatus(value: string): ConditionalStatus {
  if (!conditionalStatuses.has(value)) throw new WireError(`unknown algo status ${value}`);
  return value as ConditionalStatus;
}

/** Only the router's two algo types exist in the port; a limit variant reads as its trigger. */
export function conditionalType(value: string): ConditionalOrder["type"] {
  if (value === "TAKE_PROFIT_MARKET" || value === "TAKE_PROFIT") return "TAKE_PROFIT_MARKET";
  if (value === "STOP_MARKET" || value === "STOP" || value === "TRAILING_STOP_MARKET") {
    return "STOP_MARKET";
  }
  throw new WireError(`unknown algo order type ${value}`);
}

export function workingType(value: string | null): WorkingType {
  return value === "MARK_PRICE" ? "MARK_PRICE" : "CONTRACT_PRICE";
}

/**
 * An algo order from POST/GET /fapi/v1/algoOrder or openAlgoOrders. The order type key is
 * `orderType` (some copies say `type`). Executed quantity and average price come from
 * `executedQty`/`avgPrice` when present, else from the triggered order (`actualQty`/`actualPrice`)
 * once the algo has triggered.
 */
export function parseAlgoOrder(raw: unknown): ConditionalOrder {
  const order = asObject(raw, "algo order");
  const status = conditionalStatus(text(order, "algoStatus"));
  const triggered = status === "TRIGGERED" || status === "FINISHED";
  const closePosition = flag(order, "closePosition");
  const qty = positiveOrNull(optionalDecimal(order, "quantity"));
  const actualOrderId =
    optionalText(order, "actualOrderId") ?? optionalInteger(order, "actualOrderId");
  const filledQty =
    optionalDecimal(order, "executedQty") ??
    (triggered ? (optionalDecimal(order, "actualQty") ?? zero) : zero);
  const avgPrice =
    positiveOrNull(optionalDecimal(order, "avgPrice")) ??
    (triggered ? positiveOrNull(optionalDecimal(order, "actualPrice")) : null);
  return {
    symbol: text(order, "symbol"),
    algoId: id(order, "algoId"),
    clientAlgoId: text(order, "clientAlgoId"),
    side: side(text(order, "side")),
    type: conditionalType(optionalText(order, "orderType") ?? text(order, "type")),
    triggerPrice: decimalField(order, "triggerPrice"),
    workingType: workingType(optionalText(order, "workingType")),
    qty: closePosition ? null : qty,
    reduceOnly: flag(order, "reduceOnly"),
    closePosition,
    status,
    triggeredOrderId:
      actualOrderId === null || actualOrderId === "" || actualOrderId === 0
        ? null
        : String(actualOrderId),
    filledQty,
    avgPrice: isPositive(filledQty) ? avgPrice : null,
    updateTimeMs: firstTime(order, ["updateTime", "createTime"]),
  };
}

export function orderListStatus(value: string): OrderListStatus {
  if (value === "EXECUTING" || value === "ALL_DONE" || value === "REJECT") return value;
  throw new WireError(`unknown list order status ${value}`);
}

/** The list's own fields; `orders` comes from orderReports or from querying each leg. */
export function parseOrderListHeader(raw: unknown): Omit<OrderList, "orders"> & {
  readonly legs: readonly { readonly exchangeOrderId: string; readonly clientOrderId: string }[];
} {
  const list = asObject(raw, "order list");
  const legs = asArray(list["orders"] ?? [], "orders").map((leg) => {
    const object = asObject(leg, "order list leg");
    return { exchangeOrderId: id(object, "orderId"), clientOrderId: text(object, "clientOrderId") };
  });
  return {
    symbol: text(list, "symbol"),
    orderListId: id(list, "orderListId"),
    listClientOrderId: text(list, "listClientOrderId"),
    status: orderListStatus(text(list, "listOrderStatus")),
    updateTimeMs: firstTime(list, ["transactionTime"]),
    legs,
  };
}

/** An order list answer that carries orderReports (POST orderList/oco, DELETE orderList). */
export function parseOrderListWithReports(raw: unknown): OrderList {
  const list = asObject(raw, "order list");
  const { legs: _legs, ...header } = parseOrderListHeader(list);
  const orders = asArray(list["orderReports"] ?? [], "orderReports").map(parseSpotOrder);
  return { ...header, orders };
}
