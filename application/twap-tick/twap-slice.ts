// One TWAP slice, run under its intent's lock by whoever holds the task's lease (DESIGN §4, §8).
// Idempotent by derived ids: a slice whose orders already exist (a crashed or slow instance got
// there first) is settled from the venue, never sent again blindly. A cancelled parent stops the
// plan; the liquidity probe can delay a market slice, split it, or turn it into a capped limit.

import {
  add,
  countSteps,
  type Decimal,
  formatDecimal,
  fromSteps,
  isPositive,
  sub,
  zero,
} from "../../domain/decimal/index.ts";
import {
  fillRatio,
  routeFor,
  type RouteRow,
  sliceQuantities,
  slippageCapPrice,
  twapSliceCountMax,
} from "../../domain/execution/index.ts";
import type { SymbolRules } from "../../domain/instrument/index.ts";
import {
  childClientOrderId,
  clientOrderIdBase,
  isTerminal,
  newOrder,
  type Order,
  type ResultExec,
  routerOrderId,
} from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { BookSnapshot, ExchangeError, ExchangeGateway } from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { MarketData } from "../../ports/market-data.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { OutboxEvent, StrategyEvent } from "../../ports/order-store.ts";
import type {
  ClaimedTwapTask,
  TwapPlannedSlice,
  TwapQueue,
  TwapTask,
} from "../../ports/twap-queue.ts";
import { jsonInputs, type MakerTakerLegs } from "../place-order/maker-taker-leg.ts";
import { probeInputs, probeLimits, probeSend } from "../place-order/liquidity.ts";
import { sliceClientSuffix, sliceOrderRole } from "../place-order/twap.ts";
import type { ExecutionMetrics } from "../shared/execution-metrics.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import { bookTop3, midPrice } from "../shared/market.ts";
import { errorCode, sendOrder } from "../shared/order-sender.ts";
import { type RecordedDecision, routeDecision } from "../shared/router-events.ts";
import type { RouteTableHolder } from "../shared/route-table-holder.ts";
import type { RuleBook } from "../shared/rule-book.ts";
import type { SpreadTracker } from "../shared/spread-tracker.ts";
import { fillEvent, syncFromVenue } from "../shared/venue-sync.ts";
import { childrenOf, finalizeParent, rollUpParent } from "../shared/virtual-parent.ts";

export interface TwapSliceSettings {
  readonly leaseMs: number;
  /** After this long an order the venue does not know can no longer arrive (recvWindow + margin). */
  readonly unknownAfterMs: number;
  /** The finest split the probe may ask for (S4_TWAP_MAX_SLICES). */
  readonly splitSlicesMax: number;
  /** Probe splits per plan; past it a wide market is met with a capped limit instead. */
  readonly probeSplitsMax: number;
  /** How long a slice waits when it cannot run yet (rules not loaded, venue unreachable). */
  readonly retryMs: number;
  /** Resends of a slice order the venue refused without acting (429, 418, 503). */
  readonly sendRetriesMax: number;
  readonly sendRetryWaitMsMax: number;
}

export const defaultTwapSliceSettings: TwapSliceSettings = {
  leaseMs: 30_000,
  unknownAfterMs: 10_000,
  splitSlicesMax: 4,
  probeSplitsMax: 1,
  retryMs: 1_000,
  sendRetriesMax: 3,
  sendRetryWaitMsMax: 2_000,
};

export interface TwapSliceDeps {
  readonly clock: Clock;
  readonly exchange: ExchangeGateway;
  readonly metrics: Metrics;
  readonly queue: TwapQueue;
  readonly ledger: IntentLedger;
  readonly marketData: MarketData;
  readonly spreads: SpreadTracker;
  readonly stats: ExecutionMetrics;
  readonly rules: RuleBook;
  readonly routeTable: RouteTableHolder;
  readonly legs: MakerTakerLegs;
  readonly logger: Logger;
  readonly settings: TwapSliceSettings;
}

export type SliceOutcome = "done" | "rescheduled" | "dropped" | "lease_lost";

interface SliceIds {
  readonly main: { orderId: string; clientOrderId: string };
  readonly reprice: { orderId: string; clientOrderId: string };
  readonly taker: { orderId: string; clientOrderId: string };
}

