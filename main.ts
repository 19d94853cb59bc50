// Composition root: the only production file that wires adapters to ports. `bun start` runs
// the embedded default (simulated venue, SQLite, in-memory twins of Redis) unless the
// environment says otherwise (DESIGN §7, §10).

import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import type { Hono } from "hono";
import { CancelOrder } from "./application/cancel-order/cancel-order.ts";
import { Health } from "./application/health/health.ts";
import { LookupOrder } from "./application/lookup-order/lookup-order.ts";
import { PlaceOrder, defaultPlaceOrderSettings } from "./application/place-order/place-order.ts";
import { SingleOrderExecutor } from "./application/place-order/single-order.ts";
import {
  defaultMakerTakerSettings,
  MakerTakerLegs,
} from "./application/place-order/maker-taker-leg.ts";
import { MakerTakerExecutor } from "./application/place-order/maker-taker.ts";
import { defaultTwapSettings, TwapExecutor } from "./application/place-order/twap.ts";
import { RefreshRouteTable } from "./application/route-table-refresh/refresh-route-table.ts";
import { ExecutionMetrics } from "./application/shared/execution-metrics.ts";
import { OrderEventFeed } from "./application/shared/order-event-feed.ts";
import { RouteTableHolder } from "./application/shared/route-table-holder.ts";
import { SpreadTracker } from "./application/shared/spread-tracker.ts";
import { TwapRecovery } from "./application/twap-tick/twap-recovery.ts";
import { defaultTwapSliceSettings, TwapSlices } from "./application/twap-tick/twap-slice.ts";
import { defaultTwapTickSettings, TwapTick } from "./application/twap-tick/twap-tick.ts";
import { ReconcileOrders } from "./application/reconcile/reconcile-orders.ts";
import { OutboxRelay } from "./application/relay-outbox/relay-outbox.ts";
import { GuardedIntentLedger } from "./application/protection/guarded-ledger.ts";
import { Protection } from "./application/protection/protection.ts";
import type { IntentLedger } from "./application/shared/intent-ledger.ts";
import { KeyedMutex } from "./application/shared/keyed-mutex.ts";
import { RuleBook } from "./application/shared/rule-book.ts";
import { observeExchange } from "./application/risk-gate/observed-exchange.ts";
import { RiskGate } from "./application/risk-gate/risk-gate.ts";
import { TrackOrders } from "./application/track-orders/track-orders.ts";
import { BinanceExchangeGateway } from "./adapters/binance/binance-exchange-gateway.ts";
import { SeededRng } from "./adapters/clock/seeded-rng.ts";
import { SystemClock } from "./adapters/clock/system-clock.ts";
import { type Config, parseConfig } from "./adapters/config/config.ts";
import { loadRouteTableFile } from "./adapters/config/route-table-file.ts";
import { createHttpApp } from "./adapters/http/app.ts";
import { MemoryEventPublisher } from "./adapters/memory/memory-event-publisher.ts";
import { MemoryGuardStore } from "./adapters/memory/memory-guard-store.ts";
import { MemoryIdempotencyStore } from "./adapters/memory/memory-idempotency-store.ts";
import { MemoryKillSwitch } from "./adapters/memory/memory-kill-switch.ts";
import { MemoryTwapQueue } from "./adapters/memory/memory-twap-queue.ts";
import { ConsoleLogger } from "./adapters/observability/console-logger.ts";
import { GatewayMarketData } from "./adapters/observability/gateway-market-data.ts";
import { PrometheusMetrics } from "./adapters/observability/prometheus-metrics.ts";
import { createRedisClient, type RedisClient } from "./adapters/redis/redis-client.ts";
import { RedisEventPublisher } from "./adapters/redis/redis-event-publisher.ts";
import { RedisDistributedLock } from "./adapters/redis/redis-distributed-lock.ts";
import { RedisGuardStore } from "./adapters/redis/redis-guard-store.ts";
import { RedisIdempotencyStore } from "./adapters/redis/redis-idempotency-store.ts";
import { RedisKillSwitch } from "./adapters/redis/redis-kill-switch.ts";
import { RedisMarketData } from "./adapters/redis/redis-market-data.ts";
import { RedisRouteTableOverride } from "./adapters/redis/redis-route-table-override.ts";
import { RedisTwapQueue } from "./adapters/redis/redis-twap-queue.ts";
import { type Loop, startLoop } from "./adapters/runtime/loop.ts";
import { openSimVenue, type SimVenue } from "./adapters/sim/sim-venue.ts";
import { SqliteOrderStore } from "./adapters/sqlite/sqlite-order-store.ts";
import { defaultBreakerConfig } from "./domain/risk/index.ts";
import type { Clock } from "./ports/clock.ts";
import type { EventPublisher } from "./ports/event-publisher.ts";
import type { ExchangeEvent, ExchangeGateway } from "./ports/exchange-gateway.ts";
import type { IdempotencyStore } from "./ports/idempotency-store.ts";
import type { KillSwitchSource } from "./ports/kill-switch.ts";
import type { Logger } from "./ports/logger.ts";
import type { MarketData } from "./ports/market-data.ts";
import type { Metrics } from "./ports/metrics.ts";
import type { OrderStore } from "./ports/order-store.ts";
import type { RouteTable } from "./domain/execution/index.ts";

