// OCO, algo orders, symbol settings, positions, balances, transfers and books through the
// gateway over real HTTP: the params Binance expects and the answers the port promises.

import { afterEach, describe, expect, test } from "bun:test";
import { dec } from "../../../domain/decimal/index.ts";
import { BinanceExchangeGateway } from "../../../adapters/binance/binance-exchange-gateway.ts";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { SeededRng } from "../../../adapters/clock/seeded-rng.ts";
import {
  drive,
  silentLogger,
  spotOrderBody,
  StubBinance,
  testKey,
  testSecret,
} from "./stub-binance.ts";

const startMs = 1_700_000_000_000;
let stub: StubBinance;

afterEach(() => stub?.stop());

function gateway(clock = new ManualClock(startMs)) {
  return new BinanceExchangeGateway({
    apiKey: testKey,
    apiSecret: testSecret,
    baseUrl: stub.baseUrl,
    recvWindowMs: 5_000,
    clock,
    rng: new SeededRng(3),
    logger: silentLogger,
    userStreams: false,
    symbols: ["BTCUSDT"],
  });
}

const listBody = (status: string, legStatus: string) => ({
  orderListId: 7,
  contingencyType: "OCO",
  listStatusType: status === "ALL_DONE" ? "ALL_DONE" : "EXEC_STARTED",
  listOrderStatus: status,
  listClientOrderId: "intent-9/oco",
  transactionTime: startMs,
  symbol: "BTCUSDT",
  orders: [
    { symbol: "BTCUSDT", orderId: 71, clientOrderId: "intent-9/sl" },
    { symbol: "BTCUSDT", orderId: 72, clientOrderId: "intent-9/tp" },
  ],
  orderReports: [
    spotOrderBody({
      orderId: 71,
      orderListId: 7,
      clientOrderId: "intent-9/sl",
      type: "STOP_LOSS_LIMIT",
      side: "SELL",
      stopPrice: "45000.00000000",
      status: legStatus,
    }),
    spotOrderBody({
      orderId: 72,
      orderListId: 7,
      clientOrderId: "intent-9/tp",
      type: "LIMIT_MAKER",
      side: "SELL",
      status: legStatus,
    }),
  ],
});

const oco = {
  symbol: "BTCUSDT",
  side: "SELL" as const,
  qty: dec("0.01"),
  listClientOrderId: "intent-9/oco",
  takeProfitPrice: dec("60000"),
  takeProfitClientOrderId: "intent-9/tp",
  stopPrice: dec("45000"),
  stopLimitPrice: dec("44900"),
  stopClientOrderId: "intent-9/sl",
};

describe("spot OCO", () => {
  test("SELL: take-profit LIMIT_MAKER above, STOP_LOSS_LIMIT below", async () => {
    stub = new StubBinance().route("POST", "/api/v3/orderList/oco", () => ({
      body: listBody("EXECUTING", "NEW"),
    }));
    const result = await gateway().placeOco(oco);
    expect(result.ok && result.value).toMatchObject({ orderListId: "7", status: "EXECUTING" });
    expect(result.ok && result.value.orders.length).toBe(2);
    const params = Object.fromEntries(stub.calls("POST", "/api/v3/orderList/oco")[0]?.params ?? []);
    expect(params).toMatchObject({
      symbol: "BTCUSDT",
      side: "SELL",
      quantity: "0.01",
      listClientOrderId: "intent-9/oco",
      aboveType: "LIMIT_MAKER",
      abovePrice: "60000",
      aboveClientOrderId: "intent-9/tp",
      belowType: "STOP_LOSS_LIMIT",
      belowPrice: "44900",
      belowStopPrice: "45000",
      belowTimeInForce: "GTC",
      belowClientOrderId: "intent-9/sl",
      newOrderRespType: "FULL",
    });
  });

  test("BUY mirrors it: take-profit below, stop above", async () => {
    stub = new StubBinance().route("POST", "/api/v3/orderList/oco", () => ({
      body: listBody("EXECUTING", "NEW"),
    }));
    await gateway().placeOco({
      ...oco,
      side: "BUY",
      takeProfitPrice: dec("40000"),
      stopPrice: dec("55000"),
      stopLimitPrice: dec("55100"),
    });
    const params = Object.fromEntries(stub.calls("POST", "/api/v3/orderList/oco")[0]?.params ?? []);
    expect(params).toMatchObject({
      belowType: "LIMIT_MAKER",
      belowPrice: "40000",
      aboveType: "STOP_LOSS_LIMIT",
      aboveStopPrice: "55000",
      abovePrice: "55100",
      aboveTimeInForce: "GTC",
    });
  });

  test("query by list client id reads each leg; cancel answers ALL_DONE", async () => {
    stub = new StubBinance()
      .route("GET", "/api/v3/orderList", () => ({
        body: { ...listBody("EXECUTING", "NEW"), orderReports: undefined },
      }))
      .route("GET", "/api/v3/order", (request) => ({
        body: spotOrderBody({ orderId: Number(request.params.get("orderId")), orderListId: 7 }),
      }))
      .route("DELETE", "/api/v3/orderList", () => ({ body: listBody("ALL_DONE", "CANCELED") }));
    const venue = gateway();
    const found = await venue.queryOrderList({
      symbol: "BTCUSDT",
      listClientOrderId: "intent-9/oco",
    });
    expect(found.ok && found.value.orders.map((order) => order.exchangeOrderId)).toEqual([
      "71",
      "72",
    ]);
    expect(stub.calls("GET", "/api/v3/orderList")[0]?.params.get("origClientOrderId")).toBe(
      "intent-9/oco",
    );
    const canceled = await venue.cancelOrderList({
      symbol: "BTCUSDT",
      listClientOrderId: "intent-9/oco",
    });
    expect(canceled.ok && canceled.value.status).toBe("ALL_DONE");
  });
});

