// Refusals: an intent turned away before anything was stored or sent. They carry a stable code,
// the field and the rule, and become an OrderResult with result FAIL.

import type { OrderResult } from "../../domain/order/index.ts";

export type RefusalCode =
  | "INVALID_REQUEST"
  | "UNKNOWN_SYMBOL"
  | "LOT_SIZE"
  | "MARKET_LOT_SIZE"
  | "PRICE_FILTER"
  | "MIN_NOTIONAL"
  | "NOTIONAL"
  | "REDUCE_ONLY_REJECTED"
  | "KILL_SWITCH"
  | "CIRCUIT_OPEN"
  | "IDEMPOTENCY_MISMATCH"
  | "INSUFFICIENT_BALANCE"
  | "NOT_SUPPORTED"
  | "NO_MARKET_DATA"
  | "EXCHANGE_UNAVAILABLE";

export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
  readonly field?: string;
  readonly rule?: string;
  /** For CIRCUIT_OPEN and unavailability: when trying again makes sense. */
  readonly retryAfterMs?: number;
}

export function refusal(
  code: RefusalCode,
  message: string,
  field?: string,
  rule?: string,
): Refusal {
  return {
    code,
    message,
    ...(field === undefined ? {} : { field }),
    ...(rule === undefined ? {} : { rule }),
  };
}

export function refusalResult(
  intentId: string,
  reason: Refusal,
  ids: { orderId?: string; clientOrderId?: string | null; uuid?: string | null } = {},
): OrderResult {
  const result: OrderResult = {
    result: "FAIL",
    status: "REJECTED",
    intent_id: intentId,
    order_id: ids.orderId ?? "",
    client_order_id: ids.clientOrderId ?? "",
    order_ids: [],
    filled_qty: "0",
    fills: [],
    legs: [],
    code: reason.code,
    message: reason.message,
  };
  if (ids.uuid !== undefined && ids.uuid !== null) result.uuid = ids.uuid;
  if (reason.field !== undefined) result.field = reason.field;
  if (reason.rule !== undefined) result.rule = reason.rule;
  return result;
}
