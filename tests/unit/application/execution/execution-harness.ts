// The execution policies wired over in-memory twins, a manual clock and a venue of the test's
// choosing (the scripted venue or the in-process simulator): placement with the route table,
// maker→taker, TWAP with its queue and tick, tracking, cancel. `runFor` is the test's stand-in
// for the composition root's timers: it moves time in steps, ticks the simulator, runs the TWAP
// tick when it asked to be woken, and lets the woken code run.

import { intent as baseIntent, type IntentOverrides } from "../../../support/intent-fixtures.ts";
import { ManualClock, settle } from "../../../../adapters/clock/manual-clock.ts";
import { SeededRng } from "../../../../adapters/clock/seeded-rng.ts";
import { parseRouteTable } from "../../../../adapters/config/route-table-file.ts";
import { MemoryIdempotencyStore } from "../../../../adapters/memory/memory-idempotency-store.ts";
import { MemoryOrderStore } from "../../../../adapters/memory/memory-order-store.ts";
import { MemoryTwapQueue } from "../../../../adapters/memory/memory-twap-queue.ts";
import { MemoryLogger } from "../../../../adapters/observability/console-logger.ts";
import { GatewayMarketData } from "../../../../adapters/observability/gateway-market-data.ts";
import { PrometheusMetrics } from "../../../../adapters/observability/prometheus-metrics.ts";
import { CancelOrder } from "../../../../application/cancel-order/cancel-order.ts";
import {
  defaultMakerTakerSettings,
  type MakerTakerSettings,
  MakerTakerLegs,
} from "../../../../application/place-order/maker-taker-leg.ts";
import { MakerTakerExecutor } from "../../../../application/place-order/maker-taker.ts";
import {
  defaultPlaceOrderSettings,
  PlaceOrder,
} from "../../../../application/place-order/place-order.ts";
import { SingleOrderExecutor } from "../../../../application/place-order/single-order.ts";
import {
  defaultTwapSettings,
  TwapExecutor,
  type TwapSettings,
} from "../../../../application/place-order/twap.ts";
import { ExecutionMetrics } from "../../../../application/shared/execution-metrics.ts";
import { IntentLedger } from "../../../../application/shared/intent-ledger.ts";
import { KeyedMutex } from "../../../../application/shared/keyed-mutex.ts";
import { OrderEventFeed } from "../../../../application/shared/order-event-feed.ts";
import { RouteTableHolder } from "../../../../application/shared/route-table-holder.ts";
import { RuleBook } from "../../../../application/shared/rule-book.ts";
import { SpreadTracker } from "../../../../application/shared/spread-tracker.ts";
import { TrackOrders } from "../../../../application/track-orders/track-orders.ts";
import {
  defaultTwapSliceSettings,
  TwapSlices,
} from "../../../../application/twap-tick/twap-slice.ts";
import { defaultTwapTickSettings, TwapTick } from "../../../../application/twap-tick/twap-tick.ts";
import type { RouteTable } from "../../../../domain/execution/index.ts";
import type { ExecPolicyRequest, OrderIntent } from "../../../../domain/order/index.ts";
import type { ExchangeGateway } from "../../../../ports/exchange-gateway.ts";
import type { TwapQueue } from "../../../../ports/twap-queue.ts";
import defaultTableJson from "../../../../config/route-table.json";

export const t0 = 1_800_000_000_000;

export function defaultTable(): RouteTable {
  const parsed = parseRouteTable(JSON.stringify(defaultTableJson), "config/route-table.json");
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.table;
}

/** The default table with the listed fields changed on every row. */
export function tableWith(fields: Record<string, unknown>): RouteTable {
  const json = structuredClone(defaultTableJson) as { routes: Record<string, unknown>[] };
  for (const row of json.routes) Object.assign(row, fields);
  const parsed = parseRouteTable(JSON.stringify(json), "test table");
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.table;
}

export interface ExecutionAppOptions {
  readonly clock?: ManualClock;
  readonly table?: RouteTable;
  readonly makerTaker?: Partial<MakerTakerSettings>;
  readonly twap?: Partial<TwapSettings>;
  readonly twapSlicesMax?: number;
  readonly queue?: TwapQueue;
  readonly owner?: string;
  readonly leaseMs?: number;
  /** Share one store between two harnesses (two router instances on one database). */
  readonly store?: MemoryOrderStore;
  /** Called on every step of runFor (the simulator's tick). */
  readonly onStep?: () => void;
}

export type ExecutionApp = ReturnType<typeof buildApp>;

export async function startExecutionApp(
  exchange: ExchangeGateway,
  options: ExecutionAppOptions = {},
) {
  const app = buildApp(exchange, options);
  await exchange.start();
  const problem = await app.rules.load(exchange);
  if (problem !== null) throw new Error(problem);
  return app;
}

