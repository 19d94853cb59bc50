// User data over real WebSockets. Spot: the WebSocket API (/ws-api/v3) with
// userDataStream.subscribe.signature (sorted raw params), wrapped events executionReport,
// listStatus, outboundAccountPosition, balanceUpdate. USDⓈ-M: the listenKey lifecycle
// (POST/PUT/DELETE, 60 minutes of the injected clock), /private/ws/<listenKey> with
// ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, ALGO_UPDATE and conditional orders triggering on the mark
// or the contract price. Payload shapes are checked against the recorded fixtures.

import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { webSocketPayload } from "../../../adapters/sim/binance-server/request-auth.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import {
  admin,
  FrameCollector,
  fixture,
  hmacHex,
  plain,
  shapeDifferences,
  signed,
  type Wire,
} from "./sim-server-kit.ts";

const clock = new ManualClock(1_800_000_000_000);
const server = startBinanceSimServer({ clock, seed: 21 });
const sockets: FrameCollector[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.stop();
});

type Json = Record<string, Wire>;

beforeEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await admin(server, "/reset", { seed: 21 });
  await admin(server, "/mid", { symbol: "BTCUSDT", price: "95000" });
});

async function open(path: string): Promise<FrameCollector> {
  const socket = await FrameCollector.open(`${server.wsBaseUrl}${path}`);
  sockets.push(socket);
  return socket;
}

function subscribeParams(overrides: Record<string, string | number> = {}) {
  const params: Record<string, string | number> = {
    apiKey: server.apiKey,
    recvWindow: 5000,
    timestamp: clock.nowMs(),
    ...overrides,
  };
  const text = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return { ...params, signature: hmacHex(server.apiSecret, webSocketPayload(text)) };
}

async function request(
  socket: FrameCollector,
  id: string | number,
  method: string,
  params?: unknown,
) {
  socket.send(params === undefined ? { id, method } : { id, method, params });
  return socket.next((frame) => frame.id === id);
}

async function subscribedSpot(): Promise<FrameCollector> {
  const socket = await open("/ws-api/v3");
  const answer = await request(
    socket,
    "sub",
    "userDataStream.subscribe.signature",
    subscribeParams(),
  );
  expect(answer.result).toEqual({ subscriptionId: 0 });
  return socket;
}

const events = (socket: FrameCollector, type: string) =>
  socket.frames.filter((frame) => (frame.event ?? frame).e === type).map((f) => f.event ?? f);

