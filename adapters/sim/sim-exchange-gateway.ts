// The in-process face of the simulated venue: ExchangeGateway over SimEngine. Each call first
// advances the engine to the clock's now; the fault plan decides errors, unknown outcomes and
// duplicated, reordered or dropped user-data events.

import { add, type Decimal, normalize } from "../../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../../domain/instrument/index.ts";
import { averagePrice } from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type {
  Balance,
  BookSnapshot,
  Commission,
  ConditionalOrder,
  ConditionalOrderRequest,
  ExchangeConnectivity,
  ExchangeError,
  ExchangeEvent,
  ExchangeEventListener,
  ExchangeFill,
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
  OcoRequest,
  OrderList,
  OrderListRef,
  OrderRef,
  PlaceOrderRequest,
  Position,
  TransferDirection,
} from "../../ports/exchange-gateway.ts";
import type {
  SimAlgoOrder,
  SimEngine,
  SimEvent,
  SimFill,
  SimOrder,
  SimOrderListResult,
  SimOrderState,
  SimOrderType,
  SimPosition,
  SimReject,
  SimResult,
} from "./engine/index.ts";
import { FaultDecider, type RequestKind } from "./fault-plan.ts";

export const gatewayListenersMax = 32;

export interface SimExchangeGatewayOptions {
  readonly engine: SimEngine;
  readonly clock: Clock;
  readonly faults?: FaultDecider;
}

function ok<T>(value: T): ExchangeResult<T> {
  return { ok: true, value };
}

function err<T>(error: ExchangeError): ExchangeResult<T> {
  return { ok: false, error };
}

export function exchangeError(rejection: SimReject): ExchangeError {
  const { message } = rejection;
  switch (rejection.code) {
    case "FILTER":
      return { kind: "FILTER_REJECTED", filter: rejection.filter ?? "UNKNOWN", message };
    case "INSUFFICIENT_BALANCE":
    case "INSUFFICIENT_MARGIN":
      return { kind: "INSUFFICIENT_BALANCE", message };
    case "REDUCE_ONLY_REJECTED":
      return { kind: "REDUCE_ONLY_REJECTED", message };
    case "POST_ONLY_WOULD_TAKE":
      return { kind: "POST_ONLY_REJECTED", message };
    case "WOULD_TRIGGER_IMMEDIATELY":
      return { kind: "WOULD_TRIGGER_IMMEDIATELY", message };
    case "DUPLICATE_CLIENT_ORDER_ID":
      return { kind: "DUPLICATE_ORDER", message };
    case "UNKNOWN_ORDER":
      return { kind: "UNKNOWN_ORDER", message };
    default:
      return { kind: "REJECTED", message: `${rejection.code}: ${message}` };
  }
}

export function exchangeFill(fill: SimFill): ExchangeFill {
  return {
    tradeId: String(fill.tradeId),
    price: fill.price,
    qty: fill.qty,
    fee: fill.fee,
    feeAsset: fill.feeAsset,
    liquidity: fill.liquidity,
    tsMs: fill.tsMs,
  };
}

export function exchangeOrderState(order: SimOrderState): Omit<ExchangeOrder, "fills"> {
  return {
    market: order.market,
    symbol: order.symbol,
    exchangeOrderId: String(order.orderId),
    clientOrderId: order.clientOrderId,
    side: order.side,
    type: order.type,
    timeInForce: order.timeInForce,
    qty: order.qty,
    price: order.price,
    stopPrice: order.stopPrice,
    status: order.status,
    filledQty: order.filledQty,
    avgPrice: averagePrice(order.filledQuote, order.filledQty),
    reduceOnly: order.reduceOnly,
    orderListId: order.orderListId === null ? null : String(order.orderListId),
    updateTimeMs: order.updatedMs,
  };
}

export function exchangeOrder(order: SimOrder): ExchangeOrder {
  return { ...exchangeOrderState(order), fills: order.fills.map(exchangeFill) };
}

