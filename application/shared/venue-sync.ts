// Folds what the venue says about an order (an answer or a pushed event) into the stored order:
// new fills get TCA and are applied through the domain mutator (duplicates by trade id are
// dropped before any transition), then the venue status is applied if the table allows it.

import { type Decimal, formatDecimal, mul } from "../../domain/decimal/index.ts";
import { slippageBps } from "../../domain/execution/index.ts";
import type { SymbolRules } from "../../domain/instrument/index.ts";
import {
  applyEvent,
  applyFill,
  type BookTop3,
  type Fill,
  type Order,
  type OrderEventKind,
} from "../../domain/order/index.ts";
import type {
  ExchangeFill,
  ExchangeOrder,
  VenueOrderStatus,
} from "../../ports/exchange-gateway.ts";
import type { OutboxEvent } from "../../ports/order-store.ts";

export interface VenueView {
  readonly exchangeOrderId: string;
  readonly status: VenueOrderStatus;
}

export interface FillContext {
  readonly rules: SymbolRules | null;
  readonly bookTop3: BookTop3 | null;
}

export interface SyncOutcome {
  readonly order: Order;
  readonly newFills: readonly Fill[];
  readonly changed: boolean;
}

const statusEvents: Record<
  VenueOrderStatus,
  Exclude<OrderEventKind, "PARTIAL_FILL" | "FULL_FILL">
> = {
  NEW: "ACCEPTED",
  PARTIALLY_FILLED: "ACCEPTED",
  FILLED: "ACCEPTED",
  CANCELED: "CANCELED",
  REJECTED: "REJECTED",
  EXPIRED: "EXPIRED",
};

export function feeInUsdt(fill: ExchangeFill, rules: SymbolRules | null): Decimal | null {
  if (fill.feeAsset === "USDT") return fill.fee;
  if (rules !== null && fill.feeAsset === rules.baseAsset && rules.quoteAsset === "USDT") {
    return mul(fill.fee, fill.price);
  }
  return null;
}

export function toFill(order: Order, fill: ExchangeFill, context: FillContext): Fill {
  return {
    fillId: `${order.orderId}:${fill.tradeId}`,
    orderId: order.orderId,
    tradeId: fill.tradeId,
    price: fill.price,
    qty: fill.qty,
    fee: fill.fee,
    feeAsset: fill.feeAsset,
    feeUsdt: feeInUsdt(fill, context.rules),
    liquidity: fill.liquidity,
    midAtSend: order.midAtSend,
    bookTop3: context.bookTop3,
    slippageBps:
      order.midAtSend === null ? null : slippageBps(order.side, fill.price, order.midAtSend),
    tsMs: fill.tsMs,
  };
}

/** Applies fills first (they can only add), then the venue's status. Never moves backwards. */
export function syncFromVenue(
  stored: Order,
  view: VenueView | null,
  fills: readonly ExchangeFill[],
  context: FillContext,
  nowMs: number,
): SyncOutcome {
  let order = stored;
  const newFills: Fill[] = [];
  for (const venueFill of fills) {
    const fill = toFill(order, venueFill, context);
    const change = applyFill(order, fill, nowMs);
    if (!change.ok) continue;
    order = change.order;
    newFills.push(fill);
  }
  if (view !== null) {
    if (order.exchangeOrderId === null) order = { ...order, exchangeOrderId: view.exchangeOrderId };
    const change = applyEvent(order, statusEvents[view.status], nowMs);
    if (change.ok) order = change.order;
  }
  const changed =
    newFills.length > 0 ||
    order.status !== stored.status ||
    order.exchangeOrderId !== stored.exchangeOrderId;
  return { order, newFills, changed };
}

/** Something that knows symbol rules (the RuleBook); kept structural to avoid a cycle. */
export interface RuleSource {
  get(market: Order["market"], symbol: string): SymbolRules | null;
}

/** Folds a venue answer (query, cancel, placement) with every fill it carries into `order`. */
export function syncFromAnswer(
  order: Order,
  answer: ExchangeOrder,
  rules: RuleSource,
  nowMs: number,
): SyncOutcome {
  const context = { rules: rules.get(order.market, order.symbol), bookTop3: null };
  return syncFromVenue(order, answer, answer.fills, context, nowMs);
}

/** The `orders:executed` message for a fill. */
export function fillEvent(order: Order, fill: Fill): OutboxEvent {
  return {
    eventId: `fill:${fill.fillId}`,
    stream: "orders:executed",
    createdAtMs: fill.tsMs,
    payload: {
      event_id: `fill:${fill.fillId}`,
      intent_id: order.intentId,
      order_id: order.orderId,
      client_order_id: order.clientOrderId,
      exchange_order_id: order.exchangeOrderId,
      market: order.market,
      symbol: order.symbol,
      side: order.side,
      role: order.role,
      trade_id: fill.tradeId,
      price: formatDecimal(fill.price),
      qty: formatDecimal(fill.qty),
      fee: formatDecimal(fill.fee),
      fee_asset: fill.feeAsset,
      fee_usdt: fill.feeUsdt === null ? null : formatDecimal(fill.feeUsdt),
      liquidity: fill.liquidity,
      mid_at_send: fill.midAtSend === null ? null : formatDecimal(fill.midAtSend),
      slippage_bps: fill.slippageBps,
      ts: fill.tsMs,
    },
  };
}
