// Protection as one unit for the composition root: it wraps the execution policies (futures symbol
// setup before an entry, SL/TP after it), provides the spot OCO policy, listens to order changes
// (exclusivity of futures legs, deferred protection of entries that fill later, guardian fills),
// feeds the guardian prices, plugs into cancels (cascade, algo and emulated legs) and sweeps.

import { isPositive } from "../../domain/decimal/index.ts";
import { isTerminal, type PolicyType } from "../../domain/order/index.ts";
import type {
  ExchangeEvent,
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
  OrderList,
} from "../../ports/exchange-gateway.ts";
import type { GuardStore } from "../../ports/guard-store.ts";
import {
  defaultGuardianSettings,
  GuardianRunner,
  type GuardianSettings,
} from "../guardian/guardian-runner.ts";
import type { CancelRequest } from "../cancel-order/cancel-order.ts";
import type { PolicyExecutor } from "../place-order/policy-executor.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { FuturesProtection } from "./futures-protection.ts";
import { LegMonitor } from "./leg-monitor.ts";
import { ProtectedExecutor } from "./protected-executor.ts";
import { ProtectionCancel } from "./protection-cancel.ts";
import { closedPlaceholders } from "./placeholders.ts";
import { type ProtectionContext, parentOf } from "./protection-context.ts";
import {
  type ProtectionRequest,
  protectionRequestFromStored,
  wantsProtection,
} from "./protection-request.ts";
import { defaultProtectionSettings, type ProtectionSettings } from "./protection-settings.ts";
import { ProtectionSweep, type SweepOptions, type SweepReport } from "./protection-sweep.ts";
import { reconcileView } from "./reconcile-view.ts";
import { SpotOcoExecutor } from "./spot-oco-executor.ts";
import { SpotProtection } from "./spot-protection.ts";
import { SymbolSetup } from "./symbol-setup.ts";

export interface ProtectionDeps extends Omit<ProtectionContext, "guardian" | "settings"> {
  readonly guards: GuardStore;
  /** This instance's id for guardian leases. */
  readonly owner: string;
  readonly settings?: Partial<ProtectionSettings>;
  readonly guardianSettings?: Partial<GuardianSettings>;
}

const protectionEventKinds = new Set(["TP_SL_PLACED", "OCO_ARMED", "GUARD_ARMED"]);

/** The periodic job's cadence: pending protection and the guardian's tick. */
export const periodicEveryMs = 1_000;
/** Working legs are asked for this often, and every `streamDownPollMs` while events are lost. */
export const venueSweepEveryMs = 30_000;
export const streamDownPollMs = 500;

export class Protection {
  readonly context: ProtectionContext;
  readonly guardian: GuardianRunner;
  readonly futures: FuturesProtection;
  readonly spot: SpotProtection;
  readonly monitor: LegMonitor;
  readonly symbols: SymbolSetup;
  private readonly canceller: ProtectionCancel;
  private readonly sweeper: ProtectionSweep;
  private userStreamUp = true;
  private reconnected = false;
  private started = false;
  private lastVenueSweepMs = 0;

  constructor(deps: ProtectionDeps) {
    const settings = { ...defaultProtectionSettings, ...deps.settings };
    const guardianSettings = { ...defaultGuardianSettings, ...deps.guardianSettings };
    this.guardian = new GuardianRunner({
      ...deps,
      settings: guardianSettings,
      workingType: settings.workingType,
    });
    this.context = { ...deps, guardian: this.guardian, settings };
    this.futures = new FuturesProtection(this.context);
    this.spot = new SpotProtection(this.context);
    this.monitor = new LegMonitor(this.context);
    this.symbols = new SymbolSetup(deps.exchange, settings, deps.logger, deps.metrics);
    this.canceller = new ProtectionCancel(this.context, this.monitor, (state, request) =>
      this.afterEntry(state, request),
    );
    this.sweeper = new ProtectionSweep(
      this.context,
      this.monitor,
      (state, request) => this.afterEntry(state, request),
      guardianSettings.unknownAfterMs,
    );
  }

  // ---- execution policies ----

  /** Every policy wrapped (symbol setup, SL/TP after the entry, PROTECT intents), plus OCO. */
  executors(
    inner: Partial<Record<PolicyType, PolicyExecutor>>,
    sendOco = true,
  ): Partial<Record<PolicyType, PolicyExecutor>> {
    const wrapped: Partial<Record<PolicyType, PolicyExecutor>> = {};
    for (const [type, executor] of Object.entries(inner) as [PolicyType, PolicyExecutor][]) {
      wrapped[type] = type === "OCO" ? executor : new ProtectedExecutor(executor, this);
    }
    if (sendOco && wrapped.OCO === undefined) wrapped.OCO = new SpotOcoExecutor(this);
    return wrapped;
  }

  wrap(executor: PolicyExecutor): PolicyExecutor {
    return new ProtectedExecutor(executor, this);
  }

