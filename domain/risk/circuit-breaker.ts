// The exchange circuit breaker (DESIGN §6): one transition table CLOSED → OPEN → HALF_OPEN →
// CLOSED | OPEN over a windowed error rate in bounded buckets, plus the separate "consecutive
// failed /orders" freeze. Only new positions are ever refused; exits, reduce-only and cancels pass.

export type BreakerStatus = "CLOSED" | "OPEN" | "HALF_OPEN";

/** How an exchange call ended, as the breaker sees it. Only the last three are errors. */
export type CallOutcome = "SUCCESS" | "CLIENT_ERROR" | "SERVER_ERROR" | "RATE_LIMITED" | "TIMEOUT";

/** What an intent does to exposure; the breaker and the kill switch gate only new positions. */
export type RiskIntentKind = "new_position" | "exit" | "reduce_only" | "cancel";

export type BreakerSignal =
  | "ERROR_RATE_EXCEEDED"
  | "COOL_DOWN_ELAPSED"
  | "PROBE_FAILED"
  | "PROBES_PASSED";

const transitions: Readonly<
  Record<BreakerStatus, Readonly<Partial<Record<BreakerSignal, BreakerStatus>>>>
> = {
  CLOSED: { ERROR_RATE_EXCEEDED: "OPEN" },
  OPEN: { COOL_DOWN_ELAPSED: "HALF_OPEN" },
  // One failed probe reopens (and restarts the cool-down); enough good ones close.
  HALF_OPEN: { PROBE_FAILED: "OPEN", PROBES_PASSED: "CLOSED" },
};

export function breakerTransition(
  status: BreakerStatus,
  signal: BreakerSignal,
): BreakerStatus | null {
  return transitions[status][signal] ?? null;
}

export interface BreakerConfig {
  /** S4_CB_ERROR_RATE_WINDOW. */
  readonly windowMs: number;
  readonly bucketCount: number;
  /** S4_CB_ERROR_RATE_THRESH: opens when the rate is above it. */
  readonly errorRateThreshold: number;
  /** Calls the window must hold before its rate can open the breaker. */
  readonly sampleMin: number;
  readonly coolDownMs: number;
  /** Successful calls in HALF_OPEN that close it; also how many new positions it admits. */
  readonly halfOpenProbeCount: number;
  /** Consecutive failed /orders that freeze new positions. */
  readonly orderFailureFreezeCount: number;
  readonly freezeMs: number;
}

export const breakerBucketCountMax = 600;

export const defaultBreakerConfig: BreakerConfig = {
  windowMs: 60_000,
  bucketCount: 60,
  errorRateThreshold: 0.2,
  sampleMin: 10,
  coolDownMs: 30_000,
  halfOpenProbeCount: 3,
  orderFailureFreezeCount: 3,
  freezeMs: 60_000,
};

export interface BreakerBucket {
  /** ⌊time / bucket length⌋. */
  readonly index: number;
  readonly calls: number;
  readonly errors: number;
}

export interface BreakerState {
  readonly status: BreakerStatus;
  /** Oldest first, at most bucketCount live ones. */
  readonly buckets: readonly BreakerBucket[];
  readonly openedAtMs: number | null;
  readonly halfOpenAtMs: number | null;
  readonly probeAdmissions: number;
  readonly probeSuccesses: number;
  readonly consecutiveOrderFailures: number;
  readonly frozenUntilMs: number | null;
}

export const initialBreakerState: BreakerState = {
  status: "CLOSED",
  buckets: [],
  openedAtMs: null,
  halfOpenAtMs: null,
  probeAdmissions: 0,
  probeSuccesses: 0,
  consecutiveOrderFailures: 0,
  frozenUntilMs: null,
};

export function checkBreakerConfig(config: BreakerConfig): void {
  const positive = (value: number) => Number.isInteger(value) && value >= 1;
  if (!positive(config.windowMs) || !positive(config.bucketCount)) {
    throw new Error("Condition failed: window and bucket count must be positive integers");
  }
  if (config.bucketCount > breakerBucketCountMax || config.bucketCount > config.windowMs) {
    throw new Error("Condition failed: bucket count out of range");
  }
  if (!(config.errorRateThreshold >= 0 && config.errorRateThreshold < 1)) {
    throw new Error("Condition failed: error rate threshold must be in [0, 1)");
  }
  if (!positive(config.sampleMin) || !positive(config.halfOpenProbeCount)) {
    throw new Error("Condition failed: sample minimum and probe count must be positive");
  }
  if (!positive(config.orderFailureFreezeCount)) {
    throw new Error("Condition failed: freeze count must be positive");
  }
  if (!Number.isInteger(config.coolDownMs) || config.coolDownMs < 0) {
    throw new Error("Condition failed: cool-down must be >= 0");
  }
  if (!Number.isInteger(config.freezeMs) || config.freezeMs < 0) {
    throw new Error("Condition failed: freeze must be >= 0");
  }
}

