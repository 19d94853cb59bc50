// Endpoints generic Binance clients call that the simulator first lacked or answered loosely
// (found by running ccxt, the `binance` package and Binance's own connectors against it):
// 24-hour tickers, `symbols` on spot tickers, leverage brackets, the open-order query, the coin
// list, margin pairs, the COIN-M exchangeInfo, system status, trade fees, the position-mode
// switch, a cancel sent as a form body, and the id / time-window rules of trade history.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { admin, plain, signed, type Wire } from "./sim-server-kit.ts";

const startMs = 1_800_000_000_000;
const hourMs = 60 * 60 * 1000;
const server = startBinanceSimServer({ clock: new ManualClock(startMs), seed: 5 });
afterAll(() => server.stop());

beforeAll(async () => {
  await admin(server, "/mid", { symbol: "BTCUSDT", price: "95000" });
});

const spotFullKeys = [
  "symbol",
  "priceChange",
  "priceChangePercent",
  "weightedAvgPrice",
  "prevClosePrice",
  "lastPrice",
  "lastQty",
  "bidPrice",
  "bidQty",
  "askPrice",
  "askQty",
  "openPrice",
  "highPrice",
  "lowPrice",
  "volume",
  "quoteVolume",
  "openTime",
  "closeTime",
  "firstId",
  "lastId",
  "count",
];
const spotMiniKeys = [
  "symbol",
  "openPrice",
  "highPrice",
  "lowPrice",
  "lastPrice",
  "volume",
  "quoteVolume",
  "openTime",
  "closeTime",
  "firstId",
  "lastId",
  "count",
];
const futuresKeys = spotFullKeys.filter(
  (key) => !["prevClosePrice", "bidPrice", "bidQty", "askPrice", "askQty"].includes(key),
);

const marketBuy = (quantity: string) =>
  signed(server, "POST", "/api/v3/order", {
    symbol: "BTCUSDT",
    side: "BUY",
    type: "MARKET",
    quantity,
  });

describe("24-hour tickers", () => {
  test("spot FULL and MINI carry Binance's keys; no trade yet means ids -1 and count 0", async () => {
    const full = await plain(server, "GET", "/api/v3/ticker/24hr?symbol=ETHUSDT");
    expect(full.status).toBe(200);
    expect(Object.keys(full.body)).toEqual(spotFullKeys);
    expect(full.body).toMatchObject({ firstId: -1, lastId: -1, count: 0, volume: "0.00000000" });
    expect(full.body.closeTime - full.body.openTime).toBe(24 * hourMs);
    const mini = await plain(server, "GET", "/api/v3/ticker/24hr?symbol=ETHUSDT&type=MINI");
    expect(Object.keys(mini.body)).toEqual(spotMiniKeys);
    const badType = await plain(server, "GET", "/api/v3/ticker/24hr?symbol=ETHUSDT&type=X");
    expect(badType.body.code).toBe(-1130);
  });

  test("spot volume, count and trade ids are the venue's trades; high ≥ last ≥ low", async () => {
    const bought = await marketBuy("0.01");
    expect(bought.body.status).toBe("FILLED");
    const ticker = (await plain(server, "GET", "/api/v3/ticker/24hr?symbol=BTCUSDT")).body;
    const trades = (await signed(server, "GET", "/api/v3/myTrades", { symbol: "BTCUSDT" })).body;
    expect(ticker.count).toBe(trades.length);
    expect(ticker.firstId).toBe(trades[0].id);
    expect(ticker.lastId).toBe(trades.at(-1).id);
    expect(ticker.lastQty).toBe(trades.at(-1).qty);
    expect(Number(ticker.volume)).toBeCloseTo(0.01, 8);
    expect(Number(ticker.highPrice)).toBeGreaterThanOrEqual(Number(ticker.lastPrice));
    expect(Number(ticker.lowPrice)).toBeLessThanOrEqual(Number(ticker.lastPrice));
    expect(ticker.priceChangePercent).toMatch(/^-?\d+\.\d{3}$/);
  });

  test("the window rolls: a day later the old prices and trades are out of it", async () => {
    // A jump to half the price and back leaves a low no day of calm walking reaches again.
    await admin(server, "/mid", { symbol: "BTCUSDT", price: "50000" });
    await admin(server, "/advance", { ms: hourMs });
    await admin(server, "/mid", { symbol: "BTCUSDT", price: "95000" });
    await admin(server, "/advance", { ms: hourMs });
    const moved = (await plain(server, "GET", "/api/v3/ticker/24hr?symbol=BTCUSDT")).body;
    expect(Number(moved.lowPrice)).toBeLessThanOrEqual(50_100);
    expect(moved.count).toBeGreaterThan(0);
    await admin(server, "/advance", { ms: 25 * hourMs });
    const later = (await plain(server, "GET", "/api/v3/ticker/24hr?symbol=BTCUSDT")).body;
    expect(later).toMatchObject({ count: 0, firstId: -1, lastId: -1, volume: "0.00000000" });
    expect(Number(later.lowPrice)).toBeGreaterThan(60_000);
  });

  test("spot `symbols` answers an array; with `symbol` too it is refused", async () => {
    const list = encodeURIComponent(JSON.stringify(["ETHUSDT"]));
    for (const path of ["ticker/24hr", "ticker/bookTicker", "ticker/price"]) {
      const rows = await plain(server, "GET", `/api/v3/${path}?symbols=${list}`);
      expect(rows.body.map((row: Wire) => row.symbol)).toEqual(["ETHUSDT"]);
      const both = await plain(server, "GET", `/api/v3/${path}?symbol=ETHUSDT&symbols=${list}`);
      expect(both.body.code).toBe(-1128);
    }
    const unknown = encodeURIComponent(JSON.stringify(["NOPEUSDT"]));
    const refused = await plain(server, "GET", `/api/v3/ticker/24hr?symbols=${unknown}`);
    expect(refused.body).toEqual({ code: -1121, msg: "Invalid symbol." });
    const all = await plain(server, "GET", "/api/v3/ticker/24hr");
    expect(all.body.map((row: Wire) => row.symbol).sort()).toEqual(["BTCUSDT", "ETHUSDT"]);
  });

  test("futures 24hr has the USDⓈ-M keys and counts futures trades; v2 price ticker", async () => {
    const placed = await signed(server, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.002",
    });
    expect(placed.status).toBe(200);
    const ticker = (await plain(server, "GET", "/fapi/v1/ticker/24hr?symbol=BTCUSDT")).body;
    expect(Object.keys(ticker)).toEqual(futuresKeys);
    expect(ticker).toMatchObject({ count: 1, volume: "0.002" });
    expect(ticker.lastPrice).toMatch(/^\d+\.\d{2}$/);
    const all = await plain(server, "GET", "/fapi/v1/ticker/24hr");
    expect(all.body).toHaveLength(2);
    const v2 = await plain(server, "GET", "/fapi/v2/ticker/price?symbol=BTCUSDT");
    expect(Object.keys(v2.body)).toEqual(["symbol", "price", "time"]);
  });
});

