// The simulated venue: deterministic, synchronous, no wall clock. Every call takes `nowMs`; the
// market moves in fixed steps up to it, then the call acts. One call is one unit of work: its
// state changes reach the state sink together, and its events go out after that, in order.

import {
  abs,
  add,
  countSteps,
  type Decimal,
  div,
  dec,
  formatDecimal,
  fromSteps,
  gt,
  isPositive,
  isZero,
  lt,
  max,
  min,
  mul,
  neg,
  normalize,
  sign,
  sub,
  sum,
  zero,
} from "../../../domain/decimal/index.ts";
import { type Market, symbolKey } from "../../../domain/instrument/index.ts";
import type { Liquidity, Side } from "../../../domain/order/index.ts";
import { SeededRng } from "../../clock/seeded-rng.ts";
import {
  applyPositionFill,
  type BalanceRecord,
  balanceOf,
  credit,
  feeOf,
  futuresMakerRate,
  futuresTakerRate,
  lock,
  type PositionRecord,
  positionMargin,
  type SymbolConfigRecord,
  spend,
  spotFeeRate,
  unlock,
  unrealizedPnl,
} from "./accounts.ts";
import {
  type BookShape,
  type BookState,
  bookShape,
  consumeDepth,
  depthLevels,
  levelSteps,
  newBookState,
  quoteTouch,
  refillDepth,
  stepsToQty,
  ticksToPrice,
  walkBook,
} from "./book.ts";
import { defaultSymbolSpecs } from "./exchange-info.ts";
import {
  checkFilters,
  checkParameters,
  filterReject,
  hasLimitPrice,
  isMarketExecution,
  isStopType,
  reject,
  stopKind,
  triggerFires,
} from "./order-rules.ts";
import { markValue, newPathState, type PathState, spreadBps, stepPath } from "./price-path.ts";
import {
  type AlgoRecord,
  algoView,
  decodeJson,
  encodeJson,
  isOpenStatus,
  type ListRecord,
  listView,
  type OrderRecord,
  orderState,
  orderView,
} from "./records.ts";
import { type ScenarioName, type ScenarioParams, scenarioParams } from "./scenarios.ts";
import type {
  SimAlgoOrder,
  SimAlgoRef,
  SimAlgoRequest,
  SimBalance,
  SimBookTop,
  SimDepth,
  SimEvent,
  SimEventListener,
  SimExpiryReason,
  SimFill,
  SimFuturesAccount,
  SimMarginTypeResult,
  SimMarkPrice,
  SimOcoLeg,
  SimOcoRequest,
  SimOrder,
  SimOrderListRef,
  SimOrderListResult,
  SimOrderRef,
  SimOrderStatus,
  SimPlaceOrderRequest,
  SimPosition,
  SimReject,
  SimResult,
  SimSymbolConfig,
  SimSymbolSpec,
  SimTransfer,
} from "./types.ts";

// ---- limits ----
/** Terminal orders kept for queries; the oldest are forgotten first. */
export const orderHistoryMax = 10_000;
export const algoHistoryMax = 2_000;
export const listHistoryMax = 2_000;
/** Binance: 200 open conditional orders account-wide. */
export const openAlgoOrdersMax = 200;
/** Open orders per (market, symbol) when the symbol has no MAX_NUM_ORDERS filter. */
export const openOrdersPerSymbolMax = 200;
/** A resting order fills in at most this many pieces; the last piece takes the rest. */
export const fillsPerOrderMax = 500;
export const transfersMax = 1_000;
export const listenersMax = 16;
/** Past this many fine steps, a long idle gap is crossed in coarser steps. */
export const catchUpStepsMax = 3_000;
/** Stop and trigger cascades (a triggered order moving the price into another trigger). */
export const triggerPassesMax = 8;
export const eventsPerCallMax = 200_000;
export const leverageMax = 125;

export const defaultStepMs = 100;
export const defaultLeverage = 20;

export interface SimAccountSetup {
  readonly spot: Readonly<Record<string, Decimal>>;
  readonly futuresUsdt: Decimal;
}

export const defaultAccount: SimAccountSetup = {
  spot: { USDT: dec("100000"), BTC: dec("1"), ETH: dec("20") },
  futuresUsdt: dec("100000"),
};

export const defaultMids: Readonly<Record<string, Decimal>> = {
  BTCUSDT: dec("95000"),
  ETHUSDT: dec("3500"),
};

export interface SimEngineOptions {
  readonly seed: number;
  readonly scenario: ScenarioName | ScenarioParams;
  readonly startMs: number;
  readonly symbols?: readonly SimSymbolSpec[];
  readonly initialMids?: Readonly<Record<string, Decimal>>;
  readonly account?: SimAccountSetup;
  readonly stepMs?: number;
}

/** Everything persisted, as JSON text: one core document and one per order, algo and list. */
export interface SimEncodedState {
  readonly core: string;
  readonly orders: readonly string[];
  readonly algos: readonly string[];
  readonly lists: readonly string[];
}

/** The changes of one engine call, ready to write in one transaction. */
export interface SimStateDelta {
  readonly core: string;
  readonly orders: readonly { readonly key: string; readonly json: string }[];
  readonly ordersRemoved: readonly string[];
  readonly algos: readonly { readonly key: string; readonly json: string }[];
  readonly algosRemoved: readonly string[];
  readonly lists: readonly { readonly key: string; readonly json: string }[];
  readonly listsRemoved: readonly string[];
  /**
   * True when only the market moved (path, books): no order, list, algo, balance, position,
   * configuration, transfer or id counter changed. A sink may defer such a write: losing it
   * loses nothing an account holder could see.
   */
  readonly marketOnly: boolean;
}

export type SimStateSink = (delta: SimStateDelta) => void;

interface Counters {
  orderId: Record<Market, number>;
  tradeId: Record<Market, number>;
  orderListId: number;
  algoId: number;
  transferId: number;
}

interface CoreState {
  readonly version: 1;
  readonly seed: number;
  readonly scenario: ScenarioParams;
  readonly stepMs: number;
  readonly startMs: number;
  readonly lastStepMs: number;
  readonly stepIndex: number;
  readonly rngState: number;
  readonly counters: Counters;
  readonly startMids: Record<string, number>;
  readonly paths: PathState[];
  readonly books: BookState[];
  readonly balances: BalanceRecord[];
  readonly futuresWallet: Decimal;
  readonly positions: PositionRecord[];
  readonly configs: SymbolConfigRecord[];
  readonly transfers: SimTransfer[];
}

interface TopMark {
  bidTicks: number;
  askTicks: number;
  bidSteps: number;
  askSteps: number;
}

function orderKey(market: Market, orderId: number): string {
  return `${market}:${orderId}`;
}

function clientKey(market: Market, symbol: string, clientOrderId: string): string {
  return `${market}:${symbol}:${clientOrderId}`;
}

function ok<T>(value: T): SimResult<T> {
  return { ok: true, value };
}

function fail<T>(rejection: SimReject): SimResult<T> {
  return { ok: false, reject: rejection };
}

function decimalFromFloat(value: number, scale: number): Decimal {
  return normalize({ units: BigInt(Math.round(value * 10 ** scale)), scale });
}

const markScale = 8;

export class SimEngine {
  private readonly specs = new Map<string, SimSymbolSpec>();
  private readonly paths = new Map<string, PathState>();
  private readonly startMids = new Map<string, number>();
  private readonly books = new Map<string, BookState>();
  private readonly resting = new Map<string, OrderRecord[]>();
  private readonly pendingStops = new Map<string, OrderRecord[]>();
  private readonly orders = new Map<string, OrderRecord>();
  private readonly openByClient = new Map<string, OrderRecord>();
  private readonly latestByClient = new Map<string, OrderRecord>();
  private readonly terminalOrders = new FifoQueue<string>();
  private readonly algos = new Map<number, AlgoRecord>();
  private readonly openAlgosByClient = new Map<string, AlgoRecord>();
  private readonly latestAlgoByClient = new Map<string, AlgoRecord>();
  private readonly terminalAlgos = new FifoQueue<number>();
  private readonly lists = new Map<number, ListRecord>();
  private readonly openListsByClient = new Map<string, ListRecord>();
  private readonly latestListByClient = new Map<string, ListRecord>();
  private readonly terminalLists = new FifoQueue<number>();
  private readonly balances = new Map<string, BalanceRecord>();
  private readonly positionsBySymbol = new Map<string, PositionRecord>();
  private readonly configs = new Map<string, SymbolConfigRecord>();
  private transfers: SimTransfer[] = [];
  private futuresWallet: Decimal = zero;
  private readonly listeners: SimEventListener[] = [];
  private readonly topMarks = new Map<string, TopMark>();
  private readonly lastMarks = new Map<string, number>();
  /** Set when a step or a taker may have changed a book top or a mark since the last check. */
  private marketChanged = true;

  private readonly rng: SeededRng;
  private readonly seed: number;
  private readonly scenario: ScenarioParams;
  private readonly stepMs: number;
  private readonly startMs: number;
  private lastStepMs: number;
  /** The time of the work being done: a step's end while stepping, else the call's time. */
  private currentMs: number;
  private stepIndex = 0;
  private counters: Counters = {
    orderId: { SPOT: 0, FUT: 0 },
    tradeId: { SPOT: 0, FUT: 0 },
    orderListId: 0,
    algoId: 0,
    transferId: 0,
  };

  private sink: SimStateSink | null = null;
  private callDepth = 0;
  private pendingEvents: SimEvent[] = [];
  private readonly dirtyOrders = new Set<OrderRecord>();
  /** The account part of the last flushed core, to tell market-only changes apart. */
  private lastFlushedAccount = "";
  private readonly removedOrders = new Set<string>();
  private readonly dirtyAlgos = new Set<AlgoRecord>();
  private readonly removedAlgos = new Set<string>();
  private readonly dirtyLists = new Set<ListRecord>();
  private readonly removedLists = new Set<string>();

