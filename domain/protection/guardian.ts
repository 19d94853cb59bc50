// The guardian (emulated OCO, DESIGN §5) as one table of legal (status, event) pairs and a pure
// step function. Guarantees: one exit path only; the stop exit is the remainder read from the take-
// profit leg's final answer, never the original quantity; total exit never exceeds the position.

import { type Decimal, gte, lte } from "../decimal/index.ts";
import type { Side } from "../order/index.ts";

export type GuardianStatus =
  | "ARMED" // watching prices; the take-profit leg (if any) works on the venue
  | "TRIGGERED" // the trigger was touched; the take-profit leg is being cancelled
  | "EXITING" // the exit order for the remainder is out
  | "STALLED" // exit attempts exhausted with quantity left: an operator must act
  | "DONE" // the position is fully exited (take-profit fills + exit fills + reported dust)
  | "DISARMED"; // stopped without an exit (cancel cascade, operator)

/** WORKING: a venue take-profit order is live; ENDED: it is final; NONE: there never was one. */
export type TakeProfitLeg = "WORKING" | "ENDED" | "NONE";
export type ExitReason = "STOP" | "TAKE_PROFIT_PRICE";

export interface GuardianState {
  readonly status: GuardianStatus;
  /** The side that closes the position: SELL protects a long. */
  readonly exitSide: Side;
  readonly positionSteps: bigint;
  /** The smallest exit the venue accepts; a smaller remainder is reported as dust, not sent. */
  readonly minExitSteps: bigint;
  readonly stopPrice: Decimal;
  /** A take-profit watched by the guardian itself (no venue leg); null when none. */
  readonly takeProfitPrice: Decimal | null;
  readonly takeProfitLeg: TakeProfitLeg;
  /** Executed quantity of the take-profit leg: a running maximum of cumulative reports. */
  readonly takeProfitFilledSteps: bigint;
  readonly exitReason: ExitReason | null;
  readonly triggerPrice: Decimal | null;
  readonly triggeredAtMs: number | null;
  /** 1-based number of the current exit order (its client id derives from it); 0: none yet. */
  readonly exitAttempt: number;
  /** Quantity of the exit order in flight; 0 when none is. */
  readonly exitQtySteps: bigint;
  /** Cumulative fill of the exit order in flight. */
  readonly exitFilledSteps: bigint;
  /** Filled by exit orders that have ended. */
  readonly exitSettledSteps: bigint;
  readonly dustSteps: bigint;
  readonly cancelAttempts: number;
  /** False after the lease is lost: this instance stops acting until RESTORE. */
  readonly leased: boolean;
}

export type GuardianEvent =
  | { readonly kind: "PRICE"; readonly price: Decimal; readonly tsMs: number }
  /** The take-profit leg's cumulative executed quantity while it works (duplicates harmless). */
  | { readonly kind: "TP_FILL"; readonly executedSteps: bigint }
  /** The take-profit leg is final (cancel answer or query): its executed quantity. */
  | { readonly kind: "TP_FINAL"; readonly executedSteps: bigint }
  /** The cancel of the take-profit leg got no final answer (error, unknown outcome). */
  | { readonly kind: "TP_CANCEL_FAILED" }
  | { readonly kind: "EXIT_FILL"; readonly attempt: number; readonly executedSteps: bigint }
  /** The exit order ended (filled, expired, cancelled, rejected) with this executed quantity. */
  | { readonly kind: "EXIT_FINAL"; readonly attempt: number; readonly executedSteps: bigint }
  /** A query proved the exit order never reached the venue: send it again, same id. */
  | { readonly kind: "EXIT_ABSENT"; readonly attempt: number }
  | { readonly kind: "DISARM" }
  | { readonly kind: "LEASE_LOST" }
  /** After a restart or a lease takeover: re-issue whatever the current status is waiting on. */
  | { readonly kind: "RESTORE" };

export type GuardianEventKind = GuardianEvent["kind"];

export type GuardianAlertCode =
  | "TP_LEG_ENDED"
  | "TP_CANCEL_FAILED"
  | "EXIT_BELOW_MINIMUM"
  | "EXIT_ATTEMPTS_EXHAUSTED"
  | "INCONSISTENT_FILL";

export type GuardianCommand =
  | { readonly kind: "CANCEL_TP" }
  | { readonly kind: "QUERY_TP" }
  | { readonly kind: "SEND_EXIT"; readonly attempt: number; readonly qtySteps: bigint }
  | { readonly kind: "QUERY_EXIT"; readonly attempt: number }
  /** Remove the guard record and publish the disarm. */
  | { readonly kind: "DISARM" }
  /** Stop acting on this guardian locally; another instance owns it. */
  | { readonly kind: "RELEASE" }
  | { readonly kind: "ALERT"; readonly code: GuardianAlertCode; readonly message: string };

