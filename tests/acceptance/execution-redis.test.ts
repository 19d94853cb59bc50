// Execution with a private Redis (DESIGN §4, §7): the route-table override `router:{param}:curves`
// (its rev in /health; an invalid one ignored with a WARN alert and the previous table kept; a
// removed one bringing the file back), the TWAP queue in `prod:{exec}:twap:queue`, and market
// snapshots read from `mkt:{snap}:<MARKET>:<SYMBOL>` with the gateway standing in when stale.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import { MemoryLogger } from "../../adapters/observability/console-logger.ts";
import { createRedisClient, type RedisClient } from "../../adapters/redis/redis-client.ts";
import { parseSnapshot, RedisMarketData } from "../../adapters/redis/redis-market-data.ts";
import { dec, formatDecimal } from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type { BookSnapshot } from "../../ports/exchange-gateway.ts";
import type { MarketData } from "../../ports/market-data.ts";
import defaultTableJson from "../../config/route-table.json";
import { startTestRouter, type TestRouter } from "../support/router-harness.ts";
import {
  type RedisServerHandle,
  redisBinariesAvailable,
  startRedisServer,
} from "../support/redis-server.ts";

const overrideKey = "router:{param}:curves";

function tableWithRev(rev: string): string {
  return JSON.stringify({ ...defaultTableJson, rev });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, limitMs = 10_000) {
  const deadline = Date.now() + limitMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await Bun.sleep(25);
    value = await read();
  }
  return value;
}

describe.skipIf(!redisBinariesAvailable())("execution with Redis", () => {
  let server: RedisServerHandle;
  let redis: Redis;
  let router: TestRouter;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis({ path: server.socketPath });
    await redis.set(overrideKey, tableWithRev("override-1"));
    router = await startTestRouter({
      env: { S4_REDIS_ADDRESSES: server.address, S4_ROUTE_TABLE_REFRESH_MS: "100" },
    });
  }, 20_000);
  afterAll(async () => {
    await router.stop();
    redis.disconnect();
    await server.stop();
  });

  const rev = async () => (await router.get("/health")).body["route_table_rev"];

  test("an override present at start-up is in force from the first order", async () => {
    expect(await rev()).toBe("override-1");
    expect(router.router.banner["route_table"]).toBe("rev override-1 (override)");
  });

  test("an invalid override is ignored with a WARN alert; the previous table stays", async () => {
    await redis.set(overrideKey, JSON.stringify({ rev: "broken", routes: [] }));
    const alerts = await until(
      () => router.router.store.recentAlerts(20),
      (list) => list.some((alert) => alert.code === "ROUTE_TABLE_OVERRIDE_INVALID"),
    );
    const alert = alerts.find((each) => each.code === "ROUTE_TABLE_OVERRIDE_INVALID");
    expect(alert).toMatchObject({ level: "WARN" });
    expect(alert?.message).toContain("fallback");
    expect(alert?.message).toContain("keeping route table rev override-1");
    expect(await rev()).toBe("override-1");
    const published = await until(
      async () => (await redis.xrange("alerts", "-", "+")) as [string, string[]][],
      (entries) => entries.length > 0,
    );
    expect(JSON.stringify(published)).toContain("ROUTE_TABLE_OVERRIDE_INVALID");
    // Not alerted again while the same bad text stays.
    await Bun.sleep(400);
    const again = (await router.router.store.recentAlerts(50)).filter(
      (each) => each.code === "ROUTE_TABLE_OVERRIDE_INVALID",
    );
    expect(again).toHaveLength(1);
  });

  test("a new valid override replaces it; removing the key brings the file's table back", async () => {
    await redis.set(overrideKey, tableWithRev("override-2"));
    expect(await until(rev, (value) => value === "override-2")).toBe("override-2");
    await redis.del(overrideKey);
    expect(await until(rev, (value) => value === defaultTableJson.rev)).toBe(defaultTableJson.rev);
  });

  test("a TWAP waits in prod:{exec}:twap:queue, scored by its next slice's due time", async () => {
    const placed = await router.post("/orders", {
      intent_id: "acc-redis-twap",
      market: "FUT",
      symbol: "BTCUSDT",
      side: "BUY",
      qty: "0.02",
      exec_policy: { type: "TWAP", twap: { slices: 2, gap_ms: 1_500 } },
    });
    expect(placed.body).toMatchObject({ status: "ACCEPTED" });
    const queued = await until(
      async () =>
        (await redis.zrange("prod:{exec}:twap:queue", "0", "-1", "WITHSCORES")) as string[],
      (entries) => entries[0] === "acc-redis-twap" && Number(entries[1]) - Date.now() > 500,
    );
    expect(queued[0]).toBe("acc-redis-twap");
    const done = await until(
      async () => (await router.get("/orders/acc-redis-twap")).body,
      (body) => body["status"] === "FILLED",
    );
    expect(done).toMatchObject({ exec: { slices_done: 2 } });
    expect(await redis.zcard("prod:{exec}:twap:queue")).toBe(0);
  });

  test("a fresh market snapshot in Redis is what the router prices with", async () => {
    const book = await router.router.exchange.bookTop("FUT", "ETHUSDT");
    if (!book.ok) throw new Error(book.error.message);
    // A touch 2 ticks wide around the venue's own bid, as the market-data service wrote it.
    const bid = book.value.bid;
    await redis.set(
      "mkt:{snap}:FUT:ETHUSDT",
      JSON.stringify({
        bid: formatDecimal(bid),
        ask: formatDecimal({ units: bid.units + 2n, scale: bid.scale }),
        bid_qty: "5",
        ask_qty: "5",
        ts: Date.now(),
      }),
    );
    const placed = await router.post("/orders", {
      intent_id: "acc-redis-snap",
      market: "FUT",
      symbol: "ETHUSDT",
      side: "BUY",
      qty: "0.01",
      exec_policy: { type: "MARKET" },
    });
    expect(placed.body["status"]).toBe("FILLED");
    const fills = await router.router.store.fillsOfIntent("acc-redis-snap");
    expect(formatDecimal(fills[0]?.midAtSend ?? dec("0"))).toBe(
      formatDecimal({ units: bid.units * 10n + 10n, scale: bid.scale + 1 }),
    );
  });
});