describe("futures account extras", () => {
  test("leverageBracket: an object for a symbol, an array without; brackets chain", async () => {
    const one = await signed(server, "GET", "/fapi/v1/leverageBracket", { symbol: "BTCUSDT" });
    expect(one.status).toBe(200);
    expect(one.body.symbol).toBe("BTCUSDT");
    const brackets = one.body.brackets as Wire[];
    expect(brackets[0]).toEqual({
      bracket: 1,
      initialLeverage: 125,
      notionalCap: 300_000,
      notionalFloor: 0,
      maintMarginRatio: 0.004,
      cum: 0,
    });
    for (let index = 1; index < brackets.length; index += 1) {
      const [previous, current] = [brackets[index - 1], brackets[index]];
      expect(current.notionalFloor).toBe(previous.notionalCap);
      const carried =
        current.notionalFloor * (current.maintMarginRatio - previous.maintMarginRatio);
      expect(current.cum).toBeCloseTo(previous.cum + carried, 6);
    }
    const set = await signed(server, "POST", "/fapi/v1/leverage", {
      symbol: "BTCUSDT",
      leverage: "20",
    });
    const allowing = brackets.filter((bracket) => bracket.initialLeverage >= 20);
    expect(set.body.maxNotionalValue).toBe(String(allowing.at(-1).notionalCap));
    const all = await signed(server, "GET", "/fapi/v1/leverageBracket");
    expect(all.body.map((entry: Wire) => entry.symbol)).toEqual(["BTCUSDT", "ETHUSDT"]);
    const unsigned = await plain(server, "GET", "/fapi/v1/leverageBracket", server.apiKey);
    expect(unsigned.body.code).toBe(-1102);
  });

  test("allAlgoOrders lists a symbol's algo orders, open and ended, from an algoId", async () => {
    const top = await plain(server, "GET", "/fapi/v1/ticker/bookTicker?symbol=BTCUSDT");
    const trigger = (Math.floor(Number(top.body.bidPrice) * 0.9 * 10) / 10).toFixed(1);
    const place = (symbol: string, triggerPrice: string) =>
      signed(server, "POST", "/fapi/v1/algoOrder", {
        algoType: "CONDITIONAL",
        symbol,
        side: "SELL",
        type: "STOP_MARKET",
        quantity: "0.002",
        triggerPrice,
        reduceOnly: "true",
      });
    const first = (await place("BTCUSDT", trigger)).body;
    const second = (await place("BTCUSDT", trigger)).body;
    const ethTop = await plain(server, "GET", "/fapi/v1/ticker/bookTicker?symbol=ETHUSDT");
    const ethTrigger = (Math.floor(Number(ethTop.body.bidPrice) * 0.9 * 100) / 100).toFixed(2);
    expect((await place("ETHUSDT", ethTrigger)).status).toBe(200);
    await signed(server, "DELETE", "/fapi/v1/algoOrder", { algoId: String(first.algoId) });
    const all = await signed(server, "GET", "/fapi/v1/allAlgoOrders", { symbol: "BTCUSDT" });
    const rows = all.body.map((algo: Wire) => [algo.algoId, algo.algoStatus]);
    expect(rows).toEqual([
      [first.algoId, "CANCELED"],
      [second.algoId, "NEW"],
    ]);
    const from = await signed(server, "GET", "/fapi/v1/allAlgoOrders", {
      symbol: "BTCUSDT",
      algoId: String(second.algoId),
    });
    expect(from.body.map((algo: Wire) => algo.algoId)).toEqual([second.algoId]);
    await signed(server, "DELETE", "/fapi/v1/algoOpenOrders", { symbol: "BTCUSDT" });
    await signed(server, "DELETE", "/fapi/v1/algoOpenOrders", { symbol: "ETHUSDT" });
  });

  test("openOrder finds a resting order; once cancelled it does not exist", async () => {
    const top = await plain(server, "GET", "/fapi/v1/ticker/bookTicker?symbol=BTCUSDT");
    const placed = await signed(server, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.002",
      price: (Math.floor(Number(top.body.bidPrice) * 0.97 * 10) / 10).toFixed(1),
    });
    expect(placed.body.status).toBe("NEW");
    const ref = { symbol: "BTCUSDT", orderId: String(placed.body.orderId) };
    const open = await signed(server, "GET", "/fapi/v1/openOrder", ref);
    expect(open.body).toMatchObject({ orderId: placed.body.orderId, status: "NEW" });
    await signed(server, "DELETE", "/fapi/v1/order", ref);
    const gone = await signed(server, "GET", "/fapi/v1/openOrder", ref);
    expect(gone.body).toEqual({ code: -2013, msg: "Order does not exist." });
    const stillQueryable = await signed(server, "GET", "/fapi/v1/order", ref);
    expect(stillQueryable.body.status).toBe("CANCELED");
  });
});

