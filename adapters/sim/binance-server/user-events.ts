// Engine events as Binance user-data payloads. Spot (WebSocket API, later wrapped as
// {subscriptionId, event}): executionReport, listStatus, outboundAccountPosition, balanceUpdate.
// USDⓈ-M (listenKey stream, raw): ORDER_TRADE_UPDATE, ALGO_UPDATE, ACCOUNT_UPDATE,
// ACCOUNT_CONFIG_UPDATE. Field names and types follow the recorded fixtures.

import { zero } from "../../../domain/decimal/index.ts";
import type {
  SimAlgoOrder,
  SimEvent,
  SimExpiryReason,
  SimOrderList,
  SimPosition,
} from "../engine/index.ts";
import { averageOf, money } from "./futures-views.ts";
import { futuresFormat } from "./route.ts";
import { defaultStpMode, type Json } from "./spot-views.ts";
import type { VenueState } from "./venue-state.ts";
import { atLeast, spot } from "./wire-format.ts";

type OrderUpdate = Extract<SimEvent, { kind: "ORDER_UPDATE" }>;
type AccountUpdate = Extract<SimEvent, { kind: "FUTURES_ACCOUNT_UPDATE" }>;

/** Futures `er` (expiry reason) codes. */
const futuresExpiryReasons: Readonly<Record<SimExpiryReason, string>> = {
  IOC_REMAINDER: "2",
  FOK_NOT_FILLED: "2",
  MARKET_REMAINDER: "9",
  INSUFFICIENT_LIQUIDITY: "9",
  REDUCE_ONLY_KNOCKED_OUT: "4",
  OCO_SIBLING: "0",
};

export function executionReport(venue: VenueState, event: OrderUpdate): Json | null {
  if (event.execution === "TRIGGERED") return null;
  const { order, fill } = event;
  const canceled = event.execution === "CANCELED";
  const onBook =
    order.working &&
    order.type !== "MARKET" &&
    (order.status === "NEW" || order.status === "PARTIALLY_FILLED");
  const report: Json = {
    e: "executionReport",
    E: event.tsMs,
    s: order.symbol,
    c: canceled ? venue.cancelIdOf("SPOT", order.orderId) : order.clientOrderId,
    S: order.side,
    o: order.type,
    f: order.timeInForce ?? "GTC",
    q: spot(order.qty),
    p: spot(order.price),
    P: spot(order.stopPrice),
    F: spot(zero),
    g: order.orderListId ?? -1,
    C: canceled ? order.clientOrderId : "",
    x: event.execution,
    X: order.status,
    r: "NONE",
    i: order.orderId,
    l: spot(fill?.qty ?? zero),
    z: spot(order.filledQty),
    L: spot(fill?.price ?? zero),
    n: fill === null ? "0" : spot(fill.fee),
    N: fill?.feeAsset ?? null,
    T: fill?.tsMs ?? event.tsMs,
    t: fill?.tradeId ?? -1,
    I: venue.nextExecutionId(),
    w: onBook,
    m: fill?.liquidity === "MAKER",
    M: false,
    O: order.createdMs,
    Z: spot(order.filledQuote),
    Y: spot(fill?.quoteQty ?? zero),
    Q: spot(order.quoteOrderQty ?? zero),
  };
  if (order.workingTimeMs !== null) report["W"] = order.workingTimeMs;
  report["V"] = defaultStpMode;
  return report;
}

export function listStatus(venue: VenueState, list: SimOrderList, tsMs: number): Json {
  return {
    e: "listStatus",
    E: tsMs,
    s: list.symbol,
    g: list.orderListId,
    c: list.contingencyType,
    l: list.listStatusType,
    L: list.listOrderStatus,
    r: "NONE",
    C: list.listClientOrderId,
    T: list.updatedMs,
    O: list.orderIds.map((orderId) => ({
      s: list.symbol,
      i: orderId,
      c: venue.clientIdOf("SPOT", orderId) ?? "",
    })),
  };
}

/** outboundAccountPosition, preceded by balanceUpdate for a transfer. */
export function spotBalanceEvents(
  event: Extract<SimEvent, { kind: "SPOT_BALANCE_UPDATE" }>,
): Json[] {
  const events: Json[] = [];
  if (event.delta !== null) {
    events.push({
      e: "balanceUpdate",
      E: event.tsMs,
      a: event.delta.asset,
      d: spot(event.delta.amount),
      T: event.tsMs,
    });
  }
  events.push({
    e: "outboundAccountPosition",
    E: event.tsMs,
    u: event.tsMs,
    B: event.balances.map((b) => ({ a: b.asset, f: spot(b.free), l: spot(b.locked) })),
  });
  return events;
}

