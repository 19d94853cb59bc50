// USDⓈ-M trading and account endpoints (/fapi): orders (LIMIT incl. GTX, MARKET), algo orders,
// leverage and its brackets, margin type, positions (v2, v3), account, balance, commission and
// the listenKey. History (allOrders, userTrades) follows Binance's id / time-window rules.

import { isZero } from "../../../domain/decimal/index.ts";
import type { SimAlgoOrder, SimOrderState } from "../engine/index.ts";
import { errors, futuresErrors } from "./api-errors.ts";
import { futuresPrecision } from "./exchange-info.ts";
import { readAlgoOrder, readFuturesOrder } from "./futures-order-params.ts";
import { readHistoryQuery, selectHistory } from "./history-window.ts";
import {
  accountTrades,
  allOrders,
  type OrderReads,
  openOrders,
  orderRef,
  queryOrder,
} from "./order-reads.ts";
import {
  algoOrder,
  futuresAccount,
  futuresBalances,
  futuresOrder,
  futuresTrade,
  leverageBrackets,
  maxNotional,
  positionV2,
  positionV3,
  symbolConfig,
} from "./futures-views.ts";
import {
  answer,
  bySymbol,
  fromEngine,
  futuresFormat,
  type HandlerContext,
  type HandlerResult,
  invalid,
  optionalSymbol,
  refuse,
  type Route,
  routeOn,
  symbolSpec,
  symbolsOf,
  weight,
} from "./route.ts";
import type { VenueState } from "./venue-state.ts";
import { atLeast } from "./wire-format.ts";

const route = routeOn("FUT");

/** allOrders and userTrades: startTime and endTime at most seven days apart. */
const historyWindowMs = 7 * 24 * 60 * 60 * 1000;
const cancelAllDone = { code: 200, msg: "The operation of cancel all open order is done." };

/** The order as Binance shows it; a triggered algo's order keeps the algo type as origType. */
export function futuresOrderView(venue: VenueState, order: SimOrderState, accepted = false) {
  const origType = order.algoId === null ? null : venue.algoTypeOf(order.algoId);
  return futuresOrder(order, futuresFormat(venue, order.symbol), origType, accepted);
}

/** USDⓈ-M order reads: -1102 names orderId first; history windows of seven days. */
const futuresReads: OrderReads = {
  market: "FUT",
  orderIdParams: ["orderId", "origClientOrderId"],
  allOrdersWindowMs: historyWindowMs,
  tradesWindowMs: historyWindowMs,
  orderView: (venue, order) => futuresOrderView(venue, order),
  tradeView: (venue, order, fill) => futuresTrade(order, fill, futuresFormat(venue, order.symbol)),
};

function placeOrder(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "FUT");
  const params =
    spec === null ? null : readFuturesOrder(context.read, spec, futuresPrecision(spec.rules));
  if (params === null) return invalid(context.read)!;
  const placed = context.venue.engine.placeOrder(params.request, context.nowMs);
  const accepted = params.responseType === "ACK";
  return fromEngine(
    "FUT",
    placed,
    "PLACE",
    spec,
    (order) => futuresOrderView(context.venue, order, accepted),
    1,
  );
}

function cancelOrder(context: HandlerContext): HandlerResult {
  const ref = orderRef(context, futuresReads);
  if (ref === null) return invalid(context.read)!;
  const canceled = context.venue.engine.cancelOrder(ref, context.nowMs);
  return fromEngine("FUT", canceled, "CANCEL", null, (o) => futuresOrderView(context.venue, o));
}

/** GET /fapi/v1/openOrder: like a query, but a filled or cancelled order does not exist. */
function queryOpenOrder(context: HandlerContext): HandlerResult {
  const ref = orderRef(context, futuresReads);
  if (ref === null) return invalid(context.read)!;
  const found = context.venue.engine.queryOrder(ref, context.nowMs);
  const open = found.ok && ["NEW", "PARTIALLY_FILLED"].includes(found.value.status);
  if (found.ok && !open) return refuse(errors.noSuchOrder());
  return fromEngine("FUT", found, "QUERY", null, (o) => futuresOrderView(context.venue, o));
}

