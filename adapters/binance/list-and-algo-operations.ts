// Futures conditional (algo) orders and spot OCO order lists: placed without duplicates, looked
// up by their client ids, cancelled so that a cancel arriving twice stays harmless. Every algo
// answer teaches the links which order a triggered algo order placed; a futures order asked for
// by a clientAlgoId is answered by that order when it carries a client id of its own.

import type {
  ConditionalOrder,
  ConditionalOrderRequest,
  ExchangeOrder,
  ExchangeResult,
  OcoRequest,
  OrderList,
  OrderListRef,
  OrderRef,
} from "../../ports/exchange-gateway.ts";
import { type AdapterContext, lookup, read, toResult } from "./context.ts";
import {
  futuresCancelAlgo,
  futuresOpenAlgoOrders,
  futuresPlaceAlgo,
  futuresQueryAlgo,
} from "./futures-requests.ts";
import type { OrderOperations } from "./order-operations.ts";
import {
  parseAlgoOrder,
  parseOrderListHeader,
  parseOrderListWithReports,
  parseSpotOrder,
} from "./parse-orders.ts";
import { type CallResult, callParsed, withRetries } from "./rest-call.ts";
import {
  spotCancelOrderList,
  spotPlaceOco,
  spotQueryOrderById,
  spotQueryOrderList,
} from "./spot-requests.ts";
import { placeWithoutDuplicates } from "./unknown-outcome.ts";
import { asArray, asObject } from "./wire.ts";

const finishedConditional: ReadonlySet<string> = new Set([
  "FINISHED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
]);

/** openAlgoOrders answers an array (some copies wrap it as {orders: [...]}). */
function parseAlgoList(raw: unknown): ConditionalOrder[] {
  const rows = Array.isArray(raw) ? raw : asObject(raw, "openAlgoOrders")["orders"];
  return asArray(rows, "openAlgoOrders").map(parseAlgoOrder);
}

export class ListAndAlgoOperations {
  private readonly context: AdapterContext;
  private readonly orders: OrderOperations;

  constructor(context: AdapterContext, orders: OrderOperations) {
    this.context = context;
    this.orders = orders;
  }

  async placeConditional(
    request: ConditionalOrderRequest,
  ): Promise<ExchangeResult<ConditionalOrder>> {
    const { rest, tracker } = this.context;
    const ref = { symbol: request.symbol, clientAlgoId: request.clientAlgoId };
    tracker.trackConditional(ref);
    const placed = await placeWithoutDuplicates(this.context, {
      label: `FUT ${request.symbol} algo ${request.clientAlgoId}`,
      send: () => callParsed(rest, futuresPlaceAlgo(request), parseAlgoOrder),
      find: () => this.findConditional(request.clientAlgoId),
    });
    if (placed.ok) {
      this.context.links.learn(placed.value);
      tracker.observeConditional(ref, finishedConditional.has(placed.value.status));
    } else if (placed.error.kind !== "OUTCOME_UNKNOWN") tracker.observeConditional(ref, true);
    return placed;
  }

  async findConditional(clientAlgoId: string): Promise<CallResult<ConditionalOrder | null>> {
    const found = await lookup(this.context, futuresQueryAlgo(clientAlgoId), parseAlgoOrder);
    if (found.ok && found.value !== null) this.context.links.learn(found.value);
    return found;
  }

  async queryConditional(
    symbol: string,
    clientAlgoId: string,
  ): Promise<ExchangeResult<ConditionalOrder>> {
    const result = await read(this.context, futuresQueryAlgo(clientAlgoId), parseAlgoOrder);
    if (result.ok) {
      this.context.links.learn(result.value);
      this.context.tracker.observeConditional(
        { symbol, clientAlgoId },
        finishedConditional.has(result.value.status),
      );
    }
    return toResult(result);
  }

  async openConditionals(symbol?: string): Promise<ExchangeResult<readonly ConditionalOrder[]>> {
    const result = await read(this.context, futuresOpenAlgoOrders(symbol), parseAlgoList);
    if (result.ok) for (const order of result.value) this.context.links.learn(order);
    return toResult(result);
  }

  /**
   * A futures order asked for by a client id the venue does not know as an order, while it is
   * a known algo order's: once that has triggered, the order it placed (found by its orderId,
   * from the links or the algo query) answers, labelled with the clientAlgoId. Anything else
   * keeps the first answer (`unknown`); a failed lookup answers its own failure, not "unknown".
   */
  async queryTriggered(
    ref: OrderRef,
    unknown: ExchangeResult<ExchangeOrder>,
  ): Promise<ExchangeResult<ExchangeOrder>> {
    const { links } = this.context;
    if (ref.market !== "FUT" || !links.isAlgo(ref.symbol, ref.clientOrderId)) return unknown;
    let orderId = links.triggeredOrderId(ref.symbol, ref.clientOrderId);
    if (orderId === null) {
      const algo = await this.queryConditional(ref.symbol, ref.clientOrderId);
      if (!algo.ok) return algo.error.kind === "UNKNOWN_ORDER" ? unknown : algo;
      if (algo.value.symbol !== ref.symbol) return unknown;
      orderId = algo.value.triggeredOrderId;
      if (orderId === null) return unknown;
    }
    const found = await this.orders.queryFuturesOrderById(ref.symbol, orderId);
    if (!found.ok) return found.error.kind === "UNKNOWN_ORDER" ? unknown : found;
    return { ok: true, value: { ...found.value, clientOrderId: ref.clientOrderId } };
  }

