// What protection records and publishes (DESIGN §5, §7): strategy events with their stream twins
// (`risk:sl_arm`, `spot:oco:armed`, `guard:spot:arm`) and alerts (store `alerts` + stream), with
// ids derived from what they describe so a replay writes nothing twice.

import type {
  Alert,
  AlertLevel,
  OutboxEvent,
  StrategyEvent,
  StrategyEventKind,
} from "../../ports/order-store.ts";

export const slArmStream = "risk:sl_arm";
export const ocoArmedStream = "spot:oco:armed";
export const guardArmStream = "guard:spot:arm";
export const alertsStream = "alerts";

export interface Recorded {
  readonly strategyEvents: StrategyEvent[];
  readonly outbox: OutboxEvent[];
  readonly alerts: Alert[];
}

export function emptyRecorded(): Recorded {
  return { strategyEvents: [], outbox: [], alerts: [] };
}

export function mergeRecorded(...parts: readonly Recorded[]): Recorded {
  return {
    strategyEvents: parts.flatMap((part) => part.strategyEvents),
    outbox: parts.flatMap((part) => part.outbox),
    alerts: parts.flatMap((part) => part.alerts),
  };
}

export interface EventSpec {
  readonly kind: StrategyEventKind;
  /** Unique per intent and occurrence, e.g. "tp-sl" or "guard-triggered-2". */
  readonly tag: string;
  readonly intentId: string;
  readonly orderId: string | null;
  readonly payload: Record<string, unknown>;
  /** Also published on this stream (same payload, same event id). */
  readonly stream: string | null;
  readonly nowMs: number;
}

export function recordEvent(spec: EventSpec): Recorded {
  const eventId = `protect:${spec.intentId}:${spec.tag}`;
  const payload = {
    event_id: eventId,
    type: spec.kind,
    intent_id: spec.intentId,
    ...spec.payload,
    ts: spec.nowMs,
  };
  const event: StrategyEvent = {
    eventId,
    kind: spec.kind,
    intentId: spec.intentId,
    orderId: spec.orderId,
    payload,
    tsMs: spec.nowMs,
  };
  const outbox: OutboxEvent[] =
    spec.stream === null
      ? []
      : [{ eventId, stream: spec.stream, payload, createdAtMs: spec.nowMs }];
  return { strategyEvents: [event], outbox, alerts: [] };
}

export interface AlertSpec {
  readonly level: AlertLevel;
  readonly code: string;
  readonly message: string;
  readonly intentId: string;
  readonly tag: string;
  readonly refs?: Record<string, string>;
  readonly nowMs: number;
}

export function recordAlert(spec: AlertSpec): Recorded {
  const alertId = `${spec.code}:${spec.intentId}:${spec.tag}`;
  const refs = { intent_id: spec.intentId, ...spec.refs };
  const alert: Alert = {
    alertId,
    level: spec.level,
    code: spec.code,
    message: spec.message,
    refs,
    tsMs: spec.nowMs,
  };
  const eventId = `alert:${alertId}`;
  const payload = {
    event_id: eventId,
    level: spec.level,
    code: spec.code,
    message: spec.message,
    refs,
    ts: spec.nowMs,
  };
  return {
    strategyEvents: [],
    outbox: [{ eventId, stream: alertsStream, payload, createdAtMs: spec.nowMs }],
    alerts: [alert],
  };
}
