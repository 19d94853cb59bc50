// The simulated venue's public vocabulary: requests, answers, records and events. It is
// protocol-neutral: the in-process gateway and the Binance-protocol server both translate it.

import type { Decimal } from "../../../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../../../domain/instrument/index.ts";
import type { BookLevel, Liquidity, Side } from "../../../domain/order/index.ts";

export type SimOrderType =
  | "MARKET"
  | "LIMIT"
  | "LIMIT_MAKER"
  | "STOP_LOSS"
  | "STOP_LOSS_LIMIT"
  | "TAKE_PROFIT"
  | "TAKE_PROFIT_LIMIT";

/** GTX is futures post-only; spot post-only is the LIMIT_MAKER type. */
export type SimTimeInForce = "GTC" | "IOC" | "FOK" | "GTX";

export type SimOrderStatus =
  | "NEW"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "REJECTED"
  | "EXPIRED";

/** Why an order ended without filling completely (Binance expiryReason / futures `er`). */
export type SimExpiryReason =
  | "IOC_REMAINDER"
  | "FOK_NOT_FILLED"
  | "MARKET_REMAINDER"
  | "INSUFFICIENT_LIQUIDITY"
  | "REDUCE_ONLY_KNOCKED_OUT"
  | "OCO_SIBLING";

/** Rules the engine enforces beyond domain SymbolRules, parsed from exchangeInfo. */
export interface PercentPriceRule {
  /** Spot PERCENT_PRICE_BY_SIDE (reference: mid) or futures PERCENT_PRICE (reference: mark). */
  readonly filter: "PERCENT_PRICE_BY_SIDE" | "PERCENT_PRICE";
  readonly bidUp: Decimal;
  readonly bidDown: Decimal;
  readonly askUp: Decimal;
  readonly askDown: Decimal;
}

export interface SimSymbolSpec {
  readonly rules: SymbolRules;
  /** The venue's name for its notional filter: spot "NOTIONAL", futures "MIN_NOTIONAL". */
  readonly notionalFilter: "NOTIONAL" | "MIN_NOTIONAL" | null;
  readonly percentPrice: PercentPriceRule | null;
  /** MAX_NUM_ORDERS (open orders per symbol, OCO legs included). */
  readonly maxNumOrders: number | null;
  /** Spot MAX_NUM_ORDER_LISTS. */
  readonly maxNumOrderLists: number | null;
  /** Spot MAX_NUM_ALGO_ORDERS (stop and take-profit orders per symbol). */
  readonly maxNumAlgoOrders: number | null;
}

/** The filter that refused an order, named as the venue names it. */
export type SimFilterName =
  | "PRICE_FILTER"
  | "PERCENT_PRICE"
  | "PERCENT_PRICE_BY_SIDE"
  | "LOT_SIZE"
  | "MARKET_LOT_SIZE"
  | "MIN_NOTIONAL"
  | "NOTIONAL"
  | "MAX_NUM_ORDERS"
  | "MAX_NUM_ORDER_LISTS"
  | "MAX_NUM_ALGO_ORDERS";

export type SimRejectCode =
  | "UNKNOWN_SYMBOL"
  /** A parameter is missing, malformed or not allowed with the others. */
  | "INVALID_PARAMETER"
  /** The type does not exist on this market or endpoint (futures STOP_MARKET on orders → -4120). */
  | "UNSUPPORTED_ORDER_TYPE"
  | "FILTER"
  /** Spot: not enough free balance. */
  | "INSUFFICIENT_BALANCE"
  /** Futures: not enough available margin. */
  | "INSUFFICIENT_MARGIN"
  | "REDUCE_ONLY_REJECTED"
  /** LIMIT_MAKER (spot) or GTX (futures) that would take. */
  | "POST_ONLY_WOULD_TAKE"
  | "WOULD_TRIGGER_IMMEDIATELY"
  | "DUPLICATE_CLIENT_ORDER_ID"
  | "UNKNOWN_ORDER"
  /** OCO legs of the wrong kinds (-1158 style). */
  | "OCO_BAD_TYPES"
  /** OCO prices on the wrong sides of the last price. */
  | "OCO_BAD_PRICES"
  | "INVALID_LEVERAGE"
  /** Margin type cannot change while the symbol has a position or open orders. */
  | "MARGIN_TYPE_LOCKED"
  /** Account-wide open conditional order limit reached. */
  | "TOO_MANY_ALGO_ORDERS";

export interface SimReject {
  readonly code: SimRejectCode;
  readonly message: string;
  /** Set for code FILTER. */
  readonly filter: SimFilterName | null;
  /** Which part of the filter: min_price, max_price, tick_size, min_qty, step_size, ... */
  readonly rule: string | null;
  /** Set when a position-side detail matters (PERCENT_PRICE: "up" or "down"). */
  readonly detail: string | null;
}

