// Parsers on the recorded payloads in tests/fixtures/binance (docs examples and live captures):
// exact decimals, translated enums, and the fields the port needs.

import { describe, expect, test } from "bun:test";
import { dec, eq, formatDecimal } from "../../../domain/decimal/index.ts";
import {
  parseBookTicker,
  parseDepth,
  parseExchangeInfo,
  parseFuturesBalances,
  parseFuturesCommission,
  parsePositions,
  parseSpotBalances,
  parseSpotCommission,
} from "../../../adapters/binance/parse-market.ts";
import {
  parseAlgoOrder,
  parseFuturesOrder,
  parseOrderListWithReports,
  parseSpotOrder,
  parseTrades,
} from "../../../adapters/binance/parse-orders.ts";
import {
  parseFuturesUserMessage,
  parseMarketMessage,
  parseSpotUserMessage,
} from "../../../adapters/binance/parse-events.ts";
import { WireError } from "../../../adapters/binance/wire.ts";

const fixture = (name: string): unknown =>
  JSON.parse(require("node:fs").readFileSync(`tests/fixtures/binance/${name}.json`, "utf8"));

const text = (value: { units: bigint; scale: number } | null) =>
  value === null ? null : formatDecimal(value);

const noContext = { markPrice: () => null, leverage: () => 0 };

describe("exchangeInfo → SymbolRules", () => {
  test("spot BTCUSDT: NOTIONAL, MARKET_LOT_SIZE with zero min/step", () => {
    const rules = parseExchangeInfo("SPOT", fixture("exchange-info-spot"));
    const btc = rules.find((rule) => rule.symbol === "BTCUSDT");
    expect(rules.map((rule) => rule.symbol)).toEqual(["BTCUSDT", "ETHUSDT"]);
    expect(btc?.market).toBe("SPOT");
    expect(text(btc?.price.tick ?? null)).toBe("0.01");
    expect(text(btc?.lot.step ?? null)).toBe("0.00001");
    expect(text(btc?.lot.min ?? null)).toBe("0.00001");
    expect(text(btc?.marketLot?.max ?? null)).toBe("188.9393325");
    expect(btc?.marketLot?.step.units).toBe(0n);
    expect(btc?.notional).toMatchObject({
      applyMinToMarket: true,
      applyMaxToMarket: false,
      waivedForReduceOnly: false,
    });
    expect(text(btc?.notional?.min ?? null)).toBe("5");
    expect(text(btc?.notional?.max ?? null)).toBe("9000000");
  });

  test("futures BTCUSDT: MIN_NOTIONAL key `notional`, waived for reduce-only", () => {
    const only = new Set(["BTCUSDT"]);
    const [btc] = parseExchangeInfo("FUT", fixture("exchange-info-usdm"), only);
    expect(btc?.symbol).toBe("BTCUSDT");
    expect(text(btc?.price.tick ?? null)).toBe("0.1");
    expect(text(btc?.price.min ?? null)).toBe("556.8");
    expect(text(btc?.lot.step ?? null)).toBe("0.001");
    expect(text(btc?.marketLot?.max ?? null)).toBe("120");
    expect(btc?.notional).toMatchObject({ applyMinToMarket: true, waivedForReduceOnly: true });
    expect(text(btc?.notional?.min ?? null)).toBe("50");
  });

  test("legacy spot MIN_NOTIONAL and an all-zero MARKET_LOT_SIZE", () => {
    const info = {
      symbols: [
        {
          symbol: "OLDUSDT",
          status: "TRADING",
          baseAsset: "OLD",
          quoteAsset: "USDT",
          filters: [
            { filterType: "PRICE_FILTER", minPrice: "0", maxPrice: "0", tickSize: "0.01" },
            { filterType: "LOT_SIZE", minQty: "1", maxQty: "100", stepSize: "1" },
            { filterType: "MARKET_LOT_SIZE", minQty: "0.0", maxQty: "0.0", stepSize: "0.0" },
            {
              filterType: "MIN_NOTIONAL",
              minNotional: "10.0",
              applyToMarket: false,
              avgPriceMins: 5,
            },
          ],
        },
      ],
    };
    const [rule] = parseExchangeInfo("SPOT", info);
    expect(rule?.marketLot).toBeNull();
    expect(rule?.notional).toMatchObject({ applyMinToMarket: false });
    expect(text(rule?.notional?.min ?? null)).toBe("10");
  });
});

