// Venue order updates for the orders a policy is waiting on (a resting maker order): the policy
// holds its intent's lock while it waits, so it reads the venue's pushed updates here rather than
// from the store, and wakes as soon as one arrives instead of at the end of its window.

import type { Market } from "../../domain/instrument/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { ExchangeEvent } from "../../ports/exchange-gateway.ts";

export type OrderUpdateEvent = Extract<ExchangeEvent, { kind: "ORDER_UPDATE" }>;

/** Orders watched at once; a watch past it still works, by its window and the final query. */
export const watchedOrdersMax = 10_000;
/** Updates buffered per watched order before the oldest are dropped (the cancel answer repairs). */
export const watchBufferMax = 256;

function keyOf(market: Market, clientOrderId: string): string {
  return `${market}:${clientOrderId}`;
}

export class OrderWatch {
  private buffer: OrderUpdateEvent[] = [];
  private wake: (() => void) | null = null;

  constructor(private readonly onClose: () => void) {}

  /** Called by the feed. */
  push(event: OrderUpdateEvent): void {
    this.buffer.push(event);
    if (this.buffer.length > watchBufferMax) this.buffer.shift();
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The updates received since the last call, oldest first. */
  take(): OrderUpdateEvent[] {
    const taken = this.buffer;
    this.buffer = [];
    return taken;
  }

  /** Resolves when an update is waiting, or after `timeoutMs` of the clock's time. */
  async next(clock: Clock, timeoutMs: number): Promise<void> {
    if (this.buffer.length > 0) return;
    const arrived = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    await Promise.race([arrived, clock.sleepMs(Math.max(0, timeoutMs))]);
    this.wake = null;
  }

  close(): void {
    this.onClose();
  }
}

export class OrderEventFeed {
  private readonly watches = new Map<string, OrderWatch>();

  /** Wire to the gateway's event listener. */
  publish(event: ExchangeEvent): void {
    if (event.kind !== "ORDER_UPDATE") return;
    this.watches.get(keyOf(event.order.market, event.order.clientOrderId))?.push(event);
  }

  /** Starts buffering updates of one order; close the watch when done. */
  watch(market: Market, clientOrderId: string): OrderWatch {
    const key = keyOf(market, clientOrderId);
    const watch = new OrderWatch(() => {
      if (this.watches.get(key) === watch) this.watches.delete(key);
    });
    if (this.watches.size < watchedOrdersMax) this.watches.set(key, watch);
    return watch;
  }

  size(): number {
    return this.watches.size;
  }
}
