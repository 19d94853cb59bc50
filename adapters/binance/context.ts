// What every adapter operation shares: the REST client, time, randomness, logs, policies, the
// order tracker and the algo-order links; plus the two small helpers that turn calls into port
// results.

import type { ExchangeResult } from "../../ports/exchange-gateway.ts";
import type { AlgoLinks } from "./algo-links.ts";
import type { OrderTracker } from "./order-tracker.ts";
import { type CallResult, callParsed, withRetries } from "./rest-call.ts";
import type { BinanceRestClient, RestCall } from "./rest-client.ts";
import type { PlacementContext } from "./unknown-outcome.ts";

export interface AdapterContext extends PlacementContext {
  readonly rest: BinanceRestClient;
  readonly tracker: OrderTracker;
  readonly links: AlgoLinks;
  /** Slack for comparing venue times with our signed timestamps. */
  readonly offsetMarginMs: number;
}

/** A read: safe to repeat, so unknown outcomes are retried too (bounded). */
export function read<T>(
  context: AdapterContext,
  call: RestCall,
  parse: (body: unknown) => T,
): Promise<CallResult<T>> {
  return withRetries(context, true, () => callParsed(context.rest, call, parse));
}

export function toResult<T>(result: CallResult<T>): ExchangeResult<T> {
  return result.ok ? { ok: true, value: result.value } : { ok: false, error: result.error };
}

/** A lookup by client id: "unknown order" is an answer (absent), not a failure. */
export async function lookup<T>(
  context: AdapterContext,
  call: RestCall,
  parse: (body: unknown) => T,
): Promise<CallResult<T | null>> {
  const result = await callParsed(context.rest, call, parse);
  if (!result.ok && result.error.kind === "UNKNOWN_ORDER" && result.sent !== null) {
    return { ok: true, value: null, sent: result.sent };
  }
  return result;
}
