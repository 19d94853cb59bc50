// The circuit breaker: its transition table, tripping on a windowed error rate (never below the
// sample minimum, never at or under the threshold), the cool-down and probes, the order freeze,
// and the rule that only new positions are ever refused. Time is an argument throughout.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  admitBreaker,
  advanceBreaker,
  type BreakerConfig,
  type BreakerSignal,
  type BreakerState,
  type BreakerStatus,
  breakerAllows,
  breakerTransition,
  type CallOutcome,
  checkBreakerConfig,
  defaultBreakerConfig,
  initialBreakerState,
  type RiskIntentKind,
  recordCall,
  recordOrderResult,
  windowStats,
} from "../../../../domain/risk/index.ts";

const config: BreakerConfig = defaultBreakerConfig;
const t0 = 1_700_000_000_000;

function calls(state: BreakerState, atMs: number, outcomes: CallOutcome[]): BreakerState {
  return outcomes.reduce(
    (current, outcome) => recordCall(current, config, atMs, outcome).state,
    state,
  );
}

const ok = (count: number): CallOutcome[] => Array.from({ length: count }, () => "SUCCESS");
const errors = (count: number): CallOutcome[] =>
  Array.from({ length: count }, () => "SERVER_ERROR");

function opened(): BreakerState {
  const state = calls(initialBreakerState, t0, [...ok(7), ...errors(3)]);
  expect(state.status).toBe("OPEN");
  return state;
}

describe("the transition table", () => {
  const rows: [BreakerStatus, BreakerSignal, BreakerStatus | null][] = [
    ["CLOSED", "ERROR_RATE_EXCEEDED", "OPEN"],
    ["OPEN", "COOL_DOWN_ELAPSED", "HALF_OPEN"],
    ["HALF_OPEN", "PROBE_FAILED", "OPEN"],
    ["HALF_OPEN", "PROBES_PASSED", "CLOSED"],
    ["CLOSED", "COOL_DOWN_ELAPSED", null],
    ["OPEN", "PROBES_PASSED", null],
    ["OPEN", "ERROR_RATE_EXCEEDED", null],
  ];
  for (const [from, signal, to] of rows) {
    test(`${from} × ${signal} → ${to ?? "illegal"}`, () => {
      expect(breakerTransition(from, signal)).toBe(to);
    });
  }
});

describe("tripping", () => {
  test("opens when the rate is above the threshold with enough samples", () => {
    const change = recordCall(
      calls(initialBreakerState, t0, [...ok(7), ...errors(2)]),
      config,
      t0,
      "TIMEOUT",
    );
    expect(change.transitions).toEqual([{ from: "CLOSED", to: "OPEN" }]);
    expect(change.state.openedAtMs).toBe(t0);
  });

  test("a rate exactly at the threshold does not open", () => {
    expect(calls(initialBreakerState, t0, [...ok(8), ...errors(2)]).status).toBe("CLOSED");
  });

  test("below the sample minimum even all errors do not open", () => {
    expect(calls(initialBreakerState, t0, errors(9)).status).toBe("CLOSED");
  });

  test("429s and timeouts count; client errors do not", () => {
    const limited = calls(initialBreakerState, t0, [
      ...ok(7),
      "RATE_LIMITED",
      "TIMEOUT",
      "RATE_LIMITED",
    ]);
    expect(limited.status).toBe("OPEN");
    const rejected = calls(
      initialBreakerState,
      t0,
      Array.from({ length: 20 }, () => "CLIENT_ERROR"),
    );
    expect(rejected.status).toBe("CLOSED");
  });

  test("errors older than the window are forgotten", () => {
    const early = calls(initialBreakerState, t0, [...ok(5), ...errors(2)]);
    const later = calls(early, t0 + 61_000, [...ok(2), "SERVER_ERROR"]);
    expect(windowStats(later, config, t0 + 61_000)).toEqual({
      calls: 3,
      errors: 1,
      errorRate: 1 / 3,
    });
    expect(later.status).toBe("CLOSED");
  });
});

describe("open, half-open, closed", () => {
  test("open refuses only new positions, with the time left as Retry-After", () => {
    const state = opened();
    expect(breakerAllows(state, config, "new_position", t0 + 10_000)).toEqual({
      allowed: false,
      code: "CIRCUIT_OPEN",
      retryAfterMs: 20_000,
    });
    for (const kind of ["exit", "reduce_only", "cancel"] as RiskIntentKind[]) {
      expect(breakerAllows(state, config, kind, t0 + 10_000)).toEqual({
        allowed: true,
        probe: false,
      });
    }
  });

  test("after the cool-down a limited number of new positions probe", () => {
    let state = opened();
    const decisions = [];
    for (let index = 0; index < config.halfOpenProbeCount + 1; index += 1) {
      const admitted = admitBreaker(state, config, "new_position", t0 + 30_000);
      state = admitted.state;
      decisions.push(admitted.decision.allowed);
    }
    expect(state.status).toBe("HALF_OPEN");
    expect(decisions).toEqual([true, true, true, false]);
  });

  test("enough good probes close it with a clean window", () => {
    const half = advanceBreaker(opened(), config, t0 + 30_000);
    const closing = calls(half, t0 + 30_001, ok(config.halfOpenProbeCount));
    expect(closing.status).toBe("CLOSED");
    expect(windowStats(closing, config, t0 + 30_001).calls).toBe(0);
  });

  test("one failed probe reopens and restarts the cool-down", () => {
    const change = recordCall(opened(), config, t0 + 40_000, "SERVER_ERROR");
    expect(change.transitions).toEqual([
      { from: "OPEN", to: "HALF_OPEN" },
      { from: "HALF_OPEN", to: "OPEN" },
    ]);
    expect(change.state.openedAtMs).toBe(t0 + 40_000);
  });

  test("probes admitted but never called do not wedge it", () => {
    let state = advanceBreaker(opened(), config, t0 + 30_000);
    for (let index = 0; index < config.halfOpenProbeCount; index += 1) {
      state = admitBreaker(state, config, "new_position", t0 + 30_000).state;
    }
    expect(breakerAllows(state, config, "new_position", t0 + 30_001).allowed).toBe(false);
    expect(breakerAllows(state, config, "new_position", t0 + 60_000).allowed).toBe(true);
  });
});

