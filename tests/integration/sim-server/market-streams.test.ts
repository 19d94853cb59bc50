// Market streams over real WebSockets: spot /ws/<stream> (raw) and /stream?streams= (combined)
// book tickers, USDⓈ-M /public book tickers and /market mark prices at 1 s and 3 s on the
// injected clock, SUBSCRIBE / LIST_SUBSCRIPTIONS, bad stream names, and admin drops.

import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { admin, eventually, FrameCollector, fixture, shapeDifferences } from "./sim-server-kit.ts";

const clock = new ManualClock(1_800_000_000_000);
const server = startBinanceSimServer({ clock, seed: 9 });
const sockets: FrameCollector[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => server.stop());

async function open(path: string): Promise<FrameCollector> {
  const socket = await FrameCollector.open(`${server.wsBaseUrl}${path}`);
  sockets.push(socket);
  return socket;
}

describe("book tickers", () => {
  test("spot raw stream: {u, s, b, B, a, A} on every change of the top of book", async () => {
    const socket = await open("/ws/btcusdt@bookTicker");
    await admin(server, "/mid", { symbol: "BTCUSDT", price: "96000" });
    const frame = await socket.next((f) => f.s === "BTCUSDT");
    expect(Object.keys(frame)).toEqual(["u", "s", "b", "B", "a", "A"]);
    expect(frame.b).toMatch(/^\d+\.\d{8}$/);
    expect(Number(frame.b)).toBeLessThan(Number(frame.a));
    const before = socket.frames.length;
    await admin(server, "/advance", { ms: 2_000 });
    expect(await eventually(() => socket.frames.length > before)).toBe(true);
    expect(socket.frames.every((f) => f.s === "BTCUSDT")).toBe(true);
  });

  test("spot combined stream wraps {stream, data} for each symbol asked", async () => {
    const socket = await open("/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker");
    await admin(server, "/advance", { ms: 1_000 });
    const eth = await socket.next((f) => f.stream === "ethusdt@bookTicker");
    expect(eth.data.s).toBe("ETHUSDT");
    await socket.next((f) => f.stream === "btcusdt@bookTicker");
  });

  test("futures /public book ticker matches the recorded stream payload", async () => {
    const socket = await open("/public/stream?streams=btcusdt@bookTicker");
    await admin(server, "/advance", { ms: 1_000 });
    const frame = await socket.next((f) => f.stream === "btcusdt@bookTicker");
    const recorded = fixture("futures-book_ticker_stream.json") as Record<string, unknown>;
    expect(shapeDifferences(frame.data, recorded)).toEqual([]);
    expect(frame.data.b).toMatch(/^\d+\.\d{2}$/);
  });
});

describe("mark price", () => {
  test("@markPrice@1s every second and @markPrice every 3 s of the injected clock", async () => {
    const fast = await open("/market/stream?streams=btcusdt@markPrice@1s");
    const slow = await open("/market/ws/btcusdt@markPrice");
    await admin(server, "/advance", { ms: 0 });
    await fast.next((f) => f.stream === "btcusdt@markPrice@1s");
    await slow.next((f) => f.e === "markPriceUpdate");
    const fastStart = fast.frames.length;
    const slowStart = slow.frames.length;
    for (let second = 0; second < 6; second += 1) await admin(server, "/advance", { ms: 1_000 });
    expect(await eventually(() => fast.frames.length >= fastStart + 6)).toBe(true);
    expect(await eventually(() => slow.frames.length >= slowStart + 2)).toBe(true);
    await admin(server, "/advance", { ms: 0 });
    expect(fast.frames.length).toBe(fastStart + 6);
    expect(slow.frames.length).toBe(slowStart + 2);
    const recorded = fixture("futures-mark_price_stream.json") as Record<string, unknown>;
    expect(shapeDifferences(slow.frames.at(-1), recorded)).toEqual([]);
    expect(fast.frames.at(-1).data.E).toBe(clock.nowMs());
  });
});

describe("subscriptions", () => {
  test("SUBSCRIBE, LIST_SUBSCRIPTIONS and UNSUBSCRIBE on a bare /ws connection", async () => {
    const socket = await open("/ws");
    socket.send({ method: "SUBSCRIBE", params: ["ethusdt@bookTicker"], id: 1 });
    expect(await socket.next((f) => f.id === 1)).toEqual({ result: null, id: 1 });
    socket.send({ method: "LIST_SUBSCRIPTIONS", id: 2 });
    expect((await socket.next((f) => f.id === 2)).result).toEqual(["ethusdt@bookTicker"]);
    await admin(server, "/advance", { ms: 1_000 });
    await socket.next((f) => f.s === "ETHUSDT");
    socket.send({ method: "SUBSCRIBE", params: ["ethusdt@depth"], id: 3 });
    expect((await socket.next((f) => f.id === 3)).error.code).toBe(2);
    socket.send({ method: "UNSUBSCRIBE", params: ["ethusdt@bookTicker"], id: 4 });
    await socket.next((f) => f.id === 4);
    socket.send({ method: "LIST_SUBSCRIPTIONS", id: 5 });
    expect((await socket.next((f) => f.id === 5)).result).toEqual([]);
  });

  test("an unknown stream name in the URL is refused before the upgrade", async () => {
    const response = await fetch(`${server.baseUrl}/stream?streams=btcusdt@trade`, {
      headers: { Upgrade: "websocket", Connection: "Upgrade" },
    });
    expect(response.status).toBe(400);
  });

  test("an admin drop closes market connections", async () => {
    const socket = await open("/ws/btcusdt@bookTicker");
    await admin(server, "/drop-streams", { market: "ALL", marketStreams: true });
    await socket.waitClosed();
    expect(socket.closed).toBe(true);
  });
});