describe("spot orders", () => {
  test("FULL response: fills with trade ids, taker, exact average", () => {
    const order = parseSpotOrder(fixture("spot-new_order_full_response"));
    expect(order).toMatchObject({
      market: "SPOT",
      symbol: "BTCUSDT",
      exchangeOrderId: "28",
      clientOrderId: "6gCrw2kRUAF9CvJDGP16IP",
      side: "SELL",
      type: "MARKET",
      status: "FILLED",
      price: null,
      orderListId: null,
      updateTimeMs: 1507725176595,
    });
    expect(order.fills.map((fill) => fill.tradeId)).toEqual(["56", "57", "58", "59", "60"]);
    expect(order.fills.every((fill) => fill.liquidity === "TAKER")).toBe(true);
    expect(text(order.fills[1]?.fee ?? null)).toBe("19.995");
    // (4000·1 + 3999·5 + 3998·2 + 3997·1 + 3995·1) / 10 = 39983 / 10 = 3998.3 exactly.
    expect(text(order.avgPrice)).toBe("3998.3");
  });

  test("cancel answer: the order's id is origClientOrderId", () => {
    const order = parseSpotOrder(fixture("spot-cancel_order_response"));
    expect(order.clientOrderId).toBe("myOrder1");
    expect(order.status).toBe("CANCELED");
    expect(text(order.price)).toBe("2");
    expect(order.avgPrice).toBeNull();
  });

  test("query answer with short decimals", () => {
    const order = parseSpotOrder(fixture("spot-order_response"));
    expect(order).toMatchObject({ status: "NEW", timeInForce: "GTC", stopPrice: null, fills: [] });
    expect(text(order.qty)).toBe("1");
    expect(order.updateTimeMs).toBe(1499827319559);
  });

  test("a JSON fraction is refused (never through a float)", () => {
    const raw = { ...(fixture("spot-order_response") as object), price: 0.1 };
    expect(() => parseSpotOrder(raw)).toThrow(WireError);
  });

  test("OCO answer with orderReports", () => {
    const list = parseOrderListWithReports({
      orderListId: 1,
      contingencyType: "OCO",
      listStatusType: "EXEC_STARTED",
      listOrderStatus: "EXECUTING",
      listClientOrderId: "intent-1/oco",
      transactionTime: 1710485608839,
      symbol: "BTCUSDT",
      orders: [
        { symbol: "BTCUSDT", orderId: 10, clientOrderId: "intent-1/sl" },
        { symbol: "BTCUSDT", orderId: 11, clientOrderId: "intent-1/tp" },
      ],
      orderReports: [
        {
          symbol: "BTCUSDT",
          orderId: 10,
          orderListId: 1,
          clientOrderId: "intent-1/sl",
          transactTime: 1710485608839,
          price: "95000.00000000",
          origQty: "0.01000000",
          executedQty: "0.00000000",
          cummulativeQuoteQty: "0.00000000",
          status: "NEW",
          timeInForce: "GTC",
          type: "STOP_LOSS_LIMIT",
          side: "SELL",
          stopPrice: "95100.00000000",
          workingTime: -1,
        },
        {
          symbol: "BTCUSDT",
          orderId: 11,
          orderListId: 1,
          clientOrderId: "intent-1/tp",
          transactTime: 1710485608839,
          price: "105000.00000000",
          origQty: "0.01000000",
          executedQty: "0.00000000",
          cummulativeQuoteQty: "0.00000000",
          status: "NEW",
          timeInForce: "GTC",
          type: "LIMIT_MAKER",
          side: "SELL",
          workingTime: 1710485608839,
        },
      ],
    });
    expect(list).toMatchObject({
      orderListId: "1",
      listClientOrderId: "intent-1/oco",
      status: "EXECUTING",
    });
    expect(list.orders.map((order) => [order.type, order.orderListId])).toEqual([
      ["STOP_LOSS_LIMIT", "1"],
      ["LIMIT_MAKER", "1"],
    ]);
    expect(text(list.orders[0]?.stopPrice ?? null)).toBe("95100");
  });
});