  constructor(options: SimEngineOptions, restored: SimEncodedState | null = null) {
    const symbols = options.symbols ?? defaultSymbolSpecs();
    for (const spec of symbols)
      this.specs.set(symbolKey(spec.rules.market, spec.rules.symbol), spec);
    if (restored !== null) {
      const core = decodeJson<CoreState>(restored.core);
      this.seed = core.seed;
      this.scenario = core.scenario;
      this.stepMs = core.stepMs;
      this.startMs = core.startMs;
      this.lastStepMs = core.lastStepMs;
      this.currentMs = core.lastStepMs;
      this.rng = new SeededRng(0);
      this.restoreCore(core);
      this.restoreRecords(restored);
      return;
    }
    this.seed = options.seed;
    this.scenario =
      typeof options.scenario === "string" ? scenarioParams(options.scenario) : options.scenario;
    this.stepMs = options.stepMs ?? defaultStepMs;
    this.startMs = options.startMs;
    this.lastStepMs = options.startMs;
    this.currentMs = options.startMs;
    this.rng = new SeededRng(options.seed);
    this.initMarket(options.initialMids ?? defaultMids);
    this.initAccount(options.account ?? defaultAccount);
  }

  // ---- construction ----

  private initMarket(mids: Readonly<Record<string, Decimal>>): void {
    for (const spec of this.specs.values()) {
      const { symbol, market } = spec.rules;
      if (!this.paths.has(symbol)) {
        const mid = mids[symbol];
        if (mid === undefined) throw new Error(`Condition failed: no starting mid for ${symbol}`);
        const value = Number(formatDecimal(mid));
        this.startMids.set(symbol, value);
        this.paths.set(symbol, newPathState(symbol, value, this.scenario, this.rng, this.startMs));
      }
      const book = newBookState(market, symbol, spec.rules.price.tick, spec.rules.lot.step);
      this.books.set(symbolKey(market, symbol), book);
      this.requote(book);
      book.lastTicks = Math.round((book.bidTicks + book.askTicks) / 2);
    }
  }

  private initAccount(account: SimAccountSetup): void {
    for (const [asset, amount] of Object.entries(account.spot)) {
      this.balances.set(asset, { asset, free: amount, locked: zero });
    }
    this.futuresWallet = account.futuresUsdt;
    for (const spec of this.specs.values()) {
      if (spec.rules.market !== "FUT") continue;
      const symbol = spec.rules.symbol;
      this.configs.set(symbol, { symbol, leverage: defaultLeverage, marginType: "CROSSED" });
      this.positionsBySymbol.set(symbol, {
        symbol,
        qty: zero,
        entryPrice: zero,
        realizedPnl: zero,
      });
    }
  }

  private restoreCore(core: CoreState): void {
    this.stepIndex = core.stepIndex;
    this.rng.restore(core.rngState);
    this.counters = core.counters;
    for (const [symbol, mid] of Object.entries(core.startMids)) this.startMids.set(symbol, mid);
    for (const path of core.paths) this.paths.set(path.symbol, path);
    for (const saved of core.books) {
      const book = newBookState(saved.market, saved.symbol, saved.tick, saved.step);
      Object.assign(book, saved);
      this.books.set(symbolKey(book.market, book.symbol), book);
    }
    for (const balance of core.balances) this.balances.set(balance.asset, balance);
    this.futuresWallet = core.futuresWallet;
    for (const position of core.positions) this.positionsBySymbol.set(position.symbol, position);
    for (const config of core.configs) this.configs.set(config.symbol, config);
    this.transfers = core.transfers;
  }

  private restoreRecords(restored: SimEncodedState): void {
    const orders = restored.orders.map((json) => decodeJson<OrderRecord>(json));
    orders.sort((a, b) => a.updatedMs - b.updatedMs || a.orderId - b.orderId);
    for (const order of orders) this.indexOrder(order);
    const lists = restored.lists.map((json) => decodeJson<ListRecord>(json));
    lists.sort((a, b) => a.orderListId - b.orderListId);
    for (const list of lists) this.indexList(list);
    const algos = restored.algos.map((json) => decodeJson<AlgoRecord>(json));
    algos.sort((a, b) => a.algoId - b.algoId);
    for (const algo of algos) this.indexAlgo(algo);
  }

  private indexOrder(order: OrderRecord): void {
    const key = orderKey(order.market, order.orderId);
    this.orders.set(key, order);
    const client = clientKey(order.market, order.symbol, order.clientOrderId);
    this.latestByClient.set(client, order);
    if (!isOpenStatus(order.status)) {
      this.terminalOrders.add(key);
      return;
    }
    this.openByClient.set(client, order);
    const bookKey = symbolKey(order.market, order.symbol);
    if (order.working) this.listOf(this.resting, bookKey).push(order);
    else this.listOf(this.pendingStops, bookKey).push(order);
  }

  private indexList(list: ListRecord): void {
    this.lists.set(list.orderListId, list);
    const client = `${list.symbol}:${list.listClientOrderId}`;
    this.latestListByClient.set(client, list);
    if (list.listOrderStatus === "EXECUTING") this.openListsByClient.set(client, list);
    else this.terminalLists.add(list.orderListId);
  }

  private indexAlgo(algo: AlgoRecord): void {
    this.algos.set(algo.algoId, algo);
    this.latestAlgoByClient.set(algo.clientAlgoId, algo);
    if (algo.status === "NEW") this.openAlgosByClient.set(algo.clientAlgoId, algo);
    else this.terminalAlgos.add(algo.algoId);
  }

  private listOf(map: Map<string, OrderRecord[]>, key: string): OrderRecord[] {
    let list = map.get(key);
    if (list === undefined) {
      list = [];
      map.set(key, list);
    }
    return list;
  }

  // ---- listeners, sink, units of work ----

