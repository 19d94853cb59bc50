// Runs guardians (DESIGN §5): feeds the domain's transition table with mark or mid prices, fills of
// the take-profit leg and of exits, and the answers of its own commands; executes the commands
// (cancel the take-profit first, then sell only what is left); keeps each guardian in the guard
// store under a lease and in the order store as GUARD_* events, and restores them after a restart.

import { add, type Decimal, div, fromSteps, isPositive, zero } from "../../domain/decimal/index.ts";
import {
  type GuardianEvent,
  type GuardianState,
  guardianStep,
  touchedTrigger,
} from "../../domain/protection/index.ts";
import type { ExchangeEvent, WorkingType } from "../../ports/exchange-gateway.ts";
import type { GuardStore } from "../../ports/guard-store.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { type Guard, guardFromRecord, type GuardMeta } from "./guard-model.ts";
import { GuardianCommands, type GuardianContext, stepsOf } from "./guardian-commands.ts";
import { LiveGuard } from "./live-guard.ts";
import { type ArmRequest, type PreparedArm, prepareArm } from "./prepare-arm.ts";

export type { ArmRequest, PreparedArm } from "./prepare-arm.ts";

export interface GuardianSettings {
  /** How long a lease holds without renewal; another instance takes over after it. */
  readonly leaseMs: number;
  readonly renewEveryMs: number;
  /** How often unowned guards in the guard store are looked for. */
  readonly takeoverEveryMs: number;
  /** Guardians this process runs at most. */
  readonly guardsMax: number;
  /** Open orders read from the store when restoring. */
  readonly restoreScanMax: number;
  /** An exit the venue does not know may still arrive until this long after it was sent. */
  readonly unknownAfterMs: number;
  /** Resends of one exit attempt after definite, retryable failures (5xx, 429). */
  readonly exitResendMax: number;
  readonly retryBackoffMs: number;
  /** A triggered or exiting guardian that has not moved for this long is re-asked. */
  readonly stuckAfterMs: number;
  /** An armed guardian's venue take-profit is re-queried this often (missed events). */
  readonly pollTakeProfitEveryMs: number;
}

export const defaultGuardianSettings: GuardianSettings = {
  leaseMs: 15_000,
  renewEveryMs: 5_000,
  takeoverEveryMs: 5_000,
  guardsMax: 10_000,
  restoreScanMax: 5_000,
  unknownAfterMs: 10_000,
  exitResendMax: 5,
  retryBackoffMs: 250,
  stuckAfterMs: 2_000,
  pollTakeProfitEveryMs: 30_000,
};

export interface GuardianDeps extends GuardianContext {
  readonly guards: GuardStore;
  readonly settings: GuardianSettings;
  /** What a futures take-profit sent again triggers on (S4_WORKING_TYPE). */
  readonly workingType?: WorkingType;
}

export type DisarmOutcome = "NONE" | "DISARMED" | "EXITING";

interface LastPrice {
  readonly price: Decimal;
  readonly tsMs: number;
}

function priceKey(meta: Pick<GuardMeta, "market" | "symbol" | "priceSource">): string {
  return `${meta.market}:${meta.symbol}:${meta.priceSource}`;
}

