// Applies what the venue pushes (order updates with fills, futures algo-order updates) to the
// stored orders. Duplicated and reordered events are harmless: fills are keyed by trade id and the
// transition table never moves an order backwards. Events for orders the router does not know are
// ignored. Order-list updates go to their listeners (protection settles the lists it placed).

import type { ExchangeEvent, OrderList } from "../../ports/exchange-gateway.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import { isConditionalLeg, syncConditional } from "../protection/conditional-legs.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import type { KeyedMutex } from "../shared/keyed-mutex.ts";
import type { ExecutionMetrics } from "../shared/execution-metrics.ts";
import type { RuleBook } from "../shared/rule-book.ts";
import { fillEvent, syncFromVenue } from "../shared/venue-sync.ts";

export type IntentChangeListener = (
  state: IntentState,
  event: ExchangeEvent,
) => void | Promise<void>;

/** Called (outside any intent lock) for every order-list update. */
export type OrderListListener = (list: Omit<OrderList, "orders">) => void | Promise<void>;

export interface TrackOrdersDeps {
  readonly clock: Clock;
  readonly store: OrderStore;
  readonly ledger: IntentLedger;
  readonly mutex: KeyedMutex;
  readonly rules: RuleBook;
  readonly logger: Logger;
  /** TCA metrics for fills that arrive by event (resting limits, makers filled late). */
  readonly stats?: ExecutionMetrics;
}

/** Events waiting to be applied; beyond this they are dropped and left to reconciliation. */
export const trackQueueMax = 50_000;

export class TrackOrders {
  private pending = 0;
  private readonly listeners: IntentChangeListener[] = [];
  private readonly listListeners: OrderListListener[] = [];

  constructor(private readonly deps: TrackOrdersDeps) {}

  /** Called for every intent whose orders changed because of a venue event. */
  onIntentChange(listener: IntentChangeListener): void {
    this.listeners.push(listener);
  }

  onOrderListUpdate(listener: OrderListListener): void {
    this.listListeners.push(listener);
  }

  /** Accepts an event without blocking the stream; returns the work's promise for tests. */
  enqueue(event: ExchangeEvent): Promise<void> {
    if (
      event.kind !== "ORDER_UPDATE" &&
      event.kind !== "CONDITIONAL_UPDATE" &&
      event.kind !== "ORDER_LIST_UPDATE"
    ) {
      return Promise.resolve();
    }
    if (this.pending >= trackQueueMax) {
      this.deps.logger.warn("order event dropped: queue full", { kind: event.kind });
      return Promise.resolve();
    }
    this.pending += 1;
    const work =
      event.kind === "ORDER_UPDATE"
        ? this.apply(event)
        : event.kind === "CONDITIONAL_UPDATE"
          ? this.applyConditional(event)
          : this.applyList(event);
    return work
      .catch((error: unknown) =>
        this.deps.logger.error("order event failed", { error: String(error) }),
      )
      .finally(() => {
        this.pending -= 1;
      });
  }

  private async apply(event: Extract<ExchangeEvent, { kind: "ORDER_UPDATE" }>): Promise<void> {
    const known = await this.deps.store.getOrderByClientId(event.order.clientOrderId);
    if (known === null || known.market !== event.order.market) return;
    // Most events repeat what the order's own answer already said (our fills, our status):
    // when the event changes nothing even on this read, it changes nothing on a later one
    // either (fills dedupe by trade id, statuses never move back), so skip the locked reload.
    const fills = event.fill === null ? [] : [event.fill];
    const nowMs = this.deps.clock.nowMs();
    if (!syncFromVenue(known, event.order, fills, { rules: null, bookTop3: null }, nowMs).changed)
      return;
    await this.deps.mutex.run(known.intentId, async () => {
      const state = await this.deps.ledger.load(known.intentId);
      const order = state?.orders.find((candidate) => candidate.orderId === known.orderId);
      if (state === null || order === undefined) return;
      const rules = this.deps.rules.get(order.market, order.symbol);
      const synced = syncFromVenue(
        order,
        event.order,
        event.fill === null ? [] : [event.fill],
        { rules, bookTop3: null },
        this.deps.clock.nowMs(),
      );
      if (!synced.changed) return;
      const saved = await this.deps.ledger.save(state, {
        orders: [synced.order],
        fills: synced.newFills,
        outbox: synced.newFills.map((fill) => fillEvent(synced.order, fill)),
      });
      this.deps.stats?.recordFills(order.market, synced.newFills);
      for (const listener of this.listeners) await listener(saved, event);
    });
  }

  /** A futures algo order (protective leg) changed: its status goes onto the stored leg. */
  private async applyConditional(
    event: Extract<ExchangeEvent, { kind: "CONDITIONAL_UPDATE" }>,
  ): Promise<void> {
    const known = await this.deps.store.getOrderByClientId(event.order.clientAlgoId);
    if (known === null || !isConditionalLeg(known)) return;
    await this.deps.mutex.run(known.intentId, async () => {
      const state = await this.deps.ledger.load(known.intentId);
      const leg = state?.orders.find((candidate) => candidate.orderId === known.orderId);
      if (state === null || leg === undefined) return;
      const synced = syncConditional(leg, event.order, this.deps.clock.nowMs());
      if (synced === leg) return;
      const saved = await this.deps.ledger.save(state, { orders: [synced] });
      for (const listener of this.listeners) await listener(saved, event);
    });
  }

  private async applyList(event: Extract<ExchangeEvent, { kind: "ORDER_LIST_UPDATE" }>) {
    for (const listener of this.listListeners) await listener(event.list);
  }
}
