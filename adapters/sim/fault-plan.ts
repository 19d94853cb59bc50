// The simulator's fault plan, shared by both faces: what can go wrong between a client and the
// venue, drawn from a seeded generator so a failing run replays exactly. The in-process gateway
// applies request outcomes and event duplication/reordering/drops; the server face adds latency,
// HTTP status codes and WebSocket disconnects.

import { SeededRng } from "../clock/seeded-rng.ts";

export type LatencyDistribution =
  | { readonly kind: "NONE" }
  | { readonly kind: "FIXED"; readonly ms: number }
  | { readonly kind: "UNIFORM"; readonly minMs: number; readonly maxMs: number }
  /** Log-normal fitted to a median and a 99th percentile. */
  | { readonly kind: "LOG_NORMAL"; readonly medianMs: number; readonly p99Ms: number };

export type RequestFault =
  /** A definite failure before the venue acted (HTTP 5xx "Service Unavailable."). */
  | "UNAVAILABLE"
  /** HTTP 429 with Retry-After; nothing executed. */
  | "RATE_LIMITED"
  /** HTTP 418: every request fails until the ban ends; nothing executed. */
  | "BANNED"
  /** The request never reached the venue, but the client cannot know: outcome unknown. */
  | "TIMEOUT_BEFORE_ARRIVAL"
  /** The venue executed the request; the answer was lost. */
  | "TIMEOUT_AFTER_EXECUTION"
  /** HTTP 503 "Unknown error, ..." although the request executed. */
  | "UNKNOWN_AFTER_EXECUTION";

export const requestFaults: readonly RequestFault[] = [
  "UNAVAILABLE",
  "RATE_LIMITED",
  "BANNED",
  "TIMEOUT_BEFORE_ARRIVAL",
  "TIMEOUT_AFTER_EXECUTION",
  "UNKNOWN_AFTER_EXECUTION",
];

export type RequestKind = "PLACE" | "CANCEL" | "QUERY" | "ACCOUNT" | "MARKET_DATA";

export interface ScriptedFault {
  /** The next request of this kind (or any kind) gets the fault. */
  readonly kind: RequestKind | "ANY";
  readonly fault: RequestFault;
}

export interface EventFaults {
  /** Per user-data event: delivered twice. */
  readonly duplicateProbability: number;
  /** Per user-data event: held back and delivered after the next one. */
  readonly reorderProbability: number;
  /** Per user-data event: the stream drops, losing events for dropDurationMs. */
  readonly dropProbability: number;
  readonly dropDurationMs: number;
}

export interface FaultPlan {
  readonly latency: LatencyDistribution;
  /** Probability per request of each fault; they are tried in requestFaults order. */
  readonly probabilities: Readonly<Partial<Record<RequestFault, number>>>;
  /** Request kinds the random faults apply to (scripted faults name their own). */
  readonly appliesTo: readonly RequestKind[];
  readonly retryAfterMs: number;
  readonly banMs: number;
  /** Forced faults, consumed in order before any random draw. */
  readonly script: readonly ScriptedFault[];
  readonly events: EventFaults;
}

export const noFaults: FaultPlan = {
  latency: { kind: "NONE" },
  probabilities: {},
  appliesTo: ["PLACE", "CANCEL", "QUERY", "ACCOUNT", "MARKET_DATA"],
  retryAfterMs: 1_000,
  banMs: 120_000,
  script: [],
  events: { duplicateProbability: 0, reorderProbability: 0, dropProbability: 0, dropDurationMs: 0 },
};

/** Scripted faults queued at most; more is a test bug. */
export const scriptedFaultsMax = 1_000;

export interface RequestDecision {
  readonly fault: RequestFault | null;
  readonly latencyMs: number;
  /** For RATE_LIMITED and BANNED: how long the client must wait. */
  readonly retryAfterMs: number;
}

export type EventDecision = "DELIVER" | "DUPLICATE" | "HOLD" | "DROP_STREAM";

/** 2.326 is the standard normal's 99th percentile. */
const z99 = 2.3263478740408408;

export class FaultDecider {
  private current: FaultPlan;
  private script: ScriptedFault[];
  private readonly rng: SeededRng;
  private bannedUntil = 0;

  constructor(plan: FaultPlan = noFaults, seed = 1) {
    this.current = plan;
    this.script = plan.script.slice(0, scriptedFaultsMax);
    this.rng = new SeededRng(seed);
  }

  plan(): FaultPlan {
    return this.current;
  }

  /** Replaces the plan at run time (its script replaces the queued one). */
  setPlan(plan: FaultPlan): void {
    this.current = plan;
    this.script = plan.script.slice(0, scriptedFaultsMax);
  }

  /** Queues faults for the next matching requests. */
  inject(...faults: readonly ScriptedFault[]): void {
    if (this.script.length + faults.length > scriptedFaultsMax) {
      throw new Error(`Condition failed: more than ${scriptedFaultsMax} scripted faults`);
    }
    this.script.push(...faults);
  }

  bannedUntilMs(nowMs: number): number | null {
    return this.bannedUntil > nowMs ? this.bannedUntil : null;
  }

  decideRequest(kind: RequestKind, nowMs: number): RequestDecision {
    const latencyMs = this.latencyMs();
    if (this.bannedUntil > nowMs) {
      return { fault: "BANNED", latencyMs, retryAfterMs: this.bannedUntil - nowMs };
    }
    const fault = this.takeScripted(kind) ?? this.drawFault(kind);
    if (fault === "BANNED") this.bannedUntil = nowMs + this.current.banMs;
    const retryAfterMs =
      fault === "BANNED"
        ? this.current.banMs
        : fault === "RATE_LIMITED"
          ? this.current.retryAfterMs
          : 0;
    return { fault, latencyMs, retryAfterMs };
  }

  private takeScripted(kind: RequestKind): RequestFault | null {
    const index = this.script.findIndex((entry) => entry.kind === "ANY" || entry.kind === kind);
    if (index < 0) return null;
    const [entry] = this.script.splice(index, 1);
    return entry?.fault ?? null;
  }

  private drawFault(kind: RequestKind): RequestFault | null {
    if (!this.current.appliesTo.includes(kind)) return null;
    for (const fault of requestFaults) {
      const probability = this.current.probabilities[fault] ?? 0;
      if (probability > 0 && this.rng.nextFloat() < probability) return fault;
    }
    return null;
  }

  latencyMs(): number {
    const latency = this.current.latency;
    switch (latency.kind) {
      case "NONE":
        return 0;
      case "FIXED":
        return latency.ms;
      case "UNIFORM":
        return latency.minMs + this.rng.nextFloat() * (latency.maxMs - latency.minMs);
      case "LOG_NORMAL": {
        const sigma = Math.log(latency.p99Ms / latency.medianMs) / z99;
        return latency.medianMs * Math.exp(sigma * this.rng.nextGaussian());
      }
    }
  }

  decideEvent(): EventDecision {
    const events = this.current.events;
    if (events.dropProbability > 0 && this.rng.nextFloat() < events.dropProbability) {
      return "DROP_STREAM";
    }
    if (events.duplicateProbability > 0 && this.rng.nextFloat() < events.duplicateProbability) {
      return "DUPLICATE";
    }
    if (events.reorderProbability > 0 && this.rng.nextFloat() < events.reorderProbability) {
      return "HOLD";
    }
    return "DELIVER";
  }
}
