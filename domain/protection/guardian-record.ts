// The guardian's state as a flat record of strings, numbers and booleans, for the guard key
// (`guard:{stop}:<symbol>:<intent_id>`, DESIGN §7) and the store. A decoded guardian is never
// leased: the instance that loads it feeds RESTORE, which re-asks whatever it was waiting on.

import { type Decimal, formatDecimal, parseDecimal } from "../decimal/index.ts";
import type { Side } from "../order/index.ts";
import type { ExitReason, GuardianState, GuardianStatus, TakeProfitLeg } from "./guardian.ts";

export type GuardianRecord = Readonly<Record<string, string | number | null>>;

const statuses: readonly GuardianStatus[] = [
  "ARMED",
  "TRIGGERED",
  "EXITING",
  "STALLED",
  "DONE",
  "DISARMED",
];
const legs: readonly TakeProfitLeg[] = ["WORKING", "ENDED", "NONE"];
const reasons: readonly ExitReason[] = ["STOP", "TAKE_PROFIT_PRICE"];
const stepsPattern = /^(0|[1-9]\d{0,30})$/;

/** Lower-case status first ("armed"), as the design shows the guard key's value. */
export function guardianToRecord(state: GuardianState): GuardianRecord {
  const decimal = (value: Decimal | null) => (value === null ? null : formatDecimal(value));
  return {
    state: state.status.toLowerCase(),
    exit_side: state.exitSide,
    position_steps: state.positionSteps.toString(),
    min_exit_steps: state.minExitSteps.toString(),
    stop_price: formatDecimal(state.stopPrice),
    take_profit_price: decimal(state.takeProfitPrice),
    take_profit_leg: state.takeProfitLeg,
    take_profit_filled_steps: state.takeProfitFilledSteps.toString(),
    exit_reason: state.exitReason,
    trigger_price: decimal(state.triggerPrice),
    triggered_at_ms: state.triggeredAtMs,
    exit_attempt: state.exitAttempt,
    exit_qty_steps: state.exitQtySteps.toString(),
    exit_filled_steps: state.exitFilledSteps.toString(),
    exit_settled_steps: state.exitSettledSteps.toString(),
    dust_steps: state.dustSteps.toString(),
    cancel_attempts: state.cancelAttempts,
  };
}

export type GuardianDecode =
  | { readonly ok: true; readonly state: GuardianState }
  | { readonly ok: false; readonly field: string; readonly message: string };

/** Reads a record written by guardianToRecord; extra fields (armed_at, ids) are ignored. */
export function guardianFromRecord(record: unknown): GuardianDecode {
  if (typeof record !== "object" || record === null) {
    return { ok: false, field: "$", message: "a guard record must be an object" };
  }
  const reader = new FieldReader(record as Readonly<Record<string, unknown>>);
  const state = readState(reader);
  const covered = state.takeProfitFilledSteps + state.exitSettledSteps + state.exitQtySteps;
  if (state.positionSteps < 1n || state.minExitSteps < 1n || covered > state.positionSteps) {
    reader.reject("position_steps");
  }
  if (reader.badField !== null) {
    const message = `guard record field ${reader.badField} is missing or malformed`;
    return { ok: false, field: reader.badField, message };
  }
  return { ok: true, state };
}

function readState(read: FieldReader): GuardianState {
  return {
    status: read.oneOf("state", statuses, (text) => text.toUpperCase()),
    exitSide: read.oneOf<Side>("exit_side", ["BUY", "SELL"]),
    positionSteps: read.steps("position_steps"),
    minExitSteps: read.steps("min_exit_steps"),
    stopPrice: read.price("stop_price"),
    takeProfitPrice: read.isNull("take_profit_price") ? null : read.price("take_profit_price"),
    takeProfitLeg: read.oneOf("take_profit_leg", legs),
    takeProfitFilledSteps: read.steps("take_profit_filled_steps"),
    exitReason: read.isNull("exit_reason") ? null : read.oneOf("exit_reason", reasons),
    triggerPrice: read.isNull("trigger_price") ? null : read.price("trigger_price"),
    triggeredAtMs: read.isNull("triggered_at_ms") ? null : read.count("triggered_at_ms"),
    exitAttempt: read.count("exit_attempt"),
    exitQtySteps: read.steps("exit_qty_steps"),
    exitFilledSteps: read.steps("exit_filled_steps"),
    exitSettledSteps: read.steps("exit_settled_steps"),
    dustSteps: read.steps("dust_steps"),
    cancelAttempts: read.count("cancel_attempts"),
    leased: false,
  };
}

/** Reads typed fields; the first bad one is remembered and a placeholder returned. */
class FieldReader {
  badField: string | null = null;

  constructor(private readonly fields: Readonly<Record<string, unknown>>) {}

  reject(key: string): void {
    this.badField ??= key;
  }

  isNull(key: string): boolean {
    return this.fields[key] === null;
  }

  oneOf<T extends string>(
    key: string,
    allowed: readonly T[],
    normalize: (text: string) => string = (text) => text,
  ): T {
    const value = this.fields[key];
    const text = typeof value === "string" ? normalize(value) : "";
    if ((allowed as readonly string[]).includes(text)) return text as T;
    this.reject(key);
    return allowed[0]!;
  }

  steps(key: string): bigint {
    const value = this.fields[key];
    if (typeof value === "string" && stepsPattern.test(value)) return BigInt(value);
    this.reject(key);
    return 0n;
  }

  price(key: string): Decimal {
    const value = this.fields[key];
    const parsed = typeof value === "string" ? parseDecimal(value) : null;
    if (parsed?.ok === true && parsed.value.units > 0n) return parsed.value;
    this.reject(key);
    return { units: 1n, scale: 0 };
  }

  count(key: string): number {
    const value = this.fields[key];
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
    this.reject(key);
    return 0;
  }
}