export function isBreakerError(outcome: CallOutcome): boolean {
  return outcome === "SERVER_ERROR" || outcome === "RATE_LIMITED" || outcome === "TIMEOUT";
}

function bucketMs(config: BreakerConfig): number {
  return Math.ceil(config.windowMs / config.bucketCount);
}

function liveBuckets(buckets: readonly BreakerBucket[], config: BreakerConfig, nowMs: number) {
  const current = Math.floor(nowMs / bucketMs(config));
  return buckets.filter((bucket) => bucket.index > current - config.bucketCount);
}

export interface WindowStats {
  readonly calls: number;
  readonly errors: number;
  /** errors / calls; 0 without calls. */
  readonly errorRate: number;
}

export function windowStats(
  state: BreakerState,
  config: BreakerConfig,
  nowMs: number,
): WindowStats {
  let calls = 0;
  let errors = 0;
  for (const bucket of liveBuckets(state.buckets, config, nowMs)) {
    calls += bucket.calls;
    errors += bucket.errors;
  }
  return { calls, errors, errorRate: calls === 0 ? 0 : errors / calls };
}

export interface BreakerTransition {
  readonly from: BreakerStatus;
  readonly to: BreakerStatus;
}

export interface BreakerChange {
  readonly state: BreakerState;
  /** Every status move, in order (OPEN → HALF_OPEN → OPEN is two), to alert, log and export. */
  readonly transitions: readonly BreakerTransition[];
}

/** Applies the passage of time: OPEN cools down to HALF_OPEN; a stale probe round restarts. */
export function advanceBreaker(
  state: BreakerState,
  config: BreakerConfig,
  nowMs: number,
): BreakerState {
  let next = state;
  if (next.frozenUntilMs !== null && nowMs >= next.frozenUntilMs) {
    next = { ...next, frozenUntilMs: null, consecutiveOrderFailures: 0 };
  }
  if (
    next.status === "OPEN" &&
    next.openedAtMs !== null &&
    nowMs >= next.openedAtMs + config.coolDownMs
  ) {
    next = enter(next, "COOL_DOWN_ELAPSED", nowMs);
  }
  // Admitted probes that never produced a call (refused upstream, say) must not wedge HALF_OPEN.
  const halfOpenAt = next.halfOpenAtMs;
  if (
    next.status === "HALF_OPEN" &&
    halfOpenAt !== null &&
    next.probeAdmissions >= config.halfOpenProbeCount &&
    nowMs >= halfOpenAt + config.coolDownMs
  ) {
    next = { ...next, halfOpenAtMs: nowMs, probeAdmissions: 0, probeSuccesses: 0 };
  }
  return next;
}

/** Records one exchange call's outcome and applies what it implies. */
export function recordCall(
  state: BreakerState,
  config: BreakerConfig,
  nowMs: number,
  outcome: CallOutcome,
): BreakerChange {
  const before = advanceBreaker(state, config, nowMs);
  const error = isBreakerError(outcome);
  const counted = { ...before, buckets: addToWindow(before.buckets, config, nowMs, error) };
  const after = applyCall(counted, config, nowMs, error);
  const transitions: BreakerTransition[] = [];
  if (before.status !== state.status) transitions.push({ from: state.status, to: before.status });
  if (after.status !== before.status) transitions.push({ from: before.status, to: after.status });
  return { state: after, transitions };
}

function applyCall(state: BreakerState, config: BreakerConfig, nowMs: number, error: boolean) {
  if (state.status === "CLOSED") {
    const stats = windowStats(state, config, nowMs);
    const tripped = stats.calls >= config.sampleMin && stats.errorRate > config.errorRateThreshold;
    return tripped ? enter(state, "ERROR_RATE_EXCEEDED", nowMs) : state;
  }
  if (state.status === "HALF_OPEN") {
    if (error) return enter(state, "PROBE_FAILED", nowMs);
    const probeSuccesses = state.probeSuccesses + 1;
    if (probeSuccesses >= config.halfOpenProbeCount) return enter(state, "PROBES_PASSED", nowMs);
    return { ...state, probeSuccesses };
  }
  return state;
}

