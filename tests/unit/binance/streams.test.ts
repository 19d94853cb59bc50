// Streams over real WebSockets with a manual clock: spot user data through the WebSocket API
// (signed subscribe, wrapped events, terminate → reconnect → re-query), futures user data
// through a listenKey (keep-alive on the clock, -1125 → re-create) and market streams.

import { afterEach, describe, expect, test } from "bun:test";
import type { ExchangeEvent } from "../../../ports/exchange-gateway.ts";
import { BinanceExchangeGateway } from "../../../adapters/binance/binance-exchange-gateway.ts";
import { listenKeyKeepAliveMs } from "../../../adapters/binance/futures-user-stream.ts";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { SeededRng } from "../../../adapters/clock/seeded-rng.ts";
import {
  advanceUntil,
  eventually,
  futuresOrderBody,
  hmacHex,
  silentLogger,
  spotOrderBody,
  StubBinance,
  type StubSocket,
  testKey,
  testSecret,
} from "./stub-binance.ts";

const startMs = 1_700_000_000_000;
let stub: StubBinance;
let venue: BinanceExchangeGateway | null = null;

afterEach(async () => {
  await venue?.stop();
  venue = null;
  stub?.stop();
});

function start(options: Partial<ConstructorParameters<typeof BinanceExchangeGateway>[0]>) {
  const clock = new ManualClock(startMs);
  const events: ExchangeEvent[] = [];
  venue = new BinanceExchangeGateway({
    apiKey: testKey,
    apiSecret: testSecret,
    baseUrl: stub.baseUrl,
    recvWindowMs: 5_000,
    clock,
    rng: new SeededRng(11),
    logger: silentLogger,
    ...options,
  });
  venue.onEvent((event) => events.push(event));
  return { clock, events, venue };
}

const executionReport = (fields: Record<string, unknown>) => ({
  subscriptionId: 0,
  event: {
    e: "executionReport",
    E: startMs + 10,
    s: "BTCUSDT",
    c: "intent-1",
    S: "BUY",
    o: "LIMIT",
    f: "GTC",
    q: "0.02000000",
    p: "50000.00000000",
    P: "0.00000000",
    g: -1,
    C: "",
    x: "NEW",
    X: "NEW",
    r: "NONE",
    i: 1001,
    l: "0.00000000",
    z: "0.00000000",
    L: "0.00000000",
    n: "0",
    N: null,
    T: startMs + 9,
    t: -1,
    m: false,
    Z: "0.00000000",
    ...fields,
  },
});

const trade = (tradeId: number, filled: string, status: string) =>
  executionReport({
    x: "TRADE",
    X: status,
    t: tradeId,
    l: "0.01000000",
    z: filled,
    L: "50000.00000000",
    Z: "500.00000000",
    n: "0.00001",
    N: "BTC",
    m: true,
  });

const kinds = (events: readonly ExchangeEvent[]) => events.map((event) => event.kind);

