// How an execution policy plugs into placement: it shapes the parent order before the intent is
// stored, then runs (sending orders through the order sender) once the intent is safely stored.

import type { SymbolRules } from "../../domain/instrument/index.ts";
import type { Order, OrderIntent } from "../../domain/order/index.ts";
import type { BookSnapshot } from "../../ports/exchange-gateway.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import type { Refusal } from "../shared/refusal.ts";

export interface ExecutionContext {
  readonly intent: OrderIntent;
  readonly rules: SymbolRules;
  readonly clientOrderId: string;
  readonly snapshot: BookSnapshot | null;
  readonly nowMs: number;
}

export interface PolicyExecutor {
  /** The parent order (and any orders known up front), or a refusal. Pure: nothing is sent. */
  plan(
    context: ExecutionContext,
  ): { readonly orders: readonly Order[] } | { readonly refusal: Refusal };
  /** Executes the stored intent and returns its state after the last write. */
  run(state: IntentState, context: ExecutionContext): Promise<IntentState>;
}
