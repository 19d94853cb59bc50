// The in-memory twin of the SQLite store, for fast tests: the same uniqueness rules (intent id,
// client order id, (order, trade) per fill, event ids), the same orderings, all-or-nothing
// commits and copied values. Long runs stay bounded: see MemoryOrderStoreLimits.

import { type Fill, isTerminal, type Order } from "../../domain/order/index.ts";
import type { EventOutbox, StoredOutboxEvent } from "../../ports/event-outbox.ts";
import type {
  Alert,
  CreateIntentOutcome,
  IntentRecord,
  OrderStore,
  StoreChanges,
  StrategyEvent,
} from "../../ports/order-store.ts";
import {
  copyAlert,
  copyFill,
  copyIntent,
  copyOrder,
  copyOutboxEvent,
  copyStrategyEvent,
} from "./copies.ts";

export interface MemoryOrderStoreLimits {
  /**
   * Intents (with their orders, fills and strategy events) kept. Past it the oldest intent whose
   * orders are all terminal is forgotten; an intent with a live order is never dropped, so growth
   * past the limit is bounded by the orders still working on the venue.
   */
  readonly intentsMax: number;
  /** Alerts kept, newest first; older ones are dropped. */
  readonly alertsMax: number;
  /** Unpublished outbox events; a commit that would exceed it is refused (the relay is stuck). */
  readonly outboxPendingMax: number;
  /** Ids remembered after publication / for intent-less events, for event-id dedupe. */
  readonly eventIdsRememberedMax: number;
}

export const memoryOrderStoreLimitsDefault: MemoryOrderStoreLimits = {
  intentsMax: 50_000,
  alertsMax: 10_000,
  outboxPendingMax: 100_000,
  eventIdsRememberedMax: 100_000,
};

/** How many of the oldest intents one eviction pass looks at for a finished one. */
const evictionScanMax = 256;
export const memoryReadLimitMax = 10_000;

interface Stored<T> {
  readonly value: T;
  /** Insertion order, the tie-breaker after timestamps (SQLite's rowid). */
  readonly sequence: number;
}

interface PreparedChanges {
  readonly intents: IntentRecord[];
  readonly orders: Order[];
  readonly fills: Fill[];
  readonly strategyEvents: StrategyEvent[];
  readonly alerts: Alert[];
  readonly outbox: StoredOutboxEvent[];
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0 || limit > memoryReadLimitMax) {
    throw new Error(`Condition failed: limit ${limit} outside 0..${memoryReadLimitMax}`);
  }
  return limit;
}

/** A set that forgets its oldest members past `sizeMax`. */
class BoundedIdSet {
  private readonly ids = new Set<string>();
  constructor(private readonly sizeMax: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    for (const oldest of this.ids) {
      if (this.ids.size <= this.sizeMax) break;
      this.ids.delete(oldest);
    }
  }
}

const fillKey = (orderId: string, tradeId: string): string => `${orderId}\u0000${tradeId}`;

export class MemoryOrderStore implements OrderStore, EventOutbox {
  private readonly limits: MemoryOrderStoreLimits;
  private insertions = 0;
  private outboxSequence = 0;
  private closed = false;

  private readonly intents = new Map<string, IntentRecord>();
  private readonly orders = new Map<string, Stored<Order>>();
  private readonly orderIdByClientId = new Map<string, string>();
  private readonly orderIdsByIntent = new Map<string, Set<string>>();
  private readonly fills = new Map<string, Stored<Fill>>();
  private readonly fillKeys = new Set<string>();
  private readonly fillIdsByOrder = new Map<string, string[]>();
  private readonly strategyEventsByIntent = new Map<string, Stored<StrategyEvent>[]>();
  private readonly strategyEventIntent = new Map<string, string>();
  private readonly intentlessEventIds: BoundedIdSet;
  private alerts: Stored<Alert>[] = [];
  private readonly alertIds = new Set<string>();
  private readonly outboxPending = new Map<number, StoredOutboxEvent>();
  private readonly outboxPendingIds = new Set<string>();
  private readonly outboxPublishedIds: BoundedIdSet;
  /** Intent ids in first-seen order: the eviction queue. */
  private readonly retention = new Set<string>();

