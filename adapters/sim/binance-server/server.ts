// The Binance-protocol face of the simulated venue: one port (Bun.serve with WebSocket upgrade)
// serving Binance's own REST paths (/api/v3, /fapi/v1|v2|v3, /sapi/v1, and the COIN-M
// exchangeInfo a generic client loads, empty: see catalog-routes.ts), the spot WebSocket API
// (/ws-api/v3), spot market streams (/ws, /stream), USDⓈ-M streams (/public, /market,
// /private/ws/<listenKey>) and an admin path (/__admin, see admin-routes.ts). The engine is
// advanced to the injected clock on every request and on a wall-time timer for the streams.

import type { Server } from "bun";
import { SystemClock } from "../../clock/system-clock.ts";
import type { Clock } from "../../../ports/clock.ts";
import { type Decimal, dec, formatDecimal } from "../../../domain/decimal/index.ts";
import type { ScenarioName, SimAccountSetup, SimEngine } from "../engine/index.ts";
import { FaultDecider, type FaultPlan, noFaults } from "../fault-plan.ts";
import { type AdminServices, adminPath, handleAdmin } from "./admin-routes.ts";
import { catalogRoutes } from "./catalog-routes.ts";
import { errors } from "./api-errors.ts";
import { rateLimitsOf } from "./exchange-info.ts";
import { futuresRoutes } from "./futures-routes.ts";
import { HeldResponses, holdMsMaxDefault } from "./held-responses.ts";
import { ListenKeys } from "./listen-keys.ts";
import { marketDataRoutes } from "./market-data-routes.ts";
import { canonicalStream, MarketStreams, marketPath, marketSocketsMax } from "./market-streams.ts";
import { RateLimits } from "./rate-limits.ts";
import type { Credentials } from "./request-auth.ts";
import { failureResponse, handleRest, jsonResponse, type RestServices } from "./rest-handler.ts";
import type { Route } from "./route.ts";
import type { SimSocket, SocketData } from "./socket-data.ts";
import { spotRoutes } from "./spot-routes.ts";
import { UserStreams } from "./user-streams.ts";
import { VenueState } from "./venue-state.ts";
import { walletRoutes } from "./wallet-routes.ts";

/** The default account's credentials (64 characters, like Binance keys); flags override them. */
export const defaultApiKey = "s4SimulatorApiKey00000000000000000000000000000000000000000000001";
export const defaultApiSecret = "s4SimulatorApiSecret00000000000000000000000000000000000000000001";
export const defaultTickIntervalMs = 100;
export const defaultUserEventLeadMs = 2;
/** WebSocket frames larger than this are refused. */
export const socketPayloadBytesMax = 64 * 1024;

export interface BinanceSimServerOptions {
  /** 0 picks a free port (the default). */
  readonly port?: number;
  readonly hostname?: string;
  readonly seed?: number;
  readonly scenario?: ScenarioName;
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** Time of the venue; SystemClock by default. A manual clock enables POST /__admin/advance. */
  readonly clock?: Clock;
  /** SQLite file for the venue's state (resumed when it holds one); in memory when absent. */
  readonly statePath?: string | null;
  readonly faultPlan?: FaultPlan;
  readonly account?: SimAccountSetup;
  /** Wall-time period of the timer that moves the market for the streams. */
  readonly tickIntervalMs?: number;
  /** Wall-time limit on a response the fault plan holds back. */
  readonly holdMsMax?: number;
  /** Wall time an order answer waits after the user-data events it caused (default 2 ms). */
  readonly userEventLeadMs?: number;
  /** Multiplies Binance's rate limits (default 1); benchmarks raise it to measure the venue. */
  readonly rateLimitScale?: number;
  readonly log?: (line: string) => void;
}

export interface BinanceSimServer {
  readonly baseUrl: string;
  readonly wsBaseUrl: string;
  readonly port: number;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly adminPath: string;
  readonly seed: number;
  readonly scenario: ScenarioName;
  /** The engine in use (a reset replaces it). */
  readonly engine: SimEngine;
  readonly faults: FaultDecider;
  readonly clock: Clock;
  /** Moves the venue to the clock's now and pushes due stream data. */
  tick(): void;
  stop(): Promise<void>;
}

interface ManualLike extends Clock {
  advanceMs(ms: number): Promise<void>;
}

function isManual(clock: Clock): clock is ManualLike {
  return typeof (clock as { advanceMs?: unknown }).advanceMs === "function";
}

const allRoutes: readonly Route[] = [
  ...marketDataRoutes,
  ...spotRoutes,
  ...futuresRoutes,
  ...walletRoutes,
  ...catalogRoutes,
];

function routeTable(): Map<string, Route> {
  const table = new Map<string, Route>();
  for (const route of allRoutes) table.set(`${route.method} ${route.path}`, route);
  return table;
}

const knownPaths = new Set(allRoutes.map((route) => route.path));

