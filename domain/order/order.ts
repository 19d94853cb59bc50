// The one mutator of orders: applies venue events through the transition table, rejecting a
// duplicate trade id or an overfill before any transition happens.

import {
  add,
  type Decimal,
  div,
  eq,
  gt,
  gte,
  isPositive,
  mul,
  normalize,
  zero,
} from "../decimal/index.ts";
import { type OrderEventKind, transition } from "./order-state.ts";
import type { Fill, Order, OrderStatus } from "./types.ts";

/** Average prices carry this many decimals before trailing zeros are dropped. */
export const averagePriceScale = 12;

export type OrderChange =
  | { readonly ok: true; readonly order: Order }
  | {
      readonly ok: false;
      readonly reason:
        | "DUPLICATE_TRADE"
        | "OVERFILL"
        | "ILLEGAL_TRANSITION"
        | "WRONG_ORDER"
        | "INVALID_FILL";
      readonly status: OrderStatus;
    };

export function averagePrice(quote: Decimal, qty: Decimal): Decimal | null {
  if (!isPositive(qty)) return null;
  return normalize(div(quote, qty, averagePriceScale, "half_up"));
}

/** Applies a fill. A trade id seen before is refused (duplicates are harmless by construction). */
export function applyFill(order: Order, fill: Fill, nowMs: number): OrderChange {
  // A trade has a positive price and quantity. A zero one would turn the order PARTIALLY_FILLED
  // with nothing filled and a negative one would un-fill it; the venue's word is refused, not
  // trusted, and the caller sees why.
  if (!isPositive(fill.qty) || !isPositive(fill.price)) {
    return { ok: false, reason: "INVALID_FILL", status: order.status };
  }
  if (fill.orderId !== order.orderId)
    return { ok: false, reason: "WRONG_ORDER", status: order.status };
  if (order.tradeIds.includes(fill.tradeId)) {
    return { ok: false, reason: "DUPLICATE_TRADE", status: order.status };
  }
  const filledQty = add(order.filledQty, fill.qty);
  if (gt(filledQty, order.qty)) return { ok: false, reason: "OVERFILL", status: order.status };
  const event: OrderEventKind = gte(filledQty, order.qty) ? "FULL_FILL" : "PARTIAL_FILL";
  const next = transition(order.status, event);
  if (next === null) return { ok: false, reason: "ILLEGAL_TRANSITION", status: order.status };
  const filledQuote = add(order.filledQuote, mul(fill.price, fill.qty));
  return {
    ok: true,
    order: {
      ...order,
      status: next,
      filledQty: normalize(filledQty),
      filledQuote,
      avgPrice: averagePrice(filledQuote, filledQty),
      tradeIds: [...order.tradeIds, fill.tradeId],
      updatedAtMs: nowMs,
    },
  };
}

export interface StatusPatch {
  readonly exchangeOrderId?: string | null;
}

/** Applies a non-fill event (acknowledged, canceled, expired, ...). */
export function applyEvent(
  order: Order,
  event: Exclude<OrderEventKind, "PARTIAL_FILL" | "FULL_FILL">,
  nowMs: number,
  patch: StatusPatch = {},
): OrderChange {
  let next = transition(order.status, event);
  if (next === null) return { ok: false, reason: "ILLEGAL_TRANSITION", status: order.status };
  // A refused cancel returns the order to whatever its fills say it is.
  if (event === "CANCEL_REJECTED" && isPositive(order.filledQty)) next = "PARTIALLY_FILLED";
  const exchangeOrderId =
    patch.exchangeOrderId !== undefined && patch.exchangeOrderId !== null
      ? patch.exchangeOrderId
      : order.exchangeOrderId;
  return { ok: true, order: { ...order, status: next, exchangeOrderId, updatedAtMs: nowMs } };
}

export function remainingQty(order: Order): Decimal {
  return normalize(add(order.qty, { units: -order.filledQty.units, scale: order.filledQty.scale }));
}

export function isFullyFilled(order: Order): boolean {
  return eq(order.filledQty, order.qty);
}

export interface NewOrderFields
  extends Omit<
    Order,
    | "status"
    | "filledQty"
    | "filledQuote"
    | "avgPrice"
    | "tradeIds"
    | "updatedAtMs"
    | "exchangeOrderId"
  > {}

export function newOrder(fields: NewOrderFields): Order {
  return {
    ...fields,
    exchangeOrderId: null,
    status: "PENDING_NEW",
    filledQty: zero,
    filledQuote: zero,
    avgPrice: null,
    tradeIds: [],
    updatedAtMs: fields.createdAtMs,
  };
}
