// The application wired over in-memory twins, the in-process simulated venue and a manual clock:
// the lowest layer at which placement, cancel, tracking and reconciliation can be shown together.

import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import { MemoryIdempotencyStore } from "../../adapters/memory/memory-idempotency-store.ts";
import { MemoryOrderStore } from "../../adapters/memory/memory-order-store.ts";
import { MemoryLogger } from "../../adapters/observability/console-logger.ts";
import { GatewayMarketData } from "../../adapters/observability/gateway-market-data.ts";
import { PrometheusMetrics } from "../../adapters/observability/prometheus-metrics.ts";
import type { FaultPlan } from "../../adapters/sim/fault-plan.ts";
import { openSimVenue, type SimVenue } from "../../adapters/sim/sim-venue.ts";
import type { ScenarioName } from "../../adapters/sim/engine/index.ts";
import { CancelOrder } from "../../application/cancel-order/cancel-order.ts";
import { LookupOrder } from "../../application/lookup-order/lookup-order.ts";
import {
  PlaceOrder,
  defaultPlaceOrderSettings,
} from "../../application/place-order/place-order.ts";
import { SingleOrderExecutor } from "../../application/place-order/single-order.ts";
import { ReconcileOrders } from "../../application/reconcile/reconcile-orders.ts";
import { IntentLedger } from "../../application/shared/intent-ledger.ts";
import { KeyedMutex } from "../../application/shared/keyed-mutex.ts";
import { RuleBook } from "../../application/shared/rule-book.ts";
import { TrackOrders } from "../../application/track-orders/track-orders.ts";
import { dec } from "../../domain/decimal/index.ts";
import type { OrderIntent } from "../../domain/order/index.ts";
import type { ExchangeEvent } from "../../ports/exchange-gateway.ts";

export interface AppHarness {
  readonly clock: ManualClock;
  readonly venue: SimVenue;
  readonly store: MemoryOrderStore;
  readonly idempotency: MemoryIdempotencyStore;
  readonly place: PlaceOrder;
  readonly cancel: CancelOrder;
  readonly lookup: LookupOrder;
  readonly track: TrackOrders;
  readonly reconcile: ReconcileOrders;
  readonly logger: MemoryLogger;
  /** Every event the venue pushed, and the promises of their application. */
  readonly events: ExchangeEvent[];
  drainEvents(): Promise<void>;
}

export async function startAppHarness(
  options: { seed?: number; scenario?: ScenarioName; faultPlan?: FaultPlan } = {},
): Promise<AppHarness> {
  const clock = new ManualClock(1_790_000_000_000);
  const venue = openSimVenue({
    clock,
    seed: options.seed ?? 7,
    scenario: options.scenario ?? "calm",
    dbPath: null,
    ...(options.faultPlan === undefined ? {} : { faultPlan: options.faultPlan }),
  });
  const exchange = venue.gateway;
  await exchange.start();
  const store = new MemoryOrderStore();
  const idempotency = new MemoryIdempotencyStore({ clock });
  const logger = new MemoryLogger();
  const metrics = new PrometheusMetrics();
  const rules = new RuleBook();
  const problem = await rules.load(exchange);
  if (problem !== null) throw new Error(problem);
  const ledger = new IntentLedger(store, clock);
  const mutex = new KeyedMutex();
  const sendDeps = { clock, exchange, metrics };
  const place = new PlaceOrder({
    clock,
    exchange,
    store,
    idempotency,
    marketData: new GatewayMarketData(exchange, clock),
    rules,
    ledger,
    mutex,
    logger,
    metrics,
    executors: {
      MARKET: new SingleOrderExecutor(sendDeps, ledger),
      LIMIT: new SingleOrderExecutor(sendDeps, ledger),
    },
    settings: { ...defaultPlaceOrderSettings, duplicatePollMs: 5 },
  });
  const cancel = new CancelOrder({ clock, exchange, store, ledger, mutex, rules, logger, metrics });
  const lookup = new LookupOrder(store, ledger);
  const track = new TrackOrders({ clock, store, ledger, mutex, rules, logger });
  const reconcile = new ReconcileOrders({
    clock,
    exchange,
    store,
    ledger,
    mutex,
    rules,
    logger,
    unknownAfterMs: 10_000,
    batchMax: 100,
  });
  const events: ExchangeEvent[] = [];
  const pending: Promise<void>[] = [];
  exchange.onEvent((event) => {
    events.push(event);
    pending.push(track.enqueue(event));
  });
  return {
    clock,
    venue,
    store,
    idempotency,
    place,
    cancel,
    lookup,
    track,
    reconcile,
    logger,
    events,
    async drainEvents() {
      while (pending.length > 0) await pending.shift();
    },
  };
}

export { intent } from "./intent-fixtures.ts";

export function limitPolicy(
  price: string,
  timeInForce: "GTC" | "IOC" | "FOK" = "GTC",
): OrderIntent["execPolicy"] {
  return {
    type: "LIMIT",
    price: dec(price),
    timeInForce,
    makerWaitMs: null,
    twap: null,
    tpPrice: null,
    slPrice: null,
  };
}
