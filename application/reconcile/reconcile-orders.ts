// Settles what the router believes is still working against what the venue says: after a
// restart, after a stream reconnect, and periodically (DESIGN §8). Orders whose send never
// reached the venue are closed only once the venue could no longer accept them.

import { applyEvent, type Order } from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { ExchangeGateway } from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import type { IntentLedger } from "../shared/intent-ledger.ts";
import type { KeyedMutex } from "../shared/keyed-mutex.ts";
import type { RuleBook } from "../shared/rule-book.ts";
import { fillEvent, syncFromVenue } from "../shared/venue-sync.ts";

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
}

export interface ReconcileReport {
  readonly checked: number;
  readonly updated: number;
  readonly closedAsNeverArrived: number;
  readonly failed: number;
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
    return { checked: open.length, updated, closedAsNeverArrived, failed };
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
    const rules = this.deps.rules.get(order.market, order.symbol);
    const synced = syncFromVenue(
      order,
      answer.value,
      answer.value.fills,
      { rules, bookTop3: null },
      nowMs,
    );
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
