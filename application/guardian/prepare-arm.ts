// Arming a guardian, as rows: the emulated legs it stands for (a stop, and a watched take-profit
// when no venue order holds it), the GUARD_ARMED event and its stream. The caller saves them with
// its own changes in one write, then activates the guardian: a crash in between restores it.

import {
  type Decimal,
  div,
  formatDecimal,
  gte,
  isPositive,
  lte,
  roundToStep,
} from "../../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../../domain/instrument/index.ts";
import { countSteps } from "../../domain/decimal/index.ts";
import {
  applyEvent,
  newOrder,
  type Order,
  type OrderType,
  type Side,
} from "../../domain/order/index.ts";
import { armGuardian } from "../../domain/protection/index.ts";
import { protectionIds } from "../protection/protection-ids.ts";
import {
  guardArmStream,
  mergeRecorded,
  type Recorded,
  recordEvent,
  slArmStream,
} from "../protection/protection-events.ts";
import {
  type Guard,
  type GuardMeta,
  type GuardRole,
  guardToRecord,
  type PriceSource,
  type TakeProfitVenue,
} from "./guard-model.ts";

export interface ArmRequest {
  readonly intentId: string;
  readonly market: Market;
  readonly symbol: string;
  readonly rules: SymbolRules;
  readonly entryOrderId: string;
  /** The side that closes the position: SELL protects a long. */
  readonly exitSide: Side;
  /** The position the guardian protects (on the lot grid). */
  readonly qty: Decimal;
  readonly stopPrice: Decimal;
  readonly takeProfit: TakeProfitVenue;
  /** Watched by the guardian itself when no venue order holds the take-profit. */
  readonly watchedTakeProfitPrice: Decimal | null;
  readonly role: GuardRole;
  readonly priceSource: PriceSource;
  /** Why a guardian: "forced", "oco_refused", "stop_not_placed", "stop_limit_backstop", ... */
  readonly reason: string;
  readonly nowMs: number;
}

export interface PreparedArm {
  readonly guard: Guard;
  readonly orders: readonly Order[];
  readonly recorded: Recorded;
  /** Legs to show as `guardian: true`. */
  readonly guardedOrderIds: ReadonlySet<string>;
}

export function prepareArm(request: ArmRequest): PreparedArm {
  const { rules, market } = request;
  const positionSteps = countSteps(request.qty, rules.lot.step, "floor");
  const watched = watchedTakeProfit(request);
  const state = armGuardian({
    exitSide: request.exitSide,
    positionSteps,
    minExitSteps: minExitSteps(request),
    stopPrice: request.stopPrice,
    takeProfitPrice: watched,
    takeProfitLeg: request.takeProfit.kind === "NONE" ? "NONE" : "WORKING",
  });
  const primary = request.role === "PRIMARY";
  const meta: GuardMeta = {
    intentId: request.intentId,
    market,
    symbol: request.symbol,
    lotStep: rules.lot.step,
    role: request.role,
    priceSource: request.priceSource,
    stopLeg: primary,
    takeProfitLeg: watched !== null && primary,
    takeProfit: request.takeProfit,
    entryOrderId: request.entryOrderId,
    armedAtMs: request.nowMs,
  };
  const guard: Guard = { meta, state };
  const orders = emulatedLegs(request, meta, watched);
  const guarded = new Set(orders.map((order) => order.orderId));
  const tp = request.takeProfit;
  if (primary && (tp.kind === "ORDER" || tp.kind === "CONDITIONAL")) guarded.add(tp.orderId);
  return { guard, orders, recorded: armEvents(request, guard, watched), guardedOrderIds: guarded };
}

/** A watched take-profit must lie beyond the stop on the winning side; otherwise none is kept. */
function watchedTakeProfit(request: ArmRequest): Decimal | null {
  const price = request.watchedTakeProfitPrice;
  if (price === null || request.takeProfit.kind !== "NONE") return null;
  const beyond = request.exitSide === "SELL" ? gte : lte;
  return beyond(price, request.stopPrice) ? price : null;
}

/**
 * The smallest exit the venue takes: the lot minimum and, where the notional minimum applies to
 * market orders (spot; futures waive it for reduce-only), that notional at the stop price.
 */
function minExitSteps(request: ArmRequest): bigint {
  const { rules } = request;
  const step = rules.lot.step;
  let steps = isPositive(rules.lot.min) ? countSteps(rules.lot.min, step, "ceil") : 1n;
  const notional = rules.notional;
  const applies =
    notional !== null &&
    isPositive(notional.min) &&
    notional.applyMinToMarket &&
    !(request.market === "FUT" && notional.waivedForReduceOnly);
  if (applies) {
    const qty = div(notional.min, request.stopPrice, step.scale + 8, "ceil");
    const notionalSteps = countSteps(roundToStep(qty, step, "ceil"), step, "ceil");
    if (notionalSteps > steps) steps = notionalSteps;
  }
  return steps < 1n ? 1n : steps;
}

function emulatedLegs(request: ArmRequest, meta: GuardMeta, watched: Decimal | null): Order[] {
  const ids = protectionIds(request.intentId);
  const fut = request.market === "FUT";
  const leg = (id: typeof ids.guardStop, role: "SL" | "TP", type: OrderType, trigger: Decimal) => {
    const created = newOrder({
      orderId: id.orderId,
      intentId: request.intentId,
      clientOrderId: id.clientOrderId,
      market: request.market,
      symbol: request.symbol,
      side: request.exitSide,
      type,
      timeInForce: null,
      qty: request.qty,
      price: null,
      stopPrice: trigger,
      reduceOnly: fut,
      role,
      parentId: request.entryOrderId,
      midAtSend: null,
      createdAtMs: request.nowMs,
    });
    // Emulated legs are working from the start: the guardian is their venue.
    const accepted = applyEvent(created, "ACCEPTED", request.nowMs);
    return accepted.ok ? accepted.order : created;
  };
  const orders: Order[] = [];
  if (meta.stopLeg) {
    orders.push(leg(ids.guardStop, "SL", fut ? "STOP_MARKET" : "STOP_LOSS", request.stopPrice));
  }
  if (meta.takeProfitLeg && watched !== null) {
    orders.push(leg(ids.guardTarget, "TP", fut ? "TAKE_PROFIT_MARKET" : "TAKE_PROFIT", watched));
  }
  return orders;
}

function armEvents(request: ArmRequest, guard: Guard, watched: Decimal | null): Recorded {
  const primary = request.role === "PRIMARY";
  const tp = request.takeProfit;
  const payload = {
    market: request.market,
    symbol: request.symbol,
    state: "armed",
    armed_at: request.nowMs,
    role: request.role,
    reason: request.reason,
    exit_side: request.exitSide,
    qty: formatDecimal(request.qty),
    stop_price: formatDecimal(request.stopPrice),
    take_profit_price: watched === null ? null : formatDecimal(watched),
    take_profit_leg: tp.kind,
    guardian: true,
    guard: guardToRecord(guard),
  };
  // Spot guardians announce themselves on guard:spot:arm; a futures stop is a stop: risk:sl_arm.
  const stream = !primary ? null : request.market === "SPOT" ? guardArmStream : slArmStream;
  return mergeRecorded(
    recordEvent({
      kind: "GUARD_ARMED",
      tag: `guard-armed-${request.role.toLowerCase()}`,
      intentId: request.intentId,
      orderId: primary ? protectionIds(request.intentId).guardStop.orderId : null,
      payload,
      stream,
      nowMs: request.nowMs,
    }),
  );
}
