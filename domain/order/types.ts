// The router's own order vocabulary: what an order is, what happened to it, what it filled.

import type { Decimal } from "../decimal/index.ts";
import type { Market } from "../instrument/index.ts";

export type Side = "BUY" | "SELL";
export const sides: readonly Side[] = ["BUY", "SELL"];

/** Venue order types the router sends. Conditional futures types travel as algo orders. */
export type OrderType =
  | "MARKET"
  | "LIMIT"
  | "LIMIT_MAKER"
  | "STOP_MARKET"
  | "TAKE_PROFIT_MARKET"
  | "STOP_LOSS"
  | "STOP_LOSS_LIMIT"
  | "TAKE_PROFIT"
  | "TAKE_PROFIT_LIMIT";

/** GTX is Binance futures' post-only. */
export type TimeInForce = "GTC" | "IOC" | "FOK" | "GTX";

export type OrderStatus =
  | "PENDING_NEW" // recorded by the router, not yet acknowledged by the venue
  | "UNKNOWN" // sent, but the venue's answer was lost; resolved by querying, never by resending
  | "NEW"
  | "TRIGGERED" // a conditional order whose trigger fired; its market order is working
  | "PARTIALLY_FILLED"
  | "PENDING_CANCEL"
  | "FILLED"
  | "CANCELED"
  | "REJECTED"
  | "EXPIRED";

export const terminalStatuses: ReadonlySet<OrderStatus> = new Set([
  "FILLED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
]);

export function isTerminal(status: OrderStatus): boolean {
  return terminalStatuses.has(status);
}

export type OrderRole = "ENTRY" | "SLICE" | "TP" | "SL" | "OCO" | "EXIT";
export type Liquidity = "MAKER" | "TAKER";

export interface BookLevel {
  readonly price: Decimal;
  readonly qty: Decimal;
}

export interface BookTop3 {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export interface Fill {
  readonly fillId: string;
  readonly orderId: string;
  /** The venue's trade id: the key duplicate fills are rejected by. */
  readonly tradeId: string;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly fee: Decimal;
  readonly feeAsset: string;
  /** Fee converted to USDT at the fill price; null when it cannot be valued. */
  readonly feeUsdt: Decimal | null;
  readonly liquidity: Liquidity;
  readonly midAtSend: Decimal | null;
  readonly bookTop3: BookTop3 | null;
  readonly slippageBps: number | null;
  readonly tsMs: number;
}

export interface Order {
  /** The router's id; what POST /cancel and GET /orders/:id accept. */
  readonly orderId: string;
  readonly intentId: string;
  readonly clientOrderId: string;
  readonly exchangeOrderId: string | null;
  readonly market: Market;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce | null;
  readonly qty: Decimal;
  readonly price: Decimal | null;
  readonly stopPrice: Decimal | null;
  readonly status: OrderStatus;
  readonly filledQty: Decimal;
  /** Sum of price × qty over fills; avgPrice = filledQuote / filledQty. */
  readonly filledQuote: Decimal;
  readonly avgPrice: Decimal | null;
  readonly reduceOnly: boolean;
  readonly role: OrderRole;
  readonly parentId: string | null;
  readonly tradeIds: readonly string[];
  readonly midAtSend: Decimal | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}