export type GuardianOutcome = "APPLIED" | "IGNORED" | "NOT_LEASED" | "STALE" | "REFUSED";

export interface GuardianStep {
  readonly state: GuardianState;
  readonly commands: readonly GuardianCommand[];
  readonly outcome: GuardianOutcome;
}

/** Cancels of the take-profit leg tried before alerting; exit orders sent before stalling. */
export const takeProfitCancelAttemptMax = 3;
export const exitAttemptMax = 3;

export interface ArmInput {
  readonly exitSide: Side;
  readonly positionSteps: bigint;
  readonly minExitSteps: bigint;
  readonly stopPrice: Decimal;
  readonly takeProfitPrice: Decimal | null;
  readonly takeProfitLeg: "WORKING" | "NONE";
}

export function armGuardian(input: ArmInput): GuardianState {
  if (input.positionSteps <= 0n) throw new Error("Condition failed: position must be positive");
  if (input.minExitSteps < 1n) throw new Error("Condition failed: minimum exit below one step");
  const tp = input.takeProfitPrice;
  if (tp !== null && input.takeProfitLeg === "WORKING") {
    throw new Error("Condition failed: a take-profit is either a venue leg or watched, not both");
  }
  if (tp !== null && !(input.exitSide === "SELL" ? gte : lte)(tp, input.stopPrice)) {
    throw new Error("Condition failed: the take-profit lies beyond the stop");
  }
  return {
    status: "ARMED",
    exitSide: input.exitSide,
    positionSteps: input.positionSteps,
    minExitSteps: input.minExitSteps,
    stopPrice: input.stopPrice,
    takeProfitPrice: tp,
    takeProfitLeg: input.takeProfitLeg,
    takeProfitFilledSteps: 0n,
    exitReason: null,
    triggerPrice: null,
    triggeredAtMs: null,
    exitAttempt: 0,
    exitQtySteps: 0n,
    exitFilledSteps: 0n,
    exitSettledSteps: 0n,
    dustSteps: 0n,
    cancelAttempts: 0,
    leased: true,
  };
}

type Handler<K extends GuardianEventKind> = (
  state: GuardianState,
  event: Extract<GuardianEvent, { kind: K }>,
) => GuardianStep;
type Row = { readonly [K in GuardianEventKind]?: Handler<K> };

// The legal (status, event) pairs. Anything missing is ignored: a price after the trigger, a late
// duplicate after DONE. LEASE_LOST is legal everywhere and handled before the table.
const table: Readonly<Record<GuardianStatus, Row>> = {
  ARMED: {
    PRICE: onArmedPrice,
    TP_FILL: onTakeProfitFill,
    TP_FINAL: onArmedTakeProfitFinal,
    DISARM: onDisarm,
    RESTORE: (state) => restored(state, state.takeProfitLeg === "WORKING" ? [queryTp] : []),
  },
  TRIGGERED: {
    // A take-profit fill racing the trigger: counted, and if it is everything, no exit at all.
    TP_FILL: onTakeProfitFill,
    TP_FINAL: onTriggeredTakeProfitFinal,
    TP_CANCEL_FAILED: onCancelFailed,
    DISARM: refuse,
    RESTORE: (state) => restored({ ...state, cancelAttempts: 0 }, [cancelTp]),
  },
  EXITING: {
    // The leg is final here: a later report can only repeat what the final answer said.
    TP_FILL: onTakeProfitFill,
    EXIT_FILL: onExitFill,
    EXIT_FINAL: onExitFinal,
    EXIT_ABSENT: onExitAbsent,
    DISARM: refuse,
    RESTORE: (state) => restored(state, [{ kind: "QUERY_EXIT", attempt: state.exitAttempt }]),
  },
  STALLED: {
    TP_FILL: onTakeProfitFill,
    // The operator has taken over the remainder.
    DISARM: (state) => applied({ ...state, status: "DISARMED" }, [disarm]),
    RESTORE: (state) => restored(state, [stalledAlert(state)]),
  },
  DONE: { RESTORE: (state) => restored(state, [disarm]) },
  DISARMED: { RESTORE: (state) => restored(state, [disarm]) },
};

export function guardianStep(state: GuardianState, event: GuardianEvent): GuardianStep {
  if (event.kind === "LEASE_LOST") {
    if (!state.leased) return ignored(state, "IGNORED");
    return applied({ ...state, leased: false }, [{ kind: "RELEASE" }]);
  }
  if (!state.leased && event.kind !== "RESTORE") return ignored(state, "NOT_LEASED");
  const handler = table[state.status][event.kind] as Handler<typeof event.kind> | undefined;
  if (handler === undefined) return ignored(state, "IGNORED");
  return handler(state, event as never);
}

