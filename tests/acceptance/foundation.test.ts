// Issue acceptance for the foundation, over real HTTP against the router as `bun start` runs it:
// embedded default (simulated venue, SQLite file, in-memory twins), then with a private Redis.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { rmSync } from "node:fs";
import { formatDecimal } from "../../domain/decimal/index.ts";
import { type SimServerProcess, startSimServerProcess } from "../support/sim-server-process.ts";
import { makeTempDir, startTestRouter, type TestRouter } from "../support/router-harness.ts";
import {
  redisBinariesAvailable,
  startRedisServer,
  type RedisServerHandle,
} from "../support/redis-server.ts";

const futMarketBuy = (intentId: string, extra: Record<string, unknown> = {}) => ({
  intent_id: intentId,
  market: "FUT",
  symbol: "BTCUSDT",
  side: "BUY",
  qty: 0.002,
  ...extra,
});

/** The venue's position, read through the exchange port (works for every venue). */
async function positionQty(router: TestRouter, symbol: string): Promise<string> {
  const answer = await router.router.exchange.positions(symbol);
  if (!answer.ok) throw new Error(answer.error.message);
  const position = answer.value.find((candidate) => candidate.symbol === symbol);
  return position === undefined ? "0" : formatDecimal(position.qty);
}

function flowsAgainst(name: string, env: () => Record<string, string>, skip = false) {
  describe.skipIf(skip)(`foundation flows (${name})`, () => {
    let router: TestRouter;
    beforeAll(async () => {
      router = await startTestRouter({ env: env() });
    });
    afterAll(async () => {
      await router.stop();
    });

    test("a FUT BTCUSDT MARKET BUY of 0.002 fills, and a replay returns the same order", async () => {
      const first = await router.post("/orders", futMarketBuy("acc-fut-1"));
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ result: "OK", status: "FILLED", filled_qty: "0.002" });
      expect(Number(first.body["avg_price"])).toBeGreaterThan(0);
      expect(typeof first.body["slippage_bps"]).toBe("number");
      const fills = first.body["fills"] as Record<string, unknown>[];
      expect(fills.length).toBeGreaterThan(0);
      expect(fills[0]).toMatchObject({ liquidity: "TAKER", fee_asset: "USDT" });
      const again = await router.post("/orders", futMarketBuy("acc-fut-1"));
      expect(again.status).toBe(200);
      expect(again.body["order_id"]).toBe(first.body["order_id"]);
      expect(again.body["fills"]).toEqual(first.body["fills"]);
      const looked = await router.get("/orders/acc-fut-1");
      expect(looked.status).toBe(200);
      expect(looked.body["order_id"]).toBe(first.body["order_id"]);
      const byClientId = await router.get(`/orders/${first.body["client_order_id"]}`);
      expect(byClientId.body["intent_id"]).toBe("acc-fut-1");
    });

    test("the filters answer with their own codes", async () => {
      const lot = await router.post("/orders", futMarketBuy("acc-lot", { qty: 0.0015 }));
      expect(lot.status).toBe(400);
      expect(lot.body).toMatchObject({
        result: "FAIL",
        status: "REJECTED",
        code: "LOT_SIZE",
        field: "qty",
      });
      const tick = await router.post("/orders", {
        intent_id: "acc-tick",
        market: "SPOT",
        symbol: "BTCUSDT",
        side: "BUY",
        qty: "0.001",
        exec_policy: { type: "LIMIT", price: "90000.005", time_in_force: "GTC" },
      });
      expect(tick.status).toBe(400);
      expect(tick.body).toMatchObject({
        code: "PRICE_FILTER",
        field: "exec_policy.price",
        rule: "tick_size",
      });
      const notional = await router.post("/orders", {
        intent_id: "acc-notional",
        market: "SPOT",
        symbol: "BTCUSDT",
        side: "BUY",
        qty: "0.00001",
      });
      expect(notional.status).toBe(422);
      expect(notional.body).toMatchObject({ code: "MIN_NOTIONAL" });
      const unknown = await router.post(
        "/orders",
        futMarketBuy("acc-unknown", { symbol: "DOGEUSDT" }),
      );
      expect(unknown.status).toBe(400);
      expect(unknown.body["code"]).toBe("UNKNOWN_SYMBOL");
    });

    test("cancel: unknown is 404, filled is 409, both ids is 400, a resting limit cancels once", async () => {
      const missing = await router.post("/cancel", { order_id: "ord_nope" });
      expect(missing.status).toBe(404);
      expect(missing.body["code"]).toBe("ORDER_NOT_FOUND");
      const filled = await router.post("/orders", futMarketBuy("acc-cancel-filled"));
      const filledCancel = await router.post("/cancel", { order_id: filled.body["order_id"] });
      expect(filledCancel.status).toBe(409);
      expect(filledCancel.body["code"]).toBe("ALREADY_FILLED");
      const both = await router.post("/cancel", { order_id: "a", client_order_id: "b" });
      expect(both.status).toBe(400);
      const resting = await router.post("/orders", {
        intent_id: "acc-resting",
        market: "SPOT",
        symbol: "BTCUSDT",
        side: "BUY",
        qty: "0.001",
        exec_policy: { type: "LIMIT", price: "50000", time_in_force: "GTC" },
      });
      expect(resting.status).toBe(200);
      expect(resting.body["status"]).toBe("ACCEPTED");
      const canceled = await router.post("/cancel", {
        client_order_id: resting.body["client_order_id"],
        reason: "test",
      });
      expect(canceled.status).toBe(200);
      expect(canceled.body).toMatchObject({ result: "OK", status: "CANCELED" });
      const twice = await router.post("/cancel", { order_id: resting.body["order_id"] });
      expect(twice.status).toBe(200);
      expect(twice.body["status"]).toBe("CANCELED");
      const after = await router.get("/orders/acc-resting");
      expect(after.body["status"]).toBe("CANCELED");
    });

    test("malformed, oversized and absurd bodies are clear 4xx and write nothing", async () => {
      const malformed = await router.post("/orders", "{not json");
      expect(malformed.status).toBe(400);
      expect(malformed.body["code"]).toBe("MALFORMED_JSON");
      const huge = await router.post("/orders", {
        ...futMarketBuy("acc-huge"),
        pad: "x".repeat(200_000),
      });
      expect(huge.status).toBe(413);
      for (const qty of [-1, 1e308, "0.1234567890123456789012345678901234567890", "NaN", null]) {
        const absurd = await router.post("/orders", futMarketBuy("acc-absurd", { qty }));
        expect(absurd.status).toBe(400);
        expect(absurd.body["field"]).toBe("qty");
      }
      const nothing = await router.get("/orders/acc-absurd");
      expect(nothing.status).toBe(404);
      const health = await router.get("/health");
      expect(health.status).toBe(200);
    });

    test("20 concurrent duplicates make exactly one exchange order", async () => {
      const before = await positionQty(router, "ETHUSDT");
      const body = {
        intent_id: "acc-dup-20",
        market: "FUT",
        symbol: "ETHUSDT",
        side: "BUY",
        qty: "0.01",
      };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => router.post("/orders", body)),
      );
      const orderIds = new Set(answers.map((answer) => answer.body["order_id"]));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      expect(orderIds.size).toBe(1);
      expect(before).toBe("0");
      expect(await positionQty(router, "ETHUSDT")).toBe("0.01");
    });

    test("the same intent_id with another payload is refused", async () => {
      await router.post("/orders", futMarketBuy("acc-mismatch"));
      const other = await router.post("/orders", futMarketBuy("acc-mismatch", { qty: 0.003 }));
      expect(other.status).toBe(422);
      expect(other.body["code"]).toBe("IDEMPOTENCY_MISMATCH");
    });
  });
}

