// Exclusivity of futures legs (DESIGN §5): Binance does not link a STOP_MARKET and a
// TAKE_PROFIT_MARKET, so the moment one of them triggers the other is cancelled. A leg that ended
// having filled only part leaves its remainder to a reduce-only market order; a stop the venue
// rejected at its trigger while the position is still open hands the position to a guardian.

import { isPositive, sub } from "../../domain/decimal/index.ts";
import { applyEvent, isTerminal, newOrder, type Order } from "../../domain/order/index.ts";
import type { ConditionalOrder, ExchangeResult } from "../../ports/exchange-gateway.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { sendOrder } from "../shared/order-sender.ts";
import { fillEvent } from "../shared/venue-sync.ts";
import { isConditionalLeg, syncConditional } from "./conditional-legs.ts";
import type { ProtectionContext } from "./protection-context.ts";
import { type Recorded, recordAlert } from "./protection-events.ts";
import { protectionIds } from "./protection-ids.ts";

/** Cancels of a sibling leg tried in a row before alerting (the sweep keeps trying). */
export const siblingCancelAttemptsMax = 3;

export function executing(leg: Order): boolean {
  return (
    leg.status === "TRIGGERED" ||
    leg.status === "PARTIALLY_FILLED" ||
    leg.status === "FILLED" ||
    isPositive(leg.filledQty)
  );
}

export class LegMonitor {
  constructor(private readonly deps: ProtectionContext) {}

  /** Applies the exclusivity rules to an intent's futures legs; inside the intent's lock. */
  async check(state: IntentState): Promise<IntentState> {
    if (this.deps.guardian.stateOf(state.record.intentId) !== null) return state;
    const legs = state.orders.filter(isConditionalLeg);
    if (legs.length === 0) return state;
    const running = legs.filter(executing);
    if (running.length === 0) return this.checkDeadStop(state, legs);
    let current = state;
    if (running.length > 1) current = await this.bothExecuted(current, running);
    for (const sibling of legs) {
      if (running.includes(sibling) || isTerminal(sibling.status)) continue;
      current = await this.cancelSibling(current, sibling);
    }
    return this.coverRemainder(current);
  }

  private async cancelSibling(state: IntentState, sibling: Order): Promise<IntentState> {
    const { exchange } = this.deps;
    let leg = sibling;
    for (let attempt = 1; attempt <= siblingCancelAttemptsMax; attempt += 1) {
      let answer: ExchangeResult<ConditionalOrder> = await exchange.cancelConditional(
        leg.symbol,
        leg.clientOrderId,
      );
      if (!answer.ok) answer = await exchange.queryConditional(leg.symbol, leg.clientOrderId);
      const nowMs = this.deps.clock.nowMs();
      if (answer.ok) {
        leg = syncConditional(leg, answer.value, nowMs);
        if (answer.value.status !== "NEW") break;
        continue;
      }
      if (answer.error.kind === "UNKNOWN_ORDER" && leg.exchangeOrderId === null) {
        // The venue never had it (its placement was refused or lost): nothing to cancel there.
        const change = applyEvent(leg, "CANCELED", nowMs);
        if (change.ok) leg = change.order;
        break;
      }
    }
    if (leg === sibling) {
      return this.deps.ledger.save(
        state,
        this.alert(sibling, "SIBLING_CANCEL_FAILED", "not yet cancelled; retried by the sweep"),
      );
    }
    let current = await this.deps.ledger.save(state, { orders: [leg] });
    if (executing(leg)) current = await this.bothExecuted(current, [leg]);
    return current;
  }

  private async bothExecuted(state: IntentState, legs: readonly Order[]): Promise<IntentState> {
    const names = legs.map((leg) => leg.role).join(" and ");
    return this.deps.ledger.save(
      state,
      this.alert(
        legs[0]!,
        "BOTH_LEGS_EXECUTED",
        `${names} triggered before the other was cancelled`,
      ),
    );
  }

