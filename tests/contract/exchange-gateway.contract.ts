// The ExchangeGateway contract: what every venue adapter answers, checked against the default
// simulated account (spot 100,000 USDT + 1 BTC + 20 ETH, futures 100,000 USDT) in a calm market.
// A driver moves venue time and prices, so the suite runs in-process and over the wire alike.

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  add,
  type Decimal,
  dec,
  div,
  eq,
  gt,
  gte,
  isPositive,
  isZero,
  lt,
  lte,
  mul,
  normalize,
  roundToStep,
  sub,
  sum,
  zero,
} from "../../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../../domain/instrument/index.ts";
import type {
  BookSnapshot,
  ExchangeEvent,
  ExchangeGateway,
  ExchangeOrder,
  ExchangeResult,
  PlaceOrderRequest,
} from "../../ports/exchange-gateway.ts";

export interface ExchangeGatewayDriver {
  /** Moves venue time (and with it the market) forward. */
  advanceMs(ms: number): Promise<void>;
  /** Moves a symbol's price (spot and futures) to about `price` at once. */
  setMid(symbol: string, price: Decimal): Promise<void>;
}

export interface ExchangeGatewaySubject {
  readonly gateway: ExchangeGateway;
  readonly driver: ExchangeGatewayDriver;
  close(): Promise<void>;
}

