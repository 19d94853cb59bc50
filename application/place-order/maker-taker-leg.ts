// One maker→taker leg (DESIGN §4): a post-only order at the touch (spot LIMIT_MAKER, futures
// LIMIT + GTX) waits out its window, then is cancelled and the remainder (1 − φ)·Q goes taker.
// The remainder is computed from the venue's final word on the maker (the cancel answer, which
// carries every fill), so a fill racing the cancel is counted once and never lost. Nothing taker
// is sent while the maker's fate is unknown. Runs under its intent's lock.

import {
  add as addDecimal,
  countSteps,
  type Decimal,
  formatDecimal,
  fromSteps,
  gt,
  isPositive,
  max,
  sub,
  zero,
} from "../../domain/decimal/index.ts";
import {
  afterPostOnlyReject,
  fillRatio,
  judgeMakerLiquidity,
  makerPrice,
  minimumTradableSteps,
  type ProbeResult,
  type RouteRow,
  slippageCapPrice,
  takerRemainder,
  throughTouchPrice,
} from "../../domain/execution/index.ts";
import type { Market, SymbolRules } from "../../domain/instrument/index.ts";
import {
  type Fill,
  isTerminal,
  newOrder,
  type Order,
  type OrderRole,
  type OrderType,
  type Side,
  type TimeInForce,
} from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type {
  BookSnapshot,
  ExchangeError,
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
} from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { MarketData } from "../../ports/market-data.ts";
import type { Metrics } from "../../ports/metrics.ts";
import type { Alert, OutboxEvent, StrategyEvent } from "../../ports/order-store.ts";
import type { ExecutionMetrics } from "../shared/execution-metrics.ts";
import type { IntentLedger, IntentState } from "../shared/intent-ledger.ts";
import { bookTop3, midPrice, takingPrice } from "../shared/market.ts";
import type { OrderEventFeed, OrderWatch } from "../shared/order-event-feed.ts";
import { errorCode, sendOrder } from "../shared/order-sender.ts";
import { routeDecision } from "../shared/router-events.ts";
import type { SpreadTracker } from "../shared/spread-tracker.ts";
import { type FillContext, fillEvent, syncFromVenue } from "../shared/venue-sync.ts";
import { probeInputs, probeLimits, probeSend } from "./liquidity.ts";

export interface MakerTakerSettings {
  /** S4_MAKER_MAX_WAIT_MS: the maker window plus any spread delay stays within it. */
  readonly makerWaitCapMs: number;
  /** How often the maker is queried while the user-data stream is down. */
  readonly pollMs: number;
  /** Cancel attempts on transient venue errors before the leg gives up (and alerts). */
  readonly cancelAttemptsMax: number;
  readonly cancelRetryMs: number;
  /** The finest split the probe may suggest (S4_TWAP_MAX_SLICES). */
  readonly splitSlicesMax: number;
}

export const defaultMakerTakerSettings: MakerTakerSettings = {
  makerWaitCapMs: 3_000,
  pollMs: 250,
  cancelAttemptsMax: 5,
  cancelRetryMs: 200,
  splitSlicesMax: 4,
};

export interface MakerTakerDeps {
  readonly clock: Clock;
  readonly exchange: ExchangeGateway;
  readonly metrics: Metrics;
  readonly ledger: IntentLedger;
  readonly marketData: MarketData;
  readonly feed: OrderEventFeed;
  readonly spreads: SpreadTracker;
  readonly stats: ExecutionMetrics;
  readonly logger: Logger;
  readonly settings: MakerTakerSettings;
}

export interface ChildIds {
  readonly orderId: string;
  readonly clientOrderId: string;
}

export interface MakerTakerLeg {
  readonly intentId: string;
  readonly parentId: string;
  readonly role: OrderRole;
  readonly market: Market;
  readonly symbol: string;
  readonly side: Side;
  readonly reduceOnly: boolean;
  readonly qty: Decimal;
  readonly waitMs: number;
  readonly row: RouteRow;
  readonly rules: SymbolRules;
  /** The first post-only order and its one re-price. */
  readonly makerIds: readonly [ChildIds, ChildIds];
  readonly takerIds: ChildIds;
  /** Makes decision event ids unique per leg ("" standalone, "s3-" for TWAP slice 3). */
  readonly tag: string;
}

/** Why no maker order was posted: no wait, an order too small to leave a valid remainder, or no
 *  book to price it from. */
