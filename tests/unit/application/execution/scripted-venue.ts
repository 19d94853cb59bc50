// A hand-written venue for the execution tests: the test sets the book, decides what each send
// and cancel answers, and pushes fills when it wants, so every maker→taker branch (a fill inside
// the window, a partial fill, a post-only rejection, a fill racing the cancel, a failing cancel)
// happens exactly when the test says. Everything it was asked is logged for assertions.

import {
  add,
  type Decimal,
  dec,
  eq,
  gt,
  isPositive,
  min,
  mul,
  sub,
  zero,
} from "../../../../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../../../../domain/instrument/index.ts";
import { averagePrice } from "../../../../domain/order/index.ts";
import type {
  BookSnapshot,
  ExchangeError,
  ExchangeEvent,
  ExchangeEventListener,
  ExchangeFill,
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
  OrderRef,
  PlaceOrderRequest,
} from "../../../../ports/exchange-gateway.ts";
import type { Clock } from "../../../../ports/clock.ts";
import {
  futBtcRules,
  futEthRules,
  spotBtcRules,
} from "../../domain/execution/symbol-rules-fixture.ts";

export type PlaceBehaviour =
  | { readonly kind: "default" }
  /** Refuses the order; `after` runs first (e.g. the book moves, which is why it was refused). */
  | { readonly kind: "error"; readonly error: ExchangeError; readonly after?: () => void };

export type CancelBehaviour =
  | { readonly kind: "default" }
  /** Fills `qty` just before the cancel lands: in the answer, its event delivered afterwards. */
  | { readonly kind: "fill_first"; readonly qty: string }
  | { readonly kind: "error"; readonly error: ExchangeError };

interface VenueOrder {
  order: ExchangeOrder;
  fills: ExchangeFill[];
}

const notImplemented = (): never => {
  throw new Error("not used by the execution tests");
};

export class ScriptedVenue implements ExchangeGateway {
  readonly name = "scripted";
  readonly placed: (PlaceOrderRequest & { atMs: number })[] = [];
  readonly canceled: { clientOrderId: string; atMs: number }[] = [];
  readonly queried: string[] = [];
  readonly placeScript: PlaceBehaviour[] = [];
  readonly cancelScript: CancelBehaviour[] = [];
  streamConnected = true;
  private readonly books = new Map<string, BookSnapshot>();
  private readonly orders = new Map<string, VenueOrder>();
  private readonly listeners: ExchangeEventListener[] = [];
  private tradeSequence = 0;
  private orderSequence = 0;

  constructor(private readonly clock: Clock) {
    this.setBook("FUT", "BTCUSDT", "90000.0", "90000.1");
    this.setBook("SPOT", "BTCUSDT", "90000.00", "90000.01");
    this.setBook("FUT", "ETHUSDT", "3000.00", "3000.01");
  }

  /** A touch with three levels per side, `depth` base units each, one tick apart. */
  setBook(market: Market, symbol: string, bid: string, ask: string, depth = "5"): void {
    const tick = this.rulesOf(market, symbol).price.tick;
    const level = (price: Decimal, step: number) => ({
      price: add(price, mul(tick, dec(String(step)))),
      qty: dec(depth),
    });
    const bidPrice = dec(bid);
    const askPrice = dec(ask);
    this.books.set(`${market}:${symbol}`, {
      market,
      symbol,
      bid: bidPrice,
      ask: askPrice,
      bidQty: dec(depth),
      askQty: dec(depth),
      bids: [level(bidPrice, 0), level(bidPrice, -1), level(bidPrice, -2)],
      asks: [level(askPrice, 0), level(askPrice, 1), level(askPrice, 2)],
      markPrice: null,
      tsMs: this.clock.nowMs(),
    });
  }

  /** Fills `qty` of a resting order at its price as MAKER and pushes the update. */
  fill(clientOrderId: string, qty: string, options: { emit?: boolean } = {}): ExchangeFill {
    const venue = this.orders.get(clientOrderId);
    if (venue === undefined) throw new Error(`no order ${clientOrderId}`);
    const fill = this.addFill(venue, dec(qty), venue.order.price ?? zero, "MAKER");
    if (options.emit ?? true) this.emitUpdate(venue, fill);
    return fill;
  }