function cancelAllOrders(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "FUT");
  if (spec === null) return invalid(context.read)!;
  context.venue.engine.cancelOpenOrders("FUT", spec.rules.symbol, context.nowMs);
  return answer(cancelAllDone);
}

function algoView(venue: VenueState, algo: SimAlgoOrder) {
  return algoOrder(algo, futuresFormat(venue, algo.symbol));
}

function placeAlgo(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "FUT");
  const request =
    spec === null ? null : readAlgoOrder(context.read, spec, futuresPrecision(spec.rules));
  if (request === null) return invalid(context.read)!;
  const placed = context.venue.engine.placeAlgo(request, context.nowMs);
  return fromEngine("FUT", placed, "PLACE", spec, (algo) => algoView(context.venue, algo), 1);
}

function algoRef(context: HandlerContext) {
  context.read.eitherOf("algoId", "clientAlgoId");
  const algoId = context.read.integer("algoId");
  const clientAlgoId = context.read.text("clientAlgoId");
  return context.read.failure === null ? { algoId, clientAlgoId } : null;
}

function cancelAlgo(context: HandlerContext): HandlerResult {
  const ref = algoRef(context);
  if (ref === null) return invalid(context.read)!;
  const canceled = context.venue.engine.cancelAlgo(ref, context.nowMs);
  return fromEngine("FUT", canceled, "CANCEL", null, (algo) => ({
    algoId: algo.algoId,
    clientAlgoId: algo.clientAlgoId,
    code: "200",
    msg: "success",
  }));
}

function queryAlgo(context: HandlerContext): HandlerResult {
  const ref = algoRef(context);
  if (ref === null) return invalid(context.read)!;
  const found = context.venue.engine.queryAlgo(ref, context.nowMs);
  return fromEngine("FUT", found, "QUERY", null, (algo) => algoView(context.venue, algo));
}

function openAlgos(context: HandlerContext): HandlerResult {
  const symbol = optionalSymbol(context, "FUT");
  if (context.read.failure !== null) return invalid(context.read)!;
  const open = context.venue.engine.openAlgos(symbol, context.nowMs);
  return answer(open.map((algo) => algoView(context.venue, algo)));
}

/** GET /fapi/v1/allAlgoOrders: the symbol's algo orders, by Binance's history rules. */
function allAlgos(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "FUT");
  const query = readHistoryQuery(context.read, "algoId", historyWindowMs);
  if (spec === null || query === null) return invalid(context.read)!;
  const { venue, nowMs } = context;
  const algos: SimAlgoOrder[] = [];
  for (const algoId of venue.algoIds()) {
    const found = venue.engine.queryAlgo({ algoId, clientAlgoId: null }, nowMs);
    if (found.ok && found.value.symbol === spec.rules.symbol) algos.push(found.value);
  }
  const chosen = selectHistory(
    algos,
    (algo) => algo.algoId,
    (algo) => algo.createdMs,
    query,
  );
  return answer(chosen.map((algo) => algoView(venue, algo)));
}

function cancelOpenAlgos(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "FUT");
  if (spec === null) return invalid(context.read)!;
  context.venue.engine.cancelOpenAlgos(spec.rules.symbol, context.nowMs);
  return answer(cancelAllDone);
}

function leverage(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "FUT");
  const value = context.read.integer("leverage", true);
  if (spec === null || value === null) return invalid(context.read)!;
  const set = context.venue.engine.setLeverage(spec.rules.symbol, value, context.nowMs);
  return fromEngine("FUT", set, "OTHER", spec, (config) => ({
    leverage: config.leverage,
    maxNotionalValue: maxNotional(config.leverage),
    symbol: config.symbol,
  }));
}

