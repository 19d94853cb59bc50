// Spot protection (DESIGN §5): the filled quantity, net of a base-asset commission and rounded down
// to step, protected by a native OCO (above: LIMIT_MAKER take-profit, below: STOP_LOSS_LIMIT stop)
// with a backstop guardian behind the stop-limit (a gap through the limit would leave it resting
// unfilled). If the venue refuses the OCO, or S4_OCO_GUARDIAN forces it, the take-profit goes out
// as a limit maker on its own and a guardian is the stop.

import {
  countSteps,
  type Decimal,
  formatDecimal,
  fromSteps,
  isZero,
} from "../../domain/decimal/index.ts";
import type { SymbolRules } from "../../domain/instrument/index.ts";
import { applyEvent, isTerminal, newOrder, type Order } from "../../domain/order/index.ts";
import { type OcoLegs, protectedQuantity, spotOcoLegs } from "../../domain/protection/index.ts";
import type { OrderList } from "../../ports/exchange-gateway.ts";
import type { IntentState } from "../shared/intent-ledger.ts";
import { midPrice } from "../shared/market.ts";
import { type SendOutcome, sendOrder } from "../shared/order-sender.ts";
import { fillEvent, syncFromVenue } from "../shared/venue-sync.ts";
import { beingSent } from "./futures-protection.ts";
import { closedPlaceholders } from "./placeholders.ts";
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

