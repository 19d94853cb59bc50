// An ExchangeGateway that reports every call's outcome to the circuit breaker and passes the
// call through unchanged. Only transport-level failures count as errors: a refused order is
// the venue working as intended.

import type { CallOutcome } from "../../domain/risk/index.ts";
import type { ExchangeGateway, ExchangeResult } from "../../ports/exchange-gateway.ts";

export function callOutcome(result: ExchangeResult<unknown>): CallOutcome {
  if (result.ok) return "SUCCESS";
  switch (result.error.kind) {
    case "RATE_LIMITED":
    case "BANNED":
      return "RATE_LIMITED";
    case "OUTCOME_UNKNOWN":
      return "TIMEOUT";
    case "UNAVAILABLE":
      return "SERVER_ERROR";
    default:
      return "CLIENT_ERROR";
  }
}

const passThrough = new Set(["name", "start", "stop", "connectivity", "onEvent"]);

/** Wraps every result-returning method of `inner`; the rest pass through untouched. */
export function observeExchange(
  inner: ExchangeGateway,
  record: (outcome: CallOutcome) => void,
): ExchangeGateway {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || passThrough.has(String(property))) {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (...args: unknown[]) => {
        const result = (await value.apply(target, args)) as ExchangeResult<unknown>;
        record(callOutcome(result));
        return result;
      };
    },
  });
}
