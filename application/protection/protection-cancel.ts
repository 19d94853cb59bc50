// POST /cancel and protective legs (DESIGN §3.3): a futures leg is an algo order (cancelled as one);
// an emulated leg is the guardian (cancelling it disarms it, unless it is already exiting). With
// cascade_oco the sibling leg or order list goes too and the guardian is disarmed; a cancelled
// entry's filled part is protected at once.

import { applyEvent, isTerminal, type Order } from "../../domain/order/index.ts";
import type { ExchangeOrder, ExchangeResult } from "../../ports/exchange-gateway.ts";
import type { CancelRequest } from "../cancel-order/cancel-order.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { fillEvent, syncFromAnswer } from "../shared/venue-sync.ts";
import { conditionalVenueStatus, isConditionalLeg } from "./conditional-legs.ts";
import type { LegMonitor } from "./leg-monitor.ts";
import type { ProtectionContext } from "./protection-context.ts";
import { recordEvent } from "./protection-events.ts";
import { protectionIds } from "./protection-ids.ts";
import {
  type ProtectionRequest,
  protectionRequestFromStored,
  wantsProtection,
} from "./protection-request.ts";

const emulatedTypes = new Set(["STOP_MARKET", "STOP_LOSS", "TAKE_PROFIT_MARKET", "TAKE_PROFIT"]);

/** A leg the guardian emulates: never on the venue as such. */
export function isEmulatedLeg(order: Order): boolean {
  const ids = protectionIds(order.intentId);
  return (
    (order.orderId === ids.guardStop.orderId || order.orderId === ids.guardTarget.orderId) &&
    emulatedTypes.has(order.type)
  );
}

/** A leg of a spot OCO list this module placed. */
export function isListLeg(order: Order): boolean {
  const ids = protectionIds(order.intentId);
  return (
    order.market === "SPOT" &&
    (order.orderId === ids.stopLoss.orderId || order.orderId === ids.takeProfit.orderId)
  );
}

type AfterEntry = (state: IntentState, request: ProtectionRequest) => Promise<IntentState>;

export class ProtectionCancel {
  constructor(
    private readonly deps: ProtectionContext,
    private readonly monitor: LegMonitor,
    private readonly afterEntry: AfterEntry,
  ) {}

  cancelVenueOrder(
    order: Order,
    _request: CancelRequest,
  ): Promise<ExchangeResult<ExchangeOrder>> | null {
    if (isConditionalLeg(order)) return this.cancelConditionalLeg(order);
    if (isEmulatedLeg(order)) {
      const outcome = this.deps.guardian.disarmForCancel(order.intentId, false);
      if (outcome === "EXITING") {
        return Promise.resolve({
          ok: false,
          error: { kind: "REJECTED", message: "the guardian is already exiting this position" },
        });
      }
      // Not on the venue: the cancel settles it locally.
      return Promise.resolve({
        ok: false,
        error: { kind: "UNKNOWN_ORDER", message: "an emulated leg is not on the venue" },
      });
    }
    return null;
  }

  /** The algo order's cancel answer as an order; a triggered leg answers with its market order. */
  async cancelConditionalLeg(leg: Order): Promise<ExchangeResult<ExchangeOrder>> {
    const { exchange } = this.deps;
    let answer = await exchange.cancelConditional(leg.symbol, leg.clientOrderId);
    if (!answer.ok) {
      const found = await exchange.queryConditional(leg.symbol, leg.clientOrderId);
      if (!found.ok) return answer.error.kind === "UNKNOWN_ORDER" ? found : answer;
      answer = found;
    }
    const venue = answer.value;
    const status = conditionalVenueStatus(venue);
    if (status === null || status === "FILLED") {
      const ref = { market: "FUT" as const, symbol: leg.symbol, clientOrderId: leg.clientOrderId };
      const triggered = await exchange.queryOrder(ref);
      if (triggered.ok) return triggered;
      if (status === null) {
        return {
          ok: false,
          error: {
            kind: "REJECTED",
            message: "the leg has triggered; its market order is executing",
          },
        };
      }
    }
    return {
      ok: true,
      value: {
        market: "FUT",
        symbol: leg.symbol,
        exchangeOrderId: venue.algoId,
        clientOrderId: leg.clientOrderId,
        side: leg.side,
        type: leg.type,
        timeInForce: null,
        qty: leg.qty,
        price: null,
        stopPrice: venue.triggerPrice,
        status: status ?? "NEW",
        filledQty: venue.filledQty,
        avgPrice: venue.avgPrice,
        fills: [],
        reduceOnly: venue.reduceOnly,
        orderListId: null,
        updateTimeMs: venue.updateTimeMs,
      },
    };
  }