export interface RouterOptions {
  readonly config: Config;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Serve HTTP (default true); tests may drive `app.request()` instead. */
  readonly listen?: boolean;
}

export interface RunningRouter {
  readonly app: Hono;
  readonly url: string | null;
  readonly exchange: ExchangeGateway;
  readonly store: SqliteOrderStore;
  readonly publisher: EventPublisher;
  readonly sim: SimVenue | null;
  readonly protection: Protection;
  readonly banner: Record<string, string>;
  stop(): Promise<void>;
}

/** The submit-latency quantiles go to `metrics:events:s4.router_p95` this often (DESIGN §9). */
const metricsEventsEveryMs = 10_000;

async function publishLatencyQuantiles(
  metrics: PrometheusMetrics,
  publisher: EventPublisher,
  clock: Clock,
) {
  const p95 = metrics.quantile("router_submit_latency_ms", 0.95);
  if (p95 === null) return;
  const nowMs = clock.nowMs();
  const p50 = metrics.quantile("router_submit_latency_ms", 0.5);
  await publisher.publish([
    {
      stream: "metrics:events:s4.router_p95",
      eventId: `router_p95:${nowMs}`,
      payload: { name: "router_p95", value_ms: p95, p50_ms: p50, ts: nowMs },
    },
  ]);
}

/** Working TWAPs whose queue task went missing (a crash, a Redis restart) are looked for this often. */
const twapRecoveryEveryMs = 60_000;
/** Reconciliation runs this often, and after every user-stream reconnect. */
const reconcileEveryMs = 60_000;
const simTickEveryMs = 100;
const rulesRetryMs = 2_000;

interface Transport {
  readonly idempotency: IdempotencyStore;
  readonly publisher: EventPublisher;
  readonly killSwitch: KillSwitchSource;
  readonly mode: "embedded" | "redis" | "cluster";
  readonly adapter: string;
  readonly client: RedisClient | null;
}

function openTransport(config: Config, clock: Clock, logger: Logger): Transport {
  if (config.redisAddresses.length === 0) {
    return {
      idempotency: new MemoryIdempotencyStore({ clock }),
      publisher: new MemoryEventPublisher(),
      killSwitch: new MemoryKillSwitch(),
      mode: "embedded",
      adapter: "memory",
      client: null,
    };
  }
  const client = createRedisClient(config.redisAddresses, {
    onError: (error) => logger.warn("redis error", { error: String(error) }),
  });
  const cluster = config.redisAddresses.length > 1;
  return {
    idempotency: new RedisIdempotencyStore(client),
    publisher: new RedisEventPublisher(client),
    killSwitch: new RedisKillSwitch(client, clock),
    mode: cluster ? "cluster" : "redis",
    adapter: `${cluster ? "redis-cluster" : "redis"} ${config.redisAddresses.join(",")}`,
    client,
  };
}

function openExchange(
  config: Config,
  clock: Clock,
  logger: Logger,
): { exchange: ExchangeGateway; sim: SimVenue | null } {
  if (config.exchange === "sim") {
    const sim = openSimVenue({
      clock,
      seed: config.sim.seed,
      scenario: config.sim.scenario,
      dbPath: config.sqlitePath === ":memory:" ? null : config.sqlitePath,
    });
    return { exchange: sim.gateway, sim };
  }
  const exchange = new BinanceExchangeGateway({
    apiKey: config.binance.apiKey,
    apiSecret: config.binance.apiSecret,
    ...(config.binance.baseUrl === null ? {} : { baseUrl: config.binance.baseUrl }),
    testnet: config.binance.testnet,
    recvWindowMs: config.binance.recvWindowMs,
    clock,
    rng: new SeededRng(config.sim.seed),
    logger,
  });
  return { exchange, sim: null };
}

