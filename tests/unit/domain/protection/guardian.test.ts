// The guardian's transition table, scenario by scenario, then a property test: a simulated venue
// (take-profit fills racing the trigger, late and duplicated events, lost sends, lease changes)
// audits that exactly one exit path runs and the position is never over-exited.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Decimal, dec } from "../../../../domain/decimal/index.ts";
import {
  type ArmInput,
  armGuardian,
  exitAttemptMax,
  type GuardianCommand,
  type GuardianEvent,
  type GuardianState,
  guardianFromRecord,
  guardianStep,
  guardianToRecord,
  takeProfitCancelAttemptMax,
} from "../../../../domain/protection/index.ts";

const stop = dec("100");
const price = (text: string): GuardianEvent => ({ kind: "PRICE", price: dec(text), tsMs: 1 });

function arm(overrides: Partial<ArmInput> = {}): GuardianState {
  return armGuardian({
    exitSide: "SELL",
    positionSteps: 10n,
    minExitSteps: 1n,
    stopPrice: stop,
    takeProfitPrice: null,
    takeProfitLeg: "WORKING",
    ...overrides,
  });
}

/** Feeds events in order; returns the final state and every command issued. */
function run(state: GuardianState, events: GuardianEvent[]) {
  const commands: GuardianCommand[] = [];
  const outcomes: string[] = [];
  let current = state;
  for (const event of events) {
    const step = guardianStep(current, event);
    current = step.state;
    commands.push(...step.commands);
    outcomes.push(step.outcome);
  }
  return { state: current, commands, outcomes };
}

const kinds = (commands: readonly GuardianCommand[]): string[] =>
  commands.map((command) => command.kind);

