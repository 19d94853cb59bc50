// Every Binance refusal the server produces, over real HTTP, with its exact code and message:
// parameter errors (-1100/-1102/-1106/-1111/-1115/-1116/-1117/-1121/-1136), spot filter and
// matching-engine failures (-1013, -2010 …), USDⓈ-M filter codes (-4003 … -4164), duplicates,
// unknown orders, algo-only types, post-only, margin, reduce-only, margin type and OCO rules.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { admin, plain, signed } from "./sim-server-kit.ts";

const server = startBinanceSimServer({ clock: new ManualClock(1_800_000_000_000), seed: 11 });
afterAll(() => server.stop());

beforeAll(async () => {
  await admin(server, "/mid", { symbol: "BTCUSDT", price: "95000" });
  await admin(server, "/mid", { symbol: "ETHUSDT", price: "3500" });
});

type Params = Record<string, string>;

interface Case {
  readonly name: string;
  readonly path: string;
  readonly params: Params;
  readonly code: number;
  readonly msg: string;
  readonly method?: string;
}

const spotLimit = (extra: Params = {}): Params => ({
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  quantity: "0.001",
  price: "90000",
  ...extra,
});

const futLimit = (extra: Params = {}): Params => ({
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  quantity: "0.002",
  price: "94000",
  ...extra,
});

function mandatory(name: string): string {
  return `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`;
}