  emitUpdate(venue: VenueOrder | string, fill: ExchangeFill | null): void {
    const target = typeof venue === "string" ? this.orders.get(venue) : venue;
    if (target === undefined) throw new Error("no such order");
    const { fills: _fills, ...order } = target.order;
    const event: ExchangeEvent = { kind: "ORDER_UPDATE", order, fill, tsMs: this.clock.nowMs() };
    for (const listener of this.listeners.slice()) listener(event);
  }

  orderOf(clientOrderId: string): ExchangeOrder | null {
    return this.orders.get(clientOrderId)?.order ?? null;
  }

  /** Base quantity bought minus sold over every order: what the account's position became. */
  netQty(): Decimal {
    let net: Decimal = zero;
    for (const { order } of this.orders.values()) {
      net = order.side === "BUY" ? add(net, order.filledQty) : sub(net, order.filledQty);
    }
    return net;
  }

  // ---- ExchangeGateway ----

  async start(): Promise<ExchangeResult<void>> {
    return { ok: true, value: undefined };
  }
  async stop(): Promise<void> {}
  connectivity() {
    return { restReachable: true, userStreamConnected: this.streamConnected };
  }
  onEvent(listener: ExchangeEventListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }
  async symbolRules(): Promise<ExchangeResult<readonly SymbolRules[]>> {
    return { ok: true, value: [futBtcRules, spotBtcRules, futEthRules] };
  }
  async bookTop(market: Market, symbol: string): Promise<ExchangeResult<BookSnapshot>> {
    const book = this.books.get(`${market}:${symbol}`);
    if (book === undefined) return { ok: false, error: { kind: "REJECTED", message: "no book" } };
    return { ok: true, value: { ...book, tsMs: this.clock.nowMs() } };
  }
  async commission(): Promise<never> {
    return notImplemented();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    this.placed.push({ ...request, atMs: this.clock.nowMs() });
    const behaviour = this.placeScript.shift() ?? { kind: "default" };
    if (behaviour.kind === "error") {
      behaviour.after?.();
      return { ok: false, error: behaviour.error };
    }
    if (this.orders.get(request.clientOrderId)?.order.status === "NEW") {
      return { ok: false, error: { kind: "DUPLICATE_ORDER", message: "Duplicate order sent." } };
    }
    this.orderSequence += 1;
    const venue: VenueOrder = {
      order: {
        market: request.market,
        symbol: request.symbol,
        exchangeOrderId: String(this.orderSequence),
        clientOrderId: request.clientOrderId,
        side: request.side,
        type: request.type,
        timeInForce: request.timeInForce,
        qty: request.qty,
        price: request.price,
        stopPrice: null,
        status: "NEW",
        filledQty: zero,
        avgPrice: null,
        fills: [],
        reduceOnly: request.reduceOnly,
        orderListId: null,
        updateTimeMs: this.clock.nowMs(),
      },
      fills: [],
    };
    this.orders.set(request.clientOrderId, venue);
    this.execute(venue, request);
    return { ok: true, value: this.snapshotOf(venue) };
  }

  async cancelOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>> {
    this.canceled.push({ clientOrderId: ref.clientOrderId, atMs: this.clock.nowMs() });
    const behaviour = this.cancelScript.shift() ?? { kind: "default" };
    if (behaviour.kind === "error") return { ok: false, error: behaviour.error };
    const venue = this.orders.get(ref.clientOrderId);
    if (
      venue === undefined ||
      (venue.order.status !== "NEW" && venue.order.status !== "PARTIALLY_FILLED")
    ) {
      return { ok: false, error: { kind: "UNKNOWN_ORDER", message: "Unknown order sent." } };
    }
    let raced: ExchangeFill | null = null;
    if (behaviour.kind === "fill_first")
      raced = this.fill(ref.clientOrderId, behaviour.qty, { emit: false });
    const filled = (venue.order.status as string) === "FILLED";
    if (!filled) venue.order = { ...venue.order, status: "CANCELED" };
    const answer = this.snapshotOf(venue);
    if (raced !== null) {
      const late = raced;
      queueMicrotask(() => this.emitUpdate(venue, late));
    }
    if (filled) {
      return { ok: false, error: { kind: "UNKNOWN_ORDER", message: "Unknown order sent." } };
    }
    return { ok: true, value: answer };
  }

