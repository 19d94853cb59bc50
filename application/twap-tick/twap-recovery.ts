// Puts back the queue task of a working TWAP that has none: the instance crashed between storing
// the intent and queueing it, or Redis lost the queue. The plan comes from the intent's stored
// `twap_plan` decision and the progress from its TWAP_SLICE events. Adding is "only if absent",
// and slices are idempotent by their derived ids, so running this anywhere, any time, is safe.

import { countSteps, parseDecimal } from "../../domain/decimal/index.ts";
import { isTerminal } from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { OrderStore, StrategyEvent } from "../../ports/order-store.ts";
import type { TwapPlannedSlice, TwapQueue } from "../../ports/twap-queue.ts";
import type { IntentLedger } from "../shared/intent-ledger.ts";
import type { RuleBook } from "../shared/rule-book.ts";

export interface TwapRecoveryDeps {
  readonly clock: Clock;
  readonly store: OrderStore;
  readonly ledger: IntentLedger;
  readonly queue: TwapQueue;
  readonly rules: RuleBook;
  readonly logger: Logger;
  /** Open orders looked at per pass. */
  readonly batchMax: number;
}

interface StoredPlan {
  readonly slices: readonly TwapPlannedSlice[];
  readonly makerWaitMs: number | null;
}

export class TwapRecovery {
  constructor(private readonly deps: TwapRecoveryDeps) {}

  /** Answers how many tasks were put back. */
  async runOnce(): Promise<number> {
    const { deps } = this;
    const open = await deps.store.openOrders(deps.batchMax);
    const parents = open.filter(
      (order) =>
        order.parentId === null && order.role === "ENTRY" && order.exchangeOrderId === null,
    );
    let restored = 0;
    for (const parent of parents) {
      if (await this.restore(parent.intentId)) restored += 1;
    }
    return restored;
  }

  private async restore(intentId: string): Promise<boolean> {
    const { deps } = this;
    const state = await deps.ledger.load(intentId);
    const parent = state?.orders.find((order) => order.orderId === state.record.orderId);
    // The plan is stored with the intent, so even a TWAP whose first save never happened counts.
    if (state === null || parent === undefined || isTerminal(parent.status)) return false;
    const rules = deps.rules.get(parent.market, parent.symbol);
    if (rules === null) return false;
    const events = await deps.store.strategyEvents(intentId);
    const plan = storedPlan(events, rules.lot.step);
    if (plan === null) return false;
    const done = new Set(
      events.filter((event) => event.kind === "TWAP_SLICE").map((event) => event.payload["slice"]),
    ).size;
    const next = plan.slices[done];
    if (next === undefined) return false;
    const added = await deps.queue.add({
      intentId,
      dueMs: Math.max(next.dueMs, deps.clock.nowMs()),
      sliceIndex: done,
      slices: plan.slices,
      spreadDelays: 0,
      splits: 0,
      makerWaitMs: plan.makerWaitMs,
    });
    if (added) deps.logger.warn("TWAP task restored", { intentId, slice: done + 1 });
    return added;
  }
}

/** The plan as the TWAP executor stored it (quantities back in whole steps). */
function storedPlan(events: readonly StrategyEvent[], step: { units: bigint; scale: number }) {
  const decision = events.find((event) => event.payload["decision"] === "twap_plan");
  const inputs = decision?.payload["inputs"] as
    | { plan?: { qty: string; due_ms: number }[]; slice_policy?: string; maker_wait_ms?: number }
    | undefined;
  if (inputs?.plan === undefined) return null;
  const slices: TwapPlannedSlice[] = [];
  for (const slice of inputs.plan) {
    const qty = parseDecimal(slice.qty);
    if (!qty.ok) return null;
    slices.push({ qtySteps: countSteps(qty.value, step, "floor"), dueMs: slice.due_ms });
  }
  const makerWaitMs =
    inputs.slice_policy === "MAKER_THEN_TAKER" && typeof inputs.maker_wait_ms === "number"
      ? inputs.maker_wait_ms
      : null;
  return { slices, makerWaitMs } satisfies StoredPlan;
}