class SimServerRuntime {
  readonly clock: Clock;
  readonly credentials: Credentials;
  readonly venue: VenueState;
  readonly faults: FaultDecider;
  readonly limits: RateLimits;
  readonly listenKeys: ListenKeys;
  readonly users: UserStreams;
  readonly markets: MarketStreams;
  readonly held: HeldResponses;
  readonly routes = routeTable();
  readonly rest: RestServices;
  private readonly startPlan: FaultPlan;
  private readonly log: (line: string) => void;

  constructor(options: BinanceSimServerOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.credentials = {
      apiKey: options.apiKey ?? defaultApiKey,
      apiSecret: options.apiSecret ?? defaultApiSecret,
    };
    this.log = options.log ?? (() => {});
    const seed = options.seed ?? 1;
    this.venue = new VenueState({
      clock: this.clock,
      seed,
      scenario: options.scenario ?? "calm",
      statePath: options.statePath ?? null,
      ...(options.account === undefined ? {} : { account: options.account }),
    });
    this.startPlan = options.faultPlan ?? noFaults;
    this.faults = new FaultDecider(this.startPlan, this.venue.seed);
    this.limits = new RateLimits(() => this.faults.plan().banMs, options.rateLimitScale ?? 1);
    this.held = new HeldResponses(options.holdMsMax ?? holdMsMaxDefault);
    this.users = new UserStreams({
      venue: this.venue,
      credentials: this.credentials,
      faults: this.faults,
      nowMs: () => this.clock.nowMs(),
      rateLimits: rateLimitsOf("SPOT"),
    });
    this.listenKeys = new ListenKeys(this.venue.seed, {
      expired: (key, atMs) => this.users.listenKeyExpired(key, atMs),
      closed: (key) => this.users.listenKeyClosed(key),
    });
    this.markets = new MarketStreams(this.venue);
    this.venue.onEvent((event) => {
      this.markets.onEngineEvent(event);
      this.users.onEngineEvent(event);
    });
    this.rest = {
      venue: this.venue,
      credentials: this.credentials,
      clock: this.clock,
      limits: this.limits,
      faults: this.faults,
      listenKeys: this.listenKeys,
      held: this.held,
      tick: () => this.tick(),
      userFramesSent: () => this.users.sentCount(),
      userEventLeadMs: options.userEventLeadMs ?? defaultUserEventLeadMs,
      log: this.log,
    };
  }

  tick(): void {
    const nowMs = this.clock.nowMs();
    this.venue.engine.advanceTo(nowMs);
    this.listenKeys.expire(nowMs);
    this.users.tick(nowMs);
    this.markets.tick(nowMs);
  }

  reset(seed: number | null, scenario: ScenarioName | null): void {
    this.held.releaseAll();
    this.users.reset();
    this.venue.reset(seed ?? this.venue.seed, scenario ?? this.venue.scenario);
    this.listenKeys.reset(this.venue.seed);
    this.markets.reset();
    this.limits.reset();
    this.faults.setPlan(this.startPlan);
    this.log(`venue reset (seed ${this.venue.seed}, scenario ${this.venue.scenario})`);
  }

  admin(): AdminServices {
    return {
      faults: this.faults,
      state: () => this.state(),
      advance: async (ms) => {
        if (!isManual(this.clock)) return false;
        await this.clock.advanceMs(ms);
        this.tick();
        return true;
      },
      setMid: (symbol, price) => {
        const moved = this.venue.engine.setMid(symbol, dec(price), this.clock.nowMs());
        return moved.ok ? null : moved.reject.message;
      },
      reset: (seed, scenario) => this.reset(seed, scenario),
      drop: (market, downMs, marketStreams) => {
        this.users.drop(market, this.clock.nowMs(), downMs);
        if (marketStreams) this.markets.dropAll();
      },
    };
  }

  state(): Record<string, unknown> {
    const nowMs = this.clock.nowMs();
    const { engine } = this.venue;
    const listenKey = this.listenKeys.current();
    return plainJson({
      nowMs,
      manualClock: isManual(this.clock),
      seed: this.venue.seed,
      scenario: this.venue.scenario,
      listenKey: listenKey === null ? null : { ...listenKey },
      sockets: { ...this.users.counts(), market: this.markets.count() },
      heldResponses: this.held.count(),
      bannedUntilMs: this.limits.bannedUntil(nowMs),
      faultPlan: this.faults.plan(),
      spotBalances: engine.spotBalances(nowMs).map((b) => ({
        asset: b.asset,
        free: b.free,
        locked: b.locked,
      })),
      futuresAccount: engine.futuresAccount(nowMs),
      positions: engine.positions(null, nowMs).filter((p) => p.qty.units !== 0n),
    }) as Record<string, unknown>;
  }

  close(): void {
    this.held.releaseAll();
    this.venue.close();
  }
}

/** JSON-safe copy with decimals as their canonical text (admin answers carry engine values). */
function plainJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, field: unknown) => {
      const decimal = field as { units?: unknown; scale?: unknown } | null;
      if (typeof decimal === "object" && decimal !== null && typeof decimal.units === "bigint") {
        return formatDecimal(decimal as Decimal);
      }
      return field;
    }),
  );
}

