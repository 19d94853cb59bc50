// Placement that never duplicates (DESIGN §6). When a placement's outcome is unknown (timeout,
// dropped connection, 5xx, -1006/-1007, 503 "Unknown error"), ask the venue by client id until
// the request's receive window (timestamp + recvWindow + clock-offset margin) has passed:
// found → adopt it; still absent after the window → it can no longer execute, so only then
// resend with the same client id, a bounded number of times.

import type { Clock } from "../../ports/clock.ts";
import type { ExchangeError, ExchangeResult } from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Rng } from "../../ports/rng.ts";
import { type CallResult, type RetryPolicy, withRetries } from "./rest-call.ts";

export interface UnknownOutcomePolicy {
  /** Resends after a proven absence; total sends are at most resendsMax + 1. */
  readonly resendsMax: number;
  readonly pollIntervalMs: number;
  /** Failed queries tolerated while resolving one unknown outcome. */
  readonly queryFailuresMax: number;
}

export const defaultUnknownOutcomePolicy: UnknownOutcomePolicy = {
  resendsMax: 2,
  pollIntervalMs: 500,
  queryFailuresMax: 20,
};

export interface PlacementContext {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  readonly unknown: UnknownOutcomePolicy;
}

export interface Placement<T> {
  /** For logs: what is being placed ("SPOT BTCUSDT order abc"). */
  readonly label: string;
  /** One send; every call re-signs with a fresh timestamp. */
  readonly send: () => Promise<CallResult<T>>;
  /** Looks the placement up by its client id; ok with null means "not there". */
  readonly find: () => Promise<CallResult<T | null>>;
}

type Resolution<T> =
  | { readonly kind: "found"; readonly value: T }
  | { readonly kind: "absent" }
  | { readonly kind: "unresolved"; readonly error: ExchangeError };

export async function placeWithoutDuplicates<T>(
  context: PlacementContext,
  placement: Placement<T>,
): Promise<ExchangeResult<T>> {
  for (let resends = 0; ; resends += 1) {
    const result = await withRetries(context, false, placement.send);
    if (result.ok) return { ok: true, value: result.value };
    if (resends > 0 && result.error.kind === "DUPLICATE_ORDER") {
      // A resend found the id taken: the original is live after all. Adopt it.
      const found = await placement.find();
      if (found.ok && found.value !== null) return { ok: true, value: found.value };
    }
    if (result.error.kind !== "OUTCOME_UNKNOWN") return { ok: false, error: result.error };
    const windowEndMs = result.sent?.windowEndMs ?? context.clock.nowMs();
    context.logger.warn("binance placement outcome unknown; resolving by query", {
      placement: placement.label,
      reason: result.error.message,
      windowEndMs,
    });
    const resolution = await resolve(context, placement, windowEndMs);
    if (resolution.kind === "found") return { ok: true, value: resolution.value };
    if (resolution.kind === "unresolved") return { ok: false, error: resolution.error };
    if (resends >= context.unknown.resendsMax) {
      return {
        ok: false,
        error: {
          kind: "UNAVAILABLE",
          message: `${placement.label}: not placed (absent after its receive window, resends exhausted)`,
        },
      };
    }
    context.logger.warn("binance placement absent after its window; resending same id", {
      placement: placement.label,
      resend: resends + 1,
    });
  }
}

async function resolve<T>(
  context: PlacementContext,
  placement: Placement<T>,
  windowEndMs: number,
): Promise<Resolution<T>> {
  const { clock, rng, unknown } = context;
  let failures = 0;
  let lastError: ExchangeError | null = null;
  for (;;) {
    // Absence proves something only for a query sent after the window closed.
    const askedAtMs = clock.nowMs();
    const found = await placement.find();
    if (found.ok && found.value !== null) return { kind: "found", value: found.value };
    if (found.ok && askedAtMs >= windowEndMs) return { kind: "absent" };
    let waitMs = Math.round(unknown.pollIntervalMs * (0.5 + rng.nextFloat() / 2));
    if (!found.ok) {
      failures += 1;
      lastError = found.error;
      if (failures > unknown.queryFailuresMax || found.error.kind === "BANNED") {
        return { kind: "unresolved", error: unresolvedError(placement.label, lastError) };
      }
      if (found.error.kind === "RATE_LIMITED") waitMs = Math.max(waitMs, found.error.retryAfterMs);
    } else {
      // Not found yet and the window is still open: ask again, but not before it closes.
      waitMs = Math.min(waitMs, Math.max(1, windowEndMs - clock.nowMs()));
    }
    await clock.sleepMs(waitMs);
  }
}

function unresolvedError(label: string, cause: ExchangeError): ExchangeError {
  return {
    kind: "OUTCOME_UNKNOWN",
    message: `${label}: outcome still unknown, queries failing (${cause.message})`,
  };
}
