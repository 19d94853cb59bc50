// Third-party Binance clients against the Binance-protocol simulator, unchanged but for their
// base URLs: ccxt (every `urls.api` entry pointed at the server, default options, so its full
// market and currency loading runs), the `binance` package (MainClient, USDMClient) and Binance's
// own connectors (@binance/spot, @binance/derivatives-trading-usds-futures). Each client loads
// markets, reads the book, tickers and balances, places, queries, lists and cancels spot orders,
// reads its trades, sets leverage and margin type, places a futures market order and a futures
// stop (an algo order since 2025-12-09: STOP_MARKET on /fapi/v1/order is -4120) and reads its
// position. One server per file; the venue is reset before each client.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DerivativesTradingUsdsFutures,
  DerivativesTradingUsdsFuturesRestAPI as FuturesApi,
} from "@binance/derivatives-trading-usds-futures";
import { Spot, SpotRestAPI } from "@binance/spot";
import { MainClient, USDMClient } from "binance";
import ccxt from "ccxt";
import {
  type BinanceSimServer,
  startBinanceSimServer,
} from "../../adapters/sim/binance-server/server.ts";

// biome-ignore lint/suspicious/noExplicitAny: client answers are read loosely, field by field.
type Loose = any;

const server: BinanceSimServer = startBinanceSimServer({ seed: 5, scenario: "calm" });
afterAll(() => server.stop());

