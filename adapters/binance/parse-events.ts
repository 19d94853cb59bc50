// Stream payloads into port events: spot user data (WebSocket API, wrapped as
// {subscriptionId, event}), futures user data (listenKey stream) and market streams.
// Stream-control events (terminated, shutdown, key expired) come back as controls.

import { type Decimal, isPositive, sub, zero } from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type {
  Balance,
  ExchangeEvent,
  ExchangeFill,
  ExchangeOrder,
  Position,
} from "../../ports/exchange-gateway.ts";
import {
  averagePrice,
  conditionalStatus,
  conditionalType,
  orderListStatus,
  orderStatus,
  orderType,
  side,
  timeInForce,
  workingType,
} from "./parse-orders.ts";
import { marginType } from "./parse-market.ts";
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
} from "./wire.ts";

export type StreamControl = "STREAM_TERMINATED" | "SERVER_SHUTDOWN" | "LISTEN_KEY_EXPIRED";

export type ParsedMessage =
  | { readonly kind: "event"; readonly event: ExchangeEvent }
  | { readonly kind: "control"; readonly control: StreamControl }
  /** Spot balanceUpdate is a delta; the adapter answers it with the asset's fresh balance. */
  | { readonly kind: "balance_changed"; readonly asset: string }
  | { readonly kind: "ignored"; readonly eventType: string };

/** What futures events lack: the latest mark price and the leverage of a symbol. */
export interface PositionContext {
  markPrice(symbol: string): Decimal | null;
  leverage(symbol: string): number;
}

const ignored = (eventType: string): ParsedMessage => ({ kind: "ignored", eventType });

/** Spot user data from the WebSocket API; also accepts an unwrapped event. */
export function parseSpotUserMessage(raw: unknown): ParsedMessage {
  const message = asObject(raw, "spot user message");
  const event = message["event"] !== undefined ? asObject(message["event"], "event") : message;
  const type = optionalText(event, "e") ?? "";
  switch (type) {
    case "executionReport":
      return { kind: "event", event: executionReport(event) };
    case "listStatus":
      return { kind: "event", event: listStatus(event) };
    case "outboundAccountPosition":
      return { kind: "event", event: accountPosition(event) };
    case "balanceUpdate":
      return { kind: "balance_changed", asset: text(event, "a") };
    case "eventStreamTerminated":
      return { kind: "control", control: "STREAM_TERMINATED" };
    case "serverShutdown":
      return { kind: "control", control: "SERVER_SHUTDOWN" };
    default:
      return ignored(type);
  }
}

/** Futures user data from the listenKey stream (raw events). */
export function parseFuturesUserMessage(raw: unknown, context: PositionContext): ParsedMessage {
  const event = asObject(raw, "futures user message");
  const type = optionalText(event, "e") ?? "";
  switch (type) {
    case "ORDER_TRADE_UPDATE":
      return { kind: "event", event: orderTradeUpdate(event) };
    case "ALGO_UPDATE":
      return { kind: "event", event: algoUpdate(event) };
    case "ACCOUNT_UPDATE":
      return { kind: "event", event: futuresAccountUpdate(event, context) };
    case "listenKeyExpired":
      return { kind: "control", control: "LISTEN_KEY_EXPIRED" };
    case "serverShutdown":
      return { kind: "control", control: "SERVER_SHUTDOWN" };
    default:
      return ignored(type);
  }
}