  constructor(options: { limits?: Partial<MemoryOrderStoreLimits> } = {}) {
    this.limits = { ...memoryOrderStoreLimitsDefault, ...options.limits };
    this.intentlessEventIds = new BoundedIdSet(this.limits.eventIdsRememberedMax);
    this.outboxPublishedIds = new BoundedIdSet(this.limits.eventIdsRememberedMax);
  }

  async createIntent(intent: IntentRecord, changes: StoreChanges): Promise<CreateIntentOutcome> {
    this.checkOpen();
    const existing = this.intents.get(intent.intentId);
    if (existing !== undefined) return { created: false, existing: copyIntent(existing) };
    const prepared = this.prepare(changes, copyIntent(intent));
    this.apply(prepared);
    return { created: true };
  }

  async commit(changes: StoreChanges): Promise<void> {
    this.checkOpen();
    this.apply(this.prepare(changes, null));
  }

  async getIntent(intentId: string): Promise<IntentRecord | null> {
    const intent = this.intents.get(intentId);
    return intent === undefined ? null : copyIntent(intent);
  }

  async getOrder(orderId: string): Promise<Order | null> {
    const stored = this.orders.get(orderId);
    return stored === undefined ? null : copyOrder(stored.value);
  }

  async getOrderByClientId(clientOrderId: string): Promise<Order | null> {
    const orderId = this.orderIdByClientId.get(clientOrderId);
    return orderId === undefined ? null : this.getOrder(orderId);
  }

  async ordersOfIntent(intentId: string): Promise<readonly Order[]> {
    return this.storedOrdersOfIntent(intentId).map((stored) => copyOrder(stored.value));
  }

  async fillsOfIntent(intentId: string): Promise<readonly Fill[]> {
    const fills: Stored<Fill>[] = [];
    for (const order of this.storedOrdersOfIntent(intentId)) {
      for (const fillId of this.fillIdsByOrder.get(order.value.orderId) ?? []) {
        const stored = this.fills.get(fillId);
        if (stored !== undefined) fills.push(stored);
      }
    }
    fills.sort((a, b) => a.value.tsMs - b.value.tsMs || a.sequence - b.sequence);
    return fills.map((stored) => copyFill(stored.value));
  }

  async openOrders(limit: number): Promise<readonly Order[]> {
    checkLimit(limit);
    const open = [...this.orders.values()].filter((stored) => !isTerminal(stored.value.status));
    open.sort(byCreation);
    return open.slice(0, limit).map((stored) => copyOrder(stored.value));
  }

  async strategyEvents(intentId: string): Promise<readonly StrategyEvent[]> {
    const events = [...(this.strategyEventsByIntent.get(intentId) ?? [])];
    events.sort((a, b) => a.value.tsMs - b.value.tsMs || a.sequence - b.sequence);
    return events.map((stored) => copyStrategyEvent(stored.value));
  }

  async recentAlerts(limit: number): Promise<readonly Alert[]> {
    checkLimit(limit);
    const alerts = [...this.alerts];
    alerts.sort((a, b) => b.value.tsMs - a.value.tsMs || b.sequence - a.sequence);
    return alerts.slice(0, limit).map((stored) => copyAlert(stored.value));
  }

  async pending(limit: number): Promise<readonly StoredOutboxEvent[]> {
    checkLimit(limit);
    const events: StoredOutboxEvent[] = [];
    for (const event of this.outboxPending.values()) {
      if (events.length >= limit) break;
      events.push(copyOutboxEvent(event));
    }
    return events;
  }

  /** Published events are dropped at once; their ids are remembered for dedupe. */
  async markPublished(sequences: readonly number[]): Promise<void> {
    this.checkOpen();
    for (const sequence of sequences) {
      const event = this.outboxPending.get(sequence);
      if (event === undefined) continue;
      this.outboxPending.delete(sequence);
      this.outboxPendingIds.delete(event.eventId);
      this.outboxPublishedIds.add(event.eventId);
    }
  }