function buildApp(exchange: ExchangeGateway, options: ExecutionAppOptions) {
  const clock = options.clock ?? new ManualClock(t0);
  const store = options.store ?? new MemoryOrderStore();
  const idempotency = new MemoryIdempotencyStore({ clock });
  const logger = new MemoryLogger();
  const metrics = new PrometheusMetrics();
  const stats = new ExecutionMetrics(metrics);
  const rules = new RuleBook();
  const ledger = new IntentLedger(store, clock);
  const mutex = new KeyedMutex();
  const feed = new OrderEventFeed();
  const spreads = new SpreadTracker();
  const routeTable = new RouteTableHolder(options.table ?? defaultTable());
  const marketData = new GatewayMarketData(exchange, clock);
  const queue = options.queue ?? new MemoryTwapQueue();
  const twapSlicesMax = options.twapSlicesMax ?? 4;
  const makerSettings: MakerTakerSettings = {
    ...defaultMakerTakerSettings,
    splitSlicesMax: twapSlicesMax,
    ...options.makerTaker,
  };
  const legs = new MakerTakerLegs({
    clock,
    exchange,
    metrics,
    ledger,
    marketData,
    feed,
    spreads,
    stats,
    logger,
    settings: makerSettings,
  });
  const sendDeps = { clock, exchange, metrics };
  const leaseMs = options.leaseMs ?? 30_000;
  const slices = new TwapSlices({
    clock,
    exchange,
    metrics,
    queue,
    ledger,
    marketData,
    spreads,
    stats,
    rules,
    routeTable,
    legs,
    logger,
    settings: { ...defaultTwapSliceSettings, leaseMs, splitSlicesMax: twapSlicesMax },
  });
  const tick = new TwapTick({
    clock,
    queue,
    mutex,
    slices,
    logger,
    owner: options.owner ?? "owner-a",
    settings: { ...defaultTwapTickSettings, leaseMs },
  });
  let tickDueMs = clock.nowMs();
  const wakeTick = () => {
    tickDueMs = clock.nowMs();
  };
  tick.onWake(wakeTick);
  const place = new PlaceOrder({
    clock,
    exchange,
    store,
    idempotency,
    marketData,
    rules,
    ledger,
    mutex,
    logger,
    metrics,
    executors: {
      MARKET: new SingleOrderExecutor(sendDeps, ledger, stats),
      LIMIT: new SingleOrderExecutor(sendDeps, ledger, stats),
      MAKER_THEN_TAKER: new MakerTakerExecutor({ clock, legs, ledger, stats, send: sendDeps }),
      TWAP: new TwapExecutor({
        clock,
        rng: new SeededRng(11),
        queue,
        ledger,
        logger,
        settings: { ...defaultTwapSettings, ...options.twap },
        wake: wakeTick,
      }),
    },
    settings: { ...defaultPlaceOrderSettings, duplicatePollMs: 5 },
    routeTable,
    policySettings: { makerWaitCapMs: makerSettings.makerWaitCapMs, twapSlicesMax },
  });
  const cancel = new CancelOrder({ clock, exchange, store, ledger, mutex, rules, logger, metrics });
  const track = new TrackOrders({ clock, store, ledger, mutex, rules, logger });
  const pending: Promise<void>[] = [];
  exchange.onEvent((event) => {
    feed.publish(event);
    pending.push(track.enqueue(event));
  });

  /**
   * One step of the driver: the TWAP tick while it is due (letting what it started run before
   * time moves), then time moves by `stepMs`, or less when the tick is due sooner.
   */
  async function step(stepMs: number): Promise<void> {
    for (let round = 0; round < 10 && clock.nowMs() >= tickDueMs; round += 1) {
      const waitMs = await tick.runOnce();
      tickDueMs = clock.nowMs() + waitMs;
      await settle();
    }
    const moveMs = Math.max(0, Math.min(stepMs, tickDueMs - clock.nowMs())) || stepMs;
    await clock.advanceMs(moveMs);
    options.onStep?.();
  }

  return {
    clock,
    exchange,
    store,
    logger,
    metrics,
    rules,
    ledger,
    feed,
    spreads,
    routeTable,
    queue,
    place,
    cancel,
    track,
    tick,
    slices,
    /** Runs `work` while time moves in `stepMs` steps until it settles (bounded by limitMs). */
    async run<T>(work: Promise<T>, stepMs = 50, limitMs = 120_000): Promise<T> {
      let settled = false;
      const done = work.finally(() => {
        settled = true;
      });
      const startMs = clock.nowMs();
      while (!settled && clock.nowMs() - startMs <= limitMs) await step(stepMs);
      if (!settled) throw new Error(`work did not settle within ${limitMs} ms of clock time`);
      return done;
    },
    /** Moves time by `ms` in steps, running due TWAP work along the way. */
    async runFor(ms: number, stepMs = 50): Promise<void> {
      const endMs = clock.nowMs() + ms;
      while (clock.nowMs() < endMs) await step(Math.min(stepMs, endMs - clock.nowMs()));
    },
    async drainEvents(): Promise<void> {
      while (pending.length > 0) await pending.shift();
    },
  };
}

/** The execution tests' intent: 0.01 BTC, id "exec-1", unless overridden. */
export function intent(overrides: IntentOverrides = {}): OrderIntent {
  return baseIntent({ intentId: "exec-1", qty: "0.01", ...overrides });
}

export function policy(fields: Partial<ExecPolicyRequest>): ExecPolicyRequest {
  return {
    type: null,
    price: null,
    timeInForce: null,
    makerWaitMs: null,
    twap: null,
    tpPrice: null,
    slPrice: null,
    ...fields,
  };
}

export function makerPolicy(waitMs: number | null = null): ExecPolicyRequest {
  return policy({ type: "MAKER_THEN_TAKER", makerWaitMs: waitMs });
}

export function twapPolicy(
  slices: number,
  gapMs: number,
  fields: Partial<ExecPolicyRequest> & { jitterMs?: number; curve?: "uniform" | "sqrt" } = {},
): ExecPolicyRequest {
  const { jitterMs, curve, ...rest } = fields;
  return policy({
    type: "TWAP",
    twap: { slices, gapMs, jitterMs: jitterMs ?? 0, curve: curve ?? "uniform" },
    ...rest,
  });
}
