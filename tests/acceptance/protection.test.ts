// Issue 5 acceptance over real HTTP, against the router as `bun start` runs it (embedded simulated
// venue, SQLite), and with a private Redis for the guard key: futures SL/TP as algo orders, spot
// OCO and its fallback, the 400/422 refusals, cancel with cascade_oco and then: MARKET, and a
// guardian that survives a restart.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { rmSync } from "node:fs";
import type { MemoryEventPublisher } from "../../adapters/memory/memory-event-publisher.ts";
import type { SimVenue } from "../../adapters/sim/sim-venue.ts";
import { protectionIds } from "../../application/protection/protection-ids.ts";
import { dec, formatDecimal, gte } from "../../domain/decimal/index.ts";
import { netProfitUsdt } from "../../domain/protection/index.ts";
import { redisBinariesAvailable, startRedisServer } from "../support/redis-server.ts";
import { makeTempDir, startTestRouter, type TestRouter } from "../support/router-harness.ts";

type Json = Record<string, unknown>;
type Leg = { role: string; order_id: string; client_order_id: string; type: string } & Json;

function sim(router: TestRouter): SimVenue {
  const venue = router.router.sim;
  if (venue === null) throw new Error("expected the simulated venue");
  return venue;
}

function mid(router: TestRouter, market: "SPOT" | "FUT", symbol: string): number {
  const venue = sim(router);
  const top = venue.engine.bookTop(market, symbol, venue.engine.nowMs());
  if (!top.ok) throw new Error(top.reject.message);
  return (Number(formatDecimal(top.value.bid)) + Number(formatDecimal(top.value.ask))) / 2;
}

const at = (value: number, decimals: number) => value.toFixed(decimals);

async function streamEntries(router: TestRouter, stream: string, count = 1): Promise<Json[]> {
  const publisher = router.router.publisher as MemoryEventPublisher;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const entries = publisher.read(stream).map((entry) => entry.payload as Json);
    if (entries.length >= count) return entries;
    await Bun.sleep(10);
  }
  return publisher.read(stream).map((entry) => entry.payload as Json);
}

function legsOf(body: Json): Leg[] {
  return body["legs"] as Leg[];
}

