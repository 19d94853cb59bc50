// The protection sweep (after a stream reconnect and periodically): re-asks the venue about every
// working protective leg, folds what it says into the store, applies the exclusivity rules and
// feeds the guardian — so a lost event cannot leave two exits working. It also cancels algo orders
// of ours the store no longer counts on (a placement whose answer was lost, resolved too late).

import { isTerminal, type Order } from "../../domain/order/index.ts";
import type { ConditionalOrder, OrderList } from "../../ports/exchange-gateway.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { fillEvent, syncFromVenue } from "../shared/venue-sync.ts";
import { isConditionalLeg, syncConditional } from "./conditional-legs.ts";
import type { LegMonitor } from "./leg-monitor.ts";
import { isListLeg } from "./protection-cancel.ts";
import type { ProtectionContext } from "./protection-context.ts";
import { listLegClientIds, protectionIds } from "./protection-ids.ts";
import { applyEvent } from "../../domain/order/index.ts";

/** Open orders read per sweep. */
export const sweepScanMax = 2_000;

export interface SweepReport {
  readonly intents: number;
  readonly updated: number;
  readonly orphansCanceled: number;
}

export class ProtectionSweep {
  constructor(
    private readonly deps: ProtectionContext,
    private readonly monitor: LegMonitor,
    private readonly unknownAfterMs: number,
  ) {}

  async runOnce(): Promise<SweepReport> {
    const open = await this.deps.store.openOrders(sweepScanMax);
    const intents = new Set(
      open.filter((order) => isConditionalLeg(order) || isListLeg(order)).map((o) => o.intentId),
    );
    let updated = 0;
    for (const intentId of intents) {
      const changed = await this.deps.mutex.run(intentId, () => this.sweepIntent(intentId));
      if (changed) updated += 1;
    }
    const orphansCanceled = await this.cancelOrphans();
    return { intents: intents.size, updated, orphansCanceled };
  }

  private async sweepIntent(intentId: string): Promise<boolean> {
    const state = await this.deps.ledger.load(intentId);
    if (state === null) return false;
    const changed: Order[] = [];
    const fills: IntentState["fills"][number][] = [];
    for (const leg of state.orders) {
      if (isTerminal(leg.status)) continue;
      const next = isConditionalLeg(leg)
        ? await this.settleConditional(leg)
        : isListLeg(leg)
          ? await this.settleRegular(leg)
          : null;
      if (next === null) continue;
      changed.push(next.order);
      fills.push(...next.fills);
    }
    let current = state;
    if (changed.length > 0) {
      current = await this.deps.ledger.save(state, {
        orders: changed,
        fills,
        outbox: fills.map((fill) =>
          fillEvent(changed.find((o) => o.orderId === fill.orderId)!, fill),
        ),
      });
    }
    current = await this.monitor.check(current);
    this.deps.guardian.onIntentChange(current);
    return changed.length > 0;
  }

  private async settleConditional(leg: Order) {
    const { exchange, clock } = this.deps;
    const answer = await exchange.queryConditional(leg.symbol, leg.clientOrderId);
    const nowMs = clock.nowMs();
    if (!answer.ok) {
      const neverAcknowledged = leg.status === "PENDING_NEW" || leg.status === "UNKNOWN";
      if (answer.error.kind !== "UNKNOWN_ORDER" || !neverAcknowledged) return null;
      if (nowMs - leg.createdAtMs < this.unknownAfterMs) return null;
      const change = applyEvent(leg, "REJECTED", nowMs);
      return change.ok ? { order: change.order, fills: [] } : null;
    }
    let order = syncConditional(leg, answer.value, nowMs);
    let newFills: IntentState["fills"][number][] = [];
    if (answer.value.status === "TRIGGERED" || answer.value.status === "FINISHED") {
      const triggered = await exchange.queryOrder({
        market: "FUT",
        symbol: leg.symbol,
        clientOrderId: leg.clientOrderId,
      });
      if (triggered.ok) {
        const rules = this.deps.rules.get("FUT", leg.symbol);
        const synced = syncFromVenue(
          order,
          null,
          triggered.value.fills,
          { rules, bookTop3: null },
          nowMs,
        );
        order = syncConditional(synced.order, answer.value, nowMs);
        newFills = [...synced.newFills];
      }
    }
    return order === leg && newFills.length === 0 ? null : { order, fills: newFills };
  }

  private async settleRegular(leg: Order) {
    const ref = { market: leg.market, symbol: leg.symbol, clientOrderId: leg.clientOrderId };
    const answer = await this.deps.exchange.queryOrder(ref);
    if (!answer.ok) return null;
    const rules = this.deps.rules.get(leg.market, leg.symbol);
    const nowMs = this.deps.clock.nowMs();
    const synced = syncFromVenue(
      leg,
      answer.value,
      answer.value.fills,
      { rules, bookTop3: null },
      nowMs,
    );
    return synced.changed ? { order: synced.order, fills: [...synced.newFills] } : null;
  }

  /** Algo orders of ours whose stored leg has ended (or whose intent a guardian now guards). */
  private async cancelOrphans(): Promise<number> {
    const open = await this.deps.exchange.openConditionals();
    if (!open.ok) return 0;
    let canceled = 0;
    for (const venue of open.value) {
      if (!(await this.isOrphan(venue))) continue;
      const answer = await this.deps.exchange.cancelConditional(venue.symbol, venue.clientAlgoId);
      if (answer.ok) canceled += 1;
      this.deps.logger.warn("orphan protective algo order cancelled", {
        symbol: venue.symbol,
        clientAlgoId: venue.clientAlgoId,
        ok: String(answer.ok),
      });
    }
    return canceled;
  }

  private async isOrphan(venue: ConditionalOrder): Promise<boolean> {
    const row = await this.deps.store.getOrderByClientId(venue.clientAlgoId);
    if (row === null || row.market !== "FUT" || !isConditionalLeg(row)) return false;
    if (isTerminal(row.status)) return true;
    // The guardian became the stop after this one's placement looked lost.
    const ids = protectionIds(row.intentId);
    const guarded = this.deps.guardian.stateOf(row.intentId);
    return guarded !== null && row.orderId === ids.stopLoss.orderId;
  }

  /** A spot list ended or was refused: its legs are asked for (their own events may be lost). */
  async settleList(
    list: Omit<OrderList, "orders">,
    notify: (state: IntentState) => void,
  ): Promise<void> {
    if (list.status === "EXECUTING") return;
    const legIds = listLegClientIds(list.listClientOrderId);
    if (legIds === null) return;
    const known = await this.deps.store.getOrderByClientId(legIds[0]!);
    if (known === null || known.market !== "SPOT") return;
    await this.deps.mutex.run(known.intentId, async () => {
      const state = await this.deps.ledger.load(known.intentId);
      if (state === null) return;
      const changed: Order[] = [];
      const fills: IntentState["fills"][number][] = [];
      for (const leg of state.orders) {
        if (!isListLeg(leg) || isTerminal(leg.status)) continue;
        const next = await this.settleRegular(leg);
        if (next === null) continue;
        changed.push(next.order);
        fills.push(...next.fills);
      }
      const current =
        changed.length === 0
          ? state
          : await this.deps.ledger.save(state, {
              orders: changed,
              fills,
              outbox: fills.map((fill) =>
                fillEvent(changed.find((o) => o.orderId === fill.orderId)!, fill),
              ),
            });
      notify(current);
    });
  }
}