describe("spot WebSocket API", () => {
  test("the WebSocket payload is the documented sorted form (official vector)", () => {
    const params = {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.01000000",
      price: "52000.00",
      recvWindow: "100",
      timestamp: "1645423376532",
      apiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    };
    const secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    expect(hmacHex(secret, webSocketPayload(params))).toBe(
      "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24",
    );
  });

  test("ping, time, and the subscription checks (-1022, -1021, -2015, -2035, -2036)", async () => {
    const socket = await open("/ws-api/v3");
    const ping = await request(socket, 1, "ping");
    expect(ping).toMatchObject({ id: 1, status: 200, result: {} });
    expect(ping.rateLimits[0]).toMatchObject({
      rateLimitType: "REQUEST_WEIGHT",
      interval: "MINUTE",
    });
    expect((await request(socket, 2, "time")).result).toEqual({ serverTime: clock.nowMs() });
    const forged = { ...subscribeParams(), signature: "0".repeat(64) };
    const badSignature = await request(socket, 3, "userDataStream.subscribe.signature", forged);
    expect(badSignature).toMatchObject({
      status: 400,
      error: { code: -1022, msg: "Signature for this request is not valid." },
    });
    const stale = subscribeParams({ timestamp: clock.nowMs() - 10_000 });
    const late = await request(socket, 4, "userDataStream.subscribe.signature", stale);
    expect(late.error).toEqual({
      code: -1021,
      msg: "Timestamp for this request is outside of the recvWindow.",
    });
    const stranger = subscribeParams({ apiKey: "B".repeat(64) });
    expect(
      (await request(socket, 5, "userDataStream.subscribe.signature", stranger)).error.code,
    ).toBe(-2015);
    expect((await request(socket, 6, "userDataStream.unsubscribe")).error.code).toBe(-2036);
    const ok = await request(socket, 7, "userDataStream.subscribe.signature", subscribeParams());
    expect(ok).toMatchObject({ status: 200, result: { subscriptionId: 0 } });
    const twice = await request(socket, 8, "userDataStream.subscribe.signature", subscribeParams());
    expect(twice.error).toEqual({
      code: -2035,
      msg: "User Data Stream subscription already active.",
    });
    expect((await request(socket, 9, "session.subscriptions", {})).result).toEqual([
      { subscriptionId: 0 },
    ]);
    expect((await request(socket, 10, "userDataStream.unsubscribe")).result).toEqual({});
    const again = await request(
      socket,
      11,
      "userDataStream.subscribe.signature",
      subscribeParams(),
    );
    expect(again.result).toEqual({ subscriptionId: 1 });
  });

  test("executionReport NEW, TRADE and CANCELED arrive wrapped, in the recorded shape", async () => {
    const socket = await subscribedSpot();
    const limit = {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.001",
      price: "90000",
      newClientOrderId: "ws-spot-1",
    };
    expect((await signed(server, "POST", "/api/v3/order", limit)).status).toBe(200);
    const wrapped = await socket.next(
      (f) => f.event?.e === "executionReport" && f.event.x === "NEW",
    );
    const recorded = fixture("spot-execution_report_wrapped.json") as Json;
    expect(Object.keys(wrapped)).toEqual(["subscriptionId", "event"]);
    expect(shapeDifferences(wrapped.event, recorded.event, { nullable: ["N"] })).toEqual([]);
    expect(wrapped.event).toMatchObject({ c: "ws-spot-1", X: "NEW", w: true, C: "" });
    const position = await socket.next((f) => f.event?.e === "outboundAccountPosition");
    expect(
      shapeDifferences(position, fixture("spot-account_position_wrapped.json") as Json),
    ).toEqual([]);
    await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.002",
    });
    const trade = await socket.next(
      (f) => f.event?.e === "executionReport" && f.event.x === "TRADE",
    );
    const tradeShape = fixture("spot-execution_report_trade.json") as Json;
    const extra = ["F", "g", "I", "M", "Y", "Q", "W", "V"];
    expect(shapeDifferences(trade.event, tradeShape, { extra })).toEqual([]);
    expect(trade.event).toMatchObject({ N: "BTC", m: false });
    expect(trade.event.t).toBeGreaterThan(0);
    await signed(server, "DELETE", "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "ws-spot-1",
      newClientOrderId: "ws-spot-1-x",
    });
    const canceled = await socket.next((f) => f.event?.x === "CANCELED");
    expect(canceled.event).toMatchObject({ c: "ws-spot-1-x", C: "ws-spot-1", X: "CANCELED" });
  });

  test("an OCO announces listStatus with both legs; a transfer sends balanceUpdate", async () => {
    const socket = await subscribedSpot();
    const oco = await signed(server, "POST", "/api/v3/orderList/oco", {
      symbol: "BTCUSDT",
      side: "SELL",
      quantity: "0.01",
      listClientOrderId: "ws-oco-1",
      aboveType: "LIMIT_MAKER",
      abovePrice: "97000",
      aboveClientOrderId: "ws-oco-tp",
      belowType: "STOP_LOSS_LIMIT",
      belowStopPrice: "93000",
      belowPrice: "92900",
      belowTimeInForce: "GTC",
      belowClientOrderId: "ws-oco-sl",
    });
    expect(oco.body.listOrderStatus).toBe("EXECUTING");
    const list = await socket.next((f) => f.event?.e === "listStatus");
    expect(shapeDifferences(list, fixture("spot-list_status_wrapped.json") as Json)).toEqual([]);
    expect(list.event.O.map((leg: Json) => leg.c)).toEqual(["ws-oco-tp", "ws-oco-sl"]);
    await signed(server, "POST", "/sapi/v1/asset/transfer", {
      type: "MAIN_UMFUTURE",
      asset: "USDT",
      amount: "25",
    });
    const update = await socket.next((f) => f.event?.e === "balanceUpdate");
    expect(shapeDifferences(update, fixture("spot-balance_update_wrapped.json") as Json)).toEqual(
      [],
    );
    expect(update.event).toMatchObject({ a: "USDT", d: "-25.00000000" });
  });
});

