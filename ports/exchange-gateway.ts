// The venue boundary in the router's own types. Venue codes never cross it: adapters translate
// every answer into ExchangeResult values, and "unknown" is an outcome of its own.

import type { Decimal } from "../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../domain/instrument/index.ts";
import type { BookLevel, Liquidity, OrderType, Side, TimeInForce } from "../domain/order/index.ts";

export type ExchangeError =
  | { readonly kind: "FILTER_REJECTED"; readonly filter: string; readonly message: string }
  | { readonly kind: "INSUFFICIENT_BALANCE"; readonly message: string }
  | { readonly kind: "REDUCE_ONLY_REJECTED"; readonly message: string }
  /** A post-only order (spot LIMIT_MAKER, futures GTX) would have taken liquidity. */
  | { readonly kind: "POST_ONLY_REJECTED"; readonly message: string }
  /** A stop or take-profit whose trigger is already crossed. */
  | { readonly kind: "WOULD_TRIGGER_IMMEDIATELY"; readonly message: string }
  /** The client order id is in use by an open order. */
  | { readonly kind: "DUPLICATE_ORDER"; readonly message: string }
  | { readonly kind: "UNKNOWN_ORDER"; readonly message: string }
  | { readonly kind: "RATE_LIMITED"; readonly retryAfterMs: number; readonly message: string }
  | { readonly kind: "BANNED"; readonly untilMs: number; readonly message: string }
  /** A definite failure before the venue acted (e.g. 503 "Service Unavailable."): safe to retry. */
  | { readonly kind: "UNAVAILABLE"; readonly message: string }
  /** The request may or may not have executed; resolve by query, never by a blind resend. */
  | { readonly kind: "OUTCOME_UNKNOWN"; readonly message: string }
  /** Any other definite refusal (bad parameter, disabled action, closed market, ...). */
  | { readonly kind: "REJECTED"; readonly message: string };

export type ExchangeErrorKind = ExchangeError["kind"];

export type ExchangeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ExchangeError };

/** Order states as the venue reports them. */
export type VenueOrderStatus =
  | "NEW"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "REJECTED"
  | "EXPIRED";

export interface ExchangeFill {
  /** The venue's trade id; unique per symbol and market. */
  readonly tradeId: string;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly fee: Decimal;
  readonly feeAsset: string;
  readonly liquidity: Liquidity;
  readonly tsMs: number;
}

export interface ExchangeOrder {
  readonly market: Market;
  readonly symbol: string;
  readonly exchangeOrderId: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce | null;
  readonly qty: Decimal;
  readonly price: Decimal | null;
  readonly stopPrice: Decimal | null;
  readonly status: VenueOrderStatus;
  readonly filledQty: Decimal;
  readonly avgPrice: Decimal | null;
  /**
   * Every fill of the order known to the venue, with trade ids; their quantities sum to
   * filledQty. (Adapters whose venue answers without fills fetch them before answering.)
   */
  readonly fills: readonly ExchangeFill[];
  readonly reduceOnly: boolean;
  /** Set for an order that belongs to a spot order list (OCO leg). */
  readonly orderListId: string | null;
  readonly updateTimeMs: number;
}

export interface PlaceOrderRequest {
  readonly market: Market;
  readonly symbol: string;
  readonly side: Side;
  /** MARKET, LIMIT, or spot LIMIT_MAKER; conditional futures types go to placeConditional. */
  readonly type: OrderType;
  /** Required for LIMIT; GTX (post-only) is futures only. */
  readonly timeInForce: TimeInForce | null;
  readonly qty: Decimal;
  readonly price: Decimal | null;
  readonly stopPrice: Decimal | null;
  readonly clientOrderId: string;
  /** Futures only. */
  readonly reduceOnly: boolean;
}

export interface OrderRef {
  readonly market: Market;
  readonly symbol: string;
  readonly clientOrderId: string;
}

/** Futures conditional orders (Binance algo orders since 2025-12-09). */
export type WorkingType = "MARK_PRICE" | "CONTRACT_PRICE";
export type ConditionalStatus =
  | "NEW"
  | "TRIGGERING"
  | "TRIGGERED"
  | "FINISHED"
  | "CANCELED"
  | "REJECTED"
  | "EXPIRED";

export interface ConditionalOrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: "STOP_MARKET" | "TAKE_PROFIT_MARKET";
  readonly triggerPrice: Decimal;
  readonly workingType: WorkingType;
  /** Null with closePosition = true. */
  readonly qty: Decimal | null;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly clientAlgoId: string;
}

export interface ConditionalOrder {
  readonly symbol: string;
  readonly algoId: string;
  readonly clientAlgoId: string;
  readonly side: Side;
  readonly type: "STOP_MARKET" | "TAKE_PROFIT_MARKET";
  readonly triggerPrice: Decimal;
  readonly workingType: WorkingType;
  readonly qty: Decimal | null;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly status: ConditionalStatus;
  /** The exchange id of the market order placed when the trigger fired, once it has. */
  readonly triggeredOrderId: string | null;
  readonly filledQty: Decimal;
  readonly avgPrice: Decimal | null;
  readonly updateTimeMs: number;
}

/** Spot OCO sell (or buy) as Binance orderList/oco: a take-profit leg and a stop leg. */
export interface OcoRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Decimal;
  readonly listClientOrderId: string;
  /** LIMIT_MAKER take-profit leg. */
  readonly takeProfitPrice: Decimal;
  readonly takeProfitClientOrderId: string;
  /** STOP_LOSS_LIMIT stop leg: trigger and limit price. */
  readonly stopPrice: Decimal;
  readonly stopLimitPrice: Decimal;
  readonly stopClientOrderId: string;
}

