// Spot protection (DESIGN §5): the filled quantity, net of a base-asset commission and rounded down
// to step, protected by a native OCO (above: LIMIT_MAKER take-profit, below: STOP_LOSS_LIMIT stop)
// with a backstop guardian behind the stop-limit (a gap through the limit would leave it resting
// unfilled). If the venue refuses the OCO, or S4_OCO_GUARDIAN forces it, the take-profit goes out
// as a limit maker on its own and a guardian is the stop.

import { type Decimal, formatDecimal } from "../../domain/decimal/index.ts";
import type { SymbolRules } from "../../domain/instrument/index.ts";
import { applyEvent, isTerminal, newOrder, type Order } from "../../domain/order/index.ts";
import { type OcoLegs, protectedQuantity, spotOcoLegs } from "../../domain/protection/index.ts";
import type { OrderList } from "../../ports/exchange-gateway.ts";
import type { TakeProfitVenue } from "../guardian/guard-model.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { midPrice } from "../shared/market.ts";
import { sendOrder } from "../shared/order-sender.ts";
import { fillEvent, syncFromVenue } from "../shared/venue-sync.ts";
import { type ProtectionContext, parentOf, retryPolicyOf } from "./protection-context.ts";
import {
  emptyRecorded,
  mergeRecorded,
  ocoArmedStream,
  type Recorded,
  recordAlert,
  recordEvent,
} from "./protection-events.ts";
import { protectionIds } from "./protection-ids.ts";
import { entryFilled, exitSideOf, type ProtectionRequest } from "./protection-request.ts";
import { placeOco } from "./venue-retry.ts";

interface Covered {
  readonly request: ProtectionRequest;
  readonly oco: { readonly takeProfit: Decimal; readonly stopLoss: Decimal };
  readonly rules: SymbolRules;
  readonly qty: Decimal;
  readonly parentId: string;
  readonly sinceMs: number;
}

export class SpotProtection {
  constructor(private readonly deps: ProtectionContext) {}

  /** Protects a filled spot entry; inside the intent's lock. */
  async protect(state: IntentState, request: ProtectionRequest): Promise<IntentState> {
    const rules = this.deps.rules.get("SPOT", request.symbol);
    const oco = request.oco;
    if (rules === null || oco === null) return state;
    const entry = entryFilled(state, this.deps.settings.defaultTakerFeeRate);
    const held = protectedQuantity(rules, entry.qty, entry.commissions);
    if (!held.ok) {
      const marker = this.marker(request, "nothing_to_protect", held.message);
      const alert = recordAlert({
        level: "WARN",
        code: held.code,
        message: `${request.symbol} entry not protected: ${held.message}`,
        intentId: request.intentId,
        tag: "spot-qty",
        nowMs: this.deps.clock.nowMs(),
      });
      return this.deps.ledger.save(state, mergeRecorded(marker, alert));
    }
    const parent = parentOf(state);
    const covered: Covered = {
      request,
      oco,
      rules,
      qty: held.qty,
      parentId: parent.orderId,
      sinceMs: parent.updatedAtMs,
    };
    if (this.deps.settings.spotGuardian) return this.guarded(state, covered, "forced", null);
    const snapshot = await this.deps.marketData.snapshot("SPOT", request.symbol);
    const last = midPrice(snapshot);
    const legs =
      last === null
        ? null
        : spotOcoLegs({
            rules,
            side: exitSideOf(request.side),
            qty: held.qty,
            takeProfitPrice: oco.takeProfit,
            stopPrice: oco.stopLoss,
            stopLimitTicks: this.deps.settings.stopLimitTicks,
            lastPrice: last,
          });
    if (legs === null || !legs.ok) {
      const why = legs === null ? "no market price" : `${legs.code}: ${legs.message}`;
      return this.guarded(state, covered, "oco_not_placeable", why);
    }
    return this.native(state, covered, legs.legs);
  }

