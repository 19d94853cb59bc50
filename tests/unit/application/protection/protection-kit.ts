// The router's protection wired over the in-process simulated venue, in-memory twins and a manual
// clock, as main.ts wires it. A "router" here is one process generation: `crash()` fences it off
// from the venue and the stores (every later call of the old generation never returns), so a new
// generation over the same venue, store and guard store shows what a restart recovers.

import { ManualClock, settle } from "../../../../adapters/clock/manual-clock.ts";
import { MemoryGuardStore } from "../../../../adapters/memory/memory-guard-store.ts";
import { MemoryIdempotencyStore } from "../../../../adapters/memory/memory-idempotency-store.ts";
import { MemoryOrderStore } from "../../../../adapters/memory/memory-order-store.ts";
import { MemoryLogger } from "../../../../adapters/observability/console-logger.ts";
import { GatewayMarketData } from "../../../../adapters/observability/gateway-market-data.ts";
import { PrometheusMetrics } from "../../../../adapters/observability/prometheus-metrics.ts";
import { type ScenarioName, SimEngine } from "../../../../adapters/sim/engine/index.ts";
import { FaultDecider, type FaultPlan, noFaults } from "../../../../adapters/sim/fault-plan.ts";
import { SimExchangeGateway } from "../../../../adapters/sim/sim-exchange-gateway.ts";
import { CancelOrder } from "../../../../application/cancel-order/cancel-order.ts";
import type { GuardianSettings } from "../../../../application/guardian/guardian-runner.ts";
import { LookupOrder } from "../../../../application/lookup-order/lookup-order.ts";
import {
  defaultPlaceOrderSettings,
  PlaceOrder,
} from "../../../../application/place-order/place-order.ts";
import { SingleOrderExecutor } from "../../../../application/place-order/single-order.ts";
import { GuardedIntentLedger } from "../../../../application/protection/guarded-ledger.ts";
import { Protection } from "../../../../application/protection/protection.ts";
import type { ProtectionSettings } from "../../../../application/protection/protection-settings.ts";
import { ReconcileOrders } from "../../../../application/reconcile/reconcile-orders.ts";
import { KeyedMutex } from "../../../../application/shared/keyed-mutex.ts";
import { RuleBook } from "../../../../application/shared/rule-book.ts";
import { TrackOrders } from "../../../../application/track-orders/track-orders.ts";
import { dec } from "../../../../domain/decimal/index.ts";
import type { OrderIntent } from "../../../../domain/order/index.ts";
import type { ExchangeEvent, ExchangeGateway } from "../../../../ports/exchange-gateway.ts";
import type { GuardStore } from "../../../../ports/guard-store.ts";
import type { OrderStore } from "../../../../ports/order-store.ts";

export const t0 = 1_790_000_000_000;

/** What outlives a router generation: the venue, the clock, the stores. */
export interface Shared {
  readonly clock: ManualClock;
  readonly engine: SimEngine;
  readonly gateway: SimExchangeGateway;
  readonly faults: FaultDecider;
  readonly store: OrderStore;
  guards: MemoryGuardStore;
}

export interface Router {
  readonly owner: string;
  /** Restore and first sweep done (await it only while nothing waits on the clock). */
  readonly started: Promise<void>;
  readonly protection: Protection;
  readonly place: PlaceOrder;
  readonly cancel: CancelOrder;
  readonly lookup: LookupOrder;
  readonly track: TrackOrders;
  readonly reconcile: ReconcileOrders;
  readonly logger: MemoryLogger;
  readonly metrics: PrometheusMetrics;
  readonly ledger: GuardedIntentLedger;
  /** Resolves once every event delivered so far has been applied. */
  drain(): Promise<void>;
  /** The process dies: nothing it started reaches the venue or the stores again. */
  crash(): void;
  /** Dies right after its n-th next venue call has executed (its answer is lost). */
  crashAfterCalls(calls: number): void;
  isDead(): boolean;
}

export interface SharedOptions {
  readonly scenario?: ScenarioName;
  readonly seed?: number;
  readonly faultPlan?: FaultPlan;
  /** The order store (default: the in-memory twin). */
  readonly store?: (clock: ManualClock) => OrderStore;
}

export function openShared(options: SharedOptions = {}): Shared {
  const clock = new ManualClock(t0);
  const engine = new SimEngine({
    seed: options.seed ?? 7,
    scenario: options.scenario ?? "calm",
    startMs: t0,
  });
  const faults = new FaultDecider(options.faultPlan ?? noFaults, options.seed ?? 7);
  const gateway = new SimExchangeGateway({ engine, clock, faults });
  return {
    clock,
    engine,
    gateway,
    faults,
    store:
      options.store?.(clock) ?? new MemoryOrderStore({ limits: { outboxPendingMax: 1_000_000 } }),
    guards: new MemoryGuardStore({ clock }),
  };
}

export interface RouterOptions {
  readonly owner?: string;
  readonly settings?: Partial<ProtectionSettings>;
  readonly guardianSettings?: Partial<GuardianSettings>;
}