  /** How many outbox events wait for the relay (for tests and health views). */
  pendingCount(): number {
    return this.outboxPending.size;
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error("Condition failed: store is closed");
  }

  private storedOrdersOfIntent(intentId: string): Stored<Order>[] {
    const stored: Stored<Order>[] = [];
    for (const orderId of this.orderIdsByIntent.get(intentId) ?? []) {
      const order = this.orders.get(orderId);
      if (order !== undefined) stored.push(order);
    }
    return stored.sort(byCreation);
  }

  /** Copies and checks everything first, so a refused commit leaves no trace. */
  private prepare(changes: StoreChanges, created: IntentRecord | null): PreparedChanges {
    const orders = (changes.orders ?? []).map(copyOrder);
    this.checkClientOrderIds(orders);
    const outbox = (changes.outbox ?? []).map((event) => ({
      ...copyOutboxEvent(event),
      sequence: 0,
    }));
    if (this.outboxPending.size + outbox.length > this.limits.outboxPendingMax) {
      throw new Error(
        `Condition failed: outbox holds ${this.outboxPending.size} unpublished events ` +
          `(max ${this.limits.outboxPendingMax})`,
      );
    }
    const intents = (changes.intents ?? []).map(copyIntent);
    return {
      intents: created === null ? intents : [created, ...intents],
      orders,
      fills: (changes.fills ?? []).map(copyFill),
      strategyEvents: (changes.strategyEvents ?? []).map(copyStrategyEvent),
      alerts: (changes.alerts ?? []).map(copyAlert),
      outbox,
    };
  }

  /** The unique client order id rule, checked row by row as the database does. */
  private checkClientOrderIds(orders: readonly Order[]): void {
    const staged = new Map<string, string | null>();
    const stagedClientIdOf = new Map<string, string>();
    for (const order of orders) {
      const owner = staged.has(order.clientOrderId)
        ? staged.get(order.clientOrderId)
        : this.orderIdByClientId.get(order.clientOrderId);
      if (owner !== undefined && owner !== null && owner !== order.orderId) {
        throw new Error(
          `Condition failed: client order id ${order.clientOrderId} belongs to order ${owner}`,
        );
      }
      const previous =
        stagedClientIdOf.get(order.orderId) ?? this.orders.get(order.orderId)?.value.clientOrderId;
      if (previous !== undefined && previous !== order.clientOrderId) staged.set(previous, null);
      staged.set(order.clientOrderId, order.orderId);
      stagedClientIdOf.set(order.orderId, order.clientOrderId);
    }
  }

  private apply(changes: PreparedChanges): void {
    for (const intent of changes.intents) {
      this.intents.set(intent.intentId, intent);
      this.retention.add(intent.intentId);
    }
    for (const order of changes.orders) this.putOrder(order);
    for (const fill of changes.fills) this.putFill(fill);
    for (const event of changes.strategyEvents) this.putStrategyEvent(event);
    for (const alert of changes.alerts) this.putAlert(alert);
    for (const event of changes.outbox) this.putOutboxEvent(event);
    this.evict();
  }

  private putOrder(order: Order): void {
    const previous = this.orders.get(order.orderId);
    if (previous !== undefined) {
      this.orderIdByClientId.delete(previous.value.clientOrderId);
      this.orderIdsByIntent.get(previous.value.intentId)?.delete(order.orderId);
    }
    const sequence = previous?.sequence ?? this.nextInsertion();
    this.orders.set(order.orderId, { value: order, sequence });
    this.orderIdByClientId.set(order.clientOrderId, order.orderId);
    let ofIntent = this.orderIdsByIntent.get(order.intentId);
    if (ofIntent === undefined) {
      ofIntent = new Set();
      this.orderIdsByIntent.set(order.intentId, ofIntent);
    }
    ofIntent.add(order.orderId);
    this.retention.add(order.intentId);
  }