describe.skipIf(!redisBinariesAvailable())("RedisMarketData", () => {
  let server: RedisServerHandle;
  let client: RedisClient;
  const clock = new ManualClock(1_800_000_000_000);
  const fallbackSnapshot: BookSnapshot = {
    market: "FUT",
    symbol: "BTCUSDT",
    bid: dec("1"),
    ask: dec("2"),
    bidQty: dec("1"),
    askQty: dec("1"),
    bids: [],
    asks: [],
    markPrice: null,
    tsMs: 0,
  };
  const fallback: MarketData = {
    snapshot: async (_market: Market, _symbol: string) => fallbackSnapshot,
  };

  beforeAll(async () => {
    server = await startRedisServer();
    client = createRedisClient([server.address]);
  });
  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  test("reads the JSON form, with up to three levels per side", async () => {
    await client.set(
      "mkt:{snap}:FUT:BTCUSDT",
      JSON.stringify({
        bid: "95000.1",
        ask: "95000.2",
        bid_qty: "1.5",
        ask_qty: "2",
        bids: [
          ["95000.1", "1.5"],
          ["95000.0", "3"],
        ],
        asks: [{ price: "95000.2", qty: "2" }],
        mark: "95001",
        ts: clock.nowMs() - 100,
      }),
    );
    const data = new RedisMarketData(client, fallback, clock);
    const snapshot = await data.snapshot("FUT", "BTCUSDT");
    expect(snapshot).toMatchObject({
      bid: dec("95000.1"),
      ask: dec("95000.2"),
      markPrice: dec("95001"),
    });
    expect(snapshot?.bids).toHaveLength(2);
  });

  test("reads the hash form (levels as JSON text)", async () => {
    await client.del("mkt:{snap}:SPOT:BTCUSDT");
    await client.hset("mkt:{snap}:SPOT:BTCUSDT", {
      bid: "95000.10",
      ask: "95000.20",
      bid_qty: "1",
      ask_qty: "1",
      bids: JSON.stringify([["95000.10", "1"]]),
      asks: JSON.stringify([["95000.20", "1"]]),
      ts: String(clock.nowMs()),
    });
    const data = new RedisMarketData(client, fallback, clock);
    expect((await data.snapshot("SPOT", "BTCUSDT"))?.ask).toEqual(dec("95000.20"));
  });

  test("absent, stale or malformed snapshots fall back to the gateway, malformed logged once", async () => {
    const logger = new MemoryLogger();
    const data = new RedisMarketData(client, fallback, clock, { maxAgeMs: 2_000, logger });
    expect(await data.snapshot("FUT", "ETHUSDT")).toBe(fallbackSnapshot);
    await client.set(
      "mkt:{snap}:FUT:ETHUSDT",
      JSON.stringify({ bid: "1", ask: "2", bid_qty: "1", ask_qty: "1", ts: clock.nowMs() - 2_001 }),
    );
    expect(await data.snapshot("FUT", "ETHUSDT")).toBe(fallbackSnapshot);
    await client.set("mkt:{snap}:FUT:ETHUSDT", JSON.stringify({ bid: "1e5", ask: "x", ts: 1 }));
    expect(await data.snapshot("FUT", "ETHUSDT")).toBe(fallbackSnapshot);
    expect(await data.snapshot("FUT", "ETHUSDT")).toBe(fallbackSnapshot);
    expect(logger.lines.filter((line) => /malformed/.test(line.message))).toHaveLength(1);
  });

  test("parseSnapshot refuses what it cannot price with", () => {
    const good = { bid: "1", ask: "2", bid_qty: "1", ask_qty: "1", ts: 5 };
    expect(parseSnapshot("FUT", "X", good)?.bids).toEqual([{ price: dec("1"), qty: dec("1") }]);
    expect(parseSnapshot("FUT", "X", { ...good, bid: "0" })).toBeNull();
    expect(parseSnapshot("FUT", "X", { ...good, ts: "soon" })).toBeNull();
    expect(parseSnapshot("FUT", "X", { ...good, asks: "[[1]]" })).toBeNull();
  });
});