describe("guardian scenarios", () => {
  test("stop touched: cancel the take-profit first, then exit only what its answer left", () => {
    const result = run(arm(), [
      price("100.1"),
      { kind: "TP_FILL", executedSteps: 2n },
      price("100"),
      { kind: "TP_FINAL", executedSteps: 3n },
      { kind: "EXIT_FILL", attempt: 1, executedSteps: 4n },
      { kind: "EXIT_FILL", attempt: 1, executedSteps: 7n },
    ]);
    expect(result.outcomes).toEqual([
      "IGNORED",
      "APPLIED",
      "APPLIED",
      "APPLIED",
      "APPLIED",
      "APPLIED",
    ]);
    expect(result.commands).toEqual([
      { kind: "CANCEL_TP" },
      // 10 − 3 from the cancel answer: not 10 (the original), not 8 (what fills had shown).
      { kind: "SEND_EXIT", attempt: 1, qtySteps: 7n },
      { kind: "DISARM" },
    ]);
    expect(result.state).toMatchObject({
      status: "DONE",
      exitReason: "STOP",
      takeProfitFilledSteps: 3n,
      exitSettledSteps: 7n,
    });
  });

  test("take-profit fills completely first: disarm, and later prices do nothing", () => {
    const result = run(arm(), [
      { kind: "TP_FILL", executedSteps: 4n },
      { kind: "TP_FILL", executedSteps: 10n },
      price("90"),
    ]);
    expect(kinds(result.commands)).toEqual(["DISARM"]);
    expect(result.state.status).toBe("DONE");
    expect(result.outcomes[2]).toBe("IGNORED");
  });

  test("a take-profit fill racing the trigger ends it without any exit", () => {
    const result = run(arm(), [
      price("99"),
      { kind: "TP_FILL", executedSteps: 10n },
      { kind: "TP_FINAL", executedSteps: 10n },
    ]);
    expect(kinds(result.commands)).toEqual(["CANCEL_TP", "DISARM"]);
    expect(result.state.status).toBe("DONE");
  });

  test("the cancel answer can report more than the fills seen: it is what counts", () => {
    const result = run(arm(), [price("99"), { kind: "TP_FINAL", executedSteps: 10n }]);
    expect(kinds(result.commands)).toEqual(["CANCEL_TP", "DISARM"]);
  });

  test("a final answer below the fills already seen never lowers the count", () => {
    const result = run(arm(), [
      { kind: "TP_FILL", executedSteps: 5n },
      price("99"),
      { kind: "TP_FINAL", executedSteps: 2n },
    ]);
    expect(result.commands.at(-1)).toEqual({ kind: "SEND_EXIT", attempt: 1, qtySteps: 5n });
  });

  test("a partial take-profit fill shrinks the stop quantity", () => {
    const result = run(arm({ takeProfitLeg: "NONE" }), [price("99")]);
    expect(result.commands).toEqual([{ kind: "SEND_EXIT", attempt: 1, qtySteps: 10n }]);
    const leg = run(arm(), [
      { kind: "TP_FILL", executedSteps: 6n },
      price("99"),
      { kind: "TP_FINAL", executedSteps: 6n },
    ]);
    expect(leg.commands[1]).toEqual({ kind: "SEND_EXIT", attempt: 1, qtySteps: 4n });
  });

  test("a failed cancel is retried, then alerted, never skipped", () => {
    const failures: GuardianEvent[] = Array.from({ length: takeProfitCancelAttemptMax }, () => ({
      kind: "TP_CANCEL_FAILED",
    }));
    const result = run(arm(), [price("99"), ...failures]);
    expect(kinds(result.commands)).toEqual([
      ...Array.from({ length: takeProfitCancelAttemptMax }, () => "CANCEL_TP"),
      "ALERT",
    ]);
    expect(result.state.status).toBe("TRIGGERED");
    expect(kinds(result.commands)).not.toContain("SEND_EXIT");
  });

  test("an exit that ends part-filled is followed by one for the rest, then stalls", () => {
    const endings: GuardianEvent[] = [];
    for (let attempt = 1; attempt <= exitAttemptMax; attempt += 1) {
      endings.push({ kind: "EXIT_FINAL", attempt, executedSteps: 1n });
    }
    const result = run(arm({ takeProfitLeg: "NONE" }), [price("99"), ...endings]);
    expect(result.commands.filter((command) => command.kind === "SEND_EXIT")).toEqual([
      { kind: "SEND_EXIT", attempt: 1, qtySteps: 10n },
      { kind: "SEND_EXIT", attempt: 2, qtySteps: 9n },
      { kind: "SEND_EXIT", attempt: 3, qtySteps: 8n },
    ]);
    expect(result.state.status).toBe("STALLED");
    expect(result.commands.at(-1)).toMatchObject({
      kind: "ALERT",
      code: "EXIT_ATTEMPTS_EXHAUSTED",
    });
    const disarmed = guardianStep(result.state, { kind: "DISARM" });
    expect(disarmed.state.status).toBe("DISARMED");
  });

  test("a remainder below the venue minimum is reported as dust, not sent", () => {
    const result = run(arm({ minExitSteps: 3n }), [
      price("99"),
      { kind: "TP_FINAL", executedSteps: 8n },
    ]);
    expect(kinds(result.commands)).toEqual(["CANCEL_TP", "ALERT", "DISARM"]);
    expect(result.state).toMatchObject({ status: "DONE", dustSteps: 2n });
  });

  test("events for an earlier exit attempt are stale", () => {
    const result = run(arm({ takeProfitLeg: "NONE" }), [
      price("99"),
      { kind: "EXIT_FINAL", attempt: 1, executedSteps: 4n },
      { kind: "EXIT_FILL", attempt: 1, executedSteps: 10n },
    ]);
    expect(result.outcomes.at(-1)).toBe("STALE");
    expect(result.state).toMatchObject({ exitAttempt: 2, exitQtySteps: 6n, exitSettledSteps: 4n });
  });

  test("an over-report is alerted and ignored", () => {
    const result = run(arm({ takeProfitLeg: "NONE" }), [
      price("99"),
      { kind: "EXIT_FILL", attempt: 1, executedSteps: 11n },
    ]);
    expect(result.commands.at(-1)).toMatchObject({ kind: "ALERT", code: "INCONSISTENT_FILL" });
    expect(result.state.exitFilledSteps).toBe(0n);
  });

  test("lease lost: silent until restored, then it re-asks what it was waiting on", () => {
    const triggered = run(arm(), [price("99"), { kind: "LEASE_LOST" }]);
    expect(kinds(triggered.commands)).toEqual(["CANCEL_TP", "RELEASE"]);
    const ignored = guardianStep(triggered.state, { kind: "TP_FINAL", executedSteps: 2n });
    expect(ignored.outcome).toBe("NOT_LEASED");
    const restored = guardianStep(triggered.state, { kind: "RESTORE" });
    expect(restored.commands).toEqual([{ kind: "CANCEL_TP" }]);

    const exiting = run(arm({ takeProfitLeg: "NONE" }), [price("99"), { kind: "RESTORE" }]);
    expect(exiting.commands.at(-1)).toEqual({ kind: "QUERY_EXIT", attempt: 1 });
    const absent = guardianStep(exiting.state, { kind: "EXIT_ABSENT", attempt: 1 });
    // The same attempt (same client id), the same quantity.
    expect(absent.commands).toEqual([{ kind: "SEND_EXIT", attempt: 1, qtySteps: 10n }]);

    const armed = guardianStep(arm(), { kind: "RESTORE" });
    expect(armed.commands).toEqual([{ kind: "QUERY_TP" }]);
  });

  test("disarm: allowed while armed, refused while an exit is under way", () => {
    const armed = guardianStep(arm(), { kind: "DISARM" });
    expect(armed.state.status).toBe("DISARMED");
    expect(kinds(armed.commands)).toEqual(["CANCEL_TP", "DISARM"]);
    const triggered = run(arm(), [price("99"), { kind: "DISARM" }]);
    expect(triggered.outcomes.at(-1)).toBe("REFUSED");
    expect(triggered.state.status).toBe("TRIGGERED");
  });

  test("a take-profit leg that ends without us leaves the stop guarding the rest", () => {
    const result = run(arm(), [{ kind: "TP_FINAL", executedSteps: 3n }, price("99")]);
    expect(result.commands).toEqual([
      expect.objectContaining({ kind: "ALERT", code: "TP_LEG_ENDED" }),
      { kind: "SEND_EXIT", attempt: 1, qtySteps: 7n },
    ]);
  });

  test("a watched take-profit price exits the whole position", () => {
    const state = arm({ takeProfitLeg: "NONE", takeProfitPrice: dec("110") });
    const result = run(state, [price("109.9"), price("110")]);
    expect(result.commands).toEqual([{ kind: "SEND_EXIT", attempt: 1, qtySteps: 10n }]);
    expect(result.state.exitReason).toBe("TAKE_PROFIT_PRICE");
  });

  test("a short is stopped by a rise", () => {
    const state = arm({ exitSide: "BUY", takeProfitLeg: "NONE" });
    expect(guardianStep(state, price("99.9")).outcome).toBe("IGNORED");
    expect(guardianStep(state, price("100")).commands).toEqual([
      { kind: "SEND_EXIT", attempt: 1, qtySteps: 10n },
    ]);
  });

  const broken: [string, Partial<ArmInput>][] = [
    ["an empty position", { positionSteps: 0n }],
    ["a zero minimum", { minExitSteps: 0n }],
    ["a watched price beside a venue leg", { takeProfitPrice: dec("110") }],
    ["a take-profit beyond the stop", { takeProfitLeg: "NONE", takeProfitPrice: dec("90") }],
  ];
  for (const [name, overrides] of broken) {
    test(`arming with ${name} is a broken precondition`, () => {
      expect(() => arm(overrides)).toThrow();
    });
  }
});

