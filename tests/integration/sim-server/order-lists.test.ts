// Spot order lists and bulk order endpoints over REST: orderList/oco with aboveType/belowType
// (reports in the requested style, the pending stop leg with workingTime -1), GET orderList by
// its client id, openOrderList, DELETE orderList, a leg cancel ending its list, a take-profit
// fill expiring the stop; DELETE openOrders, allOrders, quoteOrderQty market orders.

import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { admin, signed, type Wire } from "./sim-server-kit.ts";

const server = startBinanceSimServer({ clock: new ManualClock(1_800_000_000_000), seed: 31 });
afterAll(() => server.stop());

beforeEach(async () => {
  await admin(server, "/reset", { seed: 31 });
  await admin(server, "/mid", { symbol: "BTCUSDT", price: "95000" });
});

function oco(listClientOrderId: string, extra: Record<string, string> = {}) {
  return signed(server, "POST", "/api/v3/orderList/oco", {
    symbol: "BTCUSDT",
    side: "SELL",
    quantity: "0.01",
    listClientOrderId,
    aboveType: "LIMIT_MAKER",
    abovePrice: "97000",
    aboveClientOrderId: `${listClientOrderId}-tp`,
    belowType: "STOP_LOSS_LIMIT",
    belowStopPrice: "93000",
    belowPrice: "92900",
    belowTimeInForce: "GTC",
    belowClientOrderId: `${listClientOrderId}-sl`,
    ...extra,
  });
}

describe("orderList/oco", () => {
  test("placed: EXEC_STARTED with both legs; the stop leg waits with workingTime -1", async () => {
    const placed = await oco("list-1");
    expect(Object.keys(placed.body)).toEqual([
      "orderListId",
      "contingencyType",
      "listStatusType",
      "listOrderStatus",
      "listClientOrderId",
      "transactionTime",
      "symbol",
      "orders",
      "orderReports",
    ]);
    expect(placed.body).toMatchObject({
      contingencyType: "OCO",
      listStatusType: "EXEC_STARTED",
      listOrderStatus: "EXECUTING",
      listClientOrderId: "list-1",
    });
    const [takeProfit, stop] = placed.body.orderReports as Wire[];
    expect(takeProfit).toMatchObject({
      type: "LIMIT_MAKER",
      status: "NEW",
      clientOrderId: "list-1-tp",
    });
    expect(stop).toMatchObject({
      type: "STOP_LOSS_LIMIT",
      stopPrice: "93000.00000000",
      workingTime: -1,
    });
    expect(takeProfit.orderListId).toBe(placed.body.orderListId);
    const full = await oco("list-2", { newOrderRespType: "FULL", abovePrice: "97100" });
    expect(full.body.orderReports[0].fills).toEqual([]);
  });

  test("queried by its client id, listed as open, cancelled as a whole, then unknown", async () => {
    const placed = await oco("list-3");
    const queried = await signed(server, "GET", "/api/v3/orderList", {
      origClientOrderId: "list-3",
    });
    expect(queried.body).toMatchObject({
      orderListId: placed.body.orderListId,
      listOrderStatus: "EXECUTING",
    });
    expect(queried.body.orders).toHaveLength(2);
    expect(queried.body).not.toHaveProperty("orderReports");
    const open = await signed(server, "GET", "/api/v3/openOrderList");
    expect(open.body.map((list: Wire) => list.listClientOrderId)).toEqual(["list-3"]);
    const canceled = await signed(server, "DELETE", "/api/v3/orderList", {
      symbol: "BTCUSDT",
      listClientOrderId: "list-3",
    });
    expect(canceled.body).toMatchObject({
      listStatusType: "ALL_DONE",
      listOrderStatus: "ALL_DONE",
    });
    for (const report of canceled.body.orderReports as Wire[]) {
      expect(report.status).toBe("CANCELED");
      expect(report.origClientOrderId).toMatch(/^list-3-(tp|sl)$/);
    }
    const again = await signed(server, "DELETE", "/api/v3/orderList", {
      symbol: "BTCUSDT",
      listClientOrderId: "list-3",
    });
    expect(again.body).toEqual({ code: -2011, msg: "Unknown order sent." });
    const missing = await signed(server, "GET", "/api/v3/orderList", { origClientOrderId: "none" });
    expect(missing.body).toEqual({ code: -2013, msg: "Order list does not exist." });
  });

  test("cancelling one leg ends the list", async () => {
    await oco("list-4");
    await signed(server, "DELETE", "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "list-4-sl",
    });
    const list = await signed(server, "GET", "/api/v3/orderList", { origClientOrderId: "list-4" });
    expect(list.body.listOrderStatus).toBe("ALL_DONE");
    const legs = await signed(server, "GET", "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "list-4-tp",
    });
    expect(legs.body.status).toBe("CANCELED");
  });

  test("the take-profit filling expires the stop; the list is done", async () => {
    await oco("list-5");
    await admin(server, "/mid", { symbol: "BTCUSDT", price: "97500" });
    await admin(server, "/advance", { ms: 1_000 });
    const tp = await signed(server, "GET", "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "list-5-tp",
    });
    const sl = await signed(server, "GET", "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "list-5-sl",
    });
    expect(tp.body.status).toBe("FILLED");
    expect(sl.body).toMatchObject({ status: "EXPIRED", executedQty: "0.00000000" });
  });

  test("an OCO beyond the free balance is refused", async () => {
    const refused = await oco("list-6", { quantity: "5" });
    expect(refused.body).toEqual({
      code: -2010,
      msg: "Account has insufficient balance for requested action.",
    });
  });
});

