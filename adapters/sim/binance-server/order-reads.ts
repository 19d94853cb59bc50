// The order reads spot (/api/v3) and USDⓈ-M (/fapi/v1) answer alike: one order, open orders, all
// orders and the account's trades (myTrades / userTrades), the history by Binance's rules
// (history-window.ts). What differs per product is passed in, explicitly: the order in which
// -1102 names the ids, the history windows and the row views.

import type { Market } from "../../../domain/instrument/index.ts";
import type { SimFill, SimOrder, SimOrderRef } from "../engine/index.ts";
import { readHistoryQuery, selectHistory } from "./history-window.ts";
import {
  answer,
  fromEngine,
  type HandlerContext,
  type HandlerResult,
  invalid,
  optionalSymbol,
  symbolSpec,
} from "./route.ts";
import type { VenueState } from "./venue-state.ts";

/** What one market's order reads differ by. */
export interface OrderReads {
  readonly market: Market;
  /** The two ids of an order as -1102 names them: spot puts the client id first. */
  readonly orderIdParams:
    | readonly ["origClientOrderId", "orderId"]
    | readonly ["orderId", "origClientOrderId"];
  /** allOrders: startTime and endTime at most this far apart. */
  readonly allOrdersWindowMs: number;
  /** myTrades / userTrades: startTime and endTime at most this far apart. */
  readonly tradesWindowMs: number;
  /** An order row as the market shows it (allOrders, openOrders, a query). */
  readonly orderView: (venue: VenueState, order: SimOrder) => unknown;
  /** A trade row as the market shows it. */
  readonly tradeView: (venue: VenueState, order: SimOrder, fill: SimFill) => unknown;
}

/** symbol + orderId | origClientOrderId (neither → -1102); null after a failed read. */
export function orderRef(context: HandlerContext, reads: OrderReads): SimOrderRef | null {
  const spec = symbolSpec(context, reads.market);
  const { read } = context;
  const [first, second] = reads.orderIdParams;
  read.eitherOf(first, second);
  const orderId = read.integer("orderId");
  const clientOrderId = read.text("origClientOrderId");
  if (spec === null || read.failure !== null) return null;
  return { market: reads.market, symbol: spec.rules.symbol, orderId, clientOrderId };
}

/** GET order: one order by its ids, in any status. */
export function queryOrder(reads: OrderReads) {
  return (context: HandlerContext): HandlerResult => {
    const ref = orderRef(context, reads);
    if (ref === null) return invalid(context.read)!;
    const found = context.venue.engine.queryOrder(ref, context.nowMs);
    const view = (order: SimOrder) => reads.orderView(context.venue, order);
    return fromEngine(reads.market, found, "QUERY", null, view);
  };
}

/** GET openOrders: the open orders of `symbol`, or of every symbol. */
export function openOrders(reads: OrderReads) {
  return (context: HandlerContext): HandlerResult => {
    const symbol = optionalSymbol(context, reads.market);
    if (context.read.failure !== null) return invalid(context.read)!;
    const open = context.venue.engine.openOrders(reads.market, symbol, context.nowMs);
    return answer(open.map((order) => reads.orderView(context.venue, order)));
  };
}

/** Every remembered order of a symbol, oldest first. */
function rememberedOrders(context: HandlerContext, market: Market, symbol: string): SimOrder[] {
  const { venue, nowMs } = context;
  const orders: SimOrder[] = [];
  for (const orderId of venue.orderIdsOf(market, symbol)) {
    const ref = { market, symbol, orderId, clientOrderId: null };
    const found = venue.engine.queryOrder(ref, nowMs);
    if (found.ok) orders.push(found.value);
  }
  return orders;
}

/** GET allOrders: the symbol's orders from `orderId`, or in a time window. */
export function allOrders(reads: OrderReads) {
  return (context: HandlerContext): HandlerResult => {
    const spec = symbolSpec(context, reads.market);
    const query = readHistoryQuery(context.read, "orderId", reads.allOrdersWindowMs);
    if (spec === null || query === null) return invalid(context.read)!;
    const orders = selectHistory(
      rememberedOrders(context, reads.market, spec.rules.symbol),
      (order) => order.orderId,
      (order) => order.createdMs,
      query,
    );
    return answer(orders.map((order) => reads.orderView(context.venue, order)));
  };
}

/** GET myTrades / userTrades: the symbol's fills (of one order when `orderId` is sent). */
export function accountTrades(reads: OrderReads) {
  return (context: HandlerContext): HandlerResult => {
    const spec = symbolSpec(context, reads.market);
    const orderId = context.read.integer("orderId");
    const query = readHistoryQuery(context.read, "fromId", reads.tradesWindowMs);
    if (spec === null || query === null) return invalid(context.read)!;
    const orders = rememberedOrders(context, reads.market, spec.rules.symbol).filter(
      (order) => orderId === null || order.orderId === orderId,
    );
    const rows = orders.flatMap((order) => order.fills.map((fill) => ({ order, fill })));
    rows.sort((a, b) => a.fill.tradeId - b.fill.tradeId);
    const chosen = selectHistory(
      rows,
      (row) => row.fill.tradeId,
      (row) => row.fill.tsMs,
      query,
    );
    return answer(chosen.map(({ order, fill }) => reads.tradeView(context.venue, order, fill)));
  };
}
