// Virtual parents: the router's own order for a policy that works through child orders (maker→
// taker, TWAP). The venue never sees a virtual parent; it is accepted by the router when stored,
// reads ACCEPTED while its children work, and takes its fills and final status from them.

import { add, type Decimal, eq, isPositive, normalize, zero } from "../../domain/decimal/index.ts";
import {
  averagePrice,
  isTerminal,
  type NewOrderFields,
  newOrder,
  type Order,
  type OrderEventKind,
  transition,
} from "../../domain/order/index.ts";

/** A new virtual parent, already NEW: working, as far as the router is concerned. */
export function virtualParent(fields: NewOrderFields): Order {
  return { ...newOrder(fields), status: "NEW" };
}

/** Roles of orders that execute the parent's own quantity (protective legs do not). */
const executingRoles: ReadonlySet<string> = new Set(["ENTRY", "SLICE", "EXIT"]);

/** The children that execute the parent's quantity: its maker, taker and slice orders. */
export function childrenOf(parent: Order, orders: readonly Order[]): Order[] {
  return orders.filter(
    (order) => order.parentId === parent.orderId && executingRoles.has(order.role),
  );
}

export interface ChildTotals {
  readonly filledQty: Decimal;
  readonly filledQuote: Decimal;
}

export function childTotals(children: readonly Order[]): ChildTotals {
  let filledQty: Decimal = zero;
  let filledQuote: Decimal = zero;
  for (const child of children) {
    filledQty = add(filledQty, child.filledQty);
    filledQuote = add(filledQuote, child.filledQuote);
  }
  return { filledQty: normalize(filledQty), filledQuote };
}

/**
 * The parent while its policy works: its children's fills as its own (so a cancel's "move to
 * market" sends only what is really left), PARTIALLY_FILLED once anything filled.
 */
export function rollUpParent(parent: Order, children: readonly Order[], nowMs: number): Order {
  const totals = childTotals(children);
  const filled = isPositive(totals.filledQty) && !eq(totals.filledQty, parent.filledQty);
  const next = filled && parent.status === "NEW" ? transition(parent.status, "PARTIAL_FILL") : null;
  return {
    ...parent,
    status: next ?? parent.status,
    filledQty: totals.filledQty,
    filledQuote: totals.filledQuote,
    avgPrice: averagePrice(totals.filledQuote, totals.filledQty),
    updatedAtMs: nowMs,
  };
}

/**
 * The parent once its policy has finished: its children's fills as its own, and FILLED when they
 * add up to its quantity; otherwise EXPIRED (the policy ended short), or REJECTED when nothing
 * filled and `rejected` says a child was refused. A parent cancelled meanwhile stays CANCELED
 * unless everything filled. The status moves only along the order transition table.
 */
export function finalizeParent(
  parent: Order,
  children: readonly Order[],
  rejected: boolean,
  nowMs: number,
): Order {
  const totals = childTotals(children);
  const full = eq(totals.filledQty, parent.qty);
  let event: OrderEventKind = "EXPIRED";
  if (full) event = "FULL_FILL";
  else if (!isPositive(totals.filledQty) && rejected) event = "REJECTED";
  const next =
    isTerminal(parent.status) && !full ? parent.status : transition(parent.status, event);
  return {
    ...parent,
    status: next ?? parent.status,
    filledQty: totals.filledQty,
    filledQuote: totals.filledQuote,
    avgPrice: averagePrice(totals.filledQuote, totals.filledQty),
    updatedAtMs: nowMs,
  };
}
