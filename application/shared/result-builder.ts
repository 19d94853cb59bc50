// Builds the OrderResult of an intent from what the store holds, so a first answer, a replay and
// a lookup after a restart all say the same thing.

import {
  add,
  type Decimal,
  formatDecimal,
  isPositive,
  mul,
  zero,
} from "../../domain/decimal/index.ts";
import { quantityWeightedMean } from "../../domain/execution/index.ts";
import {
  averagePrice,
  type Fill,
  isTerminal,
  type Order,
  type OrderResult,
  type ResultExec,
  type ResultFill,
  type ResultLeg,
  type ResultStatus,
} from "../../domain/order/index.ts";

export interface ResultContext {
  readonly intentId: string;
  readonly uuid: string | null;
  readonly parent: Order;
  /** Every order of the intent, parent included. */
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
  readonly exec: ResultExec | null;
  /** Orders a client-side guardian watches (shown as `guardian: true`). */
  readonly guardedOrderIds?: ReadonlySet<string>;
  readonly code?: string;
  readonly message?: string;
}

const protectiveRoles = new Set(["TP", "SL"]);

export function toResultFill(fill: Fill): ResultFill {
  return {
    fill_id: fill.fillId,
    order_id: fill.orderId,
    exchange_trade_id: fill.tradeId,
    price: formatDecimal(fill.price),
    qty: formatDecimal(fill.qty),
    fee: formatDecimal(fill.fee),
    fee_asset: fill.feeAsset,
    liquidity: fill.liquidity,
    slippage_bps: fill.slippageBps,
    ts: fill.tsMs,
  };
}

function toLeg(order: Order, guarded: ReadonlySet<string> | undefined): ResultLeg {
  const leg: ResultLeg = {
    role: order.role === "TP" || order.role === "SL" ? order.role : "ENTRY",
    order_id: order.orderId,
    client_order_id: order.clientOrderId,
    type: order.type,
    status: legStatus(order),
  };
  if (order.exchangeOrderId !== null) leg.exchange_order_id = order.exchangeOrderId;
  if (order.price !== null) leg.price = formatDecimal(order.price);
  if (order.stopPrice !== null) leg.stop_price = formatDecimal(order.stopPrice);
  if (guarded?.has(order.orderId)) leg.guardian = true;
  return leg;
}

/** Protective legs that are working read ACCEPTED, as DESIGN §3.2 shows them. */
function legStatus(order: Order): string {
  if (order.status === "NEW" || order.status === "PENDING_NEW") return "ACCEPTED";
  return order.status;
}

/** The intent-level status from its parent order and whatever else is still working. */
export function intentStatus(parent: Order, orders: readonly Order[]): ResultStatus {
  const somethingWorks = orders.some(
    (order) => order.orderId !== parent.orderId && !isTerminal(order.status),
  );
  switch (parent.status) {
    case "PENDING_NEW":
    case "UNKNOWN":
      return "NEW";
    case "NEW":
    case "TRIGGERED":
    case "PENDING_CANCEL":
      return isPositive(parent.filledQty) ? "PARTIALLY_FILLED" : "ACCEPTED";
    case "PARTIALLY_FILLED":
      return "PARTIALLY_FILLED";
    case "FILLED":
      return somethingWorks ? "ACCEPTED" : "FILLED";
    case "CANCELED":
    case "EXPIRED":
      // An IOC that filled in part is final: it reads as what it did, not as a failure.
      if (isPositive(parent.filledQty)) return somethingWorks ? "ACCEPTED" : "PARTIALLY_FILLED";
      return "CANCELED";
    case "REJECTED":
      return "REJECTED";
  }
}

export function buildOrderResult(context: ResultContext): OrderResult {
  const { parent } = context;
  const protective = context.orders.filter((order) => protectiveRoles.has(order.role));
  const protectiveIds = new Set(protective.map((order) => order.orderId));
  const entryFills = context.fills
    .filter((fill) => !protectiveIds.has(fill.orderId))
    .sort((a, b) => a.tsMs - b.tsMs || a.tradeId.localeCompare(b.tradeId));
  let filledQty: Decimal = zero;
  let filledQuote: Decimal = zero;
  for (const fill of entryFills) {
    filledQty = add(filledQty, fill.qty);
    filledQuote = add(filledQuote, mul(fill.price, fill.qty));
  }
  const status = intentStatus(parent, context.orders);
  const result: OrderResult = {
    result: status === "REJECTED" ? "FAIL" : "OK",
    status,
    intent_id: context.intentId,
    order_id: parent.orderId,
    client_order_id: parent.clientOrderId,
    order_ids: context.orders.map((order) => order.orderId),
    market: parent.market,
    symbol: parent.symbol,
    side: parent.side,
    qty: formatDecimal(parent.qty),
    filled_qty: formatDecimal(filledQty),
    fills: entryFills.map(toResultFill),
    legs: protective.map((order) => toLeg(order, context.guardedOrderIds)),
  };
  if (context.uuid !== null) result.uuid = context.uuid;
  if (parent.exchangeOrderId !== null) result.exchange_order_id = parent.exchangeOrderId;
  const average = averagePrice(filledQuote, filledQty);
  if (average !== null) {
    result.avg_price = formatDecimal(average);
    result.filled_avg = result.avg_price;
  }
  const slippage = quantityWeightedMean(
    entryFills.flatMap((fill) =>
      fill.slippageBps === null ? [] : [{ qty: fill.qty, value: fill.slippageBps }],
    ),
  );
  if (slippage !== null) result.slippage_bps = Math.round(slippage * 1e4) / 1e4;
  if (context.exec !== null) result.exec = context.exec;
  if (context.code !== undefined) result.code = context.code;
  if (context.message !== undefined) result.message = context.message;
  return result;
}
