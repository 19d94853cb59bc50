// How an execution policy plugs into placement: it shapes the parent order before the intent is
// stored, then runs (sending orders through the order sender) once the intent is safely stored.

import type { SymbolRules } from "../../domain/instrument/index.ts";
import type { Order, OrderIntent } from "../../domain/order/index.ts";
import type { BookSnapshot } from "../../ports/exchange-gateway.ts";
import type { OutboxEvent, StrategyEvent } from "../../ports/order-store.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import type { Refusal } from "../shared/refusal.ts";
import type { Resolved } from "./resolve-policy.ts";

export interface ExecutionContext {
  readonly intent: OrderIntent;
  readonly rules: SymbolRules;
  readonly clientOrderId: string;
  readonly snapshot: BookSnapshot | null;
  readonly nowMs: number;
  /** The policy resolved for the intent and why; absent when a caller resolves nothing. */
  readonly resolved?: Resolved;
}

export interface PlannedIntent {
  readonly orders: readonly Order[];
  /** Stored with the intent, in the same transaction (a TWAP plan, a routing decision). */
  readonly strategyEvents?: readonly StrategyEvent[];
  readonly outbox?: readonly OutboxEvent[];
}

export interface PolicyExecutor {
  /** The parent order (and any orders known up front), or a refusal. Pure: nothing is sent. */
  plan(context: ExecutionContext): PlannedIntent | { readonly refusal: Refusal };
  /** Executes the stored intent and returns its state after the last write. */
  run(state: IntentState, context: ExecutionContext): Promise<IntentState>;
}