export type SimResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reject: SimReject };

export interface SimFill {
  /** Increasing integer per market. */
  readonly tradeId: number;
  readonly orderId: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly fee: Decimal;
  readonly feeAsset: string;
  readonly liquidity: Liquidity;
  /** Futures realised PnL of this fill before fees; zero on spot. */
  readonly realizedPnl: Decimal;
  readonly tsMs: number;
}

export interface SimOrderState {
  readonly market: Market;
  readonly symbol: string;
  /** Increasing integer per market. */
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly timeInForce: SimTimeInForce | null;
  readonly qty: Decimal;
  /** Spot MARKET by quote amount; null otherwise. */
  readonly quoteOrderQty: Decimal | null;
  readonly price: Decimal | null;
  readonly stopPrice: Decimal | null;
  readonly status: SimOrderStatus;
  readonly filledQty: Decimal;
  /** Σ price × qty over fills (Binance cummulativeQuoteQty / cumQuote). */
  readonly filledQuote: Decimal;
  readonly reduceOnly: boolean;
  /** Futures market order created by a closePosition conditional order. */
  readonly closePosition: boolean;
  readonly orderListId: number | null;
  /** Futures: the conditional order that created this order when it triggered. */
  readonly algoId: number | null;
  /** False for a stop order (or OCO stop leg) whose trigger has not fired yet. */
  readonly working: boolean;
  readonly workingTimeMs: number | null;
  readonly expiryReason: SimExpiryReason | null;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface SimOrder extends SimOrderState {
  /** Every fill, in order; their quantities sum to filledQty. */
  readonly fills: readonly SimFill[];
}

export type SimAlgoType = "STOP_MARKET" | "TAKE_PROFIT_MARKET";
export type SimWorkingType = "MARK_PRICE" | "CONTRACT_PRICE";
export type SimAlgoStatus =
  | "NEW"
  | "TRIGGERING"
  | "TRIGGERED"
  | "FINISHED"
  | "CANCELED"
  | "REJECTED"
  | "EXPIRED";

export interface SimAlgoOrder {
  /** Increasing integer. */
  readonly algoId: number;
  readonly clientAlgoId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimAlgoType;
  readonly triggerPrice: Decimal;
  readonly workingType: SimWorkingType;
  readonly qty: Decimal | null;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly status: SimAlgoStatus;
  /** The regular MARKET order placed when the trigger fired. */
  readonly actualOrderId: number | null;
  readonly filledQty: Decimal;
  readonly filledQuote: Decimal;
  /** Why it was rejected or expired ("Reduce Only reject", ...). */
  readonly reason: string | null;
  readonly triggerTimeMs: number | null;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export type SimListOrderStatus = "EXECUTING" | "ALL_DONE" | "REJECT";
export type SimListStatusType = "EXEC_STARTED" | "UPDATED" | "ALL_DONE";

export interface SimOrderList {
  readonly orderListId: number;
  readonly listClientOrderId: string;
  readonly symbol: string;
  readonly contingencyType: "OCO";
  readonly listStatusType: SimListStatusType;
  readonly listOrderStatus: SimListOrderStatus;
  /** [above leg, below leg]. */
  readonly orderIds: readonly number[];
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface SimBalance {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
}

export interface SimPosition {
  readonly symbol: string;
  /** Signed; negative is short (one-way mode). */
  readonly qty: Decimal;
  readonly entryPrice: Decimal;
  readonly markPrice: Decimal;
  readonly unrealizedPnl: Decimal;
  /** Accumulated realised PnL before fees. */
  readonly realizedPnl: Decimal;
  readonly leverage: number;
  readonly marginType: "ISOLATED" | "CROSSED";
  /** Initial margin of the position: |qty| × entry / leverage. */
  readonly initialMargin: Decimal;
}

export interface SimFuturesAccount {
  readonly asset: "USDT";
  readonly walletBalance: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly positionMargin: Decimal;
  readonly openOrderMargin: Decimal;
  /** wallet + unrealised − margins, floored at zero. */
  readonly availableBalance: Decimal;
}

export interface SimSymbolConfig {
  readonly symbol: string;
  readonly leverage: number;
  readonly marginType: "ISOLATED" | "CROSSED";
}

export interface SimBookTop {
  readonly market: Market;
  readonly symbol: string;
  readonly bid: Decimal;
  readonly bidQty: Decimal;
  readonly ask: Decimal;
  readonly askQty: Decimal;
  readonly lastPrice: Decimal;
  readonly tsMs: number;
}

export interface SimDepth {
  readonly market: Market;
  readonly symbol: string;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** Increases with every engine step (Binance lastUpdateId). */
  readonly updateId: number;
  readonly tsMs: number;
}

export interface SimMarkPrice {
  readonly symbol: string;
  readonly markPrice: Decimal;
  readonly indexPrice: Decimal;
  readonly tsMs: number;
}

export interface SimTransfer {
  readonly transferId: number;
  readonly direction: "SPOT_TO_FUT" | "FUT_TO_SPOT";
  readonly asset: string;
  readonly amount: Decimal;
  readonly tsMs: number;
}

// ---- requests ----

export interface SimPlaceOrderRequest {
  readonly market: Market;
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly timeInForce: SimTimeInForce | null;
  /** Zero only with quoteOrderQty (spot MARKET). */
  readonly qty: Decimal | null;
  readonly quoteOrderQty?: Decimal | null;
  readonly price: Decimal | null;
  readonly stopPrice: Decimal | null;
  /** Null → the engine generates one. */
  readonly clientOrderId: string | null;
  readonly reduceOnly: boolean;
}

export interface SimOrderRef {
  readonly market: Market;
  readonly symbol: string;
  /** Looked up by orderId when set, else by the most recent order with clientOrderId. */
  readonly orderId: number | null;
  readonly clientOrderId: string | null;
}

export interface SimOcoLeg {
  readonly type:
    | "LIMIT_MAKER"
    | "STOP_LOSS"
    | "STOP_LOSS_LIMIT"
    | "TAKE_PROFIT"
    | "TAKE_PROFIT_LIMIT";
  readonly price: Decimal | null;
  readonly stopPrice: Decimal | null;
  /** Required for *_LIMIT legs. */
  readonly timeInForce: "GTC" | "IOC" | "FOK" | null;
  readonly clientOrderId: string | null;
}

/** Binance orderList/oco: one leg above the last price, one below. */
export interface SimOcoRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Decimal;
  readonly listClientOrderId: string | null;
  readonly above: SimOcoLeg;
  readonly below: SimOcoLeg;
}

export interface SimOrderListRef {
  readonly symbol: string;
  readonly orderListId: number | null;
  readonly listClientOrderId: string | null;
}

export interface SimOrderListResult {
  readonly list: SimOrderList;
  /** [above leg, below leg]. */
  readonly orders: readonly SimOrder[];
}

export interface SimAlgoRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimAlgoType;
  readonly triggerPrice: Decimal;
  readonly workingType: SimWorkingType;
  readonly qty: Decimal | null;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly clientAlgoId: string | null;
}

export interface SimAlgoRef {
  readonly algoId: number | null;
  readonly clientAlgoId: string | null;
}

export interface SimMarginTypeResult {
  /** True when the symbol already had this margin type (Binance -4046, which callers treat as
   *  success). */
  readonly alreadySet: boolean;
}

// ---- events ----

export type SimExecution = "NEW" | "TRADE" | "CANCELED" | "EXPIRED" | "TRIGGERED";

export type SimEvent =
  | {
      readonly kind: "ORDER_UPDATE";
      readonly execution: SimExecution;
      readonly order: SimOrderState;
      /** The fill that caused this update (execution TRADE). */
      readonly fill: SimFill | null;
      readonly tsMs: number;
    }
  | { readonly kind: "ALGO_UPDATE"; readonly algo: SimAlgoOrder; readonly tsMs: number }
  | { readonly kind: "ORDER_LIST_UPDATE"; readonly list: SimOrderList; readonly tsMs: number }
  | {
      readonly kind: "SPOT_BALANCE_UPDATE";
      readonly reason: "ORDER" | "TRANSFER";
      /** The assets that changed, with their new values (outboundAccountPosition). */
      readonly balances: readonly SimBalance[];
      /** For transfers: the signed change (balanceUpdate). */
      readonly delta: { readonly asset: string; readonly amount: Decimal } | null;
      readonly tsMs: number;
    }
  | {
      readonly kind: "FUTURES_ACCOUNT_UPDATE";
      readonly reason: "ORDER" | "ASSET_TRANSFER" | "MARGIN_TYPE_CHANGE";
      readonly walletBalance: Decimal;
      /** Change excluding PnL and commission (transfers). */
      readonly balanceChange: Decimal;
      /** The positions that changed. */
      readonly positions: readonly SimPosition[];
      readonly tsMs: number;
    }
  | {
      readonly kind: "FUTURES_CONFIG_UPDATE";
      readonly symbol: string;
      readonly leverage: number;
      readonly marginType: "ISOLATED" | "CROSSED";
      readonly tsMs: number;
    }
  | { readonly kind: "BOOK_TOP"; readonly top: SimBookTop; readonly updateId: number }
  | { readonly kind: "MARK_PRICE"; readonly mark: SimMarkPrice };

export type SimEventListener = (event: SimEvent) => void;
