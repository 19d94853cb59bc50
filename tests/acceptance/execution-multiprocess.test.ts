// Two router processes (`bun run main.ts`) sharing one Redis (the TWAP queue, idempotency, market
// snapshots), one SQLite store and one venue — the Binance-protocol simulator, reached through
// the Binance adapter (S4_EXCHANGE=binance). 50 TWAP intents × 4 slices make exactly 200 slice
// orders, none twice, although one process is killed with SIGKILL in the middle of the run:
// the other takes its slices over once their leases end. The venue is the judge: its order
// history (one order per derived client id) and the position it holds.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, type Subprocess } from "bun";
import Redis from "ioredis";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { SystemClock } from "../../adapters/clock/system-clock.ts";
import { SqliteOrderStore } from "../../adapters/sqlite/sqlite-order-store.ts";
import { add, dec, formatDecimal, zero } from "../../domain/decimal/index.ts";
import defaultTableJson from "../../config/route-table.json";
import {
  type RedisServerHandle,
  redisBinariesAvailable,
  startRedisServer,
} from "../support/redis-server.ts";
import { type SimServerProcess, startSimServerProcess } from "../support/sim-server-process.ts";

const intentCount = 50;
const slicesPerIntent = 4;
/** 4 slices of 0.001 BTC each (one lot step, ~95 USDT, above the 50 USDT minimum). */
const intentQty = "0.004";
const totalQty = "0.2";
const leaseMs = 2_000;

interface RouterProcess {
  readonly url: string;
  readonly child: Subprocess<"ignore", "pipe", "pipe">;
}