interface SliceRun {
  readonly task: ClaimedTwapTask;
  readonly owner: string;
  readonly slice: TwapPlannedSlice;
  readonly parent: Order;
  readonly rules: SymbolRules;
  readonly row: RouteRow;
  readonly ids: SliceIds;
  readonly startedMs: number;
  state: IntentState;
  failure: { code: string; message: string } | null;
  /** The one-hour spread mean before the last snapshot's sample. */
  meanBeforeSample: number | null;
  /** Decisions not yet written (they go with the next save). */
  readonly decisions: RecordedDecision[];
}

export function sliceIds(intentId: string, index: number): SliceIds {
  const base = clientOrderIdBase(intentId);
  const ids = (part: "main" | "reprice" | "taker") => ({
    orderId: routerOrderId(intentId, sliceOrderRole(index, part)),
    clientOrderId: childClientOrderId(base, sliceClientSuffix(index, part)),
  });
  return { main: ids("main"), reprice: ids("reprice"), taker: ids("taker") };
}

export class TwapSlices {
  constructor(private readonly deps: TwapSliceDeps) {}

  /** Runs the task's slice; the caller holds the intent's lock and the task's lease. */
  async run(task: ClaimedTwapTask, owner: string): Promise<SliceOutcome> {
    const { deps } = this;
    const state = await deps.ledger.load(task.intentId);
    const parent = state?.orders.find((order) => order.orderId === state.record.orderId);
    const slice = task.slices[task.sliceIndex];
    if (state === null || parent === undefined || slice === undefined) {
      deps.logger.warn("TWAP task without its intent or slice; dropped", {
        intentId: task.intentId,
      });
      await deps.queue.complete(task.intentId, owner, null);
      return "dropped";
    }
    // A cancelled (or otherwise finished) parent stops whatever is left of the plan; what its
    // slices filled becomes the parent's own.
    if (isTerminal(parent.status)) {
      const children = childrenOf(parent, state.orders);
      const rejected = children.some((order) => order.status === "REJECTED");
      await deps.ledger.save(state, {
        orders: [finalizeParent(parent, children, rejected, deps.clock.nowMs())],
      });
      await deps.queue.complete(task.intentId, owner, null);
      return "dropped";
    }
    const rules = deps.rules.get(parent.market, parent.symbol);
    if (rules === null) return this.reschedule(task, owner, { dueMs: this.later() });
    const run: SliceRun = {
      task,
      owner,
      slice,
      parent,
      rules,
      row: routeFor(deps.routeTable.current(), parent.market, parent.symbol),
      ids: sliceIds(task.intentId, task.sliceIndex),
      startedMs: deps.clock.nowMs(),
      state,
      failure: null,
      meanBeforeSample: null,
      decisions: [],
    };
    const existing = this.sliceOrders(run);
    if (existing.length > 0) {
      const resumed = await this.resume(run, existing);
      if (resumed !== null) return this.reschedule(task, owner, { dueMs: resumed });
    } else {
      const started = await this.start(run);
      if (started !== "sent") return started;
    }
    return this.finish(run);
  }

  /**
   * A task claimed too often without being handed on (each claim crashed or lost its lease): the
   * plan stops here with an ERROR alert, and the parent ends with what its slices filled.
   */
  async abandon(task: ClaimedTwapTask, owner: string): Promise<void> {
    const { deps } = this;
    const nowMs = deps.clock.nowMs();
    const state = await deps.ledger.load(task.intentId);
    const parent = state?.orders.find((order) => order.orderId === state.record.orderId);
    if (state !== null && parent !== undefined && !isTerminal(parent.status)) {
      const message = `TWAP slice ${task.sliceIndex + 1} was claimed ${task.claims} times without finishing; the plan stops`;
      const children = childrenOf(parent, state.orders);
      await deps.ledger.save(state, {
        orders: [finalizeParent(parent, children, true, nowMs)],
        failure: { code: "TWAP_ABANDONED", message },
        alerts: [
          {
            alertId: `twap-abandoned:${task.intentId}:${nowMs}`,
            level: "ERROR",
            code: "TWAP_ABANDONED",
            message,
            refs: { intent_id: task.intentId, order_id: parent.orderId },
            tsMs: nowMs,
          },
        ],
      });
    }
    await deps.queue.complete(task.intentId, owner, null);
  }

  // ---- a fresh slice ----------------------------------------------------------------------------

