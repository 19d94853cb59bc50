// Futures protection (DESIGN §5): once the entry has filled, a STOP_MARKET and a TAKE_PROFIT_MARKET
// algo order for the filled quantity (reduce-only, triggerPrice, workingType, derived clientAlgoId).
// The take-profit trigger comes from a price, a net profit or an ROE target with both fees, rounded
// away from the entry. A stop that cannot be placed after bounded retries is emulated by a
// guardian, with an ERROR alert: the position is never left without a stop.

import { type Decimal, dec, formatDecimal } from "../../domain/decimal/index.ts";
import type { SymbolRules } from "../../domain/instrument/index.ts";
import { applyEvent, newOrder, type Order, type Side } from "../../domain/order/index.ts";
import { futuresTakeProfit, type TakeProfitSpec } from "../../domain/protection/index.ts";
import type { ConditionalOrderRequest } from "../../ports/exchange-gateway.ts";
import type { PreparedArm } from "../guardian/guardian-runner.ts";
import type { TakeProfitVenue } from "../guardian/guard-model.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { syncConditional } from "./conditional-legs.ts";
import { closedPlaceholders } from "./placeholders.ts";
import { type ProtectionContext, parentOf, retryPolicyOf } from "./protection-context.ts";
import {
  emptyRecorded,
  mergeRecorded,
  type Recorded,
  recordAlert,
  recordEvent,
  slArmStream,
} from "./protection-events.ts";
import { protectionIds } from "./protection-ids.ts";
import { entryFilled, exitSideOf, type ProtectionRequest } from "./protection-request.ts";
import { type Placement, placeConditional } from "./venue-retry.ts";
import type { ConditionalOrder } from "../../ports/exchange-gateway.ts";

/** Taker fee rates remembered per symbol at most. */
export const feeRatesMax = 10_000;

export interface TakeProfitTrigger {
  readonly trigger: Decimal | null;
  readonly targetUsdt: Decimal | null;
  readonly feesUsdt: Decimal | null;
  /** Why there is no trigger although one was asked for. */
  readonly failure: string | null;
}

/** The position a futures protection covers. */
export interface CoveredPosition {
  readonly rules: SymbolRules;
  /** The side of the position: BUY is a long. */
  readonly side: Side;
  readonly qty: Decimal;
  readonly entryPrice: Decimal;
  readonly entryFeeUsdt: Decimal;
  /** Parent of the legs (the entry, or the stand-alone protection's first leg). */
  readonly parentId: string;
  /** When the position became what it is (the entry's last fill), for the latency metric. */
  readonly sinceMs: number;
}

export class FuturesProtection {
  private readonly takerRates = new Map<string, Decimal>();

  constructor(private readonly deps: ProtectionContext) {}

  /** Protects a filled entry; inside the intent's lock. */
  async protect(state: IntentState, request: ProtectionRequest): Promise<IntentState> {
    const rules = this.deps.rules.get("FUT", request.symbol);
    const takerRate = await this.takerRate(request.symbol);
    const entry = entryFilled(state, takerRate);
    if (rules === null || entry.avgPrice === null) return state;
    const parent = parentOf(state);
    const position: CoveredPosition = {
      rules,
      side: request.side,
      qty: entry.qty,
      entryPrice: entry.avgPrice,
      entryFeeUsdt: entry.feeUsdt,
      parentId: parent.orderId,
      sinceMs: parent.updatedAtMs,
    };
    return this.place(state, request, position, await this.takeProfitFor(request, position));
  }

