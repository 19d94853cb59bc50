// The liquidity probe run before each send (DESIGN §4): spread in bps, a bounded rolling one-hour
// spread mean, the slippage a size would cost walking the visible book, and the decision
// proceed | delay | split | switch_to_limit with every input it used, for the router:events entry.

import {
  add,
  ceilToStep,
  type Decimal,
  dec,
  div,
  floorToStep,
  fromSteps,
  isPositive,
  lt,
  min,
  mul,
  sub,
  toNumber,
  zero,
} from "../decimal/index.ts";
import type { BookLevel, Side } from "../order/index.ts";
import { slippageBps } from "./tca.ts";

const tenThousand: Decimal = { units: 10_000n, scale: 0 };
const two: Decimal = { units: 2n, scale: 0 };
/** Statistics carry this many decimals before becoming numbers. */
const statisticScale = 12;

/** (ask − bid) / mid × 1e4; null for a book that gives no spread (empty, crossed). */
export function spreadBps(bid: Decimal, ask: Decimal): number | null {
  if (!isPositive(bid) || !isPositive(ask) || lt(ask, bid)) return null;
  const mid = div(add(bid, ask), two, statisticScale, "half_up");
  return toNumber(div(mul(sub(ask, bid), tenThousand), mid, 6, "half_up"));
}

export function midPrice(bid: Decimal, ask: Decimal): Decimal {
  return div(add(bid, ask), two, Math.max(bid.scale, ask.scale) + 1, "half_up");
}

// ---- Rolling spread mean -------------------------------------------------------------------

export const spreadWindowMs = 3_600_000;
export const spreadBucketMs = 60_000;
/** Memory bound: one bucket per minute of the hour. */
export const spreadBucketCountMax = spreadWindowMs / spreadBucketMs;
/** Below this many samples in the window the mean is not trusted (the 2× rule is off). */
export const spreadMeanSampleMin = 10;

export interface SpreadBucket {
  /** Start of the bucket, a multiple of spreadBucketMs. */
  readonly startMs: number;
  readonly sumBps: number;
  readonly count: number;
}

/** Buckets sorted by start, oldest first, never more than spreadBucketCountMax. */
export interface SpreadWindow {
  readonly buckets: readonly SpreadBucket[];
}

export const emptySpreadWindow: SpreadWindow = { buckets: [] };

function bucketStart(nowMs: number): number {
  return Math.floor(nowMs / spreadBucketMs) * spreadBucketMs;
}

function liveBuckets(window: SpreadWindow, nowMs: number): SpreadBucket[] {
  const oldestStart = bucketStart(nowMs) - (spreadBucketCountMax - 1) * spreadBucketMs;
  return window.buckets.filter((bucket) => bucket.startMs >= oldestStart);
}

/** Adds a sample; samples older than the window are dropped, late ones land in their bucket. */
export function recordSpread(window: SpreadWindow, nowMs: number, sampleBps: number): SpreadWindow {
  if (!Number.isFinite(sampleBps) || sampleBps < 0) return window;
  const newest = window.buckets[window.buckets.length - 1];
  const horizonMs = Math.max(nowMs, newest?.startMs ?? nowMs);
  const buckets = liveBuckets(window, horizonMs);
  const start = bucketStart(nowMs);
  if (start < bucketStart(horizonMs) - (spreadBucketCountMax - 1) * spreadBucketMs) {
    return { buckets };
  }
  const at = buckets.findIndex((bucket) => bucket.startMs >= start);
  const existing = at >= 0 ? buckets[at] : undefined;
  if (existing !== undefined && existing.startMs === start) {
    buckets[at] = {
      startMs: start,
      sumBps: existing.sumBps + sampleBps,
      count: existing.count + 1,
    };
  } else {
    const fresh = { startMs: start, sumBps: sampleBps, count: 1 };
    if (at >= 0) buckets.splice(at, 0, fresh);
    else buckets.push(fresh);
  }
  return { buckets };
}

export interface SpreadMean {
  readonly meanBps: number | null;
  readonly sampleCount: number;
}

