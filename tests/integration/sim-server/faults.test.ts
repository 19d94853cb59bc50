// The fault plan over the wire: latency, 503 "Service Unavailable." (not executed) and 503
// "Unknown error" (executed), 429 with Retry-After then 418 for continuing, request weight over
// the limit, responses held past the client's timeout before or after execution, and user-data
// events duplicated, reordered or dropped. The Binance adapter resolves unknown outcomes
// against it without ever placing an order twice.

import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { BinanceExchangeGateway } from "../../../adapters/binance/index.ts";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { SeededRng } from "../../../adapters/clock/seeded-rng.ts";
import { webSocketPayload } from "../../../adapters/sim/binance-server/request-auth.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { dec } from "../../../domain/decimal/index.ts";
import type { PlaceOrderRequest } from "../../../ports/exchange-gateway.ts";
import type { Logger } from "../../../ports/logger.ts";
import { admin, eventually, FrameCollector, hmacHex, plain, signed } from "./sim-server-kit.ts";

const clock = new ManualClock(1_800_000_000_000);
const server = startBinanceSimServer({ clock, seed: 13, holdMsMax: 5_000 });
const quiet: Logger = { info() {}, warn() {}, error() {} };
const sockets: FrameCollector[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.stop();
});

beforeEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await admin(server, "/reset", { seed: 13 });
  await admin(server, "/mid", { symbol: "BTCUSDT", price: "95000" });
});

const limit = (clientId: string) => ({
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  quantity: "0.001",
  price: "90000",
  newClientOrderId: clientId,
});

async function inject(kind: string, fault: string): Promise<void> {
  const answer = await admin(server, "/fault-plan/inject", { faults: [{ kind, fault }] });
  expect(answer.status).toBe(200);
}

async function openOrderIds(): Promise<string[]> {
  const open = await signed(server, "GET", "/api/v3/openOrders", { symbol: "BTCUSDT" });
  return open.body.map((order: { clientOrderId: string }) => order.clientOrderId);
}

async function heldCount(): Promise<number> {
  const state = await fetch(`${server.baseUrl}/__admin/state`);
  return ((await state.json()) as { heldResponses: number }).heldResponses;
}