describe("futures orders", () => {
  test("order answer carries no fills", () => {
    const order = parseFuturesOrder(fixture("futures-order_response"));
    expect(order).toMatchObject({
      market: "FUT",
      exchangeOrderId: "12345678",
      clientOrderId: "testOrder123",
      type: "LIMIT",
      status: "NEW",
      avgPrice: null,
      stopPrice: null,
      fills: [],
      reduceOnly: false,
    });
    expect(text(order.price)).toBe("50000");
  });

  test("userTrades rows become fills keyed by trade id", () => {
    const fills = parseTrades([
      {
        buyer: false,
        commission: "-0.07819010",
        commissionAsset: "USDT",
        id: 698759,
        maker: false,
        orderId: 25851813,
        price: "7819.01",
        qty: "0.002",
        quoteQty: "15.63802",
        realizedPnl: "-0.91539999",
        side: "SELL",
        positionSide: "SHORT",
        symbol: "BTCUSDT",
        time: 1569514978020,
      },
    ]);
    expect(fills).toEqual([
      {
        tradeId: "698759",
        price: dec("7819.01"),
        qty: dec("0.002"),
        fee: dec("-0.0781901"),
        feeAsset: "USDT",
        liquidity: "TAKER",
        tsMs: 1569514978020,
      },
    ]);
  });

  test("algo order answer (orderType) and open algo list (type)", () => {
    const algo = parseAlgoOrder(fixture("futures-algo_order_response"));
    expect(algo).toMatchObject({
      algoId: "123456789",
      clientAlgoId: "test-algo-order-2",
      type: "STOP_MARKET",
      status: "FINISHED",
      workingType: "MARK_PRICE",
      triggeredOrderId: "987654321",
      closePosition: false,
    });
    expect(text(algo.triggerPrice)).toBe("45000");
    expect(text(algo.filledQty)).toBe("0.001");
    const [open] = (fixture("futures-open_algo_orders") as unknown[]).map(parseAlgoOrder);
    expect(open).toMatchObject({ type: "STOP_MARKET", status: "NEW", triggeredOrderId: null });
    expect(open?.filledQty.units).toBe(0n);
  });
});

describe("market and account payloads", () => {
  test("spot book ticker and depth", () => {
    const ticker = parseBookTicker(fixture("spot-book_ticker_response"));
    expect(text(ticker.ask)).toBe("4.000002");
    const depth = parseDepth(
      {
        lastUpdateId: 1,
        bids: [["4.00000000", "431.00000000"]],
        asks: [["4.00000200", "12.00000000"]],
      },
      3,
    );
    expect(depth.tsMs).toBeNull();
    expect(text(depth.bids[0]?.qty ?? null)).toBe("431");
  });

  test("spot account balances and commission (standard + special + tax)", () => {
    const balances = parseSpotBalances(fixture("spot-account_response"));
    expect(balances[0]).toEqual({ asset: "BTC", free: dec("4723846.89208129"), locked: dec("0") });
    const commission = parseSpotCommission({
      symbol: "BTCUSDT",
      standardCommission: { maker: "0.00100000", taker: "0.00100000", buyer: "0", seller: "0" },
      specialCommission: { maker: "0.00000000", taker: "0.00010000", buyer: "0", seller: "0" },
      taxCommission: { maker: "0.00000000", taker: "0.00000000", buyer: "0", seller: "0" },
      discount: {
        enabledForAccount: true,
        enabledForSymbol: true,
        discountAsset: "BNB",
        discount: "0.75000000",
      },
    });
    expect(text(commission.maker)).toBe("0.001");
    expect(text(commission.taker)).toBe("0.0011");
  });

  test("futures commission, balance and positions", () => {
    const commission = parseFuturesCommission({
      symbol: "BTCUSDT",
      makerCommissionRate: "0.0002",
      takerCommissionRate: "0.0005",
      rpiCommissionRate: "0.00005",
    });
    expect(text(commission.taker)).toBe("0.0005");
    const [usdt] = parseFuturesBalances([
      {
        accountAlias: "SgsR",
        asset: "USDT",
        balance: "122.60",
        crossWalletBalance: "122.60",
        crossUnPnl: "0",
        availableBalance: "100.00",
        maxWithdrawAmount: "100.00",
        marginAvailable: true,
        updateTime: 1,
      },
    ]);
    expect(usdt).toEqual({ asset: "USDT", free: dec("100.00"), locked: dec("22.6") });
    const positions = parsePositions(fixture("futures-position_risk"), new Map());
    expect(positions).toEqual([
      {
        symbol: "BTCUSDT",
        qty: dec("0.001"),
        entryPrice: dec("50000.0"),
        markPrice: dec("51000.0"),
        leverage: 20,
        marginType: "CROSSED",
      },
    ]);
  });
});