  private async native(state: IntentState, covered: Covered, legs: OcoLegs): Promise<IntentState> {
    const { request } = covered;
    const ids = protectionIds(request.intentId);
    const nowMs = this.deps.clock.nowMs();
    const row = (id: typeof ids.stopLoss, role: "TP" | "SL") =>
      newOrder({
        orderId: id.orderId,
        intentId: request.intentId,
        clientOrderId: id.clientOrderId,
        market: "SPOT",
        symbol: request.symbol,
        side: legs.side,
        type: role === "TP" ? "LIMIT_MAKER" : "STOP_LOSS_LIMIT",
        timeInForce: role === "TP" ? null : "GTC",
        qty: legs.qty,
        price: role === "TP" ? legs.takeProfitPrice : legs.stopLimitPrice,
        stopPrice: role === "TP" ? null : legs.stopPrice,
        reduceOnly: false,
        role,
        parentId: covered.parentId,
        midAtSend: null,
        createdAtMs: nowMs,
      });
    const planned = [row(ids.takeProfit, "TP"), row(ids.stopLoss, "SL")];
    let current = await this.deps.ledger.save(state, { orders: planned });
    const placement = await placeOco(
      this.deps.exchange,
      this.deps.clock,
      retryPolicyOf(this.deps.settings),
      {
        symbol: request.symbol,
        side: legs.side,
        qty: legs.qty,
        listClientOrderId: ids.list,
        takeProfitPrice: legs.takeProfitPrice,
        takeProfitClientOrderId: ids.takeProfit.clientOrderId,
        stopPrice: legs.stopPrice,
        stopLimitPrice: legs.stopLimitPrice,
        stopClientOrderId: ids.stopLoss.clientOrderId,
      },
    );
    const after = this.deps.clock.nowMs();
    if (!placement.ok) {
      const event = placement.unknown ? "OUTCOME_UNKNOWN" : "REJECTED";
      const ended = planned.map((order) => {
        const change = applyEvent(order, event, after);
        return change.ok ? change.order : order;
      });
      current = await this.deps.ledger.save(current, { orders: ended });
      const why = `${placement.error.kind}: ${placement.error.message}`;
      return this.guarded(current, covered, "oco_refused", why);
    }
    this.deps.metrics.observe("protection_placement_ms", after - covered.sinceMs, {
      market: "SPOT",
    });
    return this.armed(current, covered, legs, planned, placement.value);
  }

  /** The list is live: its legs as the venue has them, OCO_ARMED, and the stop-limit backstop. */
  private async armed(
    state: IntentState,
    covered: Covered,
    legs: OcoLegs,
    planned: readonly Order[],
    list: OrderList,
  ): Promise<IntentState> {
    const { request } = covered;
    const nowMs = this.deps.clock.nowMs();
    const synced: Order[] = [];
    const fills: IntentState["fills"][number][] = [];
    for (const order of planned) {
      const venue = list.orders.find(
        (candidate) => candidate.clientOrderId === order.clientOrderId,
      );
      if (venue === undefined) continue;
      const rules = covered.rules;
      const sync = syncFromVenue(order, venue, venue.fills, { rules, bookTop3: null }, nowMs);
      synced.push(sync.order);
      fills.push(...sync.newFills);
    }
    const ids = protectionIds(request.intentId);
    const armedEvent = recordEvent({
      kind: "OCO_ARMED",
      tag: "oco",
      intentId: request.intentId,
      orderId: ids.takeProfit.orderId,
      payload: {
        market: "SPOT",
        symbol: request.symbol,
        side: legs.side,
        qty: formatDecimal(legs.qty),
        order_list_id: list.orderListId,
        list_client_order_id: list.listClientOrderId,
        tp: { order_id: ids.takeProfit.orderId, price: formatDecimal(legs.takeProfitPrice) },
        sl: {
          order_id: ids.stopLoss.orderId,
          stop_price: formatDecimal(legs.stopPrice),
          limit_price: formatDecimal(legs.stopLimitPrice),
        },
      },
      stream: ocoArmedStream,
      nowMs,
    });
    const allEnded = synced.length === planned.length && synced.every((o) => isTerminal(o.status));
    const backstop = allEnded
      ? null
      : this.deps.guardian.prepareArm({
          intentId: request.intentId,
          market: "SPOT",
          symbol: request.symbol,
          rules: covered.rules,
          entryOrderId: covered.parentId,
          exitSide: legs.side,
          qty: legs.qty,
          // Past the stop-limit's limit the stop leg cannot fill: the backstop sells instead.
          stopPrice: legs.stopLimitPrice,
          takeProfit: {
            kind: "LIST",
            listClientOrderId: list.listClientOrderId,
            legOrderIds: planned.map((order) => order.orderId),
          },
          watchedTakeProfitPrice: null,
          role: "BACKSTOP",
          priceSource: "MID",
          reason: "stop_limit_backstop",
          nowMs,
        });
    const current = await this.deps.ledger.save(state, {
      orders: synced,
      fills,
      outbox: [
        ...armedEvent.outbox,
        ...fills.map((fill) => fillEvent(synced.find((o) => o.orderId === fill.orderId)!, fill)),
        ...(backstop?.recorded.outbox ?? []),
      ],
      strategyEvents: [...armedEvent.strategyEvents, ...(backstop?.recorded.strategyEvents ?? [])],
    });
    if (backstop !== null) await this.deps.guardian.activate(backstop);
    return current;
  }

