// The intent ledger, keeping a leg's `guardian: true` once it has been set. The plain ledger marks
// guarded legs only on the save that passes `guardedOrderIds`; every later save (a fill event, a
// cancel, a lookup) would drop the mark. Here the previous result's marks carry over.

import type { OrderResult } from "../../domain/order/index.ts";
import { type IntentChanges, IntentLedger, type IntentState } from "../shared/intent-ledger.ts";

export function guardedLegIds(result: OrderResult | null): Set<string> {
  const ids = new Set<string>();
  for (const leg of result?.legs ?? []) if (leg.guardian === true) ids.add(leg.order_id);
  return ids;
}

export class GuardedIntentLedger extends IntentLedger {
  override preview(
    state: IntentState,
    changes: IntentChanges,
  ): { result: OrderResult; next: IntentState } {
    const guarded = guardedLegIds(state.record.result);
    for (const id of changes.guardedOrderIds ?? []) guarded.add(id);
    if (guarded.size === 0) return super.preview(state, changes);
    return super.preview(state, { ...changes, guardedOrderIds: guarded });
  }
}
