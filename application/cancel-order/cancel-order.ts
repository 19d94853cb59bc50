// POST /cancel: cancel by router id or client id. Idempotent (an order already cancelled answers
// the same), safe against fills racing the cancel (the venue's answer carries its executed
// quantity), and recorded: orders, strategy_events(CANCEL), ord:{results} (DESIGN §3.3).

import { formatDecimal, isPositive } from "../../domain/decimal/index.ts";
import {
  applyEvent,
  childClientOrderId,
  clientOrderIdBase,
  isTerminal,
  newOrder,
  type Order,
  remainingQty,
  routerOrderId,
} from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type {
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
} from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { Alert, OrderStore, OutboxEvent, StrategyEvent } from "../../ports/order-store.ts";
import { type IntentLedger, type IntentState, resultsStream } from "../shared/intent-ledger.ts";
import type { KeyedMutex } from "../shared/keyed-mutex.ts";
import { errorCode, sendOrder } from "../shared/order-sender.ts";
import type { RuleBook } from "../shared/rule-book.ts";
import { fillEvent, syncFromAnswer } from "../shared/venue-sync.ts";

export interface CancelRequest {
  readonly orderId: string | null;
  readonly clientOrderId: string | null;
  readonly cascadeOco: boolean;
  readonly reason: string | null;
  /** The wire's `then`: NONE, or MARKET to send the unfilled remainder as a market order. */
  readonly afterCancel: "NONE" | "MARKET";
}

export type CancelCode = "ORDER_NOT_FOUND" | "ALREADY_FILLED" | "CANCEL_FAILED" | "INVALID_REQUEST";

export interface CancelResponse {
  result: "OK" | "FAIL";
  order_id: string;
  client_order_id: string;
  status: string;
  canceled_ids: string[];
  message: string;
  code?: CancelCode;
  filled_qty?: string;
  market_order_id?: string;
}

export interface CancelOrderDeps {
  readonly clock: Clock;
  readonly exchange: ExchangeGateway;
  readonly store: OrderStore;
  readonly ledger: IntentLedger;
  readonly mutex: KeyedMutex;
  readonly rules: RuleBook;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * Runs for the cancelled order's intent after its cancel is saved (OCO cascade, guardian disarm,
   * protection of a cancelled entry's fills); it reads `request.cascadeOco` itself. The ids it
   * cancelled join the response's canceled_ids.
   */
  readonly cascade?: (
    state: IntentState,
    canceled: Order,
    request: CancelRequest,
  ) => Promise<{ readonly state: IntentState; readonly canceledIds: readonly string[] }>;
  /**
   * Cancels an order that is not a plain venue order (a futures algo leg, a guardian's emulated
   * leg); null leaves the order to the plain cancel. An UNKNOWN_ORDER answer is settled as usual.
   */
  readonly cancelVenueOrder?: (
    order: Order,
    request: CancelRequest,
  ) => Promise<ExchangeResult<ExchangeOrder>> | null;
}

interface Working {
  state: IntentState;
  orders: Order[];
  fills: IntentState["fills"][number][];
  outbox: OutboxEvent[];
  alerts: Alert[];
  canceledIds: string[];
  failure: string | null;
}

export class CancelOrder {
  constructor(private readonly deps: CancelOrderDeps) {}

  async execute(request: CancelRequest): Promise<CancelResponse> {
    const found =
      request.orderId !== null
        ? await this.deps.store.getOrder(request.orderId)
        : await this.deps.store.getOrderByClientId(request.clientOrderId ?? "");
    const shownId = request.orderId ?? request.clientOrderId ?? "";
    if (found === null) {
      return fail(
        "ORDER_NOT_FOUND",
        shownId,
        request.clientOrderId ?? "",
        "NOT_FOUND",
        `order ${shownId} is not known`,
      );
    }
    return this.deps.mutex.run(found.intentId, () => this.cancelLocked(found, request));
  }