describe("catalogue endpoints", () => {
  test("capital/config/getall lists every spot asset with the account's balance", async () => {
    const coins = await signed(server, "GET", "/sapi/v1/capital/config/getall");
    expect(coins.status).toBe(200);
    const account = await signed(server, "GET", "/api/v3/account");
    const balances = account.body.balances as Wire[];
    expect(coins.body.map((coin: Wire) => coin.coin)).toEqual(balances.map((b) => b.asset));
    for (const coin of coins.body as Wire[]) {
      const balance = balances.find((b) => b.asset === coin.coin);
      expect([coin.free, coin.locked]).toEqual([balance.free, balance.locked]);
      expect(coin).toMatchObject({ trading: true, isLegalMoney: false, networkList: [] });
    }
    const unsigned = await plain(server, "GET", "/sapi/v1/capital/config/getall", server.apiKey);
    expect(unsigned.body.code).toBe(-1102);
  });

  test("no margin pairs, and exchangeInfo says margin trading is not allowed", async () => {
    const cross = await plain(server, "GET", "/sapi/v1/margin/allPairs", server.apiKey);
    expect(cross.body).toEqual([]);
    const keyless = await plain(server, "GET", "/sapi/v1/margin/allPairs");
    expect(keyless.body.code).toBe(-2014);
    const isolated = await signed(server, "GET", "/sapi/v1/margin/isolated/allPairs");
    expect(isolated.body).toEqual([]);
    const info = await plain(server, "GET", "/api/v3/exchangeInfo?symbol=BTCUSDT");
    expect(info.body.symbols[0].isMarginTradingAllowed).toBe(false);
  });

  test("the COIN-M exchangeInfo has Binance's top level and no symbols", async () => {
    const info = await plain(server, "GET", "/dapi/v1/exchangeInfo");
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ timezone: "UTC", exchangeFilters: [], symbols: [] });
    expect(info.body.serverTime).toBe(server.clock.nowMs());
    expect(info.body.rateLimits.length).toBeGreaterThan(0);
  });
});