export type MakerSkip = "maker_wait_zero" | "too_small_for_maker" | "no_touch_for_maker";

/**
 * Why a maker leg would not be posted: no wait, no book, or an order too small for a partial
 * maker fill to leave a remainder the venue still accepts as a market order (Q < 2 × minimum).
 */
export function makerSkipReason(
  leg: Pick<MakerTakerLeg, "waitMs" | "rules" | "side" | "qty" | "reduceOnly">,
  snapshot: BookSnapshot | null,
): MakerSkip | null {
  if (leg.waitMs <= 0) return "maker_wait_zero";
  if (snapshot === null) return "no_touch_for_maker";
  const minimumSteps = minimumTradableSteps(leg.rules, {
    referencePrice: takingPrice(snapshot, leg.side),
    isMarketOrder: true,
    reduceOnly: leg.reduceOnly,
  });
  const qtySteps = countSteps(leg.qty, leg.rules.lot.step, "floor");
  return qtySteps < 2n * minimumSteps ? "too_small_for_maker" : null;
}

export interface LegOutcome {
  readonly state: IntentState;
  readonly orderIds: readonly string[];
  readonly makerSkipped: MakerSkip | null;
  readonly makerTimeout: boolean;
  readonly fellBackToTaker: boolean;
  /** A child was refused by the venue (nothing else went wrong). */
  readonly rejected: boolean;
  /** A send or a cancel whose outcome is unknown: the leg is not finished. */
  readonly unsettled: boolean;
  readonly failure: { readonly code: string; readonly message: string } | null;
}

export class MakerTakerLegs {
  constructor(private readonly deps: MakerTakerDeps) {}

  run(state: IntentState, leg: MakerTakerLeg): Promise<LegOutcome> {
    return new LegRun(this.deps, state, leg).execute();
  }
}

type MakerEnd = "filled" | "taker" | "stop";

class LegRun {
  private state: IntentState;
  private readonly startMs: number;
  private readonly orderIds: string[] = [];
  /** Filled quantity the venue reported per child, where it exceeds the fills we hold. */
  private readonly venueFilled = new Map<string, Decimal>();
  private makerTimeout = false;
  private fellBack = false;
  private rejected = false;
  private unsettled = false;
  private failure: { code: string; message: string } | null = null;
  private decisions = 0;
  private meanBeforeSample: number | null = null;

  constructor(
    private readonly deps: MakerTakerDeps,
    state: IntentState,
    private readonly leg: MakerTakerLeg,
  ) {
    this.state = state;
    this.startMs = deps.clock.nowMs();
  }

  async execute(): Promise<LegOutcome> {
    const snapshot = await this.snapshot();
    const skip = this.makerSkip(snapshot);
    if (skip === null && snapshot !== null) {
      const end = await this.makerPhase(snapshot);
      if (end === "taker") await this.takerPhase();
    } else {
      await this.takerPhase();
    }
    return {
      state: this.state,
      orderIds: this.orderIds,
      makerSkipped: skip,
      makerTimeout: this.makerTimeout,
      fellBackToTaker: this.fellBack,
      rejected: this.rejected,
      unsettled: this.unsettled,
      failure: this.failure,
    };
  }

  // ---- maker ----------------------------------------------------------------------------------

  private makerSkip(snapshot: BookSnapshot | null): MakerSkip | null {
    return makerSkipReason(this.leg, snapshot);
  }

  private async makerPhase(first: BookSnapshot): Promise<MakerEnd> {
    const { leg, deps } = this;
    const deadlineMs = this.startMs + leg.waitMs;
    let snapshot = first;
    for (let attempt = 1; attempt <= leg.makerIds.length; attempt += 1) {
      const ids = leg.makerIds[attempt - 1]!;
      const price = makerPrice(leg.side, snapshot, leg.rules.price.tick);
      if (price === null) return "taker";
      const order = this.child(ids, makerType(leg.market), makerTimeInForce(leg.market), {
        qty: this.remaining(),
        price,
        midAtSend: midPrice(snapshot),
      });
      const watch = deps.feed.watch(leg.market, ids.clientOrderId);
      try {
        const sent = await this.send(order, snapshot);
        if (sent.error?.kind === "POST_ONLY_REJECTED") {
          if (afterPostOnlyReject(attempt) === "FALL_BACK") return "taker";
          snapshot = (await this.venueBook()) ?? snapshot;
          continue;
        }
        let maker = sent.order;
        if (sent.error !== null) {
          const adopted =
            sent.error.kind === "OUTCOME_UNKNOWN"
              ? await this.resolveUnknown(maker, snapshot)
              : null;
          if (adopted === null) return this.stopOn(sent.error);
          maker = adopted;
        }
        return await this.waitAndCancel(maker, watch, snapshot, deadlineMs);
      } finally {
        watch.close();
      }
    }
    return "taker";
  }

