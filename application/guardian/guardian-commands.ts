// What a guardian's commands do (DESIGN §5): cancel or query its take-profit leg and fold the
// answer in; send the exit for exactly the uncovered remainder, written to the store before it is
// sent (so a restart asks for it instead of sending another); query an exit whose answer was lost;
// disarm; alert. Every answer is fed back to the transition table as an event. A cancel answer
// that lets the exit go is written in the exit's own transaction, under one lock of the intent.

import {
  countSteps,
  type Decimal,
  formatDecimal,
  fromSteps,
  isPositive,
  isZero,
} from "../../domain/decimal/index.ts";
import { applyEvent, isTerminal, newOrder, type Order } from "../../domain/order/index.ts";
import {
  type GuardianAlertCode,
  type GuardianCommand,
  type GuardianEvent,
  type GuardianState,
  guardianStep,
} from "../../domain/protection/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type {
  ConditionalOrder,
  ExchangeError,
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
  WorkingType,
} from "../../ports/exchange-gateway.ts";
import type { GuardStore } from "../../ports/guard-store.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { AlertLevel, OrderStore } from "../../ports/order-store.ts";
import { isConditionalLeg, syncConditional } from "../protection/conditional-legs.ts";
import { protectionIds } from "../protection/protection-ids.ts";
import { recordAlert, recordEvent } from "../protection/protection-events.ts";
import type { IntentChanges, IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import type { KeyedMutex } from "../shared/keyed-mutex.ts";
import type { RuleBook } from "../shared/rule-book.ts";
import { fillEvent, syncFromAnswer, syncFromVenue } from "../shared/venue-sync.ts";
import { exitIdentity, type ExitIdentity, guardToRecord } from "./guard-model.ts";
import { type TakeProfitAnswer, type TakeProfitCall, takeProfitReport } from "./guardian-venue.ts";
import type { LiveGuard } from "./live-guard.ts";

export interface GuardianContext {
  readonly clock: Clock;
  readonly exchange: ExchangeGateway;
  readonly store: OrderStore;
  readonly ledger: IntentLedger;
  readonly mutex: KeyedMutex;
  readonly rules: RuleBook;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** This instance's lease owner id. */
  readonly owner: string;
}

export interface CommandHooks {
  /** Feeds an event to the guardian's transition table (and queues what it commands). */
  apply(live: LiveGuard, event: GuardianEvent): void;
  /** Drops the guardian from this process. */
  forget(live: LiveGuard): void;
  readonly guards: GuardStore;
  /** For a futures take-profit sent again. */
  readonly workingType: WorkingType;
  readonly settings: {
    readonly unknownAfterMs: number;
    readonly exitResendMax: number;
    readonly retryBackoffMs: number;
  };
}

const alertLevels: Readonly<Record<GuardianAlertCode, AlertLevel>> = {
  TP_LEG_ENDED: "WARN",
  EXIT_BELOW_MINIMUM: "WARN",
  TP_CANCEL_FAILED: "ERROR",
  INCONSISTENT_FILL: "ERROR",
  // The position is left with no working exit: an operator must act.
  EXIT_ATTEMPTS_EXHAUSTED: "FATAL",
};

/** A venue quantity in lot steps, rounded down (the guardian never exits more than it holds). */
/** Times a take-profit that never arrived is sent again before the stop guards alone. */
export const tpResendsMax = 5;

export function stepsOf(qty: Decimal, step: Decimal): bigint {
  return isPositive(qty) ? countSteps(qty, step, "floor") : 0n;
}

type SendResult =
  | { readonly kind: "sent" }
  | { readonly kind: "unknown" }
  | { readonly kind: "retry"; readonly waitMs: number }
  | { readonly kind: "refused" }
  | { readonly kind: "leg_gone" }
  /** The emulated leg was cancelled (a cancel served by another instance): no exit at all. */
  | { readonly kind: "leg_canceled" };

type SendExitCommand = Extract<GuardianCommand, { kind: "SEND_EXIT" }>;

/** What the take-profit's answer did inside the intent's lock; the rest happens outside it. */
type TakeProfitOutcome =
  | { readonly kind: "absent" }
  /** Folded into the store (`state`, null when unknown); `event` is still to be applied. */
  | {
      readonly kind: "settled";
      readonly state: IntentState | null;
      readonly event: GuardianEvent | null;
    }
  /** The answer let the exit go: it was written with the exit and the exit was sent. */
  | { readonly kind: "exit"; readonly attempt: number; readonly result: SendResult };

/** The intent as loaded inside the lock, and venue answers still to be written with the exit. */
interface LoadedIntent {
  readonly state: IntentState | null;
  readonly carried: IntentChanges | null;
}

/** `orders` with `updates` in place of the rows they share an order id with. */
function withOrders(orders: readonly Order[], updates: readonly Order[]): Order[] {
  const merged = new Map(orders.map((order) => [order.orderId, order]));
  for (const order of updates) merged.set(order.orderId, order);
  return [...merged.values()];
}

export class GuardianCommands {
  constructor(
    private readonly deps: GuardianContext,
    private readonly hooks: CommandHooks,
  ) {}

  /** Takes a step's new state and queues its commands (after persisting the state). */
  accept(live: LiveGuard, state: GuardianState, commands: readonly GuardianCommand[]): void {
    live.state = state;
    live.progressAtMs = this.deps.clock.nowMs();
    this.persist(live);
    for (const command of commands) {
      const queued = live.enqueue(
        () => this.execute(live, command),
        (error) =>
          this.deps.logger.error("guardian command failed", {
            intentId: live.meta.intentId,
            command: command.kind,
            error: String(error),
          }),
      );
      if (!queued) {
        this.deps.logger.error("guardian command queue full", { intentId: live.meta.intentId });
      }
    }
  }

  /** Writes the current state to the guard store, after every earlier write, fenced by lease. */
  persist(live: LiveGuard): void {
    if (live.gone) return;
    const value = guardToRecord(live.snapshot());
    live.persisted = live.persisted
      .then(async () => {
        if (live.gone) return;
        const written = await this.hooks.guards.put(live.key, value, this.deps.owner);
        if (!written) this.hooks.apply(live, { kind: "LEASE_LOST" });
      })
      .catch((error: unknown) =>
        this.deps.logger.warn("guard store write failed", {
          intentId: live.meta.intentId,
          error: String(error),
        }),
      );
  }

  private async execute(live: LiveGuard, command: GuardianCommand): Promise<void> {
    if (live.gone) return;
    switch (command.kind) {
      case "CANCEL_TP":
        return this.takeProfit(live, "cancel");
      case "QUERY_TP":
        return this.takeProfit(live, "query");
      case "SEND_EXIT":
        return this.sendExit(live, command.attempt, command.qtySteps);
      case "QUERY_EXIT":
        return this.queryExit(live, command.attempt);
      case "DISARM":
        return this.disarm(live);
      case "RELEASE":
        this.hooks.forget(live);
        return;
      case "ALERT":
        return this.alert(live, command.code, command.message);
    }
  }

  // ---- what the stored rows say ----

  /** Feeds take-profit and exit progress read from the intent's stored orders. */
  observe(live: LiveGuard, state: IntentState): void {
    const { meta } = live;
    const byId = new Map(state.orders.map((order) => [order.orderId, order]));
    const tp = meta.takeProfit;
    if (tp.kind === "ORDER" || tp.kind === "CONDITIONAL") {
      const row = byId.get(tp.orderId);
      if (row !== undefined) this.feedTakeProfit(live, [row]);
    } else if (tp.kind === "LIST") {
      const rows = tp.legOrderIds.flatMap((id) => byId.get(id) ?? []);
      if (rows.length === tp.legOrderIds.length) this.feedTakeProfit(live, rows);
    }
    if (live.state.status !== "EXITING") return;
    const attempt = live.state.exitAttempt;
    const row = byId.get(exitIdentity(meta, live.state, attempt).orderId);
    if (row === undefined || row.status === "PENDING_NEW" || row.status === "UNKNOWN") return;
    const executedSteps = stepsOf(row.filledQty, meta.lotStep);
    if (isTerminal(row.status))
      this.hooks.apply(live, { kind: "EXIT_FINAL", attempt, executedSteps });
    else if (executedSteps > 0n)
      this.hooks.apply(live, { kind: "EXIT_FILL", attempt, executedSteps });
  }

  private feedTakeProfit(live: LiveGuard, rows: readonly Order[]): void {
    let executedSteps = 0n;
    for (const row of rows) executedSteps += stepsOf(row.filledQty, live.meta.lotStep);
    if (rows.every((row) => isTerminal(row.status))) {
      this.hooks.apply(live, { kind: "TP_FINAL", executedSteps });
    } else if (executedSteps > 0n) {
      this.hooks.apply(live, { kind: "TP_FILL", executedSteps });
    }
  }

  // ---- take-profit leg ----

  private async takeProfit(live: LiveGuard, call: TakeProfitCall): Promise<void> {
    const { exchange, mutex, clock } = this.deps;
    const { meta } = live;
    let outcome: TakeProfitOutcome;
    if (call === "cancel") {
      // The cancel runs under the intent's lock through to the exit it lets go: the leg's final
      // state is written in the exit's transaction, and the stream's event for the cancel finds
      // the row already final instead of writing it first.
      outcome = await mutex.run(meta.intentId, async () =>
        this.settleTakeProfit(live, await takeProfitReport(exchange, meta, "cancel")),
      );
    } else {
      const report = await takeProfitReport(exchange, meta, "query");
      live.lastPollMs = clock.nowMs();
      outcome = await mutex.run(meta.intentId, () => this.settleTakeProfit(live, report));
    }
    if (outcome.kind === "absent") return this.takeProfitAbsent(live);
    if (outcome.kind === "exit") return this.afterSend(live, outcome.attempt, outcome.result);
    if (outcome.event !== null) this.hooks.apply(live, outcome.event);
    if (outcome.state !== null) this.observe(live, outcome.state);
    const waiting = live.state.status === "TRIGGERED" && live.state.takeProfitLeg === "WORKING";
    if (call === "cancel" && waiting) this.hooks.apply(live, { kind: "TP_CANCEL_FAILED" });
  }

  /**
   * Inside the intent's lock: folds the take-profit's answer into the stored rows. When the
   * answer lets the exit go (the leg is final and a remainder is left), the step is taken here
   * and the exit is written together with the leg's final state, then sent. A crash before that
   * one write has sent nothing and leaves the leg's row as it was: the venue still knows the leg
   * (a guardian restored as triggered cancels it again; else reconciliation settles the row).
   */
  private async settleTakeProfit(
    live: LiveGuard,
    report: TakeProfitAnswer,
  ): Promise<TakeProfitOutcome> {
    if (report === "ABSENT") return { kind: "absent" };
    if (report === null) return { kind: "settled", state: null, event: null };
    const { meta } = live;
    const step = meta.lotStep;
    const event: GuardianEvent | null =
      report.finalExecuted !== null
        ? { kind: "TP_FINAL", executedSteps: stepsOf(report.finalExecuted, step) }
        : isPositive(report.executed)
          ? { kind: "TP_FILL", executedSteps: stepsOf(report.executed, step) }
          : null;
    const state = await this.deps.ledger.load(meta.intentId);
    const nowMs = this.deps.clock.nowMs();
    const carried =
      state === null ? null : this.foldVenue(live, state, report.orders, report.conditional, nowMs);
    const exit = event === null ? null : this.takeExit(live, event);
    if (exit === null) {
      const saved = state !== null && carried !== null ? await this.save(state, carried) : state;
      return { kind: "settled", state: saved, event };
    }
    // Write-ahead: the guard store says EXITING with this attempt before anything is sent.
    await live.persisted;
    if (live.gone || !live.state.leased) {
      const saved = state !== null && carried !== null ? await this.save(state, carried) : state;
      return { kind: "settled", state: saved, event: null };
    }
    const result = await this.sendExitLocked(live, exit.attempt, exit.qtySteps, { state, carried });
    return { kind: "exit", attempt: exit.attempt, result };
  }

  /**
   * Applies `event` when its step sends an exit, keeping that SEND_EXIT for the caller to run
   * inside its lock (the step's other commands are queued as usual); null, and nothing applied,
   * otherwise.
   */
  private takeExit(live: LiveGuard, event: GuardianEvent): SendExitCommand | null {
    if (live.gone) return null;
    const step = guardianStep(live.state, event);
    if (step.outcome !== "APPLIED") return null;
    const exit = step.commands.find(
      (command): command is SendExitCommand => command.kind === "SEND_EXIT",
    );
    if (exit === undefined) return null;
    this.accept(
      live,
      step.state,
      step.commands.filter((command) => command !== exit),
    );
    return exit;
  }

  /**
   * The venue does not know the take-profit leg. A leg it never acknowledged may still arrive
   * until its receive window has passed (DESIGN §6): until then the guardian asks again later.
   * After it, the leg never arrived: while the guardian is armed it is sent again under the same
   * id (a bounded number of times); once triggered, it executed nothing. A leg the venue once
   * acknowledged executed what the store saw.
   */
  private async takeProfitAbsent(live: LiveGuard): Promise<void> {
    const { meta } = live;
    const tp = meta.takeProfit;
    const ids =
      tp.kind === "ORDER" || tp.kind === "CONDITIONAL"
        ? [tp.orderId]
        : tp.kind === "LIST"
          ? tp.legOrderIds
          : [];
    const windowMs = this.hooks.settings.unknownAfterMs;
    const outcome = await this.deps.mutex.run(meta.intentId, async () => {
      const nowMs = this.deps.clock.nowMs();
      const state = await this.deps.ledger.load(meta.intentId);
      if (state === null) return { executedSteps: 0n };
      const rows = state.orders.filter((order) => ids.includes(order.orderId));
      const unsent = rows.filter((row) => row.exchangeOrderId === null && !isTerminal(row.status));
      const sentAtMs = Math.max(...unsent.map((row) => row.updatedAtMs), 0);
      if (unsent.length > 0 && nowMs - sentAtMs < windowMs) return { dueAtMs: sentAtMs + windowMs };
      const resend = unsent[0];
      const armed = live.state.status === "ARMED";
      if (armed && resend !== undefined && unsent.length === 1 && live.tpResends < tpResendsMax) {
        live.tpResends += 1;
        const resent = await this.resendTakeProfit(live, state, resend);
        if (resent !== null) return resent;
      }
      const closed = unsent.flatMap((row) => {
        const change = applyEvent(row, "REJECTED", nowMs);
        return change.ok ? [change.order] : [];
      });
      if (closed.length > 0) await this.deps.ledger.save(state, { orders: closed });
      let executedSteps = 0n;
      for (const row of rows) executedSteps += stepsOf(row.filledQty, meta.lotStep);
      return { executedSteps };
    });
    if ("dueAtMs" in outcome) {
      live.queryDueAtMs = outcome.dueAtMs;
      return;
    }
    this.hooks.apply(live, { kind: "TP_FINAL", executedSteps: outcome.executedSteps });
  }

  /** Sends a take-profit that never arrived again, same id; null when the venue refuses it. */
  private async resendTakeProfit(
    live: LiveGuard,
    state: IntentState,
    row: Order,
  ): Promise<{ dueAtMs: number } | null> {
    const { exchange, clock } = this.deps;
    const nowMs = clock.nowMs();
    const windowMs = this.hooks.settings.unknownAfterMs;
    if (live.meta.takeProfit.kind === "CONDITIONAL") {
      const answer = await exchange.placeConditional({
        symbol: row.symbol,
        side: row.side,
        type: row.type === "STOP_MARKET" ? "STOP_MARKET" : "TAKE_PROFIT_MARKET",
        triggerPrice: row.stopPrice!,
        workingType: this.hooks.workingType,
        qty: row.qty,
        reduceOnly: true,
        closePosition: false,
        clientAlgoId: row.clientOrderId,
      });
      if (answer.ok) {
        await this.deps.ledger.save(state, { orders: [syncConditional(row, answer.value, nowMs)] });
        return { dueAtMs: nowMs + windowMs };
      }
      return this.resendFailed(state, row, answer.error, nowMs);
    }
    const request = {
      market: row.market,
      symbol: row.symbol,
      side: row.side,
      type: row.type,
      timeInForce: row.timeInForce,
      qty: row.qty,
      price: row.price,
      stopPrice: row.stopPrice,
      clientOrderId: row.clientOrderId,
      reduceOnly: row.reduceOnly,
    };
    let sent = row;
    let answer = await exchange.placeOrder(request);
    if (!answer.ok && answer.error.kind === "POST_ONLY_REJECTED") {
      // The market is already through the target: a plain limit there takes the profit now.
      sent = { ...row, type: "LIMIT", timeInForce: "GTC" };
      answer = await exchange.placeOrder({ ...request, type: "LIMIT", timeInForce: "GTC" });
    }
    if (!answer.ok) return this.resendFailed(state, sent, answer.error, nowMs);
    const synced = syncFromAnswer(sent, answer.value, this.deps.rules, nowMs);
    await this.deps.ledger.save(state, {
      orders: [synced.order],
      fills: synced.newFills,
      outbox: synced.newFills.map((fill) => fillEvent(synced.order, fill)),
    });
    return { dueAtMs: nowMs + windowMs };
  }

  /**
   * An unknown outcome waits out a new window; a definite failure that did not reach the venue
   * (5xx, 429, ban) is tried again shortly; a refusal ends the leg (null).
   */
  private async resendFailed(
    state: IntentState,
    row: Order,
    error: ExchangeError,
    nowMs: number,
  ): Promise<{ dueAtMs: number } | null> {
    const { settings } = this.hooks;
    if (error.kind === "UNAVAILABLE" || error.kind === "RATE_LIMITED" || error.kind === "BANNED") {
      const waitMs = error.kind === "RATE_LIMITED" ? error.retryAfterMs : settings.retryBackoffMs;
      return { dueAtMs: nowMs + Math.max(waitMs, settings.retryBackoffMs) };
    }
    if (error.kind !== "OUTCOME_UNKNOWN") return null;
    const change = applyEvent(row, "OUTCOME_UNKNOWN", nowMs);
    if (change.ok) await this.deps.ledger.save(state, { orders: [change.order] });
    return { dueAtMs: nowMs + settings.unknownAfterMs };
  }

  /** Folds venue answers into the stored rows of the guardian's intent; the saved state. */
  private async saveVenue(
    live: LiveGuard,
    venueOrders: readonly ExchangeOrder[],
    conditional: ConditionalOrder | null,
  ): Promise<IntentState | null> {
    return this.deps.mutex.run(live.meta.intentId, async () => {
      const state = await this.deps.ledger.load(live.meta.intentId);
      if (state === null) return null;
      const nowMs = this.deps.clock.nowMs();
      const changes = this.foldVenue(live, state, venueOrders, conditional, nowMs);
      return changes === null ? state : this.save(state, changes);
    });
  }

  private save(state: IntentState, changes: IntentChanges): Promise<IntentState> {
    return this.deps.ledger.save(state, changes);
  }

  /** The changes venue answers make to the stored rows (matched by client id); null if none. */
  private foldVenue(
    live: LiveGuard,
    state: IntentState,
    venueOrders: readonly ExchangeOrder[],
    conditional: ConditionalOrder | null,
    nowMs: number,
  ): IntentChanges | null {
    const { meta } = live;
    const rules = this.deps.rules.get(meta.market, meta.symbol);
    const changed: Order[] = [];
    const fills: IntentState["fills"][number][] = [];
    for (const venue of venueOrders) {
      const row = state.orders.find(
        (order) => order.clientOrderId === venue.clientOrderId && order.market === meta.market,
      );
      if (row === undefined) continue;
      const synced = syncFromVenue(row, venue, venue.fills, { rules, bookTop3: null }, nowMs);
      if (!synced.changed) continue;
      changed.push(synced.order);
      fills.push(...synced.newFills);
    }
    if (conditional !== null) {
      const row =
        changed.find((order) => order.clientOrderId === conditional.clientAlgoId) ??
        state.orders.find((order) => order.clientOrderId === conditional.clientAlgoId);
      if (row !== undefined && isConditionalLeg(row)) {
        const synced = syncConditional(row, conditional, nowMs);
        if (synced !== row) changed.push(synced);
      }
    }
    if (changed.length === 0) return null;
    return {
      orders: changed,
      fills,
      outbox: fills.map((fill) => {
        const order = changed.find((candidate) => candidate.orderId === fill.orderId)!;
        return fillEvent(order, fill);
      }),
    };
  }

  // ---- exits ----

  private async sendExit(live: LiveGuard, attempt: number, qtySteps: bigint): Promise<void> {
    // Write-ahead: the guard store says EXITING with this attempt before anything is sent.
    await live.persisted;
    if (live.gone || !live.state.leased) return;
    const result = await this.deps.mutex.run(live.meta.intentId, () =>
      this.sendExitLocked(live, attempt, qtySteps),
    );
    await this.afterSend(live, attempt, result);
  }

  /**
   * Writes the exit (with any venue answers `loaded` carries, in the same transaction), sends it,
   * and writes the answer. Runs inside the intent's lock; `loaded` is the intent as read in it.
   */
  private async sendExitLocked(
    live: LiveGuard,
    attempt: number,
    qtySteps: bigint,
    loaded: LoadedIntent | null = null,
  ): Promise<SendResult> {
    const { meta } = live;
    const state = loaded === null ? await this.deps.ledger.load(meta.intentId) : loaded.state;
    if (state === null) return { kind: "leg_gone" };
    const carried = loaded?.carried ?? null;
    const carriedOrders = carried?.orders ?? [];
    // The rows as the carried answers leave them, for finding the exit's own row.
    const rows =
      carriedOrders.length === 0
        ? state
        : { ...state, orders: withOrders(state.orders, carriedOrders) };
    const nowMs = this.deps.clock.nowMs();
    const identity = exitIdentity(meta, live.state, attempt);
    const legRow = rows.orders.find((order) => order.orderId === identity.orderId);
    const exit =
      identity.isLeg && legRow?.status === "CANCELED" && isZero(legRow.filledQty)
        ? "leg_canceled"
        : this.exitOrder(live, rows, identity, fromSteps(qtySteps, meta.lotStep), nowMs);
    if (exit === "leg_canceled" || exit === null) {
      if (carried !== null) await this.deps.ledger.save(state, carried);
      return { kind: exit === null ? "leg_gone" : exit };
    }
    const triggered = recordEvent({
      kind: "GUARD_TRIGGERED",
      tag: `guard-exit-${attempt}`,
      intentId: meta.intentId,
      orderId: exit.orderId,
      payload: {
        market: meta.market,
        symbol: meta.symbol,
        attempt,
        exit_reason: live.state.exitReason,
        trigger_price:
          live.state.triggerPrice === null ? null : formatDecimal(live.state.triggerPrice),
        qty: formatDecimal(exit.qty),
        take_profit_executed: formatDecimal(
          fromSteps(live.state.takeProfitFilledSteps, meta.lotStep),
        ),
        guard: guardToRecord(live.snapshot()),
      },
      stream: null,
      nowMs,
    });
    let current = await this.deps.ledger.save(state, {
      orders: [...carriedOrders, exit],
      fills: carried?.fills ?? [],
      strategyEvents: triggered.strategyEvents,
      alerts: triggered.alerts,
      outbox: [...(carried?.outbox ?? []), ...triggered.outbox],
      guardedOrderIds: new Set([exit.orderId]),
    });
    const sent = await this.placeExit(live, exit);
    const changes: IntentChanges = {
      orders: [sent.order],
      fills: sent.fills,
      outbox: sent.fills.map((fill) => fillEvent(sent.order, fill)),
    };
    current = await this.deps.ledger.save(current, changes);
    live.exitSentAtMs = nowMs;
    this.observe(live, current);
    return sent.result;
  }

  /** The exit for `identity`: the triggered emulated leg (its stop shrunk to what is left), a
   *  resend of an earlier row, or a new market order; null when the leg has already ended. */
  private exitOrder(
    live: LiveGuard,
    state: IntentState,
    identity: ExitIdentity,
    qty: Decimal,
    nowMs: number,
  ): Order | null {
    const existing = state.orders.find((order) => order.orderId === identity.orderId);
    if (identity.isLeg) {
      if (existing === undefined || isTerminal(existing.status)) return null;
      let leg = existing;
      if (leg.status === "NEW") {
        const change = applyEvent(leg, "TRIGGERED", nowMs);
        if (change.ok) leg = change.order;
      }
      return isZero(leg.filledQty) ? { ...leg, qty } : leg;
    }
    if (existing !== undefined) return existing;
    const { meta } = live;
    return newOrder({
      orderId: identity.orderId,
      intentId: meta.intentId,
      clientOrderId: identity.clientOrderId,
      market: meta.market,
      symbol: meta.symbol,
      side: live.state.exitSide,
      type: "MARKET",
      timeInForce: null,
      qty,
      price: null,
      stopPrice: null,
      reduceOnly: meta.market === "FUT",
      role: identity.role,
      parentId: identity.parentId,
      midAtSend: null,
      createdAtMs: nowMs,
    });
  }

  /** Sends the exit as a market order; a client id already in use adopts that order. */
  private async placeExit(
    live: LiveGuard,
    exit: Order,
  ): Promise<{ order: Order; fills: IntentState["fills"][number][]; result: SendResult }> {
    const { exchange, clock, metrics } = this.deps;
    const ref = { market: exit.market, symbol: exit.symbol, clientOrderId: exit.clientOrderId };
    const sentAtMs = clock.nowMs();
    if (live.seenAtMs !== null) {
      metrics.observe("guardian_reaction_ms", sentAtMs - live.seenAtMs);
      live.seenAtMs = null;
    }
    let answer: ExchangeResult<ExchangeOrder> = await exchange.placeOrder({
      market: exit.market,
      symbol: exit.symbol,
      side: exit.side,
      type: "MARKET",
      timeInForce: null,
      qty: exit.qty,
      price: null,
      stopPrice: null,
      clientOrderId: exit.clientOrderId,
      reduceOnly: exit.reduceOnly,
    });
    if (!answer.ok && answer.error.kind === "DUPLICATE_ORDER") {
      const existing = await exchange.queryOrder(ref);
      if (existing.ok) answer = existing;
    }
    const nowMs = clock.nowMs();
    if (answer.ok) {
      const synced = syncFromAnswer(exit, answer.value, this.deps.rules, nowMs);
      return { order: synced.order, fills: [...synced.newFills], result: { kind: "sent" } };
    }
    return this.failedExit(exit, answer.error, nowMs);
  }

  private failedExit(exit: Order, error: ExchangeError, nowMs: number) {
    const unchanged = { order: exit, fills: [] };
    switch (error.kind) {
      case "OUTCOME_UNKNOWN": {
        const change = applyEvent(exit, "OUTCOME_UNKNOWN", nowMs);
        const order = change.ok ? change.order : exit;
        return { order, fills: [], result: { kind: "unknown" } as SendResult };
      }
      case "UNAVAILABLE":
        return { ...unchanged, result: { kind: "retry", waitMs: 0 } as SendResult };
      case "RATE_LIMITED":
        return {
          ...unchanged,
          result: { kind: "retry", waitMs: error.retryAfterMs } as SendResult,
        };
      case "BANNED":
        return {
          ...unchanged,
          result: { kind: "retry", waitMs: Math.max(0, error.untilMs - nowMs) } as SendResult,
        };
      default: {
        this.deps.logger.warn("guardian exit refused", {
          intentId: exit.intentId,
          clientOrderId: exit.clientOrderId,
          error: `${error.kind}: ${error.message}`,
        });
        const change = applyEvent(exit, "REJECTED", nowMs);
        const order = change.ok ? change.order : exit;
        return { order, fills: [], result: { kind: "refused" } as SendResult };
      }
    }
  }

  private async afterSend(live: LiveGuard, attempt: number, result: SendResult): Promise<void> {
    const { clock } = this.deps;
    const { settings } = this.hooks;
    switch (result.kind) {
      case "sent":
      case "refused":
        return;
      case "unknown":
        live.queryDueAtMs = clock.nowMs() + settings.retryBackoffMs;
        return;
      case "leg_canceled":
        // Someone cancelled the stop this guardian stands for: it steps down, nothing is sold.
        this.deps.logger.warn("guardian stood down: its leg was cancelled", {
          intentId: live.meta.intentId,
        });
        await this.disarm(live);
        return;
      case "leg_gone":
        this.hooks.apply(live, {
          kind: "EXIT_FINAL",
          attempt,
          executedSteps: live.state.exitFilledSteps,
        });
        return;
      case "retry": {
        if (live.resendsAttempt !== attempt) {
          live.resendsAttempt = attempt;
          live.resends = 0;
        }
        live.resends += 1;
        if (live.resends > settings.exitResendMax) {
          const executedSteps = live.state.exitFilledSteps;
          this.hooks.apply(live, { kind: "EXIT_FINAL", attempt, executedSteps });
          return;
        }
        await clock.sleepMs(Math.max(result.waitMs, settings.retryBackoffMs * live.resends));
        this.hooks.apply(live, { kind: "EXIT_ABSENT", attempt });
        return;
      }
    }
  }

  private async queryExit(live: LiveGuard, attempt: number): Promise<void> {
    const { meta } = live;
    const identity = exitIdentity(meta, live.state, attempt);
    const ref = { market: meta.market, symbol: meta.symbol, clientOrderId: identity.clientOrderId };
    const answer = await this.deps.exchange.queryOrder(ref);
    const nowMs = this.deps.clock.nowMs();
    if (answer.ok) {
      const state = await this.saveVenue(live, [answer.value], null);
      if (state !== null) this.observe(live, state);
      return;
    }
    if (answer.error.kind !== "UNKNOWN_ORDER") {
      live.queryDueAtMs = nowMs + this.hooks.settings.retryBackoffMs;
      return;
    }
    const state = await this.deps.ledger.load(meta.intentId);
    const row = state?.orders.find((order) => order.orderId === identity.orderId);
    const sentAtMs = live.exitSentAtMs ?? row?.updatedAtMs ?? meta.armedAtMs;
    // Not found yet: it may still arrive until its receive window has passed (DESIGN §6).
    if (nowMs - sentAtMs < this.hooks.settings.unknownAfterMs) {
      live.queryDueAtMs = sentAtMs + this.hooks.settings.unknownAfterMs;
      return;
    }
    this.hooks.apply(live, { kind: "EXIT_ABSENT", attempt });
  }

  // ---- disarm and alerts ----

  private async disarm(live: LiveGuard): Promise<void> {
    await live.persisted;
    const { meta } = live;
    const status = live.state.status;
    const nowMs = this.deps.clock.nowMs();
    await this.deps.mutex.run(meta.intentId, async () => {
      const state = await this.deps.ledger.load(meta.intentId);
      if (state === null) return;
      const ids = protectionIds(meta.intentId);
      const emulated = [
        meta.stopLeg ? ids.guardStop.orderId : null,
        meta.takeProfitLeg ? ids.guardTarget.orderId : null,
      ];
      const closed: Order[] = [];
      for (const order of state.orders) {
        if (!emulated.includes(order.orderId) || isTerminal(order.status)) continue;
        const change = applyEvent(order, "CANCELED", nowMs);
        if (change.ok) closed.push(change.order);
      }
      const recorded = recordEvent({
        kind: "GUARD_DISARMED",
        tag: `guard-disarmed-${meta.role.toLowerCase()}`,
        intentId: meta.intentId,
        orderId: null,
        payload: {
          market: meta.market,
          symbol: meta.symbol,
          state: status.toLowerCase(),
          guard: guardToRecord(live.snapshot()),
        },
        stream: null,
        nowMs,
      });
      await this.deps.ledger.save(state, { orders: closed, ...recorded });
    });
    this.hooks.forget(live);
    await this.hooks.guards
      .remove(live.key, this.deps.owner)
      .catch((error: unknown) =>
        this.deps.logger.warn("guard store remove failed", { error: String(error) }),
      );
  }

  private async alert(live: LiveGuard, code: GuardianAlertCode, message: string): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    const { meta } = live;
    const recorded = recordAlert({
      level: alertLevels[code],
      code: `GUARD_${code}`,
      message: `${meta.symbol} ${meta.intentId}: ${message}`,
      intentId: meta.intentId,
      tag: `${live.state.status.toLowerCase()}-${live.state.exitAttempt}-${nowMs}`,
      refs: { symbol: meta.symbol, market: meta.market },
      nowMs,
    });
    if (alertLevels[code] !== "WARN") this.deps.logger.error(recorded.alerts[0]!.message, { code });
    await this.deps.store.commit({ alerts: recorded.alerts, outbox: recorded.outbox });
  }
}