  private async start(run: SliceRun): Promise<SliceOutcome | "sent"> {
    const { deps } = this;
    const { task } = run;
    if (task.makerWaitMs !== null) {
      if (!(await this.renew(run))) return "lease_lost";
      const outcome = await deps.legs.run(run.state, {
        intentId: task.intentId,
        parentId: run.parent.orderId,
        role: "SLICE",
        market: run.parent.market,
        symbol: run.parent.symbol,
        side: run.parent.side,
        reduceOnly: run.parent.reduceOnly,
        qty: fromSteps(run.slice.qtySteps, run.rules.lot.step),
        waitMs: task.makerWaitMs,
        row: run.row,
        rules: run.rules,
        makerIds: [run.ids.main, run.ids.reprice],
        takerIds: run.ids.taker,
        tag: `s${task.sliceIndex + 1}-`,
      });
      run.state = outcome.state;
      run.failure = outcome.failure;
      return "sent";
    }
    const snapshot = await this.snapshot(run);
    let limit: Decimal | null = null;
    if (snapshot !== null) {
      const probed = await this.probe(run, snapshot);
      if (probed.kind !== "send") return probed.outcome;
      limit = probed.limit;
    }
    if (!(await this.renew(run))) return "lease_lost";
    await this.sendSlice(run, snapshot, limit);
    return "sent";
  }

  private async probe(
    run: SliceRun,
    snapshot: BookSnapshot,
  ): Promise<
    { kind: "delay" | "split"; outcome: SliceOutcome } | { kind: "send"; limit: Decimal | null }
  > {
    const { deps } = this;
    const { task, parent } = run;
    const probe = probeSend({
      side: parent.side,
      qty: fromSteps(run.slice.qtySteps, run.rules.lot.step),
      rules: run.rules,
      row: run.row,
      snapshot,
      spreadMeanBps: run.meanBeforeSample,
      spreadDelays: task.spreadDelays,
      sliceCountMax: deps.settings.splitSlicesMax,
      reduceOnly: parent.reduceOnly,
    });
    const decision = probe.decision;
    const inputs = probeInputs(probe, snapshot, {
      stage: "twap_slice",
      slice: task.sliceIndex + 1,
      slices_total: task.slices.length,
    });
    const splitPlan = decision.action === "split" ? this.splitPlan(run, decision.sliceCount) : null;
    const action =
      decision.action === "split" && splitPlan === null ? "switch_to_limit" : decision.action;
    // A decision to send is stored with the slice order; one that holds the slice back, now.
    this.decide(run, action, probe.reason, inputs);
    if (action === "delay" || splitPlan !== null) await this.flushDecisions(run);
    if (decision.action === "delay") {
      const outcome = await this.reschedule(task, run.owner, {
        dueMs: deps.clock.nowMs() + decision.delayMs,
        spreadDelays: task.spreadDelays + 1,
      });
      return { kind: "delay", outcome };
    }
    if (splitPlan !== null) {
      const previous = run.state.record.result?.exec;
      run.state = await deps.ledger.save(run.state, {
        exec: {
          policy: "TWAP",
          reason: previous?.reason ?? "requested",
          slices_total: splitPlan.length,
          slices_done: task.sliceIndex,
        },
      });
      const outcome = await this.reschedule(task, run.owner, {
        dueMs: deps.clock.nowMs(),
        slices: splitPlan,
        splits: task.splits + 1,
        spreadDelays: 0,
      });
      return { kind: "split", outcome };
    }
    if (decision.action === "switch_to_limit") return { kind: "send", limit: decision.limitPrice };
    if (action === "switch_to_limit") {
      const mid = midPrice(snapshot);
      const limit =
        mid === null
          ? null
          : slippageCapPrice(
              { side: parent.side, tick: run.rules.price.tick, limits: probeLimits(run.row) },
              mid,
            );
      return { kind: "send", limit };
    }
    return { kind: "send", limit: null };
  }

  /** Slice k replaced by `count` equal parts spread over the time until the next slice. */
  private splitPlan(run: SliceRun, count: number): TwapPlannedSlice[] | null {
    const { task } = run;
    const slices = task.slices;
    if (task.splits >= this.deps.settings.probeSplitsMax) return null;
    if (slices.length - 1 + count > twapSliceCountMax || count < 2) return null;
    const nowMs = this.deps.clock.nowMs();
    const next = slices[task.sliceIndex + 1];
    const spanMs = Math.max(count, (next?.dueMs ?? nowMs + averageGapMs(slices)) - nowMs);
    const stepMs = Math.floor(spanMs / count);
    const parts = sliceQuantities(run.slice.qtySteps, count, "uniform").map((qtySteps, part) => ({
      qtySteps,
      dueMs: nowMs + part * stepMs,
    }));
    return [...slices.slice(0, task.sliceIndex), ...parts, ...slices.slice(task.sliceIndex + 1)];
  }