describe("futures algo orders", () => {
  const algoBody = (status: string) => ({
    algoId: 555,
    clientAlgoId: "intent-3/sl",
    algoType: "CONDITIONAL",
    orderType: "STOP_MARKET",
    symbol: "BTCUSDT",
    side: "SELL",
    positionSide: "BOTH",
    timeInForce: "GTC",
    quantity: "0",
    algoStatus: status,
    triggerPrice: "45000.00",
    price: "0",
    workingType: "MARK_PRICE",
    priceMatch: "NONE",
    closePosition: true,
    priceProtect: false,
    reduceOnly: false,
    createTime: startMs,
    updateTime: startMs,
    triggerTime: 0,
    goodTillDate: 0,
  });

  test("place closePosition STOP_MARKET via /fapi/v1/algoOrder; cancel answers the final state", async () => {
    stub = new StubBinance()
      .route("POST", "/fapi/v1/algoOrder", () => ({ body: algoBody("NEW") }))
      .route("DELETE", "/fapi/v1/algoOrder", () => ({
        body: { algoId: 555, clientAlgoId: "intent-3/sl", code: "200", msg: "success" },
      }))
      .route("GET", "/fapi/v1/algoOrder", () => ({ body: algoBody("CANCELED") }));
    const venue = gateway();
    const placed = await venue.placeConditional({
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      triggerPrice: dec("45000"),
      workingType: "MARK_PRICE",
      qty: null,
      reduceOnly: true,
      closePosition: true,
      clientAlgoId: "intent-3/sl",
    });
    expect(placed.ok && placed.value).toMatchObject({
      algoId: "555",
      status: "NEW",
      qty: null,
      closePosition: true,
    });
    const params = Object.fromEntries(stub.calls("POST", "/fapi/v1/algoOrder")[0]?.params ?? []);
    expect(params).toMatchObject({
      algoType: "CONDITIONAL",
      type: "STOP_MARKET",
      triggerPrice: "45000",
      workingType: "MARK_PRICE",
      closePosition: "true",
      clientAlgoId: "intent-3/sl",
    });
    expect(params["quantity"]).toBeUndefined();
    expect(params["reduceOnly"]).toBeUndefined();
    const canceled = await venue.cancelConditional("BTCUSDT", "intent-3/sl");
    expect(canceled.ok && canceled.value.status).toBe("CANCELED");
  });
});

