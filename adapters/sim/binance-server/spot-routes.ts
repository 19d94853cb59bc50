// Spot trading and account endpoints (/api/v3): orders, open orders, all orders, OCO order lists,
// account, commission and trades. Engine refusals become Binance's codes (reject-codes.ts).

import type { SimOrderListResult } from "../engine/index.ts";
import { errors, failure } from "./api-errors.ts";
import {
  accountTrades,
  allOrders,
  type OrderReads,
  openOrders,
  orderRef,
  queryOrder,
} from "./order-reads.ts";
import {
  answer,
  bySymbol,
  fromEngine,
  type HandlerContext,
  type HandlerResult,
  invalid,
  refuse,
  type Route,
  routeOn,
  symbolSpec,
  symbolsOf,
  weight,
} from "./route.ts";
import { readOco, readSpotOrder, spotClientId } from "./spot-order-params.ts";
import {
  spotAccount,
  spotCanceled,
  spotCommission,
  spotList,
  spotListCanceled,
  spotListPlaced,
  spotPlaced,
  spotQueried,
  spotTrade,
} from "./spot-views.ts";

/** Spot order reads: -1102 names the client id first; history windows of 24 hours. */
const spotReads: OrderReads = {
  market: "SPOT",
  orderIdParams: ["origClientOrderId", "orderId"],
  allOrdersWindowMs: 24 * 60 * 60 * 1000,
  tradesWindowMs: 24 * 60 * 60 * 1000,
  orderView: (_venue, order) => spotQueried(order),
  tradeView: (_venue, order, fill) => spotTrade(order, fill),
};

/** Every spot trading and account route is SIGNED. */
const signed = routeOn("SPOT");

function placeOrder(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "SPOT");
  const params = spec === null ? null : readSpotOrder(context.read, spec.rules.symbol);
  if (params === null) return invalid(context.read)!;
  const placed = context.venue.engine.placeOrder(params.request, context.nowMs);
  return fromEngine(
    "SPOT",
    placed,
    "PLACE",
    spec,
    (order) => spotPlaced(order, params.responseType, params.stpMode),
    1,
  );
}

/** POST /api/v3/order/test: the parameter checks only. */
function testOrder(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "SPOT");
  const params = spec === null ? null : readSpotOrder(context.read, spec.rules.symbol);
  return params === null ? invalid(context.read)! : answer({});
}

function cancelOrder(context: HandlerContext): HandlerResult {
  const ref = orderRef(context, spotReads);
  const cancelId = spotClientId(context.read, "newClientOrderId");
  const restriction = context.read.oneOf(
    "cancelRestrictions",
    ["ONLY_NEW", "ONLY_PARTIALLY_FILLED"] as const,
    () =>
      failure(
        -1145,
        "`cancelRestrictions` has to be either `ONLY_NEW` or `ONLY_PARTIALLY_FILLED`.",
      ),
    false,
  );
  if (ref === null) return invalid(context.read)!;
  const { engine } = context.venue;
  const current = engine.queryOrder(ref, context.nowMs);
  if (restriction !== null && current.ok) {
    const wanted = restriction === "ONLY_NEW" ? "NEW" : "PARTIALLY_FILLED";
    if (current.value.status !== wanted) {
      return refuse(errors.cancelRejected("Order was not canceled due to cancel restrictions."));
    }
  }
  const orderId = current.ok ? current.value.orderId : ref.orderId;
  const { result, cancelIdOf } = context.venue.withCancel("SPOT", orderId, cancelId, () =>
    engine.cancelOrder(ref, context.nowMs),
  );
  return fromEngine("SPOT", result, "CANCEL", null, (order) =>
    spotCanceled(order, cancelIdOf(order.orderId), context.nowMs),
  );
}

/** DELETE /api/v3/openOrders: standalone orders as cancels, order lists once each. */
function cancelOpenOrders(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "SPOT");
  if (spec === null) return invalid(context.read)!;
  const { engine } = context.venue;
  const { result, cancelIdOf } = context.venue.withCancel("SPOT", null, null, () =>
    engine.cancelOpenOrders("SPOT", spec.rules.symbol, context.nowMs),
  );
  const rows: unknown[] = [];
  const lists = new Set<number>();
  for (const order of result) {
    if (order.orderListId === null) {
      rows.push(spotCanceled(order, cancelIdOf(order.orderId), context.nowMs));
      continue;
    }
    if (lists.has(order.orderListId)) continue;
    lists.add(order.orderListId);
    const list = engine.queryOrderList(
      { symbol: spec.rules.symbol, orderListId: order.orderListId, listClientOrderId: null },
      context.nowMs,
    );
    if (list.ok) rows.push(spotListCanceled(list.value, cancelIdOf, context.nowMs));
  }
  return answer(rows);
}