  private async cancelLocked(found: Order, request: CancelRequest): Promise<CancelResponse> {
    const state = await this.deps.ledger.load(found.intentId);
    const target = state?.orders.find((order) => order.orderId === found.orderId) ?? found;
    if (state === null) throw new Error("Condition failed: an order without its intent");
    if (target.status === "FILLED") {
      return fail(
        "ALREADY_FILLED",
        target.orderId,
        target.clientOrderId,
        target.status,
        "the order is already filled",
      );
    }
    if (isTerminal(target.status)) return respond(target, [target.orderId], "already final");
    const work: Working = {
      state,
      orders: [],
      fills: [],
      outbox: [],
      alerts: [],
      canceledIds: [],
      failure: null,
    };
    const children = state.orders.filter(
      (order) => order.parentId === target.orderId && !isTerminal(order.status),
    );
    for (const order of [...children, target]) await this.cancelOne(work, order, request);
    const final = work.orders.find((order) => order.orderId === target.orderId) ?? target;
    let saved = await this.save(work, final, request);
    if (this.deps.cascade !== undefined) {
      const cascaded = await this.deps.cascade(saved, final, request);
      saved = cascaded.state;
      work.canceledIds.push(...cascaded.canceledIds);
    }
    if (work.failure !== null) {
      return fail("CANCEL_FAILED", final.orderId, final.clientOrderId, final.status, work.failure);
    }
    if (final.status === "FILLED") {
      return fail(
        "ALREADY_FILLED",
        final.orderId,
        final.clientOrderId,
        final.status,
        "the order filled before the cancel",
      );
    }
    const response = respond(final, work.canceledIds, request.reason ?? "canceled");
    if (request.afterCancel === "MARKET" && isPositive(remainingQty(final))) {
      return this.moveToMarket(saved, final, response);
    }
    return response;
  }

  /** Cancels one venue order; a second cancel or a vanished order is settled by a query. */
  private async cancelOne(work: Working, order: Order, request: CancelRequest): Promise<void> {
    const { exchange, clock } = this.deps;
    const ref = { market: order.market, symbol: order.symbol, clientOrderId: order.clientOrderId };
    const special = this.deps.cancelVenueOrder?.(order, request) ?? null;
    let answer = special === null ? await exchange.cancelOrder(ref) : await special;
    if (!answer.ok && answer.error.kind === "UNKNOWN_ORDER")
      answer = await exchange.queryOrder(ref);
    const nowMs = clock.nowMs();
    if (answer.ok) {
      const synced = syncFromAnswer(order, answer.value, this.deps.rules, nowMs);
      this.record(work, synced.order, [...synced.newFills]);
      return;
    }
    if (answer.error.kind === "UNKNOWN_ORDER" && order.exchangeOrderId === null) {
      // The venue never had it (a virtual parent, or a send that never arrived): cancel locally.
      const change = applyEvent(order, "CANCELED", nowMs);
      if (change.ok) this.record(work, change.order, []);
      return;
    }
    work.failure = `cancel of ${order.orderId} failed: ${errorCode(answer.error)} ${answer.error.message}`;
    work.alerts.push({
      alertId: `cancel-failed:${order.orderId}:${nowMs}`,
      level: "FATAL",
      code: "CANCEL_FAILED",
      message: work.failure,
      refs: { order_id: order.orderId, intent_id: order.intentId },
      tsMs: nowMs,
    });
    this.deps.metrics.increment("cancel_total", { outcome: "failed" });
  }

  private record(work: Working, order: Order, fills: Working["fills"]): void {
    work.orders.push(order);
    work.fills.push(...fills);
    work.outbox.push(...fills.map((fill) => fillEvent(order, fill)));
    if (order.status === "CANCELED") work.canceledIds.push(order.orderId);
    this.deps.metrics.increment("cancel_total", {
      outcome: order.status === "CANCELED" ? "canceled" : "settled",
    });
  }