  /** Legs for `position` (planned rows already stored are reused by id). */
  async place(
    state: IntentState,
    request: ProtectionRequest,
    position: CoveredPosition,
    tp: TakeProfitTrigger,
  ): Promise<IntentState> {
    const forced = this.deps.settings.futuresGuardian && request.stopLoss !== null;
    if (forced) return this.guardOnly(state, request, position, tp);
    const legs = this.legs(state, request, position, tp.trigger);
    const ids = protectionIds(request.intentId);
    // A take-profit asked for but unreachable leaves its written-ahead leg with nothing to place.
    const unplaced = tp.trigger === null ? [ids.takeProfit.orderId] : [];
    const closed = closedPlaceholders(state, this.deps.clock.nowMs(), unplaced);
    if (legs.length === 0) {
      const marker = this.placedEvent(request, position, tp, [], null);
      const recorded = mergeRecorded(marker, this.tpAlert(request, tp));
      return this.deps.ledger.save(state, { orders: closed, ...recorded });
    }
    // Written ahead as "being sent" (UNKNOWN): a leg found so after a crash may exist on the
    // venue, even filled, so it is asked for before anything is sent again.
    const sending = legs.map((leg) => beingSent(leg, this.deps.clock.nowMs()));
    let current = await this.deps.ledger.save(state, { orders: [...sending, ...closed] });
    const placements = await Promise.all(
      legs.map((leg, index) => this.placeOrAdopt(leg, sending[index]!)),
    );
    const nowMs = this.deps.clock.nowMs();
    const settled = sending.map((leg, index) => settleLeg(leg, placements[index]!, nowMs));
    this.deps.metrics.observe("protection_placement_ms", nowMs - position.sinceMs, {
      market: "FUT",
    });
    const { recorded, prepared } = this.outcome(request, position, tp, settled, placements);
    current = await this.deps.ledger.save(current, {
      orders: [...settled, ...(prepared?.orders ?? [])],
      ...mergeRecorded(recorded, prepared?.recorded ?? emptyRecorded()),
      ...(prepared === null ? {} : { guardedOrderIds: prepared.guardedOrderIds }),
    });
    if (prepared !== null) await this.deps.guardian.activate(prepared);
    return current;
  }

  /** S4 forced guardian for futures: the stop and the take-profit are both watched. */
  private async guardOnly(
    state: IntentState,
    request: ProtectionRequest,
    position: CoveredPosition,
    tp: TakeProfitTrigger,
  ): Promise<IntentState> {
    const prepared = this.arm(request, position, request.stopLoss!, { kind: "NONE" }, tp, "forced");
    const marker = this.placedEvent(request, position, tp, [], "guardian");
    const closed = closedPlaceholders(state, this.deps.clock.nowMs());
    const current = await this.deps.ledger.save(state, {
      orders: [...closed, ...prepared.orders],
      ...mergeRecorded(marker, prepared.recorded, this.tpAlert(request, tp)),
      guardedOrderIds: prepared.guardedOrderIds,
    });
    await this.deps.guardian.activate(prepared);
    return current;
  }

  private outcome(
    request: ProtectionRequest,
    position: CoveredPosition,
    tp: TakeProfitTrigger,
    settled: readonly Order[],
    placements: readonly Placement<ConditionalOrder>[],
  ): { recorded: Recorded; prepared: PreparedArm | null } {
    const nowMs = this.deps.clock.nowMs();
    const ids = protectionIds(request.intentId);
    const placed = settled.filter((leg) => leg.status === "NEW" || leg.status === "TRIGGERED");
    const stop = settled.find((leg) => leg.orderId === ids.stopLoss.orderId);
    const take = settled.find((leg) => leg.orderId === ids.takeProfit.orderId);
    const stopPlaced = stop !== undefined && placed.includes(stop);
    // A take-profit whose placement is unknown may be working: the guardian cancels it first.
    const takePlaced = take !== undefined && (placed.includes(take) || take.status === "UNKNOWN");
    const parts: Recorded[] = [this.tpAlert(request, tp)];
    settled.forEach((leg, index) => {
      const placement = placements[index]!;
      if (placement.ok) return;
      const what = leg.role === "SL" ? "stop-loss" : "take-profit";
      const after = `${placement.attempts} attempt(s): ${placement.error.kind} ${placement.error.message}`;
      const guarded = leg.role === "SL" ? "; a guardian protects the position" : "";
      parts.push(
        recordAlert({
          level: "ERROR",
          code: "PROTECTION_FAILED",
          message: `${request.symbol} ${what} not placed after ${after}${guarded}`,
          intentId: request.intentId,
          tag: leg.role.toLowerCase(),
          refs: { order_id: leg.orderId, client_order_id: leg.clientOrderId },
          nowMs,
        }),
      );
    });
    let prepared: PreparedArm | null = null;
    if (stop !== undefined && !stopPlaced) {
      const venue: TakeProfitVenue =
        take !== undefined && takePlaced
          ? { kind: "CONDITIONAL", orderId: take.orderId, clientOrderId: take.clientOrderId }
          : { kind: "NONE" };
      const watched = venue.kind === "NONE" ? tp : { ...tp, trigger: null };
      prepared = this.arm(request, position, stop.stopPrice!, venue, watched, "stop_not_placed");
    }
    const mode = prepared === null ? "venue" : "venue+guardian";
    parts.push(this.placedEvent(request, position, tp, placed, mode));
    return { recorded: mergeRecorded(...parts), prepared };
  }