// ---- Property: an independent venue audits the guardian ------------------------------------

interface ExitOrder {
  readonly qty: bigint;
  executed: bigint;
  final: boolean;
  /** False when the send never reached the venue. */
  readonly exists: boolean;
}

class Venue {
  tpWorking: boolean;
  tpExecuted = 0n;
  readonly exits = new Map<number, ExitOrder>();
  readonly inbox: GuardianEvent[] = [];
  cancelPending = false;
  sendsWhileTpWorking = 0;
  sendCount = 0;
  readonly problems: string[] = [];

  constructor(
    readonly position: bigint,
    hasLeg: boolean,
  ) {
    this.tpWorking = hasLeg;
  }

  sold(): bigint {
    let total = this.tpExecuted;
    for (const exit of this.exits.values()) total += exit.executed;
    return total;
  }

  /** Applies one guardian command the way the application and the exchange would. */
  execute(command: GuardianCommand, loseSend: boolean): void {
    if (command.kind === "CANCEL_TP") {
      if (this.tpWorking) this.cancelPending = true;
      // Unknown order: the application queries and learns the final state.
      else this.inbox.push({ kind: "TP_FINAL", executedSteps: this.tpExecuted });
    } else if (command.kind === "QUERY_TP") {
      this.inbox.push(
        this.tpWorking
          ? { kind: "TP_FILL", executedSteps: this.tpExecuted }
          : { kind: "TP_FINAL", executedSteps: this.tpExecuted },
      );
    } else if (command.kind === "SEND_EXIT") {
      this.send(command.attempt, command.qtySteps, loseSend);
    } else if (command.kind === "QUERY_EXIT") {
      const exit = this.exits.get(command.attempt);
      if (exit === undefined || !exit.exists) {
        this.inbox.push({ kind: "EXIT_ABSENT", attempt: command.attempt });
      } else {
        const kind = exit.final ? "EXIT_FINAL" : "EXIT_FILL";
        this.inbox.push({ kind, attempt: command.attempt, executedSteps: exit.executed });
      }
    }
  }

