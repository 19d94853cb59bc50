// The system of record: intents, orders, fills, strategy events, alerts, and the outbox, written
// together so an event is never published for a row that was not stored (or the reverse).

import type { Fill, Order, OrderResult } from "../domain/order/index.ts";

export interface IntentRecord {
  readonly intentId: string;
  /** Digest of the normalised request; a replay with another payload is a mismatch. */
  readonly fingerprint: string;
  /** The router id of the intent's parent order. */
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly request: unknown;
  readonly result: OrderResult | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export type StrategyEventKind =
  | "ORDER_PLACED"
  | "TP_SL_PLACED"
  | "CANCEL"
  | "OCO_ARMED"
  | "GUARD_ARMED"
  | "GUARD_TRIGGERED"
  | "GUARD_DISARMED"
  | "MAKER_TIMEOUT"
  | "TWAP_SLICE"
  | "ROUTE_DECISION"
  | "TRANSFER_REQUEST"
  | "TRANSFER_RESPONSE"
  | "RECONCILE";

export interface StrategyEvent {
  readonly eventId: string;
  readonly kind: StrategyEventKind;
  readonly intentId: string | null;
  readonly orderId: string | null;
  readonly payload: Record<string, unknown>;
  readonly tsMs: number;
}

export type AlertLevel = "WARN" | "ERROR" | "FATAL";

export interface Alert {
  readonly alertId: string;
  readonly level: AlertLevel;
  readonly code: string;
  readonly message: string;
  readonly refs: Record<string, string>;
  readonly tsMs: number;
}

/** A message for a Redis stream, stored in the same transaction as the rows it describes. */
export interface OutboxEvent {
  /** Consumers dedupe on this id; relaying is at least once. */
  readonly eventId: string;
  readonly stream: string;
  readonly payload: Record<string, unknown>;
  readonly createdAtMs: number;
}

/** One atomic write. Orders are upserts; fills with a known (orderId, tradeId) are ignored. */
export interface StoreChanges {
  readonly intents?: readonly IntentRecord[];
  readonly orders?: readonly Order[];
  readonly fills?: readonly Fill[];
  readonly strategyEvents?: readonly StrategyEvent[];
  readonly alerts?: readonly Alert[];
  readonly outbox?: readonly OutboxEvent[];
}

export type CreateIntentOutcome =
  | { readonly created: true }
  | { readonly created: false; readonly existing: IntentRecord };

export interface OrderStore {
  /**
   * Inserts the intent and `changes` atomically, unless the intent id exists: then nothing is
   * written and the existing record is returned. This is the "never twice" guarantee.
   */
  createIntent(intent: IntentRecord, changes: StoreChanges): Promise<CreateIntentOutcome>;
  commit(changes: StoreChanges): Promise<void>;

  getIntent(intentId: string): Promise<IntentRecord | null>;
  getOrder(orderId: string): Promise<Order | null>;
  getOrderByClientId(clientOrderId: string): Promise<Order | null>;
  ordersOfIntent(intentId: string): Promise<readonly Order[]>;
  fillsOfIntent(intentId: string): Promise<readonly Fill[]>;
  /** Orders the router believes may still work on the venue (not terminal). */
  openOrders(limit: number): Promise<readonly Order[]>;

  strategyEvents(intentId: string): Promise<readonly StrategyEvent[]>;
  recentAlerts(limit: number): Promise<readonly Alert[]>;

  /** Cheap liveness probe for /health. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
