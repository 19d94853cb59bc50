// The engine's mutable records behind the read-only views it hands out, and the JSON codec that
// persists them (decimals travel as "#d<text>", a prefix no id or symbol can start with).

import { type Decimal, dec, formatDecimal, zero } from "../../../domain/decimal/index.ts";
import type { SimAlgoOrder, SimFill, SimOrder, SimOrderList, SimOrderState } from "./types.ts";

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface OrderRecord extends Mutable<SimOrderState> {
  fills: SimFill[];
  /** Spot: what this order still holds locked (quote for buys, base for sells). */
  lockRemaining: Decimal;
}

export type AlgoRecord = Mutable<SimAlgoOrder>;

export interface ListRecord extends Omit<Mutable<SimOrderList>, "orderIds"> {
  orderIds: number[];
  /** Spot OCO: the list holds one lock for both legs. */
  lockRemaining: Decimal;
}

export function orderState(order: OrderRecord): SimOrderState {
  return {
    market: order.market,
    symbol: order.symbol,
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    side: order.side,
    type: order.type,
    timeInForce: order.timeInForce,
    qty: order.qty,
    quoteOrderQty: order.quoteOrderQty,
    price: order.price,
    stopPrice: order.stopPrice,
    status: order.status,
    filledQty: order.filledQty,
    filledQuote: order.filledQuote,
    reduceOnly: order.reduceOnly,
    closePosition: order.closePosition,
    orderListId: order.orderListId,
    algoId: order.algoId,
    working: order.working,
    workingTimeMs: order.workingTimeMs,
    expiryReason: order.expiryReason,
    createdMs: order.createdMs,
    updatedMs: order.updatedMs,
  };
}

export function orderView(order: OrderRecord): SimOrder {
  return { ...orderState(order), fills: order.fills.slice() };
}

export function algoView(algo: AlgoRecord): SimAlgoOrder {
  return { ...algo };
}

export function listView(list: ListRecord): SimOrderList {
  const { lockRemaining: _lock, ...view } = list;
  return { ...view, orderIds: list.orderIds.slice() };
}

export function isOpenStatus(status: SimOrderState["status"]): boolean {
  return status === "NEW" || status === "PARTIALLY_FILLED";
}

const decimalTag = "#d";

function isDecimal(value: unknown): value is Decimal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { units?: unknown }).units === "bigint" &&
    typeof (value as { scale?: unknown }).scale === "number"
  );
}

/** JSON with exact decimals. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    isDecimal(field) ? decimalTag + formatDecimal(field) : field,
  );
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, field: unknown) =>
    typeof field === "string" && field.startsWith(decimalTag) ? dec(field.slice(2)) : field,
  ) as T;
}

export function emptyLock(): Decimal {
  return zero;
}