describe("bulk and history", () => {
  test("DELETE openOrders answers each order once and each list once", async () => {
    await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.001",
      price: "90000",
      newClientOrderId: "bulk-1",
    });
    await oco("list-7");
    const canceled = await signed(server, "DELETE", "/api/v3/openOrders", { symbol: "BTCUSDT" });
    expect(canceled.body).toHaveLength(2);
    expect(canceled.body[0]).toMatchObject({ origClientOrderId: "bulk-1", status: "CANCELED" });
    expect(canceled.body[1]).toMatchObject({
      listClientOrderId: "list-7",
      listOrderStatus: "ALL_DONE",
    });
    expect((await signed(server, "GET", "/api/v3/openOrders", {})).body).toEqual([]);
  });

  test("allOrders lists every order oldest first; orderId and limit narrow it", async () => {
    for (const price of ["90000", "90100", "90200"]) {
      await signed(server, "POST", "/api/v3/order", {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.001",
        price,
      });
    }
    const all = await signed(server, "GET", "/api/v3/allOrders", { symbol: "BTCUSDT" });
    const ids = all.body.map((order: Wire) => order.orderId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).toHaveLength(3);
    const later = await signed(server, "GET", "/api/v3/allOrders", {
      symbol: "BTCUSDT",
      orderId: String(ids[1]),
      limit: "1",
    });
    expect(later.body.map((order: Wire) => order.orderId)).toEqual([ids[1]]);
    const futures = await signed(server, "GET", "/fapi/v1/allOrders", { symbol: "BTCUSDT" });
    expect(futures.body).toEqual([]);
  });

  test("a MARKET buy by quoteOrderQty spends at most that much quote", async () => {
    const placed = await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quoteOrderQty: "100",
    });
    expect(placed.body).toMatchObject({ status: "FILLED", origQuoteOrderQty: "100.00000000" });
    expect(Number(placed.body.cummulativeQuoteQty)).toBeLessThanOrEqual(100);
    expect(Number(placed.body.executedQty)).toBeGreaterThan(0);
    const both = await signed(server, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "MARKET",
      quantity: "0.001",
      quoteOrderQty: "100",
    });
    expect(both.body).toEqual({ code: -1128, msg: "Combination of optional parameters invalid." });
  });

  test("futures cancel-all: DELETE allOpenOrders and algoOpenOrders", async () => {
    await signed(server, "POST", "/fapi/v1/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.002",
      price: "94000",
    });
    await signed(server, "POST", "/fapi/v1/algoOrder", {
      algoType: "CONDITIONAL",
      symbol: "BTCUSDT",
      side: "BUY",
      type: "STOP_MARKET",
      triggerPrice: "99000",
      quantity: "0.002",
    });
    const done = { code: 200, msg: "The operation of cancel all open order is done." };
    expect(
      (await signed(server, "DELETE", "/fapi/v1/allOpenOrders", { symbol: "BTCUSDT" })).body,
    ).toEqual(done);
    expect(
      (await signed(server, "DELETE", "/fapi/v1/algoOpenOrders", { symbol: "BTCUSDT" })).body,
    ).toEqual(done);
    expect((await signed(server, "GET", "/fapi/v1/openOrders", {})).body).toEqual([]);
    expect((await signed(server, "GET", "/fapi/v1/openAlgoOrders", {})).body).toEqual([]);
  });
});
