// Futures protective legs are Binance algo orders (STOP_MARKET / TAKE_PROFIT_MARKET): this folds
// what the venue says about one (an ALGO_UPDATE, a cancel or query answer) into the stored leg.
// Fills do not come from here: they arrive with the triggered market order, keyed by trade id.

import { gte, isPositive } from "../../domain/decimal/index.ts";
import { applyEvent, type Order, type OrderEventKind } from "../../domain/order/index.ts";
import type { ConditionalOrder } from "../../ports/exchange-gateway.ts";
import { protectionIds } from "./protection-ids.ts";

export function isConditionalLeg(order: Order): boolean {
  if (order.market !== "FUT" || (order.role !== "SL" && order.role !== "TP")) return false;
  if (order.type !== "STOP_MARKET" && order.type !== "TAKE_PROFIT_MARKET") return false;
  // A guardian's emulated leg carries the same type but never reaches the venue as one.
  const ids = protectionIds(order.intentId);
  return order.orderId !== ids.guardStop.orderId && order.orderId !== ids.guardTarget.orderId;
}

/** The leg after the venue's view of its algo order; the same object when nothing changes. */
export function syncConditional(leg: Order, venue: ConditionalOrder, nowMs: number): Order {
  let order = leg;
  const step = (event: Exclude<OrderEventKind, "PARTIAL_FILL" | "FULL_FILL">) => {
    const change = applyEvent(order, event, nowMs, { exchangeOrderId: venue.algoId });
    if (change.ok) order = change.order;
  };
  // A placement acknowledgement can be overtaken by the trigger: acknowledge first.
  if (order.status === "PENDING_NEW" || order.status === "UNKNOWN") step("ACCEPTED");
  switch (venue.status) {
    case "NEW":
      break;
    case "TRIGGERING":
    case "TRIGGERED":
      step("TRIGGERED");
      break;
    case "FINISHED":
      // Executed quantity not yet seen as fills: they are on their way (or a query fetches them).
      if (isPositive(venue.filledQty) && !gte(order.filledQty, venue.filledQty)) {
        step("TRIGGERED");
      } else if (order.status !== "FILLED") {
        step("TRIGGERED");
        step("EXPIRED");
      }
      break;
    case "CANCELED":
      step("CANCELED");
      break;
    case "REJECTED":
      step("REJECTED");
      break;
    case "EXPIRED":
      step("EXPIRED");
      break;
  }
  return order.status === leg.status && order.exchangeOrderId === leg.exchangeOrderId ? leg : order;
}

/** The algo status as a regular venue status, for cancel answers; null while it is executing. */
export function conditionalVenueStatus(
  venue: ConditionalOrder,
): "NEW" | "CANCELED" | "REJECTED" | "EXPIRED" | "FILLED" | null {
  switch (venue.status) {
    case "NEW":
      return "NEW";
    case "CANCELED":
      return "CANCELED";
    case "REJECTED":
      return "REJECTED";
    case "EXPIRED":
      return "EXPIRED";
    case "FINISHED":
      return isPositive(venue.filledQty) ? "FILLED" : "EXPIRED";
    case "TRIGGERING":
    case "TRIGGERED":
      return null;
  }
}
