// The one table from Binance answers (HTTP status, code, message) to the port's ExchangeError
// kinds. Rows are checked in order; the first match decides. Binance codes stop here.

import type { ExchangeError, ExchangeErrorKind } from "../../ports/exchange-gateway.ts";
import type { Market } from "../../domain/instrument/index.ts";

export interface BinanceFailure {
  readonly market: Market;
  readonly httpStatus: number;
  /** The body's `code`, or null when the body had none. */
  readonly code: number | null;
  readonly msg: string;
  /** From the Retry-After header, when present. */
  readonly retryAfterMs: number | null;
}

/**
 * What a failure means for the caller beyond its kind:
 * - `noChange`: the venue says the requested state already holds (-4046); callers treat it as done.
 * - `resyncClock`: the timestamp was outside the receive window (-1021); resync and re-sign once.
 */
export interface MappedFailure {
  readonly error: ExchangeError;
  readonly noChange: boolean;
  readonly resyncClock: boolean;
  /** Which row decided, for logs and tests. */
  readonly rule: string;
}

type Verdict =
  | { readonly kind: Exclude<ExchangeErrorKind, "FILTER_REJECTED" | "RATE_LIMITED" | "BANNED"> }
  | { readonly kind: "FILTER_REJECTED"; readonly filter: string | "FROM_MESSAGE" }
  | { readonly kind: "RATE_LIMITED" }
  | { readonly kind: "BANNED" };

interface Row {
  readonly rule: string;
  readonly status?: number | "5xx";
  readonly code?: number;
  readonly msg?: RegExp;
  readonly market?: Market;
  readonly verdict: Verdict;
  readonly noChange?: true;
  readonly resyncClock?: true;
}

const reject: Verdict = { kind: "REJECTED" };
const filter = (name: string): Verdict => ({ kind: "FILTER_REJECTED", filter: name });

/** Defaults when a 429/418 arrives without Retry-After: the shortest documented ban is 2 min. */
export const rateLimitDefaultWaitMs = 1_000;
export const banDefaultWaitMs = 120_000;