function executionReport(event: WireObject): ExchangeEvent {
  const execution = text(event, "x");
  const filledQty = decimalField(event, "z");
  const listId = optionalInteger(event, "g");
  const original = optionalText(event, "C");
  const tsMs = integer(event, "T");
  const order: Omit<ExchangeOrder, "fills"> = {
    market: "SPOT",
    symbol: text(event, "s"),
    exchangeOrderId: id(event, "i"),
    // On a cancel, c is the cancel's own id and C the order's.
    clientOrderId: original !== null && original !== "" ? original : text(event, "c"),
    side: side(text(event, "S")),
    type: orderType("SPOT", text(event, "o")),
    timeInForce: timeInForce(optionalText(event, "f")),
    qty: decimalField(event, "q"),
    price: positiveOrNull(optionalDecimal(event, "p")),
    stopPrice: positiveOrNull(optionalDecimal(event, "P")),
    status: orderStatus(text(event, "X")),
    filledQty,
    avgPrice: averagePrice(optionalDecimal(event, "Z") ?? zero, filledQty),
    reduceOnly: false,
    orderListId: listId === null || listId < 0 ? null : String(listId),
    updateTimeMs: tsMs,
  };
  const fill: ExchangeFill | null =
    execution === "TRADE"
      ? {
          tradeId: id(event, "t"),
          price: decimalField(event, "L"),
          qty: decimalField(event, "l"),
          fee: optionalDecimal(event, "n") ?? zero,
          feeAsset: optionalText(event, "N") ?? "",
          liquidity: flag(event, "m") ? "MAKER" : "TAKER",
          tsMs,
        }
      : null;
  return { kind: "ORDER_UPDATE", order, fill, tsMs: integer(event, "E") };
}

function listStatus(event: WireObject): ExchangeEvent {
  return {
    kind: "ORDER_LIST_UPDATE",
    list: {
      symbol: text(event, "s"),
      orderListId: id(event, "g"),
      listClientOrderId: text(event, "C"),
      status: orderListStatus(text(event, "L")),
      updateTimeMs: integer(event, "T"),
    },
    tsMs: integer(event, "E"),
  };
}

function accountPosition(event: WireObject): ExchangeEvent {
  const balances: Balance[] = asArray(event["B"], "B").map((row) => {
    const balance = asObject(row, "balance");
    return {
      asset: text(balance, "a"),
      free: decimalField(balance, "f"),
      locked: decimalField(balance, "l"),
    };
  });
  return {
    kind: "ACCOUNT_UPDATE",
    market: "SPOT",
    balances,
    positions: [],
    tsMs: integer(event, "E"),
  };
}

function orderTradeUpdate(event: WireObject): ExchangeEvent {
  const order = asObject(event["o"], "o");
  const filledQty = decimalField(order, "z");
  const tradeTimeMs = integer(order, "T");
  const snapshot: Omit<ExchangeOrder, "fills"> = {
    market: "FUT",
    symbol: text(order, "s"),
    exchangeOrderId: id(order, "i"),
    clientOrderId: text(order, "c"),
    side: side(text(order, "S")),
    type: orderType("FUT", text(order, "o")),
    timeInForce: timeInForce(optionalText(order, "f")),
    qty: decimalField(order, "q"),
    price: positiveOrNull(optionalDecimal(order, "p")),
    stopPrice: positiveOrNull(optionalDecimal(order, "sp")),
    status: orderStatus(text(order, "X")),
    filledQty,
    avgPrice: isPositive(filledQty) ? positiveOrNull(optionalDecimal(order, "ap")) : null,
    reduceOnly: flag(order, "R"),
    orderListId: null,
    updateTimeMs: tradeTimeMs,
  };
  const fill: ExchangeFill | null =
    text(order, "x") === "TRADE"
      ? {
          tradeId: id(order, "t"),
          price: decimalField(order, "L"),
          qty: decimalField(order, "l"),
          // n and N are not pushed when there is no commission.
          fee: optionalDecimal(order, "n") ?? zero,
          feeAsset: optionalText(order, "N") ?? "",
          liquidity: flag(order, "m") ? "MAKER" : "TAKER",
          tsMs: tradeTimeMs,
        }
      : null;
  return { kind: "ORDER_UPDATE", order: snapshot, fill, tsMs: integer(event, "E") };
}

