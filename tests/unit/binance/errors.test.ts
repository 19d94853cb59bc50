// The error table, one case per row (and a check that no row goes untested): Binance
// (HTTP status, code, message) → the port's ExchangeError kind.

import { describe, expect, test } from "bun:test";
import type { Market } from "../../../domain/instrument/index.ts";
import {
  type BinanceFailure,
  banDefaultWaitMs,
  errorTable,
  mapFailure,
} from "../../../adapters/binance/errors.ts";

const nowMs = 1_700_000_000_000;

interface Case {
  readonly rule: string;
  readonly failure: Partial<BinanceFailure> & { httpStatus: number };
  readonly kind: string;
  readonly filter?: string;
  readonly noChange?: boolean;
  readonly resyncClock?: boolean;
}

const on = (
  httpStatus: number,
  code: number | null,
  msg: string,
  market: Market = "SPOT",
): Case["failure"] => ({ httpStatus, code, msg, market });

const cases: readonly Case[] = [
  {
    rule: "http-418-banned",
    failure: on(418, -1003, "Way too much request weight used; IP banned until 1700000120000."),
    kind: "BANNED",
  },
  {
    rule: "-1003-banned",
    failure: on(
      400,
      -1003,
      "Way too much request weight used; IP banned until 1700000300000. Please use WebSocket Streams.",
    ),
    kind: "BANNED",
  },
  {
    rule: "http-429",
    failure: on(
      429,
      -1003,
      "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.",
    ),
    kind: "RATE_LIMITED",
  },
  {
    rule: "-1003-too-many-requests",
    failure: on(400, -1003, "Too many requests queued."),
    kind: "RATE_LIMITED",
  },
  {
    rule: "-1015-too-many-orders",
    failure: on(400, -1015, "Too many new orders; current limit is 100 orders per 10 SECOND."),
    kind: "RATE_LIMITED",
  },
  {
    rule: "-1006-unexpected-response",
    failure: on(
      500,
      -1006,
      "An unexpected response was received from the message bus. Execution status unknown.",
    ),
    kind: "OUTCOME_UNKNOWN",
  },
  {
    rule: "-1007-timeout",
    failure: on(
      408,
      -1007,
      "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
    ),
    kind: "OUTCOME_UNKNOWN",
  },
  {
    rule: "-1008-throttled",
    failure: on(
      503,
      -1008,
      "Request throttled by system-level protection. Reduce-only/close-position orders are exempt. Please try again.",
      "FUT",
    ),
    kind: "UNAVAILABLE",
  },
  {
    rule: "-1001-disconnected",
    failure: on(500, -1001, "Internal error; unable to process your request. Please try again."),
    kind: "UNAVAILABLE",
  },
  {
    rule: "503-unknown-error",
    failure: on(503, null, "Unknown error, please check your request or try again later.", "FUT"),
    kind: "OUTCOME_UNKNOWN",
  },
  {
    rule: "503-service-unavailable",
    failure: on(503, null, "Service Unavailable.", "FUT"),
    kind: "UNAVAILABLE",
  },
  {
    rule: "internal-error-resend",
    failure: on(
      500,
      -1000,
      "Internal error; unable to process your request. Please try again.",
      "FUT",
    ),
    kind: "UNAVAILABLE",
  },
  {
    rule: "-1021-timestamp",
    failure: on(400, -1021, "Timestamp for this request is outside of the recvWindow."),
    kind: "REJECTED",
    resyncClock: true,
  },
  {
    rule: "-1022-signature",
    failure: on(400, -1022, "Signature for this request is not valid."),
    kind: "REJECTED",
  },
  {
    rule: "-1013-filter-failure",
    failure: on(400, -1013, "Filter failure: LOT_SIZE"),
    kind: "FILTER_REJECTED",
    filter: "LOT_SIZE",
  },
  {
    rule: "-4013-price-below-min",
    failure: on(400, -4013, "Price less than min price.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "PRICE_FILTER",
  },
  {
    rule: "-4014-price-tick",
    failure: on(400, -4014, "Price not increased by tick size.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "PRICE_FILTER",
  },
  {
    rule: "-4016-price-above-cap",
    failure: on(400, -4016, "Price is higher than mark price multiplier cap.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "PERCENT_PRICE",
  },
  {
    rule: "-4024-price-below-floor",
    failure: on(400, -4024, "Price is lower than mark price multiplier floor.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "PERCENT_PRICE",
  },
  {
    rule: "-4131-percent-price",
    failure: on(
      400,
      -4131,
      "The counterparty's best price does not meet the PERCENT_PRICE filter limit",
      "FUT",
    ),
    kind: "FILTER_REJECTED",
    filter: "PERCENT_PRICE",
  },
  {
    rule: "-4003-qty-not-positive",
    failure: on(400, -4003, "Quantity less than zero.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "LOT_SIZE",
  },
  {
    rule: "-4004-qty-below-min",
    failure: on(400, -4004, "Quantity less than min quantity.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "LOT_SIZE",
  },
  {
    rule: "-4005-qty-above-max",
    failure: on(400, -4005, "Quantity greater than max quantity.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "LOT_SIZE",
  },
  {
    rule: "-4023-qty-step",
    failure: on(400, -4023, "Qty not increased by step size.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "LOT_SIZE",
  },
  {
    rule: "-1111-precision-price",
    failure: on(400, -1111, "Parameter 'price' has too much precision."),
    kind: "FILTER_REJECTED",
    filter: "PRICE_FILTER",
  },
  {
    rule: "-1111-precision-quantity",
    failure: on(400, -1111, "Precision is over the maximum defined for this asset.", "FUT"),
    kind: "FILTER_REJECTED",
    filter: "LOT_SIZE",
  },
  {
    rule: "-5013-transfer-balance",
    failure: on(400, -5013, "Asset transfer failed: insufficient balance"),
    kind: "INSUFFICIENT_BALANCE",
  },
  {
    rule: "-4164-min-notional",
    failure: on(
      400,
      -4164,
      "Order's notional must be no smaller than 50 (unless you choose reduce only).",
      "FUT",
    ),
    kind: "FILTER_REJECTED",
    filter: "MIN_NOTIONAL",
  },
  {
    rule: "-2010-duplicate",
    failure: on(400, -2010, "Duplicate order sent."),
    kind: "DUPLICATE_ORDER",
  },
  {
    rule: "-2010-insufficient-balance",
    failure: on(400, -2010, "Account has insufficient balance for requested action."),
    kind: "INSUFFICIENT_BALANCE",
  },
  {
    rule: "-2010-would-take",
    failure: on(400, -2010, "Order would immediately match and take."),
    kind: "POST_ONLY_REJECTED",
  },
  {
    rule: "-2010-would-trigger",
    failure: on(400, -2010, "Order would trigger immediately."),
    kind: "WOULD_TRIGGER_IMMEDIATELY",
  },
  { rule: "-2010-other", failure: on(400, -2010, "Market is closed."), kind: "REJECTED" },
  {
    rule: "-4116-duplicate-client-id",
    failure: on(400, -4116, "clientOrderId is duplicated", "FUT"),
    kind: "DUPLICATE_ORDER",
  },
  {
    rule: "-2018-balance",
    failure: on(400, -2018, "Balance is insufficient.", "FUT"),
    kind: "INSUFFICIENT_BALANCE",
  },
  {
    rule: "-2019-margin",
    failure: on(400, -2019, "Margin is insufficient.", "FUT"),
    kind: "INSUFFICIENT_BALANCE",
  },
  {
    rule: "-2022-reduce-only",
    failure: on(400, -2022, "ReduceOnly Order is rejected.", "FUT"),
    kind: "REDUCE_ONLY_REJECTED",
  },
  {
    rule: "-4118-reduce-only-margin",
    failure: on(
      400,
      -4118,
      "ReduceOnly Order Failed. Please check your existing position and open orders",
      "FUT",
    ),
    kind: "REDUCE_ONLY_REJECTED",
  },
  {
    rule: "-5022-gtx-would-take",
    failure: on(
      400,
      -5022,
      "Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history",
      "FUT",
    ),
    kind: "POST_ONLY_REJECTED",
  },
  {
    rule: "-2021-would-trigger",
    failure: on(400, -2021, "Order would immediately trigger.", "FUT"),
    kind: "WOULD_TRIGGER_IMMEDIATELY",
  },
  {
    rule: "-2011-cancel-restricted",
    failure: on(400, -2011, "Order was not canceled due to cancel restrictions."),
    kind: "REJECTED",
  },
  {
    rule: "-2011-unknown-order",
    failure: on(400, -2011, "Unknown order sent."),
    kind: "UNKNOWN_ORDER",
  },
  {
    rule: "-2013-no-such-order",
    failure: on(400, -2013, "Order does not exist."),
    kind: "UNKNOWN_ORDER",
  },
  {
    rule: "-2026-archived",
    failure: on(
      400,
      -2026,
      "Order was canceled or expired with no executed qty over 90 days ago and has been archived.",
    ),
    kind: "UNKNOWN_ORDER",
  },
  {
    rule: "-4120-use-algo-endpoint",
    failure: on(
      400,
      -4120,
      "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
      "FUT",
    ),
    kind: "REJECTED",
  },
  {
    rule: "-4046-margin-type-unchanged",
    failure: on(400, -4046, "No need to change margin type.", "FUT"),
    kind: "REJECTED",
    noChange: true,
  },
  {
    rule: "-4059-position-side-unchanged",
    failure: on(400, -4059, "No need to change position side.", "FUT"),
    kind: "REJECTED",
    noChange: true,
  },
  { rule: "http-408-backend-timeout", failure: on(408, null, ""), kind: "OUTCOME_UNKNOWN" },
  { rule: "http-5xx", failure: on(502, null, "Bad Gateway"), kind: "OUTCOME_UNKNOWN" },
  { rule: "fallback", failure: on(400, -1121, "Invalid symbol."), kind: "REJECTED" },
];

function full(failure: Case["failure"]): BinanceFailure {
  return {
    market: failure.market ?? "SPOT",
    httpStatus: failure.httpStatus,
    code: failure.code ?? null,
    msg: failure.msg ?? "",
    retryAfterMs: failure.retryAfterMs ?? null,
  };
}

describe("error table", () => {
  test.each(cases.map((row) => [row.rule, row] as const))("row %s", (_rule, row) => {
    const mapped = mapFailure(full(row.failure), nowMs);
    expect(mapped.rule).toBe(row.rule);
    expect(mapped.error.kind).toBe(row.kind as never);
    if (row.filter !== undefined) expect(mapped.error).toMatchObject({ filter: row.filter });
    expect(mapped.noChange).toBe(row.noChange === true);
    expect(mapped.resyncClock).toBe(row.resyncClock === true);
    expect(mapped.error.message).toContain(row.failure.msg ?? "");
  });

  test("every row of the table has a case", () => {
    const covered = new Set(cases.map((row) => row.rule));
    expect(errorTable.map((row) => row.rule).filter((rule) => !covered.has(rule))).toEqual([]);
  });

  test("spot -2022 is cancel-replace failure, not reduce-only", () => {
    const mapped = mapFailure(full(on(400, -2022, "Order cancel-replace failed.")), nowMs);
    expect(mapped.error.kind).toBe("REJECTED");
  });

  test("every spot filter name passes through from the message", () => {
    for (const name of ["PRICE_FILTER", "PERCENT_PRICE_BY_SIDE", "NOTIONAL", "MAX_NUM_ORDERS"]) {
      const mapped = mapFailure(full(on(400, -1013, `Filter failure: ${name}`)), nowMs);
      expect(mapped.error).toMatchObject({ kind: "FILTER_REJECTED", filter: name });
    }
  });

  test("Retry-After sets the wait of a 429 and the end of a 418", () => {
    const limited = mapFailure({ ...full(on(429, -1003, "Too many")), retryAfterMs: 7_000 }, nowMs);
    expect(limited.error).toMatchObject({ kind: "RATE_LIMITED", retryAfterMs: 7_000 });
    const banned = mapFailure({ ...full(on(418, -1003, "banned")), retryAfterMs: 120_000 }, nowMs);
    expect(banned.error).toMatchObject({ kind: "BANNED", untilMs: nowMs + 120_000 });
  });

  test("a ban without Retry-After reads the time in the message, else 2 minutes", () => {
    const fromMessage = mapFailure(full(on(418, -1003, "IP banned until 1700000999000.")), nowMs);
    expect(fromMessage.error).toMatchObject({ untilMs: 1_700_000_999_000 });
    const fallback = mapFailure(full(on(418, null, "")), nowMs);
    expect(fallback.error).toMatchObject({ untilMs: nowMs + banDefaultWaitMs });
  });
});