export const errorTable: readonly Row[] = [
  // Bans and rate limits first: they stop every send, whatever else the body says.
  { rule: "http-418-banned", status: 418, verdict: { kind: "BANNED" } },
  { rule: "-1003-banned", code: -1003, msg: /banned until/i, verdict: { kind: "BANNED" } },
  { rule: "http-429", status: 429, verdict: { kind: "RATE_LIMITED" } },
  { rule: "-1003-too-many-requests", code: -1003, verdict: { kind: "RATE_LIMITED" } },
  { rule: "-1015-too-many-orders", code: -1015, verdict: { kind: "RATE_LIMITED" } },
  // Unknown outcome: the venue may have acted. Never "rejected", never blindly resent.
  { rule: "-1006-unexpected-response", code: -1006, verdict: { kind: "OUTCOME_UNKNOWN" } },
  { rule: "-1007-timeout", code: -1007, verdict: { kind: "OUTCOME_UNKNOWN" } },
  // Definite failures before the venue acted: safe to retry with backoff.
  { rule: "-1008-throttled", code: -1008, verdict: { kind: "UNAVAILABLE" } },
  { rule: "-1001-disconnected", code: -1001, verdict: { kind: "UNAVAILABLE" } },
  {
    rule: "503-unknown-error",
    status: 503,
    msg: /unknown error/i,
    verdict: { kind: "OUTCOME_UNKNOWN" },
  },
  {
    rule: "503-service-unavailable",
    status: 503,
    msg: /service unavailable/i,
    verdict: { kind: "UNAVAILABLE" },
  },
  {
    rule: "internal-error-resend",
    msg: /^Internal error; unable to process your request/i,
    verdict: { kind: "UNAVAILABLE" },
  },
  // Timing and signature.
  { rule: "-1021-timestamp", code: -1021, verdict: reject, resyncClock: true },
  { rule: "-1022-signature", code: -1022, verdict: reject },
  // Spot filters: "Filter failure: X" names the filter.
  {
    rule: "-1013-filter-failure",
    code: -1013,
    msg: /^Filter failure: /,
    verdict: { kind: "FILTER_REJECTED", filter: "FROM_MESSAGE" },
  },
  // Futures filters: dedicated codes.
  { rule: "-4013-price-below-min", code: -4013, verdict: filter("PRICE_FILTER") },
  { rule: "-4014-price-tick", code: -4014, verdict: filter("PRICE_FILTER") },
  { rule: "-4016-price-above-cap", code: -4016, verdict: filter("PERCENT_PRICE") },
  { rule: "-4024-price-below-floor", code: -4024, verdict: filter("PERCENT_PRICE") },
  { rule: "-4131-percent-price", code: -4131, verdict: filter("PERCENT_PRICE") },
  { rule: "-4003-qty-not-positive", code: -4003, verdict: filter("LOT_SIZE") },
  { rule: "-4004-qty-below-min", code: -4004, verdict: filter("LOT_SIZE") },
  { rule: "-4005-qty-above-max", code: -4005, verdict: filter("LOT_SIZE") },
  { rule: "-4023-qty-step", code: -4023, verdict: filter("LOT_SIZE") },
  { rule: "-4164-min-notional", code: -4164, verdict: filter("MIN_NOTIONAL") },
  // Too many decimals: checked before the filters. Spot names the parameter; futures does not.
  {
    rule: "-1111-precision-price",
    code: -1111,
    msg: /'(price|stopPrice)'/,
    verdict: filter("PRICE_FILTER"),
  },
  { rule: "-1111-precision-quantity", code: -1111, verdict: filter("LOT_SIZE") },
  // Matching-engine rejections (spot -2010 variants by message).
  {
    rule: "-2010-duplicate",
    code: -2010,
    msg: /^Duplicate order sent/,
    verdict: { kind: "DUPLICATE_ORDER" },
  },
  {
    rule: "-2010-insufficient-balance",
    code: -2010,
    msg: /^Account has insufficient balance/,
    verdict: { kind: "INSUFFICIENT_BALANCE" },
  },
  {
    rule: "-2010-would-take",
    code: -2010,
    msg: /^Order would immediately match and take/,
    verdict: { kind: "POST_ONLY_REJECTED" },
  },
  {
    rule: "-2010-would-trigger",
    code: -2010,
    msg: /^Order would trigger immediately/,
    verdict: { kind: "WOULD_TRIGGER_IMMEDIATELY" },
  },
  { rule: "-2010-other", code: -2010, verdict: reject },
  { rule: "-4116-duplicate-client-id", code: -4116, verdict: { kind: "DUPLICATE_ORDER" } },
  { rule: "-2018-balance", code: -2018, verdict: { kind: "INSUFFICIENT_BALANCE" } },
  { rule: "-2019-margin", code: -2019, verdict: { kind: "INSUFFICIENT_BALANCE" } },
  { rule: "-5013-transfer-balance", code: -5013, verdict: { kind: "INSUFFICIENT_BALANCE" } },
  {
    rule: "-2022-reduce-only",
    code: -2022,
    market: "FUT",
    verdict: { kind: "REDUCE_ONLY_REJECTED" },
  },
  { rule: "-4118-reduce-only-margin", code: -4118, verdict: { kind: "REDUCE_ONLY_REJECTED" } },
  { rule: "-5022-gtx-would-take", code: -5022, verdict: { kind: "POST_ONLY_REJECTED" } },
  {
    rule: "-2021-would-trigger",
    code: -2021,
    market: "FUT",
    verdict: { kind: "WOULD_TRIGGER_IMMEDIATELY" },
  },
  // Unknown orders. A cancel blocked by cancelRestrictions is a refusal, not an unknown order.
  { rule: "-2011-cancel-restricted", code: -2011, msg: /cancel restrictions/i, verdict: reject },
  { rule: "-2011-unknown-order", code: -2011, verdict: { kind: "UNKNOWN_ORDER" } },
  { rule: "-2013-no-such-order", code: -2013, verdict: { kind: "UNKNOWN_ORDER" } },
  { rule: "-2026-archived", code: -2026, verdict: { kind: "UNKNOWN_ORDER" } },
  // A conditional type sent to /fapi/v1/order: our bug, refused definitely.
  { rule: "-4120-use-algo-endpoint", code: -4120, verdict: reject },
  // "Already so" answers: success for the caller that asked for that state.
  { rule: "-4046-margin-type-unchanged", code: -4046, verdict: reject, noChange: true },
  { rule: "-4059-position-side-unchanged", code: -4059, verdict: reject, noChange: true },
  // Whatever else the venue's side failed on: the outcome is unknown (BINANCE.md §4a).
  { rule: "http-408-backend-timeout", status: 408, verdict: { kind: "OUTCOME_UNKNOWN" } },
  { rule: "http-5xx", status: "5xx", verdict: { kind: "OUTCOME_UNKNOWN" } },
  { rule: "fallback", verdict: reject },
];