function value<T>(result: ExchangeResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

function errorKind<T>(result: ExchangeResult<T>): string {
  if (result.ok) throw new Error("expected an error, got ok");
  return result.error.kind;
}

let idCounter = 0;
function clientId(tag: string): string {
  idCounter += 1;
  return `ct-${tag}-${idCounter}`;
}

function order(
  overrides: Partial<PlaceOrderRequest> & Pick<PlaceOrderRequest, "market" | "side" | "qty">,
): PlaceOrderRequest {
  return {
    symbol: "BTCUSDT",
    type: "MARKET",
    timeInForce: null,
    price: null,
    stopPrice: null,
    clientOrderId: clientId("o"),
    reduceOnly: false,
    ...overrides,
  };
}

function tickOf(rules: readonly SymbolRules[], market: Market): Decimal {
  const rule = rules.find((r) => r.market === market && r.symbol === "BTCUSDT");
  if (rule === undefined) throw new Error("BTCUSDT rules missing");
  return rule.price.tick;
}

/** `price × factor` on the tick grid, rounded down. */
function scaled(price: Decimal, factor: string, tick: Decimal): Decimal {
  return roundToStep(mul(price, dec(factor)), tick, "floor");
}

function fillsQty(placed: ExchangeOrder): Decimal {
  return normalize(sum(placed.fills.map((fill) => fill.qty)));
}

export function runExchangeGatewayContract(
  name: string,
  makeSubject: () => Promise<ExchangeGatewaySubject>,
): void {
  describe(`ExchangeGateway contract: ${name}`, () => {
    let subject: ExchangeGatewaySubject;
    let gateway: ExchangeGateway;
    let driver: ExchangeGatewayDriver;
    let events: ExchangeEvent[];
    let rules: readonly SymbolRules[];

    const top = async (market: Market): Promise<BookSnapshot> =>
      value(await gateway.bookTop(market, "BTCUSDT"));

    beforeEach(async () => {
      subject = await makeSubject();
      gateway = subject.gateway;
      driver = subject.driver;
      events = [];
      gateway.onEvent((event) => events.push(event));
      value(await gateway.start());
      rules = value(await gateway.symbolRules());
    });
    afterEach(async () => {
      await gateway.stop();
      await subject.close();
    });

    test("start is idempotent and the user stream is connected", async () => {
      value(await gateway.start());
      expect(gateway.connectivity()).toEqual({ restReachable: true, userStreamConnected: true });
      expect(gateway.name.length).toBeGreaterThan(0);
    });

    test("symbol rules cover spot and futures BTCUSDT and ETHUSDT", () => {
      for (const market of ["SPOT", "FUT"] as const) {
        for (const symbol of ["BTCUSDT", "ETHUSDT"]) {
          const rule = rules.find((r) => r.market === market && r.symbol === symbol);
          expect(rule).toBeDefined();
          expect(isPositive(rule!.price.tick)).toBe(true);
          expect(isPositive(rule!.lot.step)).toBe(true);
          expect(rule!.quoteAsset).toBe("USDT");
        }
      }
    });

    test("book top: bid below ask, levels sorted best first, mark price on futures only", async () => {
      for (const market of ["SPOT", "FUT"] as const) {
        const book = await top(market);
        expect(lt(book.bid, book.ask)).toBe(true);
        expect(isPositive(book.bidQty) && isPositive(book.askQty)).toBe(true);
        expect(book.bids.length).toBeGreaterThan(0);
        expect(book.bids.length).toBeLessThanOrEqual(3);
        expect(eq(book.bids[0]!.price, book.bid)).toBe(true);
        expect(eq(book.asks[0]!.price, book.ask)).toBe(true);
        for (let i = 1; i < book.bids.length; i += 1) {
          expect(lt(book.bids[i]!.price, book.bids[i - 1]!.price)).toBe(true);
        }
        for (let i = 1; i < book.asks.length; i += 1) {
          expect(gt(book.asks[i]!.price, book.asks[i - 1]!.price)).toBe(true);
        }
        expect(book.markPrice === null).toBe(market === "SPOT");
      }
      const unknown = await gateway.bookTop("SPOT", "NOPEUSDT");
      expect(unknown.ok).toBe(false);
    });

    test("commission rates are positive fractions", async () => {
      for (const market of ["SPOT", "FUT"] as const) {
        const rates = value(await gateway.commission(market, "BTCUSDT"));
        expect(isPositive(rates.maker) && lt(rates.maker, dec("0.01"))).toBe(true);
        expect(isPositive(rates.taker) && lt(rates.taker, dec("0.01"))).toBe(true);
      }
    });

    test("spot market buy fills completely with trade ids, fees and an average price", async () => {
      const placed = value(
        await gateway.placeOrder(order({ market: "SPOT", side: "BUY", qty: dec("0.01") })),
      );
      expect(placed.status).toBe("FILLED");
      expect(eq(placed.filledQty, dec("0.01"))).toBe(true);
      expect(eq(fillsQty(placed), placed.filledQty)).toBe(true);
      expect(placed.avgPrice).not.toBeNull();
      expect(new Set(placed.fills.map((fill) => fill.tradeId)).size).toBe(placed.fills.length);
      for (const fill of placed.fills) {
        expect(fill.liquidity).toBe("TAKER");
        expect(fill.feeAsset).toBe("BTC");
        expect(isPositive(fill.fee)).toBe(true);
      }
      const tradeIds = events.flatMap((e) =>
        e.kind === "ORDER_UPDATE" && e.fill !== null ? [e.fill.tradeId] : [],
      );
      for (const fill of placed.fills) expect(tradeIds).toContain(fill.tradeId);
    });

    test("a market order's average price lies within its fills' price range", async () => {
      const placed = value(
        await gateway.placeOrder(order({ market: "FUT", side: "SELL", qty: dec("0.05") })),
      );
      expect(placed.status).toBe("FILLED");
      const prices = placed.fills.map((fill) => fill.price);
      const low = prices.reduce((a, b) => (lt(a, b) ? a : b));
      const high = prices.reduce((a, b) => (gt(a, b) ? a : b));
      expect(gte(placed.avgPrice!, low) && lte(placed.avgPrice!, high)).toBe(true);
      const quote = sum(placed.fills.map((fill) => mul(fill.price, fill.qty)));
      const vwap = div(quote, placed.filledQty, 8, "half_up");
      expect(lte(sub(vwap, placed.avgPrice!), dec("0.00000001"))).toBe(true);
    });

    test("resting limit: open, queried, listed, cancelled once, then unknown", async () => {
      const book = await top("SPOT");
      const price = scaled(book.bid, "0.98", tickOf(rules, "SPOT"));
      const request = order({
        market: "SPOT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        qty: dec("0.001"),
        price,
      });
      const placed = value(await gateway.placeOrder(request));
      expect(placed.status).toBe("NEW");
      expect(isZero(placed.filledQty)).toBe(true);
      expect(placed.exchangeOrderId.length).toBeGreaterThan(0);
      const ref = {
        market: "SPOT" as const,
        symbol: "BTCUSDT",
        clientOrderId: request.clientOrderId,
      };
      expect(value(await gateway.queryOrder(ref)).status).toBe("NEW");
      const open = value(await gateway.openOrders("SPOT", "BTCUSDT"));
      expect(open.map((o) => o.clientOrderId)).toContain(request.clientOrderId);
      const duplicate = await gateway.placeOrder({ ...request });
      expect(errorKind(duplicate)).toBe("DUPLICATE_ORDER");
      const canceled = value(await gateway.cancelOrder(ref));
      expect(canceled.status).toBe("CANCELED");
      expect(isZero(canceled.filledQty)).toBe(true);
      expect(errorKind(await gateway.cancelOrder(ref))).toBe("UNKNOWN_ORDER");
      expect(value(await gateway.queryOrder(ref)).status).toBe("CANCELED");
      const after = value(await gateway.openOrders("SPOT"));
      expect(after.map((o) => o.clientOrderId)).not.toContain(request.clientOrderId);
      const reused = value(await gateway.placeOrder({ ...request }));
      expect(reused.status).toBe("NEW");
      value(await gateway.cancelOrder(ref));
    });

    test("unknown orders are UNKNOWN_ORDER on cancel and query", async () => {
      const ref = { market: "FUT" as const, symbol: "BTCUSDT", clientOrderId: clientId("none") };
      expect(errorKind(await gateway.cancelOrder(ref))).toBe("UNKNOWN_ORDER");
      expect(errorKind(await gateway.queryOrder(ref))).toBe("UNKNOWN_ORDER");
    });

    test("a resting limit fills as a maker at its price when the market trades through it", async () => {
      const book = await top("FUT");
      const price = scaled(book.bid, "0.99", tickOf(rules, "FUT"));
      const request = order({
        market: "FUT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        qty: dec("0.002"),
        price,
      });
      expect(value(await gateway.placeOrder(request)).status).toBe("NEW");
      await driver.setMid("BTCUSDT", mul(price, dec("0.995")));
      await driver.advanceMs(1_000);
      const ref = {
        market: "FUT" as const,
        symbol: "BTCUSDT",
        clientOrderId: request.clientOrderId,
      };
      const filled = value(await gateway.queryOrder(ref));
      expect(filled.status).toBe("FILLED");
      expect(filled.fills.every((fill) => fill.liquidity === "MAKER")).toBe(true);
      expect(filled.fills.every((fill) => eq(fill.price, price))).toBe(true);
      expect(eq(fillsQty(filled), dec("0.002"))).toBe(true);
      expect(filled.fills.every((fill) => fill.feeAsset === "USDT")).toBe(true);
    });

    test("filters name the failing filter", async () => {
      const book = await top("SPOT");
      const offStep = await gateway.placeOrder(
        order({ market: "SPOT", side: "BUY", qty: dec("0.000015") }),
      );
      expect(offStep.ok ? "" : (offStep.error as { filter?: string }).filter).toBe("LOT_SIZE");
      const offTick = await gateway.placeOrder(
        order({
          market: "SPOT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTC",
          qty: dec("0.001"),
          price: add(scaled(book.bid, "0.99", dec("0.01")), dec("0.001")),
        }),
      );
      expect(offTick.ok ? "" : (offTick.error as { filter?: string }).filter).toBe("PRICE_FILTER");
      const small = await gateway.placeOrder(
        order({
          market: "SPOT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTC",
          qty: dec("0.00001"),
          price: scaled(book.bid, "0.99", dec("0.01")),
        }),
      );
      expect(errorKind(small)).toBe("FILTER_REJECTED");
      expect((small as { error: { filter: string } }).error.filter).toMatch(/NOTIONAL/);
      const futuresSmall = await gateway.placeOrder(
        order({ market: "FUT", side: "BUY", qty: dec("0.0001") }),
      );
      expect(errorKind(futuresSmall)).toBe("FILTER_REJECTED");
    });

    test("post-only orders that would take are rejected, spot and futures", async () => {
      const spot = await top("SPOT");
      const maker = await gateway.placeOrder(
        order({
          market: "SPOT",
          side: "BUY",
          type: "LIMIT_MAKER",
          qty: dec("0.001"),
          price: spot.ask,
        }),
      );
      expect(errorKind(maker)).toBe("POST_ONLY_REJECTED");
      const fut = await top("FUT");
      const gtx = await gateway.placeOrder(
        order({
          market: "FUT",
          side: "SELL",
          type: "LIMIT",
          timeInForce: "GTX",
          qty: dec("0.002"),
          price: fut.bid,
        }),
      );
      expect(errorKind(gtx)).toBe("POST_ONLY_REJECTED");
    });

    test("a spot buy beyond the free balance is INSUFFICIENT_BALANCE", async () => {
      const book = await top("SPOT");
      const result = await gateway.placeOrder(
        order({
          market: "SPOT",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTC",
          qty: dec("5"),
          price: scaled(book.bid, "0.99", dec("0.01")),
        }),
      );
      expect(errorKind(result)).toBe("INSUFFICIENT_BALANCE");
    });

    test("futures: configure twice, open, see the position, reduce-only close", async () => {
      const settings = { leverage: 20, marginType: "ISOLATED" as const };
      value(await gateway.configureSymbol("BTCUSDT", settings));
      value(await gateway.configureSymbol("BTCUSDT", settings));
      const noPosition = await gateway.placeOrder(
        order({ market: "FUT", side: "SELL", qty: dec("0.01"), reduceOnly: true }),
      );
      expect(errorKind(noPosition)).toBe("REDUCE_ONLY_REJECTED");
      value(await gateway.placeOrder(order({ market: "FUT", side: "BUY", qty: dec("0.01") })));
      const positions = value(await gateway.positions("BTCUSDT"));
      expect(positions).toHaveLength(1);
      expect(eq(positions[0]!.qty, dec("0.01"))).toBe(true);
      expect(positions[0]!.leverage).toBe(20);
      expect(positions[0]!.marginType).toBe("ISOLATED");
      expect(isPositive(positions[0]!.entryPrice)).toBe(true);
      const closed = value(
        await gateway.placeOrder(
          order({ market: "FUT", side: "SELL", qty: dec("0.01"), reduceOnly: true }),
        ),
      );
      expect(closed.status).toBe("FILLED");
      const after = value(await gateway.positions("BTCUSDT"));
      expect(after.every((p) => isZero(p.qty))).toBe(true);
    });

    test("conditional orders: placed, listed, queried, cancelled once", async () => {
      value(await gateway.placeOrder(order({ market: "FUT", side: "BUY", qty: dec("0.01") })));
      const fut = await top("FUT");
      const tick = tickOf(rules, "FUT");
      const request = {
        symbol: "BTCUSDT",
        side: "SELL" as const,
        type: "STOP_MARKET" as const,
        triggerPrice: scaled(fut.bid, "0.97", tick),
        workingType: "MARK_PRICE" as const,
        qty: dec("0.01"),
        reduceOnly: true,
        closePosition: false,
        clientAlgoId: clientId("sl"),
      };
      const placed = value(await gateway.placeConditional(request));
      expect(placed.status).toBe("NEW");
      expect(placed.triggeredOrderId).toBeNull();
      const open = value(await gateway.openConditionals("BTCUSDT"));
      expect(open.map((o) => o.clientAlgoId)).toContain(request.clientAlgoId);
      expect(value(await gateway.queryConditional("BTCUSDT", request.clientAlgoId)).status).toBe(
        "NEW",
      );
      const duplicate = await gateway.placeConditional(request);
      expect(errorKind(duplicate)).toBe("DUPLICATE_ORDER");
      const canceled = value(await gateway.cancelConditional("BTCUSDT", request.clientAlgoId));
      expect(canceled.status).toBe("CANCELED");
      const again = await gateway.cancelConditional("BTCUSDT", request.clientAlgoId);
      expect(errorKind(again)).toBe("UNKNOWN_ORDER");
      const unknown = await gateway.queryConditional("BTCUSDT", clientId("none"));
      expect(errorKind(unknown)).toBe("UNKNOWN_ORDER");
      const wrongSide = await gateway.placeConditional({
        ...request,
        clientAlgoId: clientId("sl"),
        triggerPrice: scaled(fut.ask, "1.02", tick),
      });
      expect(errorKind(wrongSide)).toBe("WOULD_TRIGGER_IMMEDIATELY");
    });

    test("a stop-market closes the position when the price falls through its trigger", async () => {
      value(await gateway.placeOrder(order({ market: "FUT", side: "BUY", qty: dec("0.01") })));
      const fut = await top("FUT");
      const trigger = scaled(fut.bid, "0.98", tickOf(rules, "FUT"));
      const request = {
        symbol: "BTCUSDT",
        side: "SELL" as const,
        type: "STOP_MARKET" as const,
        triggerPrice: trigger,
        workingType: "CONTRACT_PRICE" as const,
        qty: null,
        reduceOnly: false,
        closePosition: true,
        clientAlgoId: clientId("sl"),
      };
      value(await gateway.placeConditional(request));
      await driver.setMid("BTCUSDT", mul(trigger, dec("0.99")));
      await driver.advanceMs(1_000);
      const done = value(await gateway.queryConditional("BTCUSDT", request.clientAlgoId));
      expect(done.status).toBe("FINISHED");
      expect(done.triggeredOrderId).not.toBeNull();
      expect(eq(done.filledQty, dec("0.01"))).toBe(true);
      const after = value(await gateway.positions("BTCUSDT"));
      expect(after.every((p) => isZero(p.qty))).toBe(true);
      const statuses = events.flatMap((e) =>
        e.kind === "CONDITIONAL_UPDATE" && e.order.clientAlgoId === request.clientAlgoId
          ? [e.order.status]
          : [],
      );
      expect(statuses[0]).toBe("NEW");
      expect(statuses.at(-1)).toBe("FINISHED");
    });

    test("spot OCO: placed with both legs, queried, cancelled as a list", async () => {
      const spot = await top("SPOT");
      const tick = tickOf(rules, "SPOT");
      const request = {
        symbol: "BTCUSDT",
        side: "SELL" as const,
        qty: dec("0.01"),
        listClientOrderId: clientId("oco"),
        takeProfitPrice: scaled(spot.ask, "1.02", tick),
        takeProfitClientOrderId: clientId("tp"),
        stopPrice: scaled(spot.bid, "0.98", tick),
        stopLimitPrice: scaled(spot.bid, "0.97", tick),
        stopClientOrderId: clientId("sl"),
      };
      const list = value(await gateway.placeOco(request));
      expect(list.status).toBe("EXECUTING");
      expect(list.orders).toHaveLength(2);
      expect(list.orders.every((o) => o.orderListId === list.orderListId)).toBe(true);
      const ref = { symbol: "BTCUSDT", listClientOrderId: request.listClientOrderId };
      expect(value(await gateway.queryOrderList(ref)).status).toBe("EXECUTING");
      const canceled = value(await gateway.cancelOrderList(ref));
      expect(canceled.status).toBe("ALL_DONE");
      expect(canceled.orders.every((o) => o.status === "CANCELED")).toBe(true);
      expect(errorKind(await gateway.cancelOrderList(ref))).toBe("UNKNOWN_ORDER");
      const badPrices = await gateway.placeOco({
        ...request,
        listClientOrderId: clientId("oco"),
        takeProfitPrice: scaled(spot.bid, "0.99", tick),
      });
      expect(badPrices.ok).toBe(false);
    });

    test("spot OCO: the take-profit filling ends the stop leg", async () => {
      const spot = await top("SPOT");
      const tick = tickOf(rules, "SPOT");
      const request = {
        symbol: "BTCUSDT",
        side: "SELL" as const,
        qty: dec("0.01"),
        listClientOrderId: clientId("oco"),
        takeProfitPrice: scaled(spot.ask, "1.01", tick),
        takeProfitClientOrderId: clientId("tp"),
        stopPrice: scaled(spot.bid, "0.98", tick),
        stopLimitPrice: scaled(spot.bid, "0.97", tick),
        stopClientOrderId: clientId("sl"),
      };
      value(await gateway.placeOco(request));
      await driver.setMid("BTCUSDT", mul(request.takeProfitPrice, dec("1.005")));
      await driver.advanceMs(1_000);
      const list = value(
        await gateway.queryOrderList({
          symbol: "BTCUSDT",
          listClientOrderId: request.listClientOrderId,
        }),
      );
      expect(list.status).toBe("ALL_DONE");
      const tp = list.orders.find((o) => o.clientOrderId === request.takeProfitClientOrderId)!;
      const sl = list.orders.find((o) => o.clientOrderId === request.stopClientOrderId)!;
      expect(tp.status).toBe("FILLED");
      expect(["EXPIRED", "CANCELED"]).toContain(sl.status);
      expect(isZero(sl.filledQty)).toBe(true);
    });

    test("balances and transfers between spot and futures", async () => {
      const spot = value(await gateway.balances("SPOT"));
      const usdt = spot.find((b) => b.asset === "USDT")!;
      expect(spot.map((b) => b.asset)).toEqual(expect.arrayContaining(["USDT", "BTC"]));
      const fut = value(await gateway.balances("FUT"));
      const futUsdt = fut.find((b) => b.asset === "USDT")!;
      const moved = value(await gateway.transfer("SPOT_TO_FUT", "USDT", dec("100")));
      expect(moved.transferId.length).toBeGreaterThan(0);
      const spotAfter = value(await gateway.balances("SPOT")).find((b) => b.asset === "USDT")!;
      const futAfter = value(await gateway.balances("FUT")).find((b) => b.asset === "USDT")!;
      expect(eq(sub(usdt.free, spotAfter.free), dec("100"))).toBe(true);
      expect(eq(sub(futAfter.free, futUsdt.free), dec("100"))).toBe(true);
      value(await gateway.transfer("FUT_TO_SPOT", "USDT", dec("100")));
      const tooMuch = await gateway.transfer("SPOT_TO_FUT", "USDT", dec("100000000"));
      expect(errorKind(tooMuch)).toBe("INSUFFICIENT_BALANCE");
      expect(gt(usdt.free, zero)).toBe(true);
    });

    test("time moves the market and the feed reports it", async () => {
      const before = events.filter((e) => e.kind === "BOOK_TOP").length;
      await driver.advanceMs(5_000);
      value(await gateway.bookTop("FUT", "BTCUSDT"));
      const books = events.filter((e) => e.kind === "BOOK_TOP").length;
      expect(books).toBeGreaterThan(before);
      expect(events.some((e) => e.kind === "MARK_PRICE")).toBe(true);
    });
  });
}
