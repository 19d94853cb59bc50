// The liquidity probe of DESIGN §4 as the policies run it before a taker send: the snapshot's
// touch and top levels against the route row's limits and the rolling one-hour spread mean.

import { countSteps, type Decimal } from "../../domain/decimal/index.ts";
import {
  minimumTradableSteps,
  type ProbeLimits,
  type ProbeResult,
  probeLiquidity,
  type RouteRow,
} from "../../domain/execution/index.ts";
import type { SymbolRules } from "../../domain/instrument/index.ts";
import type { Side } from "../../domain/order/index.ts";
import type { BookSnapshot } from "../../ports/exchange-gateway.ts";
import { takingPrice } from "../shared/market.ts";

export interface ProbeRequest {
  readonly side: Side;
  readonly qty: Decimal;
  readonly rules: SymbolRules;
  readonly row: RouteRow;
  readonly snapshot: BookSnapshot;
  /** The one-hour mean before this snapshot's sample. */
  readonly spreadMeanBps: number | null;
  readonly spreadDelays: number;
  /** The finest split allowed (S4_TWAP_MAX_SLICES). */
  readonly sliceCountMax: number;
  readonly reduceOnly: boolean;
}

export function probeLimits(row: RouteRow): ProbeLimits {
  return {
    spreadLimitBps: row.spreadLimitBps,
    slippageLimitBps: row.slippageLimitBps,
    spreadDelayMs: row.spreadDelayMs,
    spreadRetryMax: row.spreadRetryMax,
  };
}

export function probeSend(request: ProbeRequest): ProbeResult {
  const { rules, row, snapshot } = request;
  return probeLiquidity({
    side: request.side,
    qtySteps: countSteps(request.qty, rules.lot.step, "floor"),
    step: rules.lot.step,
    tick: rules.price.tick,
    minSliceSteps: minimumTradableSteps(rules, {
      referencePrice: takingPrice(snapshot, request.side),
      isMarketOrder: true,
      reduceOnly: request.reduceOnly,
    }),
    sliceCountMax: request.sliceCountMax,
    bid: snapshot.bid,
    ask: snapshot.ask,
    bids: snapshot.bids,
    asks: snapshot.asks,
    spreadMeanBps: request.spreadMeanBps,
    limits: probeLimits(row),
    spreadDelaysSoFar: Math.min(request.spreadDelays, row.spreadRetryMax),
  });
}

/** The probe's inputs and outcome for its router:events entry. */
export function probeInputs(
  probe: ProbeResult,
  snapshot: BookSnapshot,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const { decision } = probe;
  return {
    ...probe.inputs,
    ...extra,
    bid: snapshot.bid,
    ask: snapshot.ask,
    ...(decision.action === "delay" ? { delay_ms: decision.delayMs } : {}),
    ...(decision.action === "split" ? { slice_count: decision.sliceCount } : {}),
    ...(decision.action === "switch_to_limit" ? { limit_price: decision.limitPrice } : {}),
  };
}