export class GuardianRunner {
  private readonly live = new Map<string, LiveGuard>();
  private readonly watching = new Map<string, Set<string>>();
  private readonly lastPrices = new Map<string, LastPrice>();
  private readonly commands: GuardianCommands;
  private lastTakeoverMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: GuardianDeps) {
    this.commands = new GuardianCommands(deps, {
      apply: (guard, event) => this.apply(guard, event),
      forget: (guard) => this.forget(guard),
      settings: deps.settings,
      guards: deps.guards,
      workingType: deps.workingType ?? "MARK_PRICE",
    });
  }

  size(): number {
    return this.live.size;
  }

  /** The guardian of an intent as this process runs it; null when it runs none. */
  stateOf(intentId: string): GuardianState | null {
    return this.live.get(intentId)?.state ?? null;
  }

  /** How long an order sent with an unknown outcome may still arrive (settings). */
  unknownAfterMs(): number {
    return this.deps.settings.unknownAfterMs;
  }

  /** PRIMARY when this process runs a guardian that is the intent's stop, else BACKSTOP or null. */
  roleOf(intentId: string): GuardMeta["role"] | null {
    return this.live.get(intentId)?.meta.role ?? null;
  }

  /** Virtual legs, guard events and streams for `request`; the caller saves them, then activates. */
  prepareArm(request: ArmRequest): PreparedArm {
    return prepareArm(request);
  }

  /** Starts a prepared guardian (after its rows are saved): lease, guard store, price feed. */
  async activate(prepared: PreparedArm): Promise<boolean> {
    const { guard } = prepared;
    if (this.live.has(guard.meta.intentId)) return true;
    if (this.live.size >= this.deps.settings.guardsMax) {
      this.deps.logger.error("guardian not started: too many guardians", {
        intentId: guard.meta.intentId,
      });
      return false;
    }
    const key = { symbol: guard.meta.symbol, intentId: guard.meta.intentId };
    const leased = await this.deps.guards
      .acquireLease(key, this.deps.owner, this.deps.settings.leaseMs)
      .catch((error: unknown) => {
        // The guard store is down: guard locally all the same, and persist when it is back.
        this.deps.logger.warn("guard lease unavailable; guarding locally", {
          error: String(error),
        });
        return true;
      });
    if (!leased) return false;
    const live = this.register(guard);
    this.commands.persist(live);
    const last = this.lastPrices.get(priceKey(guard.meta));
    if (last !== undefined) this.onPrice(live, last.price, last.tsMs);
    return true;
  }

  // ---- feeds ----

  /** Mark and book prices; cheap unless a trigger is touched. */
  onMarketEvent(event: ExchangeEvent): void {
    let key: string;
    let price: Decimal;
    if (event.kind === "MARK_PRICE") {
      key = `FUT:${event.symbol}:MARK`;
      price = event.markPrice;
    } else if (event.kind === "BOOK_TOP") {
      if (!isPositive(event.bid) || !isPositive(event.ask)) return;
      key = `${event.market}:${event.symbol}:MID`;
      const scale = Math.max(event.bid.scale, event.ask.scale) + 1;
      price = div(add(event.bid, event.ask), { units: 2n, scale: 0 }, scale, "half_up");
    } else {
      return;
    }
    this.lastPrices.set(key, { price, tsMs: event.tsMs });
    const ids = this.watching.get(key);
    if (ids === undefined) return;
    for (const id of ids) {
      const live = this.live.get(id);
      if (live !== undefined) this.onPrice(live, price, event.tsMs);
    }
  }

  private onPrice(live: LiveGuard, price: Decimal, tsMs: number): void {
    if (live.state.status !== "ARMED" || !live.state.leased) return;
    if (touchedTrigger(live.state, price) === null) return;
    live.seenAtMs = this.deps.clock.nowMs();
    this.apply(live, { kind: "PRICE", price, tsMs });
  }

  /** After the intent's rows changed (fills, cancels): what they say about its legs and exits. */
  onIntentChange(state: IntentState): void {
    const live = this.live.get(state.record.intentId);
    if (live !== undefined) this.commands.observe(live, state);
  }

  /** A user-data stream came back: whatever was missed is asked for again. */
  onStreamReconnected(): void {
    for (const live of this.live.values()) this.apply(live, { kind: "RESTORE" });
  }

  /**
   * A cancel of the guardian's leg: disarms unless it is already exiting. The take-profit leg is
   * cancelled by the guardian only when asked; a cancel cascade cancels it itself.
   */
  disarmForCancel(intentId: string, cancelTakeProfit: boolean): DisarmOutcome {
    const live = this.live.get(intentId);
    if (live === undefined) return "NONE";
    const step = guardianStep(live.state, { kind: "DISARM" });
    if (step.outcome === "REFUSED") return "EXITING";
    if (step.outcome !== "APPLIED") return "NONE";
    const commands = step.commands.filter(
      (command) => cancelTakeProfit || command.kind !== "CANCEL_TP",
    );
    this.commands.accept(live, step.state, commands);
    return "DISARMED";
  }

  // ---- steps ----

  private apply(live: LiveGuard, event: GuardianEvent): void {
    if (live.gone) return;
    const step = guardianStep(live.state, event);
    if (step.outcome !== "APPLIED") return;
    this.commands.accept(live, step.state, step.commands);
  }

  private register(guard: Guard): LiveGuard {
    const live = new LiveGuard(guard.meta, guard.state, this.deps.clock.nowMs());
    this.live.set(guard.meta.intentId, live);
    const key = priceKey(guard.meta);
    const ids = this.watching.get(key) ?? new Set<string>();
    ids.add(guard.meta.intentId);
    this.watching.set(key, ids);
    return live;
  }

  private forget(live: LiveGuard): void {
    live.gone = true;
    if (this.live.get(live.meta.intentId) === live) this.live.delete(live.meta.intentId);
    const key = priceKey(live.meta);
    const ids = this.watching.get(key);
    ids?.delete(live.meta.intentId);
    if (ids?.size === 0) this.watching.delete(key);
  }

  // ---- lifecycle ----

  /**
   * After a start: every guardian in the guard store, then every guardian the order store still
   * shows (an open leg of an intent whose last GUARD_* event is not a disarm), that this instance
   * can lease. Each is fed RESTORE, which re-asks whatever it was waiting on.
   */
  async restore(): Promise<number> {
    let restored = 0;
    const stored = await this.deps.guards.list(this.deps.settings.guardsMax).catch(() => []);
    for (const entry of stored) {
      if (await this.adopt(entry.value)) restored += 1;
    }
    const open = await this.deps.store.openOrders(this.deps.settings.restoreScanMax);
    const intents = new Set(
      open.filter((order) => order.role === "SL" || order.role === "TP").map((o) => o.intentId),
    );
    for (const intentId of intents) {
      if (this.live.has(intentId)) continue;
      const record = await this.latestGuardRecord(intentId);
      if (record !== null && (await this.adopt(record))) restored += 1;
    }
    return restored;
  }

  private async latestGuardRecord(intentId: string): Promise<unknown | null> {
    const events = await this.deps.store.strategyEvents(intentId);
    for (let index = events.length - 1; index >= 0; index -= 1) {
      const event = events[index]!;
      if (event.kind === "GUARD_DISARMED") return null;
      if (event.kind === "GUARD_ARMED" || event.kind === "GUARD_TRIGGERED") {
        return event.payload["guard"] ?? null;
      }
    }
    return null;
  }

  /** Takes a stored guardian over if its lease can be had; the guard store's copy wins. */
  private async adopt(record: unknown): Promise<boolean> {
    const decoded = guardFromRecord(record);
    if (!decoded.ok) {
      this.deps.logger.error("guard record unreadable", { problem: decoded.message });
      return false;
    }
    const { meta } = decoded.guard;
    if (this.live.has(meta.intentId) || this.live.size >= this.deps.settings.guardsMax) {
      return false;
    }
    const key = { symbol: meta.symbol, intentId: meta.intentId };
    let guard = decoded.guard;
    const newer = await this.deps.guards.get(key).catch(() => null);
    if (newer !== null) {
      const fresher = guardFromRecord(newer);
      if (fresher.ok) guard = fresher.guard;
    }
    const leased = await this.deps.guards
      .acquireLease(key, this.deps.owner, this.deps.settings.leaseMs)
      .catch(() => false);
    if (!leased || this.live.has(meta.intentId)) return false;
    const live = this.register(guard);
    this.apply(live, { kind: "RESTORE" });
    this.deps.logger.info("guardian restored", {
      intentId: meta.intentId,
      status: live.state.status,
    });
    return true;
  }

  /**
   * Periodic work (driven from outside): renew leases (a lost one stops this instance acting),
   * re-ask guardians that stopped moving or have a query due, poll venue take-profits, and take
   * over guardians whose owner has gone.
   */
  async tick(): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    const { settings } = this.deps;
    for (const live of [...this.live.values()]) {
      if (nowMs - live.lastRenewMs >= settings.renewEveryMs) await this.renew(live, nowMs);
      if (live.gone || !live.idle()) continue;
      if (this.needsRestore(live, nowMs)) {
        live.queryDueAtMs = null;
        live.lastPollMs = nowMs;
        this.apply(live, { kind: "RESTORE" });
      }
    }
    if (nowMs - this.lastTakeoverMs >= settings.takeoverEveryMs) {
      this.lastTakeoverMs = nowMs;
      const stored = await this.deps.guards.list(settings.guardsMax).catch(() => []);
      for (const entry of stored) {
        if (!this.live.has(entry.key.intentId)) await this.adopt(entry.value);
      }
    }
  }

  private needsRestore(live: LiveGuard, nowMs: number): boolean {
    const { settings } = this.deps;
    const { status, takeProfitLeg } = live.state;
    if (live.queryDueAtMs !== null) return live.queryDueAtMs <= nowMs;
    if (status === "TRIGGERED" || status === "EXITING") {
      return nowMs - live.progressAtMs >= settings.stuckAfterMs;
    }
    return (
      status === "ARMED" &&
      takeProfitLeg === "WORKING" &&
      nowMs - live.lastPollMs >= settings.pollTakeProfitEveryMs
    );
  }

  private async renew(live: LiveGuard, nowMs: number): Promise<void> {
    live.lastRenewMs = nowMs;
    const held = await this.deps.guards
      .acquireLease(live.key, this.deps.owner, this.deps.settings.leaseMs)
      .catch(() => true);
    if (!held) this.apply(live, { kind: "LEASE_LOST" });
  }

  /** Resolves once every queued command and write has run (tests, shutdown). */
  async drain(rounds = 50): Promise<void> {
    for (let round = 0; round < rounds; round += 1) {
      const pending = [...this.live.values()].filter((live) => !live.idle());
      if (pending.length === 0) return;
      await Promise.all(pending.map((live) => live.chain));
    }
  }

  /** Total steps the guardian of an intent has exited (take-profit + exits), for tests. */
  exitedQty(intentId: string): Decimal {
    const live = this.live.get(intentId);
    if (live === undefined) return zero;
    const { state, meta } = live;
    return fromSteps(
      state.takeProfitFilledSteps + state.exitSettledSteps + state.exitFilledSteps,
      meta.lotStep,
    );
  }
}

export { stepsOf };