interface ExecutionWiring {
  readonly config: Config;
  readonly table: RouteTable;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly exchange: ExchangeGateway;
  readonly store: OrderStore;
  readonly client: RedisClient | null;
  readonly marketData: MarketData;
  readonly metrics: Metrics;
  readonly ledger: IntentLedger;
  readonly mutex: KeyedMutex;
  readonly rules: RuleBook;
}

/**
 * The execution policies (DESIGN §4): route table (file, then the Redis override), maker→taker,
 * TWAP with its queue (Redis ZSet, or the in-memory twin) and its tick, which sleeps exactly
 * until the next due time.
 */
async function openExecution(wiring: ExecutionWiring) {
  const { config, clock, logger, exchange, store, client, marketData, metrics, ledger, mutex } =
    wiring;
  const routeTable = new RouteTableHolder(wiring.table);
  const refresh =
    client === null
      ? null
      : new RefreshRouteTable({
          source: new RedisRouteTableOverride(client),
          holder: routeTable,
          store,
          clock,
          logger,
        });
  await refresh?.runOnce();
  const stats = new ExecutionMetrics(metrics);
  const feed = new OrderEventFeed();
  const spreads = new SpreadTracker();
  const queue = client === null ? new MemoryTwapQueue() : new RedisTwapQueue(client);
  const policySettings = {
    makerWaitCapMs: config.makerMaxWaitMs,
    twapSlicesMax: config.twapMaxSlices,
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
    settings: {
      ...defaultMakerTakerSettings,
      makerWaitCapMs: config.makerMaxWaitMs,
      splitSlicesMax: config.twapMaxSlices,
    },
  });
  const slices = new TwapSlices({
    clock,
    exchange,
    metrics,
    queue,
    ledger,
    marketData,
    spreads,
    stats,
    rules: wiring.rules,
    routeTable,
    legs,
    logger,
    settings: {
      ...defaultTwapSliceSettings,
      leaseMs: config.twapLeaseMs,
      unknownAfterMs: config.binance.recvWindowMs + 5_000,
      splitSlicesMax: config.twapMaxSlices,
    },
  });
  const owner = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const tick = new TwapTick({
    clock,
    queue,
    mutex,
    slices,
    logger,
    owner,
    settings: { ...defaultTwapTickSettings, leaseMs: config.twapLeaseMs },
  });
  const recovery = new TwapRecovery({
    clock,
    store,
    ledger,
    queue,
    rules: wiring.rules,
    logger,
    batchMax: 500,
  });
  let wakeTick = () => {};
  const executors = {
    MAKER_THEN_TAKER: new MakerTakerExecutor({
      clock,
      legs,
      ledger,
      stats,
      send: { clock, exchange, metrics },
    }),
    TWAP: new TwapExecutor({
      clock,
      rng: new SeededRng(Number.parseInt(crypto.randomUUID().slice(0, 8), 16)),
      queue,
      ledger,
      logger,
      settings: defaultTwapSettings,
      wake: () => wakeTick(),
    }),
  };
  return {
    routeTable,
    stats,
    policySettings,
    executors,
    /** Venue events: wake a waiting maker leg; book tops feed the rolling spread mean. */
    onVenueEvent(event: ExchangeEvent): void {
      feed.publish(event);
      if (event.kind === "BOOK_TOP") {
        spreads.record(event.market, event.symbol, event.bid, event.ask, event.tsMs);
      }
    },
    startLoops(afterWork: () => void): Loop[] {
      const twapLoop = startLoop(
        "twap tick",
        async () => {
          const waitMs = await tick.runOnce();
          afterWork();
          return waitMs;
        },
        logger,
      );
      wakeTick = () => twapLoop.nudge();
      tick.onWake(() => {
        afterWork();
        twapLoop.nudge();
      });
      const loops: Loop[] = [
        {
          nudge: () => twapLoop.nudge(),
          stop: async () => {
            await twapLoop.stop();
            await tick.drain();
          },
        },
      ];
      loops.push(
        startLoop(
          "twap recovery",
          async () => {
            if ((await recovery.runOnce()) > 0) twapLoop.nudge();
            return twapRecoveryEveryMs;
          },
          logger,
        ),
      );
      if (refresh !== null) {
        loops.push(
          startLoop(
            "route table refresh",
            async () => {
              await refresh.runOnce();
              afterWork();
              return config.routeTableRefreshMs;
            },
            logger,
          ),
        );
      }
      return loops;
    },
  };
}