  private send(attempt: number, qty: bigint, lose: boolean): void {
    this.sendCount += 1;
    if (this.tpWorking) this.sendsWhileTpWorking += 1;
    const previous = this.exits.get(attempt);
    if (previous?.exists === true) return; // same client id: the venue refuses a duplicate
    if (previous !== undefined && previous.qty !== qty) this.problems.push("resend changed qty");
    let settled = this.tpExecuted;
    for (const [other, exit] of this.exits) {
      if (other === attempt) continue;
      if (!exit.final) this.problems.push("new exit while another works");
      settled += exit.executed;
    }
    // The stop exit is what the final answers left, exactly.
    if (qty !== this.position - settled)
      this.problems.push(`exit ${qty} != ${this.position - settled}`);
    if (qty <= 0n) this.problems.push("empty exit");
    this.exits.set(attempt, { qty, executed: 0n, final: false, exists: !lose });
  }

  fillTakeProfit(amount: bigint): void {
    if (!this.tpWorking) return;
    const room = this.position - this.tpExecuted;
    const fill = amount > room ? room : amount;
    if (fill <= 0n) return;
    this.tpExecuted += fill;
    this.inbox.push({ kind: "TP_FILL", executedSteps: this.tpExecuted });
    if (this.tpExecuted === this.position) {
      this.tpWorking = false;
      this.inbox.push({ kind: "TP_FINAL", executedSteps: this.tpExecuted });
    }
  }

  processCancel(fails: boolean): void {
    if (!this.cancelPending) return;
    this.cancelPending = false;
    if (fails) {
      this.inbox.push({ kind: "TP_CANCEL_FAILED" });
      return;
    }
    this.tpWorking = false;
    this.inbox.push({ kind: "TP_FINAL", executedSteps: this.tpExecuted });
  }

  progressExit(draw: number, amount: bigint): void {
    const open = [...this.exits.entries()].filter(([, exit]) => exit.exists && !exit.final);
    const picked = open[draw % Math.max(open.length, 1)];
    if (picked === undefined) return;
    const [attempt, exit] = picked;
    const room = exit.qty - exit.executed;
    const fill = amount > room ? room : amount;
    exit.executed += fill;
    const ends = exit.executed === exit.qty || draw % 3 === 0;
    if (fill > 0n) this.inbox.push({ kind: "EXIT_FILL", attempt, executedSteps: exit.executed });
    if (ends) {
      exit.final = true;
      this.inbox.push({ kind: "EXIT_FINAL", attempt, executedSteps: exit.executed });
    }
  }
}

type Action = readonly [kind: number, a: number, b: number];

function simulate(position: bigint, minExit: bigint, hasLeg: boolean, actions: readonly Action[]) {
  const venue = new Venue(position, hasLeg);
  let state = armGuardian({
    exitSide: "SELL",
    positionSteps: position,
    minExitSteps: minExit,
    stopPrice: stop,
    takeProfitPrice: hasLeg ? null : dec("110"),
    takeProfitLeg: hasLeg ? "WORKING" : "NONE",
  });
  let triggers = 0;
  const feed = (event: GuardianEvent, loseSend = false) => {
    const before = state.status;
    const step = guardianStep(state, event);
    state = step.state;
    if (before === "ARMED" && state.status !== "ARMED" && state.exitReason !== null) triggers += 1;
    for (const command of step.commands) venue.execute(command, loseSend);
    check(venue, state);
  };
  /** Delivers one pending event, in any order; a duplicate leaves it queued for a second time. */
  const deliver = (index: number, duplicate: boolean, loseSend: boolean) => {
    if (venue.inbox.length === 0) return;
    const at = index % venue.inbox.length;
    const event = venue.inbox[at]!;
    if (!duplicate) venue.inbox.splice(at, 1);
    feed(event, loseSend);
  };
  for (const [kind, a, b] of actions) {
    if (kind === 0) feed({ kind: "PRICE", price: ticks(95 + (a % 20)), tsMs: 0 }, b % 7 === 0);
    else if (kind === 1) venue.fillTakeProfit(BigInt(1 + (a % Number(position))));
    else if (kind === 2) deliver(a, b % 5 === 0, b % 7 === 0);
    else if (kind === 3) venue.processCancel(a % 4 === 0);
    else if (kind === 4) venue.progressExit(a, BigInt(b % Number(position)));
    else if (kind === 5) feed({ kind: "LEASE_LOST" });
    else feed({ kind: "RESTORE" });
  }
  // Drain: restore the lease, let the stop be touched, and let the venue finish everything.
  feed({ kind: "RESTORE" });
  for (let round = 0; round < 200 && !isSettled(state); round += 1) {
    if (state.status === "ARMED") feed({ kind: "PRICE", price: ticks(90), tsMs: 0 });
    venue.processCancel(false);
    venue.progressExit(1, position);
    while (venue.inbox.length > 0) deliver(0, false, false);
    if (state.status === "TRIGGERED" && !venue.cancelPending) feed({ kind: "RESTORE" });
    if (state.status === "EXITING") feed({ kind: "RESTORE" });
  }
  return { venue, state, triggers };
}

