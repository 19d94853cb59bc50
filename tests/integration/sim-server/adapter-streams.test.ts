// The Binance adapter's streams against the simulator: a futures listenKey left to expire is
// re-created and the stream reconnects; a fill that happened while the spot user stream was
// down reaches the adapter through its resync. Backoffs and keep-alives run on the shared
// manual clock.

import { afterAll, describe, expect, test } from "bun:test";
import { BinanceExchangeGateway } from "../../../adapters/binance/index.ts";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { SeededRng } from "../../../adapters/clock/seeded-rng.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { dec } from "../../../domain/decimal/index.ts";
import type { ExchangeEvent } from "../../../ports/exchange-gateway.ts";
import type { Logger } from "../../../ports/logger.ts";
import { admin, eventually } from "./sim-server-kit.ts";

const clock = new ManualClock(1_800_000_000_000);
const server = startBinanceSimServer({ clock, seed: 41 });
const quiet: Logger = { info() {}, warn() {}, error() {} };
afterAll(() => server.stop());

async function listenKeyNow(): Promise<string | null> {
  const state = (await (await fetch(`${server.baseUrl}/__admin/state`)).json()) as {
    listenKey: { key: string } | null;
  };
  return state.listenKey?.key ?? null;
}

/** Moves the shared clock in steps until `condition` holds (bounded). */
async function advanceUntil(condition: () => boolean, stepMs: number): Promise<boolean> {
  for (let step = 0; step < 100; step += 1) {
    if (condition()) return true;
    await admin(server, "/advance", { ms: stepMs });
    await eventually(condition, 20);
  }
  return condition();
}

describe("the adapter's user streams", () => {
  test("an expired listenKey is re-created and the stream carries events again", async () => {
    await admin(server, "/reset", { seed: 41 });
    const gateway = new BinanceExchangeGateway({
      apiKey: server.apiKey,
      apiSecret: server.apiSecret,
      baseUrl: server.baseUrl,
      recvWindowMs: 5_000,
      clock,
      rng: new SeededRng(1),
      logger: quiet,
      markets: ["FUT"],
      // Longer than the key's life: the key expires before any keep-alive.
      listenKeyKeepAliveMs: 3 * 60 * 60_000,
    });
    const events: ExchangeEvent[] = [];
    gateway.onEvent((event) => events.push(event));
    await gateway.start();
    expect(await eventually(() => gateway.connectivity().userStreamConnected)).toBe(true);
    const firstKey = await listenKeyNow();
    await admin(server, "/advance", { ms: 60 * 60_000 });
    expect(await eventually(() => !gateway.connectivity().userStreamConnected)).toBe(true);
    expect(await advanceUntil(() => gateway.connectivity().userStreamConnected, 500)).toBe(true);
    const secondKey = await listenKeyNow();
    expect(secondKey).not.toBeNull();
    expect(secondKey).not.toBe(firstKey);
    const placed = await gateway.placeOrder({
      market: "FUT",
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      timeInForce: null,
      qty: dec("0.002"),
      price: null,
      stopPrice: null,
      clientOrderId: "after-expiry-1",
      reduceOnly: false,
    });
    expect(placed.ok).toBe(true);
    const streamed = () =>
      events.some((e) => e.kind === "ORDER_UPDATE" && e.order.clientOrderId === "after-expiry-1");
    expect(await eventually(streamed)).toBe(true);
    await gateway.stop();
  });

  test("a fill missed while the spot stream was down is recovered by the resync", async () => {
    await admin(server, "/reset", { seed: 41 });
    const gateway = new BinanceExchangeGateway({
      apiKey: server.apiKey,
      apiSecret: server.apiSecret,
      baseUrl: server.baseUrl,
      recvWindowMs: 5_000,
      clock,
      rng: new SeededRng(2),
      logger: quiet,
      markets: ["SPOT"],
    });
    await gateway.start();
    expect(await eventually(() => gateway.connectivity().userStreamConnected)).toBe(true);
    const placed = await gateway.placeOrder({
      market: "SPOT",
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      qty: dec("0.001"),
      price: dec("94000"),
      stopPrice: null,
      clientOrderId: "resting-1",
      reduceOnly: false,
    });
    expect(placed.ok).toBe(true);
    const events: ExchangeEvent[] = [];
    gateway.onEvent((event) => events.push(event));
    await admin(server, "/drop-streams", { market: "SPOT", downMs: 2_000 });
    const down = () => events.some((e) => e.kind === "STREAM_STATE" && !e.connected);
    expect(await eventually(down)).toBe(true);
    // The order fills while nobody listens: its events are lost with the stream.
    await admin(server, "/mid", { symbol: "BTCUSDT", price: "93000" });
    const filled = () =>
      events.some(
        (e) =>
          e.kind === "ORDER_UPDATE" &&
          e.order.clientOrderId === "resting-1" &&
          e.order.status === "FILLED",
      );
    expect(filled()).toBe(false);
    expect(await advanceUntil(() => gateway.connectivity().userStreamConnected, 500)).toBe(true);
    expect(await eventually(filled)).toBe(true);
    await gateway.stop();
  });
});