/** Which trigger a price touches, if any: stop first, then a watched take-profit. */
export function touchedTrigger(state: GuardianState, price: Decimal): ExitReason | null {
  const sell = state.exitSide === "SELL";
  if (sell ? lte(price, state.stopPrice) : gte(price, state.stopPrice)) return "STOP";
  const tp = state.takeProfitPrice;
  if (tp !== null && (sell ? gte(price, tp) : lte(price, tp))) return "TAKE_PROFIT_PRICE";
  return null;
}

/** Everything that has left the position so far, by either path. */
export function exitedSteps(state: GuardianState): bigint {
  return state.takeProfitFilledSteps + state.exitSettledSteps + state.exitFilledSteps;
}

/** What is still held and not yet covered by an exit order in flight. */
export function uncoveredSteps(state: GuardianState): bigint {
  return state.positionSteps - state.takeProfitFilledSteps - state.exitSettledSteps;
}

function onArmedPrice(state: GuardianState, event: { price: Decimal; tsMs: number }): GuardianStep {
  const reason = touchedTrigger(state, event.price);
  if (reason === null) return ignored(state, "IGNORED");
  const triggered: GuardianState = {
    ...state,
    exitReason: reason,
    triggerPrice: event.price,
    triggeredAtMs: event.tsMs,
  };
  // With a live take-profit leg, nothing is sold until its cancel answer says what it executed.
  if (state.takeProfitLeg === "WORKING") {
    return applied({ ...triggered, status: "TRIGGERED", cancelAttempts: 1 }, [cancelTp]);
  }
  return beginExit(triggered, []);
}

function onTakeProfitFill(state: GuardianState, event: { executedSteps: bigint }): GuardianStep {
  const executed = event.executedSteps;
  if (executed <= state.takeProfitFilledSteps) return ignored(state, "IGNORED");
  if (state.takeProfitLeg !== "WORKING" || executed > state.positionSteps) {
    return applied(state, [
      inconsistent(`take-profit executed ${executed} after its final answer`),
    ]);
  }
  const next = { ...state, takeProfitFilledSteps: executed };
  if (executed === state.positionSteps) return applied({ ...next, status: "DONE" }, [disarm]);
  return applied(next, []);
}

function onArmedTakeProfitFinal(
  state: GuardianState,
  event: { executedSteps: bigint },
): GuardianStep {
  const next = finalTakeProfit(state, event.executedSteps);
  if (next === null) return ignored(state, "IGNORED");
  if (next.takeProfitFilledSteps === next.positionSteps) {
    return applied({ ...next, status: "DONE" }, [disarm]);
  }
  // Cancelled or expired without us: the stop still guards what is left.
  const filled = `${next.takeProfitFilledSteps} of ${next.positionSteps} steps`;
  const message = `take-profit leg ended with ${filled}; the stop guards the rest`;
  return applied(next, [{ kind: "ALERT", code: "TP_LEG_ENDED", message }]);
}

function onTriggeredTakeProfitFinal(
  state: GuardianState,
  event: { executedSteps: bigint },
): GuardianStep {
  const next = finalTakeProfit(state, event.executedSteps);
  if (next === null) return ignored(state, "IGNORED");
  return beginExit(next, []);
}

/** The leg's final executed quantity (never below what fills already showed); null if repeated. */
function finalTakeProfit(state: GuardianState, executedSteps: bigint): GuardianState | null {
  if (state.takeProfitLeg !== "WORKING") return null;
  const executed = largerSteps(executedSteps, state.takeProfitFilledSteps);
  const capped = smallerSteps(executed, state.positionSteps);
  return { ...state, takeProfitLeg: "ENDED", takeProfitFilledSteps: capped };
}

function onCancelFailed(state: GuardianState): GuardianStep {
  if (state.cancelAttempts < takeProfitCancelAttemptMax) {
    return applied({ ...state, cancelAttempts: state.cancelAttempts + 1 }, [cancelTp]);
  }
  const message = `take-profit cancel failed ${state.cancelAttempts} times; exit waits on it`;
  return applied(state, [{ kind: "ALERT", code: "TP_CANCEL_FAILED", message }]);
}

