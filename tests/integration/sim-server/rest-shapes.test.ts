// Answers against the recorded fixtures: the same keys and the same JSON types (decimals are
// strings, ids and times numbers), documented extra keys named. The adapter's own parsers read
// every answer, so a shape the router cannot parse fails here too. Rate-limit headers included.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  parseExchangeInfo,
  parsePositions,
  parseSpotBalances,
} from "../../../adapters/binance/parse-market.ts";
import {
  parseAlgoOrder,
  parseFuturesOrder,
  parseSpotOrder,
  parseTrades,
} from "../../../adapters/binance/parse-orders.ts";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { dec, eq } from "../../../domain/decimal/index.ts";
import { admin, fixture, plain, shapeDifferences, signed } from "./sim-server-kit.ts";

const server = startBinanceSimServer({ clock: new ManualClock(1_800_000_000_000), seed: 5 });
afterAll(() => server.stop());

type Json = Record<string, unknown>;
const recorded = (name: string) => fixture(name) as Json;

beforeAll(async () => {
  await admin(server, "/mid", { symbol: "BTCUSDT", price: "95000" });
});

const spotDecimal = /^-?\d+\.\d{8}$/;

describe("spot", () => {
  test("MARKET FULL answer matches new_order_full_response, fills included", async () => {
    const placed = await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.01",
    });
    const want = recorded("spot-new_order_full_response.json");
    expect(shapeDifferences(placed.body, want)).toEqual([]);
    const fills = placed.body.fills as Json[];
    expect(fills.length).toBeGreaterThan(0);
    expect(shapeDifferences(fills[0]!, (want["fills"] as Json[])[0]!)).toEqual([]);
    for (const key of ["price", "origQty", "executedQty", "cummulativeQuoteQty"]) {
      expect(placed.body[key]).toMatch(spotDecimal);
    }
    const parsed = parseSpotOrder(placed.body);
    expect(parsed.status).toBe("FILLED");
    expect(eq(parsed.filledQty, dec("0.01"))).toBe(true);
    expect(placed.headers.get("X-MBX-ORDER-COUNT-10S")).toBe("1");
    expect(placed.headers.get("X-MBX-ORDER-COUNT-1D")).toBe("1");
    expect(placed.headers.get("X-MBX-USED-WEIGHT-1M")).toMatch(/^\d+$/);
  });

  test("RESULT and ACK are the documented subsets; a stop order adds stopPrice", async () => {
    const base = { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC" };
    const result = await signed(server, "POST", "/api/v3/order", {
      ...base,
      quantity: "0.001",
      price: "90000",
      newOrderRespType: "RESULT",
    });
    const full = recorded("spot-new_order_full_response.json");
    expect(shapeDifferences(result.body, full, { optional: ["fills"] })).toEqual([]);
    const ack = await signed(server, "POST", "/api/v3/order", {
      ...base,
      quantity: "0.001",
      price: "90000",
      newOrderRespType: "ACK",
    });
    expect(Object.keys(ack.body)).toEqual([
      "symbol",
      "orderId",
      "orderListId",
      "clientOrderId",
      "transactTime",
    ]);
    const stop = await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_LOSS_LIMIT",
      timeInForce: "GTC",
      quantity: "0.001",
      price: "89000",
      stopPrice: "90000",
      newOrderRespType: "RESULT",
    });
    expect(
      shapeDifferences(stop.body, full, { optional: ["fills"], extra: ["stopPrice"] }),
    ).toEqual([]);
    expect(stop.body.workingTime).toBe(-1);
  });

  test("GET order, openOrders, DELETE order match their fixtures", async () => {
    const placed = await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.001",
      price: "91000",
      newClientOrderId: "shape-1",
    });
    expect(placed.status).toBe(200);
    const ref = { symbol: "BTCUSDT", origClientOrderId: "shape-1" };
    const queried = await signed(server, "GET", "/api/v3/order", ref);
    expect(shapeDifferences(queried.body, recorded("spot-order_response.json"))).toEqual([]);
    const open = await signed(server, "GET", "/api/v3/openOrders", { symbol: "BTCUSDT" });
    expect(shapeDifferences(open.body[0], recorded("spot-order_response.json"))).toEqual([]);
    const canceled = await signed(server, "DELETE", "/api/v3/order", {
      ...ref,
      newClientOrderId: "shape-1-cancel",
    });
    expect(shapeDifferences(canceled.body, recorded("spot-cancel_order_response.json"))).toEqual(
      [],
    );
    expect(canceled.body.clientOrderId).toBe("shape-1-cancel");
    expect(canceled.body.origClientOrderId).toBe("shape-1");
    expect(parseSpotOrder(canceled.body).clientOrderId).toBe("shape-1");
  });

  test("account, commission, trades, book ticker and time", async () => {
    const account = await signed(server, "GET", "/api/v3/account", {});
    const want = recorded("spot-account_response.json");
    expect(shapeDifferences(account.body, want)).toEqual([]);
    expect(shapeDifferences(account.body.balances[0], (want["balances"] as Json[])[0]!)).toEqual(
      [],
    );
    expect(parseSpotBalances(account.body).map((b) => b.asset)).toContain("USDT");
    const commission = await signed(server, "GET", "/api/v3/account/commission", {
      symbol: "BTCUSDT",
    });
    expect(commission.body.standardCommission).toEqual({
      maker: "0.00100000",
      taker: "0.00100000",
      buyer: "0.00000000",
      seller: "0.00000000",
    });
    const trades = await signed(server, "GET", "/api/v3/myTrades", { symbol: "BTCUSDT" });
    expect(parseTrades(trades.body).length).toBeGreaterThan(0);
    const ticker = await plain(server, "GET", "/api/v3/ticker/bookTicker?symbol=BTCUSDT");
    expect(shapeDifferences(ticker.body, recorded("spot-book_ticker_response.json"))).toEqual([]);
    const time = await plain(server, "GET", "/api/v3/time");
    expect(shapeDifferences(time.body, recorded("spot-server_time_response.json"))).toEqual([]);
    expect(time.body.serverTime).toBe(server.clock.nowMs());
    expect(time.headers.get("X-MBX-USED-WEIGHT-1M")).not.toBeNull();
  });

  test("exchangeInfo carries Binance's whole document with serverTime now", async () => {
    const info = await plain(server, "GET", "/api/v3/exchangeInfo");
    const want = recorded("exchange-info-spot.json");
    expect(shapeDifferences(info.body, want)).toEqual([]);
    const symbol = (info.body.symbols as Json[]).find((s) => s["symbol"] === "BTCUSDT")!;
    expect(shapeDifferences(symbol, (want["symbols"] as Json[])[0]!)).toEqual([]);
    expect(info.body.serverTime).toBe(server.clock.nowMs());
    expect(parseExchangeInfo("SPOT", info.body).map((r) => r.symbol)).toEqual([
      "BTCUSDT",
      "ETHUSDT",
    ]);
    const one = await plain(
      server,
      "GET",
      `/api/v3/exchangeInfo?symbols=${encodeURIComponent('["ETHUSDT"]')}`,
    );
    expect(one.body.symbols.map((s: Json) => s["symbol"])).toEqual(["ETHUSDT"]);
  });
});

