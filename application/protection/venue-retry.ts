// Bounded placement of protective orders (DESIGN §5, §6): a definite refusal ends it at once; a
// retryable failure waits and tries again; an unknown outcome or a "duplicate" is settled by asking
// the venue for the same derived id, which is also what makes resending it safe.

import type { Clock } from "../../ports/clock.ts";
import type {
  ConditionalOrder,
  ConditionalOrderRequest,
  ExchangeError,
  ExchangeGateway,
  ExchangeResult,
  OcoRequest,
  OrderList,
} from "../../ports/exchange-gateway.ts";

export interface RetryPolicy {
  readonly attemptsMax: number;
  readonly backoffMs: number;
  readonly waitMaxMs: number;
}

export type Placement<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | {
      readonly ok: false;
      readonly error: ExchangeError;
      /** The last attempt's outcome was unknown: the order may yet exist on the venue. */
      readonly unknown: boolean;
      readonly attempts: number;
    };

async function placeWithRetry<T>(
  clock: Clock,
  policy: RetryPolicy,
  place: () => Promise<ExchangeResult<T>>,
  lookup: () => Promise<ExchangeResult<T>>,
): Promise<Placement<T>> {
  let last: ExchangeError = { kind: "UNAVAILABLE", message: "not attempted" };
  let unknown = false;
  for (let attempt = 1; attempt <= policy.attemptsMax; attempt += 1) {
    const answer = await place();
    if (answer.ok) return { ok: true, value: answer.value, attempts: attempt };
    last = answer.error;
    unknown = false;
    switch (answer.error.kind) {
      case "DUPLICATE_ORDER":
      case "OUTCOME_UNKNOWN": {
        const found = await lookup();
        if (found.ok) return { ok: true, value: found.value, attempts: attempt };
        unknown = answer.error.kind === "OUTCOME_UNKNOWN";
        break;
      }
      case "UNAVAILABLE":
        if (attempt < policy.attemptsMax) await clock.sleepMs(policy.backoffMs * attempt);
        break;
      case "RATE_LIMITED":
        if (answer.error.retryAfterMs > policy.waitMaxMs) return fail(last, false, attempt);
        if (attempt < policy.attemptsMax) await clock.sleepMs(answer.error.retryAfterMs);
        break;
      default:
        return fail(last, false, attempt);
    }
  }
  return fail(last, unknown, policy.attemptsMax);
}

function fail<T>(error: ExchangeError, unknown: boolean, attempts: number): Placement<T> {
  return { ok: false, error, unknown, attempts };
}

export function placeConditional(
  exchange: ExchangeGateway,
  clock: Clock,
  policy: RetryPolicy,
  request: ConditionalOrderRequest,
): Promise<Placement<ConditionalOrder>> {
  return placeWithRetry(
    clock,
    policy,
    () => exchange.placeConditional(request),
    () => exchange.queryConditional(request.symbol, request.clientAlgoId),
  );
}

export function placeOco(
  exchange: ExchangeGateway,
  clock: Clock,
  policy: RetryPolicy,
  request: OcoRequest,
): Promise<Placement<OrderList>> {
  return placeWithRetry(
    clock,
    policy,
    () => exchange.placeOco(request),
    () =>
      exchange.queryOrderList({
        symbol: request.symbol,
        listClientOrderId: request.listClientOrderId,
      }),
  );
}