  /**
   * A leg that ended with part of its quantity filled, its sibling gone: the remainder still sits
   * in the position with no exit. It goes out as a reduce-only market order, once.
   */
  private async coverRemainder(state: IntentState): Promise<IntentState> {
    const legs = state.orders.filter(isConditionalLeg);
    const ended = legs.find(
      (leg) => isTerminal(leg.status) && isPositive(leg.filledQty) && leg.status !== "FILLED",
    );
    if (ended === undefined || legs.some((leg) => !isTerminal(leg.status))) return state;
    const ids = protectionIds(state.record.intentId);
    if (state.orders.some((order) => order.orderId === ids.remainder.orderId)) return state;
    const nowMs = this.deps.clock.nowMs();
    const order = newOrder({
      orderId: ids.remainder.orderId,
      intentId: state.record.intentId,
      clientOrderId: ids.remainder.clientOrderId,
      market: "FUT",
      symbol: ended.symbol,
      side: ended.side,
      type: "MARKET",
      timeInForce: null,
      qty: sub(ended.qty, ended.filledQty),
      price: null,
      stopPrice: null,
      reduceOnly: true,
      role: ended.role,
      parentId: ended.orderId,
      midAtSend: null,
      createdAtMs: nowMs,
    });
    const current = await this.deps.ledger.save(state, { orders: [order] });
    const rules = this.deps.rules.get("FUT", ended.symbol);
    const sent = await sendOrder(this.deps, order, { rules, bookTop3: null });
    const alert = this.alert(ended, "LEG_PARTIAL_REMAINDER", "ended part-filled; remainder sent");
    return this.deps.ledger.save(current, {
      orders: [sent.order],
      fills: sent.newFills,
      alerts: alert.alerts,
      outbox: [...alert.outbox, ...sent.newFills.map((fill) => fillEvent(sent.order, fill))],
    });
  }

  /**
   * No leg executing, but the stop ended without filling (rejected at its trigger, expired): if
   * the position is still there, a guardian becomes its stop. Once per intent.
   */
  private async checkDeadStop(state: IntentState, legs: readonly Order[]): Promise<IntentState> {
    const ids = protectionIds(state.record.intentId);
    const stop = legs.find((leg) => leg.orderId === ids.stopLoss.orderId);
    if (stop === undefined || (stop.status !== "REJECTED" && stop.status !== "EXPIRED"))
      return state;
    if (stop.exchangeOrderId === null) return state; // never placed: placement armed the guardian
    if (state.orders.some((order) => order.orderId === ids.guardStop.orderId)) return state;
    const rules = this.deps.rules.get("FUT", stop.symbol);
    const positions = await this.deps.exchange.positions(stop.symbol);
    if (rules === null || !positions.ok) return state;
    const held = positions.value.find((position) => position.symbol === stop.symbol);
    const open =
      held !== undefined && (stop.side === "SELL" ? held.qty.units > 0n : held.qty.units < 0n);
    if (!open) return state;
    const take = legs.find((leg) => leg.orderId === ids.takeProfit.orderId);
    const takeWorking = take !== undefined && !isTerminal(take.status);
    const prepared = this.deps.guardian.prepareArm({
      intentId: state.record.intentId,
      market: "FUT",
      symbol: stop.symbol,
      rules,
      entryOrderId: stop.parentId ?? state.record.orderId,
      exitSide: stop.side,
      qty: stop.qty,
      stopPrice: stop.stopPrice!,
      takeProfit: takeWorking
        ? { kind: "CONDITIONAL", orderId: take.orderId, clientOrderId: take.clientOrderId }
        : { kind: "NONE" },
      watchedTakeProfitPrice: null,
      role: "PRIMARY",
      priceSource: this.deps.settings.workingType === "MARK_PRICE" ? "MARK" : "MID",
      reason: "stop_rejected_at_trigger",
      nowMs: this.deps.clock.nowMs(),
    });
    const alert = this.alert(
      stop,
      "STOP_REJECTED",
      `${stop.status.toLowerCase()} without filling; a guardian protects the position`,
    );
    const current = await this.deps.ledger.save(state, {
      orders: prepared.orders,
      strategyEvents: prepared.recorded.strategyEvents,
      outbox: [...prepared.recorded.outbox, ...alert.outbox],
      alerts: alert.alerts,
      guardedOrderIds: prepared.guardedOrderIds,
    });
    await this.deps.guardian.activate(prepared);
    return current;
  }

  private alert(leg: Order, code: string, what: string): Recorded {
    return recordAlert({
      level: "ERROR",
      code,
      message: `${leg.symbol} ${leg.role} leg ${leg.clientOrderId} ${what}`,
      intentId: leg.intentId,
      tag: leg.role.toLowerCase(),
      refs: { order_id: leg.orderId },
      nowMs: this.deps.clock.nowMs(),
    });
  }
}
