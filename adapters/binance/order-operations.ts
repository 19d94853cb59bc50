// Placing, cancelling and querying regular orders (spot /api/v3/order, futures /fapi/v1/order).
// Placement never duplicates; answers carry every fill (futures fills are fetched from
// userTrades, spot ones from myTrades when the answer has none); a cancel arriving twice is
// harmless.

import { compare, type Decimal, isPositive, sum } from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type {
  ExchangeError,
  ExchangeFill,
  ExchangeOrder,
  ExchangeResult,
  OrderRef,
  PlaceOrderRequest,
} from "../../ports/exchange-gateway.ts";
import { type AdapterContext, lookup, read, toResult } from "./context.ts";
import {
  futuresCancelOrder,
  futuresOpenOrders,
  futuresPlaceOrder,
  futuresQueryOrder,
  futuresQueryOrderById,
  futuresUserTrades,
} from "./futures-requests.ts";
import { orderKey } from "./order-tracker.ts";
import { parseFuturesOrder, parseSpotOrder, tradesOfOrder } from "./parse-orders.ts";
import { type CallResult, callParsed, withRetries } from "./rest-call.ts";
import {
  spotCancelOrder,
  spotMyTrades,
  spotOpenOrders,
  spotPlaceOrder,
  spotQueryOrder,
} from "./spot-requests.ts";
import { placeWithoutDuplicates } from "./unknown-outcome.ts";
import { asArray } from "./wire.ts";

/** Trade lookups tolerated when a trade list lags the order's executed quantity. */
export const fillFetchAttemptsMax = 3;
const fillFetchDelayMs = 100;

const futuresConditionalTypes: ReadonlySet<string> = new Set([
  "STOP_MARKET",
  "TAKE_PROFIT_MARKET",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
]);

const parserFor = (market: Market) => (market === "SPOT" ? parseSpotOrder : parseFuturesOrder);

/** Requests the venue would refuse for a reason that is ours; answered without sending. */
export function invalidPlacement(request: PlaceOrderRequest): ExchangeError | null {
  if (request.market === "FUT" && futuresConditionalTypes.has(request.type)) {
    return {
      kind: "REJECTED",
      message: `${request.type} on futures is an algo order: use placeConditional (not sent)`,
    };
  }
  const needsPrice = request.type === "LIMIT" || request.type === "LIMIT_MAKER";
  if (needsPrice && request.price === null) {
    return { kind: "REJECTED", message: `${request.type} needs a price (not sent)` };
  }
  if (request.timeInForce === "GTX" && request.type !== "LIMIT" && request.type !== "LIMIT_MAKER") {
    return { kind: "REJECTED", message: "GTX (post-only) needs a LIMIT order (not sent)" };
  }
  return null;
}

function mergeFills(
  known: readonly ExchangeFill[],
  fetched: readonly ExchangeFill[],
): ExchangeFill[] {
  const byTrade = new Map<string, ExchangeFill>();
  for (const fill of [...known, ...fetched])
    if (!byTrade.has(fill.tradeId)) byTrade.set(fill.tradeId, fill);
  return [...byTrade.values()].sort((a, b) => a.tsMs - b.tsMs || (a.tradeId < b.tradeId ? -1 : 1));
}

const filledBy = (fills: readonly ExchangeFill[]): Decimal => sum(fills.map((fill) => fill.qty));

export class OrderOperations {
  private readonly context: AdapterContext;

  constructor(context: AdapterContext) {
    this.context = context;
  }

