// The only place outcomes become HTTP statuses (STYLE rule 8).

import type { OrderResult } from "../../domain/order/index.ts";

const statusByCode: Readonly<Record<string, number>> = {
  MALFORMED_JSON: 400,
  INVALID_REQUEST: 400,
  UNKNOWN_SYMBOL: 400,
  LOT_SIZE: 400,
  MARKET_LOT_SIZE: 400,
  PRICE_FILTER: 400,
  PAYLOAD_TOO_LARGE: 413,
  ORDER_NOT_FOUND: 404,
  ALREADY_FILLED: 409,
  MIN_NOTIONAL: 422,
  NOTIONAL: 422,
  REDUCE_ONLY_REJECTED: 422,
  KILL_SWITCH: 422,
  INSUFFICIENT_BALANCE: 422,
  IDEMPOTENCY_MISMATCH: 422,
  POST_ONLY_REJECTED: 422,
  WOULD_TRIGGER_IMMEDIATELY: 422,
  DUPLICATE_ORDER: 422,
  EXCHANGE_REJECTED: 422,
  NOT_SUPPORTED: 422,
  NOT_SENT: 422,
  OUTCOME_UNKNOWN: 202,
  CIRCUIT_OPEN: 503,
  EXCHANGE_UNAVAILABLE: 503,
  RATE_LIMITED: 503,
  NO_MARKET_DATA: 503,
  CANCEL_FAILED: 502,
};

/** A refusal's status by its code; unknown venue filter names are business rejections (422). */
export function statusForCode(code: string): number {
  return statusByCode[code] ?? 422;
}

export function statusForResult(result: OrderResult): number {
  if (result.code === undefined) return 200;
  if (result.result === "OK") return result.code === "OUTCOME_UNKNOWN" ? 202 : 200;
  return statusForCode(result.code);
}
