// The end-to-end suite for BinanceExchangeGateway against any Binance-protocol server, over real
// HTTP and WebSocket through the one baseUrl override: the simulator server, or the fake used
// until it exists. What the server must implement is what this suite exercises.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  ceilToStep,
  countSteps,
  type Decimal,
  dec,
  div,
  floorToStep,
  fromSteps,
  max,
  mul,
  sum,
} from "../../../domain/decimal/index.ts";
import type { SymbolRules } from "../../../domain/instrument/index.ts";
import type { ExchangeEvent, ExchangeOrder } from "../../../ports/exchange-gateway.ts";
import { BinanceExchangeGateway } from "../../../adapters/binance/binance-exchange-gateway.ts";
import { SeededRng } from "../../../adapters/clock/seeded-rng.ts";
import { SystemClock } from "../../../adapters/clock/system-clock.ts";
import type { SimulatorServer } from "./sim-server.ts";

export type StartServer = () => Promise<SimulatorServer>;

const testTimeoutMs = 30_000;
let server: SimulatorServer | undefined;
let venue: BinanceExchangeGateway;
const events: ExchangeEvent[] = [];
const rules = new Map<string, SymbolRules>();

async function until(condition: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

function rule(key: string): SymbolRules {
  const found = rules.get(key);
  if (found === undefined) throw new Error(`no rules for ${key}`);
  return found;
}

const filledBy = (order: ExchangeOrder): Decimal => sum(order.fills.map((fill) => fill.qty));

/** The smallest lot whose notional at `price` reaches `notional`, on the symbol's grid. */
function lotFor(symbolRules: SymbolRules, notional: Decimal, price: Decimal): Decimal {
  const raw = div(notional, price, 12, "ceil");
  const qty = fromSteps(countSteps(raw, symbolRules.lot.step, "ceil"), symbolRules.lot.step);
  return max(qty, symbolRules.lot.min);
}

export function runGatewayIntegration(name: string, startServer: StartServer, skipReason?: string) {
  const suite = skipReason === undefined ? describe : describe.skip;
  const title = skipReason === undefined ? name : `${name} (skipped: ${skipReason})`;
  suite(title, () => defineTests(startServer));
}

function defineTests(startServer: StartServer): void {
  beforeAll(async () => {
    server = await startServer();
    venue = new BinanceExchangeGateway({
      apiKey: server.apiKey,
      apiSecret: server.apiSecret,
      baseUrl: server.baseUrl,
      recvWindowMs: 5_000,
      clock: new SystemClock(),
      rng: new SeededRng(7),
      logger: { info() {}, warn() {}, error() {} },
      symbols: ["BTCUSDT", "ETHUSDT"],
      marketStreams: { spot: ["BTCUSDT"], futures: ["BTCUSDT"] },
      requestTimeoutMs: 5_000,
    });
    venue.onEvent((event) => events.push(event));
    const started = await venue.start();
    expect(started.ok).toBe(true);
    await until(() => venue.connectivity().userStreamConnected);
    const loaded = await venue.symbolRules();
    if (!loaded.ok) throw new Error(loaded.error.message);
    for (const symbolRules of loaded.value)
      rules.set(`${symbolRules.market}:${symbolRules.symbol}`, symbolRules);
  }, testTimeoutMs);

  afterAll(async () => {
    await venue?.stop();
    await server?.stop();
    events.length = 0;
    rules.clear();
  });

  test("rules from exchangeInfo: spot and futures BTCUSDT", () => {
    expect(rule("SPOT:BTCUSDT").price.tick).toEqual(dec("0.01"));
    expect(rule("FUT:BTCUSDT").price.tick).toEqual(dec("0.1"));
    expect(rule("FUT:BTCUSDT").notional?.waivedForReduceOnly).toBe(true);
  });

  test(
    "book tops and market streams",
    async () => {
      const spot = await venue.bookTop("SPOT", "BTCUSDT");
      const futures = await venue.bookTop("FUT", "BTCUSDT");
      expect(spot.ok && spot.value.bid.units > 0n && spot.value.bids.length > 0).toBe(true);
      expect(futures.ok && futures.value.markPrice !== null).toBe(true);
      await until(() => events.some((event) => event.kind === "BOOK_TOP"));
      await until(() => events.some((event) => event.kind === "MARK_PRICE"));
    },
    testTimeoutMs,
  );

  test(
    "spot resting LIMIT: placed, seen on the stream, queried, listed, cancelled once",
    async () => {
      const book = await venue.bookTop("SPOT", "BTCUSDT");
      if (!book.ok) throw new Error(book.error.message);
      const symbolRules = rule("SPOT:BTCUSDT");
      const price = floorToStep(mul(book.value.bid, dec("0.9")), symbolRules.price.tick);
      const qty = lotFor(symbolRules, dec("20"), price);
      const ref = { market: "SPOT" as const, symbol: "BTCUSDT", clientOrderId: "it-spot-limit-1" };
      const placed = await venue.placeOrder({
        ...ref,
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        qty,
        price,
        stopPrice: null,
        reduceOnly: false,
      });
      expect(placed.ok && placed.value.status).toBe("NEW");
      await until(() =>
        events.some(
          (event) =>
            event.kind === "ORDER_UPDATE" && event.order.clientOrderId === ref.clientOrderId,
        ),
      );
      expect((await venue.queryOrder(ref)).ok).toBe(true);
      const open = await venue.openOrders("SPOT", "BTCUSDT");
      expect(open.ok && open.value.some((order) => order.clientOrderId === ref.clientOrderId)).toBe(
        true,
      );
      const canceled = await venue.cancelOrder(ref);
      expect(canceled.ok && canceled.value.status).toBe("CANCELED");
      const again = await venue.cancelOrder(ref);
      expect(!again.ok && again.error.kind).toBe("UNKNOWN_ORDER");
    },
    testTimeoutMs,
  );

  test(
    "spot post-only that would take is refused",
    async () => {
      const book = await venue.bookTop("SPOT", "BTCUSDT");
      if (!book.ok) throw new Error(book.error.message);
      const qty = lotFor(rule("SPOT:BTCUSDT"), dec("20"), book.value.ask);
      const result = await venue.placeOrder({
        market: "SPOT",
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT_MAKER",
        timeInForce: null,
        qty,
        price: book.value.ask,
        stopPrice: null,
        clientOrderId: "it-spot-maker-1",
        reduceOnly: false,
      });
      expect(!result.ok && result.error.kind).toBe("POST_ONLY_REJECTED");
    },
    testTimeoutMs,
  );

  test(
    "spot MARKET fills completely, with trade ids, also pushed on the stream",
    async () => {
      const book = await venue.bookTop("SPOT", "BTCUSDT");
      if (!book.ok) throw new Error(book.error.message);
      const qty = lotFor(rule("SPOT:BTCUSDT"), dec("50"), book.value.ask);
      const placed = await venue.placeOrder({
        market: "SPOT",
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        timeInForce: null,
        qty,
        price: null,
        stopPrice: null,
        clientOrderId: "it-spot-market-1",
        reduceOnly: false,
      });
      if (!placed.ok) throw new Error(placed.error.message);
      expect(placed.value.status).toBe("FILLED");
      expect(filledBy(placed.value)).toEqual(placed.value.filledQty);
      const tradeIds = placed.value.fills.map((fill) => fill.tradeId);
      await until(() =>
        tradeIds.every((tradeId) =>
          events.some((event) => event.kind === "ORDER_UPDATE" && event.fill?.tradeId === tradeId),
        ),
      );
    },
    testTimeoutMs,
  );

  test(
    "spot OCO sell over the bought base: placed, queried, cancelled",
    async () => {
      const balances = await venue.balances("SPOT");
      if (!balances.ok) throw new Error(balances.error.message);
      const base = balances.value.find((balance) => balance.asset === "BTC");
      const symbolRules = rule("SPOT:BTCUSDT");
      const qty = floorToStep(base?.free ?? dec("0"), symbolRules.lot.step);
      const book = await venue.bookTop("SPOT", "BTCUSDT");
      if (!book.ok) throw new Error(book.error.message);
      const tick = symbolRules.price.tick;
      const ref = { symbol: "BTCUSDT", listClientOrderId: "it-oco-1" };
      const placed = await venue.placeOco({
        symbol: "BTCUSDT",
        side: "SELL",
        qty,
        listClientOrderId: ref.listClientOrderId,
        takeProfitPrice: floorToStep(mul(book.value.ask, dec("1.1")), tick),
        takeProfitClientOrderId: "it-oco-1/tp",
        stopPrice: floorToStep(mul(book.value.bid, dec("0.9")), tick),
        stopLimitPrice: floorToStep(mul(book.value.bid, dec("0.89")), tick),
        stopClientOrderId: "it-oco-1/sl",
      });
      if (!placed.ok) throw new Error(placed.error.message);
      expect(placed.value.status).toBe("EXECUTING");
      expect(placed.value.orders.length).toBe(2);
      const queried = await venue.queryOrderList(ref);
      expect(queried.ok && queried.value.orders.length).toBe(2);
      const canceled = await venue.cancelOrderList(ref);
      expect(canceled.ok && canceled.value.status).toBe("ALL_DONE");
    },
    testTimeoutMs,
  );

  test(
    "futures: settings, MARKET with fills from userTrades, position, algo stop, close",
    async () => {
      expect(
        (await venue.configureSymbol("BTCUSDT", { leverage: 5, marginType: "CROSSED" })).ok,
      ).toBe(true);
      expect(
        (await venue.configureSymbol("BTCUSDT", { leverage: 5, marginType: "CROSSED" })).ok,
      ).toBe(true);
      const symbolRules = rule("FUT:BTCUSDT");
      const book = await venue.bookTop("FUT", "BTCUSDT");
      if (!book.ok) throw new Error(book.error.message);
      const qty = lotFor(symbolRules, dec("120"), book.value.ask);
      const bought = await venue.placeOrder({
        market: "FUT",
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        timeInForce: null,
        qty,
        price: null,
        stopPrice: null,
        clientOrderId: "it-fut-market-1",
        reduceOnly: false,
      });
      if (!bought.ok) throw new Error(bought.error.message);
      expect(bought.value.status).toBe("FILLED");
      expect(filledBy(bought.value)).toEqual(bought.value.filledQty);
      const positions = await venue.positions("BTCUSDT");
      expect(positions.ok && positions.value[0]?.qty).toEqual(qty);
      const trigger = floorToStep(mul(book.value.bid, dec("0.8")), symbolRules.price.tick);
      const stop = await venue.placeConditional({
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_MARKET",
        triggerPrice: trigger,
        workingType: "MARK_PRICE",
        qty: null,
        reduceOnly: false,
        closePosition: true,
        clientAlgoId: "it-fut-sl-1",
      });
      expect(stop.ok && stop.value.status).toBe("NEW");
      const listed = await venue.openConditionals("BTCUSDT");
      expect(listed.ok && listed.value.some((order) => order.clientAlgoId === "it-fut-sl-1")).toBe(
        true,
      );
      const canceled = await venue.cancelConditional("BTCUSDT", "it-fut-sl-1");
      expect(canceled.ok && canceled.value.status).toBe("CANCELED");
      const closed = await venue.placeOrder({
        market: "FUT",
        symbol: "BTCUSDT",
        side: "SELL",
        type: "MARKET",
        timeInForce: null,
        qty,
        price: null,
        stopPrice: null,
        clientOrderId: "it-fut-close-1",
        reduceOnly: true,
      });
      expect(closed.ok && closed.value.status).toBe("FILLED");
    },
    testTimeoutMs,
  );

  test(
    "futures GTX that would take is refused",
    async () => {
      const book = await venue.bookTop("FUT", "BTCUSDT");
      if (!book.ok) throw new Error(book.error.message);
      const qty = lotFor(rule("FUT:BTCUSDT"), dec("120"), book.value.ask);
      // 1 % through the ask (inside PERCENT_PRICE): it takes even if the market moves between
      // the book read and the order, as it can on a venue running on real time.
      const through = ceilToStep(mul(book.value.ask, dec("1.01")), rule("FUT:BTCUSDT").price.tick);
      const gtx = await venue.placeOrder({
        market: "FUT",
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTX",
        qty,
        price: through,
        stopPrice: null,
        clientOrderId: "it-fut-gtx-1",
        reduceOnly: false,
      });
      expect(!gtx.ok && gtx.error.kind).toBe("POST_ONLY_REJECTED");
    },
    testTimeoutMs,
  );

  test(
    "balances and a spot → futures transfer",
    async () => {
      const spot = await venue.balances("SPOT");
      expect(spot.ok && spot.value.some((balance) => balance.asset === "USDT")).toBe(true);
      const transfer = await venue.transfer("SPOT_TO_FUT", "USDT", dec("10"));
      expect(transfer.ok && transfer.value.transferId.length > 0).toBe(true);
      const commission = await venue.commission("FUT", "BTCUSDT");
      expect(commission.ok).toBe(true);
    },
    testTimeoutMs,
  );
}
