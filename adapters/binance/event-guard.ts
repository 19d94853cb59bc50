// Makes duplicated and reordered venue events harmless before they reach listeners: a fill is
// delivered once per trade id, and an order snapshot never moves an order backwards (a stale
// snapshot that still carries a new fill is delivered with the newest snapshot instead).

import { compare, type Decimal } from "../../domain/decimal/index.ts";
import type {
  ConditionalStatus,
  ExchangeEvent,
  ExchangeOrder,
  VenueOrderStatus,
} from "../../ports/exchange-gateway.ts";

/** Bounds on what the guard remembers; the oldest entries are forgotten first. */
export const guardOrdersMax = 10_000;
export const guardTradesMax = 50_000;

type Snapshot = Omit<ExchangeOrder, "fills">;

const orderRank: Readonly<Record<VenueOrderStatus, number>> = {
  NEW: 0,
  PARTIALLY_FILLED: 1,
  FILLED: 2,
  CANCELED: 2,
  EXPIRED: 2,
  REJECTED: 2,
};

const conditionalRank: Readonly<Record<ConditionalStatus, number>> = {
  NEW: 0,
  TRIGGERING: 1,
  TRIGGERED: 2,
  FINISHED: 3,
  CANCELED: 3,
  REJECTED: 3,
  EXPIRED: 3,
};

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

/** -1 older, 0 same progress, 1 newer: status rank first, then filled quantity. */
function progress(next: Snapshot, known: Snapshot): -1 | 0 | 1 {
  const rank = orderRank[next.status] - orderRank[known.status];
  if (rank !== 0) return rank > 0 ? 1 : -1;
  return compareQty(next.filledQty, known.filledQty);
}

function compareQty(a: Decimal, b: Decimal): -1 | 0 | 1 {
  return compare(a, b);
}

export class EventGuard {
  private readonly orders = new Map<string, Snapshot>();
  private readonly trades = new Map<string, true>();
  private readonly conditionals = new Map<string, { rank: number; filled: Decimal }>();

  /** The event to deliver, or null when it adds nothing. */
  admit(event: ExchangeEvent): ExchangeEvent | null {
    if (event.kind === "ORDER_UPDATE") return this.admitOrder(event);
    if (event.kind === "CONDITIONAL_UPDATE") return this.admitConditional(event);
    return event;
  }

  private admitOrder(event: Extract<ExchangeEvent, { kind: "ORDER_UPDATE" }>) {
    const key = `${event.order.market}:${event.order.symbol}:${event.order.exchangeOrderId}`;
    let fill = event.fill;
    if (fill !== null) {
      const tradeKey = `${event.order.market}:${event.order.symbol}:${fill.tradeId}`;
      if (this.trades.has(tradeKey)) fill = null;
      else remember(this.trades, tradeKey, true, guardTradesMax);
    }
    const known = this.orders.get(key);
    const direction = known === undefined ? 1 : progress(event.order, known);
    if (direction > 0) {
      remember(this.orders, key, event.order, guardOrdersMax);
      return fill === event.fill ? event : { ...event, fill };
    }
    if (fill === null || known === undefined) return null;
    // A late event with a fill not seen yet: deliver the fill, keep the newest snapshot.
    return { ...event, order: known, fill };
  }

  private admitConditional(event: Extract<ExchangeEvent, { kind: "CONDITIONAL_UPDATE" }>) {
    const key = `${event.order.symbol}:${event.order.algoId}`;
    const rank = conditionalRank[event.order.status];
    const known = this.conditionals.get(key);
    if (known !== undefined) {
      const newer =
        rank > known.rank ||
        (rank === known.rank && compare(event.order.filledQty, known.filled) > 0);
      if (!newer) return null;
    }
    remember(this.conditionals, key, { rank, filled: event.order.filledQty }, guardOrdersMax);
    return event;
  }
}
