// The protection sweep (after a stream reconnect and periodically): re-asks the venue about every
// working protective leg, folds what it says into the store, applies the exclusivity rules and
// feeds the guardian — so a lost event cannot leave two exits working. It also cancels algo orders
// of ours the store no longer counts on (a placement whose answer was lost, resolved too late).

import { isTerminal, type Order } from "../../domain/order/index.ts";
import type { ConditionalOrder, OrderList } from "../../ports/exchange-gateway.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { fillEvent, syncFromAnswer, syncFromVenue } from "../shared/venue-sync.ts";
import { isConditionalLeg, syncConditional } from "./conditional-legs.ts";
import type { LegMonitor } from "./leg-monitor.ts";
import { isListLeg } from "./protection-cancel.ts";
import type { ProtectionContext } from "./protection-context.ts";
import { isPlaceholder } from "./placeholders.ts";
import { listLegClientIds, protectionIds } from "./protection-ids.ts";
import { type ProtectionRequest, protectionRequestFromStored } from "./protection-request.ts";
import { applyEvent } from "../../domain/order/index.ts";

/** A leg written ahead and not placed, or cut short while being sent (its outcome unknown). */
function pendingProtection(order: Order): boolean {
  if (isPlaceholder(order)) return true;
  const leg = (order.role === "TP" || order.role === "SL") && order.type !== "MARKET";
  return leg && order.status === "UNKNOWN";
}

/** Open orders read per sweep. */
export const sweepScanMax = 2_000;

export interface SweepReport {
  /** Intents whose written-ahead protection was still pending. */
  readonly pending: number;
  /** Intents whose working legs were asked for again. */
  readonly intents: number;
  readonly updated: number;
  readonly orphansCanceled: number;
}

export interface SweepOptions {
  /** Ask the venue about every working leg (after a reconnect, periodically); else only resume
   *  pending protection, which needs the store alone. */
  readonly venue: boolean;
}

type AfterEntry = (state: IntentState, request: ProtectionRequest) => Promise<IntentState>;

export class ProtectionSweep {
  constructor(
    private readonly deps: ProtectionContext,
    private readonly monitor: LegMonitor,
    private readonly afterEntry: AfterEntry,
    private readonly unknownAfterMs: number,
  ) {}

  async runOnce(options: SweepOptions = { venue: true }): Promise<SweepReport> {
    const open = await this.deps.store.openOrders(sweepScanMax);
    const pending = new Set(open.filter(pendingProtection).map((order) => order.intentId));
    for (const intentId of pending) {
      await this.deps.mutex.run(intentId, () => this.resume(intentId));
    }
    if (!options.venue)
      return { pending: pending.size, intents: 0, updated: 0, orphansCanceled: 0 };
    const intents = new Set(
      open.filter((order) => isConditionalLeg(order) || isListLeg(order)).map((o) => o.intentId),
    );
    let updated = 0;
    for (const intentId of intents) {
      const changed = await this.deps.mutex.run(intentId, () => this.sweepIntent(intentId));
      if (changed) updated += 1;
    }
    const orphansCanceled = await this.cancelOrphans();
    return { pending: pending.size, intents: intents.size, updated, orphansCanceled };
  }

  /** Protection written ahead but not placed (a crash, an entry that filled later). */
  private async resume(intentId: string): Promise<void> {
    const state = await this.deps.ledger.load(intentId);
    const request = protectionRequestFromStored(state?.record.request);
    if (state === null || request === null) return;
    await this.afterEntry(state, request);
  }

  private async sweepIntent(intentId: string): Promise<boolean> {
    const state = await this.deps.ledger.load(intentId);
    if (state === null) return false;
    const changed: Order[] = [];
    const fills: IntentState["fills"][number][] = [];
    for (const leg of state.orders) {
      if (isTerminal(leg.status) || isPlaceholder(leg)) continue;
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
    current = await this.cancelSupersededList(current);
    current = await this.monitor.check(current);
    this.deps.guardian.onIntentChange(current);
    return changed.length > 0;
  }

  /**
   * A venue OCO whose placement looked lost, found working after all while a guardian has taken
   * over the position: the guardian is the protection now, so the list goes.
   */
  private async cancelSupersededList(state: IntentState): Promise<IntentState> {
    if (this.deps.guardian.roleOf(state.record.intentId) !== "PRIMARY") return state;
    const live = state.orders.filter(
      (order) => isListLeg(order) && !isTerminal(order.status) && order.exchangeOrderId !== null,
    );
    const first = live[0];
    if (first === undefined) return state;
    const ids = protectionIds(state.record.intentId);
    const answer = await this.deps.exchange.cancelOrderList({
      symbol: first.symbol,
      listClientOrderId: ids.list,
    });
    if (!answer.ok) return state;
    const nowMs = this.deps.clock.nowMs();
    const rules = this.deps.rules.get("SPOT", first.symbol);
    const changed: Order[] = [];
    const fills: IntentState["fills"][number][] = [];
    for (const leg of live) {
      const venue = answer.value.orders.find((o) => o.clientOrderId === leg.clientOrderId);
      if (venue === undefined) continue;
      const synced = syncFromVenue(leg, venue, venue.fills, { rules, bookTop3: null }, nowMs);
      changed.push(synced.order);
      fills.push(...synced.newFills);
    }
    this.deps.logger.warn("venue OCO superseded by a guardian cancelled", {
      intentId: state.record.intentId,
    });
    return this.deps.ledger.save(state, {
      orders: changed,
      fills,
      outbox: fills.map((fill) =>
        fillEvent(changed.find((o) => o.orderId === fill.orderId)!, fill),
      ),
    });
  }

  private async settleConditional(leg: Order) {
    const { exchange, clock } = this.deps;
    const answer = await exchange.queryConditional(leg.symbol, leg.clientOrderId);
    const nowMs = clock.nowMs();
    if (!answer.ok) {
      const neverAcknowledged = leg.status === "PENDING_NEW" || leg.status === "UNKNOWN";
      if (answer.error.kind !== "UNKNOWN_ORDER" || !neverAcknowledged) return null;
      if (nowMs - leg.updatedAtMs < this.unknownAfterMs) return null;
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
    const nowMs = this.deps.clock.nowMs();
    if (!answer.ok) {
      // Sent with an unknown outcome, and past the window in which it could still arrive.
      const unknown = leg.status === "UNKNOWN" && answer.error.kind === "UNKNOWN_ORDER";
      if (!unknown || nowMs - leg.updatedAtMs < this.unknownAfterMs) return null;
      const change = applyEvent(leg, "REJECTED", nowMs);
      return change.ok ? { order: change.order, fills: [] } : null;
    }
    const synced = syncFromAnswer(leg, answer.value, this.deps.rules, nowMs);
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
        if (!isListLeg(leg) || isTerminal(leg.status) || isPlaceholder(leg)) continue;
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
