// A small stateful Binance-protocol server for the end-to-end suite until the simulator server
// exists: fixed books, immediate fills at the touch, signature and timestamp checks, the
// WebSocket API user stream, the listenKey stream and market streams, all on one port.
// It is an executable list of what the suite needs, not a simulator.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server, ServerWebSocket } from "bun";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  add,
  compare,
  type Decimal,
  dec,
  formatDecimal,
  mul,
  neg,
  sub,
} from "../../../domain/decimal/index.ts";
import type { SimulatorServer } from "./sim-server.ts";

type Json = Record<string, unknown>;
type Reply = { status: number; body: unknown };
type Socket = ServerWebSocket<{ path: string }>;

const apiKey = "fake-key-0001";
const apiSecret = "fake-secret-0001";
const fixtures = join(import.meta.dir, "../../fixtures/binance");
const spotInfo = JSON.parse(readFileSync(join(fixtures, "exchange-info-spot.json"), "utf8"));
const futuresInfo = JSON.parse(readFileSync(join(fixtures, "exchange-info-usdm.json"), "utf8"));
const book = {
  bid: dec("50000.00"),
  ask: dec("50000.10"),
  futBid: dec("50000.0"),
  futAsk: dec("50000.1"),
};
const mark = dec("50000.05");
const fee = dec("0.001");

const ok = (body: unknown): Reply => ({ status: 200, body });
const fail = (code: number, msg: string, status = 400): Reply => ({ status, body: { code, msg } });
const text = (value: Decimal) => formatDecimal(value);

interface FakeOrder extends Json {
  market: "SPOT" | "FUT";
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: string;
  type: string;
  timeInForce: string;
  price: string;
  origQty: string;
  executedQty: string;
  status: string;
  updateTime: number;
  orderListId: number;
}

interface Trade {
  market: "SPOT" | "FUT";
  id: number;
  orderId: number;
  price: Decimal;
  qty: Decimal;
  time: number;
}

export class FakeBinanceServer {
  private readonly server: Server<{ path: string }>;
  private readonly orders: FakeOrder[] = [];
  private readonly trades: Trade[] = [];
  private readonly lists = new Map<string, Json>();
  private readonly algos = new Map<string, Json>();
  private readonly balances = new Map<string, Decimal>([
    ["USDT", dec("100000")],
    ["BTC", dec("0")],
  ]);
  private futuresWallet = dec("10000");
  private position = dec("0");
  private leverage = 20;
  private marginType = "CROSSED";
  private sequence = 100;
  private readonly userSockets = new Set<Socket>();
  private readonly futuresSockets = new Set<Socket>();

