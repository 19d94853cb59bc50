// Sends one order to the venue and records what came back. The only path by which the router
// places a regular order: it adopts an order the venue already has under our client id instead
// of placing it twice, and it turns every venue error into a stable result code.

import { applyEvent, type Order } from "../../domain/order/index.ts";
import type {
  ExchangeError,
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
  PlaceOrderRequest,
} from "../../ports/exchange-gateway.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { FillContext, SyncOutcome } from "./venue-sync.ts";
import { syncFromVenue } from "./venue-sync.ts";

export interface SendDeps {
  readonly clock: Clock;
  readonly exchange: ExchangeGateway;
  readonly metrics: Metrics;
}

export interface SendOutcome extends SyncOutcome {
  readonly error: ExchangeError | null;
}

/** Result codes for venue errors (DESIGN §3.1 codes where one exists). */
export function errorCode(error: ExchangeError): string {
  switch (error.kind) {
    case "FILTER_REJECTED":
      return error.filter;
    case "INSUFFICIENT_BALANCE":
    case "REDUCE_ONLY_REJECTED":
    case "POST_ONLY_REJECTED":
    case "WOULD_TRIGGER_IMMEDIATELY":
    case "DUPLICATE_ORDER":
    case "RATE_LIMITED":
    case "OUTCOME_UNKNOWN":
      return error.kind;
    case "UNKNOWN_ORDER":
      return "ORDER_NOT_FOUND";
    case "BANNED":
    case "UNAVAILABLE":
      return "EXCHANGE_UNAVAILABLE";
    case "REJECTED":
      return "EXCHANGE_REJECTED";
  }
}

export function requestFor(order: Order): PlaceOrderRequest {
  return {
    market: order.market,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    timeInForce: order.timeInForce,
    qty: order.qty,
    price: order.price,
    stopPrice: order.stopPrice,
    clientOrderId: order.clientOrderId,
    reduceOnly: order.reduceOnly,
  };
}

async function placeOrAdopt(deps: SendDeps, order: Order): Promise<ExchangeResult<ExchangeOrder>> {
  const startedMs = deps.clock.nowMs();
  const answer = await deps.exchange.placeOrder(requestFor(order));
  deps.metrics.observe("router_submit_latency_ms", deps.clock.nowMs() - startedMs, {
    market: order.market,
  });
  if (answer.ok || answer.error.kind !== "DUPLICATE_ORDER") return answer;
  // The venue already holds an open order under this client id: an earlier attempt of ours.
  const existing = await deps.exchange.queryOrder({
    market: order.market,
    symbol: order.symbol,
    clientOrderId: order.clientOrderId,
  });
  return existing.ok ? existing : answer;
}

export async function sendOrder(
  deps: SendDeps,
  order: Order,
  context: FillContext,
): Promise<SendOutcome> {
  const answer = await placeOrAdopt(deps, order);
  const nowMs = deps.clock.nowMs();
  if (answer.ok) {
    const synced = syncFromVenue(order, answer.value, answer.value.fills, context, nowMs);
    return { ...synced, error: null };
  }
  const event = answer.error.kind === "OUTCOME_UNKNOWN" ? "OUTCOME_UNKNOWN" : "REJECTED";
  const change = applyEvent(order, event, nowMs);
  const next = change.ok ? change.order : order;
  return { order: next, newFills: [], changed: next !== order, error: answer.error };
}