  private async sendSlice(run: SliceRun, snapshot: BookSnapshot | null, limit: Decimal | null) {
    const { deps } = this;
    const order = newOrder({
      orderId: run.ids.main.orderId,
      intentId: run.task.intentId,
      clientOrderId: run.ids.main.clientOrderId,
      market: run.parent.market,
      symbol: run.parent.symbol,
      side: run.parent.side,
      type: limit === null ? "MARKET" : "LIMIT",
      timeInForce: limit === null ? null : "IOC",
      qty: fromSteps(run.slice.qtySteps, run.rules.lot.step),
      price: limit,
      stopPrice: null,
      reduceOnly: run.parent.reduceOnly,
      role: "SLICE",
      parentId: run.parent.orderId,
      midAtSend: midPrice(snapshot),
      createdAtMs: deps.clock.nowMs(),
    });
    run.state = await deps.ledger.save(run.state, { orders: [order], ...this.takeDecisions(run) });
    await this.sendAndStore(run, order, snapshot);
  }

  /**
   * Sends the slice order. A refusal that says the venue never acted on it (rate limit, ban,
   * "unavailable") is retried under the same client id, bounded, while the lease holds: the
   * order cannot exist on the venue, so the resend cannot double it.
   */
  private async sendAndStore(run: SliceRun, order: Order, snapshot: BookSnapshot | null) {
    const { deps } = this;
    let sent = await sendOrder(deps, order, { rules: run.rules, bookTop3: bookTop3(snapshot) });
    for (let attempt = 1; attempt <= deps.settings.sendRetriesMax; attempt += 1) {
      const waitMs = sent.error === null ? null : retryWaitMs(sent.error, deps.clock.nowMs());
      if (waitMs === null) break;
      await deps.clock.sleepMs(Math.min(waitMs, deps.settings.sendRetryWaitMsMax) * attempt);
      if (!(await this.renew(run))) break;
      sent = await sendOrder(deps, order, { rules: run.rules, bookTop3: bookTop3(snapshot) });
    }
    if (sent.error !== null) {
      run.failure = {
        code: errorCode(sent.error),
        message: `slice ${run.task.sliceIndex + 1}: ${sent.error.message}`,
      };
    }
    run.state = await deps.ledger.save(run.state, {
      orders: [sent.order],
      fills: sent.newFills,
      outbox: sent.newFills.map((fill) => fillEvent(sent.order, fill)),
    });
  }

  // ---- a slice found already started (lease taken over, crash) ----------------------------------

  /**
   * Settles the slice's orders from the venue. A working one is cancelled; one the venue never
   * received is sent again once it can no longer arrive late. Answers a later due time when the
   * slice must wait, else null. What a cancelled maker left unfilled goes out as a market order.
   */
  private async resume(run: SliceRun, existing: readonly Order[]): Promise<number | null> {
    const { deps } = this;
    for (const order of existing) {
      if (isTerminal(order.status)) continue;
      const ref = {
        market: order.market,
        symbol: order.symbol,
        clientOrderId: order.clientOrderId,
      };
      const answer = await deps.exchange.queryOrder(ref);
      const nowMs = deps.clock.nowMs();
      if (!answer.ok) {
        if (answer.error.kind !== "UNKNOWN_ORDER") return this.later();
        if (order.status !== "PENDING_NEW" && order.status !== "UNKNOWN") return this.later();
        const arrivableUntilMs = order.updatedAtMs + deps.settings.unknownAfterMs;
        if (nowMs < arrivableUntilMs) return arrivableUntilMs;
        if (!(await this.renew(run))) return this.later();
        await this.sendAndStore(run, order, await this.snapshot(run));
        continue;
      }
      let venue = answer.value;
      if (venue.status === "NEW" || venue.status === "PARTIALLY_FILLED") {
        const canceled = await deps.exchange.cancelOrder(ref);
        if (!canceled.ok) return this.later();
        venue = canceled.value;
      }
      const synced = syncFromVenue(
        order,
        venue,
        venue.fills,
        { rules: run.rules, bookTop3: null },
        nowMs,
      );
      run.state = await deps.ledger.save(run.state, {
        orders: [synced.order],
        fills: synced.newFills,
        outbox: synced.newFills.map((fill) => fillEvent(synced.order, fill)),
      });
    }
    await this.sendLeftover(run);
    return null;
  }