  async cascade(
    state: IntentState,
    canceled: Order,
    request: CancelRequest,
  ): Promise<{ state: IntentState; canceledIds: readonly string[] }> {
    const intentId = state.record.intentId;
    if (canceled.role !== "TP" && canceled.role !== "SL") {
      const protection = protectionRequestFromStored(state.record.request);
      if (protection === null || !wantsProtection(protection)) return { state, canceledIds: [] };
      return { state: await this.afterEntry(state, protection), canceledIds: [] };
    }
    if (canceled.type === "MARKET") return { state, canceledIds: [] };
    if (!request.cascadeOco) {
      // The venue ends a whole list with any of its legs: its backstop has nothing left to watch.
      if (isListLeg(canceled)) this.deps.guardian.disarmForCancel(intentId, false);
      return { state, canceledIds: [] };
    }
    const siblings = state.orders.filter(
      (order) =>
        order.orderId !== canceled.orderId &&
        (order.role === "TP" || order.role === "SL") &&
        order.type !== "MARKET" &&
        !isTerminal(order.status),
    );
    const changed: Order[] = [];
    const fills: IntentState["fills"][number][] = [];
    for (const sibling of siblings) {
      const next = await this.cancelSibling(sibling);
      if (next === null) continue;
      changed.push(next.order);
      fills.push(...next.fills);
    }
    this.deps.guardian.disarmForCancel(intentId, false);
    const canceledIds = changed.filter((o) => o.status === "CANCELED").map((o) => o.orderId);
    const nowMs = this.deps.clock.nowMs();
    const recorded = recordEvent({
      kind: "CANCEL",
      tag: `cascade-${canceled.orderId}`,
      intentId,
      orderId: canceled.orderId,
      payload: { reason: request.reason ?? "", cascade_oco: true, canceled_ids: canceledIds },
      stream: null,
      nowMs,
    });
    const saved = await this.deps.ledger.save(state, {
      orders: changed,
      fills,
      strategyEvents: recorded.strategyEvents,
      outbox: fills.map((fill) =>
        fillEvent(changed.find((o) => o.orderId === fill.orderId)!, fill),
      ),
    });
    return { state: await this.monitor.check(saved), canceledIds };
  }

  private async cancelSibling(
    sibling: Order,
  ): Promise<{ order: Order; fills: IntentState["fills"][number][] } | null> {
    const nowMs = this.deps.clock.nowMs();
    if (isEmulatedLeg(sibling)) {
      if (this.deps.guardian.disarmForCancel(sibling.intentId, false) === "EXITING") return null;
      const change = applyEvent(sibling, "CANCELED", nowMs);
      return change.ok ? { order: change.order, fills: [] } : null;
    }
    const ref = {
      market: sibling.market,
      symbol: sibling.symbol,
      clientOrderId: sibling.clientOrderId,
    };
    let answer: ExchangeResult<ExchangeOrder>;
    if (isConditionalLeg(sibling)) {
      answer = await this.cancelConditionalLeg(sibling);
    } else {
      answer = await this.deps.exchange.cancelOrder(ref);
      if (!answer.ok) answer = await this.deps.exchange.queryOrder(ref);
    }
    if (!answer.ok) {
      if (answer.error.kind !== "UNKNOWN_ORDER" || sibling.exchangeOrderId !== null) return null;
      const change = applyEvent(sibling, "CANCELED", nowMs);
      return change.ok ? { order: change.order, fills: [] } : null;
    }
    const synced = syncFromAnswer(sibling, answer.value, this.deps.rules, nowMs);
    return { order: synced.order, fills: [...synced.newFills] };
  }
}
