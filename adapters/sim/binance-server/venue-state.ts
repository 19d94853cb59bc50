// The engine behind the server plus what Binance answers need and the engine does not keep:
// every order id per symbol (allOrders, myTrades), leg client ids (listStatus), algo types,
// execution ids, the client ids of cancels and rolling 24-hour ticker statistics. Reset
// replaces the engine; listeners survive.

import type { Market } from "../../../domain/instrument/index.ts";
import type { Clock } from "../../../ports/clock.ts";
import {
  orderHistoryMax,
  type ScenarioName,
  type SimAccountSetup,
  type SimAlgoType,
  SimEngine,
  type SimEvent,
  type SimEventListener,
} from "../engine/index.ts";
import { SimStateStore } from "../sim-state-store.ts";
import { TickerStats } from "./ticker-stats.ts";

/** Order ids remembered per (market, symbol) for allOrders and myTrades. */
export const orderIdsPerSymbolMax = orderHistoryMax;
/** Client ids and algo types remembered; the oldest are forgotten first. */
export const rememberedIdsMax = 50_000;

export interface VenueOptions {
  readonly clock: Clock;
  readonly seed: number;
  readonly scenario: ScenarioName;
  /** SQLite file holding the venue; null keeps it in memory. */
  readonly statePath: string | null;
  readonly account?: SimAccountSetup;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

interface RecordedOrder {
  readonly market: Market;
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
}

export class VenueState {
  private current: SimEngine;
  private readonly options: VenueOptions;
  private readonly store: SimStateStore | null;
  private readonly listeners: SimEventListener[] = [];
  private detach: () => void = () => {};
  private seedValue: number;
  private scenarioName: ScenarioName;
  private readonly orderIds = new Map<string, number[]>();
  private readonly clientIds = new Map<string, string>();
  private readonly algoTypes = new Map<number, SimAlgoType>();
  private readonly cancelIds = new Map<string, string>();
  private cancelCount = 0;
  private executionCount = 0;
  /** 24-hour price and volume statistics, fed by the engine's events. */
  readonly stats = new TickerStats();
  /** True when the engine came from the state file. */
  readonly resumed: boolean;

  constructor(options: VenueOptions) {
    this.options = options;
    this.seedValue = options.seed;
    this.scenarioName = options.scenario;
    this.store = options.statePath === null ? null : new SimStateStore(options.statePath);
    const saved = this.store?.load() ?? null;
    this.resumed = saved !== null;
    this.current = this.createEngine(saved);
    if (saved !== null) this.indexRestored();
  }

  get engine(): SimEngine {
    return this.current;
  }

  get seed(): number {
    return this.seedValue;
  }

  get scenario(): ScenarioName {
    return this.scenarioName;
  }

  /** Receives every engine event, across resets. */
  onEvent(listener: SimEventListener): void {
    this.listeners.push(listener);
  }

  /** A fresh venue: new engine, empty account history, same listeners. */
  reset(seed: number, scenario: ScenarioName): void {
    this.detach();
    this.seedValue = seed;
    this.scenarioName = scenario;
    this.orderIds.clear();
    this.clientIds.clear();
    this.algoTypes.clear();
    this.cancelIds.clear();
    this.stats.reset();
    this.current = this.createEngine(null);
  }

  close(): void {
    this.detach();
    this.current.setStateSink(null);
    this.store?.close();
  }

  private createEngine(saved: ReturnType<SimStateStore["load"]>): SimEngine {
    const engine = new SimEngine(
      {
        seed: this.seedValue,
        scenario: this.scenarioName,
        startMs: this.options.clock.nowMs(),
        ...(this.options.account === undefined ? {} : { account: this.options.account }),
      },
      saved,
    );
    if (this.store !== null) {
      if (saved === null) this.store.saveAll(engine.fullDelta());
      engine.setStateSink((delta) => this.store?.apply(delta));
    }
    this.detach = engine.onEvent((event) => this.observe(event));
    return engine;
  }

  /** Rebuilds the id indexes from a restored engine's orders. */
  private indexRestored(): void {
    const records = this.current
      .encodeState()
      .orders.map((json) => JSON.parse(json) as RecordedOrder)
      .sort((a, b) => a.orderId - b.orderId);
    for (const order of records) {
      this.recordOrder(order.market, order.symbol, order.orderId, order.clientOrderId);
    }
  }

  private observe(event: SimEvent): void {
    if (event.kind === "ORDER_UPDATE" && event.execution === "NEW") {
      const { market, symbol, orderId, clientOrderId } = event.order;
      this.recordOrder(market, symbol, orderId, clientOrderId);
    }
    if (event.kind === "ALGO_UPDATE") {
      remember(this.algoTypes, event.algo.algoId, event.algo.type, rememberedIdsMax);
    }
    this.stats.onEvent(event);
    for (const listener of this.listeners) listener(event);
  }

  private recordOrder(market: Market, symbol: string, orderId: number, clientId: string): void {
    const key = `${market}:${symbol}`;
    let ids = this.orderIds.get(key);
    if (ids === undefined) {
      ids = [];
      this.orderIds.set(key, ids);
    }
    if (ids.at(-1) !== orderId) ids.push(orderId);
    if (ids.length > orderIdsPerSymbolMax) ids.splice(0, ids.length - orderIdsPerSymbolMax);
    remember(this.clientIds, `${market}:${orderId}`, clientId, rememberedIdsMax);
  }

  /** Every remembered order id of a symbol, oldest first. */
  orderIdsOf(market: Market, symbol: string): readonly number[] {
    return this.orderIds.get(`${market}:${symbol}`) ?? [];
  }

  clientIdOf(market: Market, orderId: number): string | null {
    return this.clientIds.get(`${market}:${orderId}`) ?? null;
  }

  /** Every remembered algo id, oldest first. */
  algoIds(): number[] {
    return [...this.algoTypes.keys()].sort((a, b) => a - b);
  }

  algoTypeOf(algoId: number): SimAlgoType | null {
    return this.algoTypes.get(algoId) ?? null;
  }

  nextExecutionId(): number {
    this.executionCount += 1;
    return this.executionCount;
  }

  /**
   * Runs a cancel with the client id the request gave for it (or one generated per order);
   * events and the answer both read it through cancelIdOf while `body` runs.
   */
  withCancel<T>(market: Market, orderId: number | null, cancelId: string | null, body: () => T) {
    this.cancelIds.clear();
    if (orderId !== null && cancelId !== null) this.cancelIds.set(`${market}:${orderId}`, cancelId);
    try {
      const result = body();
      const ids = new Map(this.cancelIds);
      const cancelIdOf = (id: number) => ids.get(`${market}:${id}`) ?? this.cancelIdOf(market, id);
      return { result, cancelIdOf };
    } finally {
      this.cancelIds.clear();
    }
  }

  /** The client id of the cancel that ended `orderId` (generated when the request gave none). */
  cancelIdOf(market: Market, orderId: number): string {
    const key = `${market}:${orderId}`;
    let id = this.cancelIds.get(key);
    if (id === undefined) {
      this.cancelCount += 1;
      id = `sim-cancel-${this.cancelCount}`;
      this.cancelIds.set(key, id);
    }
    return id;
  }
}