export function conditionalOrder(algo: SimAlgoOrder): ConditionalOrder {
  return {
    symbol: algo.symbol,
    algoId: String(algo.algoId),
    clientAlgoId: algo.clientAlgoId,
    side: algo.side,
    type: algo.type,
    triggerPrice: algo.triggerPrice,
    workingType: algo.workingType,
    qty: algo.qty,
    reduceOnly: algo.reduceOnly,
    closePosition: algo.closePosition,
    status: algo.status,
    triggeredOrderId: algo.actualOrderId === null ? null : String(algo.actualOrderId),
    filledQty: algo.filledQty,
    avgPrice: averagePrice(algo.filledQuote, algo.filledQty),
    updateTimeMs: algo.updatedMs,
  };
}

export function orderList(result: SimOrderListResult): OrderList {
  return {
    symbol: result.list.symbol,
    orderListId: String(result.list.orderListId),
    listClientOrderId: result.list.listClientOrderId,
    status: result.list.listOrderStatus,
    orders: result.orders.map(exchangeOrder),
    updateTimeMs: result.list.updatedMs,
  };
}

export function position(simPosition: SimPosition): Position {
  return {
    symbol: simPosition.symbol,
    qty: simPosition.qty,
    entryPrice: simPosition.entryPrice,
    markPrice: simPosition.markPrice,
    leverage: simPosition.leverage,
    marginType: simPosition.marginType,
  };
}

function mapped<T, U>(result: SimResult<T>, map: (value: T) => U): ExchangeResult<U> {
  return result.ok ? ok(map(result.value)) : err(exchangeError(result.reject));
}

export class SimExchangeGateway implements ExchangeGateway {
  readonly name = "sim";
  private readonly engine: SimEngine;
  private readonly clock: Clock;
  private readonly faults: FaultDecider;
  private readonly listeners: ExchangeEventListener[] = [];
  private unsubscribe: (() => void) | null = null;
  private held: ExchangeEvent | null = null;
  private droppedUntilMs = 0;
  private streamDown = false;

  constructor(options: SimExchangeGatewayOptions) {
    this.engine = options.engine;
    this.clock = options.clock;
    this.faults = options.faults ?? new FaultDecider();
  }

  /** The fault decider, so tests and the composition root can change the plan at run time. */
  faultDecider(): FaultDecider {
    return this.faults;
  }

  /** Moves the simulated market to the clock's now (a periodic driver calls this). */
  tick(): void {
    this.engine.advanceTo(this.clock.nowMs());
    this.restoreStream();
  }