describe("status, fees, position mode, cancel in the body", () => {
  test("system status is normal; trade fees are the venue's spot commission", async () => {
    const status = await plain(server, "GET", "/sapi/v1/system/status");
    expect(status.body).toEqual({ status: 0, msg: "normal" });
    const fees = await signed(server, "GET", "/sapi/v1/asset/tradeFee", { symbol: "BTCUSDT" });
    expect(fees.body).toEqual([
      { symbol: "BTCUSDT", makerCommission: "0.001", takerCommission: "0.001" },
    ]);
    const all = await signed(server, "GET", "/sapi/v1/asset/tradeFee");
    expect(all.body).toHaveLength(2);
  });

  test("one-way mode again is -4059; hedge mode is not simulated; the mode stays", async () => {
    const path = "/fapi/v1/positionSide/dual";
    const same = await signed(server, "POST", path, { dualSidePosition: "false" });
    expect(same.body).toEqual({ code: -4059, msg: "No need to change position side." });
    const hedge = await signed(server, "POST", path, { dualSidePosition: "true" });
    expect(hedge.body.code).toBe(-1020);
    const missing = await signed(server, "POST", path);
    expect(missing.body.code).toBe(-1102);
    expect((await signed(server, "GET", path)).body).toEqual({ dualSidePosition: false });
  });

  test("a spot cancel with its parameters in a form body (DELETE) works", async () => {
    const top = await plain(server, "GET", "/api/v3/ticker/bookTicker?symbol=BTCUSDT");
    const placed = await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.001",
      price: (Math.floor(Number(top.body.bidPrice) * 0.97 * 100) / 100).toFixed(2),
    });
    expect(placed.body.status).toBe("NEW");
    const ref = { symbol: "BTCUSDT", orderId: String(placed.body.orderId) };
    const canceled = await signed(server, "DELETE", "/api/v3/order", ref, { inBody: true });
    expect(canceled.body).toMatchObject({ orderId: placed.body.orderId, status: "CANCELED" });
  });
});

describe("trade and order history windows", () => {
  const history = new ManualClock(startMs);
  const venue = startBinanceSimServer({ clock: history, seed: 9 });
  afterAll(() => venue.stop());
  const trades = (params: Record<string, string | number>) =>
    signed(venue, "GET", "/api/v3/myTrades", { symbol: "BTCUSDT", ...params });

  beforeAll(async () => {
    for (let index = 0; index < 4; index += 1) {
      await signed(venue, "POST", "/api/v3/order", {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: "0.001",
      });
      await admin(venue, "/advance", { ms: hourMs });
    }
  });

  const ids = (answer: Wire) => answer.body.map((row: Wire) => row.id ?? row.orderId);

  test("myTrades: most recent by default, from an id, or from a start time", async () => {
    const all = ids(await trades({}));
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(ids(await trades({ limit: 2 }))).toEqual(all.slice(-2));
    expect(ids(await trades({ fromId: all[1], limit: 2 }))).toEqual(all.slice(1, 3));
    const sinceSecond = ids(await trades({ startTime: startMs + hourMs, limit: 1 }));
    expect(sinceSecond).toHaveLength(1);
    const upToFirst = ids(await trades({ endTime: startMs + hourMs - 1 }));
    expect(upToFirst.every((id: number) => !sinceSecond.includes(id))).toBe(true);
  });

  test("myTrades refuses fromId with a window, and a window over 24 hours", async () => {
    const mixed = await trades({ fromId: 1, startTime: startMs });
    expect(mixed.body.code).toBe(-1128);
    const long = await trades({ startTime: startMs, endTime: startMs + 25 * hourMs });
    expect(long.body).toEqual({
      code: -1127,
      msg: "More than 24 hours between startTime and endTime.",
    });
  });

  test("allOrders without orderId answers the most recent orders, oldest first", async () => {
    const all = ids(await signed(venue, "GET", "/api/v3/allOrders", { symbol: "BTCUSDT" }));
    const recent = await signed(venue, "GET", "/api/v3/allOrders", {
      symbol: "BTCUSDT",
      limit: 2,
    });
    expect(ids(recent)).toEqual(all.slice(-2));
  });

  test("futures userTrades follows fromId too", async () => {
    for (let index = 0; index < 3; index += 1) {
      await signed(venue, "POST", "/fapi/v1/order", {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        quantity: "0.002",
      });
    }
    const all = ids(await signed(venue, "GET", "/fapi/v1/userTrades", { symbol: "BTCUSDT" }));
    expect(all.length).toBeGreaterThanOrEqual(3);
    const from = await signed(venue, "GET", "/fapi/v1/userTrades", {
      symbol: "BTCUSDT",
      fromId: all[1],
      limit: 1,
    });
    expect(ids(from)).toEqual([all[1]]);
  });
});