  onEvent(listener: SimEventListener): () => void {
    if (this.listeners.length >= listenersMax) {
      throw new Error(`Condition failed: more than ${listenersMax} engine listeners`);
    }
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** Receives the changes of every call, before its events are delivered. */
  setStateSink(sink: SimStateSink | null): void {
    this.sink = sink;
  }

  /** The time the market has been advanced to. */
  nowMs(): number {
    return this.currentMs;
  }

  symbolSpecs(): SimSymbolSpec[] {
    return [...this.specs.values()];
  }

  spec(market: Market, symbol: string): SimSymbolSpec | null {
    return this.specs.get(symbolKey(market, symbol)) ?? null;
  }

  private run<T>(nowMs: number, body: () => T): T {
    if (this.callDepth > 0) return body();
    this.callDepth += 1;
    let result: T;
    let events: SimEvent[];
    try {
      this.advanceInternal(nowMs);
      this.currentMs = Math.max(this.currentMs, nowMs);
      result = body();
      this.emitMarketData();
      this.flush();
    } finally {
      this.callDepth -= 1;
      events = this.pendingEvents;
      this.pendingEvents = [];
    }
    this.deliver(events);
    return result;
  }

  private deliver(events: readonly SimEvent[]): void {
    let failure: unknown = null;
    for (const event of events) {
      for (const listener of this.listeners.slice()) {
        try {
          listener(event);
        } catch (error) {
          failure ??= error;
        }
      }
    }
    if (failure !== null) throw failure;
  }

  private emit(event: SimEvent): void {
    if (this.pendingEvents.length >= eventsPerCallMax) {
      throw new Error(`Condition failed: more than ${eventsPerCallMax} events in one call`);
    }
    this.pendingEvents.push(event);
  }

  private flush(): void {
    const sink = this.sink;
    if (sink === null) {
      this.clearDirty();
      return;
    }
    const records = <R>(set: Set<R>, key: (record: R) => string) =>
      [...set].map((record) => ({ key: key(record), json: encodeJson(record) }));
    const account = this.encodeAccount();
    const recordsChanged =
      this.dirtyOrders.size +
        this.removedOrders.size +
        this.dirtyAlgos.size +
        this.removedAlgos.size +
        this.dirtyLists.size +
        this.removedLists.size >
      0;
    const marketOnly = !recordsChanged && account === this.lastFlushedAccount;
    this.lastFlushedAccount = account;
    const delta: SimStateDelta = {
      marketOnly,
      core: this.encodeCore(),
      orders: records(this.dirtyOrders, (o) => orderKey(o.market, o.orderId)),
      ordersRemoved: [...this.removedOrders],
      algos: records(this.dirtyAlgos, (a) => String(a.algoId)),
      algosRemoved: [...this.removedAlgos],
      lists: records(this.dirtyLists, (l) => String(l.orderListId)),
      listsRemoved: [...this.removedLists],
    };
    this.clearDirty();
    sink(delta);
  }

  private clearDirty(): void {
    this.dirtyOrders.clear();
    this.removedOrders.clear();
    this.dirtyAlgos.clear();
    this.removedAlgos.clear();
    this.dirtyLists.clear();
    this.removedLists.clear();
  }

  /** Everything in the core an account holder could see, without the market. */
  private encodeAccount(): string {
    return encodeJson({
      counters: this.counters,
      balances: [...this.balances.values()],
      futuresWallet: this.futuresWallet,
      positions: [...this.positionsBySymbol.values()],
      configs: [...this.configs.values()],
      transfers: this.transfers.length,
    });
  }

  private encodeCore(): string {
    const core: CoreState = {
      version: 1,
      seed: this.seed,
      scenario: this.scenario,
      stepMs: this.stepMs,
      startMs: this.startMs,
      lastStepMs: this.lastStepMs,
      stepIndex: this.stepIndex,
      rngState: this.rng.snapshot(),
      counters: this.counters,
      startMids: Object.fromEntries(this.startMids),
      paths: [...this.paths.values()],
      books: [...this.books.values()],
      balances: [...this.balances.values()],
      futuresWallet: this.futuresWallet,
      positions: [...this.positionsBySymbol.values()],
      configs: [...this.configs.values()],
      transfers: this.transfers,
    };
    return encodeJson(core);
  }

  /** The whole state as one delta, for a first write. */
  fullDelta(): SimStateDelta {
    const rows = <R>(records: Iterable<R>, key: (record: R) => string) =>
      [...records].map((record) => ({ key: key(record), json: encodeJson(record) }));
    return {
      marketOnly: false,
      core: this.encodeCore(),
      orders: rows(this.orders.values(), (o) => orderKey(o.market, o.orderId)),
      ordersRemoved: [],
      algos: rows(this.algos.values(), (a) => String(a.algoId)),
      algosRemoved: [],
      lists: rows(this.lists.values(), (l) => String(l.orderListId)),
      listsRemoved: [],
    };
  }

  /** The whole state, for a first write or a copy. */
  encodeState(): SimEncodedState {
    return {
      core: this.encodeCore(),
      orders: [...this.orders.values()].map((order) => encodeJson(order)),
      algos: [...this.algos.values()].map((algo) => encodeJson(algo)),
      lists: [...this.lists.values()].map((list) => encodeJson(list)),
    };
  }

  // ---- time and the market path ----

  /** Moves the market up to `nowMs` (never backwards). */
  advanceTo(nowMs: number): void {
    this.run(nowMs, () => undefined);
  }

  private advanceInternal(nowMs: number): void {
    const due = Math.floor((nowMs - this.lastStepMs) / this.stepMs);
    if (due <= 0) return;
    const coarse = due > catchUpStepsMax ? Math.ceil(due / catchUpStepsMax) : 1;
    let remaining = due;
    while (remaining > 0) {
      const steps = Math.min(coarse, remaining);
      this.stepOnce(steps * this.stepMs);
      remaining -= steps;
    }
  }

  private stepOnce(dtMs: number): void {
    this.lastStepMs += dtMs;
    this.currentMs = Math.max(this.currentMs, this.lastStepMs);
    this.stepIndex += 1;
    for (const path of this.paths.values()) {
      stepPath(
        path,
        this.scenario,
        this.rng,
        dtMs,
        this.lastStepMs,
        this.startMids.get(path.symbol)!,
      );
    }
    const refill = Math.min(1, this.scenario.refillPerSecond * (dtMs / 1000));
    for (const book of this.books.values()) {
      refillDepth(book, refill);
      this.requote(book);
      this.marketTrades(book);
    }
    for (const path of this.paths.values()) this.afterPriceMove(path.symbol);
  }

  private requote(book: BookState): void {
    this.marketChanged = true;
    const path = this.paths.get(book.symbol)!;
    quoteTouch(book, path.mid, spreadBps(path, this.scenario));
    book.updateId += 1;
  }

  /** The step's taker flow: sets the last trade price and fills resting orders it reaches. */
  private marketTrades(book: BookState): void {
    const path = this.paths.get(book.symbol)!;
    const sellerHit =
      path.lastMove < 0 || (path.lastMove === 0 && path.sellVolume > path.buyVolume);
    book.lastTicks = sellerHit ? book.bidTicks : book.askTicks;
    this.fillResting(book, path);
  }

  private afterPriceMove(symbol: string): void {
    for (let pass = 0; pass < triggerPassesMax; pass += 1) {
      let fired = false;
      for (const market of ["SPOT", "FUT"] as const) {
        const book = this.books.get(symbolKey(market, symbol));
        if (book !== undefined && this.fireStops(book)) fired = true;
      }
      if (this.fireAlgos(symbol)) fired = true;
      if (!fired) return;
    }
  }

  private shape(book: BookState): BookShape {
    const path = this.paths.get(book.symbol)!;
    return bookShape(book, path.mid, this.scenario, this.seed, this.stepIndex);
  }

  private markOf(symbol: string): Decimal {
    return decimalFromFloat(markValue(this.paths.get(symbol)!), markScale);
  }

  private midOf(symbol: string): Decimal {
    return decimalFromFloat(this.paths.get(symbol)!.mid, markScale);
  }

  private book(market: Market, symbol: string): BookState {
    const book = this.books.get(symbolKey(market, symbol));
    if (book === undefined) throw new Error(`Condition failed: no book ${market}:${symbol}`);
    return book;
  }

  private emitMarketData(): void {
    if (!this.marketChanged) return;
    this.marketChanged = false;
    for (const [key, book] of this.books) {
      const shape = this.shape(book);
      const bidSteps = this.topSteps(book, shape, "BUY");
      const askSteps = this.topSteps(book, shape, "SELL");
      const previous = this.topMarks.get(key);
      if (
        previous !== undefined &&
        previous.bidTicks === book.bidTicks &&
        previous.askTicks === book.askTicks &&
        previous.bidSteps === bidSteps &&
        previous.askSteps === askSteps
      ) {
        continue;
      }
      this.topMarks.set(key, {
        bidTicks: book.bidTicks,
        askTicks: book.askTicks,
        bidSteps,
        askSteps,
      });
      this.emit({ kind: "BOOK_TOP", top: this.topOf(book, shape), updateId: book.updateId });
    }
    for (const symbol of this.paths.keys()) {
      if (!this.specs.has(symbolKey("FUT", symbol))) continue;
      const mark = markValue(this.paths.get(symbol)!);
      if (this.lastMarks.get(symbol) === mark) continue;
      this.lastMarks.set(symbol, mark);
      this.emit({ kind: "MARK_PRICE", mark: this.markPriceOf(symbol) });
    }
  }

  private topSteps(book: BookState, shape: BookShape, bookSide: Side): number {
    const consumed = bookSide === "BUY" ? book.consumedBidSteps : book.consumedAskSteps;
    const first = levelSteps(book, shape, bookSide, 0);
    if (consumed < first) return first - consumed;
    return depthLevels(book, shape, bookSide, 1)[0]?.steps ?? 0;
  }

  private topOf(book: BookState, shape: BookShape): SimBookTop {
    const bids = depthLevels(book, shape, "BUY", 1)[0];
    const asks = depthLevels(book, shape, "SELL", 1)[0];
    return {
      market: book.market,
      symbol: book.symbol,
      bid: ticksToPrice(book, bids?.ticks ?? book.bidTicks),
      bidQty: stepsToQty(book, bids?.steps ?? 0),
      ask: ticksToPrice(book, asks?.ticks ?? book.askTicks),
      askQty: stepsToQty(book, asks?.steps ?? 0),
      lastPrice: ticksToPrice(book, book.lastTicks),
      tsMs: this.currentMs,
    };
  }

  private markPriceOf(symbol: string): SimMarkPrice {
    return {
      symbol,
      markPrice: this.markOf(symbol),
      indexPrice: this.midOf(symbol),
      tsMs: this.currentMs,
    };
  }

  // ---- market data reads ----

  bookTop(market: Market, symbol: string, nowMs: number): SimResult<SimBookTop> {
    return this.run(nowMs, () => {
      const book = this.books.get(symbolKey(market, symbol));
      if (book === undefined) return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      return ok(this.topOf(book, this.shape(book)));
    });
  }

  depth(market: Market, symbol: string, levels: number, nowMs: number): SimResult<SimDepth> {
    return this.run(nowMs, () => {
      const book = this.books.get(symbolKey(market, symbol));
      if (book === undefined) return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      const shape = this.shape(book);
      const toLevels = (side: Side) =>
        depthLevels(book, shape, side, levels).map((level) => ({
          price: ticksToPrice(book, level.ticks),
          qty: stepsToQty(book, level.steps),
        }));
      return ok({
        market,
        symbol,
        bids: toLevels("BUY"),
        asks: toLevels("SELL"),
        updateId: book.updateId,
        tsMs: this.currentMs,
      });
    });
  }

  markPrice(symbol: string, nowMs: number): SimResult<SimMarkPrice> {
    return this.run(nowMs, () => {
      if (!this.specs.has(symbolKey("FUT", symbol))) {
        return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      }
      return ok(this.markPriceOf(symbol));
    });
  }

  commission(market: Market): { readonly maker: Decimal; readonly taker: Decimal } {
    return market === "SPOT"
      ? { maker: spotFeeRate, taker: spotFeeRate }
      : { maker: futuresMakerRate, taker: futuresTakerRate };
  }

  // ---- test and driver controls ----

  /** Moves a symbol's mid to `price` at once (a scripted jump); orders react as to any step. */
  setMid(symbol: string, price: Decimal, nowMs: number): SimResult<void> {
    return this.run(nowMs, () => {
      const path = this.paths.get(symbol);
      if (path === undefined) return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      const target = Number(formatDecimal(price));
      path.lastMove = Math.sign(target - path.mid);
      path.mid = target;
      for (const market of ["SPOT", "FUT"] as const) {
        const book = this.books.get(symbolKey(market, symbol));
        if (book === undefined) continue;
        this.requote(book);
        this.marketTrades(book);
      }
      this.afterPriceMove(symbol);
      return ok(undefined);
    });
  }

  // ---- order placement ----

  placeOrder(request: SimPlaceOrderRequest, nowMs: number): SimResult<SimOrder> {
    return this.run(nowMs, () => {
      const spec = this.spec(request.market, request.symbol);
      if (spec === null) return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      const refused = this.checkOrder(spec, request);
      if (refused !== null) return fail(refused);
      const order = this.createOrder(request, nowMs);
      this.startOrder(order);
      return ok(orderView(order));
    });
  }

  private checkOrder(spec: SimSymbolSpec, request: SimPlaceOrderRequest): SimReject | null {
    const book = this.book(request.market, request.symbol);
    const parameters = checkParameters(spec, request);
    if (parameters !== null) return parameters;
    const touch = ticksToPrice(book, request.side === "BUY" ? book.askTicks : book.bidTicks);
    const reference =
      request.market === "FUT" ? this.markOf(request.symbol) : this.midOf(request.symbol);
    const filters = checkFilters(spec, request, { referencePrice: reference, takerTouch: touch });
    if (filters !== null) return filters;
    const counts = this.checkCounts(spec, request, 1);
    if (counts !== null) return counts;
    if (request.clientOrderId !== null) {
      const key = clientKey(request.market, request.symbol, request.clientOrderId);
      if (this.openByClient.has(key)) {
        return reject("DUPLICATE_CLIENT_ORDER_ID", "Duplicate order sent.");
      }
    }
    if (isStopType(request.type)) {
      const last = ticksToPrice(book, book.lastTicks);
      if (triggerFires(stopKind(request.type), request.side, last, request.stopPrice!)) {
        return reject("WOULD_TRIGGER_IMMEDIATELY", "Order would trigger immediately.");
      }
    }
    if (this.wouldTake(request, book)) {
      return reject("POST_ONLY_WOULD_TAKE", "Order would immediately match and take.");
    }
    return request.market === "FUT" ? this.checkFutures(request, touch) : this.checkSpot(request);
  }

  private checkCounts(spec: SimSymbolSpec, request: SimPlaceOrderRequest, adding: number) {
    const open = this.countOpen(request.market, request.symbol);
    const limit = spec.maxNumOrders ?? openOrdersPerSymbolMax;
    if (open + adding > limit) {
      return filterReject("MAX_NUM_ORDERS", "max_num_orders", `More than ${limit} open orders`);
    }
    if (isStopType(request.type) && spec.maxNumAlgoOrders !== null) {
      const stops = this.pendingStops.get(symbolKey(request.market, request.symbol))?.length ?? 0;
      if (stops + 1 > spec.maxNumAlgoOrders) {
        return filterReject(
          "MAX_NUM_ALGO_ORDERS",
          "max_num_algo_orders",
          `More than ${spec.maxNumAlgoOrders} open stop orders`,
        );
      }
    }
    return null;
  }

  private countOpen(market: Market, symbol: string): number {
    const key = symbolKey(market, symbol);
    return (this.resting.get(key)?.length ?? 0) + (this.pendingStops.get(key)?.length ?? 0);
  }

  private wouldTake(request: SimPlaceOrderRequest, book: BookState): boolean {
    const postOnly = request.type === "LIMIT_MAKER" || request.timeInForce === "GTX";
    if (!postOnly || request.price === null) return false;
    const ticks = this.ticksOf(book, request.price);
    return request.side === "BUY" ? ticks >= book.askTicks : ticks <= book.bidTicks;
  }

  private ticksOf(book: BookState, price: Decimal): number {
    return Number(countSteps(price, book.tick, "floor"));
  }

  private stepsOf(book: BookState, qty: Decimal): number {
    return Number(countSteps(qty, book.step, "floor"));
  }

  private checkSpot(request: SimPlaceOrderRequest): SimReject | null {
    const spec = this.spec("SPOT", request.symbol)!;
    const { baseAsset, quoteAsset } = spec.rules;
    const insufficient = reject(
      "INSUFFICIENT_BALANCE",
      "Account has insufficient balance for requested action.",
    );
    if (request.side === "SELL") {
      const need = request.qty ?? zero;
      if (request.quoteOrderQty != null) return null;
      return lt(balanceOf(this.balances, baseAsset).free, need) ? insufficient : null;
    }
    const free = balanceOf(this.balances, quoteAsset).free;
    if (request.type === "MARKET") {
      const cost = request.quoteOrderQty ?? this.marketCost(request);
      return cost === null || gt(cost, free) ? insufficient : null;
    }
    return gt(this.lockAmount(request), free) ? insufficient : null;
  }

  /** Quote a spot market buy of request.qty would cost now; null when the book cannot fill it. */
  private marketCost(request: SimPlaceOrderRequest): Decimal | null {
    const book = this.book(request.market, request.symbol);
    const steps = this.stepsOf(book, request.qty!);
    const levels = walkBook(book, this.shape(book), "BUY", {
      limitTicks: null,
      maxSteps: steps,
      maxQuoteUnits: null,
    });
    let quoteUnits = 0n;
    for (const level of levels) quoteUnits += BigInt(level.ticks) * BigInt(level.steps);
    return fromSteps(quoteUnits, mul(book.tick, book.step));
  }

  private lockAmount(request: SimPlaceOrderRequest): Decimal {
    if (request.side === "SELL") return request.qty ?? zero;
    const price = request.price ?? request.stopPrice ?? zero;
    return normalize(mul(price, request.qty ?? zero));
  }

  private checkFutures(request: SimPlaceOrderRequest, touch: Decimal): SimReject | null {
    const position = this.positionsBySymbol.get(request.symbol)!;
    const qty = request.qty!;
    if (request.reduceOnly) {
      const reduces =
        (sign(position.qty) > 0 && request.side === "SELL") ||
        (sign(position.qty) < 0 && request.side === "BUY");
      return reduces ? null : reject("REDUCE_ONLY_REJECTED", "ReduceOnly Order is rejected.");
    }
    const signed = request.side === "BUY" ? qty : neg(qty);
    const increase = sub(abs(add(position.qty, signed)), abs(position.qty));
    if (!isPositive(increase)) return null;
    const price = request.price ?? touch;
    const leverage = this.configs.get(request.symbol)!.leverage;
    const required = div(mul(increase, price), { units: BigInt(leverage), scale: 0 }, 8, "ceil");
    if (gt(required, this.futuresAccountView().availableBalance)) {
      return reject("INSUFFICIENT_MARGIN", "Margin is insufficient.");
    }
    return null;
  }

  private nextClientId(kind: string, id: number): string {
    return `sim-${kind}-${id}`;
  }

  /** A new order record; spot orders lock their funds unless a list holds the lock for them. */
  private createOrder(request: SimPlaceOrderRequest, nowMs: number, lockFunds = true): OrderRecord {
    this.counters.orderId[request.market] += 1;
    const orderId = this.counters.orderId[request.market];
    const market = request.market;
    const stop = isStopType(request.type);
    const order: OrderRecord = {
      market,
      symbol: request.symbol,
      orderId,
      clientOrderId: request.clientOrderId ?? this.nextClientId(market.toLowerCase(), orderId),
      side: request.side,
      type: request.type,
      timeInForce:
        hasLimitPrice(request.type) && request.type !== "LIMIT_MAKER" ? request.timeInForce : null,
      qty: request.qty ?? zero,
      quoteOrderQty: request.quoteOrderQty ?? null,
      price: request.price,
      stopPrice: request.stopPrice,
      status: "NEW",
      filledQty: zero,
      filledQuote: zero,
      reduceOnly: request.reduceOnly,
      closePosition: false,
      orderListId: null,
      algoId: null,
      working: !stop,
      workingTimeMs: stop ? null : nowMs,
      expiryReason: null,
      createdMs: nowMs,
      updatedMs: nowMs,
      fills: [],
      lockRemaining: zero,
    };
    if (market === "SPOT" && request.type !== "MARKET" && lockFunds) {
      order.lockRemaining = this.lockAmount(request);
      lock(this.holdingBalance(order), order.lockRemaining);
    }
    return order;
  }

  /** The spot balance an order spends: quote for buys, base for sells. */
  private holdingBalance(order: OrderRecord): BalanceRecord {
    const rules = this.spec("SPOT", order.symbol)!.rules;
    return balanceOf(this.balances, order.side === "BUY" ? rules.quoteAsset : rules.baseAsset);
  }

  /** Registers a new order, announces it, and lets it work. */
  private startOrder(order: OrderRecord): void {
    this.registerOpen(order);
    this.emit({
      kind: "ORDER_UPDATE",
      execution: "NEW",
      order: orderState(order),
      fill: null,
      tsMs: order.createdMs,
    });
    if (order.market === "SPOT" && order.type !== "MARKET") this.emitSpotBalances([order]);
    if (order.working) this.work(order);
  }

  private registerOpen(order: OrderRecord): void {
    this.orders.set(orderKey(order.market, order.orderId), order);
    const client = clientKey(order.market, order.symbol, order.clientOrderId);
    this.openByClient.set(client, order);
    this.latestByClient.set(client, order);
    const bookKey = symbolKey(order.market, order.symbol);
    if (!order.working) this.listOf(this.pendingStops, bookKey).push(order);
    this.dirtyOrders.add(order);
  }

  /** A working order takes what it can, then rests or expires by its time in force. */
  private work(order: OrderRecord): void {
    const book = this.book(order.market, order.symbol);
    const marketLike = isMarketExecution(order.type);
    const limitTicks = marketLike || order.price === null ? null : this.ticksOf(book, order.price);
    const crosses =
      limitTicks === null ||
      (order.side === "BUY" ? limitTicks >= book.askTicks : limitTicks <= book.bidTicks);
    if (crosses) this.take(order, book, limitTicks);
    if (!isOpenStatus(order.status)) return;
    if (marketLike) {
      const reason: SimExpiryReason = order.reduceOnly
        ? "REDUCE_ONLY_KNOCKED_OUT"
        : "MARKET_REMAINDER";
      this.finish(order, "EXPIRED", isZero(order.filledQty) ? "INSUFFICIENT_LIQUIDITY" : reason);
      return;
    }
    if (order.timeInForce === "IOC") {
      this.finish(order, "EXPIRED", "IOC_REMAINDER");
      return;
    }
    if (order.timeInForce === "FOK") {
      this.finish(order, "EXPIRED", "FOK_NOT_FILLED");
      return;
    }
    this.listOf(this.resting, symbolKey(order.market, order.symbol)).push(order);
  }

  private remainingSteps(order: OrderRecord, book: BookState): number {
    let steps = this.stepsOf(book, sub(order.qty, order.filledQty));
    if (order.market === "FUT" && order.reduceOnly) {
      const position = this.positionsBySymbol.get(order.symbol)!;
      const reducible =
        (order.side === "SELL" && sign(position.qty) > 0) ||
        (order.side === "BUY" && sign(position.qty) < 0);
      steps = reducible ? Math.min(steps, this.stepsOf(book, abs(position.qty))) : 0;
    }
    return steps;
  }

  /** Takes liquidity from the synthetic book as a taker, up to the limit price. */
  private take(order: OrderRecord, book: BookState, limitTicks: number | null): void {
    const shape = this.shape(book);
    const quoteBudget = this.quoteBudgetUnits(order, book);
    let maxSteps = this.remainingSteps(order, book);
    if (order.quoteOrderQty !== null && order.side === "BUY") maxSteps = Number.MAX_SAFE_INTEGER;
    if (order.quoteOrderQty !== null && order.side === "SELL") maxSteps = Number.MAX_SAFE_INTEGER;
    if (order.market === "SPOT" && order.side === "SELL") {
      const base = add(this.holdingBalance(order).free, this.lockHolder(order).lockRemaining);
      maxSteps = Math.min(maxSteps, this.stepsOf(book, max(base, zero)));
    }
    const levels = walkBook(book, shape, order.side, {
      limitTicks,
      maxSteps,
      maxQuoteUnits: quoteBudget,
    });
    const taken = levels.reduce((total, level) => total + level.steps, 0);
    if (order.timeInForce === "FOK" && taken < maxSteps) return;
    if (taken === 0) return;
    if (order.quoteOrderQty !== null) order.qty = stepsToQty(book, taken);
    consumeDepth(book, order.side, taken);
    this.marketChanged = true;
    for (const level of levels) {
      if (!isOpenStatus(order.status)) break;
      this.fill(order, ticksToPrice(book, level.ticks), stepsToQty(book, level.steps), "TAKER");
    }
    const last = levels[levels.length - 1];
    if (last !== undefined) book.lastTicks = last.ticks;
    this.afterPriceMove(order.symbol);
  }

  /** Spot: the quote a buy may spend (quoteOrderQty, else free + what it holds locked). */
  private quoteBudgetUnits(order: OrderRecord, book: BookState): number | null {
    if (order.market !== "SPOT") return null;
    const unit = mul(book.tick, book.step);
    if (order.side === "SELL") {
      if (order.quoteOrderQty === null) return null;
      return Number(countSteps(order.quoteOrderQty, unit, "floor"));
    }
    const holder = this.lockHolder(order);
    const available = add(this.holdingBalance(order).free, holder.lockRemaining);
    const budget = order.quoteOrderQty === null ? available : min(available, order.quoteOrderQty);
    return Number(countSteps(max(budget, zero), unit, "floor"));
  }

  private lockHolder(order: OrderRecord): { lockRemaining: Decimal } {
    if (order.orderListId !== null) {
      const list = this.lists.get(order.orderListId);
      if (list !== undefined) return list;
    }
    return order;
  }

  // ---- fills and settlement ----

  private fill(order: OrderRecord, price: Decimal, qty: Decimal, liquidity: Liquidity): void {
    this.counters.tradeId[order.market] += 1;
    const tradeId = this.counters.tradeId[order.market];
    const quote = normalize(mul(price, qty));
    const nowMs = Math.max(this.currentMs, order.updatedMs);
    const settled =
      order.market === "SPOT"
        ? this.settleSpot(order, price, qty, quote)
        : this.settleFutures(order, qty, quote, price, liquidity);
    const fill: SimFill = {
      tradeId,
      orderId: order.orderId,
      price,
      qty,
      quoteQty: quote,
      fee: settled.fee,
      feeAsset: settled.feeAsset,
      liquidity,
      realizedPnl: settled.realized,
      tsMs: nowMs,
    };
    order.fills.push(fill);
    order.filledQty = normalize(add(order.filledQty, qty));
    order.filledQuote = normalize(add(order.filledQuote, quote));
    order.updatedMs = nowMs;
    const done = !lt(order.filledQty, order.qty);
    order.status = done ? "FILLED" : "PARTIALLY_FILLED";
    this.dirtyOrders.add(order);
    this.emit({
      kind: "ORDER_UPDATE",
      execution: "TRADE",
      order: orderState(order),
      fill,
      tsMs: nowMs,
    });
    if (order.market === "SPOT") this.emitSpotBalances([order]);
    else this.emitFuturesAccount("ORDER", zero, [order.symbol]);
    if (done) this.close(order);
    this.afterLegFill(order);
    if (order.market === "FUT") this.knockOutReduceOnly(order.symbol);
  }

  private settleSpot(order: OrderRecord, price: Decimal, qty: Decimal, quote: Decimal) {
    const rules = this.spec("SPOT", order.symbol)!.rules;
    const base = balanceOf(this.balances, rules.baseAsset);
    const quoteBalance = balanceOf(this.balances, rules.quoteAsset);
    const holder = this.lockHolder(order);
    if (order.side === "BUY") {
      const limit = order.price ?? order.stopPrice ?? price;
      const fromLock = min(holder.lockRemaining, normalize(mul(limit, qty)));
      holder.lockRemaining = normalize(sub(holder.lockRemaining, fromLock));
      spend(quoteBalance, quote, fromLock);
      const fee = feeOf(qty, spotFeeRate);
      credit(base, sub(qty, fee));
      return { fee, feeAsset: rules.baseAsset, realized: zero };
    }
    const fromLock = min(holder.lockRemaining, qty);
    holder.lockRemaining = normalize(sub(holder.lockRemaining, fromLock));
    spend(base, qty, fromLock);
    const fee = feeOf(quote, spotFeeRate);
    credit(quoteBalance, sub(quote, fee));
    void price;
    return { fee, feeAsset: rules.quoteAsset, realized: zero };
  }

  private settleFutures(
    order: OrderRecord,
    qty: Decimal,
    quote: Decimal,
    price: Decimal,
    liquidity: Liquidity,
  ) {
    const position = this.positionsBySymbol.get(order.symbol)!;
    const realized = applyPositionFill(position, order.side, qty, price);
    const fee = feeOf(quote, liquidity === "MAKER" ? futuresMakerRate : futuresTakerRate);
    this.futuresWallet = normalize(sub(add(this.futuresWallet, realized), fee));
    return { fee, feeAsset: "USDT", realized };
  }

  /** Futures: once a position is flat, open reduce-only orders have nothing left to reduce. */
  private knockOutReduceOnly(symbol: string): void {
    const position = this.positionsBySymbol.get(symbol)!;
    const open = this.resting.get(symbolKey("FUT", symbol)) ?? [];
    for (const order of open.slice()) {
      if (!order.reduceOnly) continue;
      const reducible =
        (order.side === "SELL" && sign(position.qty) > 0) ||
        (order.side === "BUY" && sign(position.qty) < 0);
      if (!reducible) this.finish(order, "EXPIRED", "REDUCE_ONLY_KNOCKED_OUT");
    }
  }

  /** Ends an open order with a non-fill status and announces it. */
  private finish(order: OrderRecord, status: SimOrderStatus, reason: SimExpiryReason | null): void {
    if (!isOpenStatus(order.status)) return;
    order.status = status;
    order.expiryReason = reason;
    order.updatedMs = Math.max(order.updatedMs, this.currentMs);
    this.dirtyOrders.add(order);
    const execution = status === "CANCELED" ? "CANCELED" : "EXPIRED";
    this.emit({
      kind: "ORDER_UPDATE",
      execution,
      order: orderState(order),
      fill: null,
      tsMs: order.updatedMs,
    });
    this.close(order);
    if (order.market === "SPOT" && order.type !== "MARKET") this.emitSpotBalances([order]);
    this.afterLegEnd(order);
  }

  /** Takes a terminal order out of the open indexes, frees its lock, files it in history. */
  private close(order: OrderRecord): void {
    const bookKey = symbolKey(order.market, order.symbol);
    removeFrom(this.resting.get(bookKey), order);
    removeFrom(this.pendingStops.get(bookKey), order);
    const client = clientKey(order.market, order.symbol, order.clientOrderId);
    if (this.openByClient.get(client) === order) this.openByClient.delete(client);
    if (order.market === "SPOT" && order.orderListId === null && isPositive(order.lockRemaining)) {
      unlock(this.holdingBalance(order), order.lockRemaining);
      order.lockRemaining = zero;
    }
    if (order.algoId !== null) this.finishAlgoOrder(order);
    const key = orderKey(order.market, order.orderId);
    this.terminalOrders.add(key);
    while (this.terminalOrders.size > orderHistoryMax) this.forgetOldestOrder();
  }

  private forgetOldestOrder(): void {
    const oldest = this.terminalOrders.shift();
    if (oldest === undefined) return;
    const order = this.orders.get(oldest);
    this.orders.delete(oldest);
    this.removedOrders.add(oldest);
    if (order === undefined) return;
    this.dirtyOrders.delete(order);
    const client = clientKey(order.market, order.symbol, order.clientOrderId);
    if (this.latestByClient.get(client) === order) this.latestByClient.delete(client);
  }

  // ---- resting orders and stops as the market moves ----

  private fillResting(book: BookState, path: PathState): void {
    const orders = this.resting.get(symbolKey(book.market, book.symbol));
    if (orders === undefined || orders.length === 0) return;
    const queue = orders.slice();
    if (queue.length > 1) {
      queue.sort((a, b) => {
        const byPrice = compareTicks(this.ticksOf(book, a.price!), this.ticksOf(book, b.price!));
        return a.side === "BUY" ? -byPrice : byPrice;
      });
    }
    const volume = { BUY: path.sellVolume / book.stepValue, SELL: path.buyVolume / book.stepValue };
    for (const order of queue) {
      if (!isOpenStatus(order.status)) continue;
      const steps = this.restingFillSteps(order, book, volume);
      if (steps <= 0) continue;
      this.fill(order, order.price!, stepsToQty(book, steps), "MAKER");
    }
  }

  /** How much of a resting order the step's takers reach; reduces the volume left. */
  private restingFillSteps(order: OrderRecord, book: BookState, volume: Record<Side, number>) {
    const ticks = this.ticksOf(book, order.price!);
    const remaining = this.remainingSteps(order, book);
    if (remaining <= 0) return 0;
    const through = order.side === "BUY" ? ticks >= book.askTicks : ticks <= book.bidTicks;
    if (through || order.fills.length >= fillsPerOrderMax - 1) return remaining;
    const inside = order.side === "BUY" ? ticks > book.bidTicks : ticks < book.askTicks;
    const atTouch = order.side === "BUY" ? ticks === book.bidTicks : ticks === book.askTicks;
    if (!inside && !atTouch) return 0;
    const share = inside ? 1 : this.scenario.touchShare;
    const reach = Math.floor(volume[order.side] * share);
    const steps = Math.min(remaining, reach);
    volume[order.side] -= steps;
    return steps;
  }

  /** Spot stop orders whose trigger the last price has reached start working. */
  private fireStops(book: BookState): boolean {
    const stops = this.pendingStops.get(symbolKey(book.market, book.symbol));
    if (stops === undefined || stops.length === 0) return false;
    const last = ticksToPrice(book, book.lastTicks);
    let fired = false;
    for (const order of stops.slice()) {
      if (!isOpenStatus(order.status) || order.working) continue;
      if (!triggerFires(stopKind(order.type), order.side, last, order.stopPrice!)) continue;
      fired = true;
      removeFrom(stops, order);
      order.working = true;
      order.workingTimeMs = this.currentMs;
      order.updatedMs = Math.max(order.updatedMs, this.currentMs);
      this.dirtyOrders.add(order);
      this.emit({
        kind: "ORDER_UPDATE",
        execution: "TRIGGERED",
        order: orderState(order),
        fill: null,
        tsMs: order.updatedMs,
      });
      this.expireSibling(order);
      this.work(order);
    }
    return fired;
  }

  // ---- cancel and query ----

  private findOrder(ref: SimOrderRef): OrderRecord | null {
    if (ref.orderId !== null) {
      const order = this.orders.get(orderKey(ref.market, ref.orderId)) ?? null;
      if (order === null || order.symbol !== ref.symbol) return null;
      if (ref.clientOrderId !== null && order.clientOrderId !== ref.clientOrderId) return null;
      return order;
    }
    if (ref.clientOrderId === null) return null;
    const key = clientKey(ref.market, ref.symbol, ref.clientOrderId);
    return this.openByClient.get(key) ?? this.latestByClient.get(key) ?? null;
  }

  /** Cancels an open order (an OCO leg cancels its whole list); answers the order as it ended. */
  cancelOrder(ref: SimOrderRef, nowMs: number): SimResult<SimOrder> {
    return this.run(nowMs, () => {
      const order = this.findOrder(ref);
      if (order === null || !isOpenStatus(order.status)) {
        return fail(reject("UNKNOWN_ORDER", "Unknown order sent."));
      }
      if (order.orderListId !== null) {
        this.cancelList(this.lists.get(order.orderListId)!);
      } else {
        this.finish(order, "CANCELED", null);
      }
      return ok(orderView(order));
    });
  }

  queryOrder(ref: SimOrderRef, nowMs: number): SimResult<SimOrder> {
    return this.run(nowMs, () => {
      const order = this.findOrder(ref);
      if (order === null) return fail(reject("UNKNOWN_ORDER", "Order does not exist."));
      return ok(orderView(order));
    });
  }

  openOrders(market: Market, symbol: string | null, nowMs: number): SimOrder[] {
    return this.run(nowMs, () => {
      const open: OrderRecord[] = [];
      for (const order of this.openByClient.values()) {
        if (order.market === market && (symbol === null || order.symbol === symbol))
          open.push(order);
      }
      open.sort((a, b) => a.orderId - b.orderId);
      return open.map(orderView);
    });
  }

  /** Cancels every open order of a symbol (order lists included); answers what was cancelled. */
  cancelOpenOrders(market: Market, symbol: string, nowMs: number): SimOrder[] {
    return this.run(nowMs, () => {
      const open = [...this.openByClient.values()].filter(
        (order) => order.market === market && order.symbol === symbol,
      );
      open.sort((a, b) => a.orderId - b.orderId);
      for (const order of open) {
        if (!isOpenStatus(order.status)) continue;
        if (order.orderListId !== null) this.cancelList(this.lists.get(order.orderListId)!);
        else this.finish(order, "CANCELED", null);
      }
      return open.map(orderView);
    });
  }

  // ---- spot order lists (OCO) ----

  placeOco(request: SimOcoRequest, nowMs: number): SimResult<SimOrderListResult> {
    return this.run(nowMs, () => {
      const spec = this.spec("SPOT", request.symbol);
      if (spec === null) return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      const refused = this.checkOco(spec, request);
      if (refused !== null) return fail(refused);
      return ok(this.createOco(request, nowMs));
    });
  }

  private legRequest(request: SimOcoRequest, leg: SimOcoLeg): SimPlaceOrderRequest {
    return {
      market: "SPOT",
      symbol: request.symbol,
      side: request.side,
      type: leg.type,
      timeInForce: leg.timeInForce,
      qty: request.qty,
      price: leg.price,
      stopPrice: leg.stopPrice,
      clientOrderId: leg.clientOrderId,
      reduceOnly: false,
    };
  }

  private checkOco(spec: SimSymbolSpec, request: SimOcoRequest): SimReject | null {
    const takeProfit = new Set(["LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]);
    const upper = request.side === "SELL" ? request.above : request.below;
    const lower = request.side === "SELL" ? request.below : request.above;
    if (!takeProfit.has(upper.type) || takeProfit.has(lower.type)) {
      return reject("OCO_BAD_TYPES", "Unsupported order combination.");
    }
    const book = this.book("SPOT", request.symbol);
    const context = {
      referencePrice: this.midOf(request.symbol),
      takerTouch: ticksToPrice(book, request.side === "BUY" ? book.askTicks : book.bidTicks),
    };
    for (const leg of [request.above, request.below]) {
      const legRequest = this.legRequest(request, leg);
      const refused = checkParameters(spec, legRequest) ?? checkFilters(spec, legRequest, context);
      if (refused !== null) return refused;
    }
    const last = ticksToPrice(book, book.lastTicks);
    const abovePrice =
      request.above.type === "LIMIT_MAKER" ? request.above.price! : request.above.stopPrice!;
    const belowPrice =
      request.below.type === "LIMIT_MAKER" ? request.below.price! : request.below.stopPrice!;
    if (!gt(abovePrice, last) || !lt(belowPrice, last)) {
      return reject(
        "OCO_BAD_PRICES",
        "The relationship of the prices for the orders is not correct.",
      );
    }
    return this.checkOcoAccount(spec, request);
  }

  private checkOcoAccount(spec: SimSymbolSpec, request: SimOcoRequest): SimReject | null {
    const open = this.countOpen("SPOT", request.symbol);
    const limit = spec.maxNumOrders ?? openOrdersPerSymbolMax;
    if (open + 2 > limit) {
      return filterReject("MAX_NUM_ORDERS", "max_num_orders", `More than ${limit} open orders`);
    }
    const lists = [...this.openListsByClient.values()].filter((l) => l.symbol === request.symbol);
    if (spec.maxNumOrderLists !== null && lists.length + 1 > spec.maxNumOrderLists) {
      return filterReject(
        "MAX_NUM_ORDER_LISTS",
        "max_num_order_lists",
        "Too many open order lists",
      );
    }
    if (
      request.listClientOrderId !== null &&
      this.openListsByClient.has(`${request.symbol}:${request.listClientOrderId}`)
    ) {
      return reject("DUPLICATE_CLIENT_ORDER_ID", "Duplicate order sent.");
    }
    const ids = [request.above.clientOrderId, request.below.clientOrderId].filter(
      (id) => id !== null,
    );
    if (ids.length === 2 && ids[0] === ids[1]) {
      return reject("DUPLICATE_CLIENT_ORDER_ID", "Duplicate order sent.");
    }
    for (const id of ids) {
      if (this.openByClient.has(clientKey("SPOT", request.symbol, id))) {
        return reject("DUPLICATE_CLIENT_ORDER_ID", "Duplicate order sent.");
      }
    }
    const maker = request.above.type === "LIMIT_MAKER" ? request.above : request.below;
    if (maker.type === "LIMIT_MAKER") {
      const legRequest = this.legRequest(request, maker);
      if (this.wouldTake(legRequest, this.book("SPOT", request.symbol))) {
        return reject("POST_ONLY_WOULD_TAKE", "Order would immediately match and take.");
      }
    }
    const need = this.ocoLock(request);
    const asset = request.side === "SELL" ? spec.rules.baseAsset : spec.rules.quoteAsset;
    if (gt(need, balanceOf(this.balances, asset).free)) {
      return reject(
        "INSUFFICIENT_BALANCE",
        "Account has insufficient balance for requested action.",
      );
    }
    return null;
  }

  private ocoLock(request: SimOcoRequest): Decimal {
    if (request.side === "SELL") return request.qty;
    const legPrice = (leg: SimOcoLeg) => leg.price ?? leg.stopPrice ?? zero;
    return normalize(mul(max(legPrice(request.above), legPrice(request.below)), request.qty));
  }

  private createOco(request: SimOcoRequest, nowMs: number): SimOrderListResult {
    this.counters.orderListId += 1;
    const orderListId = this.counters.orderListId;
    const spec = this.spec("SPOT", request.symbol)!;
    const list: ListRecord = {
      orderListId,
      listClientOrderId: request.listClientOrderId ?? this.nextClientId("list", orderListId),
      symbol: request.symbol,
      contingencyType: "OCO",
      listStatusType: "EXEC_STARTED",
      listOrderStatus: "EXECUTING",
      orderIds: [],
      createdMs: nowMs,
      updatedMs: nowMs,
      lockRemaining: this.ocoLock(request),
    };
    const asset = request.side === "SELL" ? spec.rules.baseAsset : spec.rules.quoteAsset;
    lock(balanceOf(this.balances, asset), list.lockRemaining);
    this.lists.set(orderListId, list);
    const client = `${list.symbol}:${list.listClientOrderId}`;
    this.openListsByClient.set(client, list);
    this.latestListByClient.set(client, list);
    this.dirtyLists.add(list);
    const legs = [request.above, request.below].map((leg) => {
      const order = this.createOrder(this.legRequest(request, leg), nowMs, false);
      order.orderListId = orderListId;
      list.orderIds.push(order.orderId);
      return order;
    });
    for (const leg of legs) {
      this.registerOpen(leg);
      this.emit({
        kind: "ORDER_UPDATE",
        execution: "NEW",
        order: orderState(leg),
        fill: null,
        tsMs: nowMs,
      });
    }
    this.emitSpotBalances(legs);
    this.emit({ kind: "ORDER_LIST_UPDATE", list: listView(list), tsMs: nowMs });
    for (const leg of legs) {
      if (leg.working && isOpenStatus(leg.status)) this.work(leg);
    }
    return { list: listView(list), orders: legs.map(orderView) };
  }

  private sibling(order: OrderRecord): OrderRecord | null {
    if (order.orderListId === null) return null;
    const list = this.lists.get(order.orderListId);
    if (list === undefined) return null;
    const otherId = list.orderIds.find((id) => id !== order.orderId);
    return otherId === undefined ? null : (this.orders.get(orderKey("SPOT", otherId)) ?? null);
  }

  private expireSibling(order: OrderRecord): void {
    const other = this.sibling(order);
    if (other !== null && isOpenStatus(other.status)) this.finish(other, "EXPIRED", "OCO_SIBLING");
  }

  /** One leg trading ends the other. */
  private afterLegFill(order: OrderRecord): void {
    if (order.orderListId === null) return;
    this.expireSibling(order);
    this.afterLegEnd(order);
  }

  /** When every leg has ended, the list is done and its lock returns. */
  private afterLegEnd(order: OrderRecord): void {
    if (order.orderListId === null) return;
    const list = this.lists.get(order.orderListId);
    if (list === undefined || list.listOrderStatus !== "EXECUTING") return;
    const legs = list.orderIds.map((id) => this.orders.get(orderKey("SPOT", id)));
    if (legs.some((leg) => leg !== undefined && isOpenStatus(leg.status))) return;
    const spec = this.spec("SPOT", list.symbol)!;
    const asset = order.side === "SELL" ? spec.rules.baseAsset : spec.rules.quoteAsset;
    if (isPositive(list.lockRemaining)) {
      unlock(balanceOf(this.balances, asset), list.lockRemaining);
      list.lockRemaining = zero;
      this.emitSpotBalances([order]);
    }
    list.listStatusType = "ALL_DONE";
    list.listOrderStatus = "ALL_DONE";
    list.updatedMs = Math.max(list.updatedMs, this.currentMs);
    this.dirtyLists.add(list);
    const client = `${list.symbol}:${list.listClientOrderId}`;
    if (this.openListsByClient.get(client) === list) this.openListsByClient.delete(client);
    this.terminalLists.add(list.orderListId);
    while (this.terminalLists.size > listHistoryMax) this.forgetOldestList();
    this.emit({ kind: "ORDER_LIST_UPDATE", list: listView(list), tsMs: list.updatedMs });
  }

  private forgetOldestList(): void {
    const oldest = this.terminalLists.shift();
    if (oldest === undefined) return;
    const list = this.lists.get(oldest);
    this.lists.delete(oldest);
    this.removedLists.add(String(oldest));
    if (list === undefined) return;
    this.dirtyLists.delete(list);
    const client = `${list.symbol}:${list.listClientOrderId}`;
    if (this.latestListByClient.get(client) === list) this.latestListByClient.delete(client);
  }

  private cancelList(list: ListRecord): void {
    for (const id of list.orderIds) {
      const leg = this.orders.get(orderKey("SPOT", id));
      if (leg !== undefined && isOpenStatus(leg.status)) this.finish(leg, "CANCELED", null);
    }
  }

  private findList(ref: SimOrderListRef): ListRecord | null {
    if (ref.orderListId !== null) {
      const list = this.lists.get(ref.orderListId) ?? null;
      return list !== null && list.symbol === ref.symbol ? list : null;
    }
    if (ref.listClientOrderId === null) return null;
    const key = `${ref.symbol}:${ref.listClientOrderId}`;
    return this.openListsByClient.get(key) ?? this.latestListByClient.get(key) ?? null;
  }

  private listResult(list: ListRecord): SimOrderListResult {
    const orders = list.orderIds
      .map((id) => this.orders.get(orderKey("SPOT", id)))
      .filter((order): order is OrderRecord => order !== undefined)
      .map(orderView);
    return { list: listView(list), orders };
  }

  cancelOrderList(ref: SimOrderListRef, nowMs: number): SimResult<SimOrderListResult> {
    return this.run(nowMs, () => {
      const list = this.findList(ref);
      if (list === null || list.listOrderStatus !== "EXECUTING") {
        return fail(reject("UNKNOWN_ORDER", "Order list does not exist."));
      }
      this.cancelList(list);
      return ok(this.listResult(list));
    });
  }

  queryOrderList(ref: SimOrderListRef, nowMs: number): SimResult<SimOrderListResult> {
    return this.run(nowMs, () => {
      const list = this.findList(ref);
      if (list === null) return fail(reject("UNKNOWN_ORDER", "Order list does not exist."));
      return ok(this.listResult(list));
    });
  }

  openOrderLists(symbol: string | null, nowMs: number): SimOrderListResult[] {
    return this.run(nowMs, () =>
      [...this.openListsByClient.values()]
        .filter((list) => symbol === null || list.symbol === symbol)
        .sort((a, b) => a.orderListId - b.orderListId)
        .map((list) => this.listResult(list)),
    );
  }

  // ---- futures conditional (algo) orders ----

  placeAlgo(request: SimAlgoRequest, nowMs: number): SimResult<SimAlgoOrder> {
    return this.run(nowMs, () => {
      const spec = this.spec("FUT", request.symbol);
      if (spec === null) return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      const refused = this.checkAlgo(spec, request);
      if (refused !== null) return fail(refused);
      this.counters.algoId += 1;
      const algo: AlgoRecord = {
        algoId: this.counters.algoId,
        clientAlgoId: request.clientAlgoId ?? this.nextClientId("algo", this.counters.algoId),
        symbol: request.symbol,
        side: request.side,
        type: request.type,
        triggerPrice: request.triggerPrice,
        workingType: request.workingType,
        qty: request.closePosition ? null : request.qty,
        reduceOnly: request.reduceOnly,
        closePosition: request.closePosition,
        status: "NEW",
        actualOrderId: null,
        filledQty: zero,
        filledQuote: zero,
        reason: null,
        triggerTimeMs: null,
        createdMs: nowMs,
        updatedMs: nowMs,
      };
      this.indexAlgo(algo);
      this.dirtyAlgos.add(algo);
      this.emit({ kind: "ALGO_UPDATE", algo: algoView(algo), tsMs: nowMs });
      return ok(algoView(algo));
    });
  }

  private checkAlgo(spec: SimSymbolSpec, request: SimAlgoRequest): SimReject | null {
    if (request.closePosition && (request.qty !== null || request.reduceOnly)) {
      return reject(
        "INVALID_PARAMETER",
        "closePosition cannot be sent with quantity or reduceOnly.",
      );
    }
    if (!request.closePosition && request.qty === null) {
      return reject("INVALID_PARAMETER", "Mandatory parameter 'quantity' was not sent.");
    }
    const priceCheck = checkFilters(
      spec,
      { ...this.algoAsOrder(request), qty: null, quoteOrderQty: null },
      { referencePrice: this.markOf(request.symbol), takerTouch: request.triggerPrice },
    );
    if (priceCheck !== null) return priceCheck;
    if (request.qty !== null) {
      const qtyCheck = checkFilters(spec, this.algoAsOrder(request), {
        referencePrice: this.markOf(request.symbol),
        takerTouch: request.triggerPrice,
      });
      if (qtyCheck !== null) return qtyCheck;
    }
    if (request.clientAlgoId !== null && this.openAlgosByClient.has(request.clientAlgoId)) {
      return reject("DUPLICATE_CLIENT_ORDER_ID", "clientAlgoId is duplicated.");
    }
    if (this.openAlgosByClient.size >= openAlgoOrdersMax) {
      return reject(
        "TOO_MANY_ALGO_ORDERS",
        `More than ${openAlgoOrdersMax} open conditional orders.`,
      );
    }
    const kind = request.type === "STOP_MARKET" ? "STOP" : "TAKE_PROFIT";
    if (triggerFires(kind, request.side, this.workingPrice(request), request.triggerPrice)) {
      return reject("WOULD_TRIGGER_IMMEDIATELY", "Order would immediately trigger.");
    }
    return null;
  }

  private algoAsOrder(request: SimAlgoRequest): SimPlaceOrderRequest {
    return {
      market: "FUT",
      symbol: request.symbol,
      side: request.side,
      type: "MARKET",
      timeInForce: null,
      qty: request.qty,
      price: null,
      stopPrice: request.triggerPrice,
      clientOrderId: null,
      reduceOnly: request.reduceOnly || request.closePosition,
    };
  }

  private workingPrice(algo: { symbol: string; workingType: SimAlgoRequest["workingType"] }) {
    if (algo.workingType === "MARK_PRICE") return this.markOf(algo.symbol);
    const book = this.book("FUT", algo.symbol);
    return ticksToPrice(book, book.lastTicks);
  }

  private fireAlgos(symbol: string): boolean {
    let fired = false;
    for (const algo of [...this.openAlgosByClient.values()]) {
      if (algo.symbol !== symbol || algo.status !== "NEW") continue;
      const kind = algo.type === "STOP_MARKET" ? "STOP" : "TAKE_PROFIT";
      if (!triggerFires(kind, algo.side, this.workingPrice(algo), algo.triggerPrice)) continue;
      fired = true;
      this.triggerAlgo(algo);
    }
    return fired;
  }

  private setAlgoStatus(algo: AlgoRecord, status: SimAlgoOrder["status"], reason: string | null) {
    algo.status = status;
    if (reason !== null) algo.reason = reason;
    algo.updatedMs = Math.max(algo.updatedMs, this.currentMs);
    this.dirtyAlgos.add(algo);
    if (status !== "NEW" && this.openAlgosByClient.get(algo.clientAlgoId) === algo) {
      this.openAlgosByClient.delete(algo.clientAlgoId);
    }
    const terminal = status !== "NEW" && status !== "TRIGGERING" && status !== "TRIGGERED";
    if (terminal) {
      this.terminalAlgos.add(algo.algoId);
      while (this.terminalAlgos.size > algoHistoryMax) this.forgetOldestAlgo();
    }
    this.emit({ kind: "ALGO_UPDATE", algo: algoView(algo), tsMs: algo.updatedMs });
  }

  private forgetOldestAlgo(): void {
    const oldest = this.terminalAlgos.shift();
    if (oldest === undefined) return;
    const algo = this.algos.get(oldest);
    this.algos.delete(oldest);
    this.removedAlgos.add(String(oldest));
    if (algo === undefined) return;
    this.dirtyAlgos.delete(algo);
    if (this.latestAlgoByClient.get(algo.clientAlgoId) === algo) {
      this.latestAlgoByClient.delete(algo.clientAlgoId);
    }
  }

  /** NEW → TRIGGERING → TRIGGERED (a MARKET order is placed) → FINISHED when it ends. */
  private triggerAlgo(algo: AlgoRecord): void {
    algo.triggerTimeMs = this.currentMs;
    this.setAlgoStatus(algo, "TRIGGERING", null);
    const position = this.positionsBySymbol.get(algo.symbol)!;
    const reduces =
      (algo.side === "SELL" && sign(position.qty) > 0) ||
      (algo.side === "BUY" && sign(position.qty) < 0);
    if (algo.closePosition && !reduces) {
      this.setAlgoStatus(algo, "EXPIRED", "No position to close");
      return;
    }
    if (algo.reduceOnly && !reduces) {
      this.setAlgoStatus(algo, "REJECTED", "Reduce Only reject");
      return;
    }
    const qty = algo.closePosition ? abs(position.qty) : algo.qty!;
    const request: SimPlaceOrderRequest = {
      market: "FUT",
      symbol: algo.symbol,
      side: algo.side,
      type: "MARKET",
      timeInForce: null,
      qty,
      price: null,
      stopPrice: null,
      clientOrderId: null,
      reduceOnly: algo.reduceOnly || algo.closePosition,
    };
    const book = this.book("FUT", algo.symbol);
    const margin = this.checkFutures(
      request,
      ticksToPrice(book, algo.side === "BUY" ? book.askTicks : book.bidTicks),
    );
    if (margin !== null) {
      this.setAlgoStatus(algo, "REJECTED", margin.message);
      return;
    }
    const order = this.createOrder(request, this.currentMs);
    order.algoId = algo.algoId;
    order.closePosition = algo.closePosition;
    if (!this.openByClient.has(clientKey("FUT", algo.symbol, algo.clientAlgoId))) {
      order.clientOrderId = algo.clientAlgoId;
    }
    algo.actualOrderId = order.orderId;
    this.setAlgoStatus(algo, "TRIGGERED", null);
    this.startOrder(order);
  }

  /** The triggered order ended: the algo order is FINISHED with its executed quantity. */
  private finishAlgoOrder(order: OrderRecord): void {
    const algo = this.algos.get(order.algoId!);
    if (algo === undefined || algo.status !== "TRIGGERED") return;
    algo.filledQty = order.filledQty;
    algo.filledQuote = order.filledQuote;
    this.setAlgoStatus(algo, "FINISHED", null);
  }

  private findAlgo(ref: SimAlgoRef): AlgoRecord | null {
    if (ref.algoId !== null) {
      const algo = this.algos.get(ref.algoId) ?? null;
      if (algo !== null && ref.clientAlgoId !== null && algo.clientAlgoId !== ref.clientAlgoId)
        return null;
      return algo;
    }
    if (ref.clientAlgoId === null) return null;
    return (
      this.openAlgosByClient.get(ref.clientAlgoId) ??
      this.latestAlgoByClient.get(ref.clientAlgoId) ??
      null
    );
  }

  cancelAlgo(ref: SimAlgoRef, nowMs: number): SimResult<SimAlgoOrder> {
    return this.run(nowMs, () => {
      const algo = this.findAlgo(ref);
      if (algo === null || algo.status !== "NEW") {
        return fail(reject("UNKNOWN_ORDER", "Unknown order sent."));
      }
      this.setAlgoStatus(algo, "CANCELED", null);
      return ok(algoView(algo));
    });
  }

  queryAlgo(ref: SimAlgoRef, nowMs: number): SimResult<SimAlgoOrder> {
    return this.run(nowMs, () => {
      const algo = this.findAlgo(ref);
      if (algo === null) return fail(reject("UNKNOWN_ORDER", "Order does not exist."));
      return ok(algoView(algo));
    });
  }

  openAlgos(symbol: string | null, nowMs: number): SimAlgoOrder[] {
    return this.run(nowMs, () =>
      [...this.openAlgosByClient.values()]
        .filter((algo) => symbol === null || algo.symbol === symbol)
        .sort((a, b) => a.algoId - b.algoId)
        .map(algoView),
    );
  }

  cancelOpenAlgos(symbol: string, nowMs: number): SimAlgoOrder[] {
    return this.run(nowMs, () => {
      const open = [...this.openAlgosByClient.values()].filter((algo) => algo.symbol === symbol);
      for (const algo of open) this.setAlgoStatus(algo, "CANCELED", null);
      return open.map(algoView);
    });
  }

  // ---- accounts ----

  spotBalances(nowMs: number): SimBalance[] {
    return this.run(nowMs, () =>
      [...this.balances.values()].map((b) => ({ asset: b.asset, free: b.free, locked: b.locked })),
    );
  }

  futuresAccount(nowMs: number): SimFuturesAccount {
    return this.run(nowMs, () => this.futuresAccountView());
  }

  private futuresAccountView(): SimFuturesAccount {
    let unrealized = zero;
    let margin = zero;
    for (const position of this.positionsBySymbol.values()) {
      if (isZero(position.qty)) continue;
      unrealized = add(unrealized, unrealizedPnl(position, this.markOf(position.symbol)));
      margin = add(margin, positionMargin(position, this.configs.get(position.symbol)!.leverage));
    }
    let orderMargin = zero;
    for (const order of this.openByClient.values()) {
      if (order.market !== "FUT" || order.reduceOnly || order.price === null) continue;
      const leverage = { units: BigInt(this.configs.get(order.symbol)!.leverage), scale: 0 };
      const notional = mul(sub(order.qty, order.filledQty), order.price);
      orderMargin = add(orderMargin, div(notional, leverage, 8, "ceil"));
    }
    const available = sub(add(this.futuresWallet, unrealized), add(margin, orderMargin));
    return {
      asset: "USDT",
      walletBalance: this.futuresWallet,
      unrealizedPnl: normalize(unrealized),
      positionMargin: normalize(margin),
      openOrderMargin: normalize(orderMargin),
      availableBalance: normalize(max(available, zero)),
    };
  }

  /** Futures positions; all symbols when `symbol` is null, flat ones included. */
  positions(symbol: string | null, nowMs: number): SimPosition[] {
    return this.run(nowMs, () =>
      [...this.positionsBySymbol.values()]
        .filter((position) => symbol === null || position.symbol === symbol)
        .map((position) => this.positionView(position)),
    );
  }

  private positionView(position: PositionRecord): SimPosition {
    const config = this.configs.get(position.symbol)!;
    const mark = this.markOf(position.symbol);
    return {
      symbol: position.symbol,
      qty: position.qty,
      entryPrice: position.entryPrice,
      markPrice: mark,
      unrealizedPnl: unrealizedPnl(position, mark),
      realizedPnl: position.realizedPnl,
      leverage: config.leverage,
      marginType: config.marginType,
      initialMargin: positionMargin(position, config.leverage),
    };
  }

  symbolConfig(symbol: string): SimSymbolConfig | null {
    const config = this.configs.get(symbol);
    return config === undefined ? null : { ...config };
  }

  setLeverage(symbol: string, leverage: number, nowMs: number): SimResult<SimSymbolConfig> {
    return this.run(nowMs, () => {
      const config = this.configs.get(symbol);
      if (config === undefined) return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      if (!Number.isInteger(leverage) || leverage < 1 || leverage > leverageMax) {
        return fail(reject("INVALID_LEVERAGE", `Leverage ${leverage} is not valid`));
      }
      config.leverage = leverage;
      this.emit({ kind: "FUTURES_CONFIG_UPDATE", ...config, tsMs: this.currentMs });
      return ok({ ...config });
    });
  }

  setMarginType(
    symbol: string,
    marginType: "ISOLATED" | "CROSSED",
    nowMs: number,
  ): SimResult<SimMarginTypeResult> {
    return this.run(nowMs, () => {
      const config = this.configs.get(symbol);
      if (config === undefined) return fail(reject("UNKNOWN_SYMBOL", "Invalid symbol."));
      if (config.marginType === marginType) return ok({ alreadySet: true });
      if (!isZero(this.positionsBySymbol.get(symbol)!.qty)) {
        return fail({
          ...reject(
            "MARGIN_TYPE_LOCKED",
            "Margin type cannot be changed if there exists position.",
          ),
          detail: "POSITION",
        });
      }
      if (this.countOpen("FUT", symbol) > 0) {
        return fail({
          ...reject(
            "MARGIN_TYPE_LOCKED",
            "Margin type cannot be changed if there exists open orders.",
          ),
          detail: "OPEN_ORDERS",
        });
      }
      config.marginType = marginType;
      this.emit({ kind: "FUTURES_CONFIG_UPDATE", ...config, tsMs: this.currentMs });
      return ok({ alreadySet: false });
    });
  }

  /** Moves USDT between the spot and futures wallets. */
  transfer(
    direction: "SPOT_TO_FUT" | "FUT_TO_SPOT",
    asset: string,
    amount: Decimal,
    nowMs: number,
  ): SimResult<SimTransfer> {
    return this.run(nowMs, () => {
      if (asset !== "USDT")
        return fail(reject("INVALID_PARAMETER", "Only USDT moves between wallets."));
      if (!isPositive(amount)) return fail(reject("INVALID_PARAMETER", "Amount must be positive."));
      const spot = balanceOf(this.balances, asset);
      const source =
        direction === "SPOT_TO_FUT" ? spot.free : this.futuresAccountView().availableBalance;
      if (gt(amount, source)) {
        return fail(reject("INSUFFICIENT_BALANCE", "Balance is insufficient."));
      }
      const signed = direction === "SPOT_TO_FUT" ? neg(amount) : amount;
      spot.free = normalize(add(spot.free, signed));
      this.futuresWallet = normalize(sub(this.futuresWallet, signed));
      this.counters.transferId += 1;
      const record: SimTransfer = {
        transferId: this.counters.transferId,
        direction,
        asset,
        amount,
        tsMs: this.currentMs,
      };
      this.transfers.push(record);
      if (this.transfers.length > transfersMax) this.transfers.shift();
      this.emit({
        kind: "SPOT_BALANCE_UPDATE",
        reason: "TRANSFER",
        balances: [{ asset, free: spot.free, locked: spot.locked }],
        delta: { asset, amount: signed },
        tsMs: this.currentMs,
      });
      this.emitFuturesAccount("ASSET_TRANSFER", neg(signed), []);
      return ok(record);
    });
  }

  transferHistory(): SimTransfer[] {
    return this.transfers.slice();
  }

  private emitSpotBalances(orders: readonly OrderRecord[]): void {
    const assets = new Set<string>();
    for (const order of orders) {
      const rules = this.spec("SPOT", order.symbol)!.rules;
      assets.add(rules.baseAsset);
      assets.add(rules.quoteAsset);
    }
    const balances = [...assets].map((asset) => {
      const b = balanceOf(this.balances, asset);
      return { asset, free: b.free, locked: b.locked };
    });
    this.emit({
      kind: "SPOT_BALANCE_UPDATE",
      reason: "ORDER",
      balances,
      delta: null,
      tsMs: this.currentMs,
    });
  }

  private emitFuturesAccount(
    reason: "ORDER" | "ASSET_TRANSFER" | "MARGIN_TYPE_CHANGE",
    change: Decimal,
    symbols: readonly string[],
  ): void {
    const positions = symbols.map((symbol) =>
      this.positionView(this.positionsBySymbol.get(symbol)!),
    );
    this.emit({
      kind: "FUTURES_ACCOUNT_UPDATE",
      reason,
      walletBalance: this.futuresWallet,
      balanceChange: change,
      positions,
      tsMs: this.currentMs,
    });
  }
}

/** A first-in first-out queue with O(1) amortised shift (arrays shift in O(n)). */
class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  add(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

function removeFrom(list: OrderRecord[] | undefined, order: OrderRecord): void {
  if (list === undefined) return;
  const index = list.indexOf(order);
  if (index >= 0) list.splice(index, 1);
}

function compareTicks(a: number, b: number): number {
  return a - b;
}

/** Σ of fill quantities (for checks and tests). */
export function filledOf(fills: readonly SimFill[]): Decimal {
  return normalize(sum(fills.map((fill) => fill.qty)));
}