/** The mean over the last hour at `nowMs`; null below spreadMeanSampleMin samples. */
export function spreadMean(window: SpreadWindow, nowMs: number): SpreadMean {
  let total = 0;
  let count = 0;
  for (const bucket of liveBuckets(window, nowMs)) {
    if (bucket.startMs > nowMs) continue;
    total += bucket.sumBps;
    count += bucket.count;
  }
  return { meanBps: count >= spreadMeanSampleMin ? total / count : null, sampleCount: count };
}

// ---- Slippage estimate ---------------------------------------------------------------------

export interface SlippageEstimate {
  /** side × (VWAP − mid) / mid × 1e4; null without a mid or any level. */
  readonly bps: number | null;
  readonly vwap: Decimal | null;
  /** True when the visible levels hold less than the size; the rest is priced at the last one. */
  readonly depthExhausted: boolean;
  readonly visibleQty: Decimal;
}

/** Walks the levels the order would take (BUY: asks), best first, to a VWAP for `qty`. */
export function estimateSlippage(
  side: Side,
  levels: readonly BookLevel[],
  qty: Decimal,
  mid: Decimal,
): SlippageEstimate {
  let remaining = qty;
  let quote = zero;
  let visibleQty = zero;
  let lastPrice: Decimal | null = null;
  for (const level of levels) {
    if (!isPositive(remaining)) break;
    if (!isPositive(level.qty) || !isPositive(level.price)) continue;
    const taken = min(level.qty, remaining);
    quote = add(quote, mul(taken, level.price));
    remaining = sub(remaining, taken);
    visibleQty = add(visibleQty, level.qty);
    lastPrice = level.price;
  }
  if (lastPrice === null || !isPositive(qty)) {
    return { bps: null, vwap: null, depthExhausted: isPositive(qty), visibleQty };
  }
  const depthExhausted = isPositive(remaining);
  if (depthExhausted) quote = add(quote, mul(remaining, lastPrice));
  const vwap = div(quote, qty, statisticScale, "half_up");
  return { bps: slippageBps(side, vwap, mid), vwap, depthExhausted, visibleQty };
}

// ---- Decision ------------------------------------------------------------------------------

/** The spread counts as wide when above this multiple of its one-hour mean. */
export const spreadMeanMultiple = 2;
/** A spread at or below this is never "wide" by the mean rule: a one-tick book doubling to two
 *  ticks on BTC is noise, not a liquidity event. The table's absolute limit still applies. */
export const spreadMeanRuleFloorBps = 1;

export interface ProbeLimits {
  readonly spreadLimitBps: number;
  readonly slippageLimitBps: number;
  readonly spreadDelayMs: number;
  readonly spreadRetryMax: number;
}

export interface ProbeInput {
  readonly side: Side;
  readonly qtySteps: bigint;
  readonly step: Decimal;
  readonly tick: Decimal;
  /** The smallest valid slice (minimumTradableSteps at the touch). */
  readonly minSliceSteps: bigint;
  /** The finest split the caller allows (S4_TWAP_MAX_SLICES). */
  readonly sliceCountMax: number;
  readonly bid: Decimal;
  readonly ask: Decimal;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** The one-hour mean before this sample (see spreadMean). */
  readonly spreadMeanBps: number | null;
  readonly limits: ProbeLimits;
  /** How many times this send has already been delayed for the spread. */
  readonly spreadDelaysSoFar: number;
}

export type ProbeDecision =
  | { readonly action: "proceed" }
  | { readonly action: "delay"; readonly delayMs: number }
  | { readonly action: "split"; readonly sliceCount: number }
  /** A limit at the worst price slip_bp_max allows from the mid. */
  | { readonly action: "switch_to_limit"; readonly limitPrice: Decimal };

export type ProbeReason =
  | "within_limits"
  | "book_invalid"
  | "book_invalid_retries_exhausted"
  | "spread_above_mean"
  | "spread_above_limit"
  | "spread_retries_exhausted"
  | "slippage_above_limit";

export interface ProbeInputs {
  readonly spreadBps: number | null;
  readonly spreadMeanBps: number | null;
  readonly spreadLimitBps: number;
  readonly slippageBps: number | null;
  readonly slippageLimitBps: number;
  readonly depthExhausted: boolean;
  readonly spreadDelaysSoFar: number;
  readonly spreadRetryMax: number;
}

export interface ProbeResult {
  readonly decision: ProbeDecision;
  readonly reason: ProbeReason;
  readonly inputs: ProbeInputs;
}