/** Sends the uncovered remainder as a new exit attempt, or settles when nothing is sendable. */
function beginExit(state: GuardianState, commands: GuardianCommand[]): GuardianStep {
  const remainder = uncoveredSteps(state);
  const base = { ...state, exitQtySteps: 0n, exitFilledSteps: 0n };
  if (remainder === 0n) return applied({ ...base, status: "DONE" }, [...commands, disarm]);
  if (remainder < state.minExitSteps) {
    const message = `remainder ${remainder} steps is below the minimum ${state.minExitSteps}`;
    return applied({ ...base, status: "DONE", dustSteps: remainder }, [
      ...commands,
      { kind: "ALERT", code: "EXIT_BELOW_MINIMUM", message },
      disarm,
    ]);
  }
  if (state.exitAttempt >= exitAttemptMax) {
    return applied({ ...base, status: "STALLED" }, [...commands, stalledAlert(base)]);
  }
  const attempt = state.exitAttempt + 1;
  return applied({ ...base, status: "EXITING", exitAttempt: attempt, exitQtySteps: remainder }, [
    ...commands,
    { kind: "SEND_EXIT", attempt, qtySteps: remainder },
  ]);
}

function onExitFill(
  state: GuardianState,
  event: { attempt: number; executedSteps: bigint },
): GuardianStep {
  if (event.attempt !== state.exitAttempt) return ignored(state, "STALE");
  if (event.executedSteps > state.exitQtySteps) {
    return applied(state, [
      inconsistent(`exit executed ${event.executedSteps} of ${state.exitQtySteps}`),
    ]);
  }
  if (event.executedSteps <= state.exitFilledSteps) return ignored(state, "IGNORED");
  const next = { ...state, exitFilledSteps: event.executedSteps };
  if (event.executedSteps < state.exitQtySteps) return applied(next, []);
  // Fully filled: the remainder it covered is gone, so this settles to DONE.
  return beginExit(settleExit(next, state.status), []);
}

function onExitFinal(
  state: GuardianState,
  event: { attempt: number; executedSteps: bigint },
): GuardianStep {
  if (event.attempt !== state.exitAttempt) return ignored(state, "STALE");
  if (event.executedSteps > state.exitQtySteps) {
    return applied(state, [
      inconsistent(`exit executed ${event.executedSteps} of ${state.exitQtySteps}`),
    ]);
  }
  const filled = largerSteps(event.executedSteps, state.exitFilledSteps);
  return beginExit(settleExit({ ...state, exitFilledSteps: filled }, state.status), []);
}

/** Moves the in-flight order's fills into the settled total. */
function settleExit(state: GuardianState, status: GuardianStatus): GuardianState {
  return {
    ...state,
    status,
    exitSettledSteps: state.exitSettledSteps + state.exitFilledSteps,
    exitFilledSteps: 0n,
    exitQtySteps: 0n,
  };
}

function onExitAbsent(state: GuardianState, event: { attempt: number }): GuardianStep {
  if (event.attempt !== state.exitAttempt) return ignored(state, "STALE");
  // An order with fills exists, whatever a query said.
  if (state.exitFilledSteps > 0n) return ignored(state, "IGNORED");
  return applied(state, [
    { kind: "SEND_EXIT", attempt: state.exitAttempt, qtySteps: state.exitQtySteps },
  ]);
}

function onDisarm(state: GuardianState): GuardianStep {
  const commands: GuardianCommand[] =
    state.takeProfitLeg === "WORKING" ? [cancelTp, disarm] : [disarm];
  return applied({ ...state, status: "DISARMED" }, commands);
}

function refuse(state: GuardianState): GuardianStep {
  return ignored(state, "REFUSED");
}

function restored(state: GuardianState, commands: GuardianCommand[]): GuardianStep {
  return applied({ ...state, leased: true }, commands);
}

function stalledAlert(state: GuardianState): GuardianCommand {
  const message = `${uncoveredSteps(state)} steps left after ${state.exitAttempt} exit attempts`;
  return { kind: "ALERT", code: "EXIT_ATTEMPTS_EXHAUSTED", message };
}

function inconsistent(message: string): GuardianCommand {
  return { kind: "ALERT", code: "INCONSISTENT_FILL", message };
}

function applied(state: GuardianState, commands: GuardianCommand[]): GuardianStep {
  return { state, commands, outcome: "APPLIED" };
}

function ignored(state: GuardianState, outcome: GuardianOutcome): GuardianStep {
  return { state, commands: [], outcome };
}

/** Math.max and Math.min for bigint step counts. */
function largerSteps(a: bigint, b: bigint): bigint {
  return a >= b ? a : b;
}

function smallerSteps(a: bigint, b: bigint): bigint {
  return a <= b ? a : b;
}

const cancelTp: GuardianCommand = { kind: "CANCEL_TP" };
const queryTp: GuardianCommand = { kind: "QUERY_TP" };
const disarm: GuardianCommand = { kind: "DISARM" };