  /** An interrupted maker→taker slice: what its makers left goes out as the slice's taker. */
  private async sendLeftover(run: SliceRun): Promise<void> {
    if (run.task.makerWaitMs === null) return;
    if (run.state.orders.some((order) => order.orderId === run.ids.taker.orderId)) return;
    const left = sub(fromSteps(run.slice.qtySteps, run.rules.lot.step), this.sliceFilled(run));
    if (!isPositive(left)) return;
    if (!(await this.renew(run))) return;
    const snapshot = await this.snapshot(run);
    const order = newOrder({
      orderId: run.ids.taker.orderId,
      intentId: run.task.intentId,
      clientOrderId: run.ids.taker.clientOrderId,
      market: run.parent.market,
      symbol: run.parent.symbol,
      side: run.parent.side,
      type: "MARKET",
      timeInForce: null,
      qty: left,
      price: null,
      stopPrice: null,
      reduceOnly: run.parent.reduceOnly,
      role: "SLICE",
      parentId: run.parent.orderId,
      midAtSend: midPrice(snapshot),
      createdAtMs: this.deps.clock.nowMs(),
    });
    run.state = await this.deps.ledger.save(run.state, { orders: [order] });
    await this.sendAndStore(run, order, snapshot);
  }

  // ---- the end of a slice -----------------------------------------------------------------------