  private async save(work: Working, final: Order, request: CancelRequest): Promise<IntentState> {
    const nowMs = this.deps.clock.nowMs();
    const event: StrategyEvent = {
      eventId: `cancel:${final.orderId}:${nowMs}`,
      kind: "CANCEL",
      intentId: final.intentId,
      orderId: final.orderId,
      payload: {
        reason: request.reason ?? "",
        canceled_ids: work.canceledIds,
        status: final.status,
      },
      tsMs: nowMs,
    };
    const cancelEvent: OutboxEvent = {
      eventId: `cancel:${final.orderId}:${final.status}`,
      stream: resultsStream,
      createdAtMs: nowMs,
      payload: {
        event_id: `cancel:${final.orderId}:${final.status}`,
        type: "CANCEL",
        intent_id: final.intentId,
        order_id: final.orderId,
        client_order_id: final.clientOrderId,
        status: final.status,
        canceled_ids: work.canceledIds,
        filled_qty: formatDecimal(final.filledQty),
        reason: request.reason ?? "",
      },
    };
    return this.deps.ledger.save(work.state, {
      orders: work.orders,
      fills: work.fills,
      outbox: [...work.outbox, cancelEvent],
      strategyEvents: [event],
      alerts: work.alerts,
    });
  }

  /** `then: MARKET`: the unfilled remainder goes out as a market order ("move to market"). */
  private async moveToMarket(
    state: IntentState,
    canceled: Order,
    response: CancelResponse,
  ): Promise<CancelResponse> {
    const nowMs = this.deps.clock.nowMs();
    const base = clientOrderIdBase(canceled.intentId);
    const sequence =
      state.orders.filter((order) => /\/m\d+$/.test(order.clientOrderId.slice(base.length)))
        .length + 1;
    // The remainder of a protective leg is that leg's exit (counted as one, not as entry fills).
    const protective = canceled.role === "TP" || canceled.role === "SL";
    const market = newOrder({
      orderId: routerOrderId(canceled.intentId, `market-${sequence}`),
      intentId: canceled.intentId,
      clientOrderId: childClientOrderId(base, `m${sequence}`),
      market: canceled.market,
      symbol: canceled.symbol,
      side: canceled.side,
      type: "MARKET",
      timeInForce: null,
      qty: remainingQty(canceled),
      price: null,
      stopPrice: null,
      reduceOnly: canceled.reduceOnly,
      role: protective ? canceled.role : "EXIT",
      parentId: canceled.orderId,
      midAtSend: null,
      createdAtMs: nowMs,
    });
    const rules = this.deps.rules.get(canceled.market, canceled.symbol);
    const sent = await sendOrder(this.deps, market, { rules, bookTop3: null });
    await this.deps.ledger.save(state, {
      orders: [sent.order],
      fills: sent.newFills,
      outbox: sent.newFills.map((fill) => fillEvent(sent.order, fill)),
    });
    const moved = { ...response, market_order_id: market.orderId };
    if (sent.error !== null) {
      return {
        ...moved,
        result: "FAIL",
        message: `canceled; market remainder failed: ${sent.error.message}`,
      };
    }
    return { ...moved, message: `canceled; remainder sent as market (${sent.order.status})` };
  }
}

function respond(order: Order, canceledIds: string[], message: string): CancelResponse {
  return {
    result: "OK",
    order_id: order.orderId,
    client_order_id: order.clientOrderId,
    status: order.status,
    canceled_ids:
      canceledIds.length > 0 ? canceledIds : order.status === "CANCELED" ? [order.orderId] : [],
    message,
    filled_qty: formatDecimal(order.filledQty),
  };
}

function fail(
  code: CancelCode,
  orderId: string,
  clientOrderId: string,
  status: string,
  message: string,
): CancelResponse {
  return {
    result: "FAIL",
    order_id: orderId,
    client_order_id: clientOrderId,
    status,
    canceled_ids: [],
    message,
    code,
  };
}