  private arm(
    request: ProtectionRequest,
    position: CoveredPosition,
    stopPrice: Decimal,
    takeProfit: TakeProfitVenue,
    tp: TakeProfitTrigger,
    reason: string,
  ): PreparedArm {
    return this.deps.guardian.prepareArm({
      intentId: request.intentId,
      market: "FUT",
      symbol: request.symbol,
      rules: position.rules,
      entryOrderId: position.parentId,
      exitSide: exitSideOf(position.side),
      qty: position.qty,
      stopPrice,
      takeProfit,
      watchedTakeProfitPrice: takeProfit.kind === "NONE" ? tp.trigger : null,
      role: "PRIMARY",
      priceSource: this.deps.settings.workingType === "MARK_PRICE" ? "MARK" : "MID",
      reason,
      nowMs: this.deps.clock.nowMs(),
    });
  }

  /** The stored planned leg when there is one (stand-alone protection), else a new row. */
  private legs(
    state: IntentState,
    request: ProtectionRequest,
    position: CoveredPosition,
    takeProfit: Decimal | null,
  ): Order[] {
    const ids = protectionIds(request.intentId);
    const legs: Order[] = [];
    const nowMs = this.deps.clock.nowMs();
    const make = (id: typeof ids.stopLoss, role: "SL" | "TP", trigger: Decimal) => {
      const planned = state.orders.find((order) => order.orderId === id.orderId);
      if (planned !== undefined) return { ...planned, qty: position.qty, stopPrice: trigger };
      return newOrder({
        orderId: id.orderId,
        intentId: request.intentId,
        clientOrderId: id.clientOrderId,
        market: "FUT",
        symbol: request.symbol,
        side: exitSideOf(position.side),
        type: role === "SL" ? "STOP_MARKET" : "TAKE_PROFIT_MARKET",
        timeInForce: null,
        qty: position.qty,
        price: null,
        stopPrice: trigger,
        reduceOnly: true,
        role,
        parentId: position.parentId === id.orderId ? null : position.parentId,
        midAtSend: null,
        createdAtMs: nowMs,
      });
    };
    if (request.stopLoss !== null) legs.push(make(ids.stopLoss, "SL", request.stopLoss));
    if (takeProfit !== null) legs.push(make(ids.takeProfit, "TP", takeProfit));
    return legs;
  }

  /** A leg sent before (a resumed placement) is adopted as the venue has it; else placed. */
  private async placeOrAdopt(before: Order, sending: Order): Promise<Placement<ConditionalOrder>> {
    // Sent before (a crash cut the placement short): adopt it as the venue has it, even ended.
    if (before.status === "UNKNOWN" || before.exchangeOrderId !== null) {
      const found = await this.deps.exchange.queryConditional(before.symbol, before.clientOrderId);
      if (found.ok) return { ok: true, value: found.value, attempts: 0 };
    }
    return placeConditional(
      this.deps.exchange,
      this.deps.clock,
      retryPolicyOf(this.deps.settings),
      this.requestFor(sending),
    );
  }

  private requestFor(leg: Order): ConditionalOrderRequest {
    return {
      symbol: leg.symbol,
      side: leg.side,
      type: leg.type === "STOP_MARKET" ? "STOP_MARKET" : "TAKE_PROFIT_MARKET",
      triggerPrice: leg.stopPrice!,
      workingType: this.deps.settings.workingType,
      // Reduce-only with the entry's quantity, not closePosition: closing the whole symbol's
      // position would also close what other intents hold in it (one-way mode).
      qty: leg.qty,
      reduceOnly: true,
      closePosition: false,
      clientAlgoId: leg.clientOrderId,
    };
  }

