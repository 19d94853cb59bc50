// A triggered futures algo order's own order, through the gateway over real HTTP and WebSocket:
// the venue may give it a client id of its own, and its trade events may come before the
// ALGO_UPDATE that names it. Events and answers about it land on the clientAlgoId either way, and
// a query by the clientAlgoId finds it through the algo order.

import { afterEach, describe, expect, test } from "bun:test";
import { unlinkedEventsMax } from "../../../adapters/binance/algo-links.ts";
import { BinanceExchangeGateway } from "../../../adapters/binance/binance-exchange-gateway.ts";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { SeededRng } from "../../../adapters/clock/seeded-rng.ts";
import { dec, formatDecimal } from "../../../domain/decimal/index.ts";
import type { ExchangeEvent } from "../../../ports/exchange-gateway.ts";
import {
  eventually,
  futuresOrderBody,
  silentLogger,
  StubBinance,
  type StubSocket,
  testKey,
  testSecret,
} from "./stub-binance.ts";

const startMs = 1_700_000_000_000;
const algoClientId = "intent-3/sl";
let stub: StubBinance;
let venue: BinanceExchangeGateway | null = null;

afterEach(async () => {
  await venue?.stop();
  venue = null;
  stub?.stop();
});

function open(userStreams: boolean) {
  const events: ExchangeEvent[] = [];
  venue = new BinanceExchangeGateway({
    apiKey: testKey,
    apiSecret: testSecret,
    baseUrl: stub.baseUrl,
    recvWindowMs: 5_000,
    clock: new ManualClock(startMs),
    rng: new SeededRng(3),
    logger: silentLogger,
    markets: ["FUT"],
    userStreams,
  });
  venue.onEvent((event) => events.push(event));
  return { venue, events };
}

/** GET /fapi/v1/algoOrder as Binance answers it. */
function algoBody(status: string, actualOrderId: string) {
  return {
    algoId: 555,
    clientAlgoId: algoClientId,
    algoType: "CONDITIONAL",
    orderType: "STOP_MARKET",
    symbol: "BTCUSDT",
    side: "SELL",
    positionSide: "BOTH",
    timeInForce: "GTC",
    quantity: "0.010",
    algoStatus: status,
    triggerPrice: "45000.00",
    price: "0",
    workingType: "MARK_PRICE",
    priceMatch: "NONE",
    closePosition: false,
    priceProtect: false,
    reduceOnly: true,
    actualOrderId,
    createTime: startMs,
    updateTime: startMs + 50,
    triggerTime: actualOrderId === "" ? 0 : startMs + 40,
    goodTillDate: 0,
  };
}

function algoUpdate(status: string, actualOrderId: string) {
  return {
    e: "ALGO_UPDATE",
    T: startMs + 41,
    E: startMs + 42,
    o: {
      caid: algoClientId,
      aid: 555,
      at: "CONDITIONAL",
      o: "STOP_MARKET",
      s: "BTCUSDT",
      S: "SELL",
      ps: "BOTH",
      f: "GTC",
      q: "0.010",
      X: status,
      ai: actualOrderId,
      ap: "0",
      aq: "0",
      act: "MARKET",
      tp: "45000",
      p: "0",
      V: "EXPIRE_MAKER",
      wt: "MARK_PRICE",
      pm: "NONE",
      cp: false,
      pP: false,
      R: true,
      tt: startMs + 40,
      gtd: 0,
    },
  };
}

/** ORDER_TRADE_UPDATE of the order the algo placed: NEW, or a TRADE that fills it. */
function orderUpdate(clientId: string, orderId: number, trade: number | null) {
  return {
    e: "ORDER_TRADE_UPDATE",
    E: startMs + 41,
    T: startMs + 41,
    o: {
      s: "BTCUSDT",
      c: clientId,
      S: "SELL",
      o: "MARKET",
      f: "GTC",
      q: "0.010",
      p: "0",
      ap: trade === null ? "0" : "44990.00",
      sp: "45000",
      x: trade === null ? "NEW" : "TRADE",
      X: trade === null ? "NEW" : "FILLED",
      i: orderId,
      l: trade === null ? "0" : "0.010",
      z: trade === null ? "0" : "0.010",
      L: trade === null ? "0" : "44990.00",
      N: "USDT",
      n: trade === null ? "0" : "0.22",
      T: startMs + 41,
      t: trade ?? 0,
      m: false,
      R: true,
      wt: "MARK_PRICE",
      ot: "STOP_MARKET",
      ps: "BOTH",
    },
  };
}

/** A venue with a futures user stream; answers the socket to push events through. */
async function streaming() {
  let socket: StubSocket | null = null;
  stub = new StubBinance()
    .route("GET", "/fapi/v1/time", () => ({ body: { serverTime: startMs } }))
    .route("POST", "/fapi/v1/listenKey", () => ({ body: { listenKey: "key-one" } }))
    .route("GET", "/fapi/v1/algoOrder", () => ({ body: algoBody("FINISHED", "7005") }))
    .socketRoute("/private/ws/*", {
      open(opened) {
        socket = opened;
      },
    });
  const opened = open(true);
  await opened.venue.start();
  await eventually(() => socket !== null);
  const push = (payload: unknown) => socket?.send(JSON.stringify(payload));
  return { ...opened, push };
}