  private async waitAndCancel(
    placed: Order,
    watch: OrderWatch,
    book: BookSnapshot,
    deadlineMs: number,
  ): Promise<MakerEnd> {
    const { leg } = this;
    const liquidity = judgeMakerLiquidity({
      side: leg.side,
      bids: book.bids,
      asks: book.asks,
      remainingQty: sub(placed.qty, placed.filledQty),
      ratioMin: leg.row.makerFillRatioMin,
    });
    let maker = placed;
    if (liquidity.insufficient) {
      await this.decide("maker_cut_short", "liquidity_insufficient", {
        counter_depth: liquidity.counterDepth,
        depth_needed: liquidity.depthNeeded,
        maker_fill_ratio_min: leg.row.makerFillRatioMin,
      });
    } else {
      maker = await this.waitForFills(maker, watch, book, deadlineMs);
    }
    if (this.fullyFilled()) {
      this.windowClosed(false);
      return "filled";
    }
    const canceled = await this.cancel(maker, watch, book);
    if (canceled === null) return "stop";
    // A maker that filled completely while its cancel was in flight did not time out after all.
    const timedOut = !liquidity.insufficient && !this.fullyFilled();
    this.makerTimeout = timedOut;
    this.windowClosed(timedOut);
    if (this.fullyFilled()) return "filled";
    if (timedOut) await this.recordTimeout(canceled);
    return "taker";
  }

  /** Applies the venue's pushed updates until the maker is done or the window closes. */
  private async waitForFills(
    placed: Order,
    watch: OrderWatch,
    book: BookSnapshot,
    deadlineMs: number,
  ): Promise<Order> {
    const { deps } = this;
    let maker = placed;
    for (;;) {
      maker = await this.applyUpdates(maker, watch, book);
      const nowMs = deps.clock.nowMs();
      if (isTerminal(maker.status) || nowMs >= deadlineMs) return maker;
      const streaming = deps.exchange.connectivity().userStreamConnected;
      const stepMs = streaming
        ? deadlineMs - nowMs
        : Math.min(deps.settings.pollMs, deadlineMs - nowMs);
      await watch.next(deps.clock, stepMs);
      if (!streaming) maker = await this.refresh(maker, book);
    }
  }

  private async applyUpdates(order: Order, watch: OrderWatch, book: BookSnapshot): Promise<Order> {
    let current = order;
    const fills = [];
    const nowMs = this.deps.clock.nowMs();
    for (const event of watch.take()) {
      const synced = syncFromVenue(
        current,
        event.order,
        event.fill === null ? [] : [event.fill],
        this.fillContext(book),
        nowMs,
      );
      current = synced.order;
      fills.push(...synced.newFills);
    }
    if (current === order) return order;
    await this.save([current], fills);
    return current;
  }

  /** Queries the maker (used while the user-data stream is down). */
  private async refresh(order: Order, book: BookSnapshot): Promise<Order> {
    const answer = await this.deps.exchange.queryOrder(refOf(order));
    if (!answer.ok) return order;
    return this.absorb(order, answer.value, book);
  }

  /**
   * Cancels the maker and settles it from the venue's answer. A cancel that finds the order
   * already gone is settled by a query. Transient failures are retried (bounded); when the
   * maker's end cannot be confirmed the leg stops: a taker now could double the execution.
   */
  private async cancel(maker: Order, watch: OrderWatch, book: BookSnapshot): Promise<Order | null> {
    const { deps } = this;
    let current = await this.applyUpdates(maker, watch, book);
    let lastError: ExchangeError | null = null;
    for (let attempt = 1; attempt <= deps.settings.cancelAttemptsMax; attempt += 1) {
      const ref = refOf(current);
      let answer: ExchangeResult<ExchangeOrder> = await deps.exchange.cancelOrder(ref);
      if (!answer.ok && answer.error.kind === "UNKNOWN_ORDER") {
        answer = await deps.exchange.queryOrder(ref);
      }
      if (answer.ok) {
        current = await this.absorb(current, answer.value, book);
        const open = answer.value.status === "NEW" || answer.value.status === "PARTIALLY_FILLED";
        if (!open) return current;
      } else {
        lastError = answer.error;
        if (!transient(answer.error)) break;
      }
      await deps.clock.sleepMs(retryDelayMs(lastError, deps.settings.cancelRetryMs, attempt));
    }
    await this.cancelFailed(current, lastError);
    return null;
  }