  async placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    const invalid = invalidPlacement(request);
    if (invalid !== null) return { ok: false, error: invalid };
    const ref: OrderRef = {
      market: request.market,
      symbol: request.symbol,
      clientOrderId: request.clientOrderId,
    };
    const { rest, tracker } = this.context;
    tracker.track(ref);
    const call = request.market === "SPOT" ? spotPlaceOrder(request) : futuresPlaceOrder(request);
    const placed = await placeWithoutDuplicates(this.context, {
      label: `${ref.market} ${ref.symbol} order ${ref.clientOrderId}`,
      send: () => callParsed(rest, call, parserFor(ref.market)),
      find: () => this.find(ref),
    });
    if (!placed.ok) {
      if (placed.error.kind !== "OUTCOME_UNKNOWN") tracker.observe(ref, "REJECTED");
      return placed;
    }
    return { ok: true, value: await this.finish(placed.value) };
  }

  async queryOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>> {
    const result = await read(this.context, queryCall(ref), parserFor(ref.market));
    if (!result.ok) return toResult(result);
    return { ok: true, value: await this.finish(result.value) };
  }

  /** A futures order by its exchange id (a triggered algo order's own order). */
  async queryFuturesOrderById(
    symbol: string,
    exchangeOrderId: string,
  ): Promise<ExchangeResult<ExchangeOrder>> {
    const call = futuresQueryOrderById(symbol, exchangeOrderId);
    const result = await read(this.context, call, parseFuturesOrder);
    if (!result.ok) return toResult(result);
    return { ok: true, value: await this.finish(result.value) };
  }

  async openOrders(
    market: Market,
    symbol?: string,
  ): Promise<ExchangeResult<readonly ExchangeOrder[]>> {
    const call = market === "SPOT" ? spotOpenOrders(symbol) : futuresOpenOrders(symbol);
    const parse = parserFor(market);
    const result = await read(this.context, call, (raw) => asArray(raw, "openOrders").map(parse));
    if (!result.ok) return toResult(result);
    const orders: ExchangeOrder[] = [];
    for (const order of result.value) orders.push(await this.finish(order));
    return { ok: true, value: orders };
  }

  /**
   * Cancels by client id. A second cancel can reach the venue without our asking (a kept-alive
   * connection dropped and the runtime resent the DELETE); its "unknown order" must not turn
   * the first one's success into a failure, so an unknown-order answer to a cancel we have not
   * seen succeed is checked against the order: canceled since our first send → success.
   */
  async cancelOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>> {
    const { rest, tracker } = this.context;
    const key = orderKey(ref.market, ref.symbol, ref.clientOrderId);
    let firstTimestampMs: number | null = null;
    const result = await withRetries(this.context, true, async () => {
      const attempt = await callParsed(rest, cancelCall(ref), parserFor(ref.market));
      firstTimestampMs ??= attempt.sent?.timestampMs ?? null;
      return attempt;
    });
    if (result.ok) {
      tracker.rememberCancel(key);
      return { ok: true, value: await this.finish(result.value) };
    }
    const kind = result.error.kind;
    if (kind !== "UNKNOWN_ORDER" && kind !== "OUTCOME_UNKNOWN") return toResult(result);
    if (kind === "UNKNOWN_ORDER" && tracker.wasCanceledByUs(key)) return toResult(result);
    return this.settleCancel(ref, result, firstTimestampMs);
  }

  private async settleCancel(
    ref: OrderRef,
    result: Extract<CallResult<ExchangeOrder>, { ok: false }>,
    firstTimestampMs: number | null,
  ): Promise<ExchangeResult<ExchangeOrder>> {
    const { tracker, offsetMarginMs, logger } = this.context;
    const found = await read(this.context, queryCall(ref), parserFor(ref.market));
    if (!found.ok) return toResult(result);
    const order = found.value;
    tracker.observe(ref, order.status);
    const ours =
      order.status === "CANCELED" &&
      (result.error.kind === "OUTCOME_UNKNOWN" ||
        (firstTimestampMs !== null && order.updateTimeMs >= firstTimestampMs - offsetMarginMs));
    if (ours) {
      logger.info("binance cancel settled by query", {
        clientOrderId: ref.clientOrderId,
        answer: result.error.kind,
      });
      tracker.rememberCancel(orderKey(ref.market, ref.symbol, ref.clientOrderId));
      return { ok: true, value: await this.finish(order) };
    }
    if (order.status === "NEW" || order.status === "PARTIALLY_FILLED") return toResult(result);
    return {
      ok: false,
      error: {
        kind: "UNKNOWN_ORDER",
        message: `${result.error.message} (order is ${order.status})`,
      },
    };
  }

  /** Looks an order up by client id for unknown-outcome resolution (absent → null). */
  find(ref: OrderRef): Promise<CallResult<ExchangeOrder | null>> {
    return lookup(this.context, queryCall(ref), parserFor(ref.market));
  }

  /**
   * Completes fills, updates the tracker and labels a triggered algo order's own order with the
   * algo's client id; used on every order answer.
   */
  async finish(order: ExchangeOrder): Promise<ExchangeOrder> {
    this.context.tracker.observe(order, order.status);
    return this.completeFills(this.context.links.label(order));
  }

  /** Fetches the trades of an order whose answer lacks some of its executed quantity. */
  async completeFills(order: ExchangeOrder): Promise<ExchangeOrder> {
    if (!isPositive(order.filledQty)) return order;
    let fills = order.fills;
    for (let attempt = 0; attempt < fillFetchAttemptsMax; attempt += 1) {
      if (compare(filledBy(fills), order.filledQty) >= 0) return { ...order, fills };
      if (attempt > 0) await this.context.clock.sleepMs(fillFetchDelayMs * 2 ** (attempt - 1));
      const call =
        order.market === "SPOT"
          ? spotMyTrades(order.symbol, order.exchangeOrderId)
          : futuresUserTrades(order.symbol, order.exchangeOrderId);
      const trades = await read(this.context, call, (raw) =>
        tradesOfOrder(raw, order.exchangeOrderId),
      );
      if (trades.ok) fills = mergeFills(fills, trades.value);
    }
    if (compare(filledBy(fills), order.filledQty) < 0) {
      this.context.logger.warn("binance fills incomplete after trade lookups", {
        clientOrderId: order.clientOrderId,
        filled: order.filledQty.units.toString(),
        fillCount: fills.length,
      });
    }
    return { ...order, fills };
  }
}

function queryCall(ref: OrderRef) {
  return ref.market === "SPOT"
    ? spotQueryOrder(ref.symbol, ref.clientOrderId)
    : futuresQueryOrder(ref.symbol, ref.clientOrderId);
}

function cancelCall(ref: OrderRef) {
  return ref.market === "SPOT"
    ? spotCancelOrder(ref.symbol, ref.clientOrderId)
    : futuresCancelOrder(ref.symbol, ref.clientOrderId);
}
