// Settles what the router believes is still working against what the venue says: after a
// restart, after a stream reconnect, and periodically (DESIGN §8). Orders whose send never
// reached the venue are closed only once the venue could no longer accept them.

import type { Market } from "../../domain/instrument/index.ts";
import { applyEvent, isTerminal, type Order } from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { ExchangeGateway } from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import type { IntentLedger } from "../shared/intent-ledger.ts";
import type { KeyedMutex } from "../shared/keyed-mutex.ts";
import type { RuleBook } from "../shared/rule-book.ts";
import { fillEvent, syncFromAnswer } from "../shared/venue-sync.ts";

export interface ReconcileDeps {
  readonly clock: Clock;
  readonly exchange: ExchangeGateway;
  readonly store: OrderStore;
  readonly ledger: IntentLedger;
  readonly mutex: KeyedMutex;
  readonly rules: RuleBook;
  readonly logger: Logger;
  /** After this long an order the venue does not know can no longer arrive (recvWindow + margin). */
  readonly unknownAfterMs: number;
  readonly batchMax: number;
  readonly metrics?: Metrics;
  /** Cancel venue orders the store does not know (DESIGN §8); off for shared accounts. */
  readonly cancelOrphans?: boolean;
  /** Overlap of venue and store open orders below which an alert is raised. */
  readonly jaccardAlertBelow?: number;
}

/** Overlap of the venue's and the store's open orders for one market. */
export interface OpenOrderOverlap {
  readonly market: Market;
  readonly venueOpen: number;
  readonly storeOpen: number;
  readonly both: number;
  /** |O_ex ∩ O_db| / |O_ex ∪ O_db|; 1 when both are empty. */
  readonly jaccard: number;
  readonly orphansCanceled: number;
}

/** Conditional (algo) orders live in another venue book; they are matched elsewhere. */
const conditionalTypes = new Set(["STOP_MARKET", "TAKE_PROFIT_MARKET"]);

export interface ReconcileReport {
  readonly checked: number;
  readonly updated: number;
  readonly closedAsNeverArrived: number;
  readonly failed: number;
  readonly overlap: readonly OpenOrderOverlap[];
}

export class ReconcileOrders {
  constructor(private readonly deps: ReconcileDeps) {}

  async runOnce(): Promise<ReconcileReport> {
    const open = await this.deps.store.openOrders(this.deps.batchMax);
    let updated = 0;
    let closedAsNeverArrived = 0;
    let failed = 0;
    for (const order of open) {
      const outcome = await this.deps.mutex.run(order.intentId, () => this.settle(order));
      if (outcome === "updated") updated += 1;
      if (outcome === "closed") closedAsNeverArrived += 1;
      if (outcome === "failed") failed += 1;
    }
    const overlap: OpenOrderOverlap[] = [];
    for (const market of ["SPOT", "FUT"] as const) {
      const measured = await this.compareOpenOrders(market);
      if (measured !== null) overlap.push(measured);
    }
    return { checked: open.length, updated, closedAsNeverArrived, failed, overlap };
  }