/** Fences `target`: once fenced every call (and every answer still on its way) never ends. */
function fenced<T extends object>(target: T, isFenced: () => boolean, onCall = () => {}): T {
  const never = new Promise<never>(() => {});
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (isFenced()) return never;
        const result = (value as (...a: unknown[]) => unknown).apply(object, args);
        onCall();
        if (result instanceof Promise)
          return result.then((answer) => (isFenced() ? never : answer));
        return result;
      };
    },
  });
}

export async function startRouter(shared: Shared, options: RouterOptions = {}): Promise<Router> {
  let dead = false;
  let callsLeft = Number.POSITIVE_INFINITY;
  const isDead = () => dead;
  const { clock } = shared;
  const countCall = () => {
    callsLeft -= 1;
    if (callsLeft <= 0) dead = true;
  };
  const exchange = fenced<ExchangeGateway>(shared.gateway, isDead, countCall);
  const store = fenced<OrderStore>(shared.store, isDead);
  const guards = fenced<GuardStore>(shared.guards, isDead);
  await shared.gateway.start();
  const logger = new MemoryLogger();
  const metrics = new PrometheusMetrics();
  const rules = new RuleBook();
  const problem = await rules.load(exchange);
  if (problem !== null) throw new Error(problem);
  const ledger = new GuardedIntentLedger(store, clock);
  const mutex = new KeyedMutex();
  const marketData = new GatewayMarketData(exchange, clock);
  const owner = options.owner ?? "router-a";
  const protection = new Protection({
    clock,
    exchange,
    store,
    ledger,
    mutex,
    rules,
    marketData,
    logger,
    metrics,
    guards,
    owner,
    settings: options.settings ?? {},
    guardianSettings: options.guardianSettings ?? {},
  });
  const sendDeps = { clock, exchange, metrics };
  const place = new PlaceOrder({
    clock,
    exchange,
    store,
    idempotency: new MemoryIdempotencyStore({ clock }),
    marketData,
    rules,
    ledger,
    mutex,
    logger,
    metrics,
    executors: protection.executors({
      MARKET: new SingleOrderExecutor(sendDeps, ledger),
      LIMIT: new SingleOrderExecutor(sendDeps, ledger),
    }),
    settings: { ...defaultPlaceOrderSettings, duplicatePollMs: 5 },
  });
  const cancel = new CancelOrder({
    clock,
    exchange,
    store,
    ledger,
    mutex,
    rules,
    logger,
    metrics,
    cascade: (state, canceled, request) => protection.cascade(state, canceled, request),
    cancelVenueOrder: (order, request) => protection.cancelVenueOrder(order, request),
  });
  const track = new TrackOrders({ clock, store, ledger, mutex, rules, logger });
  track.onIntentChange((state) => protection.onIntentChange(state));
  track.onOrderListUpdate((list) => protection.onOrderListUpdate(list));
  const reconcile = new ReconcileOrders({
    clock,
    exchange: protection.reconcileView(exchange),
    store,
    ledger,
    mutex,
    rules,
    logger,
    unknownAfterMs: 10_000,
    batchMax: 500,
  });
  const pending = new Set<Promise<void>>();
  const unsubscribe = shared.gateway.onEvent((event: ExchangeEvent) => {
    if (dead) return;
    protection.onExchangeEvent(event);
    const work = track.enqueue(event);
    pending.add(work);
    void work.finally(() => pending.delete(work));
  });
  // Not awaited: restoring may resume placements that wait on the (manual) clock.
  const started = protection.start().then(() => undefined);
  return {
    started,
    owner,
    protection,
    place,
    cancel,
    lookup: new LookupOrder(store, ledger),
    track,
    reconcile,
    logger,
    metrics,
    ledger,
    async drain() {
      // Everything here is promise chains over synchronous twins: settling runs them to the end
      // (a guardian waiting on the clock waits until the test advances it).
      for (let round = 0; round < 20; round += 1) {
        await settle();
        if (pending.size === 0) {
          await settle();
          if (pending.size === 0) return;
        }
      }
    },
    crash() {
      dead = true;
      unsubscribe();
    },
    crashAfterCalls(calls: number) {
      callsLeft = calls;
    },
    isDead: () => dead,
  };
}

/** Moves the clock and the venue together, letting the router react after each step. */
export async function advance(shared: Shared, router: Router | null, ms: number, stepMs = 100) {
  for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
    await shared.clock.advanceMs(Math.min(stepMs, ms - elapsed));
    shared.gateway.tick();
    await router?.drain();
  }
}

export { intent } from "../../../support/intent-fixtures.ts";

export function ocoPolicy(tpPrice: string, slPrice: string): OrderIntent["execPolicy"] {
  return {
    type: "OCO",
    price: null,
    timeInForce: null,
    makerWaitMs: null,
    twap: null,
    tpPrice: dec(tpPrice),
    slPrice: dec(slPrice),
  };
}

/** The venue's mid of a symbol now, rounded to `decimals`. */
export function midOf(shared: Shared, market: "SPOT" | "FUT", symbol: string): number {
  const top = shared.engine.bookTop(market, symbol, shared.clock.nowMs());
  if (!top.ok) throw new Error(top.reject.message);
  return (
    (Number(top.value.bid.units) / 10 ** top.value.bid.scale +
      Number(top.value.ask.units) / 10 ** top.value.ask.scale) /
    2
  );
}