  /**
   * A take-profit limit maker on its own plus a guardian for the stop. A take-profit the venue
   * will not rest (the price is already through it) is watched by the guardian instead.
   */
  private async guarded(
    state: IntentState,
    covered: Covered,
    reason: string,
    why: string | null,
  ): Promise<IntentState> {
    const { request, oco } = covered;
    const ids = protectionIds(request.intentId);
    const nowMs = this.deps.clock.nowMs();
    const takeProfitOrder = newOrder({
      orderId: ids.guardTakeProfit.orderId,
      intentId: request.intentId,
      clientOrderId: ids.guardTakeProfit.clientOrderId,
      market: "SPOT",
      symbol: request.symbol,
      side: exitSideOf(request.side),
      type: "LIMIT_MAKER",
      timeInForce: null,
      qty: covered.qty,
      price: oco.takeProfit,
      stopPrice: null,
      reduceOnly: false,
      role: "TP",
      parentId: covered.parentId,
      midAtSend: null,
      createdAtMs: nowMs,
    });
    let current = await this.deps.ledger.save(state, { orders: [takeProfitOrder] });
    const sent = await this.sendTakeProfit(takeProfitOrder, covered.rules);
    const unknown = sent.error?.kind === "OUTCOME_UNKNOWN";
    const working = sent.error === null && !isTerminal(sent.order.status);
    const venue: TakeProfitVenue = working
      ? {
          kind: "ORDER",
          orderId: takeProfitOrder.orderId,
          clientOrderId: takeProfitOrder.clientOrderId,
        }
      : { kind: "NONE" };
    const prepared = this.deps.guardian.prepareArm({
      intentId: request.intentId,
      market: "SPOT",
      symbol: request.symbol,
      rules: covered.rules,
      entryOrderId: covered.parentId,
      exitSide: exitSideOf(request.side),
      qty: covered.qty,
      stopPrice: oco.stopLoss,
      takeProfit: venue,
      // A maker whose fate is unknown may still rest on the venue: never watch a second TP.
      watchedTakeProfitPrice: working || unknown ? null : oco.takeProfit,
      role: "PRIMARY",
      priceSource: "MID",
      reason,
      nowMs: this.deps.clock.nowMs(),
    });
    // The maker leg's row gives way to the watched leg when the venue would not rest it.
    const legRows = working
      ? [sent.order]
      : prepared.orders.some((order) => order.orderId === takeProfitOrder.orderId)
        ? []
        : [sent.order];
    const fallback: Recorded =
      reason === "forced"
        ? emptyRecorded()
        : recordAlert({
            level: "WARN",
            code: "OCO_FALLBACK",
            message: `${request.symbol} OCO not in place (${why ?? reason}): take-profit limit and a guardian protect the position`,
            intentId: request.intentId,
            tag: "oco-fallback",
            nowMs,
          });
    current = await this.deps.ledger.save(current, {
      orders: [...legRows, ...prepared.orders],
      fills: [...sent.newFills],
      ...mergeRecorded(prepared.recorded, fallback),
      outbox: [
        ...prepared.recorded.outbox,
        ...fallback.outbox,
        ...sent.newFills.map((fill) => fillEvent(sent.order, fill)),
      ],
      guardedOrderIds: prepared.guardedOrderIds,
    });
    this.deps.metrics.observe(
      "protection_placement_ms",
      this.deps.clock.nowMs() - covered.sinceMs,
      {
        market: "SPOT",
      },
    );
    await this.deps.guardian.activate(prepared);
    return current;
  }

  /** Sends the maker take-profit; an unknown outcome is settled by one query of its id. */
  private async sendTakeProfit(order: Order, rules: SymbolRules) {
    const sent = await sendOrder(this.deps, order, { rules, bookTop3: null });
    if (sent.error?.kind !== "OUTCOME_UNKNOWN") return sent;
    const found = await this.deps.exchange.queryOrder({
      market: "SPOT",
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
    });
    if (!found.ok) return sent;
    const nowMs = this.deps.clock.nowMs();
    const synced = syncFromVenue(
      sent.order,
      found.value,
      found.value.fills,
      { rules, bookTop3: null },
      nowMs,
    );
    return { ...synced, error: null };
  }

  /** TP_SL_PLACED with nothing placed: marks the entry as handled. */
  private marker(request: ProtectionRequest, reason: string, message: string): Recorded {
    return recordEvent({
      kind: "TP_SL_PLACED",
      tag: "tp-sl",
      intentId: request.intentId,
      orderId: null,
      payload: { market: "SPOT", symbol: request.symbol, placed: false, reason, message },
      stream: null,
      nowMs: this.deps.clock.nowMs(),
    });
  }
}