describe("user-data events", () => {
  test("spot executionReport (wrapped) → ORDER_UPDATE without fill", () => {
    const parsed = parseSpotUserMessage(fixture("spot-execution_report_wrapped"));
    expect(parsed.kind).toBe("event");
    if (parsed.kind !== "event" || parsed.event.kind !== "ORDER_UPDATE") throw new Error("kind");
    expect(parsed.event.fill).toBeNull();
    expect(parsed.event.order).toMatchObject({
      symbol: "ETHBTC",
      exchangeOrderId: "4293153",
      clientOrderId: "mUvoqJxFIILMdfAW5iGSOW",
      status: "NEW",
      orderListId: null,
    });
    expect(parsed.event.tsMs).toBe(1499405658658);
  });

  test("spot executionReport trade (unwrapped) → fill keyed by trade id, maker", () => {
    const parsed = parseSpotUserMessage(fixture("spot-execution_report_trade"));
    if (parsed.kind !== "event" || parsed.event.kind !== "ORDER_UPDATE") throw new Error("kind");
    expect(parsed.event.fill).toEqual({
      tradeId: "98765432",
      price: dec("2500"),
      qty: dec("1"),
      fee: dec("0.001"),
      feeAsset: "ETH",
      liquidity: "MAKER",
      tsMs: 1709654401000,
    });
    expect(parsed.event.order.status).toBe("FILLED");
    expect(text(parsed.event.order.avgPrice)).toBe("2500");
  });

  test("a cancel's executionReport names the original client id (C)", () => {
    const raw = fixture("spot-execution_report_new") as Record<string, unknown>;
    const parsed = parseSpotUserMessage({
      ...raw,
      x: "CANCELED",
      X: "CANCELED",
      c: "cancel-id",
      C: "x-TD67BGP9-T0000000000000",
    });
    if (parsed.kind !== "event" || parsed.event.kind !== "ORDER_UPDATE") throw new Error("kind");
    expect(parsed.event.order.clientOrderId).toBe("x-TD67BGP9-T0000000000000");
  });

  test("spot listStatus, outboundAccountPosition, balanceUpdate and controls", () => {
    const list = parseSpotUserMessage(fixture("spot-list_status_wrapped"));
    expect(list).toMatchObject({
      kind: "event",
      event: {
        kind: "ORDER_LIST_UPDATE",
        list: {
          orderListId: "2",
          listClientOrderId: "F4QN4G8DlFATFlIUQ0cjdD",
          status: "EXECUTING",
        },
      },
    });
    const account = parseSpotUserMessage(fixture("spot-account_position_wrapped"));
    expect(account).toMatchObject({
      kind: "event",
      event: {
        kind: "ACCOUNT_UPDATE",
        market: "SPOT",
        balances: [{ asset: "ETH", free: dec("10000.000000") }],
      },
    });
    expect(parseSpotUserMessage(fixture("spot-balance_update_wrapped"))).toEqual({
      kind: "balance_changed",
      asset: "BTC",
    });
    expect(
      parseSpotUserMessage({ subscriptionId: 0, event: { e: "eventStreamTerminated", E: 1 } }),
    ).toEqual({ kind: "control", control: "STREAM_TERMINATED" });
    expect(parseSpotUserMessage({ event: { e: "serverShutdown", E: 1 } })).toEqual({
      kind: "control",
      control: "SERVER_SHUTDOWN",
    });
  });

  test("futures ORDER_TRADE_UPDATE trade → fill; trailing NEW → STOP_MARKET", () => {
    const trade = parseFuturesUserMessage(fixture("futures-order_update_trade_partial"), noContext);
    if (trade.kind !== "event" || trade.event.kind !== "ORDER_UPDATE") throw new Error("kind");
    expect(trade.event.fill).toMatchObject({
      tradeId: "12345678",
      liquidity: "MAKER",
      feeAsset: "USDT",
    });
    expect(trade.event.order).toMatchObject({
      market: "FUT",
      status: "PARTIALLY_FILLED",
      exchangeOrderId: "8886774",
    });
    expect(text(trade.event.order.avgPrice)).toBe("7100.5");
    const fresh = parseFuturesUserMessage(fixture("futures-order_update_new"), noContext);
    if (fresh.kind !== "event" || fresh.event.kind !== "ORDER_UPDATE") throw new Error("kind");
    expect(fresh.event.order.type).toBe("STOP_MARKET");
    expect(fresh.event.fill).toBeNull();
  });

  test("futures ALGO_UPDATE → CONDITIONAL_UPDATE", () => {
    const canceled = parseFuturesUserMessage(fixture("futures-algo_update_canceled"), noContext);
    expect(canceled).toMatchObject({
      kind: "event",
      event: {
        kind: "CONDITIONAL_UPDATE",
        order: {
          algoId: "2148719",
          clientAlgoId: "Q5xaq5EGKgXXa0fD7fs0Ip",
          status: "CANCELED",
          type: "TAKE_PROFIT_MARKET",
          triggeredOrderId: null,
        },
      },
    });
  });

  test("futures ACCOUNT_UPDATE takes mark and leverage from the context", () => {
    const context = { markPrice: () => dec("6600"), leverage: () => 10 };
    const parsed = parseFuturesUserMessage(fixture("futures-account_update"), context);
    if (parsed.kind !== "event" || parsed.event.kind !== "ACCOUNT_UPDATE") throw new Error("kind");
    expect(parsed.event.balances[0]?.asset).toBe("USDT");
    expect(eq(parsed.event.balances[0]?.free ?? dec("0"), dec("100.12345678"))).toBe(true);
    expect(text(parsed.event.balances[0]?.locked ?? null)).toBe("122524");
    expect(parsed.event.positions[1]).toEqual({
      symbol: "BTCUSDT",
      qty: dec("20"),
      entryPrice: dec("6563.6"),
      markPrice: dec("6600"),
      leverage: 10,
      marginType: "ISOLATED",
    });
  });

  test("listenKeyExpired is a control", () => {
    expect(
      parseFuturesUserMessage({ e: "listenKeyExpired", E: 1, listenKey: "k" }, noContext),
    ).toEqual({ kind: "control", control: "LISTEN_KEY_EXPIRED" });
  });
});