  /** Records the slice, advances the plan (or finishes the parent) and hands on the task. */
  private async finish(run: SliceRun): Promise<SliceOutcome> {
    const { deps } = this;
    const { task } = run;
    const nowMs = deps.clock.nowMs();
    const filled = this.sliceFilled(run);
    const filledSteps = countSteps(filled, run.rules.lot.step, "floor");
    deps.stats.twapSliceDone(
      run.parent.market,
      fillRatio(filledSteps, run.slice.qtySteps),
      run.startedMs - run.slice.dueMs,
    );
    const ids = this.sliceIdSet(run);
    deps.stats.recordFills(
      run.parent.market,
      run.state.fills.filter((fill) => ids.has(fill.orderId)),
    );
    const nextIndex = task.sliceIndex + 1;
    const last = nextIndex >= task.slices.length;
    const parent = this.parentOf(run);
    const children = childrenOf(parent, run.state.orders);
    const rejected = children.some((order) => order.status === "REJECTED");
    const finalParent = last
      ? finalizeParent(parent, children, rejected, nowMs)
      : rollUpParent(parent, children, nowMs);
    const previous = run.state.record.result?.exec;
    const exec: ResultExec = {
      policy: "TWAP",
      reason: previous?.reason ?? "requested",
      slices_total: task.slices.length,
      slices_done: nextIndex,
    };
    const event: StrategyEvent = {
      eventId: `twap-slice:${task.intentId}:${nextIndex}`,
      kind: "TWAP_SLICE",
      intentId: task.intentId,
      orderId: run.ids.main.orderId,
      payload: {
        slice: nextIndex,
        slices_total: task.slices.length,
        qty: formatDecimal(fromSteps(run.slice.qtySteps, run.rules.lot.step)),
        filled_qty: formatDecimal(filled),
        planned_due_ms: run.slice.dueMs,
        started_ms: run.startedMs,
      },
      tsMs: nowMs,
    };
    run.state = await deps.ledger.save(run.state, {
      orders: [finalParent],
      exec,
      strategyEvents: [event],
      ...(run.failure === null ? {} : { failure: run.failure }),
    });
    const next = last ? null : nextTask(task, nextIndex);
    if (!(await deps.queue.complete(task.intentId, run.owner, next))) {
      deps.logger.warn("TWAP lease lost before the slice was handed on", {
        intentId: task.intentId,
        slice: nextIndex,
      });
      return "lease_lost";
    }
    return "done";
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async snapshot(run: SliceRun): Promise<BookSnapshot | null> {
    const { deps } = this;
    const { market, symbol } = run.parent;
    const snapshot = await deps.marketData.snapshot(market, symbol);
    const nowMs = deps.clock.nowMs();
    run.meanBeforeSample = deps.spreads.meanBps(market, symbol, nowMs);
    if (snapshot !== null) deps.spreads.record(market, symbol, snapshot.bid, snapshot.ask, nowMs);
    return snapshot;
  }

  /** Records a routing decision; it is written with the run's next save (or a flush). */
  private decide(
    run: SliceRun,
    decision: string,
    reason: string,
    inputs: Record<string, unknown>,
  ): void {
    const nowMs = this.deps.clock.nowMs();
    run.decisions.push(
      routeDecision({
        intentId: run.task.intentId,
        orderId: run.parent.orderId,
        decision,
        reason,
        inputs: jsonInputs(inputs),
        tag: `s${run.task.sliceIndex + 1}-${run.task.splits}-${run.task.spreadDelays}-${nowMs}`,
        nowMs,
      }),
    );
  }

  private async flushDecisions(run: SliceRun): Promise<void> {
    if (run.decisions.length === 0) return;
    run.state = await this.deps.ledger.save(run.state, this.takeDecisions(run));
  }

  private takeDecisions(run: SliceRun): { strategyEvents: StrategyEvent[]; outbox: OutboxEvent[] } {
    const taken = run.decisions.splice(0);
    return {
      strategyEvents: taken.map((each) => each.strategyEvent),
      outbox: taken.map((each) => each.outbox),
    };
  }

  private renew(run: SliceRun): Promise<boolean> {
    const { deps } = this;
    return deps.queue.renew(
      run.task.intentId,
      run.owner,
      deps.clock.nowMs(),
      deps.settings.leaseMs,
    );
  }

  private async reschedule(
    task: ClaimedTwapTask,
    owner: string,
    changes: Partial<Pick<TwapTask, "dueMs" | "slices" | "splits" | "spreadDelays">>,
  ): Promise<SliceOutcome> {
    const next: TwapTask = {
      intentId: task.intentId,
      dueMs: changes.dueMs ?? task.dueMs,
      sliceIndex: task.sliceIndex,
      slices: changes.slices ?? task.slices,
      spreadDelays: changes.spreadDelays ?? task.spreadDelays,
      splits: changes.splits ?? task.splits,
      makerWaitMs: task.makerWaitMs,
    };
    const kept = await this.deps.queue.complete(task.intentId, owner, next);
    return kept ? "rescheduled" : "lease_lost";
  }

  private later(): number {
    return this.deps.clock.nowMs() + this.deps.settings.retryMs;
  }

  private parentOf(run: SliceRun): Order {
    return run.state.orders.find((order) => order.orderId === run.parent.orderId) ?? run.parent;
  }

  private sliceIdSet(run: SliceRun): Set<string> {
    return new Set([run.ids.main.orderId, run.ids.reprice.orderId, run.ids.taker.orderId]);
  }

  private sliceOrders(run: SliceRun): Order[] {
    const ids = this.sliceIdSet(run);
    return run.state.orders.filter((order) => ids.has(order.orderId));
  }

  private sliceFilled(run: SliceRun): Decimal {
    let total: Decimal = zero;
    for (const order of this.sliceOrders(run)) total = add(total, order.filledQty);
    return total;
  }
}

function nextTask(task: TwapTask, sliceIndex: number): TwapTask {
  const slice = task.slices[sliceIndex];
  if (slice === undefined) throw new Error("Condition failed: no next slice");
  return {
    intentId: task.intentId,
    dueMs: slice.dueMs,
    sliceIndex,
    slices: task.slices,
    spreadDelays: 0,
    splits: task.splits,
    makerWaitMs: task.makerWaitMs,
  };
}

/** How long to wait before resending after a refusal the venue did not act on; null: final. */
function retryWaitMs(error: ExchangeError, nowMs: number): number | null {
  switch (error.kind) {
    case "RATE_LIMITED":
      return Math.max(100, error.retryAfterMs);
    case "BANNED":
      return Math.max(100, error.untilMs - nowMs);
    case "UNAVAILABLE":
      return 250;
    default:
      return null;
  }
}

function averageGapMs(slices: readonly TwapPlannedSlice[]): number {
  const first = slices[0];
  const last = slices[slices.length - 1];
  if (first === undefined || last === undefined || slices.length < 2) return 1_000;
  return Math.max(1, Math.floor((last.dueMs - first.dueMs) / (slices.length - 1)));
}