export function orderTradeUpdate(venue: VenueState, event: OrderUpdate): Json | null {
  if (event.execution === "TRIGGERED") return null;
  const { order, fill } = event;
  const format = futuresFormat(venue, order.symbol);
  const origType = order.algoId === null ? null : venue.algoTypeOf(order.algoId);
  return {
    e: "ORDER_TRADE_UPDATE",
    T: fill?.tsMs ?? event.tsMs,
    E: event.tsMs,
    o: {
      s: order.symbol,
      c: order.clientOrderId,
      S: order.side,
      o: order.type,
      f: order.timeInForce ?? "GTC",
      q: format.qty(order.qty),
      p: format.price(order.price),
      ap: format.average(order.filledQuote, order.filledQty),
      sp: format.price(order.stopPrice),
      x: event.execution,
      X: order.status,
      i: order.orderId,
      l: format.qty(fill?.qty ?? zero),
      z: format.qty(order.filledQty),
      L: format.price(fill?.price ?? zero),
      N: fill?.feeAsset ?? "USDT",
      n: fill === null ? "0" : money(fill.fee),
      T: fill?.tsMs ?? event.tsMs,
      t: fill?.tradeId ?? 0,
      b: "0",
      a: "0",
      m: fill?.liquidity === "MAKER",
      R: order.reduceOnly,
      wt: "CONTRACT_PRICE",
      ot: origType ?? order.type,
      ps: "BOTH",
      cp: order.closePosition,
      AP: "0",
      cr: "0",
      pP: false,
      si: 0,
      ss: 0,
      rp: fill === null ? "0" : money(fill.realizedPnl),
      V: defaultStpMode,
      pm: "NONE",
      gtd: 0,
      er: order.expiryReason === null ? "0" : futuresExpiryReasons[order.expiryReason],
    },
  };
}

export function algoUpdate(venue: VenueState, algo: SimAlgoOrder, tsMs: number): Json {
  const format = futuresFormat(venue, algo.symbol);
  const triggered = algo.actualOrderId !== null;
  return {
    e: "ALGO_UPDATE",
    T: algo.updatedMs,
    E: tsMs,
    o: {
      caid: algo.clientAlgoId,
      aid: algo.algoId,
      at: "CONDITIONAL",
      o: algo.type,
      s: algo.symbol,
      S: algo.side,
      ps: "BOTH",
      f: "GTC",
      q: format.qty(algo.qty),
      X: algo.status,
      ai: triggered ? String(algo.actualOrderId) : "",
      ap: atLeast(averageOf(algo.filledQuote, algo.filledQty), 5),
      aq: atLeast(algo.filledQty, 5),
      act: triggered ? "MARKET" : "0",
      tp: format.price(algo.triggerPrice),
      p: format.price(zero),
      V: "NONE",
      wt: algo.workingType,
      pm: "NONE",
      cp: algo.closePosition,
      pP: false,
      R: algo.reduceOnly,
      tt: algo.triggerTimeMs ?? 0,
      gtd: 0,
      rm: algo.reason ?? "",
    },
  };
}

function positionRow(venue: VenueState, position: SimPosition): Json {
  const format = futuresFormat(venue, position.symbol);
  const isolated = position.marginType === "ISOLATED";
  return {
    s: position.symbol,
    pa: format.qty(position.qty),
    ep: atLeast(position.entryPrice, 1),
    bep: atLeast(position.entryPrice, 1),
    cr: money(position.realizedPnl),
    up: money(position.unrealizedPnl),
    mt: isolated ? "isolated" : "cross",
    iw: money(isolated ? position.initialMargin : zero),
    ps: "BOTH",
  };
}

/** ACCOUNT_UPDATE; `crossWallet` is the wallet less isolated margins (cw). */
export function accountUpdate(venue: VenueState, event: AccountUpdate, crossWallet: string): Json {
  return {
    e: "ACCOUNT_UPDATE",
    T: event.tsMs,
    E: event.tsMs,
    a: {
      m: event.reason,
      B: [
        {
          a: "USDT",
          wb: money(event.walletBalance),
          cw: crossWallet,
          bc: money(event.balanceChange),
        },
      ],
      P: event.positions.map((position) => positionRow(venue, position)),
    },
  };
}

export function accountConfigUpdate(symbol: string, leverage: number, tsMs: number): Json {
  return { e: "ACCOUNT_CONFIG_UPDATE", E: tsMs, T: tsMs, ac: { s: symbol, l: leverage } };
}
