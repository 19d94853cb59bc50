// What the adapter remembers about orders between calls, all bounded: orders in flight (re-
// queried after a stream reconnect) and recent successful cancels (so a transport-level second
// cancel is told apart from a caller's second cancel).

import type { Market } from "../../domain/instrument/index.ts";
import type { OrderRef, VenueOrderStatus } from "../../ports/exchange-gateway.ts";

export const trackedOrdersMax = 2_000;
export const recentCancelsMax = 2_000;

export interface TrackedConditional {
  readonly symbol: string;
  readonly clientAlgoId: string;
}

const openStatuses: ReadonlySet<VenueOrderStatus> = new Set(["NEW", "PARTIALLY_FILLED"]);

function bounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

export function orderKey(market: Market, symbol: string, clientOrderId: string): string {
  return `${market}:${symbol}:${clientOrderId}`;
}

export class OrderTracker {
  private readonly orders = new Map<string, OrderRef>();
  private readonly conditionals = new Map<string, TrackedConditional>();
  private readonly cancels = new Map<string, true>();

  track(ref: OrderRef): void {
    bounded(
      this.orders,
      orderKey(ref.market, ref.symbol, ref.clientOrderId),
      ref,
      trackedOrdersMax,
    );
  }

  /** Forgets an order once the venue reports it finished. */
  observe(ref: OrderRef, status: VenueOrderStatus): void {
    if (!openStatuses.has(status))
      this.orders.delete(orderKey(ref.market, ref.symbol, ref.clientOrderId));
  }

  /** True while an order we placed has not been reported finished. */
  isInFlight(ref: OrderRef): boolean {
    return this.orders.has(orderKey(ref.market, ref.symbol, ref.clientOrderId));
  }

  inFlight(market: Market): OrderRef[] {
    return [...this.orders.values()].filter((ref) => ref.market === market);
  }

  trackConditional(order: TrackedConditional): void {
    bounded(this.conditionals, `${order.symbol}:${order.clientAlgoId}`, order, trackedOrdersMax);
  }

  observeConditional(order: TrackedConditional, finished: boolean): void {
    if (finished) this.conditionals.delete(`${order.symbol}:${order.clientAlgoId}`);
  }

  conditionalsInFlight(): TrackedConditional[] {
    return [...this.conditionals.values()];
  }

  rememberCancel(key: string): void {
    bounded(this.cancels, key, true, recentCancelsMax);
  }

  wasCanceledByUs(key: string): boolean {
    return this.cancels.has(key);
  }
}