  async takeProfitFor(
    request: ProtectionRequest,
    position: Pick<CoveredPosition, "rules" | "side" | "qty" | "entryPrice" | "entryFeeUsdt">,
  ): Promise<TakeProfitTrigger> {
    const tp = request.takeProfit;
    if (tp === null) return { trigger: null, targetUsdt: null, feesUsdt: null, failure: null };
    const target: TakeProfitSpec =
      tp.target === "price"
        ? { kind: "price", price: tp.value }
        : { kind: tp.target, value: tp.value };
    const outcome = futuresTakeProfit({
      rules: position.rules,
      positionSide: position.side === "BUY" ? "LONG" : "SHORT",
      entryPrice: position.entryPrice,
      qty: position.qty,
      target,
      leverage: this.deps.settings.leverage,
      entryFeeUsdt: position.entryFeeUsdt,
      takerFeeRate: await this.takerRate(request.symbol),
    });
    if (!outcome.ok) {
      const failure = `${outcome.code}: ${outcome.message}`;
      return { trigger: null, targetUsdt: null, feesUsdt: null, failure };
    }
    return {
      trigger: outcome.triggerPrice,
      targetUsdt: outcome.targetUsdt,
      feesUsdt: outcome.feesUsdt,
      failure: null,
    };
  }

  /** The venue's taker rate for the exit fee estimate, asked once per symbol. */
  async takerRate(symbol: string): Promise<Decimal> {
    const known = this.takerRates.get(symbol);
    if (known !== undefined) return known;
    const answer = await this.deps.exchange.commission("FUT", symbol);
    if (!answer.ok) return this.deps.settings.defaultTakerFeeRate;
    if (this.takerRates.size < feeRatesMax) this.takerRates.set(symbol, answer.value.taker);
    return answer.value.taker;
  }

  private tpAlert(request: ProtectionRequest, tp: TakeProfitTrigger): Recorded {
    if (tp.failure === null) return emptyRecorded();
    return recordAlert({
      level: "ERROR",
      code: "TAKE_PROFIT_UNREACHABLE",
      message: `${request.symbol} take-profit not placed: ${tp.failure}`,
      intentId: request.intentId,
      tag: "tp-target",
      nowMs: this.deps.clock.nowMs(),
    });
  }

  /** TP_SL_PLACED (always written: it also marks the entry as handled) and `risk:sl_arm`. */
  private placedEvent(
    request: ProtectionRequest,
    position: CoveredPosition,
    tp: TakeProfitTrigger,
    placed: readonly Order[],
    mode: string | null,
  ): Recorded {
    const ids = protectionIds(request.intentId);
    const leg = (id: string) => placed.find((order) => order.orderId === id);
    const view = (order: Order | undefined) =>
      order === undefined
        ? null
        : {
            order_id: order.orderId,
            client_algo_id: order.clientOrderId,
            exchange_order_id: order.exchangeOrderId,
            trigger_price: formatDecimal(order.stopPrice ?? dec("0")),
          };
    const stop = view(leg(ids.stopLoss.orderId));
    const payload = {
      market: "FUT",
      symbol: request.symbol,
      side: position.side,
      qty: formatDecimal(position.qty),
      entry_price: formatDecimal(position.entryPrice),
      entry_fee_usdt: formatDecimal(position.entryFeeUsdt),
      working_type: this.deps.settings.workingType,
      mode,
      sl: stop,
      tp: view(leg(ids.takeProfit.orderId)),
      tp_target: request.takeProfit?.target ?? null,
      tp_target_usdt: tp.targetUsdt === null ? null : formatDecimal(tp.targetUsdt),
      tp_fees_usdt: tp.feesUsdt === null ? null : formatDecimal(tp.feesUsdt),
    };
    return recordEvent({
      kind: "TP_SL_PLACED",
      tag: "tp-sl",
      intentId: request.intentId,
      orderId: stop?.order_id ?? null,
      payload,
      stream: stop === null ? null : slArmStream,
      nowMs: this.deps.clock.nowMs(),
    });
  }
}

/** A row about to be sent, as the store should hold it meanwhile: its outcome unknown. */
export function beingSent(order: Order, nowMs: number): Order {
  if (order.status !== "PENDING_NEW") return order;
  const change = applyEvent(order, "OUTCOME_UNKNOWN", nowMs);
  return change.ok ? change.order : order;
}

/** The leg after its placement: acknowledged, unknown (the sweep settles it) or rejected. */
export function settleLeg(
  leg: Order,
  placement: Placement<ConditionalOrder>,
  nowMs: number,
): Order {
  if (placement.ok) return syncConditional(leg, placement.value, nowMs);
  const change = applyEvent(leg, placement.unknown ? "OUTCOME_UNKNOWN" : "REJECTED", nowMs);
  return change.ok ? change.order : leg;
}
