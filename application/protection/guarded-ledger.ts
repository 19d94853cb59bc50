// The intent ledger as protection needs it. It keeps a leg's `guardian: true` once set (the plain
// ledger marks guarded legs only on the save that passes `guardedOrderIds`, so a later fill event,
// cancel or lookup would drop the mark), and it leaves out of legs[] the written-ahead legs that
// were closed without ever being sent (they stay in order_ids and in the store); legs written
// ahead and waiting for the entry read PENDING_NEW, not ACCEPTED.

import type { Order, OrderResult } from "../../domain/order/index.ts";
import { type IntentChanges, IntentLedger, type IntentState } from "../shared/intent-ledger.ts";
import { isPlaceholder } from "./placeholders.ts";
import { protectionIds } from "./protection-ids.ts";

export function guardedLegIds(result: OrderResult | null): Set<string> {
  const ids = new Set<string>();
  for (const leg of result?.legs ?? []) if (leg.guardian === true) ids.add(leg.order_id);
  return ids;
}

/** A written-ahead leg closed unsent: a placeholder, not an order anyone saw working. */
function closedUnsent(order: Order): boolean {
  if (order.status !== "CANCELED" || order.exchangeOrderId !== null) return false;
  const ids = protectionIds(order.intentId);
  return order.orderId === ids.stopLoss.orderId || order.orderId === ids.takeProfit.orderId;
}

export class GuardedIntentLedger extends IntentLedger {
  override preview(
    state: IntentState,
    changes: IntentChanges,
  ): { result: OrderResult; next: IntentState } {
    const guarded = guardedLegIds(state.record.result);
    for (const id of changes.guardedOrderIds ?? []) guarded.add(id);
    const previewed =
      guarded.size === 0
        ? super.preview(state, changes)
        : super.preview(state, { ...changes, guardedOrderIds: guarded });
    const orders = previewed.next.orders;
    const hidden = new Set(orders.filter(closedUnsent).map((order) => order.orderId));
    const pending = new Set(orders.filter(isPlaceholder).map((order) => order.orderId));
    if (hidden.size === 0 && pending.size === 0) return previewed;
    const result: OrderResult = {
      ...previewed.result,
      legs: previewed.result.legs
        .filter((leg) => !hidden.has(leg.order_id))
        // Written ahead, not sent: waiting for the entry, not working on the venue.
        .map((leg) => (pending.has(leg.order_id) ? { ...leg, status: "PENDING_NEW" } : leg)),
    };
    const next = { ...previewed.next, record: { ...previewed.next.record, result } };
    return { result, next };
  }
}