function enter(state: BreakerState, signal: BreakerSignal, nowMs: number): BreakerState {
  const status = breakerTransition(state.status, signal);
  if (status === null) throw new Error(`Condition failed: ${signal} is illegal in ${state.status}`);
  const probesReset = { ...state, status, probeAdmissions: 0, probeSuccesses: 0 };
  if (status === "OPEN") return { ...probesReset, openedAtMs: nowMs, halfOpenAtMs: null };
  if (status === "HALF_OPEN") return { ...probesReset, halfOpenAtMs: nowMs };
  // Closing starts a clean window: the errors that opened it are history.
  return { ...probesReset, buckets: [], openedAtMs: null, halfOpenAtMs: null };
}

function addToWindow(
  buckets: readonly BreakerBucket[],
  config: BreakerConfig,
  nowMs: number,
  error: boolean,
): BreakerBucket[] {
  const newest = buckets[buckets.length - 1];
  const index = Math.floor(nowMs / bucketMs(config));
  const horizonMs = Math.max(nowMs, newest === undefined ? nowMs : newest.index * bucketMs(config));
  const live = liveBuckets(buckets, config, horizonMs);
  if (index <= Math.floor(horizonMs / bucketMs(config)) - config.bucketCount) return live;
  const at = live.findIndex((bucket) => bucket.index >= index);
  const existing = at >= 0 ? live[at] : undefined;
  const errors = error ? 1 : 0;
  if (existing !== undefined && existing.index === index) {
    live[at] = { index, calls: existing.calls + 1, errors: existing.errors + errors };
  } else if (at >= 0) {
    live.splice(at, 0, { index, calls: 1, errors });
  } else {
    live.push({ index, calls: 1, errors });
  }
  return live;
}

export type BreakerDecision =
  | { readonly allowed: true; readonly probe: boolean }
  | {
      readonly allowed: false;
      readonly code: "CIRCUIT_OPEN" | "ORDERS_FROZEN";
      /** When asking again may succeed; for the Retry-After header. */
      readonly retryAfterMs: number;
    };

/** Whether an intent of this kind may go to the exchange now. A query: nothing is reserved. */
export function breakerAllows(
  state: BreakerState,
  config: BreakerConfig,
  kind: RiskIntentKind,
  nowMs: number,
): BreakerDecision {
  return admitBreaker(state, config, kind, nowMs).decision;
}

/** Like breakerAllows, but a HALF_OPEN admission takes one of the probe slots. */
export function admitBreaker(
  state: BreakerState,
  config: BreakerConfig,
  kind: RiskIntentKind,
  nowMs: number,
): { readonly decision: BreakerDecision; readonly state: BreakerState } {
  const current = advanceBreaker(state, config, nowMs);
  if (kind !== "new_position") return { decision: { allowed: true, probe: false }, state: current };
  if (current.frozenUntilMs !== null) {
    const retryAfterMs = current.frozenUntilMs - nowMs;
    return { decision: { allowed: false, code: "ORDERS_FROZEN", retryAfterMs }, state: current };
  }
  if (current.status === "CLOSED")
    return { decision: { allowed: true, probe: false }, state: current };
  if (current.status === "HALF_OPEN" && current.probeAdmissions < config.halfOpenProbeCount) {
    const next = { ...current, probeAdmissions: current.probeAdmissions + 1 };
    return { decision: { allowed: true, probe: true }, state: next };
  }
  const retryAfterMs =
    current.status === "OPEN" && current.openedAtMs !== null
      ? Math.max(0, current.openedAtMs + config.coolDownMs - nowMs)
      : config.coolDownMs;
  return { decision: { allowed: false, code: "CIRCUIT_OPEN", retryAfterMs }, state: current };
}

export interface OrderResultChange {
  readonly state: BreakerState;
  /** True on the failure that froze new positions: raise the ERROR alert once. */
  readonly frozeNow: boolean;
}

/**
 * Counts /orders outcomes that failed at the exchange (not validation refusals). The N-th failure
 * in a row freezes new positions for freezeMs; any success resets the count and lifts the freeze.
 */
export function recordOrderResult(
  state: BreakerState,
  config: BreakerConfig,
  nowMs: number,
  succeeded: boolean,
): OrderResultChange {
  const current = advanceBreaker(state, config, nowMs);
  if (succeeded) {
    return {
      state: { ...current, consecutiveOrderFailures: 0, frozenUntilMs: null },
      frozeNow: false,
    };
  }
  const failures = current.consecutiveOrderFailures + 1;
  const freezes = failures >= config.orderFailureFreezeCount && current.frozenUntilMs === null;
  const frozenUntilMs = freezes ? nowMs + config.freezeMs : current.frozenUntilMs;
  return {
    state: { ...current, consecutiveOrderFailures: failures, frozenUntilMs },
    frozeNow: freezes,
  };
}