  async queryOrder(ref: OrderRef): Promise<ExchangeResult<ExchangeOrder>> {
    this.queried.push(ref.clientOrderId);
    const venue = this.orders.get(ref.clientOrderId);
    if (venue === undefined) {
      return { ok: false, error: { kind: "UNKNOWN_ORDER", message: "Order does not exist." } };
    }
    return { ok: true, value: this.snapshotOf(venue) };
  }

  async openOrders(): Promise<ExchangeResult<readonly ExchangeOrder[]>> {
    const open = [...this.orders.values()].filter(
      (venue) => venue.order.status === "NEW" || venue.order.status === "PARTIALLY_FILLED",
    );
    return { ok: true, value: open.map((venue) => this.snapshotOf(venue)) };
  }

  placeConditional = notImplemented;
  cancelConditional = notImplemented;
  queryConditional = notImplemented;
  openConditionals = notImplemented;
  placeOco = notImplemented;
  cancelOrderList = notImplemented;
  queryOrderList = notImplemented;
  configureSymbol = notImplemented;
  async positions(): Promise<ExchangeResult<readonly never[]>> {
    return { ok: true, value: [] };
  }
  balances = notImplemented;
  transfer = notImplemented;

  // ---- internals ----

  private rulesOf(market: Market, symbol: string): SymbolRules {
    const rules = [futBtcRules, spotBtcRules, futEthRules].find(
      (each) => each.market === market && each.symbol === symbol,
    );
    if (rules === undefined) throw new Error(`no rules for ${market} ${symbol}`);
    return rules;
  }

  /** Market and marketable IOC orders take the touch at once; post-only ones that cross are
   *  rejected by the behaviour script only (the test decides). */
  private execute(venue: VenueOrder, request: PlaceOrderRequest): void {
    const book = this.books.get(`${request.market}:${request.symbol}`);
    if (book === undefined) return;
    const touch = request.side === "BUY" ? book.ask : book.bid;
    if (request.type === "MARKET") {
      this.addFill(venue, request.qty, touch, "TAKER");
      return;
    }
    if (request.timeInForce === "IOC" && request.price !== null) {
      const crosses =
        request.side === "BUY" ? !gt(touch, request.price) : !gt(request.price, touch);
      if (crosses) this.addFill(venue, request.qty, touch, "TAKER");
      if (venue.order.status !== "FILLED") venue.order = { ...venue.order, status: "EXPIRED" };
    }
  }

  private addFill(
    venue: VenueOrder,
    qty: Decimal,
    price: Decimal,
    liquidity: "MAKER" | "TAKER",
  ): ExchangeFill {
    const left = sub(venue.order.qty, venue.order.filledQty);
    const taken = min(qty, left);
    if (!isPositive(taken)) throw new Error("nothing left to fill");
    this.tradeSequence += 1;
    const fill: ExchangeFill = {
      tradeId: String(this.tradeSequence),
      price,
      qty: taken,
      fee: mul(mul(taken, price), dec("0.0002")),
      feeAsset: "USDT",
      liquidity,
      tsMs: this.clock.nowMs(),
    };
    venue.fills.push(fill);
    const filledQty = add(venue.order.filledQty, taken);
    const quote = venue.fills.reduce((total, each) => add(total, mul(each.qty, each.price)), zero);
    venue.order = {
      ...venue.order,
      filledQty,
      avgPrice: averagePrice(quote, filledQty),
      status: eq(filledQty, venue.order.qty) ? "FILLED" : "PARTIALLY_FILLED",
      updateTimeMs: this.clock.nowMs(),
    };
    return fill;
  }

  private snapshotOf(venue: VenueOrder): ExchangeOrder {
    return { ...venue.order, fills: [...venue.fills] };
  }
}