async function startRouterProcess(env: Record<string, string>): Promise<RouterProcess> {
  const child = spawn([process.execPath, "run", "main.ts"], {
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`router did not start: ${buffered.slice(-500)}`);
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`router exited: ${buffered.slice(-1000)}`);
    buffered += decoder.decode(chunk.value, { stream: true });
    const line = buffered.split("\n").find((each) => each.includes("S4 Order Router started"));
    if (line === undefined) continue;
    const url = String((JSON.parse(line) as Record<string, unknown>)["http"]);
    // Keep draining both pipes so the router never blocks on a full one.
    void (async () => {
      for (;;) if ((await reader.read()).done) return;
    })();
    void new Response(child.stderr).text();
    return { url: url.replace("0.0.0.0", "127.0.0.1"), child };
  }
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Every USDⓈ-M BTCUSDT order the venue holds, from its own history (signed allOrders). */
async function venueOrders(sim: SimServerProcess): Promise<Record<string, string>[]> {
  const query = `symbol=BTCUSDT&limit=1000&recvWindow=10000&timestamp=${Date.now()}`;
  const signature = createHmac("sha256", sim.apiSecret).update(query).digest("hex");
  const response = await fetch(`${sim.baseUrl}/fapi/v1/allOrders?${query}&signature=${signature}`, {
    headers: { "X-MBX-APIKEY": sim.apiKey },
  });
  if (!response.ok) throw new Error(`allOrders ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, string>[];
}

function sliceOrders(orders: readonly Record<string, string>[]) {
  return orders.filter((order) => /^mp-\d+\/s\d+$/.test(order["clientOrderId"] ?? ""));
}

/** Plays the market-data service: the venue's touch into `mkt:{snap}:FUT:BTCUSDT`. */
function startSnapshotWriter(sim: SimServerProcess, redis: Redis): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      const response = await fetch(`${sim.baseUrl}/fapi/v1/ticker/bookTicker?symbol=BTCUSDT`);
      const ticker = (await response.json()) as Record<string, string>;
      await redis.set(
        "mkt:{snap}:FUT:BTCUSDT",
        JSON.stringify({
          bid: ticker["bidPrice"],
          ask: ticker["askPrice"],
          bid_qty: ticker["bidQty"],
          ask_qty: ticker["askQty"],
          bids: [[ticker["bidPrice"], ticker["bidQty"]]],
          asks: [[ticker["askPrice"], ticker["askQty"]]],
          ts: Date.now(),
        }),
      );
      await Bun.sleep(200);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** Waits until `router` owns a TWAP lease, stops it there, and answers the intents it holds. */
async function freezeHoldingLease(redis: Redis, router: RouterProcess): Promise<string[]> {
  const ownerPrefix = `${hostname()}:${router.child.pid}:`;
  const held = async () =>
    Object.entries(await redis.hgetall("prod:{exec}:twap:leases"))
      .filter(([, owner]) => owner.startsWith(ownerPrefix))
      .map(([intentId]) => intentId);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if ((await held()).length > 0) {
      router.child.kill("SIGSTOP");
      const frozen = await held();
      if (frozen.length > 0) return frozen;
      router.child.kill("SIGCONT");
    }
    await Bun.sleep(1);
  }
  return [];
}

async function waitFor(condition: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await Bun.sleep(100);
  }
  return condition();
}

describe.skipIf(!redisBinariesAvailable())("two router processes sharing one TWAP queue", () => {
  let redisServer: RedisServerHandle;
  let redis: Redis;
  let sim: SimServerProcess;
  let dir: string;
  const routers: RouterProcess[] = [];
  let stopSnapshots: () => Promise<void> = async () => {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "s4-multiprocess-"));
    redisServer = await startRedisServer();
    redis = new Redis({ path: redisServer.socketPath });
    sim = await startSimServerProcess(["--seed", "21", "--scenario", "calm"]);
    stopSnapshots = startSnapshotWriter(sim, redis);
    // The default table with room for the simulator's spread regimes: this test is about slices
    // being run once, not about the liquidity probe holding them back.
    const table = structuredClone(defaultTableJson) as { routes: Record<string, unknown>[] };
    for (const row of table.routes) Object.assign(row, { spread_bps_max: 50, slip_bp_max: 50 });
    writeFileSync(join(dir, "routes.json"), JSON.stringify(table));
    const env = {
      PORT: "0",
      S4_EXCHANGE: "binance",
      S4_BINANCE_BASE_URL: sim.baseUrl,
      S4_BINANCE_KEY: sim.apiKey,
      S4_BINANCE_SECRET: sim.apiSecret,
      S4_REDIS_ADDRESSES: redisServer.address,
      S4_DB_SQLITE_PATH: join(dir, "s4.sqlite"),
      S4_ROUTE_TABLE_PATH: join(dir, "routes.json"),
      S4_TWAP_LEASE_MS: String(leaseMs),
      S4_RECV_WINDOW_MS: "2000",
      S4_TWAP_MAX_SLICES: String(slicesPerIntent),
      S4_LOG_LEVEL: "info",
    };
    routers.push(await startRouterProcess(env));
    routers.push(await startRouterProcess(env));
  }, 60_000);

  afterAll(async () => {
    await stopSnapshots();
    for (const router of routers) {
      router.child.kill("SIGTERM");
      await router.child.exited;
    }
    await sim?.stop();
    redis?.disconnect();
    await redisServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("50 TWAP intents × 4 slices: exactly 200 slice orders, none twice, one process SIGKILLed", async () => {
    const [a, b] = routers;
    if (a === undefined || b === undefined) throw new Error("routers not started");
    const qty = intentQty;
    const answers = await Promise.all(
      Array.from({ length: intentCount }, (_, index) =>
        post(index % 2 === 0 ? a.url : b.url, {
          intent_id: `mp-${index}`,
          market: "FUT",
          symbol: "BTCUSDT",
          side: "BUY",
          qty,
          exec_policy: { type: "TWAP", twap: { slices: slicesPerIntent, gap_ms: 600 } },
        }),
      ),
    );
    expect(answers.map((answer) => answer["status"])).toEqual(
      Array.from({ length: intentCount }, () => "ACCEPTED"),
    );
    // Mid-run, catch A holding a slice's lease: freeze it there (SIGSTOP), check the lease is
    // still A's, then kill it (SIGKILL). B must take that slice over when the lease ends.
    const started = await waitFor(
      async () => sliceOrders(await venueOrders(sim)).length >= 40,
      20_000,
    );
    expect(started).toBe(true);
    const orphaned = await freezeHoldingLease(redis, a);
    a.child.kill("SIGKILL");
    await a.child.exited;
    expect(orphaned.length).toBeGreaterThan(0);
    const before = sliceOrders(await venueOrders(sim)).length;
    expect(before).toBeLessThan(intentCount * slicesPerIntent);
    // B takes A's slices over once their leases end; everything is done when the queue is empty.
    const drained = await waitFor(
      async () => (await redis.zcard("prod:{exec}:twap:queue")) === 0,
      40_000,
    );
    expect(drained).toBe(true);
    await Bun.sleep(leaseMs);

    const slices = sliceOrders(await venueOrders(sim));
    const ids = slices.map((order) => order["clientOrderId"]);
    expect(slices).toHaveLength(intentCount * slicesPerIntent);
    expect(new Set(ids).size).toBe(intentCount * slicesPerIntent);
    const expected = new Set<string>();
    for (let index = 0; index < intentCount; index += 1) {
      for (let slice = 1; slice <= slicesPerIntent; slice += 1)
        expected.add(`mp-${index}/s${slice}`);
    }
    expect(new Set(ids)).toEqual(expected);
    const executed = slices.reduce(
      (total, order) => add(total, dec(order["executedQty"] ?? "0")),
      zero,
    );
    expect(formatDecimal(executed)).toBe(totalQty);

    // Every intent ended FILLED, as the surviving process reports it, with four slices done.
    const store = new SqliteOrderStore({ path: join(dir, "s4.sqlite"), clock: new SystemClock() });
    try {
      for (let index = 0; index < intentCount; index += 1) {
        const response = await fetch(`${b.url}/orders/mp-${index}`);
        const result = (await response.json()) as Record<string, unknown>;
        expect(result).toMatchObject({ status: "FILLED", filled_qty: qty });
        const events = await store.strategyEvents(`mp-${index}`);
        const done = new Set(
          events
            .filter((event) => event.kind === "TWAP_SLICE")
            .map((event) => event.payload["slice"]),
        );
        expect(done.size).toBe(slicesPerIntent);
      }
    } finally {
      await store.close();
    }
  }, 90_000);
});
