// The admin path: state, fault plan (validated, replaced, injected), a manual clock moved from
// outside, scripted mids, reset to a fresh account, and a system-clock server refusing advance.

import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { admin, signed, type Wire } from "./sim-server-kit.ts";

const clock = new ManualClock(1_800_000_000_000);
const server = startBinanceSimServer({ clock, seed: 17 });
const systemServer = startBinanceSimServer({ seed: 17 });
afterAll(async () => {
  await Promise.all([server.stop(), systemServer.stop()]);
});

async function state(target = server): Promise<Record<string, Wire>> {
  return (await fetch(`${target.baseUrl}/__admin/state`)).json() as Promise<Record<string, Wire>>;
}

describe("admin path", () => {
  test("state describes clock, account and streams", async () => {
    const current = await state();
    expect(current).toMatchObject({
      nowMs: clock.nowMs(),
      manualClock: true,
      seed: 17,
      scenario: "calm",
    });
    expect(current["spotBalances"]).toContainEqual({ asset: "USDT", free: "100000", locked: "0" });
    expect(current["futuresAccount"].walletBalance).toBe("100000");
  });

  test("advance moves the manual clock and the venue; a system clock answers 409", async () => {
    const before = clock.nowMs();
    const moved = await admin(server, "/advance", { ms: 2_500 });
    expect(moved.body.nowMs).toBe(before + 2_500);
    expect(server.engine.nowMs()).toBe(before + 2_500);
    expect((await admin(systemServer, "/advance", { ms: 1 })).status).toBe(409);
    expect((await admin(server, "/advance", { ms: -1 })).status).toBe(400);
  });

  test("mid jumps the price; unknown symbols and bad prices are refused", async () => {
    expect((await admin(server, "/mid", { symbol: "ETHUSDT", price: "4000" })).status).toBe(200);
    const ticker = await fetch(`${server.baseUrl}/api/v3/ticker/bookTicker?symbol=ETHUSDT`);
    const body = (await ticker.json()) as { bidPrice: string };
    expect(Math.abs(Number(body.bidPrice) - 4000)).toBeLessThan(5);
    expect((await admin(server, "/mid", { symbol: "NOPE", price: "1" })).status).toBe(400);
    expect((await admin(server, "/mid", { symbol: "ETHUSDT", price: "-1" })).status).toBe(400);
  });

  test("fault plans are validated, replaced and injected", async () => {
    const bad = await admin(server, "/fault-plan", { latency: { kind: "FIXED" } });
    expect(bad).toMatchObject({ status: 400, body: { error: "latency.ms must be a number >= 0" } });
    expect((await admin(server, "/fault-plan", { typo: 1 })).body.error).toBe(
      "unknown fault plan field typo",
    );
    const set = await admin(server, "/fault-plan", { probabilities: { UNAVAILABLE: 0.5 } });
    expect(set.body.probabilities).toEqual({ UNAVAILABLE: 0.5 });
    expect(server.faults.plan().probabilities).toEqual({ UNAVAILABLE: 0.5 });
    await admin(server, "/fault-plan", {});
    const injected = await admin(server, "/fault-plan/inject", {
      faults: [{ kind: "QUERY", fault: "UNAVAILABLE" }],
    });
    expect(injected.body).toEqual({ injected: 1 });
    const refused = await signed(server, "GET", "/api/v3/openOrders", { symbol: "BTCUSDT" });
    expect(refused.status).toBe(503);
    expect((await signed(server, "GET", "/api/v3/openOrders", { symbol: "BTCUSDT" })).status).toBe(
      200,
    );
  });

  test("reset gives a fresh account with the chosen seed and scenario", async () => {
    const bought = await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.01",
    });
    expect(bought.body.status).toBe("FILLED");
    const reset = await admin(server, "/reset", { seed: 99, scenario: "thin_book" });
    expect(reset.body).toMatchObject({ seed: 99, scenario: "thin_book" });
    expect(reset.body.spotBalances).toContainEqual({ asset: "BTC", free: "1", locked: "0" });
    const orders = await signed(server, "GET", "/api/v3/allOrders", { symbol: "BTCUSDT" });
    expect(orders.body).toEqual([]);
    expect((await admin(server, "/reset", { scenario: "storm" })).status).toBe(400);
  });
});