  async start(): Promise<ExchangeResult<void>> {
    if (this.unsubscribe === null) {
      this.unsubscribe = this.engine.onEvent((event) => this.relay(event));
    }
    return ok(undefined);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  connectivity(): ExchangeConnectivity {
    return {
      restReachable: true,
      userStreamConnected: this.unsubscribe !== null && !this.streamDown,
    };
  }

  onEvent(listener: ExchangeEventListener): () => void {
    if (this.listeners.length >= gatewayListenersMax) {
      throw new Error(`Condition failed: more than ${gatewayListenersMax} gateway listeners`);
    }
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  // ---- event relay with faults ----

  private relay(event: SimEvent): void {
    if (this.listeners.length === 0) return;
    const translated = this.translate(event);
    if (translated === null) return;
    if (translated.kind === "BOOK_TOP" || translated.kind === "MARK_PRICE") {
      this.deliver(translated);
      return;
    }
    this.relayUserEvent(translated);
  }

  private relayUserEvent(event: ExchangeEvent): void {
    const nowMs = this.clock.nowMs();
    if (this.streamDown) {
      if (nowMs < this.droppedUntilMs) return;
      this.restoreStream();
    }
    const decision = this.faults.decideEvent();
    if (decision === "DROP_STREAM") {
      this.streamDown = true;
      this.droppedUntilMs = nowMs + this.faults.plan().events.dropDurationMs;
      this.held = null;
      this.deliver({ kind: "STREAM_STATE", stream: "USER", connected: false, tsMs: nowMs });
      return;
    }
    if (decision === "HOLD" && this.held === null) {
      this.held = event;
      return;
    }
    this.deliver(event);
    if (decision === "DUPLICATE") this.deliver(event);
    const held = this.held;
    this.held = null;
    if (held !== null) this.deliver(held);
  }

  private restoreStream(): void {
    if (!this.streamDown || this.clock.nowMs() < this.droppedUntilMs) return;
    this.streamDown = false;
    this.deliver({
      kind: "STREAM_STATE",
      stream: "USER",
      connected: true,
      tsMs: this.clock.nowMs(),
    });
  }

  private deliver(event: ExchangeEvent): void {
    for (const listener of this.listeners.slice()) listener(event);
  }

  private translate(event: SimEvent): ExchangeEvent | null {
    switch (event.kind) {
      case "ORDER_UPDATE":
        return {
          kind: "ORDER_UPDATE",
          order: exchangeOrderState(event.order),
          fill: event.fill === null ? null : exchangeFill(event.fill),
          tsMs: event.tsMs,
        };
      case "ALGO_UPDATE":
        return {
          kind: "CONDITIONAL_UPDATE",
          order: conditionalOrder(event.algo),
          tsMs: event.tsMs,
        };
      case "ORDER_LIST_UPDATE":
        return {
          kind: "ORDER_LIST_UPDATE",
          list: {
            symbol: event.list.symbol,
            orderListId: String(event.list.orderListId),
            listClientOrderId: event.list.listClientOrderId,
            status: event.list.listOrderStatus,
            updateTimeMs: event.list.updatedMs,
          },
          tsMs: event.tsMs,
        };
      case "SPOT_BALANCE_UPDATE":
        return {
          kind: "ACCOUNT_UPDATE",
          market: "SPOT",
          balances: event.balances.map((b) => ({ asset: b.asset, free: b.free, locked: b.locked })),
          positions: [],
          tsMs: event.tsMs,
        };
      case "FUTURES_ACCOUNT_UPDATE":
        return {
          kind: "ACCOUNT_UPDATE",
          market: "FUT",
          balances: this.futuresBalances(),
          positions: event.positions.map(position),
          tsMs: event.tsMs,
        };
      case "BOOK_TOP":
        return {
          kind: "BOOK_TOP",
          market: event.top.market,
          symbol: event.top.symbol,
          bid: event.top.bid,
          ask: event.top.ask,
          bidQty: event.top.bidQty,
          askQty: event.top.askQty,
          tsMs: event.top.tsMs,
        };
      case "MARK_PRICE":
        return {
          kind: "MARK_PRICE",
          symbol: event.mark.symbol,
          markPrice: event.mark.markPrice,
          tsMs: event.mark.tsMs,
        };
      case "FUTURES_CONFIG_UPDATE":
        return null;
    }
  }

  // ---- requests ----

  /**
   * Runs one request under the fault plan. `execute` runs against the engine unless the fault
   * says the request never got there; an answer lost after execution is OUTCOME_UNKNOWN.
   */
  private request<T>(kind: RequestKind, execute: () => ExchangeResult<T>): ExchangeResult<T> {
    const nowMs = this.clock.nowMs();
    this.engine.advanceTo(nowMs);
    this.restoreStream();
    const decision = this.faults.decideRequest(kind, nowMs);
    const mutating = kind === "PLACE" || kind === "CANCEL";
    switch (decision.fault) {
      case null:
        return execute();
      case "UNAVAILABLE":
        return err({ kind: "UNAVAILABLE", message: "Service Unavailable." });
      case "RATE_LIMITED":
        return err({
          kind: "RATE_LIMITED",
          retryAfterMs: decision.retryAfterMs,
          message: "Too many requests.",
        });
      case "BANNED":
        return err({
          kind: "BANNED",
          untilMs: nowMs + decision.retryAfterMs,
          message: "Way too many requests; IP banned.",
        });
      case "TIMEOUT_BEFORE_ARRIVAL":
        return mutating
          ? err({ kind: "OUTCOME_UNKNOWN", message: "Timeout waiting for response." })
          : err({ kind: "UNAVAILABLE", message: "Timeout waiting for response." });
      case "TIMEOUT_AFTER_EXECUTION":
      case "UNKNOWN_AFTER_EXECUTION":
        execute();
        return mutating
          ? err({ kind: "OUTCOME_UNKNOWN", message: "Unknown error; execution status unknown." })
          : err({ kind: "UNAVAILABLE", message: "Unknown error, please try again later." });
    }
  }

  async symbolRules(): Promise<ExchangeResult<readonly SymbolRules[]>> {
    return this.request("MARKET_DATA", () =>
      ok(this.engine.symbolSpecs().map((spec) => spec.rules)),
    );
  }

  async bookTop(market: Market, symbol: string): Promise<ExchangeResult<BookSnapshot>> {
    return this.request("MARKET_DATA", () => {
      const nowMs = this.clock.nowMs();
      const top = this.engine.bookTop(market, symbol, nowMs);
      const depth = this.engine.depth(market, symbol, 3, nowMs);
      if (!top.ok) return err(exchangeError(top.reject));
      if (!depth.ok) return err(exchangeError(depth.reject));
      const mark = market === "FUT" ? this.engine.markPrice(symbol, nowMs) : null;
      return ok({
        market,
        symbol,
        bid: top.value.bid,
        ask: top.value.ask,
        bidQty: top.value.bidQty,
        askQty: top.value.askQty,
        bids: depth.value.bids,
        asks: depth.value.asks,
        markPrice: mark?.ok ? mark.value.markPrice : null,
        tsMs: top.value.tsMs,
      });
    });
  }

  async commission(market: Market, symbol: string): Promise<ExchangeResult<Commission>> {
    return this.request("ACCOUNT", () => {
      if (this.engine.spec(market, symbol) === null) {
        return err({ kind: "REJECTED", message: "UNKNOWN_SYMBOL: Invalid symbol." });
      }
      return ok(this.engine.commission(market));
    });
  }

  async placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    return this.request("PLACE", () => {
      if (request.type === "STOP_MARKET" || request.type === "TAKE_PROFIT_MARKET") {
        return err({
          kind: "REJECTED",
          message: "Conditional futures orders go through placeConditional.",
        });
      }
      const type: SimOrderType = request.type;
      const result = this.engine.placeOrder(
        {
          market: request.market,
          symbol: request.symbol,
          side: request.side,
          type,
          timeInForce: request.timeInForce,
          qty: request.qty,
          price: request.price,
          stopPrice: request.stopPrice,
          clientOrderId: request.clientOrderId,
          reduceOnly: request.reduceOnly,
        },
        this.clock.nowMs(),
      );
      return mapped(result, exchangeOrder);
    });
  }

  async cancelOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>> {
    return this.request("CANCEL", () =>
      mapped(this.engine.cancelOrder(this.simRef(ref), this.clock.nowMs()), exchangeOrder),
    );
  }

  async queryOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>> {
    return this.request("QUERY", () =>
      mapped(this.engine.queryOrder(this.simRef(ref), this.clock.nowMs()), exchangeOrder),
    );
  }

  private simRef(ref: OrderRef) {
    return {
      market: ref.market,
      symbol: ref.symbol,
      orderId: null,
      clientOrderId: ref.clientOrderId,
    };
  }

  async openOrders(
    market: Market,
    symbol?: string,
  ): Promise<ExchangeResult<readonly ExchangeOrder[]>> {
    return this.request("QUERY", () =>
      ok(this.engine.openOrders(market, symbol ?? null, this.clock.nowMs()).map(exchangeOrder)),
    );
  }

  async placeConditional(
    request: ConditionalOrderRequest,
  ): Promise<ExchangeResult<ConditionalOrder>> {
    return this.request("PLACE", () =>
      mapped(
        this.engine.placeAlgo(
          {
            symbol: request.symbol,
            side: request.side,
            type: request.type,
            triggerPrice: request.triggerPrice,
            workingType: request.workingType,
            qty: request.qty,
            reduceOnly: request.reduceOnly,
            closePosition: request.closePosition,
            clientAlgoId: request.clientAlgoId,
          },
          this.clock.nowMs(),
        ),
        conditionalOrder,
      ),
    );
  }

  async cancelConditional(
    symbol: string,
    clientAlgoId: string,
  ): Promise<ExchangeResult<ConditionalOrder>> {
    return this.request("CANCEL", () => {
      const found = this.findAlgo(symbol, clientAlgoId);
      if (!found.ok) return found;
      const result = this.engine.cancelAlgo({ algoId: null, clientAlgoId }, this.clock.nowMs());
      return mapped(result, conditionalOrder);
    });
  }

  async queryConditional(
    symbol: string,
    clientAlgoId: string,
  ): Promise<ExchangeResult<ConditionalOrder>> {
    return this.request("QUERY", () => this.findAlgo(symbol, clientAlgoId));
  }

  private findAlgo(symbol: string, clientAlgoId: string): ExchangeResult<ConditionalOrder> {
    const result = this.engine.queryAlgo({ algoId: null, clientAlgoId }, this.clock.nowMs());
    if (result.ok && result.value.symbol !== symbol) {
      return err({ kind: "UNKNOWN_ORDER", message: "Order does not exist." });
    }
    return mapped(result, conditionalOrder);
  }

  async openConditionals(symbol?: string): Promise<ExchangeResult<readonly ConditionalOrder[]>> {
    return this.request("QUERY", () =>
      ok(this.engine.openAlgos(symbol ?? null, this.clock.nowMs()).map(conditionalOrder)),
    );
  }

  async placeOco(request: OcoRequest): Promise<ExchangeResult<OrderList>> {
    return this.request("PLACE", () => {
      const takeProfit = {
        type: "LIMIT_MAKER" as const,
        price: request.takeProfitPrice,
        stopPrice: null,
        timeInForce: null,
        clientOrderId: request.takeProfitClientOrderId,
      };
      const stop = {
        type: "STOP_LOSS_LIMIT" as const,
        price: request.stopLimitPrice,
        stopPrice: request.stopPrice,
        timeInForce: "GTC" as const,
        clientOrderId: request.stopClientOrderId,
      };
      const sell = request.side === "SELL";
      const result = this.engine.placeOco(
        {
          symbol: request.symbol,
          side: request.side,
          qty: request.qty,
          listClientOrderId: request.listClientOrderId,
          above: sell ? takeProfit : stop,
          below: sell ? stop : takeProfit,
        },
        this.clock.nowMs(),
      );
      return mapped(result, orderList);
    });
  }

  async cancelOrderList(ref: OrderListRef): Promise<ExchangeResult<OrderList>> {
    return this.request("CANCEL", () =>
      mapped(
        this.engine.cancelOrderList(
          { symbol: ref.symbol, orderListId: null, listClientOrderId: ref.listClientOrderId },
          this.clock.nowMs(),
        ),
        orderList,
      ),
    );
  }

  async queryOrderList(ref: OrderListRef): Promise<ExchangeResult<OrderList>> {
    return this.request("QUERY", () =>
      mapped(
        this.engine.queryOrderList(
          { symbol: ref.symbol, orderListId: null, listClientOrderId: ref.listClientOrderId },
          this.clock.nowMs(),
        ),
        orderList,
      ),
    );
  }

  async configureSymbol(
    symbol: string,
    settings: { readonly leverage: number; readonly marginType: "ISOLATED" | "CROSSED" },
  ): Promise<ExchangeResult<void>> {
    return this.request("ACCOUNT", () => {
      const nowMs = this.clock.nowMs();
      const margin = this.engine.setMarginType(symbol, settings.marginType, nowMs);
      if (!margin.ok) return err(exchangeError(margin.reject));
      const leverage = this.engine.setLeverage(symbol, settings.leverage, nowMs);
      return leverage.ok ? ok(undefined) : err(exchangeError(leverage.reject));
    });
  }

  async positions(symbol?: string): Promise<ExchangeResult<readonly Position[]>> {
    return this.request("ACCOUNT", () =>
      ok(
        this.engine
          .positions(symbol ?? null, this.clock.nowMs())
          .filter((p) => p.qty.units !== 0n)
          .map(position),
      ),
    );
  }

  async balances(market: Market): Promise<ExchangeResult<readonly Balance[]>> {
    return this.request("ACCOUNT", () => {
      if (market === "FUT") return ok(this.futuresBalances());
      const balances = this.engine.spotBalances(this.clock.nowMs());
      return ok(balances.map((b) => ({ asset: b.asset, free: b.free, locked: b.locked })));
    });
  }

  private futuresBalances(): Balance[] {
    const account = this.engine.futuresAccount(this.clock.nowMs());
    const locked = normalize(add(account.positionMargin, account.openOrderMargin));
    return [{ asset: "USDT", free: account.availableBalance, locked }];
  }

  async transfer(
    direction: TransferDirection,
    asset: string,
    amount: Decimal,
  ): Promise<ExchangeResult<{ readonly transferId: string }>> {
    return this.request("PLACE", () =>
      mapped(this.engine.transfer(direction, asset, amount, this.clock.nowMs()), (transfer) => ({
        transferId: String(transfer.transferId),
      })),
    );
  }
}