const spotCases: readonly Case[] = [
  {
    name: "no symbol",
    path: "/api/v3/order",
    params: { side: "BUY", type: "MARKET" },
    code: -1102,
    msg: mandatory("symbol"),
  },
  {
    name: "unknown symbol",
    path: "/api/v3/order",
    params: spotLimit({ symbol: "NOPEUSDT" }),
    code: -1121,
    msg: "Invalid symbol.",
  },
  {
    name: "bad side",
    path: "/api/v3/order",
    params: spotLimit({ side: "HOLD" }),
    code: -1117,
    msg: "Invalid side.",
  },
  {
    name: "bad type",
    path: "/api/v3/order",
    params: spotLimit({ type: "ICEBERG" }),
    code: -1116,
    msg: "Invalid orderType.",
  },
  {
    name: "GTX on spot",
    path: "/api/v3/order",
    params: spotLimit({ timeInForce: "GTX" }),
    code: -1115,
    msg: "Invalid timeInForce.",
  },
  {
    name: "LIMIT without price",
    path: "/api/v3/order",
    params: {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.001",
    },
    code: -1102,
    msg: mandatory("price"),
  },
  {
    name: "MARKET without size",
    path: "/api/v3/order",
    params: { symbol: "BTCUSDT", side: "BUY", type: "MARKET" },
    code: -1102,
    msg: "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
  },
  {
    name: "MARKET with price",
    path: "/api/v3/order",
    params: { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.001", price: "1" },
    code: -1106,
    msg: "Parameter 'price' sent when not required.",
  },
  {
    name: "too precise",
    path: "/api/v3/order",
    params: spotLimit({ quantity: "0.000000001" }),
    code: -1111,
    msg: "Parameter 'quantity' has too much precision.",
  },
  {
    name: "exponent",
    path: "/api/v3/order",
    params: spotLimit({ quantity: "1e-3" }),
    code: -1100,
    msg: "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
  },
  {
    name: "bad client id",
    path: "/api/v3/order",
    params: spotLimit({ newClientOrderId: "no spaces!" }),
    code: -1100,
    msg: "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.",
  },
  {
    name: "LOT_SIZE",
    path: "/api/v3/order",
    params: spotLimit({ quantity: "0.000015" }),
    code: -1013,
    msg: "Filter failure: LOT_SIZE",
  },
  {
    name: "PRICE_FILTER",
    path: "/api/v3/order",
    params: spotLimit({ price: "90000.001" }),
    code: -1013,
    msg: "Filter failure: PRICE_FILTER",
  },
  {
    name: "NOTIONAL",
    path: "/api/v3/order",
    params: spotLimit({ quantity: "0.00001" }),
    code: -1013,
    msg: "Filter failure: NOTIONAL",
  },
  {
    name: "PERCENT_PRICE_BY_SIDE",
    path: "/api/v3/order",
    params: spotLimit({ price: "200000" }),
    code: -1013,
    msg: "Filter failure: PERCENT_PRICE_BY_SIDE",
  },
  {
    name: "MARKET_LOT_SIZE",
    path: "/api/v3/order",
    params: { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "200" },
    code: -1013,
    msg: "Filter failure: MARKET_LOT_SIZE",
  },
  {
    name: "LIMIT_MAKER would take",
    path: "/api/v3/order",
    params: {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT_MAKER",
      quantity: "0.001",
      price: "96000",
    },
    code: -2010,
    msg: "Order would immediately match and take.",
  },
  {
    name: "insufficient balance",
    path: "/api/v3/order",
    params: spotLimit({ quantity: "5" }),
    code: -2010,
    msg: "Account has insufficient balance for requested action.",
  },
  {
    name: "stop would trigger",
    path: "/api/v3/order",
    params: {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_LOSS",
      quantity: "0.001",
      stopPrice: "96000",
    },
    code: -2010,
    msg: "Order would trigger immediately.",
  },
  {
    name: "cancel unknown",
    method: "DELETE",
    path: "/api/v3/order",
    params: { symbol: "BTCUSDT", origClientOrderId: "never-placed" },
    code: -2011,
    msg: "Unknown order sent.",
  },
  {
    name: "query unknown",
    method: "GET",
    path: "/api/v3/order",
    params: { symbol: "BTCUSDT", orderId: "999999" },
    code: -2013,
    msg: "Order does not exist.",
  },
  {
    name: "query without id",
    method: "GET",
    path: "/api/v3/order",
    params: { symbol: "BTCUSDT" },
    code: -1102,
    msg: "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
  },
];

const oco = (extra: Params = {}): Params => ({
  symbol: "BTCUSDT",
  side: "SELL",
  quantity: "0.01",
  aboveType: "LIMIT_MAKER",
  abovePrice: "97000",
  belowType: "STOP_LOSS_LIMIT",
  belowStopPrice: "93000",
  belowPrice: "92900",
  belowTimeInForce: "GTC",
  ...extra,
});

const ocoCases: readonly Case[] = [
  {
    name: "prices on the wrong side",
    path: "/api/v3/orderList/oco",
    params: oco({ abovePrice: "94000" }),
    code: -2010,
    msg: "The relationship of the prices for the orders is not correct.",
  },
  {
    name: "stop above in a sell",
    path: "/api/v3/orderList/oco",
    params: oco({
      aboveType: "STOP_LOSS_LIMIT",
      aboveStopPrice: "97000",
      aboveTimeInForce: "GTC",
      belowType: "LIMIT_MAKER",
      belowPrice: "92000",
    }),
    code: -1197,
    msg: "A stop loss order in a sell OCO must be below.",
  },
  {
    name: "limit below in a sell",
    path: "/api/v3/orderList/oco",
    params: oco({
      aboveType: "TAKE_PROFIT",
      aboveStopPrice: "97000",
      abovePrice: "",
      belowType: "LIMIT_MAKER",
      belowPrice: "92000",
    }),
    code: -1166,
    msg: "A limit order in a sell OCO must be above.",
  },
  {
    name: "stop below in a buy",
    path: "/api/v3/orderList/oco",
    params: oco({ side: "BUY" }),
    code: -1196,
    msg: "A stop loss order in a buy OCO must be above.",
  },
  {
    name: "MARKET leg",
    path: "/api/v3/orderList/oco",
    params: oco({ aboveType: "MARKET" }),
    code: -1158,
    msg: "Order type not supported in OCO.",
  },
  {
    name: "leg without its price",
    path: "/api/v3/orderList/oco",
    params: oco({ belowPrice: "" }),
    code: -1102,
    msg: mandatory("belowPrice"),
  },
];

const futuresCases: readonly Case[] = [
  {
    name: "conditional type on /order",
    path: "/fapi/v1/order",
    params: {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      quantity: "0.002",
      stopPrice: "90000",
    },
    code: -4120,
    msg: "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
  },
  {
    name: "LIMIT_MAKER does not exist",
    path: "/fapi/v1/order",
    params: futLimit({ type: "LIMIT_MAKER" }),
    code: -1116,
    msg: "Invalid orderType.",
  },
  {
    name: "too precise",
    path: "/fapi/v1/order",
    params: futLimit({ quantity: "0.0001" }),
    code: -1111,
    msg: "Precision is over the maximum defined for this asset.",
  },
  {
    name: "price precision",
    path: "/fapi/v1/order",
    params: futLimit({ price: "94000.001" }),
    code: -1111,
    msg: "Precision is over the maximum defined for this asset.",
  },
  {
    name: "tick",
    path: "/fapi/v1/order",
    params: futLimit({ price: "94000.05" }),
    code: -4014,
    msg: "Price not increased by tick size.",
  },
  {
    name: "price below min",
    path: "/fapi/v1/order",
    params: futLimit({ price: "500" }),
    code: -4013,
    msg: "Price less than min price.",
  },
  {
    name: "price above max",
    path: "/fapi/v1/order",
    params: futLimit({ price: "5000000" }),
    code: -4002,
    msg: "Price greater than max price.",
  },
  {
    name: "mark cap",
    path: "/fapi/v1/order",
    params: futLimit({ price: "110000" }),
    code: -4016,
    msg: "Price is higher than mark price multiplier cap.",
  },
  {
    name: "mark floor",
    path: "/fapi/v1/order",
    params: futLimit({ price: "80000" }),
    code: -4024,
    msg: "Price is lower than mark price multiplier floor.",
  },
  {
    name: "zero quantity",
    path: "/fapi/v1/order",
    params: futLimit({ quantity: "0" }),
    code: -4003,
    msg: "Quantity less than zero.",
  },
  {
    name: "above max quantity",
    path: "/fapi/v1/order",
    params: futLimit({ quantity: "1001" }),
    code: -4005,
    msg: "Quantity greater than max quantity.",
  },
  {
    name: "above market max",
    path: "/fapi/v1/order",
    params: { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "121" },
    code: -4005,
    msg: "Quantity greater than max quantity.",
  },
  {
    name: "min notional",
    path: "/fapi/v1/order",
    params: { symbol: "ETHUSDT", side: "BUY", type: "MARKET", quantity: "0.001" },
    code: -4164,
    msg: "Order's notional must be no smaller than 20.0 (unless you choose reduce only)",
  },
  {
    name: "GTX would take",
    path: "/fapi/v1/order",
    params: futLimit({ timeInForce: "GTX", price: "96000" }),
    code: -5022,
    msg: "Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history",
  },
  {
    name: "margin",
    path: "/fapi/v1/order",
    params: { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "100" },
    code: -2019,
    msg: "Margin is insufficient.",
  },
  {
    name: "reduce-only without position",
    path: "/fapi/v1/order",
    params: {
      symbol: "BTCUSDT",
      side: "SELL",
      type: "MARKET",
      quantity: "0.002",
      reduceOnly: "true",
    },
    code: -2022,
    msg: "ReduceOnly Order is rejected.",
  },
  {
    name: "hedge-mode position side",
    path: "/fapi/v1/order",
    params: futLimit({ positionSide: "LONG" }),
    code: -4061,
    msg: "Order's position side does not match user's setting.",
  },
  {
    name: "bad response type",
    path: "/fapi/v1/order",
    params: futLimit({ newOrderRespType: "FULL" }),
    code: -1136,
    msg: "Invalid newOrderRespType.",
  },
  {
    name: "bad client id",
    path: "/fapi/v1/order",
    params: futLimit({ newClientOrderId: "x".repeat(37) }),
    code: -4015,
    msg: "Client order id is not valid.",
  },
  {
    name: "cancel unknown",
    method: "DELETE",
    path: "/fapi/v1/order",
    params: { symbol: "BTCUSDT", origClientOrderId: "never" },
    code: -2011,
    msg: "Unknown order sent.",
  },
  {
    name: "query unknown",
    method: "GET",
    path: "/fapi/v1/order",
    params: { symbol: "BTCUSDT", origClientOrderId: "never" },
    code: -2013,
    msg: "Order does not exist.",
  },
  {
    name: "margin type already set",
    path: "/fapi/v1/marginType",
    params: { symbol: "BTCUSDT", marginType: "CROSSED" },
    code: -4046,
    msg: "No need to change margin type.",
  },
  {
    name: "leverage out of range",
    path: "/fapi/v1/leverage",
    params: { symbol: "BTCUSDT", leverage: "126" },
    code: -4028,
    msg: "Leverage 126 is not valid",
  },
  {
    name: "algo without trigger",
    path: "/fapi/v1/algoOrder",
    params: {
      algoType: "CONDITIONAL",
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      quantity: "0.002",
    },
    code: -1102,
    msg: mandatory("triggerPrice"),
  },
  {
    name: "algo closePosition with quantity",
    path: "/fapi/v1/algoOrder",
    params: {
      algoType: "CONDITIONAL",
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      triggerPrice: "90000",
      quantity: "0.002",
      closePosition: "true",
    },
    code: -4137,
    msg: "Quantity must be zero with closePosition equals true.",
  },
  {
    name: "algo would trigger",
    path: "/fapi/v1/algoOrder",
    params: {
      algoType: "CONDITIONAL",
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      triggerPrice: "99000",
      quantity: "0.002",
    },
    code: -2021,
    msg: "Order would immediately trigger.",
  },
  {
    name: "algo working type",
    path: "/fapi/v1/algoOrder",
    params: {
      algoType: "CONDITIONAL",
      symbol: "BTCUSDT",
      side: "SELL",
      type: "STOP_MARKET",
      triggerPrice: "90000",
      quantity: "0.002",
      workingType: "LAST",
    },
    code: -4031,
    msg: "Invalid parameter working type: LAST",
  },
];

function runCases(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    for (const item of cases) {
      test(`${item.name} → ${item.code}`, async () => {
        const params = Object.fromEntries(Object.entries(item.params).filter(([, v]) => v !== ""));
        const answer = await signed(server, item.method ?? "POST", item.path, params);
        expect(answer.body).toEqual({ code: item.code, msg: item.msg });
        expect(answer.status).toBe(400);
      });
    }
  });
}