describe("USDⓈ-M", () => {
  test("order answers (RESULT and GET) match futures-order_response; trades parse", async () => {
    const placed = await signed(server, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.01",
      newOrderRespType: "RESULT",
      newClientOrderId: "fut-shape-1",
    });
    const want = recorded("futures-order_response.json");
    expect(shapeDifferences(placed.body, want, { extra: ["cumQty"] })).toEqual([]);
    expect(placed.body.status).toBe("FILLED");
    expect(placed.headers.get("X-MBX-ORDER-COUNT-10S")).toBe("1");
    expect(placed.headers.get("X-MBX-ORDER-COUNT-1M")).toBe("1");
    const queried = await signed(server, "GET", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "fut-shape-1",
    });
    expect(shapeDifferences(queried.body, want, { extra: ["cumQty"] })).toEqual([]);
    const parsed = parseFuturesOrder(queried.body);
    expect(eq(parsed.filledQty, dec("0.01"))).toBe(true);
    const trades = await signed(server, "GET", "/fapi/v1/userTrades", {
      symbol: "BTCUSDT",
      orderId: String(placed.body.orderId),
    });
    const fills = parseTrades(trades.body);
    expect(fills.reduce((total, fill) => total + Number(fill.qty.units), 0)).toBeGreaterThan(0);
  });

  test("ACK shows the order as accepted", async () => {
    const ack = await signed(server, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "MARKET",
      quantity: "0.01",
    });
    expect(ack.body.status).toBe("NEW");
    expect(ack.body.executedQty).toBe("0.000");
  });

  test("algo order answers match futures-algo_order_response", async () => {
    const placed = await signed(server, "POST", "/fapi/v1/algoOrder", {
      algoType: "CONDITIONAL",
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      triggerPrice: "90000",
      workingType: "MARK_PRICE",
      quantity: "0.01",
      reduceOnly: "true",
      clientAlgoId: "algo-shape-1",
    });
    const want = recorded("futures-algo_order_response.json");
    const extra = ["icebergQuantity", "selfTradePreventionMode"];
    expect(shapeDifferences(placed.body, want, { extra, nullable: ["icebergQuantity"] })).toEqual(
      [],
    );
    expect(parseAlgoOrder(placed.body).status).toBe("NEW");
    const open = await signed(server, "GET", "/fapi/v1/openAlgoOrders", { symbol: "BTCUSDT" });
    expect(shapeDifferences(open.body[0], want, { extra })).toEqual([]);
    const recordedOpen = (fixture("futures-open_algo_orders.json") as Json[])[0]!;
    for (const key of Object.keys(recordedOpen).filter((k) => k !== "type")) {
      expect(Object.keys(open.body[0])).toContain(key);
    }
    const canceled = await signed(server, "DELETE", "/fapi/v1/algoOrder", {
      clientAlgoId: "algo-shape-1",
    });
    expect(canceled.body).toEqual({
      algoId: placed.body.algoId,
      clientAlgoId: "algo-shape-1",
      code: "200",
      msg: "success",
    });
  });

  test("positionRisk v2 matches its fixture; v3, balance, account, symbolConfig parse", async () => {
    const v2 = await signed(server, "GET", "/fapi/v2/positionRisk", { symbol: "BTCUSDT" });
    const recordedRisk = (fixture("futures-position_risk.json") as Json[])[0]!;
    expect(shapeDifferences(v2.body[0], recordedRisk)).toEqual([]);
    const config = await signed(server, "GET", "/fapi/v1/symbolConfig", { symbol: "BTCUSDT" });
    expect(config.body[0]).toMatchObject({
      symbol: "BTCUSDT",
      marginType: "CROSSED",
      leverage: 20,
    });
    const opened = { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.005" };
    expect((await signed(server, "POST", "/fapi/v1/order", opened)).status).toBe(200);
    const v3 = await signed(server, "GET", "/fapi/v3/positionRisk", {});
    const positions = parsePositions(v3.body, new Map());
    expect(positions.map((p) => p.symbol)).toEqual(["BTCUSDT"]);
    expect(v3.body[0]).not.toHaveProperty("leverage");
    const balance = await signed(server, "GET", "/fapi/v3/balance", {});
    expect(balance.body[0]).toMatchObject({ asset: "USDT", marginAvailable: true });
    for (const path of ["/fapi/v2/account", "/fapi/v3/account"]) {
      const account = await signed(server, "GET", path, {});
      expect(account.body.assets[0].asset).toBe("USDT");
      expect(typeof account.body.availableBalance).toBe("string");
    }
    const rate = await signed(server, "GET", "/fapi/v1/commissionRate", { symbol: "BTCUSDT" });
    expect(rate.body).toEqual({
      symbol: "BTCUSDT",
      makerCommissionRate: "0.0002",
      takerCommissionRate: "0.0005",
      rpiCommissionRate: "0",
    });
  });

  test("exchangeInfo, depth with E/T, book ticker, price, premium index", async () => {
    const info = await plain(server, "GET", "/fapi/v1/exchangeInfo");
    const want = recorded("exchange-info-usdm.json");
    expect(shapeDifferences(info.body, want)).toEqual([]);
    const symbol = (info.body.symbols as Json[])[0]!;
    expect(shapeDifferences(symbol, (want["symbols"] as Json[])[0]!)).toEqual([]);
    expect(symbol).toMatchObject({
      contractType: "PERPETUAL",
      marginAsset: "USDT",
      pricePrecision: 2,
    });
    const depth = await plain(server, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=10");
    expect(Object.keys(depth.body)).toEqual(["lastUpdateId", "E", "T", "bids", "asks"]);
    expect(depth.body.bids[0][0]).toMatch(/^\d+\.\d{2}$/);
    const ticker = await plain(server, "GET", "/fapi/v1/ticker/bookTicker?symbol=BTCUSDT");
    expect(Object.keys(ticker.body)).toEqual([
      "symbol",
      "bidPrice",
      "bidQty",
      "askPrice",
      "askQty",
      "time",
      "lastUpdateId",
    ]);
    const price = await plain(server, "GET", "/fapi/v1/ticker/price?symbol=BTCUSDT");
    expect(Object.keys(price.body)).toEqual(["symbol", "price", "time"]);
    const premium = await plain(server, "GET", "/fapi/v1/premiumIndex?symbol=BTCUSDT");
    expect(typeof premium.body.markPrice).toBe("string");
    const all = await plain(server, "GET", "/fapi/v1/premiumIndex");
    expect(all.body).toHaveLength(2);
  });
});