  private putFill(fill: Fill): void {
    const key = fillKey(fill.orderId, fill.tradeId);
    if (this.fills.has(fill.fillId) || this.fillKeys.has(key)) return;
    this.fills.set(fill.fillId, { value: fill, sequence: this.nextInsertion() });
    this.fillKeys.add(key);
    const ofOrder = this.fillIdsByOrder.get(fill.orderId);
    if (ofOrder === undefined) this.fillIdsByOrder.set(fill.orderId, [fill.fillId]);
    else ofOrder.push(fill.fillId);
  }

  private putStrategyEvent(event: StrategyEvent): void {
    if (this.strategyEventIntent.has(event.eventId) || this.intentlessEventIds.has(event.eventId)) {
      return;
    }
    if (event.intentId === null) {
      // Unreadable through the port (events are read per intent); only the id is kept for dedupe.
      this.intentlessEventIds.add(event.eventId);
      return;
    }
    const stored = { value: event, sequence: this.nextInsertion() };
    const ofIntent = this.strategyEventsByIntent.get(event.intentId);
    if (ofIntent === undefined) this.strategyEventsByIntent.set(event.intentId, [stored]);
    else ofIntent.push(stored);
    this.strategyEventIntent.set(event.eventId, event.intentId);
    this.retention.add(event.intentId);
  }

  private putAlert(alert: Alert): void {
    if (this.alertIds.has(alert.alertId)) return;
    this.alerts.push({ value: alert, sequence: this.nextInsertion() });
    this.alertIds.add(alert.alertId);
    if (this.alerts.length > this.limits.alertsMax) {
      this.alerts.sort((a, b) => a.value.tsMs - b.value.tsMs || a.sequence - b.sequence);
      const dropped = this.alerts.splice(0, this.alerts.length - this.limits.alertsMax);
      for (const old of dropped) this.alertIds.delete(old.value.alertId);
    }
  }

  private putOutboxEvent(event: StoredOutboxEvent): void {
    if (this.outboxPendingIds.has(event.eventId) || this.outboxPublishedIds.has(event.eventId)) {
      return;
    }
    this.outboxSequence += 1;
    const stored = { ...event, sequence: this.outboxSequence };
    this.outboxPending.set(stored.sequence, stored);
    this.outboxPendingIds.add(stored.eventId);
  }

  private nextInsertion(): number {
    this.insertions += 1;
    return this.insertions;
  }

  /** Forgets the oldest finished intents past `intentsMax`; never one with a live order. */
  private evict(): void {
    let scanned = 0;
    for (const intentId of this.retention) {
      if (this.retention.size <= this.limits.intentsMax || scanned >= evictionScanMax) return;
      scanned += 1;
      const orders = this.storedOrdersOfIntent(intentId);
      if (orders.some((stored) => !isTerminal(stored.value.status))) continue;
      this.forgetIntent(intentId, orders);
    }
  }

  private forgetIntent(intentId: string, orders: readonly Stored<Order>[]): void {
    for (const { value: order } of orders) {
      for (const fillId of this.fillIdsByOrder.get(order.orderId) ?? []) {
        const fill = this.fills.get(fillId);
        if (fill !== undefined) this.fillKeys.delete(fillKey(order.orderId, fill.value.tradeId));
        this.fills.delete(fillId);
      }
      this.fillIdsByOrder.delete(order.orderId);
      this.orderIdByClientId.delete(order.clientOrderId);
      this.orders.delete(order.orderId);
    }
    for (const event of this.strategyEventsByIntent.get(intentId) ?? []) {
      this.strategyEventIntent.delete(event.value.eventId);
    }
    this.strategyEventsByIntent.delete(intentId);
    this.orderIdsByIntent.delete(intentId);
    this.intents.delete(intentId);
    this.retention.delete(intentId);
  }
}

function byCreation(a: Stored<Order>, b: Stored<Order>): number {
  return a.value.createdAtMs - b.value.createdAtMs || a.sequence - b.sequence;
}