function placeOco(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "SPOT");
  const params = spec === null ? null : readOco(context.read, spec.rules.symbol);
  if (params === null) return invalid(context.read)!;
  const placed = context.venue.engine.placeOco(params.request, context.nowMs);
  return fromEngine(
    "SPOT",
    placed,
    "PLACE",
    spec,
    (list) => spotListPlaced(list, params.responseType),
    2,
  );
}

function cancelOrderList(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "SPOT");
  const { read, venue, nowMs } = context;
  read.eitherOf("orderListId", "listClientOrderId");
  const orderListId = read.integer("orderListId");
  const listClientOrderId = read.text("listClientOrderId");
  if (spec === null || read.failure !== null) return invalid(read)!;
  const ref = { symbol: spec.rules.symbol, orderListId, listClientOrderId };
  const { result, cancelIdOf } = venue.withCancel("SPOT", null, null, () =>
    venue.engine.cancelOrderList(ref, nowMs),
  );
  if (!result.ok) return refuse(errors.cancelRejected("Unknown order sent."));
  return answer(spotListCanceled(result.value, cancelIdOf, nowMs));
}

/** GET /api/v3/orderList: orderListId | origClientOrderId, no symbol (searched). */
function queryOrderList(context: HandlerContext): HandlerResult {
  const { read, venue, nowMs } = context;
  read.eitherOf("orderListId", "origClientOrderId");
  const orderListId = read.integer("orderListId");
  const listClientOrderId = read.text("origClientOrderId");
  if (read.failure !== null) return invalid(read)!;
  for (const symbol of symbolsOf(context, "SPOT")) {
    const ref = { symbol, orderListId, listClientOrderId };
    const found = venue.engine.queryOrderList(ref, nowMs);
    if (found.ok) return answer(spotList(found.value));
  }
  return refuse({ status: 400, code: -2013, msg: "Order list does not exist." });
}

function openOrderLists(context: HandlerContext): HandlerResult {
  const lists: SimOrderListResult[] = context.venue.engine.openOrderLists(null, context.nowMs);
  return answer(lists.map(spotList));
}

function account(context: HandlerContext): HandlerResult {
  const omitZero = context.read.flag("omitZeroBalances");
  if (context.read.failure !== null) return invalid(context.read)!;
  const { engine } = context.venue;
  const balances = engine.spotBalances(context.nowMs);
  const fee = engine.commission("SPOT").taker;
  return answer(spotAccount(balances, fee, omitZero, context.nowMs));
}

function commission(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "SPOT");
  if (spec === null) return invalid(context.read)!;
  const rates = context.venue.engine.commission("SPOT");
  return answer(spotCommission(spec.rules.symbol, rates.maker, rates.taker));
}

export const spotRoutes: readonly Route[] = [
  signed("POST", "/api/v3/order", "PLACE", weight(1), placeOrder),
  signed("POST", "/api/v3/order/test", "PLACE", weight(1), testOrder),
  signed("DELETE", "/api/v3/order", "CANCEL", weight(1), cancelOrder),
  signed("GET", "/api/v3/order", "QUERY", weight(4), queryOrder(spotReads)),
  signed("GET", "/api/v3/openOrders", "QUERY", bySymbol(6, 80), openOrders(spotReads)),
  signed("DELETE", "/api/v3/openOrders", "CANCEL", weight(1), cancelOpenOrders),
  signed("GET", "/api/v3/allOrders", "QUERY", weight(20), allOrders(spotReads)),
  signed("GET", "/api/v3/myTrades", "QUERY", weight(20), accountTrades(spotReads)),
  signed("POST", "/api/v3/orderList/oco", "PLACE", weight(1), placeOco),
  signed("DELETE", "/api/v3/orderList", "CANCEL", weight(1), cancelOrderList),
  signed("GET", "/api/v3/orderList", "QUERY", weight(4), queryOrderList),
  signed("GET", "/api/v3/openOrderList", "QUERY", weight(6), openOrderLists),
  signed("GET", "/api/v3/account", "ACCOUNT", weight(20), account),
  signed("GET", "/api/v3/account/commission", "ACCOUNT", weight(20), commission),
];