function algoUpdate(event: WireObject): ExchangeEvent {
  const order = asObject(event["o"], "o");
  const closePosition = flag(order, "cp");
  const filledQty = optionalDecimal(order, "aq") ?? zero;
  const actualOrderId = optionalText(order, "ai") ?? optionalInteger(order, "ai");
  const tsMs = integer(event, "E");
  return {
    kind: "CONDITIONAL_UPDATE",
    order: {
      symbol: text(order, "s"),
      algoId: id(order, "aid"),
      clientAlgoId: text(order, "caid"),
      side: side(text(order, "S")),
      type: conditionalType(text(order, "o")),
      triggerPrice: decimalField(order, "tp"),
      workingType: workingType(optionalText(order, "wt")),
      qty: closePosition ? null : positiveOrNull(optionalDecimal(order, "q")),
      reduceOnly: flag(order, "R"),
      closePosition,
      status: conditionalStatus(text(order, "X")),
      triggeredOrderId:
        actualOrderId === null || actualOrderId === "" || actualOrderId === 0
          ? null
          : String(actualOrderId),
      filledQty,
      avgPrice: isPositive(filledQty) ? positiveOrNull(optionalDecimal(order, "ap")) : null,
      updateTimeMs: optionalInteger(event, "T") ?? tsMs,
    },
    tsMs,
  };
}

/**
 * ACCOUNT_UPDATE: balances read free = cross wallet balance, locked = the rest of the wallet
 * (isolated margin), so free + locked is the wallet balance as in GET /fapi/v3/balance.
 * The event has no mark price or leverage: those come from the context.
 */
function futuresAccountUpdate(event: WireObject, context: PositionContext): ExchangeEvent {
  const account = asObject(event["a"], "a");
  const balances: Balance[] = asArray(account["B"] ?? [], "B").map((row) => {
    const balance = asObject(row, "balance");
    const wallet = decimalField(balance, "wb");
    const cross = optionalDecimal(balance, "cw") ?? wallet;
    const locked = sub(wallet, cross);
    return {
      asset: text(balance, "a"),
      free: cross,
      locked: locked.units < 0n ? zero : locked,
    };
  });
  const positions: Position[] = asArray(account["P"] ?? [], "P").map((row) => {
    const position = asObject(row, "position");
    const symbol = text(position, "s");
    const entryPrice = decimalField(position, "ep");
    return {
      symbol,
      qty: decimalField(position, "pa"),
      entryPrice,
      markPrice: context.markPrice(symbol) ?? entryPrice,
      leverage: context.leverage(symbol),
      marginType: marginType(optionalText(position, "mt") ?? "cross"),
    };
  });
  return { kind: "ACCOUNT_UPDATE", market: "FUT", balances, positions, tsMs: integer(event, "E") };
}

/**
 * Market streams (combined {"stream","data"} or raw): spot bookTicker (no "e", no time, so
 * `nowMs` stamps it), futures bookTicker and markPriceUpdate.
 */
export function parseMarketMessage(market: Market, raw: unknown, nowMs: number): ParsedMessage {
  const message = asObject(raw, "market message");
  const data = message["data"] !== undefined ? asObject(message["data"], "data") : message;
  const type = optionalText(data, "e") ?? (data["b"] !== undefined ? "bookTicker" : "");
  if (type === "bookTicker") {
    return {
      kind: "event",
      event: {
        kind: "BOOK_TOP",
        market,
        symbol: text(data, "s"),
        bid: decimalField(data, "b"),
        bidQty: decimalField(data, "B"),
        ask: decimalField(data, "a"),
        askQty: decimalField(data, "A"),
        tsMs: optionalInteger(data, "E") ?? nowMs,
      },
    };
  }
  if (type === "markPriceUpdate") {
    return {
      kind: "event",
      event: {
        kind: "MARK_PRICE",
        symbol: text(data, "s"),
        markPrice: decimalField(data, "p"),
        tsMs: integer(data, "E"),
      },
    };
  }
  return ignored(type);
}