describe("consecutive failed /orders", () => {
  test("the third freezes new positions once; exits still pass", () => {
    let state = initialBreakerState;
    const froze: boolean[] = [];
    for (let index = 0; index < 4; index += 1) {
      const change = recordOrderResult(state, config, t0 + index, false);
      state = change.state;
      froze.push(change.frozeNow);
    }
    expect(froze).toEqual([false, false, true, false]);
    expect(breakerAllows(state, config, "new_position", t0 + 10)).toEqual({
      allowed: false,
      code: "ORDERS_FROZEN",
      retryAfterMs: 60_000 - 8,
    });
    expect(breakerAllows(state, config, "exit", t0 + 10).allowed).toBe(true);
  });

  test("a success lifts the freeze; so does time", () => {
    let state = initialBreakerState;
    for (let index = 0; index < 3; index += 1) {
      state = recordOrderResult(state, config, t0, false).state;
    }
    const lifted = recordOrderResult(state, config, t0 + 1, true).state;
    expect(breakerAllows(lifted, config, "new_position", t0 + 1).allowed).toBe(true);
    expect(breakerAllows(state, config, "new_position", t0 + 60_000).allowed).toBe(true);
  });

  test("a success in between resets the count", () => {
    let state = initialBreakerState;
    for (const succeeded of [false, false, true, false, false]) {
      state = recordOrderResult(state, config, t0, succeeded).state;
    }
    expect(state.frozenUntilMs).toBeNull();
    expect(state.consecutiveOrderFailures).toBe(2);
  });
});

describe("configuration", () => {
  const broken: [string, Partial<BreakerConfig>][] = [
    ["a zero window", { windowMs: 0 }],
    ["too many buckets", { bucketCount: 601 }],
    ["a threshold of 1", { errorRateThreshold: 1 }],
    ["no probes", { halfOpenProbeCount: 0 }],
  ];
  for (const [name, overrides] of broken) {
    test(`${name} is refused`, () => {
      expect(() => checkBreakerConfig({ ...config, ...overrides })).toThrow();
    });
  }
  test("the default is valid", () => expect(() => checkBreakerConfig(config)).not.toThrow());
});

describe("properties", () => {
  const outcome = fc.constantFrom<CallOutcome>(
    "SUCCESS",
    "SUCCESS",
    "CLIENT_ERROR",
    "SERVER_ERROR",
    "RATE_LIMITED",
    "TIMEOUT",
  );
  const history = fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), outcome), {
    maxLength: 300,
  });

  test("window counts match a brute-force count; memory stays bounded", () => {
    fc.assert(
      fc.property(history, (steps) => {
        let state = initialBreakerState;
        let now = t0;
        const seen: [number, boolean][] = [];
        for (const [gapMs, result] of steps) {
          now += gapMs;
          const change = recordCall(state, config, now, result);
          const isError =
            result === "SERVER_ERROR" || result === "RATE_LIMITED" || result === "TIMEOUT";
          // A close wipes the window; what the brute force counts restarts with it.
          if (change.transitions.some((transition) => transition.to === "CLOSED")) seen.length = 0;
          else seen.push([now, isError]);
          state = change.state;
          const bucket = Math.ceil(config.windowMs / config.bucketCount);
          const first = (Math.floor(now / bucket) - config.bucketCount + 1) * bucket;
          const live = seen.filter(([at]) => at >= first);
          const stats = windowStats(state, config, now);
          expect(stats.calls).toBe(live.length);
          expect(stats.errors).toBe(live.filter(([, error]) => error).length);
          expect(state.buckets.length).toBeLessThanOrEqual(config.bucketCount);
        }
      }),
    );
  });

  test("it opens from CLOSED only with enough samples above the threshold", () => {
    fc.assert(
      fc.property(history, (steps) => {
        let state = initialBreakerState;
        let now = t0;
        for (const [gapMs, result] of steps) {
          now += gapMs;
          const change = recordCall(state, config, now, result);
          if (change.transitions.some((move) => move.from === "CLOSED" && move.to === "OPEN")) {
            const stats = windowStats(change.state, config, now);
            expect(stats.calls).toBeGreaterThanOrEqual(config.sampleMin);
            expect(stats.errorRate).toBeGreaterThan(config.errorRateThreshold);
          }
          state = change.state;
        }
      }),
    );
  });

  test("exits, reduce-only orders and cancels are never refused", () => {
    fc.assert(
      fc.property(
        history,
        fc.array(fc.boolean(), { maxLength: 10 }),
        fc.constantFrom<RiskIntentKind>("exit", "reduce_only", "cancel"),
        (steps, orderResults, kind) => {
          let state = initialBreakerState;
          let now = t0;
          for (const [gapMs, result] of steps) {
            now += gapMs;
            state = recordCall(state, config, now, result).state;
          }
          for (const succeeded of orderResults)
            state = recordOrderResult(state, config, now, succeeded).state;
          expect(breakerAllows(state, config, kind, now)).toEqual({ allowed: true, probe: false });
        },
      ),
    );
  });
});
