// A REST call with its answer parsed, and bounded, jittered retries for the failures that are
// safe to retry: definite ones (UNAVAILABLE, RATE_LIMITED once Retry-After has passed) always,
// unknown ones only for reads. Waiting runs on the injected clock.

import type { Clock } from "../../ports/clock.ts";
import type { ExchangeError } from "../../ports/exchange-gateway.ts";
import type { Rng } from "../../ports/rng.ts";
import type { BinanceRestClient, RestCall, SendInfo } from "./rest-client.ts";
import { WireError } from "./wire.ts";

export type CallResult<T> =
  | { readonly ok: true; readonly value: T; readonly sent: SendInfo }
  | {
      readonly ok: false;
      readonly error: ExchangeError;
      readonly code: number | null;
      readonly noChange: boolean;
      readonly sent: SendInfo | null;
    };

export interface RetryPolicy {
  /** Total attempts including the first. */
  readonly attemptsMax: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** A RATE_LIMITED answer is waited out only when Retry-After is at most this. */
  readonly rateLimitWaitMaxMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attemptsMax: 4,
  backoffBaseMs: 200,
  backoffMaxMs: 2_000,
  rateLimitWaitMaxMs: 5_000,
};

/** Sends and parses. A success body that does not parse is an unknown outcome, not a refusal. */
export async function callParsed<T>(
  client: BinanceRestClient,
  call: RestCall,
  parse: (body: unknown) => T,
): Promise<CallResult<T>> {
  const response = await client.request(call);
  if (!response.ok) {
    return {
      ok: false,
      error: response.failure.error,
      code: response.code,
      noChange: response.failure.noChange,
      sent: response.sent,
    };
  }
  try {
    return { ok: true, value: parse(response.body), sent: response.sent };
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    return {
      ok: false,
      error: {
        kind: "OUTCOME_UNKNOWN",
        message: `binance ${call.method} ${call.path}: unreadable answer (${error.message})`,
      },
      code: null,
      noChange: false,
      sent: response.sent,
    };
  }
}

/** Exponential backoff capped at backoffMaxMs, with jitter in [50 %, 100 %] of the step. */
export function backoffMs(policy: RetryPolicy, attempt: number, rng: Rng): number {
  const stepMs = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** attempt);
  return Math.round(stepMs * (0.5 + rng.nextFloat() / 2));
}

/** How long to wait before retrying `error`, or null when it must not be retried. */
export function retryDelayMs(
  error: ExchangeError,
  idempotent: boolean,
  policy: RetryPolicy,
  attempt: number,
  rng: Rng,
): number | null {
  switch (error.kind) {
    case "UNAVAILABLE":
      return backoffMs(policy, attempt, rng);
    case "OUTCOME_UNKNOWN":
      return idempotent ? backoffMs(policy, attempt, rng) : null;
    case "RATE_LIMITED":
      if (error.retryAfterMs > policy.rateLimitWaitMaxMs) return null;
      return error.retryAfterMs + backoffMs(policy, 0, rng);
    default:
      return null;
  }
}

export interface RetryContext {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly retry: RetryPolicy;
}

/**
 * Runs `attempt` until it succeeds, fails in a way that must not be retried, or runs out of
 * attempts. Each attempt is a fresh request, so it is re-signed with a fresh timestamp.
 */
export async function withRetries<T>(
  context: RetryContext,
  idempotent: boolean,
  attempt: () => Promise<CallResult<T>>,
): Promise<CallResult<T>> {
  let result = await attempt();
  for (let index = 1; index < context.retry.attemptsMax && !result.ok; index += 1) {
    const delayMs = retryDelayMs(result.error, idempotent, context.retry, index - 1, context.rng);
    if (delayMs === null) return result;
    await context.clock.sleepMs(delayMs);
    result = await attempt();
  }
  return result;
}