/** Order updates as listeners saw them: client id, status, trade id (or "-"). */
function orderUpdates(events: readonly ExchangeEvent[]): string[] {
  return events.flatMap((event) =>
    event.kind === "ORDER_UPDATE"
      ? [`${event.order.clientOrderId} ${event.order.status} ${event.fill?.tradeId ?? "-"}`]
      : event.kind === "CONDITIONAL_UPDATE"
        ? [`algo ${event.order.clientAlgoId} ${event.order.status}`]
        : [],
  );
}

describe("triggered algo order events", () => {
  test("its own client id, after the ALGO_UPDATE naming it: labelled as the algo", async () => {
    const { events, push } = await streaming();
    push(algoUpdate("TRIGGERED", "7001"));
    push(orderUpdate("autoclose-7001", 7001, null));
    push(orderUpdate("autoclose-7001", 7001, 9001));
    await eventually(() => orderUpdates(events).length === 3);
    expect(orderUpdates(events)).toEqual([
      `algo ${algoClientId} TRIGGERED`,
      `${algoClientId} NEW -`,
      `${algoClientId} FILLED 9001`,
    ]);
    const fill = events.find((event) => event.kind === "ORDER_UPDATE" && event.fill !== null);
    expect(fill?.kind === "ORDER_UPDATE" && formatDecimal(fill.fill!.qty)).toBe("0.01");
  });

  test("its trades before the ALGO_UPDATE: delivered again, labelled, once linked", async () => {
    const { events, push } = await streaming();
    push(orderUpdate("trig-7002", 7002, null));
    push(orderUpdate("trig-7002", 7002, 9002));
    await eventually(() => orderUpdates(events).length === 2);
    // Nothing names the algo order yet: they go out as the venue labelled them.
    expect(orderUpdates(events)).toEqual(["trig-7002 NEW -", "trig-7002 FILLED 9002"]);
    push(algoUpdate("TRIGGERED", "7002"));
    push(algoUpdate("FINISHED", "7002"));
    // A duplicate of the trade after the link: the fill is not delivered twice.
    push(orderUpdate("trig-7002", 7002, 9002));
    await eventually(() => orderUpdates(events).length === 6);
    expect(orderUpdates(events).slice(2)).toEqual([
      `${algoClientId} NEW -`,
      `${algoClientId} FILLED 9002`,
      `algo ${algoClientId} TRIGGERED`,
      `algo ${algoClientId} FINISHED`,
    ]);
    const labelledFills = events.filter(
      (event) =>
        event.kind === "ORDER_UPDATE" &&
        event.order.clientOrderId === algoClientId &&
        event.fill !== null,
    );
    expect(labelledFills.length).toBe(1);
  });

  test("under the clientAlgoId itself (as the simulator does): delivered once", async () => {
    const { events, push } = await streaming();
    push(orderUpdate(algoClientId, 7003, 9003));
    push(algoUpdate("TRIGGERED", "7003"));
    await eventually(() => orderUpdates(events).length === 2);
    push(algoUpdate("FINISHED", "7003"));
    await eventually(() => orderUpdates(events).length === 3);
    expect(orderUpdates(events)).toEqual([
      `${algoClientId} FILLED 9003`,
      `algo ${algoClientId} TRIGGERED`,
      `algo ${algoClientId} FINISHED`,
    ]);
  });

  test("its trades, then an algo query (no ALGO_UPDATE): delivered again, labelled", async () => {
    const { events, push, venue } = await streaming();
    push(orderUpdate("trig-7005", 7005, 9005));
    await eventually(() => orderUpdates(events).length === 1);
    const algo = await venue.queryConditional("BTCUSDT", algoClientId);
    expect(algo.ok && algo.value.triggeredOrderId).toBe("7005");
    expect(orderUpdates(events)).toEqual(["trig-7005 FILLED 9005", `${algoClientId} FILLED 9005`]);
  });

  test("events kept for a link are bounded: the oldest are forgotten", async () => {
    const { events, push } = await streaming();
    push(orderUpdate("trig-7004", 7004, 9004));
    for (let index = 0; index < unlinkedEventsMax; index += 1) {
      push(orderUpdate(`other-${index}`, 8000 + index, null));
    }
    await eventually(() => orderUpdates(events).length === unlinkedEventsMax + 1);
    push(algoUpdate("TRIGGERED", "7004"));
    await eventually(() => orderUpdates(events).at(-1) === `algo ${algoClientId} TRIGGERED`);
    // The trade kept longest ago was forgotten: nothing is delivered again under the algo's id
    // (the venue still answers for it by query).
    const labelled = orderUpdates(events).filter((entry) => entry.startsWith(algoClientId));
    expect(labelled).toEqual([]);
    expect(orderUpdates(events).length).toBe(unlinkedEventsMax + 2);
  });
});