describe("HTTP faults", () => {
  test("latency holds each answer for the planned time (wall clock)", async () => {
    await admin(server, "/fault-plan", { latency: { kind: "FIXED", ms: 120 } });
    const started = performance.now();
    expect((await plain(server, "GET", "/api/v3/ping")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  test("503 Service Unavailable: nothing executed", async () => {
    await inject("PLACE", "UNAVAILABLE");
    const answer = await signed(server, "POST", "/api/v3/order", limit("f-unavail"));
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ code: -1000, msg: "Service Unavailable." });
    expect(await openOrderIds()).toEqual([]);
  });

  test("503 Unknown error: the order was executed", async () => {
    await inject("PLACE", "UNKNOWN_AFTER_EXECUTION");
    const answer = await signed(server, "POST", "/api/v3/order", limit("f-unknown"));
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      code: -1000,
      msg: "Unknown error, please check your request or try again later.",
    });
    expect(await openOrderIds()).toEqual(["f-unknown"]);
  });

  test("429 with Retry-After; continuing before it ends is a 418 ban, over after banMs", async () => {
    await admin(server, "/fault-plan", { retryAfterMs: 3_000, banMs: 60_000 });
    await inject("MARKET_DATA", "RATE_LIMITED");
    const limited = await plain(server, "GET", "/api/v3/time");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("3");
    expect(limited.body.code).toBe(-1003);
    expect(limited.body.msg).toStartWith("Too much request weight used; current limit is 6000");
    const banned = await plain(server, "GET", "/api/v3/time");
    expect(banned.status).toBe(418);
    expect(banned.body.msg).toStartWith("Way too much request weight used; IP banned until ");
    expect(banned.headers.get("Retry-After")).toBe("60");
    const futures = await plain(server, "GET", "/fapi/v1/time");
    expect(futures.status).toBe(418);
    expect(futures.body.msg).toStartWith("Way too many requests; IP banned until ");
    await admin(server, "/advance", { ms: 60_000 });
    expect((await plain(server, "GET", "/api/v3/time")).status).toBe(200);
  });

  test("a scripted ban answers 418 on every product until it ends", async () => {
    await admin(server, "/fault-plan", { banMs: 10_000 });
    await inject("ANY", "BANNED");
    expect((await plain(server, "GET", "/api/v3/ping")).status).toBe(418);
    expect((await signed(server, "GET", "/fapi/v2/balance")).status).toBe(418);
    await admin(server, "/advance", { ms: 10_000 });
    expect((await plain(server, "GET", "/api/v3/ping")).status).toBe(200);
  });

  test("request weight over 6000 per minute → 429 (-1003), headers count it", async () => {
    let last = await plain(server, "GET", "/api/v3/depth?symbol=BTCUSDT&limit=5000");
    expect(last.headers.get("X-MBX-USED-WEIGHT-1M")).toBe("250");
    for (let request = 1; request < 25; request += 1) {
      last = await plain(server, "GET", "/api/v3/depth?symbol=BTCUSDT&limit=5000");
    }
    expect(last.status).toBe(429);
    expect(last.body.msg).toBe(
      "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. " +
        "Please use WebSocket Streams for live updates to avoid polling the API.",
    );
    expect(Number(last.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await plain(server, "GET", "/fapi/v1/ping")).status).toBe(200);
  });

  test("timeout before arrival: held until the client gives up; nothing executed", async () => {
    await inject("PLACE", "TIMEOUT_BEFORE_ARRIVAL");
    const attempt = signedWithTimeout("/api/v3/order", limit("f-before"), 150);
    expect(await attempt).toBe("aborted");
    expect(await openOrderIds()).toEqual([]);
    expect(await heldCount()).toBe(0);
  });

  test("timeout after execution: executed, the answer never comes", async () => {
    await inject("PLACE", "TIMEOUT_AFTER_EXECUTION");
    expect(await signedWithTimeout("/api/v3/order", limit("f-after"), 150)).toBe("aborted");
    expect(await openOrderIds()).toEqual(["f-after"]);
  });
});

async function signedWithTimeout(path: string, params: Record<string, string>, ms: number) {
  const query = new URLSearchParams({ ...params, timestamp: String(clock.nowMs()) }).toString();
  const url = `${server.baseUrl}${path}?${query}&signature=${hmacHex(server.apiSecret, query)}`;
  try {
    await fetch(url, {
      method: "POST",
      headers: { "X-MBX-APIKEY": server.apiKey },
      signal: AbortSignal.timeout(ms),
    });
    return "answered";
  } catch {
    return "aborted";
  }
}

async function subscribedSpot(): Promise<FrameCollector> {
  const socket = await FrameCollector.open(`${server.wsBaseUrl}/ws-api/v3`);
  sockets.push(socket);
  const params = { apiKey: server.apiKey, timestamp: String(clock.nowMs()) };
  const signature = hmacHex(server.apiSecret, webSocketPayload(params));
  socket.send({
    id: "s",
    method: "userDataStream.subscribe.signature",
    params: { ...params, signature },
  });
  await socket.next((frame) => frame.id === "s");
  return socket;
}

const reports = (socket: FrameCollector) =>
  socket.frames.filter((f) => f.event !== undefined).map((f) => `${f.event.e}:${f.event.x ?? ""}`);