function marginType(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "FUT");
  const invalidType = () => errors.invalidParameter("marginType");
  const type = context.read.oneOf(
    "marginType",
    ["ISOLATED", "CROSSED"] as const,
    invalidType,
    true,
  );
  if (spec === null || type === null) return invalid(context.read)!;
  const set = context.venue.engine.setMarginType(spec.rules.symbol, type, context.nowMs);
  if (set.ok && set.value.alreadySet) return refuse(futuresErrors.marginTypeUnchanged());
  return fromEngine("FUT", set, "OTHER", spec, () => ({ code: 200, msg: "success" }));
}

function symbolConfigs(context: HandlerContext): HandlerResult {
  const symbol = optionalSymbol(context, "FUT");
  if (context.read.failure !== null) return invalid(context.read)!;
  const { engine } = context.venue;
  const names = symbol === null ? symbolsOf(context, "FUT") : [symbol];
  const configs = names.flatMap((name) => {
    const config = engine.symbolConfig(name);
    return config === null ? [] : [symbolConfig(config)];
  });
  return answer(configs);
}

function positionRisk(version: 2 | 3) {
  return (context: HandlerContext): HandlerResult => {
    const symbol = optionalSymbol(context, "FUT");
    if (context.read.failure !== null) return invalid(context.read)!;
    const { venue, nowMs } = context;
    const positions = venue.engine.positions(symbol, nowMs);
    if (version === 2) {
      return answer(positions.map((p) => positionV2(p, futuresFormat(venue, p.symbol), nowMs)));
    }
    const open = new Set(venue.engine.openOrders("FUT", symbol, nowMs).map((o) => o.symbol));
    const shown = positions.filter((p) => !isZero(p.qty) || open.has(p.symbol));
    return answer(shown.map((p) => positionV3(p, futuresFormat(venue, p.symbol), nowMs)));
  };
}

function accountInfo(version: 2 | 3) {
  return (context: HandlerContext): HandlerResult => {
    const { venue, nowMs } = context;
    const account = venue.engine.futuresAccount(nowMs);
    const positions = venue.engine.positions(null, nowMs);
    const format = (symbol: string) => futuresFormat(venue, symbol);
    return answer(futuresAccount(account, positions, format, version, nowMs));
  };
}

function balance(context: HandlerContext): HandlerResult {
  const { venue, nowMs } = context;
  const account = venue.engine.futuresAccount(nowMs);
  return answer(futuresBalances(account, venue.engine.positions(null, nowMs), nowMs));
}

function commissionRate(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "FUT");
  if (spec === null) return invalid(context.read)!;
  const rates = context.venue.engine.commission("FUT");
  return answer({
    symbol: spec.rules.symbol,
    makerCommissionRate: atLeast(rates.maker, 4),
    takerCommissionRate: atLeast(rates.taker, 4),
    rpiCommissionRate: "0",
  });
}

/** GET /fapi/v1/leverageBracket: one object for `symbol`, else an array of every symbol. */
function leverageBracket(context: HandlerContext): HandlerResult {
  const symbol = optionalSymbol(context, "FUT");
  if (context.read.failure !== null) return invalid(context.read)!;
  if (symbol !== null) return answer(leverageBrackets(symbol));
  return answer(symbolsOf(context, "FUT").map(leverageBrackets));
}

function positionMode(): HandlerResult {
  return answer({ dualSidePosition: false });
}

/**
 * POST /fapi/v1/positionSide/dual: the account is in one-way mode, so asking for it again is
 * Binance's -4059; hedge mode is not simulated (-1020).
 */
function changePositionMode(context: HandlerContext): HandlerResult {
  const read = context.read;
  read.required("dualSidePosition");
  const dual = read.flag("dualSidePosition");
  if (read.failure !== null) return invalid(read)!;
  return refuse(dual ? errors.unsupportedOperation() : futuresErrors.positionSideUnchanged());
}