  private async cancelFailed(maker: Order, error: ExchangeError | null): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    const message = `maker ${maker.orderId} could not be cancelled${
      error === null ? "" : `: ${errorCode(error)} ${error.message}`
    }; no taker was sent`;
    this.unsettled = true;
    this.failure = { code: "CANCEL_FAILED", message };
    const alert: Alert = {
      alertId: `cancel-failed:${maker.orderId}:${nowMs}`,
      level: "FATAL",
      code: "CANCEL_FAILED",
      message,
      refs: { order_id: maker.orderId, intent_id: maker.intentId },
      tsMs: nowMs,
    };
    this.deps.logger.error("maker cancel failed", { orderId: maker.orderId, message });
    this.state = await this.deps.ledger.save(this.state, { alerts: [alert] });
  }

  /** A maker whose send outcome is unknown: adopt it if the venue has it, else stop. */
  private async resolveUnknown(order: Order, book: BookSnapshot): Promise<Order | null> {
    const answer = await this.deps.exchange.queryOrder(refOf(order));
    if (!answer.ok) return null;
    return this.absorb(order, answer.value, book);
  }

  private async absorb(order: Order, venue: ExchangeOrder, book: BookSnapshot): Promise<Order> {
    const synced = syncFromVenue(
      order,
      venue,
      venue.fills,
      this.fillContext(book),
      this.deps.clock.nowMs(),
    );
    if (gt(venue.filledQty, synced.order.filledQty))
      this.venueFilled.set(order.orderId, venue.filledQty);
    if (synced.changed) await this.save([synced.order], synced.newFills);
    return synced.order;
  }

  private windowClosed(timedOut: boolean): void {
    const { leg } = this;
    const qtySteps = countSteps(leg.qty, leg.rules.lot.step, "floor");
    const filledSteps = countSteps(this.filled(), leg.rules.lot.step, "floor");
    this.deps.stats.makerWindowClosed(leg.market, fillRatio(filledSteps, qtySteps), timedOut);
  }

  private async recordTimeout(maker: Order): Promise<void> {
    const { leg, deps } = this;
    const nowMs = deps.clock.nowMs();
    const filled = this.filled();
    const payload = {
      level: "WARN",
      wait_ms: leg.waitMs,
      qty: formatQty(leg.qty),
      filled_qty: formatQty(filled),
      remainder_qty: formatQty(sub(leg.qty, filled)),
      fallback: leg.row.makerFallback,
    };
    const event: StrategyEvent = {
      eventId: `maker-timeout:${maker.orderId}`,
      kind: "MAKER_TIMEOUT",
      intentId: leg.intentId,
      orderId: maker.orderId,
      payload,
      tsMs: nowMs,
    };
    deps.logger.warn("maker window expired; the remainder goes taker", {
      intentId: leg.intentId,
      orderId: maker.orderId,
      ...payload,
    });
    this.state = await deps.ledger.save(this.state, { strategyEvents: [event] });
  }

  // ---- taker ----------------------------------------------------------------------------------

  /**
   * Sends what is left as the route table says (market, or a limit one tick through), after the
   * liquidity probe: a wide spread is waited out within the maker budget; excessive slippage, a
   * split or exhausted retries send a limit IOC at the slippage cap instead.
   */
  private async takerPhase(): Promise<void> {
    const { leg, deps } = this;
    let spreadDelays = 0;
    for (;;) {
      if (!isPositive(this.remaining())) return;
      const snapshot = await this.snapshot();
      const probe = snapshot === null ? null : this.probe(snapshot, spreadDelays);
      if (probe !== null && snapshot !== null) await this.recordProbe(probe, snapshot);
      if (probe?.decision.action === "delay") {
        const budgetMs = deps.settings.makerWaitCapMs - (deps.clock.nowMs() - this.startMs);
        if (budgetMs > 0) {
          spreadDelays += 1;
          await deps.clock.sleepMs(Math.min(probe.decision.delayMs, budgetMs));
          continue;
        }
        spreadDelays = leg.row.spreadRetryMax;
        continue;
      }
      await this.sendTaker(snapshot, probe);
      return;
    }
  }

  private probe(snapshot: BookSnapshot, spreadDelays: number): ProbeResult {
    const { leg, deps } = this;
    return probeSend({
      side: leg.side,
      qty: this.remaining(),
      rules: leg.rules,
      row: leg.row,
      snapshot,
      spreadMeanBps: this.meanBeforeSample,
      spreadDelays,
      sliceCountMax: deps.settings.splitSlicesMax,
      reduceOnly: leg.reduceOnly,
    });
  }

  private async sendTaker(snapshot: BookSnapshot | null, probe: ProbeResult | null): Promise<void> {
    const { leg } = this;
    const limit = snapshot === null ? null : takerLimitPrice(leg, snapshot, probe);
    const reference = limit ?? (snapshot === null ? null : takingPrice(snapshot, leg.side));
    const remainder =
      reference === null
        ? null
        : takerRemainder({
            rules: leg.rules,
            qty: leg.qty,
            filledQty: this.filled(),
            fallback: limit === null ? "MARKET" : "LIMIT",
            price: reference,
            reduceOnly: leg.reduceOnly,
          });
    if (remainder !== null && !remainder.ok) {
      if (remainder.code === "REMAINDER_BELOW_MINIMUM") {
        this.failure = {
          code: "REMAINDER_BELOW_MINIMUM",
          message: `the unfilled ${formatQty(remainder.qty)} is below what the venue accepts (${
            remainder.violation?.message ?? "minimum"
          })`,
        };
      }
      return;
    }
    const qty = remainder?.qty ?? this.remaining();
    const order = this.child(
      leg.takerIds,
      limit === null ? "MARKET" : "LIMIT",
      limit === null ? null : "IOC",
      { qty, price: limit, midAtSend: midPrice(snapshot) },
    );
    this.fellBack = true;
    const sent = await this.send(order, snapshot);
    if (sent.error !== null) this.stopOn(sent.error);
  }

  // ---- shared -------------------------------------------------------------------------------

  /** The venue's own book: a post-only rejection says the snapshot we priced from is stale. */
  private async venueBook(): Promise<BookSnapshot | null> {
    const answer = await this.deps.exchange.bookTop(this.leg.market, this.leg.symbol);
    return answer.ok ? answer.value : this.snapshot();
  }

  /** A fresh snapshot; its spread joins the rolling mean after the mean before it is kept. */
  private async snapshot(): Promise<BookSnapshot | null> {
    const { leg, deps } = this;
    const snapshot = await deps.marketData.snapshot(leg.market, leg.symbol);
    const nowMs = deps.clock.nowMs();
    this.meanBeforeSample = deps.spreads.meanBps(leg.market, leg.symbol, nowMs);
    if (snapshot !== null) {
      deps.spreads.record(leg.market, leg.symbol, snapshot.bid, snapshot.ask, nowMs);
    }
    return snapshot;
  }

  private child(
    ids: ChildIds,
    type: OrderType,
    timeInForce: TimeInForce | null,
    fields: { qty: Decimal; price: Decimal | null; midAtSend: Decimal | null },
  ): Order {
    const { leg } = this;
    return newOrder({
      orderId: ids.orderId,
      intentId: leg.intentId,
      clientOrderId: ids.clientOrderId,
      market: leg.market,
      symbol: leg.symbol,
      side: leg.side,
      type,
      timeInForce,
      qty: fields.qty,
      price: fields.price,
      stopPrice: null,
      reduceOnly: leg.reduceOnly,
      role: leg.role,
      parentId: leg.parentId,
      midAtSend: fields.midAtSend,
      createdAtMs: this.deps.clock.nowMs(),
    });
  }

  /** Stores the order before it is sent (a crash then leaves a trace to resolve), sends, stores. */
  private async send(
    order: Order,
    snapshot: BookSnapshot | null,
  ): Promise<{ order: Order; error: ExchangeError | null }> {
    this.orderIds.push(order.orderId);
    await this.save([order], []);
    const sent = await sendOrder(this.deps, order, {
      rules: this.leg.rules,
      bookTop3: bookTop3(snapshot),
    });
    await this.save([sent.order], sent.newFills);
    return { order: sent.order, error: sent.error };
  }

  private stopOn(error: ExchangeError): "stop" {
    if (error.kind === "OUTCOME_UNKNOWN") this.unsettled = true;
    else this.rejected = true;
    this.failure = { code: errorCode(error), message: error.message };
    return "stop";
  }

  private async save(orders: readonly Order[], fills: readonly Fill[]): Promise<void> {
    const outbox: OutboxEvent[] = [];
    for (const fill of fills) {
      const order = orders.find((candidate) => candidate.orderId === fill.orderId);
      if (order !== undefined) outbox.push(fillEvent(order, fill));
    }
    this.state = await this.deps.ledger.save(this.state, { orders, fills, outbox });
  }

  private async decide(
    decision: string,
    reason: string,
    inputs: Record<string, unknown>,
  ): Promise<void> {
    this.decisions += 1;
    const recorded = routeDecision({
      intentId: this.leg.intentId,
      orderId: this.leg.parentId,
      decision,
      reason,
      inputs: jsonInputs(inputs),
      tag: `${this.leg.tag}leg-${this.decisions}`,
      nowMs: this.deps.clock.nowMs(),
    });
    this.state = await this.deps.ledger.save(this.state, {
      strategyEvents: [recorded.strategyEvent],
      outbox: [recorded.outbox],
    });
  }

  private recordProbe(probe: ProbeResult, snapshot: BookSnapshot): Promise<void> {
    return this.decide(
      probe.decision.action,
      probe.reason,
      probeInputs(probe, snapshot, { stage: "taker", remaining_qty: this.remaining() }),
    );
  }

  private fillContext(book: BookSnapshot): FillContext {
    return { rules: this.leg.rules, bookTop3: bookTop3(book) };
  }

  /** What the leg's children have filled, taking the venue's word where it says more. */
  private filled(): Decimal {
    let total: Decimal = zero;
    for (const order of this.state.orders) {
      if (!this.orderIds.includes(order.orderId)) continue;
      const venue = this.venueFilled.get(order.orderId);
      total = addDecimal(
        total,
        venue === undefined ? order.filledQty : max(venue, order.filledQty),
      );
    }
    return total;
  }

  private remaining(): Decimal {
    const left = sub(this.leg.qty, this.filled());
    return isPositive(left)
      ? fromSteps(countSteps(left, this.leg.rules.lot.step, "floor"), this.leg.rules.lot.step)
      : zero;
  }

  private fullyFilled(): boolean {
    return !isPositive(this.remaining());
  }
}