flowsAgainst("embedded", () => ({}));

describe.skipIf(!redisBinariesAvailable())("foundation flows with Redis", () => {
  let redis: RedisServerHandle;
  let router: TestRouter;
  let reader: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    router = await startTestRouter({ env: { S4_REDIS_ADDRESSES: redis.address } });
    reader = new Redis({ path: redis.socketPath });
  });
  afterAll(async () => {
    reader.disconnect();
    await router.stop();
    await redis.stop();
  });

  async function waitForEntries(stream: string, count: number): Promise<[string, string[]][]> {
    for (let attempt = 0; attempt < 250; attempt += 1) {
      const entries = (await reader.xrange(stream, "-", "+")) as [string, string[]][];
      if (entries.length >= count) return entries;
      await Bun.sleep(20);
    }
    return (await reader.xrange(stream, "-", "+")) as [string, string[]][];
  }

  test("results land on ord:{results} and fills on orders:executed", async () => {
    const placed = await router.post("/orders", futMarketBuy("acc-redis-1"));
    expect(placed.status).toBe(200);
    expect(router.router.banner["idempotency_store"]).toContain("redis");
    const results = await waitForEntries("ord:{results}", 1);
    const resultPayloads = results.map(([, fields]) =>
      JSON.parse(fields[fields.indexOf("data") + 1] ?? "{}"),
    );
    expect(
      resultPayloads.some(
        (payload) => payload.intent_id === "acc-redis-1" && payload.status === "FILLED",
      ),
    ).toBe(true);
    const fills = await waitForEntries("orders:executed", 1);
    const fillPayload = JSON.parse(fills[0]?.[1][fills[0][1].indexOf("data") + 1] ?? "{}");
    expect(fillPayload).toMatchObject({
      intent_id: "acc-redis-1",
      order_id: placed.body["order_id"],
    });
    const key = await reader.hgetall(`idem:order:{${placed.body["client_order_id"]}}`);
    expect(Object.keys(key).length).toBeGreaterThan(0);
  });

  test("risk:killswitch refuses new positions with 422 and lets exits through", async () => {
    await reader.set("risk:killswitch:ETHUSDT", "1");
    try {
      const opened = await router.post(
        "/orders",
        futMarketBuy("acc-kill-open", { symbol: "ETHUSDT", qty: "0.01" }),
      );
      expect(opened.status).toBe(422);
      expect(opened.body).toMatchObject({ code: "KILL_SWITCH", rule: "symbol" });
      const other = await router.post("/orders", futMarketBuy("acc-kill-btc"));
      expect(other.status).toBe(200);
      const exit = await router.post(
        "/orders",
        futMarketBuy("acc-kill-exit", { side: "SELL", kind: "EXIT" }),
      );
      expect(exit.status).toBe(200);
      expect(exit.body["status"]).toBe("FILLED");
      const health = await router.get("/health");
      expect(health.body["kill_switch"]).toEqual({ global: false, symbols: ["ETHUSDT"] });
    } finally {
      await reader.del("risk:killswitch:ETHUSDT");
    }
  });
});