  constructor() {
    this.server = Bun.serve<{ path: string }>({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request, server) => this.fetch(request, server),
      websocket: {
        open: (socket) => this.open(socket),
        message: (socket, message) => this.message(socket, String(message)),
        close: (socket) => {
          this.userSockets.delete(socket);
          this.futuresSockets.delete(socket);
        },
      },
    });
  }

  asSimulator(): SimulatorServer {
    return {
      baseUrl: `http://127.0.0.1:${this.server.port}`,
      apiKey,
      apiSecret,
      stop: async () => {
        this.server.stop(true);
      },
    };
  }

  private fetch(request: Request, server: Server<{ path: string }>): Response | undefined {
    const url = new URL(request.url);
    if (request.headers.get("upgrade") === "websocket") {
      server.upgrade(request, { data: { path: url.pathname } });
      return undefined;
    }
    const query = url.search.slice(1);
    const params = new URLSearchParams(query);
    const reply =
      this.authorize(request, url.pathname, query) ??
      this.route(request.method, url.pathname, params);
    return Response.json(reply.body, {
      status: reply.status,
      headers: { "X-MBX-USED-WEIGHT-1M": "1" },
    });
  }

  /** Signed paths need the key header, a valid HMAC over the raw query and a fresh timestamp. */
  private authorize(request: Request, path: string, query: string): Reply | null {
    const publicPaths = ["/time", "/exchangeInfo", "/depth", "/premiumIndex", "/ticker/bookTicker"];
    if (publicPaths.some((suffix) => path.endsWith(suffix))) return null;
    if (request.headers.get("x-mbx-apikey") !== apiKey)
      return fail(-2015, "Invalid API-key, IP, or permissions for action.", 401);
    if (path.endsWith("/listenKey")) return null;
    const at = query.lastIndexOf("&signature=");
    const signature = at < 0 ? "" : query.slice(at + 11);
    const expected = Buffer.from(
      hmac(
        sha256,
        new TextEncoder().encode(apiSecret),
        new TextEncoder().encode(query.slice(0, at)),
      ),
    ).toString("hex");
    if (signature !== expected) return fail(-1022, "Signature for this request is not valid.");
    const params = new URLSearchParams(query);
    const drift = Date.now() - Number(params.get("timestamp"));
    if (drift > Number(params.get("recvWindow") ?? 5000) || drift < -1000) {
      return fail(-1021, "Timestamp for this request is outside of the recvWindow.");
    }
    return null;
  }

  private route(method: string, path: string, params: URLSearchParams): Reply {
    const key = `${method} ${path}`;
    const symbol = params.get("symbol") ?? "BTCUSDT";
    switch (key) {
      case "GET /api/v3/time":
      case "GET /fapi/v1/time":
        return ok({ serverTime: Date.now() });
      case "GET /api/v3/exchangeInfo":
        return ok(spotInfo);
      case "GET /fapi/v1/exchangeInfo":
        return ok(futuresInfo);
      case "GET /api/v3/depth":
        return ok({
          lastUpdateId: 1,
          bids: [[text(book.bid), "1.5"]],
          asks: [[text(book.ask), "2.5"]],
        });
      case "GET /fapi/v1/depth":
        return ok({
          lastUpdateId: 1,
          E: Date.now(),
          T: Date.now(),
          bids: [[text(book.futBid), "3"]],
          asks: [[text(book.futAsk), "4"]],
        });
      case "GET /fapi/v1/premiumIndex":
        return ok({
          symbol,
          markPrice: text(mark),
          indexPrice: text(mark),
          lastFundingRate: "0.0001",
          time: Date.now(),
        });
      case "POST /api/v3/order":
        return this.placeSpot(params);
      case "POST /fapi/v1/order":
        return this.placeFutures(params);
      case "GET /api/v3/order":
      case "GET /fapi/v1/order":
        return this.query(path.startsWith("/fapi") ? "FUT" : "SPOT", params);
      case "DELETE /api/v3/order":
      case "DELETE /fapi/v1/order":
        return this.cancel(path.startsWith("/fapi") ? "FUT" : "SPOT", params);
      case "GET /api/v3/openOrders":
        return ok(
          this.orders
            .filter((order) => order.market === "SPOT" && order.status === "NEW")
            .map(wire),
        );
      case "GET /fapi/v1/openOrders":
        return ok(
          this.orders.filter((order) => order.market === "FUT" && order.status === "NEW").map(wire),
        );
      case "GET /api/v3/myTrades":
      case "GET /fapi/v1/userTrades":
        return ok(
          this.tradesOf(path.startsWith("/fapi") ? "FUT" : "SPOT", Number(params.get("orderId"))),
        );
      case "POST /api/v3/orderList/oco":
        return this.placeOco(params);
      case "GET /api/v3/orderList":
        return this.lists.has(params.get("origClientOrderId") ?? "")
          ? ok({
              ...this.lists.get(params.get("origClientOrderId") ?? ""),
              orderReports: undefined,
            })
          : fail(-2011, "Order list does not exist.");
      case "DELETE /api/v3/orderList":
        return this.cancelOco(params.get("listClientOrderId") ?? "");
      case "GET /api/v3/account":
        return ok({
          balances: [...this.balances].map(([asset, free]) => ({
            asset,
            free: text(free),
            locked: "0",
          })),
        });
      case "GET /api/v3/account/commission":
        return ok({
          symbol,
          standardCommission: { maker: "0.001", taker: "0.001", buyer: "0", seller: "0" },
        });
      case "POST /fapi/v1/marginType":
        if (params.get("marginType") === this.marginType)
          return fail(-4046, "No need to change margin type.");
        this.marginType = params.get("marginType") ?? "CROSSED";
        return ok({ code: 200, msg: "success" });
      case "POST /fapi/v1/leverage":
        this.leverage = Number(params.get("leverage"));
        return ok({ leverage: this.leverage, maxNotionalValue: "1000000", symbol });
      case "GET /fapi/v1/symbolConfig":
        return ok([
          {
            symbol: "BTCUSDT",
            marginType: this.marginType,
            isAutoAddMargin: false,
            leverage: this.leverage,
            maxNotionalValue: "1000000",
          },
        ]);
      case "GET /fapi/v3/positionRisk":
        return ok(
          this.position.units === 0n
            ? []
            : [
                {
                  symbol: "BTCUSDT",
                  positionSide: "BOTH",
                  positionAmt: text(this.position),
                  entryPrice: text(book.futAsk),
                  markPrice: text(mark),
                  unRealizedProfit: "0",
                  updateTime: Date.now(),
                },
              ],
        );
      case "GET /fapi/v3/balance":
        return ok([
          {
            asset: "USDT",
            balance: text(this.futuresWallet),
            availableBalance: text(this.futuresWallet),
          },
        ]);
      case "GET /fapi/v1/commissionRate":
        return ok({ symbol, makerCommissionRate: "0.0002", takerCommissionRate: "0.0005" });
      case "POST /fapi/v1/algoOrder":
        return this.placeAlgo(params);
      case "GET /fapi/v1/algoOrder":
        return this.algos.has(params.get("clientAlgoId") ?? "")
          ? ok(this.algos.get(params.get("clientAlgoId") ?? ""))
          : fail(-2013, "Order does not exist.");
      case "DELETE /fapi/v1/algoOrder":
        return this.cancelAlgo(params.get("clientAlgoId") ?? "");
      case "GET /fapi/v1/openAlgoOrders":
        return ok([...this.algos.values()].filter((algo) => algo["algoStatus"] === "NEW"));
      case "POST /fapi/v1/listenKey":
      case "PUT /fapi/v1/listenKey":
        return ok({ listenKey: "fake-listen-key" });
      case "POST /sapi/v1/asset/transfer":
        return this.transfer(params);
      default:
        return fail(-1000, `fake has no ${key}`, 404);
    }
  }

  private newOrder(market: "SPOT" | "FUT", params: URLSearchParams, type: string): FakeOrder {
    return {
      market,
      symbol: params.get("symbol") ?? "",
      orderId: ++this.sequence,
      clientOrderId: params.get("newClientOrderId") ?? "",
      side: params.get("side") ?? "",
      type,
      timeInForce: params.get("timeInForce") ?? "GTC",
      price: params.get("price") ?? "0",
      origQty: params.get("quantity") ?? "0",
      executedQty: "0",
      status: "NEW",
      updateTime: Date.now(),
      orderListId: -1,
      reduceOnly: params.get("reduceOnly") === "true",
    };
  }

  private duplicate(market: "SPOT" | "FUT", clientOrderId: string): boolean {
    return this.orders.some(
      (order) =>
        order.market === market && order.clientOrderId === clientOrderId && order.status === "NEW",
    );
  }

  private placeSpot(params: URLSearchParams): Reply {
    const type = params.get("type") ?? "";
    if (this.duplicate("SPOT", params.get("newClientOrderId") ?? ""))
      return fail(-2010, "Duplicate order sent.");
    const order = this.newOrder("SPOT", params, type);
    const touch = order.side === "BUY" ? book.ask : book.bid;
    const crosses =
      order.side === "BUY"
        ? compare(dec(order.price), touch) >= 0
        : compare(dec(order.price), touch) <= 0;
    if (type === "LIMIT_MAKER" && crosses)
      return fail(-2010, "Order would immediately match and take.");
    this.orders.push(order);
    if (type === "MARKET" || (type === "LIMIT" && crosses)) this.fill(order, touch);
    else this.pushSpot(order, "NEW", null);
    return ok({
      ...wire(order),
      transactTime: order.updateTime,
      fills: this.tradesOf("SPOT", order.orderId).map((trade) => ({
        price: trade["price"],
        qty: trade["qty"],
        commission: trade["commission"],
        commissionAsset: trade["commissionAsset"],
        tradeId: trade["id"],
      })),
    });
  }

  private placeFutures(params: URLSearchParams): Reply {
    const type = params.get("type") ?? "";
    if (type !== "LIMIT" && type !== "MARKET")
      return fail(
        -4120,
        "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
      );
    if (this.duplicate("FUT", params.get("newClientOrderId") ?? ""))
      return fail(-4116, "clientOrderId is duplicated");
    const order = this.newOrder("FUT", params, type);
    const touch = order.side === "BUY" ? book.futAsk : book.futBid;
    const crosses =
      order.side === "BUY"
        ? compare(dec(order.price), touch) >= 0
        : compare(dec(order.price), touch) <= 0;
    if (order.timeInForce === "GTX" && crosses) {
      return fail(
        -5022,
        "Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history",
      );
    }
    this.orders.push(order);
    if (type === "MARKET" || crosses) this.fill(order, touch);
    else this.pushFutures(order, "NEW", null);
    return ok({
      ...wire(order),
      avgPrice: order.status === "FILLED" ? text(touch) : "0",
      cumQuote: "0",
    });
  }

  private fill(order: FakeOrder, price: Decimal): void {
    const qty = dec(order.origQty);
    const trade: Trade = {
      market: order.market,
      id: ++this.sequence,
      orderId: order.orderId,
      price,
      qty,
      time: Date.now(),
    };
    this.trades.push(trade);
    order.executedQty = order.origQty;
    order.status = "FILLED";
    order.updateTime = trade.time;
    if (order.market === "SPOT") {
      const sign = order.side === "BUY" ? 1n : -1n;
      const baseChange = order.side === "BUY" ? sub(qty, mul(qty, fee)) : neg(qty);
      this.balances.set("BTC", add(this.balances.get("BTC") ?? dec("0"), baseChange));
      const quote = mul(qty, price);
      this.balances.set(
        "USDT",
        add(this.balances.get("USDT") ?? dec("0"), sign > 0n ? neg(quote) : quote),
      );
      this.pushSpot(order, "TRADE", trade);
    } else {
      this.position = order.side === "BUY" ? add(this.position, qty) : sub(this.position, qty);
      this.pushFutures(order, "TRADE", trade);
    }
  }

  private find(market: "SPOT" | "FUT", params: URLSearchParams): FakeOrder | undefined {
    const byId = params.get("orderId");
    const byClient = params.get("origClientOrderId");
    return [...this.orders]
      .reverse()
      .find(
        (order) =>
          order.market === market &&
          (byId !== null ? String(order.orderId) === byId : order.clientOrderId === byClient),
      );
  }

  private query(market: "SPOT" | "FUT", params: URLSearchParams): Reply {
    const order = this.find(market, params);
    return order === undefined ? fail(-2013, "Order does not exist.") : ok(wire(order));
  }

  private cancel(market: "SPOT" | "FUT", params: URLSearchParams): Reply {
    const order = this.find(market, params);
    if (order === undefined || order.status !== "NEW") return fail(-2011, "Unknown order sent.");
    order.status = "CANCELED";
    order.updateTime = Date.now();
    if (market === "SPOT") this.pushSpot(order, "CANCELED", null);
    else this.pushFutures(order, "CANCELED", null);
    return ok({ ...wire(order), origClientOrderId: order.clientOrderId });
  }

  private tradesOf(market: "SPOT" | "FUT", orderId: number): Json[] {
    return this.trades
      .filter((trade) => trade.market === market && trade.orderId === orderId)
      .map((trade) => ({
        symbol: "BTCUSDT",
        id: trade.id,
        orderId,
        price: text(trade.price),
        qty: text(trade.qty),
        commission: text(mul(trade.qty, fee)),
        commissionAsset: market === "SPOT" ? "BTC" : "USDT",
        time: trade.time,
        isMaker: false,
        maker: false,
      }));
  }

  private placeOco(params: URLSearchParams): Reply {
    const listClientOrderId = params.get("listClientOrderId") ?? "";
    const listId = ++this.sequence;
    const legs = (["above", "below"] as const).map((leg) => {
      const legParams = new URLSearchParams({
        symbol: params.get("symbol") ?? "",
        side: params.get("side") ?? "",
        quantity: params.get("quantity") ?? "",
        price: params.get(`${leg}Price`) ?? "0",
        newClientOrderId: params.get(`${leg}ClientOrderId`) ?? "",
      });
      const order = this.newOrder("SPOT", legParams, params.get(`${leg}Type`) ?? "");
      order.orderListId = listId;
      order["stopPrice"] = params.get(`${leg}StopPrice`) ?? "0";
      this.orders.push(order);
      return order;
    });
    const list = {
      orderListId: listId,
      contingencyType: "OCO",
      listStatusType: "EXEC_STARTED",
      listOrderStatus: "EXECUTING",
      listClientOrderId,
      transactionTime: Date.now(),
      symbol: params.get("symbol"),
      orders: legs.map((order) => ({
        symbol: order.symbol,
        orderId: order.orderId,
        clientOrderId: order.clientOrderId,
      })),
    };
    this.lists.set(listClientOrderId, list);
    return ok({ ...list, orderReports: legs.map(wire) });
  }

  private cancelOco(listClientOrderId: string): Reply {
    const list = this.lists.get(listClientOrderId);
    if (list === undefined || list["listOrderStatus"] !== "EXECUTING")
      return fail(-2011, "Unknown order sent.");
    const legs = this.orders.filter((order) => order.orderListId === list["orderListId"]);
    for (const order of legs) order.status = "CANCELED";
    Object.assign(list, {
      listStatusType: "ALL_DONE",
      listOrderStatus: "ALL_DONE",
      transactionTime: Date.now(),
    });
    return ok({ ...list, orderReports: legs.map(wire) });
  }

  private placeAlgo(params: URLSearchParams): Reply {
    const clientAlgoId = params.get("clientAlgoId") ?? "";
    const algo = {
      algoId: ++this.sequence,
      clientAlgoId,
      algoType: "CONDITIONAL",
      orderType: params.get("type"),
      symbol: params.get("symbol"),
      side: params.get("side"),
      quantity: params.get("quantity") ?? "0",
      algoStatus: "NEW",
      triggerPrice: params.get("triggerPrice"),
      workingType: params.get("workingType"),
      closePosition: params.get("closePosition") === "true",
      reduceOnly: params.get("reduceOnly") === "true",
      createTime: Date.now(),
      updateTime: Date.now(),
    };
    this.algos.set(clientAlgoId, algo);
    return ok(algo);
  }

  private cancelAlgo(clientAlgoId: string): Reply {
    const algo = this.algos.get(clientAlgoId);
    if (algo === undefined || algo["algoStatus"] !== "NEW")
      return fail(-2011, "Unknown order sent.");
    Object.assign(algo, { algoStatus: "CANCELED", updateTime: Date.now() });
    return ok({ algoId: algo["algoId"], clientAlgoId, code: "200", msg: "success" });
  }

  private transfer(params: URLSearchParams): Reply {
    const amount = dec(params.get("amount") ?? "0");
    const toFutures = params.get("type") === "MAIN_UMFUTURE";
    this.balances.set(
      "USDT",
      add(this.balances.get("USDT") ?? dec("0"), toFutures ? neg(amount) : amount),
    );
    this.futuresWallet = toFutures
      ? add(this.futuresWallet, amount)
      : sub(this.futuresWallet, amount);
    return ok({ tranId: ++this.sequence });
  }

  private open(socket: Socket): void {
    const path = socket.data.path;
    if (path.startsWith("/private/ws/")) this.futuresSockets.add(socket);
    const now = Date.now();
    if (path === "/stream")
      socket.send(
        JSON.stringify({
          stream: "btcusdt@bookTicker",
          data: { u: 1, s: "BTCUSDT", b: text(book.bid), B: "1.5", a: text(book.ask), A: "2.5" },
        }),
      );
    if (path === "/public/stream")
      socket.send(
        JSON.stringify({
          stream: "btcusdt@bookTicker",
          data: {
            e: "bookTicker",
            u: 1,
            E: now,
            T: now,
            s: "BTCUSDT",
            b: text(book.futBid),
            B: "3",
            a: text(book.futAsk),
            A: "4",
          },
        }),
      );
    if (path === "/market/stream")
      socket.send(
        JSON.stringify({
          stream: "btcusdt@markPrice@1s",
          data: {
            e: "markPriceUpdate",
            E: now,
            s: "BTCUSDT",
            p: text(mark),
            i: text(mark),
            P: text(mark),
            r: "0.0001",
            T: now,
          },
        }),
      );
  }

  private message(socket: Socket, raw: string): void {
    if (socket.data.path !== "/ws-api/v3") return;
    const request = JSON.parse(raw) as {
      id: string;
      method: string;
      params: Record<string, string>;
    };
    const { signature, ...signed } = request.params;
    const payload = Object.keys(signed)
      .sort()
      .map((name) => `${name}=${signed[name]}`)
      .join("&");
    const expected = Buffer.from(
      hmac(sha256, new TextEncoder().encode(apiSecret), new TextEncoder().encode(payload)),
    ).toString("hex");
    if (
      request.method !== "userDataStream.subscribe.signature" ||
      signature !== expected ||
      signed["apiKey"] !== apiKey
    ) {
      socket.send(
        JSON.stringify({
          id: request.id,
          status: 400,
          error: { code: -1022, msg: "Signature for this request is not valid." },
        }),
      );
      return;
    }
    this.userSockets.add(socket);
    socket.send(JSON.stringify({ id: request.id, status: 200, result: { subscriptionId: 0 } }));
  }

  private pushSpot(order: FakeOrder, execution: string, trade: Trade | null): void {
    const event = {
      e: "executionReport",
      E: Date.now(),
      s: order.symbol,
      c: order.clientOrderId,
      S: order.side,
      o: order.type,
      f: order.timeInForce,
      q: order.origQty,
      p: order.price,
      P: "0",
      g: order.orderListId,
      C: "",
      x: execution,
      X: order.status,
      r: "NONE",
      i: order.orderId,
      l: trade === null ? "0" : text(trade.qty),
      z: order.executedQty,
      L: trade === null ? "0" : text(trade.price),
      n: trade === null ? "0" : text(mul(trade.qty, fee)),
      N: trade === null ? null : "BTC",
      T: order.updateTime,
      t: trade?.id ?? -1,
      m: false,
      Z: trade === null ? "0" : text(mul(trade.qty, trade.price)),
    };
    for (const socket of this.userSockets)
      socket.send(JSON.stringify({ subscriptionId: 0, event }));
  }

  private pushFutures(order: FakeOrder, execution: string, trade: Trade | null): void {
    const event = {
      e: "ORDER_TRADE_UPDATE",
      E: Date.now(),
      T: order.updateTime,
      o: {
        s: order.symbol,
        c: order.clientOrderId,
        S: order.side,
        o: order.type,
        f: order.timeInForce,
        q: order.origQty,
        p: order.price,
        ap: trade === null ? "0" : text(trade.price),
        sp: "0",
        x: execution,
        X: order.status,
        i: order.orderId,
        l: trade === null ? "0" : text(trade.qty),
        z: order.executedQty,
        L: trade === null ? "0" : text(trade.price),
        n: trade === null ? "0" : text(mul(trade.qty, fee)),
        N: "USDT",
        T: order.updateTime,
        t: trade?.id ?? 0,
        m: false,
        R: order["reduceOnly"] === true,
      },
    };
    for (const socket of this.futuresSockets) socket.send(JSON.stringify(event));
  }
}

function wire(order: FakeOrder): Json {
  const { market: _market, ...fields } = order;
  return { ...fields, cummulativeQuoteQty: "0", workingTime: order.updateTime };
}