  /**
   * Protects the intent's filled entry if it asked for protection and has none yet; closes the
   * written-ahead legs of an entry that ended with nothing filled. Inside the intent's lock.
   */
  async afterEntry(state: IntentState, request: ProtectionRequest): Promise<IntentState> {
    if (!wantsProtection(request)) return state;
    if (!isTerminal(parentOf(state).status)) return state;
    if (!state.fills.some((fill) => isPositive(fill.qty))) {
      const closed = closedPlaceholders(state, this.context.clock.nowMs());
      return closed.length === 0 ? state : this.context.ledger.save(state, { orders: closed });
    }
    if (await this.handled(state)) return state;
    return request.market === "FUT"
      ? this.futures.protect(state, request)
      : this.spot.protect(state, request);
  }

  /** Protection already ran for this intent (its TP_SL_PLACED / OCO_ARMED / GUARD_ARMED). */
  private async handled(state: IntentState): Promise<boolean> {
    const events = await this.context.store.strategyEvents(state.record.intentId);
    return events.some((event) => protectionEventKinds.has(event.kind));
  }

  // ---- feeds ----

  /** TrackOrders listener (runs inside the intent's lock). */
  async onIntentChange(state: IntentState): Promise<void> {
    const current = await this.monitor.check(state);
    this.guardian.onIntentChange(current);
    const request = protectionRequestFromStored(current.record.request);
    if (request !== null && wantsProtection(request)) await this.afterEntry(current, request);
  }

  /** A spot order list changed: settle its legs (their own events may have been lost). */
  onOrderListUpdate(list: Omit<OrderList, "orders">): Promise<void> {
    return this.sweeper.settleList(list, (state) => this.guardian.onIntentChange(state));
  }

  /** Prices for the guardian; a reconnect re-asks every guardian. Cheap: call for every event. */
  onExchangeEvent(event: ExchangeEvent): void {
    if (event.kind === "MARK_PRICE" || event.kind === "BOOK_TOP") {
      this.guardian.onMarketEvent(event);
    } else if (event.kind === "STREAM_STATE" && event.stream === "USER") {
      this.userStreamUp = event.connected;
      if (event.connected) {
        this.reconnected = true;
        this.guardian.onStreamReconnected();
      }
    }
  }

  /**
   * The user-data stream is down: fills and triggers are not pushed, so whoever drives the sweep
   * should poll the working legs often (a leg that executes unseen must not leave its sibling
   * working for long).
   */
  userStreamDown(): boolean {
    return !this.userStreamUp;
  }

  // ---- cancels ----

  /** CancelOrder's venue hook: algo legs and emulated legs; null for every other order. */
  cancelVenueOrder(
    order: Parameters<ProtectionCancel["cancelVenueOrder"]>[0],
    request: CancelRequest,
  ): Promise<ExchangeResult<ExchangeOrder>> | null {
    return this.canceller.cancelVenueOrder(order, request);
  }

  /** CancelOrder's cascade hook. */
  cascade(
    state: IntentState,
    canceled: Parameters<ProtectionCancel["cascade"]>[1],
    request: CancelRequest,
  ): Promise<{ state: IntentState; canceledIds: readonly string[] }> {
    return this.canceller.cascade(state, canceled, request);
  }

  // ---- lifecycle ----

  /** At start: guardians back from the guard store and the order store, then one sweep. */
  async start(): Promise<number> {
    const restored = await this.guardian.restore();
    await this.sweep();
    this.started = true;
    this.lastVenueSweepMs = this.context.clock.nowMs();
    return restored;
  }

  /**
   * The periodic job for a driver loop (main.ts): restores at its first run, then every run
   * resumes pending protection and ticks the guardian, and asks the venue about working legs
   * every `venueSweepEveryMs`, after a reconnect, and continuously while the user stream is down.
   * Answers how long to wait before the next run.
   */
  async runPeriodic(): Promise<number> {
    if (!this.started) {
      await this.start();
      return periodicEveryMs;
    }
    const nowMs = this.context.clock.nowMs();
    const venue =
      this.reconnected || !this.userStreamUp || nowMs - this.lastVenueSweepMs >= venueSweepEveryMs;
    if (venue) {
      this.reconnected = false;
      this.lastVenueSweepMs = nowMs;
    }
    await this.sweep({ venue });
    return this.userStreamUp ? periodicEveryMs : streamDownPollMs;
  }

  /**
   * Resumes protection written ahead but not placed; with `venue`, also re-queries working legs
   * and applies exclusivity. Then the guardian's tick.
   */
  async sweep(options: SweepOptions = { venue: true }): Promise<SweepReport> {
    const report = await this.sweeper.runOnce(options);
    await this.guardian.tick();
    return report;
  }

  /** Order reconciliation's view of the venue (see reconcile-view.ts). */
  reconcileView(exchange: ExchangeGateway): ExchangeGateway {
    return reconcileView(exchange);
  }
}