function formatQty(value: Decimal): string {
  return formatDecimal(value);
}

function makerType(market: Market): OrderType {
  return market === "SPOT" ? "LIMIT_MAKER" : "LIMIT";
}

function makerTimeInForce(market: Market): TimeInForce | null {
  return market === "SPOT" ? null : "GTX";
}

function refOf(order: Order) {
  return { market: order.market, symbol: order.symbol, clientOrderId: order.clientOrderId };
}

function transient(error: ExchangeError): boolean {
  return (
    error.kind === "UNAVAILABLE" ||
    error.kind === "RATE_LIMITED" ||
    error.kind === "OUTCOME_UNKNOWN"
  );
}

function retryDelayMs(error: ExchangeError | null, baseMs: number, attempt: number): number {
  if (error?.kind === "RATE_LIMITED") return Math.max(baseMs, error.retryAfterMs);
  return baseMs * attempt;
}

/**
 * The taker's limit price, or null for a market order: one tick through the touch when the table
 * says so; the slippage cap when the probe asks for a limit or a split (one remainder cannot be
 * split further here).
 */
function takerLimitPrice(
  leg: MakerTakerLeg,
  snapshot: BookSnapshot,
  probe: ProbeResult | null,
): Decimal | null {
  const action = probe?.decision.action ?? "proceed";
  if (probe !== null && probe.decision.action === "switch_to_limit") {
    return probe.decision.limitPrice;
  }
  const mid = midPrice(snapshot);
  if (action === "split" && mid !== null) {
    return slippageCapPrice(
      {
        side: leg.side,
        tick: leg.rules.price.tick,
        limits: probeLimits(leg.row),
      },
      mid,
    );
  }
  if (leg.row.makerFallback === "LIMIT_THROUGH_TOUCH") {
    return throughTouchPrice(leg.side, snapshot, leg.rules.price.tick);
  }
  return null;
}

/** Decision inputs as JSON: decimals become their exact strings. */
export function jsonInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) out[key] = jsonValue(value);
  return out;
}

function jsonValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (typeof record["units"] === "bigint" && typeof record["scale"] === "number") {
    return formatDecimal(value as Decimal);
  }
  if (Array.isArray(value)) return value.map(jsonValue);
  return jsonInputs(record);
}