describe("event faults", () => {
  test("duplicated events arrive twice", async () => {
    const socket = await subscribedSpot();
    await admin(server, "/fault-plan", { events: { duplicateProbability: 1 } });
    await signed(server, "POST", "/api/v3/order", limit("e-dup"));
    expect(await eventually(() => reports(socket).length >= 4)).toBe(true);
    expect(reports(socket)).toEqual([
      "executionReport:NEW",
      "executionReport:NEW",
      "outboundAccountPosition:",
      "outboundAccountPosition:",
    ]);
  });

  test("a held event is delivered after the next one", async () => {
    const socket = await subscribedSpot();
    await admin(server, "/fault-plan", { events: { reorderProbability: 1 } });
    await signed(server, "POST", "/api/v3/order", limit("e-hold"));
    expect(await eventually(() => reports(socket).length >= 2)).toBe(true);
    expect(reports(socket)).toEqual(["outboundAccountPosition:", "executionReport:NEW"]);
  });

  test("a dropped stream closes, refuses reconnection while down, then accepts it", async () => {
    const socket = await subscribedSpot();
    await admin(server, "/fault-plan", { events: { dropProbability: 1, dropDurationMs: 5_000 } });
    await signed(server, "POST", "/api/v3/order", limit("e-drop"));
    await socket.waitClosed();
    expect(socket.closed).toBe(true);
    await expect(FrameCollector.open(`${server.wsBaseUrl}/ws-api/v3`)).rejects.toThrow();
    await admin(server, "/advance", { ms: 5_000 });
    const again = await FrameCollector.open(`${server.wsBaseUrl}/ws-api/v3`);
    sockets.push(again);
    expect(again.closed).toBe(false);
  });
});

describe("the Binance adapter against the fault plan", () => {
  function gateway(): BinanceExchangeGateway {
    return new BinanceExchangeGateway({
      apiKey: server.apiKey,
      apiSecret: server.apiSecret,
      baseUrl: server.baseUrl,
      recvWindowMs: 5_000,
      clock,
      rng: new SeededRng(3),
      logger: quiet,
      userStreams: false,
    });
  }

  const request = (clientOrderId: string): PlaceOrderRequest => ({
    market: "SPOT",
    symbol: "BTCUSDT",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    qty: dec("0.001"),
    price: dec("90000"),
    stopPrice: null,
    clientOrderId,
    reduceOnly: false,
  });

  /** Runs `work` while moving the shared clock forward until it settles (bounded). */
  async function settleWithClock<T>(work: Promise<T>, stepMs: number): Promise<T> {
    let done = false;
    const result = work.finally(() => {
      done = true;
    });
    for (let step = 0; step < 200 && !done; step += 1) {
      await Bun.sleep(2);
      if (!done) await clock.advanceMs(stepMs);
    }
    return result;
  }

  test("503 unknown after execution: adopted by query, one order on the venue", async () => {
    const adapter = gateway();
    await adapter.start();
    await inject("PLACE", "UNKNOWN_AFTER_EXECUTION");
    const placed = await settleWithClock(adapter.placeOrder(request("a-unknown")), 100);
    expect(placed.ok && placed.value.status).toBe("NEW");
    expect(await openOrderIds()).toEqual(["a-unknown"]);
    await adapter.stop();
  });

  test("timeout after execution: the adapter times out, finds the order, one order", async () => {
    const adapter = gateway();
    await adapter.start();
    await inject("PLACE", "TIMEOUT_AFTER_EXECUTION");
    const pending = adapter.placeOrder(request("a-after"));
    expect(await eventually(() => false, 50)).toBe(false);
    const placed = await settleWithClock(pending, 2_000);
    expect(placed.ok && placed.value.clientOrderId).toBe("a-after");
    expect(await openOrderIds()).toEqual(["a-after"]);
    await adapter.stop();
  });

  test("timeout before arrival: absent after the window, resent once, one order", async () => {
    const adapter = gateway();
    await adapter.start();
    await inject("PLACE", "TIMEOUT_BEFORE_ARRIVAL");
    const placed = await settleWithClock(adapter.placeOrder(request("a-before")), 1_000);
    expect(placed.ok && placed.value.status).toBe("NEW");
    expect(await openOrderIds()).toEqual(["a-before"]);
    await adapter.stop();
  });
});