const unknownOutcome = {
  kind: "OUTCOME_UNKNOWN",
  message: "sent before a restart; not on the venue yet",
} as const;

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
      const closed = closedPlaceholders(state, this.deps.clock.nowMs());
      return this.deps.ledger.save(state, { orders: closed, ...mergeRecorded(marker, alert) });
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
    const resumed = await this.resumeList(state, covered);
    if (resumed !== null) return resumed;
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
    // Written ahead as "being sent": after a crash the list is asked for before it is re-sent.
    const planned = [row(ids.takeProfit, "TP"), row(ids.stopLoss, "SL")].map((order) =>
      beingSent(order, nowMs),
    );
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
   * A venue OCO sent before a crash (its legs stored as being sent): the list as the venue has
   * it, armed as if just placed. Null when there is none to resume.
   */
  private async resumeList(state: IntentState, covered: Covered): Promise<IntentState | null> {
    const ids = protectionIds(covered.request.intentId);
    const take = state.orders.find((order) => order.orderId === ids.takeProfit.orderId);
    const stop = state.orders.find((order) => order.orderId === ids.stopLoss.orderId);
    if (take === undefined || stop === undefined) return null;
    const sent = take.status === "UNKNOWN" || take.exchangeOrderId !== null;
    if (!sent) return null;
    const found = await this.deps.exchange.queryOrderList({
      symbol: covered.request.symbol,
      listClientOrderId: ids.list,
    });
    if (!found.ok) {
      // Not (yet) on the venue: a list whose send was cut short may still arrive until its
      // receive window has passed (DESIGN §6); the sweep comes back to it after that.
      const windowMs = this.deps.guardian.unknownAfterMs();
      const sinceMs = this.deps.clock.nowMs() - take.updatedAtMs;
      return take.status === "UNKNOWN" && sinceMs < windowMs ? state : null;
    }
    const legs: OcoLegs = {
      side: take.side,
      qty: take.qty,
      takeProfitPrice: take.price!,
      stopPrice: stop.stopPrice!,
      stopLimitPrice: stop.price!,
    };
    return this.armed(state, covered, legs, [take, stop], found.value);
  }

  /**
   * A take-profit limit maker on its own plus a guardian for the stop. A take-profit the venue
   * will not rest (the price is already through it) is watched by the guardian instead; one that
   * already executed (found after a crash) leaves only the rest to protect.
   */
  private async guarded(
    state: IntentState,
    covered: Covered,
    reason: string,
    why: string | null,
  ): Promise<IntentState> {
    const { request, oco } = covered;
    const nowMs = this.deps.clock.nowMs();
    const ids = protectionIds(request.intentId);
    const found = state.orders.find((order) => order.orderId === ids.guardTakeProfit.orderId);
    // An earlier maker that ended unfilled is history: its id is free again on the venue.
    const before =
      found !== undefined && isTerminal(found.status) && isZero(found.filledQty)
        ? undefined
        : found;
    const maker = beingSent(before ?? this.makerRow(covered, nowMs), nowMs);
    // The venue OCO's written-ahead legs will not be placed: this path has its own ids.
    const closed = closedPlaceholders(state, nowMs);
    let current = await this.deps.ledger.save(state, { orders: [...closed, maker] });
    const sent: SendOutcome = isTerminal(maker.status)
      ? { order: maker, newFills: [], changed: false, error: null }
      : await this.sendTakeProfit(maker, covered.rules, before?.status === "UNKNOWN");
    // A maker whose fate is unknown may still rest on the venue: the guardian treats it as its
    // take-profit leg (cancel first), and settles it once its receive window has passed.
    const unknown = sent.error?.kind === "OUTCOME_UNKNOWN";
    const working = (sent.error === null && !isTerminal(sent.order.status)) || unknown;
    const executedSteps = countSteps(sent.order.filledQty, covered.rules.lot.step, "floor");
    const heldSteps = countSteps(covered.qty, covered.rules.lot.step, "floor");
    const rest = working ? heldSteps : heldSteps - executedSteps;
    const fills = {
      fills: [...sent.newFills],
      outbox: sent.newFills.map((fill) => fillEvent(sent.order, fill)),
    };
    if (rest <= 0n) {
      const marker = this.marker(request, "take_profit_executed", "the take-profit already filled");
      return this.deps.ledger.save(current, { orders: [sent.order], ...fills, ...marker });
    }
    const prepared = this.deps.guardian.prepareArm({
      intentId: request.intentId,
      market: "SPOT",
      symbol: request.symbol,
      rules: covered.rules,
      entryOrderId: covered.parentId,
      exitSide: exitSideOf(request.side),
      qty: fromSteps(rest, covered.rules.lot.step),
      stopPrice: oco.stopLoss,
      takeProfit: working
        ? { kind: "ORDER", orderId: maker.orderId, clientOrderId: maker.clientOrderId }
        : { kind: "NONE" },
      // Watched only when no maker ever worked (a partly filled one has had its chance).
      watchedTakeProfitPrice: working || executedSteps > 0n ? null : oco.takeProfit,
      role: "PRIMARY",
      priceSource: "MID",
      reason,
      nowMs: this.deps.clock.nowMs(),
    });
    const fallback =
      reason === "forced" ? emptyRecorded() : this.fallbackAlert(request, reason, why);
    const recorded = mergeRecorded(prepared.recorded, fallback);
    current = await this.deps.ledger.save(current, {
      orders: [sent.order, ...prepared.orders],
      fills: fills.fills,
      strategyEvents: recorded.strategyEvents,
      alerts: recorded.alerts,
      outbox: [...recorded.outbox, ...fills.outbox],
      guardedOrderIds: prepared.guardedOrderIds,
    });
    const latencyMs = this.deps.clock.nowMs() - covered.sinceMs;
    this.deps.metrics.observe("protection_placement_ms", latencyMs, { market: "SPOT" });
    await this.deps.guardian.activate(prepared);
    this.deps.guardian.onIntentChange(current);
    return current;
  }

  private makerRow(covered: Covered, nowMs: number): Order {
    const { request } = covered;
    const id = protectionIds(request.intentId).guardTakeProfit;
    return newOrder({
      orderId: id.orderId,
      intentId: request.intentId,
      clientOrderId: id.clientOrderId,
      market: "SPOT",
      symbol: request.symbol,
      side: exitSideOf(request.side),
      type: "LIMIT_MAKER",
      timeInForce: null,
      qty: covered.qty,
      price: covered.oco.takeProfit,
      stopPrice: null,
      reduceOnly: false,
      role: "TP",
      parentId: covered.parentId,
      midAtSend: null,
      createdAtMs: nowMs,
    });
  }

  private fallbackAlert(request: ProtectionRequest, reason: string, why: string | null): Recorded {
    return recordAlert({
      level: "WARN",
      code: "OCO_FALLBACK",
      message:
        `${request.symbol} OCO not in place (${why ?? reason}): ` +
        "take-profit limit and a guardian protect the position",
      intentId: request.intentId,
      tag: "oco-fallback",
      nowMs: this.deps.clock.nowMs(),
    });
  }

  /**
   * Sends the maker take-profit; one sent before a crash is adopted as the venue has it (even
   * filled), and an unknown outcome is settled by one query of its id.
   */
  private async sendTakeProfit(
    order: Order,
    rules: SymbolRules,
    resumed: boolean,
  ): Promise<SendOutcome> {
    const ref = {
      market: "SPOT" as const,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
    };
    const adopt = async (base: Order): Promise<SendOutcome | null> => {
      const found = await this.deps.exchange.queryOrder(ref);
      if (!found.ok) return null;
      const nowMs = this.deps.clock.nowMs();
      const view = found.value;
      const synced = syncFromVenue(base, view, view.fills, { rules, bookTop3: null }, nowMs);
      return { ...synced, error: null };
    };
    if (resumed) {
      // Sent before a crash and not (yet) there: it may still arrive, so it is not sent again
      // now; the guardian holds it as its take-profit leg and settles it after its window.
      const adopted = await adopt(order);
      return adopted ?? { order, newFills: [], changed: false, error: unknownOutcome };
    }
    const sent = await sendOrder(this.deps, order, { rules, bookTop3: null });
    if (sent.error?.kind !== "OUTCOME_UNKNOWN") return sent;
    return (await adopt(sent.order)) ?? sent;
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