function listenKeyCreate(context: HandlerContext): HandlerResult {
  return answer({ listenKey: context.listenKeys.create(context.nowMs) });
}

function listenKeyKeepAlive(context: HandlerContext): HandlerResult {
  const key = context.listenKeys.keepAlive(context.nowMs);
  return key === null ? refuse(errors.listenKeyMissing()) : answer({ listenKey: key });
}

function listenKeyClose(context: HandlerContext): HandlerResult {
  context.listenKeys.close();
  return answer({});
}

export const futuresRoutes: readonly Route[] = [
  route("POST", "/fapi/v1/order", "PLACE", weight(0), placeOrder),
  route("DELETE", "/fapi/v1/order", "CANCEL", weight(1), cancelOrder),
  route("GET", "/fapi/v1/order", "QUERY", weight(1), queryOrder(futuresReads)),
  route("GET", "/fapi/v1/openOrder", "QUERY", weight(1), queryOpenOrder),
  route("GET", "/fapi/v1/openOrders", "QUERY", bySymbol(1, 40), openOrders(futuresReads)),
  route("DELETE", "/fapi/v1/allOpenOrders", "CANCEL", weight(1), cancelAllOrders),
  route("GET", "/fapi/v1/allOrders", "QUERY", weight(5), allOrders(futuresReads)),
  route("GET", "/fapi/v1/userTrades", "QUERY", weight(5), accountTrades(futuresReads)),
  route("POST", "/fapi/v1/algoOrder", "PLACE", weight(0), placeAlgo),
  route("DELETE", "/fapi/v1/algoOrder", "CANCEL", weight(1), cancelAlgo),
  route("GET", "/fapi/v1/algoOrder", "QUERY", weight(1), queryAlgo),
  route("GET", "/fapi/v1/openAlgoOrders", "QUERY", bySymbol(1, 40), openAlgos),
  route("GET", "/fapi/v1/allAlgoOrders", "QUERY", weight(5), allAlgos),
  route("DELETE", "/fapi/v1/algoOpenOrders", "CANCEL", weight(1), cancelOpenAlgos),
  route("POST", "/fapi/v1/leverage", "ACCOUNT", weight(1), leverage),
  route("POST", "/fapi/v1/marginType", "ACCOUNT", weight(1), marginType),
  route("GET", "/fapi/v1/symbolConfig", "ACCOUNT", weight(5), symbolConfigs),
  route("GET", "/fapi/v1/leverageBracket", "ACCOUNT", weight(1), leverageBracket),
  route("GET", "/fapi/v1/positionSide/dual", "ACCOUNT", weight(30), positionMode),
  route("POST", "/fapi/v1/positionSide/dual", "ACCOUNT", weight(1), changePositionMode),
  route("GET", "/fapi/v2/positionRisk", "ACCOUNT", weight(5), positionRisk(2)),
  route("GET", "/fapi/v3/positionRisk", "ACCOUNT", weight(5), positionRisk(3)),
  route("GET", "/fapi/v2/account", "ACCOUNT", weight(5), accountInfo(2)),
  route("GET", "/fapi/v3/account", "ACCOUNT", weight(5), accountInfo(3)),
  route("GET", "/fapi/v2/balance", "ACCOUNT", weight(5), balance),
  route("GET", "/fapi/v3/balance", "ACCOUNT", weight(5), balance),
  route("GET", "/fapi/v1/commissionRate", "ACCOUNT", weight(20), commissionRate),
  route("POST", "/fapi/v1/listenKey", "ACCOUNT", weight(1), listenKeyCreate, "API_KEY"),
  route("PUT", "/fapi/v1/listenKey", "ACCOUNT", weight(1), listenKeyKeepAlive, "API_KEY"),
  route("DELETE", "/fapi/v1/listenKey", "ACCOUNT", weight(1), listenKeyClose, "API_KEY"),
];