export async function startRouter(options: RouterOptions): Promise<RunningRouter> {
  const { config } = options;
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? new ConsoleLogger(config.logLevel);
  if (config.arango !== null) {
    throw new Error(
      "S4_DB_ARANGO_URL: the ArangoDB store is not available in this build; unset it to use SQLite",
    );
  }
  // An invalid route table stops start-up, naming the problem, before anything is opened.
  const routeTableFile = loadRouteTableFile(config.routeTablePath);
  if (!routeTableFile.ok) throw new Error(routeTableFile.message);
  if (config.sqlitePath !== ":memory:") mkdirSync(dirname(config.sqlitePath), { recursive: true });
  const store = new SqliteOrderStore({ path: config.sqlitePath, clock });
  const transport = openTransport(config, clock, logger);
  const { exchange: venue, sim } = openExchange(config, clock, logger);
  const metrics = new PrometheusMetrics();
  const riskGate = new RiskGate({
    clock,
    killSwitch: transport.killSwitch,
    store,
    logger,
    metrics,
    config: {
      ...defaultBreakerConfig,
      windowMs: config.circuitBreaker.windowMs,
      errorRateThreshold: config.circuitBreaker.errorRateThreshold,
    },
  });
  // Every venue call feeds the breaker; the raw venue is kept for the simulator's ticker.
  const exchange = observeExchange(venue, (outcome) => riskGate.recordCall(outcome));
  const rules = new RuleBook();
  // Keeps legs' guardian marks across saves (application/protection/guarded-ledger.ts).
  const ledger = new GuardedIntentLedger(store, clock);
  // Several instances on one Redis serialise each intent's read-modify-write across them too.
  const mutex = new KeyedMutex(
    transport.client === null ? null : new RedisDistributedLock(transport.client),
  );
  const marketData: MarketData =
    transport.client === null
      ? new GatewayMarketData(exchange, clock)
      : new RedisMarketData(transport.client, new GatewayMarketData(exchange, clock), clock, {
          logger,
        });
  const sendDeps = { clock, exchange, metrics };
  // Protection (DESIGN §5): SL/TP after entries, spot OCO, guardians (state in Redis or memory).
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
    guards:
      transport.client === null
        ? new MemoryGuardStore({ clock })
        : new RedisGuardStore(transport.client),
    owner: `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`,
    settings: { workingType: config.workingType, spotGuardian: config.ocoGuardian },
  });
  const execution = await openExecution({
    config,
    table: routeTableFile.table,
    clock,
    logger,
    exchange,
    store,
    client: transport.client,
    marketData,
    metrics,
    ledger,
    mutex,
    rules,
  });

  const placeOrder = new PlaceOrder({
    clock,
    exchange,
    store,
    idempotency: transport.idempotency,
    marketData,
    rules,
    ledger,
    mutex,
    logger,
    metrics,
    executors: protection.executors({
      MARKET: new SingleOrderExecutor(sendDeps, ledger, execution.stats),
      LIMIT: new SingleOrderExecutor(sendDeps, ledger, execution.stats),
      ...execution.executors,
    }),
    settings: defaultPlaceOrderSettings,
    routeTable: execution.routeTable,
    policySettings: execution.policySettings,
    gates: [(intent) => riskGate.gate(intent)],
  });
  const cancelOrder = new CancelOrder({
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
  const lookupOrder = new LookupOrder(store, ledger);
  const track = new TrackOrders({
    clock,
    store,
    ledger,
    mutex,
    rules,
    logger,
    stats: execution.stats,
  });
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
    unknownAfterMs: config.binance.recvWindowMs + 5_000,
    batchMax: 500,
    metrics,
    cancelOrphans: config.reconcileCancelOrphans,
  });
  const health = new Health({
    mode: transport.mode,
    exchange,
    store,
    storeAdapter: `sqlite ${config.sqlitePath}`,
    idempotency: transport.idempotency,
    publisher: transport.publisher,
    redisAdapter: transport.adapter,
    rules,
    extras: {
      routeTableRev: () => execution.routeTable.current().rev,
      circuitBreakerState: () => riskGate.status(),
      killSwitch: async () => {
        const flags = await transport.killSwitch.all();
        return { global: flags.global, symbols: [...flags.symbols].sort() };
      },
    },
  });

  const loops: Loop[] = [];
  loops.push(
    startLoop(
      "metrics events",
      async () => {
        await publishLatencyQuantiles(metrics, transport.publisher, clock);
        return metricsEventsEveryMs;
      },
      logger,
    ),
  );
  const relay = new OutboxRelay(store, transport.publisher);
  const relayLoop = startLoop(
    "outbox relay",
    async () => (await relay.runOnce()).nextRunInMs,
    logger,
  );
  loops.push(relayLoop);
  const reconcileLoop = startLoop(
    "reconcile",
    async () => {
      if (rules.size() > 0) await reconcile.runOnce();
      return reconcileEveryMs;
    },
    logger,
  );
  loops.push(reconcileLoop);
  loops.push(...execution.startLoops(() => relayLoop.nudge()));
  const protectionLoop = startLoop(
    "protection",
    async () => (rules.size() === 0 ? 1_000 : protection.runPeriodic()),
    logger,
  );
  loops.push(protectionLoop);
  exchange.onEvent((event) => {
    protection.onExchangeEvent(event);
    execution.onVenueEvent(event);
    if (event.kind === "STREAM_STATE" && event.stream === "USER") protectionLoop.nudge();
    if (event.kind === "STREAM_STATE" && event.stream === "USER" && event.connected)
      reconcileLoop.nudge();
    // Only order events can write results and fills; market data never needs the relay.
    const writes =
      event.kind === "ORDER_UPDATE" ||
      event.kind === "CONDITIONAL_UPDATE" ||
      event.kind === "ORDER_LIST_UPDATE";
    const tracked = track.enqueue(event);
    if (writes) void tracked.then(() => relayLoop.nudge());
  });
  if (sim !== null) {
    loops.push(
      startLoop(
        "sim tick",
        async () => {
          sim.gateway.tick();
          return simTickEveryMs;
        },
        logger,
      ),
    );
  }

  const started = await exchange.start();
  if (!started.ok)
    logger.warn("exchange start failed; retrying in the background", {
      error: started.error.message,
    });
  const loadRules = async (): Promise<number> => {
    if (rules.size() > 0) return 3_600_000;
    const problem = await rules.load(exchange);
    if (problem !== null) {
      logger.warn("exchange rules not loaded yet", { problem });
      return rulesRetryMs;
    }
    health.markReady();
    return 3_600_000;
  };
  await loadRules();
  if (rules.size() === 0) loops.push(startLoop("rules", loadRules, logger));

  const app = createHttpApp({
    placeOrder: {
      execute: async (intent) => {
        const outcome = await placeOrder.execute(intent);
        riskGate.observeResult(outcome.result);
        relayLoop.nudge();
        return outcome;
      },
    },
    cancelOrder: {
      execute: async (request) => {
        const response = await cancelOrder.execute(request);
        relayLoop.nudge();
        return response;
      },
    },
    lookupOrder,
    health,
    logger,
    bodyMaxBytes: config.httpBodyMaxBytes,
    metricsText: () => metrics.text(),
  });
  const server =
    options.listen === false ? null : Bun.serve({ port: config.port, fetch: app.fetch });
  const banner: Record<string, string> = {
    http: server === null ? "not listening" : `http://${server.hostname}:${server.port}`,
    mode: transport.mode,
    exchange:
      sim === null
        ? `binance ${config.binance.baseUrl ?? (config.binance.testnet ? "testnet" : "production")}`
        : `sim (in-process) scenario=${config.sim.scenario} seed=${config.sim.seed}${sim.resumed ? " resumed" : ""}`,
    order_store: `sqlite ${config.sqlitePath}`,
    idempotency_store: transport.adapter,
    event_publisher: transport.adapter,
    market_data:
      transport.client === null
        ? `${exchange.name} gateway`
        : `redis mkt:{snap} (${exchange.name} gateway when stale)`,
    route_table: `rev ${execution.routeTable.current().rev} (${execution.routeTable.origin()})`,
    twap_queue:
      transport.client === null ? "memory" : `${transport.adapter} prod:{exec}:twap:queue`,
    symbols: String(rules.size()),
  };
  logger.info("S4 Order Router started", banner);

  let stopping: Promise<void> | null = null;
  return {
    app,
    url: server === null ? null : `http://127.0.0.1:${server.port}`,
    exchange,
    store,
    publisher: transport.publisher,
    sim,
    protection,
    banner,
    stop() {
      stopping ??= (async () => {
        await server?.stop(true);
        for (const loop of loops) await loop.stop();
        await relay.runOnce().catch(() => undefined);
        await exchange.stop();
        sim?.close();
        await store.close();
        transport.client?.disconnect();
      })();
      return stopping;
    },
  };
}

async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`S4 cannot start: bad configuration\n  ${parsed.problems.join("\n  ")}\n`);
    process.exit(2);
  }
  let router: RunningRouter;
  try {
    router = await startRouter({ config: parsed.config });
  } catch (error) {
    process.stderr.write(`S4 cannot start: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const shutdown = async (signal: string) => {
    process.stderr.write(`S4 stopping on ${signal}\n`);
    await router.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

if (import.meta.main) await main();
