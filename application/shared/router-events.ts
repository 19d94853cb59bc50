// Routing decisions (policy chosen, liquidity probe delay / split / limit, maker timeout, route
// table changes) as `router:events` stream entries with their inputs, written through the outbox
// together with a ROUTE_DECISION strategy event (DESIGN §4 "never silently", §7).

import type { OutboxEvent, StrategyEvent } from "../../ports/order-store.ts";

export const routerEventsStream = "router:events";
export const alertsStream = "alerts";

export interface RouteDecision {
  readonly intentId: string | null;
  readonly orderId: string | null;
  /** What was decided: "policy", "delay", "split", "switch_to_limit", "proceed", ... */
  readonly decision: string;
  /** A stable machine-readable code for why. */
  readonly reason: string;
  /** Everything the decision used. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Makes the event id unique among this order's decisions (an attempt or slice number). */
  readonly tag: string;
  readonly nowMs: number;
}

export interface RecordedDecision {
  readonly strategyEvent: StrategyEvent;
  readonly outbox: OutboxEvent;
}

export function routeDecision(decision: RouteDecision): RecordedDecision {
  const eventId = `route:${decision.orderId ?? decision.intentId ?? "router"}:${decision.tag}`;
  const payload = {
    event_id: eventId,
    type: "ROUTE_DECISION",
    decision: decision.decision,
    reason: decision.reason,
    intent_id: decision.intentId,
    order_id: decision.orderId,
    inputs: decision.inputs,
    ts: decision.nowMs,
  };
  return {
    strategyEvent: {
      eventId,
      kind: "ROUTE_DECISION",
      intentId: decision.intentId,
      orderId: decision.orderId,
      payload,
      tsMs: decision.nowMs,
    },
    outbox: {
      eventId,
      stream: routerEventsStream,
      payload,
      createdAtMs: decision.nowMs,
    },
  };
}