describe("protection over HTTP (embedded)", () => {
  let router: TestRouter;
  beforeAll(async () => {
    router = await startTestRouter();
  });
  afterAll(async () => {
    await router.stop();
  });

  test("FUT stop STOP_MARKET on MARK_PRICE, reduce-only, with a TP: ACCEPTED, both legs", async () => {
    const price = mid(router, "FUT", "BTCUSDT");
    const answer = await router.post("/orders", {
      intent_id: "prot-fut-1",
      market: "FUT",
      symbol: "BTCUSDT",
      side: "BUY",
      qty: "0.002",
      sl: { type: "STOP_MARKET", price: at(price * 0.99, 1) },
      tp: { type: "TAKE_PROFIT_MARKET", price: at(price * 1.01, 1) },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ result: "OK", status: "ACCEPTED", filled_qty: "0.002" });
    const legs = legsOf(answer.body);
    expect(legs.map((leg) => [leg.role, leg.type, leg.status])).toEqual([
      ["SL", "STOP_MARKET", "ACCEPTED"],
      ["TP", "TAKE_PROFIT_MARKET", "ACCEPTED"],
    ]);
    const ids = protectionIds("prot-fut-1");
    expect(legs.map((leg) => leg.client_order_id)).toEqual([
      ids.stopLoss.clientOrderId,
      ids.takeProfit.clientOrderId,
    ]);
    expect((answer.body["order_ids"] as string[]).includes(legs[0]!.order_id)).toBe(true);
    const venue = sim(router);
    const algos = venue.engine.openAlgos("BTCUSDT", venue.engine.nowMs());
    const stop = algos.find((algo) => algo.clientAlgoId === ids.stopLoss.clientOrderId);
    expect(stop).toMatchObject({
      type: "STOP_MARKET",
      side: "SELL",
      workingType: "MARK_PRICE",
      reduceOnly: true,
      closePosition: false,
      status: "NEW",
    });
    expect(formatDecimal(stop!.qty!)).toBe("0.002");
    // ISOLATED and leverage 20, set before the entry.
    const position = venue.engine.positions("BTCUSDT", venue.engine.nowMs())[0];
    expect(position).toMatchObject({ marginType: "ISOLATED", leverage: 20 });
    const armed = await streamEntries(router, "risk:sl_arm");
    expect(armed.some((entry) => entry["intent_id"] === "prot-fut-1")).toBe(true);
    const looked = await router.get("/orders/prot-fut-1");
    expect(legsOf(looked.body).map((leg) => leg.status)).toEqual(["ACCEPTED", "ACCEPTED"]);
  });

  test("TP from net_profit_usdt: the trigger nets the target after both fees, on the tick", async () => {
    const price = mid(router, "FUT", "ETHUSDT");
    const answer = await router.post("/orders", {
      intent_id: "prot-fut-net",
      market: "FUT",
      symbol: "ETHUSDT",
      side: "SELL",
      qty: "0.05",
      sl: { type: "STOP_MARKET", price: at(price * 1.01, 2) },
      tp: { type: "TAKE_PROFIT_MARKET", target: "net_profit_usdt", value: "1.5" },
    });
    expect(answer.body["status"]).toBe("ACCEPTED");
    const take = legsOf(answer.body).find((leg) => leg.role === "TP")!;
    const trigger = dec(take["stop_price"] as string);
    const fills = answer.body["fills"] as Json[];
    const entryPrice = dec(answer.body["avg_price"] as string);
    const entryFee = dec(fills.map((fill) => fill["fee"] as string)[0]!);
    const net = netProfitUsdt(
      {
        positionSide: "SHORT",
        entryPrice,
        qty: dec("0.05"),
        entryFeeUsdt: entryFee,
        takerFeeRate: dec("0.0005"),
      },
      trigger,
    );
    expect(gte(net, dec("1.5"))).toBe(true);
    // One tick closer to the entry would miss the target: rounded away from it.
    const closer = netProfitUsdt(
      {
        positionSide: "SHORT",
        entryPrice,
        qty: dec("0.05"),
        entryFeeUsdt: entryFee,
        takerFeeRate: dec("0.0005"),
      },
      dec(at(Number(formatDecimal(trigger)) + 0.01, 2)),
    );
    expect(gte(closer, dec("1.5"))).toBe(false);
  });

  test("FUT stop without a price is 400; reduce-only with no position is 422", async () => {
    const missing = await router.post("/orders", {
      intent_id: "prot-no-price",
      market: "FUT",
      symbol: "BTCUSDT",
      side: "BUY",
      qty: "0.002",
      sl: { type: "STOP_MARKET" },
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ result: "FAIL", field: "sl.price" });
    // BTCUSDT holds a long here: a reduce-only BUY has no short to reduce.
    const reduce = await router.post("/orders", {
      intent_id: "prot-reduce-new",
      market: "FUT",
      symbol: "BTCUSDT",
      side: "BUY",
      qty: "0.002",
      reduce_only: true,
    });
    expect(reduce.status).toBe(422);
    expect(reduce.body["code"]).toBe("REDUCE_ONLY_REJECTED");
    const wrongSide = await router.post("/orders", {
      intent_id: "prot-wrong-side",
      market: "FUT",
      symbol: "BTCUSDT",
      side: "BUY",
      qty: "0.002",
      sl: { type: "STOP_MARKET", price: at(mid(router, "FUT", "BTCUSDT") * 1.02, 1) },
    });
    expect(wrongSide.status).toBe(400);
    expect(wrongSide.body).toMatchObject({ field: "sl.price", rule: "sl_not_on_losing_side" });
    expect((await router.get("/orders/prot-wrong-side")).status).toBe(404);
  });

  test("SPOT OCO: ACCEPTED with both legs' ids, a live order list on the venue", async () => {
    const price = mid(router, "SPOT", "BTCUSDT");
    const answer = await router.post("/orders", {
      intent_id: "prot-oco-1",
      market: "SPOT",
      symbol: "BTCUSDT",
      side: "BUY",
      qty: "0.001",
      exec_policy: { type: "OCO", tp_price: at(price * 1.01, 2), sl_price: at(price * 0.99, 2) },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "ACCEPTED", filled_qty: "0.001" });
    const legs = legsOf(answer.body);
    expect(legs.map((leg) => [leg.role, leg.type, leg.status])).toEqual([
      ["TP", "LIMIT_MAKER", "ACCEPTED"],
      ["SL", "STOP_LOSS_LIMIT", "ACCEPTED"],
    ]);
    expect(legs.every((leg) => typeof leg["exchange_order_id"] === "string")).toBe(true);
    // 0.001 filled, 0.000001 BTC commission: 0.000999 held, 0.00099 on the 0.00001 step.
    const venue = sim(router);
    const lists = venue.engine.openOrderLists("BTCUSDT", venue.engine.nowMs());
    const list = lists.find((l) => l.list.listClientOrderId === protectionIds("prot-oco-1").list);
    expect(list?.orders.map((order) => order.clientOrderId)).toEqual(
      legs.map((leg) => leg.client_order_id),
    );
    expect(formatDecimal(list!.orders[0]!.qty)).toBe("0.00099");
    const armed = await streamEntries(router, "spot:oco:armed");
    expect(armed.some((entry) => entry["intent_id"] === "prot-oco-1")).toBe(true);
  });

  test("cancelling one OCO leg with cascade_oco cancels both (and the list)", async () => {
    const price = mid(router, "SPOT", "ETHUSDT");
    const placed = await router.post("/orders", {
      intent_id: "prot-oco-cancel",
      market: "SPOT",
      symbol: "ETHUSDT",
      side: "BUY",
      qty: "0.01",
      exec_policy: { type: "OCO", tp_price: at(price * 1.02, 2), sl_price: at(price * 0.98, 2) },
    });
    const [take, stop] = legsOf(placed.body);
    const canceled = await router.post("/cancel", { order_id: take!.order_id, reason: "test" });
    expect(canceled.status).toBe(200);
    expect(canceled.body["result"]).toBe("OK");
    expect(new Set(canceled.body["canceled_ids"] as string[])).toEqual(
      new Set([take!.order_id, stop!.order_id]),
    );
    const looked = await router.get("/orders/prot-oco-cancel");
    expect(legsOf(looked.body).map((leg) => leg.status)).toEqual(["CANCELED", "CANCELED"]);
    expect(looked.body["status"]).toBe("FILLED");
    const venue = sim(router);
    const open = venue.engine.openOrderLists("ETHUSDT", venue.engine.nowMs());
    expect(open.some((l) => l.list.listClientOrderId.startsWith("prot-oco-cancel"))).toBe(false);
  });

  test("OCO refused by the venue (order-list limit): take-profit limit + guardian stop", async () => {
    const price = mid(router, "SPOT", "ETHUSDT");
    const body = (index: number) => ({
      intent_id: `prot-oco-fill-${index}`,
      market: "SPOT",
      symbol: "ETHUSDT",
      side: "BUY",
      qty: "0.01",
      exec_policy: { type: "OCO", tp_price: at(price * 1.03, 2), sl_price: at(price * 0.97, 2) },
    });
    // MAX_NUM_ORDER_LISTS is 20 per symbol: the 21st list is refused with a filter failure.
    for (let index = 0; index < 20; index += 1) await router.post("/orders", body(index));
    const refused = await router.post("/orders", body(20));
    expect(refused.status).toBe(200);
    expect(refused.body["status"]).toBe("ACCEPTED");
    const shown = legsOf(refused.body);
    // The refused list's legs stay visible as REJECTED; the fallback's legs work.
    expect(shown.map((leg) => [leg.role, leg.type, leg.status, leg["guardian"] === true])).toEqual([
      ["TP", "LIMIT_MAKER", "REJECTED", false],
      ["SL", "STOP_LOSS_LIMIT", "REJECTED", false],
      ["TP", "LIMIT_MAKER", "ACCEPTED", true],
      ["SL", "STOP_LOSS", "ACCEPTED", true],
    ]);
    const legs = shown.slice(2);
    expect(legs[1]!["exchange_order_id"]).toBeUndefined();
    const arm = await streamEntries(router, "guard:spot:arm");
    expect(arm.some((entry) => entry["intent_id"] === "prot-oco-fill-20")).toBe(true);
    const alerts = await streamEntries(router, "alerts");
    expect(alerts.some((a) => a["code"] === "OCO_FALLBACK")).toBe(true);
    expect(router.router.protection.guardian.stateOf("prot-oco-fill-20")?.status).toBe("ARMED");
    // Cancelling the emulated stop disarms the guardian and, cascading, cancels the maker.
    const canceled = await router.post("/cancel", { order_id: legs[1]!.order_id });
    expect(canceled.body["result"]).toBe("OK");
    expect(new Set(canceled.body["canceled_ids"] as string[])).toEqual(
      new Set(legs.map((leg) => leg.order_id)),
    );
    expect(router.router.protection.guardian.stateOf("prot-oco-fill-20")).toBeNull();
  });

  test("cancel a FUT leg with then: MARKET: the sibling goes and the position is closed", async () => {
    // BTCUSDT holds a long (earlier test): this entry adds to it and its exit takes it back.
    const price = mid(router, "FUT", "BTCUSDT");
    const venue = sim(router);
    const before = venue.engine.positions("BTCUSDT", venue.engine.nowMs())[0]?.qty ?? dec("0");
    const placed = await router.post("/orders", {
      intent_id: "prot-fut-market",
      market: "FUT",
      symbol: "BTCUSDT",
      side: "BUY",
      qty: "0.003",
      sl: { type: "STOP_MARKET", price: at(price * 0.98, 1) },
      tp: { type: "TAKE_PROFIT_MARKET", price: at(price * 1.02, 1) },
    });
    const [stop, take] = legsOf(placed.body);
    const canceled = await router.post("/cancel", { order_id: stop!.order_id, then: "MARKET" });
    expect(canceled.status).toBe(200);
    expect(canceled.body["result"]).toBe("OK");
    expect(canceled.body["market_order_id"]).toBeDefined();
    expect(new Set(canceled.body["canceled_ids"] as string[])).toEqual(
      new Set([stop!.order_id, take!.order_id]),
    );
    const after = venue.engine.positions("BTCUSDT", venue.engine.nowMs())[0]?.qty ?? dec("0");
    expect(formatDecimal(after)).toBe(formatDecimal(before));
    const open = venue.engine.openAlgos("BTCUSDT", venue.engine.nowMs());
    expect(open.some((algo) => algo.clientAlgoId.startsWith("prot-fut-market"))).toBe(false);
    // The market exit is the stop leg's: the entry still reads 0.003, the exit shows as a leg.
    const looked = await router.get("/orders/prot-fut-market");
    expect(looked.body["filled_qty"]).toBe("0.003");
    const exit = legsOf(looked.body).find(
      (leg) => leg.order_id === canceled.body["market_order_id"],
    );
    expect(exit).toMatchObject({ role: "SL", type: "MARKET", status: "FILLED" });
  });
});