flowsAgainst(
  "redis-backed",
  () => ({ S4_REDIS_ADDRESSES: sharedRedisAddress() }),
  !redisBinariesAvailable(),
);

let sharedRedis: RedisServerHandle | null = null;
function sharedRedisAddress(): string {
  if (sharedRedis === null) throw new Error("redis not started");
  return sharedRedis.address;
}
beforeAll(async () => {
  if (redisBinariesAvailable()) sharedRedis = await startRedisServer();
});
afterAll(async () => {
  await sharedRedis?.stop();
});

describe("restart", () => {
  test("a stored intent is still found, and the venue keeps its position, after a restart", async () => {
    const dir = makeTempDir();
    try {
      const first = await startTestRouter({ dir });
      const placed = await first.post("/orders", futMarketBuy("acc-restart"));
      expect(placed.body["status"]).toBe("FILLED");
      const positionBefore = await positionQty(first, "BTCUSDT");
      await first.stop();
      const second = await startTestRouter({ dir });
      try {
        const looked = await second.get("/orders/acc-restart");
        expect(looked.status).toBe(200);
        expect(looked.body).toMatchObject({ order_id: placed.body["order_id"], status: "FILLED" });
        expect(await positionQty(second, "BTCUSDT")).toBe(positionBefore);
        expect(second.router.banner["exchange"]).toContain("resumed");
        const replay = await second.post("/orders", futMarketBuy("acc-restart"));
        expect(replay.body["order_id"]).toBe(placed.body["order_id"]);
        expect(await positionQty(second, "BTCUSDT")).toBe(positionBefore);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The same flows with the Binance adapter against the Binance-protocol simulator, started as
// `bun run sim:binance` would start it (its own process, found through its first stdout line).
let simServer: SimServerProcess | null = null;
flowsAgainst("binance adapter against sim:binance", () => {
  if (simServer === null) throw new Error("simulator server not started");
  return {
    S4_EXCHANGE: "binance",
    S4_BINANCE_BASE_URL: simServer.baseUrl,
    S4_BINANCE_KEY: simServer.apiKey,
    S4_BINANCE_SECRET: simServer.apiSecret,
  };
});
beforeAll(async () => {
  simServer = await startSimServerProcess(["--seed", "11", "--scenario", "calm"]);
});
afterAll(async () => {
  await simServer?.stop();
});