function versionOf(name: string): string {
  const path = join(import.meta.dir, "..", "..", "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

async function resetVenue(): Promise<void> {
  const response = await fetch(`${server.baseUrl}${server.adminPath}/reset`, {
    method: "POST",
    body: "{}",
  });
  expect(response.status).toBe(200);
}

/** The rejection of a call that must fail (a resolved call fails the test). */
async function failureOf(call: () => Promise<unknown>): Promise<Loose> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to be refused");
}

/** `fraction` of `price`, floored to `tick` decimals, as text. */
function priceAt(price: number, fraction: number, decimals: number): string {
  const scale = 10 ** decimals;
  return (Math.floor(price * fraction * scale) / scale).toFixed(decimals);
}

const spotQty = 0.001;
const futuresQty = 0.002;

describe(`ccxt ${versionOf("ccxt")}`, () => {
  const exchange = new ccxt.binance({
    apiKey: server.apiKey,
    secret: server.apiSecret,
    enableRateLimit: false,
  });
  const urls = exchange.urls["api"] as Record<string, string>;
  for (const [name, url] of Object.entries(urls)) {
    urls[name] = url.replace(/^https:\/\/[^/]+/, server.baseUrl);
  }
  const spotSymbol = "BTC/USDT";
  const swapSymbol = "BTC/USDT:USDT";
  let limitId = "";
  let stopId = "";

  beforeAll(resetVenue);

  test("loadMarkets with default options (currencies, margin pairs, COIN-M included)", async () => {
    const markets = await exchange.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual([
      "BTC/USDT",
      "BTC/USDT:USDT",
      "ETH/USDT",
      "ETH/USDT:USDT",
    ]);
    const spot = markets[spotSymbol]!;
    expect(spot).toMatchObject({ spot: true, margin: false, active: true });
    expect(spot.precision).toMatchObject({ price: 0.01, amount: 0.00001 });
    expect(spot.limits.cost?.min).toBe(5);
    const swap = markets[swapSymbol]!;
    expect(swap).toMatchObject({ swap: true, linear: true, settle: "USDT" });
    expect(swap.precision).toMatchObject({ price: 0.1, amount: 0.001 });
    // Currencies come from /sapi/v1/capital/config/getall (ccxt's fetchCurrencies).
    for (const code of ["BTC", "ETH", "USDT"]) {
      expect(exchange.currencies[code]?.info).toMatchObject({ coin: code, trading: true });
    }
  });

  test("fetchOrderBook, fetchTicker and fetchBidsAsks (spot and futures)", async () => {
    for (const symbol of [spotSymbol, swapSymbol]) {
      const book = await exchange.fetchOrderBook(symbol, 5);
      expect(book.bids).toHaveLength(5);
      expect(book.asks).toHaveLength(5);
      expect(book.bids[0]![0]!).toBeLessThan(book.asks[0]![0]!);
      expect(book.bids[1]![0]!).toBeLessThan(book.bids[0]![0]!);
      const ticker = await exchange.fetchTicker(symbol);
      expect(ticker.last).toBeGreaterThan(0);
      expect(ticker.high!).toBeGreaterThanOrEqual(ticker.low!);
    }
    const quotes = await exchange.fetchBidsAsks([spotSymbol]);
    expect(Object.keys(quotes)).toEqual([spotSymbol]);
    expect(quotes[spotSymbol]!.bid!).toBeLessThan(quotes[spotSymbol]!.ask!);
  });

  test("fetchTime, fetchStatus, fetchTradingFee", async () => {
    expect(Math.abs((await exchange.fetchTime())! - Date.now())).toBeLessThan(5_000);
    expect((await exchange.fetchStatus()).status).toBe("ok");
    const fee = await exchange.fetchTradingFee(spotSymbol);
    expect(fee).toMatchObject({ symbol: spotSymbol, maker: 0.001, taker: 0.001 });
  });

  test("fetchBalance: spot and future", async () => {
    const spot = await exchange.fetchBalance();
    expect(spot["USDT"]).toMatchObject({ free: 100_000, used: 0, total: 100_000 });
    expect(spot["BTC"]?.total).toBe(1);
    const future = await exchange.fetchBalance({ type: "future" });
    expect(future["USDT"]?.total).toBe(100_000);
  });

  test("createOrder spot limit, fetchOrder, fetchOpenOrders, cancelOrder", async () => {
    const book = await exchange.fetchOrderBook(spotSymbol, 5);
    const price = Number(priceAt(book.bids[0]![0]!, 0.98, 2));
    const placed = await exchange.createOrder(spotSymbol, "limit", "buy", spotQty, price);
    expect(placed).toMatchObject({ status: "open", price, amount: spotQty, filled: 0 });
    limitId = String(placed.id);
    const fetched = await exchange.fetchOrder(limitId, spotSymbol);
    expect(fetched).toMatchObject({ id: limitId, status: "open", side: "buy", type: "limit" });
    const open = await exchange.fetchOpenOrders(spotSymbol);
    expect(open.map((order) => order.id)).toContain(limitId);
    const canceled = await exchange.cancelOrder(limitId, spotSymbol);
    expect(canceled).toMatchObject({ id: limitId, status: "canceled" });
    expect((await exchange.fetchOpenOrders(spotSymbol)).map((o) => o.id)).not.toContain(limitId);
    expect((await exchange.fetchOrder(limitId, spotSymbol)).status).toBe("canceled");
  });

  test("createOrder spot market, fetchMyTrades, fetchOrders", async () => {
    const placed = await exchange.createOrder(spotSymbol, "market", "buy", spotQty);
    expect(placed).toMatchObject({ status: "closed", filled: spotQty, remaining: 0 });
    expect(placed.average).toBeGreaterThan(0);
    const trades = await exchange.fetchMyTrades(spotSymbol);
    expect(trades.filter((trade) => trade.order === placed.id)).not.toHaveLength(0);
    expect(trades[0]!.fee).toMatchObject({ currency: "BTC" });
    const orders = await exchange.fetchOrders(spotSymbol);
    expect(orders.map((order) => order.id)).toEqual([limitId, placed.id]);
  });

  test("Binance's errors surface as ccxt's typed errors", async () => {
    const unknown = await failureOf(() => exchange.cancelOrder("999999", spotSymbol));
    expect(unknown).toBeInstanceOf(ccxt.OrderNotFound);
    const broke = await failureOf(() => exchange.createOrder(spotSymbol, "market", "buy", 50));
    expect(broke).toBeInstanceOf(ccxt.InsufficientFunds);
  });

  test("setLeverage and setMarginMode (-4046 when already set)", async () => {
    const leverage = await exchange.setLeverage(5, swapSymbol);
    expect(leverage).toMatchObject({ leverage: 5, symbol: "BTCUSDT" });
    const mode = await exchange.setMarginMode("isolated", swapSymbol);
    expect(mode).toMatchObject({ code: 200 });
    const again = await failureOf(() => exchange.setMarginMode("isolated", swapSymbol));
    expect(again).toBeInstanceOf(ccxt.MarginModeAlreadySet);
    expect(String(again.message)).toContain("-4046");
  });

  test("createOrder futures market", async () => {
    const placed = await exchange.createOrder(swapSymbol, "market", "buy", futuresQty);
    expect(placed).toMatchObject({ status: "closed", filled: futuresQty, reduceOnly: false });
  });

  test("futures stop: ccxt sends it to /fapi/v1/algoOrder; fetch, list and cancel it", async () => {
    const book = await exchange.fetchOrderBook(swapSymbol, 5);
    const triggerPrice = Number(priceAt(book.bids[0]![0]!, 0.95, 1));
    const placed = await exchange.createOrder(
      swapSymbol,
      "STOP_MARKET",
      "sell",
      futuresQty,
      undefined,
      {
        stopPrice: triggerPrice,
        reduceOnly: true,
      },
    );
    expect(placed.info).toMatchObject({
      algoType: "CONDITIONAL",
      orderType: "STOP_MARKET",
      algoStatus: "NEW",
      reduceOnly: true,
    });
    expect(Number(placed.info.triggerPrice)).toBe(triggerPrice);
    stopId = String(placed.id);
    const fetched = await exchange.fetchOrder(stopId, swapSymbol, { trigger: true });
    expect(fetched.id).toBe(stopId);
    const open = await exchange.fetchOpenOrders(swapSymbol, undefined, undefined, {
      trigger: true,
    });
    expect(open.map((order) => order.id)).toEqual([stopId]);
    const canceled = await exchange.cancelOrder(stopId, swapSymbol, { trigger: true });
    expect(canceled.info).toMatchObject({ code: "200", msg: "success" });
    const after = await exchange.fetchOpenOrders(swapSymbol, undefined, undefined, {
      trigger: true,
    });
    expect(after).toEqual([]);
    const history = await exchange.fetchOrders(swapSymbol, undefined, undefined, {
      trigger: true,
    });
    expect(history.map((order) => [order.id, order.status])).toEqual([[stopId, "canceled"]]);
  });

  test("a STOP_MARKET sent to /fapi/v1/order is -4120, as on Binance since 2025-12-09", async () => {
    const refused = await failureOf(() =>
      exchange.fapiPrivatePostOrder({
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_MARKET",
        quantity: "0.002",
        stopPrice: "80000",
      }),
    );
    expect(String(refused.message)).toContain('"code":-4120');
  });

  test("fetchPositions", async () => {
    const positions = await exchange.fetchPositions([swapSymbol]);
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({
      symbol: swapSymbol,
      contracts: futuresQty,
      side: "long",
      marginMode: "isolated",
    });
    expect(positions[0]!.entryPrice).toBeGreaterThan(0);
  });
});

describe(`binance ${versionOf("binance")} (MainClient, USDMClient)`, () => {
  const options = {
    api_key: server.apiKey,
    api_secret: server.apiSecret,
    baseUrl: server.baseUrl,
    beautifyResponses: false,
  };
  const main = new MainClient(options);
  const usdm = new USDMClient(options);
  let limitId = 0;

  beforeAll(resetVenue);

  test("exchangeInfo, book, tickers, balances", async () => {
    const spotInfo = await main.getExchangeInfo();
    expect(spotInfo.symbols.map((s) => s.symbol)).toEqual(["BTCUSDT", "ETHUSDT"]);
    const futuresInfo = await usdm.getExchangeInfo();
    expect(futuresInfo.symbols.map((s) => s.symbol)).toEqual(["BTCUSDT", "ETHUSDT"]);
    const book: Loose = await main.getOrderBook({ symbol: "ETHUSDT", limit: 5 });
    expect(Number(book.bids[0][0])).toBeLessThan(Number(book.asks[0][0]));
    const futuresBook: Loose = await usdm.getOrderBook({ symbol: "ETHUSDT", limit: 5 });
    expect(futuresBook.bids).toHaveLength(5);
    const ticker: Loose = await main.get24hrChangeStatistics({ symbol: "ETHUSDT" });
    expect(ticker.symbol).toBe("ETHUSDT");
    const account: Loose = await main.getAccountInformation();
    const usdt = account.balances.find((b: Loose) => b.asset === "USDT");
    expect(usdt).toEqual({ asset: "USDT", free: "100000.00000000", locked: "0.00000000" });
    const coins: Loose[] = await main.getBalances();
    expect(coins.map((coin) => coin.coin)).toContain("ETH");
    const futures: Loose[] = await usdm.getBalanceV3();
    expect(futures[0]).toMatchObject({ asset: "USDT", balance: "100000.00000000" });
  });

  test("spot limit: place, query, list, cancel", async () => {
    const book: Loose = await main.getOrderBook({ symbol: "ETHUSDT", limit: 5 });
    const price = Number(priceAt(Number(book.bids[0][0]), 0.98, 2));
    const placed: Loose = await main.submitNewOrder({
      symbol: "ETHUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: 0.01,
      price,
    });
    expect(placed).toMatchObject({ status: "NEW", origQty: "0.01000000" });
    limitId = placed.orderId;
    const fetched: Loose = await main.getOrder({ symbol: "ETHUSDT", orderId: limitId });
    expect(fetched).toMatchObject({ orderId: limitId, status: "NEW" });
    const byClientId: Loose = await main.getOrder({
      symbol: "ETHUSDT",
      origClientOrderId: placed.clientOrderId,
    });
    expect(byClientId.orderId).toBe(limitId);
    const open: Loose[] = await main.getOpenOrders({ symbol: "ETHUSDT" });
    expect(open.map((o) => o.orderId)).toEqual([limitId]);
    const canceled: Loose = await main.cancelOrder({ symbol: "ETHUSDT", orderId: limitId });
    expect(canceled).toMatchObject({ orderId: limitId, status: "CANCELED" });
    expect(await main.getOpenOrders({ symbol: "ETHUSDT" })).toEqual([]);
    const unknown = await failureOf(() => main.cancelOrder({ symbol: "ETHUSDT", orderId: 9999 }));
    expect(unknown).toMatchObject({ code: -2011, message: "Unknown order sent." });
  });

  test("spot market and its trades", async () => {
    const placed: Loose = await main.submitNewOrder({
      symbol: "ETHUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: 0.01,
    });
    expect(placed).toMatchObject({ status: "FILLED", executedQty: "0.01000000" });
    expect(placed.fills.length).toBeGreaterThan(0);
    const trades: Loose[] = await main.getAccountTradeList({ symbol: "ETHUSDT" });
    expect(trades.map((t) => t.orderId)).toContain(placed.orderId);
  });

  test("leverage, margin type, futures market order", async () => {
    const leverage: Loose = await usdm.setLeverage({ symbol: "ETHUSDT", leverage: 4 });
    expect(leverage).toMatchObject({ leverage: 4, symbol: "ETHUSDT" });
    const margin: Loose = await usdm.setMarginType({ symbol: "ETHUSDT", marginType: "ISOLATED" });
    expect(margin).toEqual({ code: 200, msg: "success" });
    const placed: Loose = await usdm.submitNewOrder({
      symbol: "ETHUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: 0.1,
    });
    expect(placed.status).toBe("NEW");
    const queried: Loose = await usdm.getOrder({ symbol: "ETHUSDT", orderId: placed.orderId });
    expect(queried).toMatchObject({ status: "FILLED", executedQty: "0.100" });
  });

  test("futures stop: -4120 on /fapi/v1/order, an algo order on /fapi/v1/algoOrder", async () => {
    const book: Loose = await usdm.getOrderBook({ symbol: "ETHUSDT", limit: 5 });
    const triggerPrice = priceAt(Number(book.bids[0][0]), 0.95, 2);
    const refused = await failureOf(() =>
      usdm.submitNewOrder({
        symbol: "ETHUSDT",
        side: "SELL",
        type: "STOP_MARKET",
        quantity: 0.1,
        stopPrice: Number(triggerPrice),
        reduceOnly: "true",
      }),
    );
    expect(refused).toMatchObject({ code: -4120 });
    const placed: Loose = await usdm.submitNewAlgoOrder({
      algoType: "CONDITIONAL",
      symbol: "ETHUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      quantity: "0.1",
      triggerPrice,
      reduceOnly: "true",
    } as Loose);
    expect(placed).toMatchObject({ algoStatus: "NEW", orderType: "STOP_MARKET", triggerPrice });
    const open: Loose[] = await usdm.getOpenAlgoOrders({ symbol: "ETHUSDT" } as Loose);
    expect(open.map((algo) => algo.algoId)).toEqual([placed.algoId]);
    const fetched: Loose = await usdm.getAlgoOrder({ algoId: placed.algoId } as Loose);
    expect(fetched.clientAlgoId).toBe(placed.clientAlgoId);
    const canceled: Loose = await usdm.cancelAlgoOrder({ algoId: placed.algoId } as Loose);
    expect(canceled).toMatchObject({ algoId: placed.algoId, code: "200", msg: "success" });
  });

  test("positions (v3 and v2) and leverage brackets", async () => {
    const v3: Loose[] = await usdm.getPositionsV3({ symbol: "ETHUSDT" });
    expect(v3[0]).toMatchObject({ symbol: "ETHUSDT", positionAmt: "0.100" });
    const v2: Loose[] = await usdm.getPositions({ symbol: "ETHUSDT" });
    expect(v2[0]).toMatchObject({ leverage: "4", marginType: "isolated" });
    const brackets: Loose = await usdm.getNotionalAndLeverageBrackets({ symbol: "ETHUSDT" });
    expect(brackets.symbol).toBe("ETHUSDT");
  });
});

const officialVersions =
  `@binance/spot ${versionOf("@binance/spot")}, ` +
  `@binance/derivatives-trading-usds-futures ${versionOf("@binance/derivatives-trading-usds-futures")}`;

describe(officialVersions, () => {
  const configuration = {
    apiKey: server.apiKey,
    apiSecret: server.apiSecret,
    basePath: server.baseUrl,
    timeout: 5_000,
  };
  const spot = new Spot({ configurationRestAPI: configuration }).restAPI;
  const futures = new DerivativesTradingUsdsFutures({
    configurationRestAPI: configuration,
  }).restAPI;
  const { NewOrderSideEnum, NewOrderTypeEnum, NewOrderTimeInForceEnum } = SpotRestAPI;

  beforeAll(resetVenue);

  test("exchangeInfo, depth, 24hr ticker, account", async () => {
    const info = await (await spot.exchangeInfo()).data();
    expect(info.symbols?.map((s) => s.symbol)).toEqual(["BTCUSDT", "ETHUSDT"]);
    const depth = await (await spot.depth({ symbol: "BTCUSDT", limit: 5 })).data();
    expect(depth.bids).toHaveLength(5);
    const ticker: Loose = await (await spot.ticker24hr({ symbol: "BTCUSDT" })).data();
    expect(ticker.symbol).toBe("BTCUSDT");
    const account = await (await spot.getAccount()).data();
    expect(account.balances?.find((b) => b.asset === "BTC")?.free).toBe("1.00000000");
    const futuresInfo = await (await futures.exchangeInformation()).data();
    expect(futuresInfo.symbols?.map((s) => s.symbol)).toEqual(["BTCUSDT", "ETHUSDT"]);
    const balance = await (await futures.futuresAccountBalanceV3()).data();
    expect(balance[0]).toMatchObject({ asset: "USDT", balance: "100000.00000000" });
  });

  test("spot limit: place, query, list, cancel; then a market order and its trades", async () => {
    const depth = await (await spot.depth({ symbol: "BTCUSDT", limit: 5 })).data();
    const price = Number(priceAt(Number(depth.bids?.[0]?.[0]), 0.98, 2));
    const placed = await (
      await spot.newOrder({
        symbol: "BTCUSDT",
        side: NewOrderSideEnum.BUY,
        type: NewOrderTypeEnum.LIMIT,
        timeInForce: NewOrderTimeInForceEnum.GTC,
        quantity: spotQty,
        price,
      })
    ).data();
    expect(placed.status).toBe("NEW");
    const orderId = placed.orderId!;
    const fetched = await (await spot.getOrder({ symbol: "BTCUSDT", orderId })).data();
    expect(fetched.status).toBe("NEW");
    const open = await (await spot.getOpenOrders({ symbol: "BTCUSDT" })).data();
    expect(open.map((o) => o.orderId)).toEqual([orderId]);
    const canceled = await (await spot.deleteOrder({ symbol: "BTCUSDT", orderId })).data();
    expect(canceled.status).toBe("CANCELED");
    const market = await (
      await spot.newOrder({
        symbol: "BTCUSDT",
        side: NewOrderSideEnum.SELL,
        type: NewOrderTypeEnum.MARKET,
        quantity: spotQty,
      })
    ).data();
    expect(market.status).toBe("FILLED");
    const trades = await (await spot.myTrades({ symbol: "BTCUSDT" })).data();
    expect(trades.map((t) => t.orderId)).toEqual([market.orderId]);
  });

  test("leverage, margin type, futures market and algo stop, position", async () => {
    const leverage = await (
      await futures.changeInitialLeverage({ symbol: "BTCUSDT", leverage: 10 })
    ).data();
    expect(leverage.leverage).toBe(10);
    const margin = await (
      await futures.changeMarginType({
        symbol: "BTCUSDT",
        marginType: FuturesApi.ChangeMarginTypeMarginTypeEnum.ISOLATED,
      })
    ).data();
    expect(margin).toMatchObject({ code: 200 });
    const placed = await (
      await futures.newOrder({
        symbol: "BTCUSDT",
        side: FuturesApi.NewOrderSideEnum.BUY,
        type: FuturesApi.NewOrderTypeEnum.MARKET,
        quantity: futuresQty,
        newOrderRespType: FuturesApi.NewOrderNewOrderRespTypeEnum.RESULT,
      })
    ).data();
    expect(placed).toMatchObject({ status: "FILLED", executedQty: "0.002" });
    const depth = await (await futures.orderBook({ symbol: "BTCUSDT", limit: 5 })).data();
    const triggerPrice = Number(priceAt(Number(depth.bids?.[0]?.[0]), 0.95, 1));
    const stop = await (
      await futures.newAlgoOrder({
        algoType: FuturesApi.NewAlgoOrderAlgoTypeEnum.CONDITIONAL,
        symbol: "BTCUSDT",
        side: FuturesApi.NewAlgoOrderSideEnum.SELL,
        type: FuturesApi.NewAlgoOrderTypeEnum.STOP_MARKET,
        quantity: futuresQty,
        triggerPrice,
        reduceOnly: FuturesApi.NewAlgoOrderReduceOnlyEnum.TRUE,
      })
    ).data();
    expect(stop).toMatchObject({ algoStatus: "NEW", orderType: "STOP_MARKET" });
    const open = await (await futures.currentAllAlgoOpenOrders({ symbol: "BTCUSDT" })).data();
    expect(open.map((algo) => algo.algoId)).toEqual([stop.algoId]);
    const canceled = await (await futures.cancelAlgoOrder({ algoId: Number(stop.algoId) })).data();
    expect(canceled).toMatchObject({ code: "200", msg: "success" });
    const positions = await (await futures.positionInformationV3({ symbol: "BTCUSDT" })).data();
    expect(positions[0]).toMatchObject({ symbol: "BTCUSDT", positionAmt: "0.002" });
  });
});