/** Rules in precedence order: a book we cannot read, a wide spread, then excessive slippage. */
export function probeLiquidity(input: ProbeInput): ProbeResult {
  const { limits } = input;
  const spread = spreadBps(input.bid, input.ask);
  const mid = spread === null ? null : midPrice(input.bid, input.ask);
  const levels = input.side === "BUY" ? input.asks : input.bids;
  const qty = fromSteps(input.qtySteps, input.step);
  const estimate = mid === null ? null : estimateSlippage(input.side, levels, qty, mid);
  const inputs: ProbeInputs = {
    spreadBps: spread,
    spreadMeanBps: input.spreadMeanBps,
    spreadLimitBps: limits.spreadLimitBps,
    slippageBps: estimate?.bps ?? null,
    slippageLimitBps: limits.slippageLimitBps,
    depthExhausted: estimate?.depthExhausted ?? true,
    spreadDelaysSoFar: input.spreadDelaysSoFar,
    spreadRetryMax: limits.spreadRetryMax,
  };
  const retriesLeft = input.spreadDelaysSoFar < limits.spreadRetryMax;
  const delay: ProbeDecision = { action: "delay", delayMs: limits.spreadDelayMs };
  if (spread === null || mid === null || estimate === null || estimate.bps === null) {
    if (retriesLeft) return { decision: delay, reason: "book_invalid", inputs };
    return { decision: { action: "proceed" }, reason: "book_invalid_retries_exhausted", inputs };
  }
  const wide = spreadWideReason(spread, input.spreadMeanBps, limits.spreadLimitBps);
  if (wide !== null) {
    if (retriesLeft) return { decision: delay, reason: wide, inputs };
    return {
      decision: finerOrLimit(input, mid, levels, 2),
      reason: "spread_retries_exhausted",
      inputs,
    };
  }
  if (estimate.bps > limits.slippageLimitBps) {
    return {
      decision: finerOrLimit(input, mid, levels, 2),
      reason: "slippage_above_limit",
      inputs,
    };
  }
  return { decision: { action: "proceed" }, reason: "within_limits", inputs };
}

function spreadWideReason(
  spread: number,
  meanBps: number | null,
  limitBps: number,
): "spread_above_limit" | "spread_above_mean" | null {
  if (spread > limitBps) return "spread_above_limit";
  if (
    meanBps !== null &&
    spread > spreadMeanRuleFloorBps &&
    spread > spreadMeanMultiple * meanBps
  ) {
    return "spread_above_mean";
  }
  return null;
}

/**
 * The coarsest split (from `fewest` slices up) whose slice stays within slip_bp_max, when the
 * order can be cut into that many valid slices; otherwise a limit at the slippage cap.
 */
function finerOrLimit(
  input: ProbeInput,
  mid: Decimal,
  levels: readonly BookLevel[],
  fewest: number,
): ProbeDecision {
  const bySize = input.qtySteps / input.minSliceSteps;
  const countMax = Math.min(input.sliceCountMax, Number(bySize < 1_000n ? bySize : 1_000n));
  for (let count = fewest; count <= countMax; count += 1) {
    const sliceQty = fromSteps(input.qtySteps / BigInt(count), input.step);
    const estimate = estimateSlippage(input.side, levels, sliceQty, mid);
    if (estimate.bps !== null && estimate.bps <= input.limits.slippageLimitBps) {
      return { action: "split", sliceCount: count };
    }
  }
  return { action: "switch_to_limit", limitPrice: slippageCapPrice(input, mid) };
}

/** BUY: mid × (1 + L/1e4) rounded down to tick; SELL: mid × (1 − L/1e4) rounded up. */
export function slippageCapPrice(
  input: Pick<ProbeInput, "side" | "tick" | "limits">,
  mid: Decimal,
): Decimal {
  const limit = div(dec(input.limits.slippageLimitBps.toFixed(4)), tenThousand, 8, "floor");
  const one: Decimal = { units: 1n, scale: 0 };
  const factor = input.side === "BUY" ? add(one, limit) : sub(one, limit);
  const raw = mul(mid, factor);
  const price = input.side === "BUY" ? floorToStep(raw, input.tick) : ceilToStep(raw, input.tick);
  return isPositive(price) ? price : input.tick;
}
