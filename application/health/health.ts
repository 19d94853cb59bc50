// GET /health and GET /ready: every dependency's state in one body; healthy only when all are up.

import type { ExchangeGateway } from "../../ports/exchange-gateway.ts";
import type { EventPublisher } from "../../ports/event-publisher.ts";
import type { IdempotencyStore } from "../../ports/idempotency-store.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import type { RuleBook } from "../shared/rule-book.ts";

export interface HealthReport {
  status: "ok" | "degraded";
  mode: "embedded" | "redis" | "cluster";
  checks: {
    exchange: { adapter: string; rest_reachable: boolean; user_stream_connected: boolean };
    redis: { ok: boolean; adapter: string };
    store: { ok: boolean; adapter: string };
    symbols: { loaded: number };
  };
  route_table_rev: string | null;
  circuit_breaker: string;
  kill_switch: { global: boolean; symbols: string[] };
  ready: boolean;
}

export interface HealthExtras {
  routeTableRev(): string | null;
  circuitBreakerState(): string;
  killSwitch(): Promise<{ global: boolean; symbols: string[] }>;
}

export interface HealthDeps {
  readonly mode: HealthReport["mode"];
  readonly exchange: ExchangeGateway;
  readonly store: OrderStore;
  readonly storeAdapter: string;
  readonly idempotency: IdempotencyStore;
  readonly publisher: EventPublisher;
  readonly redisAdapter: string;
  readonly rules: RuleBook;
  readonly extras: HealthExtras;
}

async function safely(check: () => Promise<boolean>): Promise<boolean> {
  try {
    return await check();
  } catch {
    return false;
  }
}

export class Health {
  private readyFlag = false;

  constructor(private readonly deps: HealthDeps) {}

  markReady(): void {
    this.readyFlag = true;
  }

  isReady(): boolean {
    return this.readyFlag && this.deps.rules.size() > 0;
  }

  async report(): Promise<HealthReport> {
    const { deps } = this;
    const [storeOk, idempotencyOk, publisherOk, killSwitch] = await Promise.all([
      safely(() => deps.store.ping()),
      safely(() => deps.idempotency.ping()),
      safely(() => deps.publisher.ping()),
      deps.extras.killSwitch().catch(() => ({ global: false, symbols: [] })),
    ]);
    const connectivity = deps.exchange.connectivity();
    const redisOk = idempotencyOk && publisherOk;
    const allUp =
      storeOk && redisOk && connectivity.restReachable && connectivity.userStreamConnected;
    return {
      status: allUp && this.isReady() ? "ok" : "degraded",
      mode: deps.mode,
      checks: {
        exchange: {
          adapter: deps.exchange.name,
          rest_reachable: connectivity.restReachable,
          user_stream_connected: connectivity.userStreamConnected,
        },
        redis: { ok: redisOk, adapter: deps.redisAdapter },
        store: { ok: storeOk, adapter: deps.storeAdapter },
        symbols: { loaded: deps.rules.size() },
      },
      route_table_rev: deps.extras.routeTableRev(),
      circuit_breaker: deps.extras.circuitBreakerState(),
      kill_switch: killSwitch,
      ready: this.isReady(),
    };
  }
}