describe("spot user data (WebSocket API)", () => {
  test("signed subscribe, deduped events, terminate → reconnect → re-query", async () => {
    const subscribes: Record<string, string>[] = [];
    let server: StubSocket | null = null;
    stub = new StubBinance()
      .route("GET", "/api/v3/time", () => ({ body: { serverTime: startMs } }))
      .route("GET", "/api/v3/openOrders", () => ({
        body: [
          spotOrderBody({
            status: "PARTIALLY_FILLED",
            executedQty: "0.01000000",
            cummulativeQuoteQty: "500.00000000",
            fills: undefined,
            origQty: "0.02000000",
          }),
        ],
      }))
      .route("GET", "/api/v3/myTrades", () => ({
        body: [
          {
            symbol: "BTCUSDT",
            id: 501,
            orderId: 1001,
            price: "50000.00",
            qty: "0.01000000",
            commission: "0.00001",
            commissionAsset: "BTC",
            time: startMs + 9,
            isMaker: true,
          },
        ],
      }))
      .socketRoute("/ws-api/v3", {
        message(socket, text) {
          const request = JSON.parse(text);
          subscribes.push(request.params);
          server = socket;
          socket.send(
            JSON.stringify({ id: request.id, status: 200, result: { subscriptionId: 0 } }),
          );
        },
      });
    const { clock, events } = start({ markets: ["SPOT"] });
    expect((await venue?.start())?.ok).toBe(true);
    await eventually(() => events.some((event) => event.kind === "STREAM_STATE"));
    expect(events[0]).toMatchObject({ kind: "STREAM_STATE", stream: "USER", connected: true });
    expect(venue?.connectivity().userStreamConnected).toBe(true);

    const params = subscribes[0] ?? {};
    expect(Object.keys(params).sort()).toEqual(["apiKey", "recvWindow", "signature", "timestamp"]);
    expect(params["signature"]).toBe(
      hmacHex(testSecret, `apiKey=${testKey}&recvWindow=5000&timestamp=${params["timestamp"]}`),
    );

    const push = (frame: unknown) => (server as StubSocket | null)?.send(JSON.stringify(frame));
    push(executionReport({}));
    push(executionReport({})); // duplicate
    push(trade(501, "0.01000000", "PARTIALLY_FILLED"));
    push(trade(501, "0.01000000", "PARTIALLY_FILLED")); // duplicate trade
    push(executionReport({})); // stale NEW after a fill
    push({
      subscriptionId: 0,
      event: {
        e: "outboundAccountPosition",
        E: startMs,
        u: startMs,
        B: [{ a: "BTC", f: "1.0", l: "0" }],
      },
    });
    await eventually(() => events.some((event) => event.kind === "ACCOUNT_UPDATE"));
    expect(kinds(events)).toEqual([
      "STREAM_STATE",
      "ORDER_UPDATE",
      "ORDER_UPDATE",
      "ACCOUNT_UPDATE",
    ]);
    const fills = events.flatMap((event) =>
      event.kind === "ORDER_UPDATE" && event.fill ? [event.fill.tradeId] : [],
    );
    expect(fills).toEqual(["501"]);

    push({ subscriptionId: 0, event: { e: "eventStreamTerminated", E: startMs } });
    await eventually(() =>
      events.some((event) => event.kind === "STREAM_STATE" && !event.connected),
    );
    await clock.advanceMs(1_000); // the reconnect backoff runs on the manual clock
    await eventually(() => subscribes.length === 2);
    await eventually(() => stub.calls("GET", "/api/v3/openOrders").length === 1);
    await eventually(
      () => events.filter((event) => event.kind === "STREAM_STATE" && event.connected).length === 2,
    );
    // The re-query found the same order and the same trade: nothing delivered twice.
    await Bun.sleep(20);
    expect(events.filter((event) => event.kind === "ORDER_UPDATE").length).toBe(2);
  });

  test("a refused subscription reconnects with backoff", async () => {
    let attempts = 0;
    stub = new StubBinance()
      .route("GET", "/api/v3/time", () => ({ body: { serverTime: startMs } }))
      .socketRoute("/ws-api/v3", {
        message(socket, text) {
          attempts += 1;
          const { id } = JSON.parse(text);
          socket.send(
            attempts === 1
              ? JSON.stringify({
                  id,
                  status: 400,
                  error: { code: -1022, msg: "Signature for this request is not valid." },
                })
              : JSON.stringify({ id, status: 200, result: { subscriptionId: 3 } }),
          );
        },
      });
    const { clock, events } = start({ markets: ["SPOT"] });
    await venue?.start();
    await eventually(() => attempts === 1);
    expect(events.length).toBe(0);
    await Bun.sleep(10);
    await clock.advanceMs(1_000);
    await eventually(() =>
      events.some((event) => event.kind === "STREAM_STATE" && event.connected),
    );
    expect(attempts).toBe(2);
  });
});