describe("queries by a clientAlgoId whose triggered order has its own client id", () => {
  const notFound = { status: 400, body: { code: -2013, msg: "Order does not exist." } };

  function rest(algoStatus: () => { status: string; actualOrderId: string }) {
    stub = new StubBinance()
      .route("GET", "/fapi/v1/algoOrder", () => {
        const { status, actualOrderId } = algoStatus();
        return { body: algoBody(status, actualOrderId) };
      })
      .route("POST", "/fapi/v1/algoOrder", () => ({ body: algoBody("NEW", "") }))
      .route("GET", "/fapi/v1/order", (request) =>
        request.params.get("orderId") === "7010"
          ? {
              body: futuresOrderBody({
                orderId: 7010,
                clientOrderId: "trig-7010",
                type: "MARKET",
                side: "SELL",
                status: "FILLED",
                origQty: "0.010",
                executedQty: "0.010",
                avgPrice: "44990.00",
                price: "0",
                reduceOnly: true,
                origType: "STOP_MARKET",
              }),
            }
          : notFound,
      )
      .route("GET", "/fapi/v1/openOrders", () => ({
        body: [futuresOrderBody({ orderId: 7010, clientOrderId: "trig-7010", status: "NEW" })],
      }))
      .route("GET", "/fapi/v1/userTrades", () => ({
        body: [
          {
            id: 9010,
            orderId: 7010,
            price: "44990.00",
            qty: "0.010",
            commission: "0.22",
            commissionAsset: "USDT",
            maker: false,
            time: startMs + 41,
          },
        ],
      }));
    return open(false).venue;
  }

  const ref = { market: "FUT" as const, symbol: "BTCUSDT", clientOrderId: algoClientId };
  const byOrderId = () =>
    stub.calls("GET", "/fapi/v1/order").filter((call) => call.params.has("orderId"));

  test("after the algo query named it: the order found by orderId, with its fills", async () => {
    const gateway = rest(() => ({ status: "FINISHED", actualOrderId: "7010" }));
    const algo = await gateway.queryConditional("BTCUSDT", algoClientId);
    expect(algo.ok && algo.value.triggeredOrderId).toBe("7010");
    const answer = await gateway.queryOrder(ref);
    expect(answer.ok && answer.value).toMatchObject({
      clientOrderId: algoClientId,
      exchangeOrderId: "7010",
      status: "FILLED",
    });
    expect(answer.ok && answer.value.fills.map((fill) => fill.tradeId)).toEqual(["9010"]);
    // The link was known: the algo order was not asked for again.
    expect(stub.calls("GET", "/fapi/v1/algoOrder").length).toBe(1);
    expect(byOrderId().map((call) => call.params.get("symbol"))).toEqual(["BTCUSDT"]);
  });

  test("placed, triggered since: the algo query finds the order it placed", async () => {
    let algo = { status: "NEW", actualOrderId: "" };
    const gateway = rest(() => algo);
    await gateway.placeConditional({
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      triggerPrice: dec("45000"),
      workingType: "MARK_PRICE",
      qty: dec("0.010"),
      reduceOnly: true,
      closePosition: false,
      clientAlgoId: algoClientId,
    });
    // Not triggered yet: the regular order does not exist, and the answer says so.
    const before = await gateway.queryOrder(ref);
    expect(!before.ok && before.error.kind).toBe("UNKNOWN_ORDER");
    expect(byOrderId().length).toBe(0);
    algo = { status: "TRIGGERED", actualOrderId: "7010" };
    const after = await gateway.queryOrder(ref);
    expect(after.ok && after.value).toMatchObject({
      clientOrderId: algoClientId,
      exchangeOrderId: "7010",
    });
    expect(stub.calls("GET", "/fapi/v1/algoOrder").length).toBe(2);
  });

  test("a client id not known as an algo order's: unknown, no algo query", async () => {
    const gateway = rest(() => ({ status: "FINISHED", actualOrderId: "7010" }));
    const answer = await gateway.queryOrder({ ...ref, clientOrderId: "intent-9" });
    expect(!answer.ok && answer.error.kind).toBe("UNKNOWN_ORDER");
    expect(stub.calls("GET", "/fapi/v1/algoOrder").length).toBe(0);
  });

  test("open orders: the triggered order answers under the clientAlgoId", async () => {
    const gateway = rest(() => ({ status: "TRIGGERED", actualOrderId: "7010" }));
    const unlinked = await gateway.openOrders("FUT");
    expect(unlinked.ok && unlinked.value.map((order) => order.clientOrderId)).toEqual([
      "trig-7010",
    ]);
    await gateway.queryConditional("BTCUSDT", algoClientId);
    const linked = await gateway.openOrders("FUT");
    expect(linked.ok && linked.value.map((order) => order.clientOrderId)).toEqual([algoClientId]);
  });
});
