// Protection written ahead (DESIGN §5 "never unprotected"): the legs an intent asked for are stored
// with the intent itself, PENDING_NEW, before the entry is sent. A crash between the entry's fill
// and the legs' placement leaves them open in the store, and the sweep resumes the placement under
// the same derived ids (which the venue dedupes). They are closed if nothing needs protecting.

import {
  applyEvent,
  isTerminal,
  newOrder,
  type Order,
  type OrderIntent,
} from "../../domain/order/index.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { protectionIds } from "./protection-ids.ts";

/** Placeholder legs for a futures entry with sl/tp, or a spot OCO entry; parented to `parentId`. */
export function placeholderLegs(intent: OrderIntent, parentId: string, nowMs: number): Order[] {
  if (intent.kind !== "ENTRY") return [];
  const ids = protectionIds(intent.intentId);
  const exitSide = intent.side === "BUY" ? "SELL" : "BUY";
  const futures = intent.market === "FUT";
  const row = (
    id: typeof ids.stopLoss,
    role: "SL" | "TP",
    fields: Pick<Order, "type" | "price" | "stopPrice" | "timeInForce">,
  ) =>
    newOrder({
      orderId: id.orderId,
      intentId: intent.intentId,
      clientOrderId: id.clientOrderId,
      market: intent.market,
      symbol: intent.symbol,
      side: exitSide,
      qty: intent.qty,
      reduceOnly: futures,
      role,
      parentId,
      midAtSend: null,
      createdAtMs: nowMs,
      ...fields,
    });
  const legs: Order[] = [];
  if (futures) {
    const stop = intent.sl?.price ?? null;
    if (stop !== null) {
      legs.push(
        row(ids.stopLoss, "SL", {
          type: "STOP_MARKET",
          price: null,
          stopPrice: stop,
          timeInForce: null,
        }),
      );
    }
    if (intent.tp !== null) {
      const trigger = intent.tp.target === "price" ? intent.tp.value : null;
      legs.push(
        row(ids.takeProfit, "TP", {
          type: "TAKE_PROFIT_MARKET",
          price: null,
          stopPrice: trigger,
          timeInForce: null,
        }),
      );
    }
    return legs;
  }
  const policy = intent.execPolicy;
  if (policy?.type !== "OCO" || policy.tpPrice === null || policy.slPrice === null) return [];
  return [
    row(ids.takeProfit, "TP", {
      type: "LIMIT_MAKER",
      price: policy.tpPrice,
      stopPrice: null,
      timeInForce: null,
    }),
    row(ids.stopLoss, "SL", {
      type: "STOP_LOSS_LIMIT",
      price: null,
      stopPrice: policy.slPrice,
      timeInForce: "GTC",
    }),
  ];
}

/** Written ahead and never sent. */
export function isPlaceholder(order: Order): boolean {
  if (order.status !== "PENDING_NEW" || order.exchangeOrderId !== null) return false;
  const ids = protectionIds(order.intentId);
  return order.orderId === ids.stopLoss.orderId || order.orderId === ids.takeProfit.orderId;
}

/** Placeholders among `ids` (all when omitted) closed as CANCELED: nothing will be placed. */
export function closedPlaceholders(
  state: IntentState,
  nowMs: number,
  ids?: readonly string[],
): Order[] {
  const closed: Order[] = [];
  for (const order of state.orders) {
    if (!isPlaceholder(order) || isTerminal(order.status)) continue;
    if (ids !== undefined && !ids.includes(order.orderId)) continue;
    const change = applyEvent(order, "CANCELED", nowMs);
    if (change.ok) closed.push(change.order);
  }
  return closed;
}