export type OrderListStatus = "EXECUTING" | "ALL_DONE" | "REJECT";

export interface OrderList {
  readonly symbol: string;
  readonly orderListId: string;
  readonly listClientOrderId: string;
  readonly status: OrderListStatus;
  readonly orders: readonly ExchangeOrder[];
  readonly updateTimeMs: number;
}

export interface OrderListRef {
  readonly symbol: string;
  readonly listClientOrderId: string;
}

export interface Balance {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
}

export interface Position {
  readonly symbol: string;
  /** Signed: negative is short (one-way mode). */
  readonly qty: Decimal;
  readonly entryPrice: Decimal;
  readonly markPrice: Decimal;
  readonly leverage: number;
  readonly marginType: "ISOLATED" | "CROSSED";
}

export interface BookSnapshot {
  readonly market: Market;
  readonly symbol: string;
  readonly bid: Decimal;
  readonly ask: Decimal;
  readonly bidQty: Decimal;
  readonly askQty: Decimal;
  /** Up to three levels per side, best first. */
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** Futures mark price; null on spot. */
  readonly markPrice: Decimal | null;
  readonly tsMs: number;
}

export type TransferDirection = "SPOT_TO_FUT" | "FUT_TO_SPOT";

export interface Commission {
  readonly maker: Decimal;
  readonly taker: Decimal;
}

/** What the venue pushes: user-data changes and market prices. Duplicates and reordering are
 *  possible; consumers dedupe fills by trade id and never move an order backwards. */
export type ExchangeEvent =
  | {
      readonly kind: "ORDER_UPDATE";
      readonly order: Omit<ExchangeOrder, "fills">;
      readonly fill: ExchangeFill | null;
      readonly tsMs: number;
    }
  | { readonly kind: "CONDITIONAL_UPDATE"; readonly order: ConditionalOrder; readonly tsMs: number }
  | {
      readonly kind: "ORDER_LIST_UPDATE";
      readonly list: Omit<OrderList, "orders">;
      readonly tsMs: number;
    }
  | {
      readonly kind: "BOOK_TOP";
      readonly market: Market;
      readonly symbol: string;
      readonly bid: Decimal;
      readonly ask: Decimal;
      readonly bidQty: Decimal;
      readonly askQty: Decimal;
      readonly tsMs: number;
    }
  | {
      readonly kind: "MARK_PRICE";
      readonly symbol: string;
      readonly markPrice: Decimal;
      readonly tsMs: number;
    }
  | {
      readonly kind: "ACCOUNT_UPDATE";
      readonly market: Market;
      readonly balances: readonly Balance[];
      readonly positions: readonly Position[];
      readonly tsMs: number;
    }
  /** A user-data stream reconnected: anything missed must be re-queried. */
  | {
      readonly kind: "STREAM_STATE";
      readonly stream: "USER" | "MARKET";
      readonly connected: boolean;
      readonly tsMs: number;
    };

export type ExchangeEventListener = (event: ExchangeEvent) => void;

export interface ExchangeConnectivity {
  readonly restReachable: boolean;
  readonly userStreamConnected: boolean;
}

export interface ExchangeGateway {
  /** Adapter name for banners and health ("sim", "binance"). */
  readonly name: string;
  /** Opens streams and loads what the adapter needs; idempotent. */
  start(): Promise<ExchangeResult<void>>;
  stop(): Promise<void>;
  connectivity(): ExchangeConnectivity;
  onEvent(listener: ExchangeEventListener): () => void;

  symbolRules(): Promise<ExchangeResult<readonly SymbolRules[]>>;
  bookTop(market: Market, symbol: string): Promise<ExchangeResult<BookSnapshot>>;
  commission(market: Market, symbol: string): Promise<ExchangeResult<Commission>>;

  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>>;
  /** Answers the order as it ended; executed quantity included. Cancelling twice is harmless:
   *  the second answers UNKNOWN_ORDER. */
  cancelOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>>;
  queryOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>>;
  openOrders(market: Market, symbol?: string): Promise<ExchangeResult<readonly ExchangeOrder[]>>;

  placeConditional(request: ConditionalOrderRequest): Promise<ExchangeResult<ConditionalOrder>>;
  cancelConditional(
    symbol: string,
    clientAlgoId: string,
  ): Promise<ExchangeResult<ConditionalOrder>>;
  queryConditional(symbol: string, clientAlgoId: string): Promise<ExchangeResult<ConditionalOrder>>;
  openConditionals(symbol?: string): Promise<ExchangeResult<readonly ConditionalOrder[]>>;

  placeOco(request: OcoRequest): Promise<ExchangeResult<OrderList>>;
  cancelOrderList(ref: OrderListRef): Promise<ExchangeResult<OrderList>>;
  queryOrderList(ref: OrderListRef): Promise<ExchangeResult<OrderList>>;

  /** Futures: margin type and leverage for a symbol ("already set" is success). */
  configureSymbol(
    symbol: string,
    settings: { readonly leverage: number; readonly marginType: "ISOLATED" | "CROSSED" },
  ): Promise<ExchangeResult<void>>;
  positions(symbol?: string): Promise<ExchangeResult<readonly Position[]>>;
  balances(market: Market): Promise<ExchangeResult<readonly Balance[]>>;
  transfer(
    direction: TransferDirection,
    asset: string,
    amount: Decimal,
  ): Promise<ExchangeResult<{ readonly transferId: string }>>;
}