function matches(row: Row, failure: BinanceFailure): boolean {
  if (row.status === "5xx" && (failure.httpStatus < 500 || failure.httpStatus > 599)) return false;
  if (typeof row.status === "number" && row.status !== failure.httpStatus) return false;
  if (row.code !== undefined && row.code !== failure.code) return false;
  if (row.market !== undefined && row.market !== failure.market) return false;
  if (row.msg !== undefined && !row.msg.test(failure.msg)) return false;
  return true;
}

/** Finds the deciding row; the fallback row guarantees one. */
export function findRow(failure: BinanceFailure): Row {
  for (const row of errorTable) if (matches(row, failure)) return row;
  throw new Error("Condition failed: the error table has no fallback row");
}

/** Maps a Binance failure to the port's error; `nowMs` is the local clock for ban/limit ends. */
export function mapFailure(failure: BinanceFailure, nowMs: number): MappedFailure {
  const row = findRow(failure);
  const message = describe(failure);
  return {
    error: toError(row.verdict, failure, message, nowMs),
    noChange: row.noChange === true,
    resyncClock: row.resyncClock === true,
    rule: row.rule,
  };
}

function toError(
  verdict: Verdict,
  failure: BinanceFailure,
  message: string,
  nowMs: number,
): ExchangeError {
  switch (verdict.kind) {
    case "FILTER_REJECTED": {
      const name =
        verdict.filter === "FROM_MESSAGE"
          ? failure.msg.replace(/^Filter failure: /, "").trim()
          : verdict.filter;
      return { kind: "FILTER_REJECTED", filter: name, message };
    }
    case "RATE_LIMITED":
      return {
        kind: "RATE_LIMITED",
        retryAfterMs: failure.retryAfterMs ?? rateLimitDefaultWaitMs,
        message,
      };
    case "BANNED":
      return { kind: "BANNED", untilMs: banEndMs(failure, nowMs), message };
    default:
      return { kind: verdict.kind, message };
  }
}

/** A ban ends at Retry-After, else at the time in "IP banned until <ms>", else after 2 min. */
function banEndMs(failure: BinanceFailure, nowMs: number): number {
  if (failure.retryAfterMs !== null) return nowMs + failure.retryAfterMs;
  const until = /banned until (\d{10,})/i.exec(failure.msg);
  if (until?.[1] !== undefined) return Number(until[1]);
  return nowMs + banDefaultWaitMs;
}

function describe(failure: BinanceFailure): string {
  const code = failure.code === null ? "" : ` ${failure.code}`;
  const text = failure.msg === "" ? "(no message)" : failure.msg;
  return `binance ${failure.market} HTTP ${failure.httpStatus}${code}: ${text}`;
}

/** Transport failures, which never reached a Binance row. */
export function transportError(
  kind: "UNAVAILABLE" | "OUTCOME_UNKNOWN",
  detail: string,
): ExchangeError {
  return { kind, message: `binance transport: ${detail}` };
}