function isSettled(state: GuardianState): boolean {
  return state.status === "DONE" || state.status === "STALLED";
}

function ticks(whole: number): Decimal {
  return { units: BigInt(whole), scale: 0 };
}

/** Invariants after every step. */
function check(venue: Venue, state: GuardianState): void {
  // Whatever the step, the persisted form restores the same guardian (unleased until RESTORE).
  const restored = guardianFromRecord(JSON.parse(JSON.stringify(guardianToRecord(state))));
  expect(restored).toEqual({ ok: true, state: { ...state, leased: false } });
  expect(venue.problems).toEqual([]);
  expect(venue.sold() <= venue.position).toBe(true);
  expect(venue.sendsWhileTpWorking).toBe(0);
  // The guardian never believes more left than the venue says did.
  expect(state.takeProfitFilledSteps <= venue.tpExecuted).toBe(true);
  const counted = state.takeProfitFilledSteps + state.exitSettledSteps + state.exitFilledSteps;
  expect(counted <= venue.sold()).toBe(true);
  if (state.status === "DONE") {
    const settled = state.takeProfitFilledSteps + state.exitSettledSteps + state.dustSteps;
    expect(settled).toBe(state.positionSteps);
  }
}

describe("guardian properties", () => {
  const action: fc.Arbitrary<Action> = fc.tuple(
    fc.integer({ min: 0, max: 6 }),
    fc.nat({ max: 1_000 }),
    fc.nat({ max: 1_000 }),
  );

  test("one exit path, never over the position, settled to exactly the position", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 40n }),
        fc.bigInt({ min: 1n, max: 3n }),
        fc.boolean(),
        fc.array(action, { maxLength: 120 }),
        (position, minExit, hasLeg, actions) => {
          const { venue, state, triggers } = simulate(position, minExit, hasLeg, actions);
          expect(triggers).toBeLessThanOrEqual(1);
          expect(isSettled(state)).toBe(true);
          if (state.status === "DONE") {
            // Everything sold on the venue plus reported dust is the position, no more, no less.
            expect(venue.sold() + state.dustSteps).toBe(position);
            expect(state.takeProfitFilledSteps).toBe(venue.tpExecuted);
          }
          // A take-profit that filled everything leaves no exit behind it.
          if (venue.tpExecuted === position) expect(venue.sendCount).toBe(0);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe("guardian record", () => {
  test("the guard key's value starts with the lower-case state", () => {
    const record = guardianToRecord(arm());
    expect(record["state"]).toBe("armed");
    expect(record["position_steps"]).toBe("10");
    expect(record["stop_price"]).toBe("100");
  });

  const damaged: [string, Record<string, unknown>, string][] = [
    ["an unknown state", { state: "paused" }, "state"],
    ["a fractional step count", { position_steps: "1.5" }, "position_steps"],
    ["a step count as a number", { dust_steps: 0 }, "dust_steps"],
    ["a negative attempt", { exit_attempt: -1 }, "exit_attempt"],
    ["a zero stop", { stop_price: "0" }, "stop_price"],
    ["a missing side", { exit_side: undefined }, "exit_side"],
    ["more covered than held", { take_profit_filled_steps: "11" }, "position_steps"],
  ];
  for (const [name, patch, field] of damaged) {
    test(`refuses ${name}`, () => {
      const record = { ...guardianToRecord(arm()), ...patch };
      expect(guardianFromRecord(record)).toMatchObject({ ok: false, field });
    });
  }

  test("extra fields such as armed_at are ignored", () => {
    const record = { ...guardianToRecord(arm()), armed_at: 1_700_000_000_000, intent_id: "i-1" };
    expect(guardianFromRecord(record)).toMatchObject({ ok: true });
  });
});