describe("futures user data (listenKey)", () => {
  test("keep-alive every 30 min on the clock; -1125 re-creates the key and reconnects", async () => {
    const keys = ["key-one", "key-two"];
    let putAnswer: "ok" | "gone" = "ok";
    const opened: string[] = [];
    let server: StubSocket | null = null;
    stub = new StubBinance()
      .route("GET", "/fapi/v1/time", () => ({ body: { serverTime: startMs } }))
      .route("POST", "/fapi/v1/listenKey", () => ({ body: { listenKey: keys.shift() } }))
      .route("PUT", "/fapi/v1/listenKey", () =>
        putAnswer === "ok"
          ? { body: { listenKey: "key-one" } }
          : { status: 400, body: { code: -1125, msg: "This listenKey does not exist." } },
      )
      .route("GET", "/fapi/v1/openOrders", () => ({ body: [futuresOrderBody()] }))
      .route("GET", "/fapi/v1/openAlgoOrders", () => ({ body: [] }))
      .socketRoute("/private/ws/*", {
        open(socket) {
          opened.push(socket.data.path);
          server = socket;
        },
      });
    // Large clock steps must not time requests out while real I/O is still under way.
    const { clock, events } = start({ markets: ["FUT"], requestTimeoutMs: 3_600_000 });
    await venue?.start();
    await eventually(() => opened.length === 1);
    expect(opened[0]).toBe("/private/ws/key-one");
    expect(stub.calls("POST", "/fapi/v1/listenKey")[0]?.apiKey).toBe(testKey);

    (server as StubSocket | null)?.send(
      JSON.stringify({
        e: "ORDER_TRADE_UPDATE",
        E: startMs + 5,
        T: startMs + 5,
        o: {
          s: "BTCUSDT",
          c: "intent-2",
          S: "BUY",
          o: "LIMIT",
          f: "GTC",
          q: "0.010",
          p: "50000",
          ap: "0",
          sp: "0",
          x: "NEW",
          X: "NEW",
          i: 2001,
          l: "0",
          z: "0",
          L: "0",
          T: startMs + 5,
          t: 0,
          m: false,
          R: false,
        },
      }),
    );
    await eventually(() => events.some((event) => event.kind === "ORDER_UPDATE"));

    const puts = () => stub.calls("PUT", "/fapi/v1/listenKey").length;
    await clock.advanceMs(listenKeyKeepAliveMs - 60_000);
    expect(puts()).toBe(0);
    await advanceUntil(clock, () => puts() === 1, 5_000);
    putAnswer = "gone";
    // The next keep-alive answers -1125; the key is re-created and the stream reconnects to it.
    await advanceUntil(clock, () => opened.length === 2, 10_000, 400);
    expect(opened[1]).toBe("/private/ws/key-two");
    expect(stub.calls("POST", "/fapi/v1/listenKey").length).toBe(2);
    await eventually(() => stub.calls("GET", "/fapi/v1/openAlgoOrders").length === 1);
    expect(stub.calls("GET", "/fapi/v1/openOrders").length).toBe(1);
  });
});

describe("market streams", () => {
  test("spot bookTicker, futures bookTicker and markPrice on their paths", async () => {
    const sockets = new Map<string, StubSocket>();
    const remember = { open: (socket: StubSocket) => void sockets.set(socket.data.path, socket) };
    stub = new StubBinance()
      .route("GET", "/api/v3/time", () => ({ body: { serverTime: startMs } }))
      .route("GET", "/fapi/v1/time", () => ({ body: { serverTime: startMs } }))
      .socketRoute("/stream", remember)
      .socketRoute("/public/stream", remember)
      .socketRoute("/market/stream", remember);
    const { events } = start({
      userStreams: false,
      marketStreams: { spot: ["BTCUSDT"], futures: ["BTCUSDT"] },
    });
    await venue?.start();
    await eventually(() => sockets.size === 3);
    expect(sockets.get("/stream")?.data.search).toBe("?streams=btcusdt@bookTicker");
    expect(sockets.get("/market/stream")?.data.search).toBe("?streams=btcusdt@markPrice@1s");
    sockets.get("/stream")?.send(
      JSON.stringify({
        stream: "btcusdt@bookTicker",
        data: { u: 1, s: "BTCUSDT", b: "50000.01", B: "1.5", a: "50000.02", A: "2" },
      }),
    );
    sockets.get("/public/stream")?.send(
      JSON.stringify({
        stream: "btcusdt@bookTicker",
        data: {
          e: "bookTicker",
          u: 2,
          E: startMs,
          T: startMs,
          s: "BTCUSDT",
          b: "49990.1",
          B: "3",
          a: "49990.2",
          A: "4",
        },
      }),
    );
    sockets.get("/market/stream")?.send(
      JSON.stringify({
        stream: "btcusdt@markPrice@1s",
        data: {
          e: "markPriceUpdate",
          E: startMs,
          s: "BTCUSDT",
          p: "49990.15",
          i: "49990",
          P: "49990",
          r: "0.0001",
          T: startMs,
        },
      }),
    );
    await eventually(() => events.filter((event) => event.kind !== "STREAM_STATE").length === 3);
    const markets = events
      .filter((event) => event.kind === "STREAM_STATE")
      .map((event) => event.kind === "STREAM_STATE" && event.stream);
    expect(markets).toEqual(["MARKET", "MARKET", "MARKET"]);
    expect(
      events
        .filter((event) => event.kind === "BOOK_TOP")
        .map((event) => event.kind === "BOOK_TOP" && event.market)
        .sort(),
    ).toEqual(["FUT", "SPOT"]);
    expect(events.some((event) => event.kind === "MARK_PRICE")).toBe(true);
  });
});
