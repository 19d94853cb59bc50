// BinanceExchangeGateway: the ExchangeGateway port over Binance spot and USDⓈ-M futures,
// composed of the signer, the REST client, order/list/algo/account operations and the streams.
// Every wait runs on the injected clock; every jitter comes from the injected rng.

import type { Decimal } from "../../domain/decimal/index.ts";
import {
  type Market,
  markets as allMarkets,
  type SymbolRules,
} from "../../domain/instrument/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type {
  Balance,
  BookSnapshot,
  Commission,
  ConditionalOrder,
  ConditionalOrderRequest,
  ExchangeConnectivity,
  ExchangeEvent,
  ExchangeEventListener,
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
import type { Logger } from "../../ports/logger.ts";
import type { Rng } from "../../ports/rng.ts";
import { AccountOperations, FuturesSymbolState } from "./account-operations.ts";
import { AlgoLinks } from "./algo-links.ts";
import type { AdapterContext } from "./context.ts";
import { BinanceCredentials } from "./credentials.ts";
import { EventGuard } from "./event-guard.ts";
import { listenKeyKeepAliveMs } from "./futures-user-stream.ts";
import { ListAndAlgoOperations } from "./list-and-algo-operations.ts";
import { OrderOperations } from "./order-operations.ts";
import { OrderTracker } from "./order-tracker.ts";
import { RateLimitTracker, type RateLimitStats } from "./rate-limits.ts";
import {
  bunSocketFactory,
  defaultReconnectPolicy,
  type ReconnectPolicy,
  type SocketFactory,
} from "./reconnecting-socket.ts";
import { defaultRetryPolicy, type RetryPolicy } from "./rest-call.ts";
import { BinanceRestClient, type FetchFunction } from "./rest-client.ts";
import { HmacSigner } from "./signer.ts";
import { BinanceStreams } from "./streams.ts";
import { defaultUnknownOutcomePolicy, type UnknownOutcomePolicy } from "./unknown-outcome.ts";
import { type BinanceUrls, resolveUrls } from "./urls.ts";

export interface BinanceGatewayOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** One Binance-compatible server for every REST and WebSocket URL (see urls.ts). */
  readonly baseUrl?: string;
  readonly testnet?: boolean;
  /** Binance accepts up to 60000; the default on the venue is 5000. */
  readonly recvWindowMs: number;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  /** Products in use (default both). */
  readonly markets?: readonly Market[];
  /** Limits exchangeInfo to these symbols (default: all). */
  readonly symbols?: readonly string[];
  /** Market streams to open (default: none). */
  readonly marketStreams?: {
    readonly spot?: readonly string[];
    readonly futures?: readonly string[];
  };
  /** Whether start() opens the user-data streams (default true). */
  readonly userStreams?: boolean;
  readonly requestTimeoutMs?: number;
  /** Extra slack on every receive window for clock-offset error (default 1000). */
  readonly offsetMarginMs?: number;
  readonly retry?: RetryPolicy;
  readonly unknownOutcome?: UnknownOutcomePolicy;
  readonly reconnect?: ReconnectPolicy;
  readonly listenKeyKeepAliveMs?: number;
  /** Test seams: a fetch and a WebSocket constructor (defaults: Bun's). */
  readonly fetch?: FetchFunction;
  readonly socketFactory?: SocketFactory;
}

export const recvWindowMsMax = 60_000;
const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

export class BinanceExchangeGateway implements ExchangeGateway {
  readonly name = "binance";
  readonly urls: BinanceUrls;
  private readonly markets: readonly Market[];
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly limits = new RateLimitTracker();
  private readonly rest: BinanceRestClient;
  private readonly context: AdapterContext;
  private readonly orders: OrderOperations;
  private readonly listsAndAlgos: ListAndAlgoOperations;
  private readonly account: AccountOperations;
  private readonly streams: BinanceStreams;
  private readonly guard = new EventGuard();
  private readonly listeners = new Set<ExchangeEventListener>();
  private started = false;