runCases("spot orders", spotCases);
runCases("spot OCO", ocoCases);
runCases("USDⓈ-M", futuresCases);

describe("refusals that need an order first", () => {
  test("duplicate open client ids: spot -2010, futures -4116; reusable once closed", async () => {
    const spot = spotLimit({ newClientOrderId: "dup-spot-1" });
    expect((await signed(server, "POST", "/api/v3/order", spot)).status).toBe(200);
    const again = await signed(server, "POST", "/api/v3/order", spot);
    expect(again.body).toEqual({ code: -2010, msg: "Duplicate order sent." });
    const fut = futLimit({ newClientOrderId: "dup-fut-1" });
    expect((await signed(server, "POST", "/fapi/v1/order", fut)).status).toBe(200);
    const twice = await signed(server, "POST", "/fapi/v1/order", fut);
    expect(twice.body).toEqual({ code: -4116, msg: "clientOrderId is duplicated" });
    await signed(server, "DELETE", "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "dup-spot-1",
    });
    expect((await signed(server, "POST", "/api/v3/order", spot)).status).toBe(200);
  });

  test("cancel restrictions: a NEW order is not cancelled with ONLY_PARTIALLY_FILLED", async () => {
    const placed = await signed(
      server,
      "POST",
      "/api/v3/order",
      spotLimit({ newClientOrderId: "restricted-1" }),
    );
    expect(placed.body.status).toBe("NEW");
    const refused = await signed(server, "DELETE", "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "restricted-1",
      cancelRestrictions: "ONLY_PARTIALLY_FILLED",
    });
    expect(refused.body).toEqual({
      code: -2011,
      msg: "Order was not canceled due to cancel restrictions.",
    });
  });

  test("margin type cannot change with a position (-4048)", async () => {
    const opened = await signed(server, "POST", "/fapi/v1/order", {
      symbol: "ETHUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.01",
    });
    expect(opened.body.status).toBe("NEW");
    const change = await signed(server, "POST", "/fapi/v1/marginType", {
      symbol: "ETHUSDT",
      marginType: "ISOLATED",
    });
    expect(change.body).toEqual({
      code: -4048,
      msg: "Margin type cannot be changed if there exists position.",
    });
  });

  test("futures depth accepts only its documented limits (-4021)", async () => {
    const bad = await plain(server, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=3");
    expect(bad.body).toEqual({ code: -4021, msg: "'3' is not valid depth limit." });
    const good = await plain(server, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=5");
    expect(good.body.bids).toHaveLength(5);
  });
});
