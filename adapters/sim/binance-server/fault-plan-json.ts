// Fault plans as JSON (the --fault-plan flag and POST /__admin/fault-plan): a partial plan is
// laid over the no-fault plan, and every field is checked, so a typo is an error, not a no-op.

import {
  type EventFaults,
  type FaultPlan,
  type LatencyDistribution,
  noFaults,
  type RequestFault,
  type RequestKind,
  requestFaults,
  type ScriptedFault,
  scriptedFaultsMax,
} from "../fault-plan.ts";

export type FaultPlanParse =
  | { readonly ok: true; readonly plan: FaultPlan }
  | { readonly ok: false; readonly error: string };

const requestKinds: readonly RequestKind[] = ["PLACE", "CANCEL", "QUERY", "ACCOUNT", "MARKET_DATA"];
const planKeys = new Set([
  "latency",
  "probabilities",
  "appliesTo",
  "retryAfterMs",
  "banMs",
  "script",
  "events",
]);

class PlanError extends Error {}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PlanError(`${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

function nonNegative(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new PlanError(`${what} must be a number >= 0`);
  }
  return value;
}

function probability(value: unknown, what: string): number {
  const number = nonNegative(value, what);
  if (number > 1) throw new PlanError(`${what} must be at most 1`);
  return number;
}

function latency(value: unknown): LatencyDistribution {
  const spec = object(value, "latency");
  switch (spec["kind"]) {
    case "NONE":
      return { kind: "NONE" };
    case "FIXED":
      return { kind: "FIXED", ms: nonNegative(spec["ms"], "latency.ms") };
    case "UNIFORM":
      return {
        kind: "UNIFORM",
        minMs: nonNegative(spec["minMs"], "latency.minMs"),
        maxMs: nonNegative(spec["maxMs"], "latency.maxMs"),
      };
    case "LOG_NORMAL":
      return {
        kind: "LOG_NORMAL",
        medianMs: nonNegative(spec["medianMs"], "latency.medianMs"),
        p99Ms: nonNegative(spec["p99Ms"], "latency.p99Ms"),
      };
    default:
      throw new PlanError("latency.kind must be NONE, FIXED, UNIFORM or LOG_NORMAL");
  }
}

function fault(value: unknown, what: string): RequestFault {
  if (!(requestFaults as readonly unknown[]).includes(value)) {
    throw new PlanError(`${what} must be one of ${requestFaults.join(", ")}`);
  }
  return value as RequestFault;
}

function kind(value: unknown, what: string): RequestKind | "ANY" {
  if (value !== "ANY" && !(requestKinds as readonly unknown[]).includes(value)) {
    throw new PlanError(`${what} must be ANY or one of ${requestKinds.join(", ")}`);
  }
  return value as RequestKind | "ANY";
}

export function scriptedFaults(value: unknown): ScriptedFault[] {
  if (!Array.isArray(value)) throw new PlanError("script must be an array");
  if (value.length > scriptedFaultsMax) throw new PlanError("script is too long");
  return value.map((entry, index) => {
    const item = object(entry, `script[${index}]`);
    return {
      kind: kind(item["kind"] ?? "ANY", `script[${index}].kind`),
      fault: fault(item["fault"], `script[${index}].fault`),
    };
  });
}

function probabilities(value: unknown): Partial<Record<RequestFault, number>> {
  const spec = object(value, "probabilities");
  const result: Partial<Record<RequestFault, number>> = {};
  for (const [name, chance] of Object.entries(spec)) {
    result[fault(name, "probabilities key")] = probability(chance, `probabilities.${name}`);
  }
  return result;
}

function events(value: unknown): EventFaults {
  const spec = object(value, "events");
  const read = (name: keyof EventFaults, check: typeof probability) =>
    spec[name] === undefined ? noFaults.events[name] : check(spec[name], `events.${name}`);
  return {
    duplicateProbability: read("duplicateProbability", probability),
    reorderProbability: read("reorderProbability", probability),
    dropProbability: read("dropProbability", probability),
    dropDurationMs: read("dropDurationMs", nonNegative),
  };
}

function build(spec: Record<string, unknown>): FaultPlan {
  for (const key of Object.keys(spec)) {
    if (!planKeys.has(key)) throw new PlanError(`unknown fault plan field ${key}`);
  }
  const appliesTo =
    spec["appliesTo"] === undefined
      ? noFaults.appliesTo
      : (spec["appliesTo"] as unknown[]).map((entry, i) => {
          const value = kind(entry, `appliesTo[${i}]`);
          if (value === "ANY") throw new PlanError("appliesTo lists request kinds, not ANY");
          return value;
        });
  return {
    latency: spec["latency"] === undefined ? noFaults.latency : latency(spec["latency"]),
    probabilities: spec["probabilities"] === undefined ? {} : probabilities(spec["probabilities"]),
    appliesTo,
    retryAfterMs:
      spec["retryAfterMs"] === undefined
        ? noFaults.retryAfterMs
        : nonNegative(spec["retryAfterMs"], "retryAfterMs"),
    banMs: spec["banMs"] === undefined ? noFaults.banMs : nonNegative(spec["banMs"], "banMs"),
    script: spec["script"] === undefined ? [] : scriptedFaults(spec["script"]),
    events: spec["events"] === undefined ? noFaults.events : events(spec["events"]),
  };
}

/** A plan from parsed JSON; fields left out take the no-fault values. */
export function faultPlanFrom(value: unknown): FaultPlanParse {
  try {
    return { ok: true, plan: build(object(value, "fault plan")) };
  } catch (error) {
    if (error instanceof PlanError) return { ok: false, error: error.message };
    throw error;
  }
}

/** Scripted faults from parsed JSON ({"faults": [...]} or a bare array). */
export function scriptFrom(
  value: unknown,
): { ok: true; faults: ScriptedFault[] } | { ok: false; error: string } {
  try {
    const list = Array.isArray(value) ? value : object(value, "body")["faults"];
    return { ok: true, faults: scriptedFaults(list) };
  } catch (error) {
    if (error instanceof PlanError) return { ok: false, error: error.message };
    throw error;
  }
}