  constructor(options: BinanceGatewayOptions) {
    if (options.recvWindowMs <= 0 || options.recvWindowMs > recvWindowMsMax) {
      throw new Error(`Condition failed: recvWindowMs must be in (0, ${recvWindowMsMax}]`);
    }
    const credentials = new BinanceCredentials(options.apiKey, options.apiSecret);
    const signer = new HmacSigner(credentials);
    this.urls = resolveUrls(options);
    this.markets = options.markets ?? allMarkets;
    this.logger = options.logger;
    this.clock = options.clock;
    const offsetMarginMs = options.offsetMarginMs ?? 1_000;
    this.rest = new BinanceRestClient({
      urls: this.urls,
      credentials,
      signer,
      limits: this.limits,
      clock: options.clock,
      logger: options.logger,
      recvWindowMs: options.recvWindowMs,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      offsetMarginMs,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    this.context = {
      rest: this.rest,
      clock: options.clock,
      rng: options.rng,
      logger: options.logger,
      retry: options.retry ?? defaultRetryPolicy,
      unknown: options.unknownOutcome ?? defaultUnknownOutcomePolicy,
      tracker: new OrderTracker(),
      // Events kept until their algo link was known are delivered (past the guard) once it is.
      links: new AlgoLinks((event) => this.deliver(event)),
      offsetMarginMs,
    };
    const futuresState = new FuturesSymbolState();
    this.orders = new OrderOperations(this.context);
    this.listsAndAlgos = new ListAndAlgoOperations(this.context, this.orders);
    this.account = new AccountOperations(this.context, options.symbols, futuresState);
    this.streams = new BinanceStreams({
      urls: this.urls,
      credentials,
      signer,
      rest: this.rest,
      clock: options.clock,
      rng: options.rng,
      logger: options.logger,
      recvWindowMs: options.recvWindowMs,
      reconnect: options.reconnect ?? defaultReconnectPolicy,
      factory: options.socketFactory ?? bunSocketFactory,
      keepAliveMs: options.listenKeyKeepAliveMs ?? listenKeyKeepAliveMs,
      markets: this.markets,
      userStreams: options.userStreams ?? true,
      spotSymbols: options.marketStreams?.spot ?? [],
      futuresSymbols: options.marketStreams?.futures ?? [],
      futuresState,
      emit: (event) => this.emit(event),
      resync: (market) => this.resync(market),
      spotBalance: (asset) => this.account.spotBalance(asset),
    });
  }

  /** Measures the server-time offset of each product, then opens the streams. */
  async start(): Promise<ExchangeResult<void>> {
    if (this.started) return { ok: true, value: undefined };
    for (const market of this.markets) {
      const failure = await this.rest.syncTime(market);
      if (failure !== null) return { ok: false, error: failure.error };
    }
    this.started = true;
    this.streams.start();
    this.logger.info("binance gateway started", { markets: this.markets.join(",") });
    return { ok: true, value: undefined };
  }

  async stop(): Promise<void> {
    this.started = false;
    this.streams.stop();
  }

  connectivity(): ExchangeConnectivity {
    return {
      restReachable: this.rest.reachable(),
      userStreamConnected: this.streams.userConnected(),
    };
  }

  onEvent(listener: ExchangeEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Read-only rate-limit figures and clock offsets, for health and metrics. */
  stats(): RateLimitStats & { readonly offsets: Readonly<Record<Market, number>> } {
    return {
      ...this.limits.stats(),
      offsets: { SPOT: this.rest.offset("SPOT").offsetMs, FUT: this.rest.offset("FUT").offsetMs },
    };
  }

  symbolRules(): Promise<ExchangeResult<readonly SymbolRules[]>> {
    return this.account.symbolRules(this.markets);
  }

  bookTop(market: Market, symbol: string): Promise<ExchangeResult<BookSnapshot>> {
    return this.account.bookTop(market, symbol);
  }

  commission(market: Market, symbol: string): Promise<ExchangeResult<Commission>> {
    return this.account.commission(market, symbol);
  }

  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    return this.orders.placeOrder(request);
  }

  cancelOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>> {
    return this.orders.cancelOrder(ref);
  }

  /** By client id; a clientAlgoId whose triggered order has an id of its own answers that. */
  async queryOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>> {
    const answer = await this.orders.queryOrder(ref);
    if (answer.ok || answer.error.kind !== "UNKNOWN_ORDER") return answer;
    return this.listsAndAlgos.queryTriggered(ref, answer);
  }

  openOrders(market: Market, symbol?: string): Promise<ExchangeResult<readonly ExchangeOrder[]>> {
    return this.orders.openOrders(market, symbol);
  }

  placeConditional(request: ConditionalOrderRequest): Promise<ExchangeResult<ConditionalOrder>> {
    return this.listsAndAlgos.placeConditional(request);
  }

  cancelConditional(
    symbol: string,
    clientAlgoId: string,
  ): Promise<ExchangeResult<ConditionalOrder>> {
    return this.listsAndAlgos.cancelConditional(symbol, clientAlgoId);
  }

  queryConditional(
    symbol: string,
    clientAlgoId: string,
  ): Promise<ExchangeResult<ConditionalOrder>> {
    return this.listsAndAlgos.queryConditional(symbol, clientAlgoId);
  }

  openConditionals(symbol?: string): Promise<ExchangeResult<readonly ConditionalOrder[]>> {
    return this.listsAndAlgos.openConditionals(symbol);
  }

  placeOco(request: OcoRequest): Promise<ExchangeResult<OrderList>> {
    return this.listsAndAlgos.placeOco(request);
  }

  cancelOrderList(ref: OrderListRef): Promise<ExchangeResult<OrderList>> {
    return this.listsAndAlgos.cancelOrderList(ref);
  }

  queryOrderList(ref: OrderListRef): Promise<ExchangeResult<OrderList>> {
    return this.listsAndAlgos.queryOrderList(ref);
  }

  configureSymbol(
    symbol: string,
    settings: { readonly leverage: number; readonly marginType: "ISOLATED" | "CROSSED" },
  ): Promise<ExchangeResult<void>> {
    return this.account.configureSymbol(symbol, settings);
  }

  positions(symbol?: string): Promise<ExchangeResult<readonly Position[]>> {
    return this.account.positions(symbol);
  }

  balances(market: Market): Promise<ExchangeResult<readonly Balance[]>> {
    return this.account.balances(market);
  }

  transfer(
    direction: TransferDirection,
    asset: string,
    amount: Decimal,
  ): Promise<ExchangeResult<{ readonly transferId: string }>> {
    return this.account.transfer(direction, asset, amount);
  }

  toString(): string {
    return `BinanceExchangeGateway(${this.urls.spotRest}, credentials [redacted])`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspectSymbol](): string {
    return this.toString();
  }

  /**
   * Learns algo links, dedupes, labels a triggered algo order's own order with the algo's client
   * id, then delivers. Order events kept for want of a link go out before the algo update that
   * brings it, as the venue sent them.
   */
  private emit(event: ExchangeEvent): void {
    const { links, tracker } = this.context;
    if (event.kind === "CONDITIONAL_UPDATE") links.learn(event.order);
    const admitted = this.guard.admit(event);
    if (admitted === null) return;
    if (admitted.kind !== "ORDER_UPDATE") {
      this.deliver(admitted);
      return;
    }
    const ours = tracker.isInFlight(admitted.order);
    tracker.observe(admitted.order, admitted.order.status);
    this.deliver(links.deliver(admitted, ours));
  }

  /** A throwing listener is logged and does not stop the others. */
  private deliver(event: ExchangeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error("exchange event listener failed", { error: String(error) });
      }
    }
  }