describe("account and settings", () => {
  test("configureSymbol: -4046 (already so) is success, then leverage", async () => {
    stub = new StubBinance()
      .route("POST", "/fapi/v1/marginType", () => ({
        status: 400,
        body: { code: -4046, msg: "No need to change margin type." },
      }))
      .route("POST", "/fapi/v1/leverage", () => ({
        body: { leverage: 5, maxNotionalValue: "1000000", symbol: "BTCUSDT" },
      }));
    const result = await gateway().configureSymbol("BTCUSDT", {
      leverage: 5,
      marginType: "ISOLATED",
    });
    expect(result.ok).toBe(true);
    expect(stub.calls("POST", "/fapi/v1/marginType")[0]?.params.get("marginType")).toBe("ISOLATED");
    expect(stub.calls("POST", "/fapi/v1/leverage")[0]?.params.get("leverage")).toBe("5");
  });

  test("positions: v3 rows with leverage and margin type from symbolConfig", async () => {
    stub = new StubBinance()
      .route("GET", "/fapi/v1/symbolConfig", () => ({
        body: [
          {
            symbol: "BTCUSDT",
            marginType: "ISOLATED",
            isAutoAddMargin: false,
            leverage: 7,
            maxNotionalValue: "1000000",
          },
        ],
      }))
      .route("GET", "/fapi/v3/positionRisk", () => ({
        body: [
          {
            symbol: "BTCUSDT",
            positionSide: "BOTH",
            positionAmt: "-0.010",
            entryPrice: "50000.0",
            breakEvenPrice: "50010.0",
            markPrice: "49000.00",
            unRealizedProfit: "10.0",
            liquidationPrice: "0",
            isolatedMargin: "70",
            notional: "-490",
            marginAsset: "USDT",
            isolatedWallet: "70",
            initialMargin: "70",
            maintMargin: "2",
            positionInitialMargin: "70",
            openOrderInitialMargin: "0",
            adl: 1,
            bidNotional: "0",
            askNotional: "0",
            updateTime: startMs,
          },
          {
            symbol: "ETHUSDT",
            positionSide: "BOTH",
            positionAmt: "0.000",
            entryPrice: "0",
            breakEvenPrice: "0",
            markPrice: "3000",
            unRealizedProfit: "0",
            liquidationPrice: "0",
            isolatedMargin: "0",
            notional: "0",
            marginAsset: "USDT",
            isolatedWallet: "0",
            initialMargin: "0",
            maintMargin: "0",
            positionInitialMargin: "0",
            openOrderInitialMargin: "0",
            adl: 0,
            bidNotional: "0",
            askNotional: "0",
            updateTime: startMs,
          },
        ],
      }));
    const result = await gateway().positions();
    expect(result.ok && result.value).toEqual([
      {
        symbol: "BTCUSDT",
        qty: dec("-0.01"),
        entryPrice: dec("50000"),
        markPrice: dec("49000"),
        leverage: 7,
        marginType: "ISOLATED",
      },
    ]);
  });

  test("transfer: MAIN_UMFUTURE, canonical amount; an unknown outcome is not resent", async () => {
    stub = new StubBinance().route("POST", "/sapi/v1/asset/transfer", () => ({
      status: 504,
      body: {
        code: -1007,
        msg: "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
      },
    }));
    const clock = new ManualClock(startMs);
    const result = await drive(
      clock,
      gateway(clock).transfer("SPOT_TO_FUT", "USDT", dec("125.500")),
    );
    expect(!result.ok && result.error.kind).toBe("OUTCOME_UNKNOWN");
    const calls = stub.calls("POST", "/sapi/v1/asset/transfer");
    expect(calls.length).toBe(1);
    expect(Object.fromEntries(calls[0]?.params ?? [])).toMatchObject({
      type: "MAIN_UMFUTURE",
      asset: "USDT",
      amount: "125.5",
    });
  });

  test("symbolRules: both markets, spot asked for the configured symbols only", async () => {
    const fs = require("node:fs");
    stub = new StubBinance()
      .route("GET", "/api/v3/exchangeInfo", () => ({
        body: JSON.parse(fs.readFileSync("tests/fixtures/binance/exchange-info-spot.json", "utf8")),
      }))
      .route("GET", "/fapi/v1/exchangeInfo", () => ({
        body: JSON.parse(fs.readFileSync("tests/fixtures/binance/exchange-info-usdm.json", "utf8")),
      }));
    const result = await gateway().symbolRules();
    expect(result.ok && result.value.map((rule) => `${rule.market}:${rule.symbol}`)).toEqual([
      "SPOT:BTCUSDT",
      "FUT:BTCUSDT",
    ]);
    expect(stub.calls("GET", "/api/v3/exchangeInfo")[0]?.params.get("symbols")).toBe('["BTCUSDT"]');
  });

  test("bookTop on futures: three levels and the mark price", async () => {
    stub = new StubBinance()
      .route("GET", "/fapi/v1/depth", () => ({
        body: {
          lastUpdateId: 1,
          E: startMs + 1,
          T: startMs,
          bids: [
            ["100.1", "1"],
            ["100.0", "2"],
            ["99.9", "3"],
            ["99.8", "4"],
          ],
          asks: [
            ["100.2", "1"],
            ["100.3", "2"],
          ],
        },
      }))
      .route("GET", "/fapi/v1/premiumIndex", () => ({
        body: {
          symbol: "BTCUSDT",
          markPrice: "100.15000000",
          indexPrice: "100.1",
          estimatedSettlePrice: "100",
          lastFundingRate: "0.0001",
          interestRate: "0.0001",
          nextFundingTime: startMs,
          time: startMs,
        },
      }));
    const result = await gateway().bookTop("FUT", "BTCUSDT");
    expect(result.ok && result.value).toMatchObject({
      bid: dec("100.1"),
      ask: dec("100.2"),
      markPrice: dec("100.15"),
      tsMs: startMs + 1,
    });
    expect(result.ok && result.value.bids.length).toBe(3);
    expect(stub.calls("GET", "/fapi/v1/depth")[0]?.params.get("limit")).toBe("5");
  });

  test("start measures both offsets; stats expose weights and offsets", async () => {
    stub = new StubBinance()
      .route("GET", "/api/v3/time", () => ({
        body: { serverTime: startMs + 40 },
        headers: { "X-MBX-USED-WEIGHT-1M": "1" },
      }))
      .route("GET", "/fapi/v1/time", () => ({
        body: { serverTime: startMs - 25 },
        headers: { "X-MBX-USED-WEIGHT-1M": "9" },
      }));
    const venue = gateway();
    expect((await venue.start()).ok).toBe(true);
    expect(venue.stats()).toMatchObject({
      offsets: { SPOT: 40, FUT: -25 },
      spot: { usedWeight1m: 1 },
      futures: { usedWeight1m: 9 },
    });
    expect(venue.connectivity()).toEqual({ restReachable: true, userStreamConnected: false });
    expect(String(venue)).not.toContain(testSecret);
    await venue.stop();
  });
});