  /** J = |O_ex ∩ O_db| / |O_ex ∪ O_db| by client order id; orphans cancelled, low J alerted. */
  private async compareOpenOrders(market: Market): Promise<OpenOrderOverlap | null> {
    const venue = await this.deps.exchange.openOrders(market);
    if (!venue.ok) return null;
    const stored = (await this.deps.store.openOrders(this.deps.batchMax)).filter(
      (order) =>
        order.market === market &&
        order.exchangeOrderId !== null &&
        !conditionalTypes.has(order.type),
    );
    const storedIds = new Set(stored.map((order) => order.clientOrderId));
    const venueIds = new Set(venue.value.map((order) => order.clientOrderId));
    const both = [...venueIds].filter((id) => storedIds.has(id)).length;
    const union = venueIds.size + storedIds.size - both;
    const jaccard = union === 0 ? 1 : both / union;
    let orphansCanceled = 0;
    for (const order of venue.value) {
      if (storedIds.has(order.clientOrderId)) continue;
      const known = await this.deps.store.getOrderByClientId(order.clientOrderId);
      if (known !== null && !isTerminal(known.status)) continue;
      if (this.deps.cancelOrphans !== true) continue;
      const ref = { market, symbol: order.symbol, clientOrderId: order.clientOrderId };
      const canceled = await this.deps.exchange.cancelOrder(ref);
      if (canceled.ok) orphansCanceled += 1;
      this.deps.logger.warn("orphan venue order", {
        clientOrderId: order.clientOrderId,
        canceled: canceled.ok,
      });
    }
    this.deps.metrics?.setGauge("reconcile_jaccard", jaccard, { market });
    const threshold = this.deps.jaccardAlertBelow ?? 0.9;
    if (jaccard < threshold)
      await this.alertOverlap(market, jaccard, venueIds.size, storedIds.size);
    return {
      market,
      venueOpen: venueIds.size,
      storeOpen: storedIds.size,
      both,
      jaccard,
      orphansCanceled,
    };
  }

  private async alertOverlap(
    market: Market,
    jaccard: number,
    venueOpen: number,
    storeOpen: number,
  ) {
    const nowMs = this.deps.clock.nowMs();
    const alertId = `reconcile-jaccard:${market}:${nowMs}`;
    const message = `open orders disagree on ${market}: J=${jaccard.toFixed(3)} (venue ${venueOpen}, store ${storeOpen})`;
    await this.deps.store.commit({
      alerts: [
        {
          alertId,
          level: "WARN",
          code: "RECONCILE_MISMATCH",
          message,
          refs: { market },
          tsMs: nowMs,
        },
      ],
      strategyEvents: [
        {
          eventId: alertId,
          kind: "RECONCILE",
          intentId: null,
          orderId: null,
          payload: { market, jaccard, venue_open: venueOpen, store_open: storeOpen },
          tsMs: nowMs,
        },
      ],
      outbox: [
        {
          eventId: `alert:${alertId}`,
          stream: "alerts",
          createdAtMs: nowMs,
          payload: {
            event_id: `alert:${alertId}`,
            level: "WARN",
            code: "RECONCILE_MISMATCH",
            message,
            ts: nowMs,
          },
        },
      ],
    });
  }

  private async settle(stale: Order): Promise<"same" | "updated" | "closed" | "failed"> {
    const state = await this.deps.ledger.load(stale.intentId);
    const order = state?.orders.find((candidate) => candidate.orderId === stale.orderId);
    if (state === null || order === undefined) return "same";
    const answer = await this.deps.exchange.queryOrder({
      market: order.market,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
    });
    const nowMs = this.deps.clock.nowMs();
    if (!answer.ok) {
      if (answer.error.kind !== "UNKNOWN_ORDER") return "failed";
      const neverSent = order.status === "PENDING_NEW" || order.status === "UNKNOWN";
      // Virtual parents (TWAP, maker→taker) are never on the venue; their policies settle them.
      if (!neverSent || nowMs - order.createdAtMs < this.deps.unknownAfterMs) return "same";
      const change = applyEvent(order, "REJECTED", nowMs);
      if (!change.ok) return "same";
      await this.deps.ledger.save(state, {
        orders: [change.order],
        failure: { code: "NOT_SENT", message: "the order never reached the venue" },
      });
      return "closed";
    }
    const synced = syncFromAnswer(order, answer.value, this.deps.rules, nowMs);
    if (!synced.changed) return "same";
    await this.deps.ledger.save(state, {
      orders: [synced.order],
      fills: synced.newFills,
      outbox: synced.newFills.map((fill) => fillEvent(synced.order, fill)),
      ...(synced.order.status !== "REJECTED" && order.status === "UNKNOWN"
        ? { failure: null }
        : {}),
    });
    return "updated";
  }
}