  private emitOrder(order: ExchangeOrder): void {
    const { fills, ...snapshot } = order;
    const tsMs = this.clock.nowMs();
    for (const fill of fills) this.emit({ kind: "ORDER_UPDATE", order: snapshot, fill, tsMs });
    this.emit({ kind: "ORDER_UPDATE", order: snapshot, fill: null, tsMs });
  }

  /** After a user stream came back: open orders, orders in flight and algo orders, re-read. */
  private async resync(market: Market): Promise<void> {
    const open = await this.orders.openOrders(market);
    const seen = new Set<string>();
    if (open.ok) {
      for (const order of open.value) {
        seen.add(order.clientOrderId);
        this.emitOrder(order);
      }
    }
    for (const ref of this.context.tracker.inFlight(market)) {
      if (seen.has(ref.clientOrderId)) continue;
      const order = await this.orders.queryOrder(ref);
      if (order.ok) this.emitOrder(order.value);
    }
    if (market === "FUT") await this.resyncConditionals();
  }

  private async resyncConditionals(): Promise<void> {
    const tsMs = this.clock.nowMs();
    const open = await this.listsAndAlgos.openConditionals();
    const seen = new Set<string>();
    if (open.ok) {
      for (const order of open.value) {
        seen.add(order.clientAlgoId);
        this.emit({ kind: "CONDITIONAL_UPDATE", order, tsMs });
      }
    }
    for (const ref of this.context.tracker.conditionalsInFlight()) {
      if (seen.has(ref.clientAlgoId)) continue;
      const order = await this.listsAndAlgos.queryConditional(ref.symbol, ref.clientAlgoId);
      if (order.ok) this.emit({ kind: "CONDITIONAL_UPDATE", order: order.value, tsMs });
    }
  }
}
