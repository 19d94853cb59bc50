// Reads an intent's rows and writes its changes together with its refreshed OrderResult and the
// `ord:{results}` event, in one store transaction (the outbox pattern of DESIGN §7).

import {
  contentDigest,
  type Fill,
  type Order,
  type OrderResult,
  type ResultExec,
} from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type {
  Alert,
  IntentRecord,
  OrderStore,
  OutboxEvent,
  StrategyEvent,
} from "../../ports/order-store.ts";
import { buildOrderResult } from "./result-builder.ts";

export interface IntentState {
  readonly record: IntentRecord;
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
}

export interface IntentChanges {
  readonly orders?: readonly Order[];
  readonly fills?: readonly Fill[];
  readonly strategyEvents?: readonly StrategyEvent[];
  readonly alerts?: readonly Alert[];
  readonly outbox?: readonly OutboxEvent[];
  /** Replaces the stored exec block; absent keeps the previous one. */
  readonly exec?: ResultExec;
  /** Sets (or with null clears) the result's code and message. */
  readonly failure?: { readonly code: string; readonly message: string } | null;
  readonly guardedOrderIds?: ReadonlySet<string>;
}

export const resultsStream = "ord:{results}";

export function resultEvent(result: OrderResult, nowMs: number): OutboxEvent {
  const eventId = `res:${contentDigest(JSON.stringify(result)).slice(0, 24)}`;
  return {
    eventId,
    stream: resultsStream,
    payload: { event_id: eventId, ...result },
    createdAtMs: nowMs,
  };
}

function mergeById<T>(base: readonly T[], updates: readonly T[], id: (item: T) => string): T[] {
  const merged = new Map<string, T>();
  for (const item of base) merged.set(id(item), item);
  for (const item of updates) merged.set(id(item), item);
  return [...merged.values()];
}

export class IntentLedger {
  constructor(
    private readonly store: OrderStore,
    private readonly clock: Clock,
  ) {}

  async load(intentId: string): Promise<IntentState | null> {
    const record = await this.store.getIntent(intentId);
    if (record === null) return null;
    const [orders, fills] = await Promise.all([
      this.store.ordersOfIntent(intentId),
      this.store.fillsOfIntent(intentId),
    ]);
    return { record, orders, fills };
  }

  /** Builds the result the state would have after `changes`, without writing anything. */
  preview(state: IntentState, changes: IntentChanges): { result: OrderResult; next: IntentState } {
    const orders = mergeById(state.orders, changes.orders ?? [], (order) => order.orderId);
    const fills = mergeById(state.fills, changes.fills ?? [], (fill) => fill.fillId);
    const parent = orders.find((order) => order.orderId === state.record.orderId);
    if (parent === undefined) throw new Error("Condition failed: intent without its parent order");
    const previous = state.record.result;
    // "Outcome unknown" describes the parent's send; once the venue has told us, it is history.
    const stillUnknown = parent.status === "UNKNOWN" || parent.status === "PENDING_NEW";
    const carried =
      previous?.code === undefined || (previous.code === "OUTCOME_UNKNOWN" && !stillUnknown)
        ? null
        : { code: previous.code, message: previous.message ?? "" };
    const failure = changes.failure === undefined ? carried : changes.failure;
    const request = state.record.request as { uuid?: string | null } | null;
    const result = buildOrderResult({
      intentId: state.record.intentId,
      uuid: request?.uuid ?? null,
      parent,
      orders,
      fills,
      exec: changes.exec ?? previous?.exec ?? null,
      ...(changes.guardedOrderIds === undefined
        ? {}
        : { guardedOrderIds: changes.guardedOrderIds }),
      ...(failure === null ? {} : { code: failure.code, message: failure.message }),
    });
    return { result, next: { record: { ...state.record, result }, orders, fills } };
  }

  /** Writes the changes and the refreshed result (plus its event when the result changed). */
  async save(state: IntentState, changes: IntentChanges): Promise<IntentState> {
    const nowMs = this.clock.nowMs();
    const { result, next } = this.preview(state, changes);
    const changed = JSON.stringify(result) !== JSON.stringify(state.record.result);
    const record: IntentRecord = { ...next.record, result, updatedAtMs: nowMs };
    await this.store.commit({
      intents: [record],
      orders: changes.orders ?? [],
      fills: changes.fills ?? [],
      strategyEvents: changes.strategyEvents ?? [],
      alerts: changes.alerts ?? [],
      outbox: [...(changes.outbox ?? []), ...(changed ? [resultEvent(result, nowMs)] : [])],
    });
    return { ...next, record };
  }
}