  /** DELETE answers only {algoId, code, msg}; the order as it ended comes from a query. */
  async cancelConditional(
    symbol: string,
    clientAlgoId: string,
  ): Promise<ExchangeResult<ConditionalOrder>> {
    const { rest, tracker, offsetMarginMs } = this.context;
    const key = `ALGO:${symbol}:${clientAlgoId}`;
    let firstTimestampMs: number | null = null;
    const result = await withRetries(this.context, true, async () => {
      const attempt = await callParsed(rest, futuresCancelAlgo(clientAlgoId), () => null);
      firstTimestampMs ??= attempt.sent?.timestampMs ?? null;
      return attempt;
    });
    const twice =
      !result.ok && result.error.kind === "UNKNOWN_ORDER" && !tracker.wasCanceledByUs(key);
    if (!result.ok && !twice && result.error.kind !== "OUTCOME_UNKNOWN") return toResult(result);
    const found = await this.queryConditional(symbol, clientAlgoId);
    if (result.ok) {
      tracker.rememberCancel(key);
      return found;
    }
    if (!found.ok) return toResult(result);
    const ours =
      found.value.status === "CANCELED" &&
      (result.error.kind === "OUTCOME_UNKNOWN" ||
        (firstTimestampMs !== null &&
          found.value.updateTimeMs >= firstTimestampMs - offsetMarginMs));
    if (!ours) return toResult(result);
    tracker.rememberCancel(key);
    return found;
  }

  async placeOco(request: OcoRequest): Promise<ExchangeResult<OrderList>> {
    const { rest } = this.context;
    const placed = await placeWithoutDuplicates(this.context, {
      label: `SPOT ${request.symbol} OCO ${request.listClientOrderId}`,
      send: () => callParsed(rest, spotPlaceOco(request), parseOrderListWithReports),
      find: () => this.findOrderList(request.listClientOrderId),
    });
    if (!placed.ok) return placed;
    return { ok: true, value: await this.completeLegs(placed.value) };
  }

  async queryOrderList(ref: OrderListRef): Promise<ExchangeResult<OrderList>> {
    const found = await this.findOrderList(ref.listClientOrderId);
    if (!found.ok) return toResult(found);
    if (found.value === null) {
      return {
        ok: false,
        error: { kind: "UNKNOWN_ORDER", message: `order list ${ref.listClientOrderId} not found` },
      };
    }
    return { ok: true, value: found.value };
  }

  async cancelOrderList(ref: OrderListRef): Promise<ExchangeResult<OrderList>> {
    const { rest, tracker, offsetMarginMs } = this.context;
    const key = `LIST:${ref.symbol}:${ref.listClientOrderId}`;
    let firstTimestampMs: number | null = null;
    const result = await withRetries(this.context, true, async () => {
      const call = spotCancelOrderList(ref.symbol, ref.listClientOrderId);
      const attempt = await callParsed(rest, call, parseOrderListWithReports);
      firstTimestampMs ??= attempt.sent?.timestampMs ?? null;
      return attempt;
    });
    if (result.ok) {
      tracker.rememberCancel(key);
      return { ok: true, value: await this.completeLegs(result.value) };
    }
    const kind = result.error.kind;
    if (kind !== "OUTCOME_UNKNOWN" && (kind !== "UNKNOWN_ORDER" || tracker.wasCanceledByUs(key))) {
      return toResult(result);
    }
    const found = await this.queryOrderList(ref);
    if (!found.ok) return toResult(result);
    const allCanceled = found.value.orders.every((order) => order.status === "CANCELED");
    const ours =
      found.value.status === "ALL_DONE" &&
      allCanceled &&
      (kind === "OUTCOME_UNKNOWN" ||
        (firstTimestampMs !== null &&
          found.value.updateTimeMs >= firstTimestampMs - offsetMarginMs));
    if (!ours) return toResult(result);
    tracker.rememberCancel(key);
    return found;
  }

  /** GET orderList names its legs only; each leg is queried by order id. */
  private async findOrderList(listClientOrderId: string): Promise<CallResult<OrderList | null>> {
    const found = await lookup(
      this.context,
      spotQueryOrderList(listClientOrderId),
      parseOrderListHeader,
    );
    if (!found.ok) return found;
    if (found.value === null) return { ok: true, value: null, sent: found.sent };
    const { legs, ...header } = found.value;
    const orders: ExchangeOrder[] = [];
    for (const leg of legs) {
      const call = spotQueryOrderById(header.symbol, leg.exchangeOrderId);
      const order = await read(this.context, call, parseSpotOrder);
      if (!order.ok) return order;
      orders.push(await this.orders.finish(order.value));
    }
    return { ok: true, value: { ...header, orders }, sent: found.sent };
  }

  private async completeLegs(list: OrderList): Promise<OrderList> {
    const orders: ExchangeOrder[] = [];
    for (const order of list.orders) orders.push(await this.orders.finish(order));
    return { ...list, orders };
  }
}