describe("market streams", () => {
  test("futures bookTicker and markPrice (with unknown st/ps fields)", () => {
    const book = parseMarketMessage("FUT", fixture("futures-book_ticker_stream"), 5);
    expect(book).toMatchObject({
      kind: "event",
      event: { kind: "BOOK_TOP", market: "FUT", symbol: "BNBUSDT", tsMs: 1568014460893 },
    });
    const mark = parseMarketMessage(
      "FUT",
      { stream: "btcusdt@markPrice@1s", data: fixture("futures-mark_price_stream") },
      5,
    );
    expect(mark).toMatchObject({
      kind: "event",
      event: { kind: "MARK_PRICE", symbol: "BTCUSDT", markPrice: dec("11794.15") },
    });
  });

  test("spot bookTicker (combined, no event type or time)", () => {
    const parsed = parseMarketMessage(
      "SPOT",
      {
        stream: "bnbusdt@bookTicker",
        data: {
          u: 400900217,
          s: "BNBUSDT",
          b: "25.35190000",
          B: "31.21000000",
          a: "25.36520000",
          A: "40.66000000",
        },
      },
      77,
    );
    expect(parsed).toMatchObject({
      kind: "event",
      event: { kind: "BOOK_TOP", market: "SPOT", tsMs: 77, bid: dec("25.3519") },
    });
  });
});