describe("guardian state survives a restart (embedded: from the store)", () => {
  test("a forced spot guardian is ARMED again after the router restarts", async () => {
    const dir = makeTempDir();
    const env = { S4_OCO_GUARDIAN: "true" };
    let router = await startTestRouter({ dir, env });
    try {
      const price = mid(router, "SPOT", "BTCUSDT");
      const placed = await router.post("/orders", {
        intent_id: "prot-restart",
        market: "SPOT",
        symbol: "BTCUSDT",
        side: "BUY",
        qty: "0.001",
        exec_policy: { type: "OCO", tp_price: at(price * 1.05, 2), sl_price: at(price * 0.95, 2) },
      });
      expect(legsOf(placed.body).every((leg) => leg["guardian"] === true)).toBe(true);
      await router.stop();
      router = await startTestRouter({ dir, env });
      let status: string | null = null;
      for (let attempt = 0; attempt < 200 && status === null; attempt += 1) {
        status = router.router.protection.guardian.stateOf("prot-restart")?.status ?? null;
        if (status === null) await Bun.sleep(10);
      }
      expect(status).toBe("ARMED");
      const looked = await router.get("/orders/prot-restart");
      expect(legsOf(looked.body).map((leg) => [leg.role, leg["guardian"]])).toEqual([
        ["TP", true],
        ["SL", true],
      ]);
    } finally {
      await router.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!redisBinariesAvailable())("guard key in Redis", () => {
  test("guard:{stop}:<symbol>:<intent_id> holds {state: armed, armed_at, ...}", async () => {
    const redis = await startRedisServer();
    const router = await startTestRouter({
      env: { S4_REDIS_ADDRESSES: redis.address, S4_OCO_GUARDIAN: "true" },
    });
    const reader = new Redis({ path: redis.socketPath });
    try {
      const price = mid(router, "SPOT", "ETHUSDT");
      await router.post("/orders", {
        intent_id: "prot-redis",
        market: "SPOT",
        symbol: "ETHUSDT",
        side: "BUY",
        qty: "0.01",
        exec_policy: { type: "OCO", tp_price: at(price * 1.05, 2), sl_price: at(price * 0.95, 2) },
      });
      const text = await reader.get("guard:{stop}:ETHUSDT:prot-redis");
      const value = JSON.parse(text ?? "{}") as Json;
      expect(value).toMatchObject({ state: "armed", intent_id: "prot-redis", market: "SPOT" });
      expect(typeof value["armed_at"]).toBe("number");
      expect(await reader.get("guard:{stop}:lease:ETHUSDT:prot-redis")).not.toBeNull();
    } finally {
      reader.disconnect();
      await router.stop();
      await redis.stop();
    }
  });
});
