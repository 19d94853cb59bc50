// Composition helper for the embedded simulator: engine + optional SQLite state + in-process
// gateway. A file that already holds a venue resumes it (its seed and scenario win).

import type { Clock } from "../../ports/clock.ts";
import {
  type ScenarioName,
  type ScenarioParams,
  SimEngine,
  type SimStateDelta,
} from "./engine/index.ts";
import { FaultDecider, type FaultPlan, noFaults } from "./fault-plan.ts";
import { SimExchangeGateway } from "./sim-exchange-gateway.ts";
import { SimStateStore } from "./sim-state-store.ts";

/** How often a venue whose market moved but whose accounts did not is written. */
export const marketOnlyWriteEveryMs = 1_000;

export interface SimVenueOptions {
  readonly clock: Clock;
  readonly seed: number;
  readonly scenario: ScenarioName | ScenarioParams;
  /** SQLite file for the venue's state; null keeps it in memory only. */
  readonly dbPath: string | null;
  readonly faultPlan?: FaultPlan;
}

export interface SimVenue {
  readonly engine: SimEngine;
  readonly gateway: SimExchangeGateway;
  readonly store: SimStateStore | null;
  /** True when the state came from the file. */
  readonly resumed: boolean;
  close(): void;
}

export function openSimVenue(options: SimVenueOptions): SimVenue {
  const store = options.dbPath === null ? null : new SimStateStore(options.dbPath);
  const saved = store?.load() ?? null;
  const engine = new SimEngine(
    { seed: options.seed, scenario: options.scenario, startMs: options.clock.nowMs() },
    saved,
  );
  let deferred: SimStateDelta | null = null;
  let lastWriteMs = Number.NEGATIVE_INFINITY;
  if (store !== null) {
    if (saved === null) store.saveAll(engine.fullDelta());
    engine.setStateSink((delta) => {
      // A market-only move (the path stepping) is written at most once per interval; anything
      // an account holder can see is written before the call's events go out.
      const nowMs = options.clock.nowMs();
      if (delta.marketOnly && nowMs - lastWriteMs < marketOnlyWriteEveryMs) {
        deferred = delta;
        return;
      }
      store.apply(delta);
      deferred = null;
      lastWriteMs = nowMs;
    });
  }
  const faults = new FaultDecider(options.faultPlan ?? noFaults, options.seed);
  const gateway = new SimExchangeGateway({ engine, clock: options.clock, faults });
  return {
    engine,
    gateway,
    store,
    resumed: saved !== null,
    close: () => {
      engine.setStateSink(null);
      if (deferred !== null) store?.apply(deferred);
      store?.close();
    },
  };
}