function upgrade(
  runtime: SimServerRuntime,
  server: Server<SocketData>,
  request: Request,
  url: URL,
): Response | undefined {
  const nowMs = runtime.clock.nowMs();
  const data = socketDataFor(runtime, url, nowMs);
  if ("status" in data) return data;
  if (server.upgrade(request, { data })) return undefined;
  return jsonResponse(400, { code: -1000, msg: "Expected a WebSocket upgrade." });
}

function socketDataFor(runtime: SimServerRuntime, url: URL, nowMs: number): SocketData | Response {
  const path = url.pathname;
  if (path === "/ws-api/v3") {
    if (!runtime.users.canConnect("SPOT", nowMs)) return unavailable();
    return {
      kind: "spot-api",
      subscriptions: [],
      subscriptionsStarted: 0,
      connectedMs: nowMs,
      weightUsed: 0,
    };
  }
  if (path === "/private/ws" || path.startsWith("/private/ws/")) {
    const key = path.startsWith("/private/ws/")
      ? decodeURIComponent(path.slice("/private/ws/".length))
      : (url.searchParams.get("listenKey") ?? "");
    if (!runtime.users.canConnect("FUT", nowMs)) return unavailable();
    if (!runtime.listenKeys.isActive(key, nowMs)) return failureResponse(errors.listenKeyMissing());
    return { kind: "futures-user", listenKey: key };
  }
  const market = marketPath(path);
  if (market === null) return failureResponse(errors.notFound());
  if (runtime.markets.count() >= marketSocketsMax) return unavailable();
  const requested = market.combined
    ? (url.searchParams.get("streams") ?? "").split("/").filter((name) => name !== "")
    : market.rawStreams;
  const streams = requested.map((name) => canonicalStream(market.product, name));
  if (streams.some((name) => name === null)) {
    return failureResponse({ status: 400, code: -1100, msg: "Invalid stream name." });
  }
  return {
    kind: "market",
    product: market.product,
    combined: market.combined,
    streams: new Set(streams as string[]),
  };
}

function unavailable(): Response {
  return jsonResponse(503, { code: -1000, msg: "Service Unavailable." });
}

async function dispatch(
  runtime: SimServerRuntime,
  server: Server<SocketData>,
  request: Request,
): Promise<Response | undefined> {
  const url = new URL(request.url);
  const path = url.pathname;
  if (path === adminPath || path.startsWith(`${adminPath}/`)) {
    return handleAdmin(runtime.admin(), request, path);
  }
  if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
    return upgrade(runtime, server, request, url);
  }
  const route = runtime.routes.get(`${request.method} ${path}`);
  if (route === undefined) {
    return failureResponse(knownPaths.has(path) ? errors.methodNotAllowed() : errors.notFound());
  }
  return handleRest(runtime.rest, route, request, url);
}

function socketHandlers(runtime: SimServerRuntime) {
  return {
    maxPayloadLength: socketPayloadBytesMax,
    perMessageDeflate: false,
    open(socket: SimSocket) {
      if (socket.data.kind === "market") runtime.markets.open(socket);
      else runtime.users.open(socket);
    },
    message(socket: SimSocket, message: string | Buffer) {
      const text = typeof message === "string" ? message : message.toString("utf8");
      const session = socket.data;
      if (session.kind === "spot-api") runtime.users.message(socket, session, text);
      if (session.kind === "market") runtime.markets.message(socket, session, text);
    },
    close(socket: SimSocket) {
      if (socket.data.kind === "market") runtime.markets.close(socket);
      else runtime.users.close(socket);
    },
  };
}

/** Starts the server (port 0 picks a free port). */
export function startBinanceSimServer(options: BinanceSimServerOptions = {}): BinanceSimServer {
  const runtime = new SimServerRuntime(options);
  const server: Server<SocketData> = Bun.serve<SocketData>({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    fetch: (request, bunServer) => dispatch(runtime, bunServer, request),
    websocket: socketHandlers(runtime),
    error: (error) => {
      runtime.rest.log(`request failed: ${String(error)}`);
      return failureResponse(errors.unknown());
    },
  });
  const timer = setInterval(() => runtime.tick(), options.tickIntervalMs ?? defaultTickIntervalMs);
  const host = `${server.hostname}:${server.port}`;
  let stopped = false;
  return {
    baseUrl: `http://${host}`,
    wsBaseUrl: `ws://${host}`,
    port: server.port ?? 0,
    apiKey: runtime.credentials.apiKey,
    apiSecret: runtime.credentials.apiSecret,
    adminPath,
    get seed() {
      return runtime.venue.seed;
    },
    get scenario() {
      return runtime.venue.scenario;
    },
    get engine() {
      return runtime.venue.engine;
    },
    faults: runtime.faults,
    clock: runtime.clock,
    tick: () => runtime.tick(),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      runtime.held.releaseAll();
      await server.stop(true);
      runtime.close();
    },
  };
}