async function listenKey(): Promise<string> {
  const created = await plain(server, "POST", "/fapi/v1/listenKey", server.apiKey);
  expect(created.body.listenKey).toMatch(/^[0-9a-f]{64}$/);
  return created.body.listenKey;
}

describe("USDⓈ-M listenKey stream", () => {
  test("POST returns the same key while active; PUT extends; DELETE closes the stream", async () => {
    const key = await listenKey();
    expect(await listenKey()).toBe(key);
    const kept = await plain(server, "PUT", "/fapi/v1/listenKey", server.apiKey);
    expect(kept.body).toEqual({ listenKey: key });
    const socket = await open(`/private/ws/${key}`);
    const closed = await plain(server, "DELETE", "/fapi/v1/listenKey", server.apiKey);
    expect(closed.body).toEqual({});
    await socket.waitClosed();
    expect(socket.closed).toBe(true);
    const gone = await plain(server, "PUT", "/fapi/v1/listenKey", server.apiKey);
    expect(gone.body.code).toBe(-1125);
  });

  test("after 60 minutes without keep-alive: listenKeyExpired, closed, -1125", async () => {
    const key = await listenKey();
    const socket = await open(`/private/ws/${key}`);
    await admin(server, "/advance", { ms: 59 * 60_000 });
    expect(socket.frames.some((f) => f.e === "listenKeyExpired")).toBe(false);
    await admin(server, "/advance", { ms: 60_000 });
    const expired = await socket.next((f) => f.e === "listenKeyExpired");
    expect(expired).toEqual({ e: "listenKeyExpired", E: expect.any(Number), listenKey: key });
    await socket.waitClosed();
    expect(socket.closed).toBe(true);
    const kept = await plain(server, "PUT", "/fapi/v1/listenKey", server.apiKey);
    expect(kept.body).toEqual({
      code: -1125,
      msg: "This listenKey does not exist. Please use `POST /fapi/v1/listenKey` to recreate `listenKey`",
    });
    const refused = await fetch(`${server.baseUrl}/private/ws/${key}`, {
      headers: { Upgrade: "websocket", Connection: "Upgrade" },
    });
    expect(refused.status).toBe(400);
  });

  test("a keep-alive every 30 minutes keeps the key for hours", async () => {
    const key = await listenKey();
    for (let round = 0; round < 4; round += 1) {
      await admin(server, "/advance", { ms: 30 * 60_000 });
      expect((await plain(server, "PUT", "/fapi/v1/listenKey", server.apiKey)).body).toEqual({
        listenKey: key,
      });
    }
  });

  test("orders and fills: ORDER_TRADE_UPDATE and ACCOUNT_UPDATE in the recorded shapes", async () => {
    const socket = await open(`/private/ws/${await listenKey()}`);
    await signed(server, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.002",
      price: "94000",
      newClientOrderId: "ws-fut-1",
    });
    const created = await socket.next((f) => f.e === "ORDER_TRADE_UPDATE" && f.o.x === "NEW");
    const recordedNew = fixture("futures-order_update_new.json") as Json;
    const newer = ["pm", "gtd", "er"];
    expect(shapeDifferences(created, recordedNew)).toEqual([]);
    expect(shapeDifferences(created.o, recordedNew.o, { extra: newer })).toEqual([]);
    expect(created.o).toMatchObject({ c: "ws-fut-1", X: "NEW", ps: "BOTH" });
    await signed(server, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.01",
    });
    const trade = await socket.next((f) => f.e === "ORDER_TRADE_UPDATE" && f.o.x === "TRADE");
    const recordedTrade = fixture("futures-order_update_trade.json") as Json;
    expect(shapeDifferences(trade.o, recordedTrade.o, { extra: newer })).toEqual([]);
    expect(trade.o).toMatchObject({ N: "USDT", m: false });
    const account = await socket.next((f) => f.e === "ACCOUNT_UPDATE");
    const recordedAccount = fixture("futures-account_update.json") as Json;
    expect(shapeDifferences(account.a.B[0], recordedAccount.a.B[0])).toEqual([]);
    expect(shapeDifferences(account.a.P[0], recordedAccount.a.P[0])).toEqual([]);
    expect(account.a.m).toBe("ORDER");
    await signed(server, "POST", "/fapi/v1/leverage", { symbol: "BTCUSDT", leverage: "10" });
    const config = await socket.next((f) => f.e === "ACCOUNT_CONFIG_UPDATE");
    expect(config.ac).toEqual({ s: "BTCUSDT", l: 10 });
  });

  async function opened(socket: FrameCollector, side: "BUY" | "SELL") {
    await signed(server, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side,
      type: "MARKET",
      quantity: "0.01",
    });
    await socket.next((f) => f.e === "ACCOUNT_UPDATE");
  }

  for (const workingType of ["MARK_PRICE", "CONTRACT_PRICE"] as const) {
    test(`a STOP_MARKET on ${workingType} triggers, places a MARKET order, finishes`, async () => {
      const socket = await open(`/private/ws/${await listenKey()}`);
      await opened(socket, "BUY");
      const placed = await signed(server, "POST", "/fapi/v1/algoOrder", {
        algoType: "CONDITIONAL",
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_MARKET",
        triggerPrice: "93000",
        workingType,
        closePosition: "true",
        clientAlgoId: `sl-${workingType}`,
      });
      expect(placed.body.algoStatus).toBe("NEW");
      const fresh = await socket.next((f) => f.e === "ALGO_UPDATE" && f.o.X === "NEW");
      expect(
        shapeDifferences(fresh.o, (fixture("futures-algo_update_new.json") as Json).o),
      ).toEqual([]);
      await admin(server, "/mid", { symbol: "BTCUSDT", price: "92500" });
      await admin(server, "/advance", { ms: 1_000 });
      const finished = await socket.next((f) => f.e === "ALGO_UPDATE" && f.o.X === "FINISHED");
      expect(finished.o).toMatchObject({
        caid: `sl-${workingType}`,
        wt: workingType,
        act: "MARKET",
      });
      const statuses = events(socket, "ALGO_UPDATE").map((e) => e.o.X);
      expect(statuses).toEqual(["NEW", "TRIGGERING", "TRIGGERED", "FINISHED"]);
      const order = await socket.next(
        (f) => f.e === "ORDER_TRADE_UPDATE" && f.o.X === "FILLED" && f.o.c === `sl-${workingType}`,
      );
      expect(order.o).toMatchObject({
        c: `sl-${workingType}`,
        o: "MARKET",
        ot: "STOP_MARKET",
        cp: true,
      });
      expect(String(order.o.i)).toBe(finished.o.ai);
      const risk = await signed(server, "GET", "/fapi/v3/positionRisk", { symbol: "BTCUSDT" });
      expect(risk.body).toEqual([]);
    });
  }

  test("a TAKE_PROFIT_MARKET on a short triggers when the price falls to it", async () => {
    const socket = await open(`/private/ws/${await listenKey()}`);
    await opened(socket, "SELL");
    await signed(server, "POST", "/fapi/v1/algoOrder", {
      algoType: "CONDITIONAL",
      symbol: "BTCUSDT",
      side: "BUY",
      type: "TAKE_PROFIT_MARKET",
      triggerPrice: "94000",
      quantity: "0.01",
      reduceOnly: "true",
      clientAlgoId: "tp-short",
    });
    await admin(server, "/mid", { symbol: "BTCUSDT", price: "93900" });
    const done = await socket.next((f) => f.e === "ALGO_UPDATE" && f.o.X === "FINISHED");
    expect(done.o).toMatchObject({ caid: "tp-short", aq: "0.01000" });
    const query = await signed(server, "GET", "/fapi/v1/algoOrder", { clientAlgoId: "tp-short" });
    expect(query.body).toMatchObject({ algoStatus: "FINISHED", actualQty: "0.010" });
  });
});
