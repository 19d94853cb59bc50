// Public market data, spot (/api/v3) and USDⓈ-M (/fapi/v1): ping, time, exchangeInfo, depth,
// book ticker, last price, 24-hour ticker, average price and premium index, in Binance's shapes.
// Spot tickers take `symbol`, `symbols` (a JSON array) or neither (every symbol).

import type { Market } from "../../../domain/instrument/index.ts";
import type { SimDepth, SimEngine } from "../engine/index.ts";
import { errors, futuresErrors } from "./api-errors.ts";
import { exchangeInfoDocument, symbolObjects } from "./exchange-info.ts";
import {
  answer,
  bySymbol,
  futuresFormat,
  type HandlerContext,
  type HandlerResult,
  invalid,
  optionalSymbol,
  refuse,
  type Route,
  symbolSpec,
  symbolsOf,
  weight,
} from "./route.ts";
import type { RequestParams } from "./request-params.ts";
import type { Json } from "./spot-views.ts";
import type { VenueState } from "./venue-state.ts";
import { futuresTicker24hr, spotTicker24hr } from "./ticker-24hr.ts";
import { fixed, spot } from "./wire-format.ts";

/** Spot depth answers at most this many levels per side; futures limits are a fixed set. */
export const spotDepthLimitMax = 5000;
export const futuresDepthLimits: readonly number[] = [5, 10, 20, 50, 100, 500, 1000];
const fundingIntervalMs = 8 * 60 * 60 * 1000;
const fundingRate = "0.00010000";

const publicRoute = (
  market: Market,
  path: string,
  cost: (params: RequestParams) => number,
  handle: (context: HandlerContext) => HandlerResult,
): Route => ({
  method: "GET",
  path,
  market,
  security: "NONE",
  kind: "MARKET_DATA",
  weight: cost,
  handle,
});

function spotDepthWeight(params: RequestParams): number {
  const limit = Number(params.get("limit") ?? "100");
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  return limit <= 1000 ? 50 : 250;
}

function futuresDepthWeight(params: RequestParams): number {
  const limit = Number(params.get("limit") ?? "500");
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  return limit <= 500 ? 10 : 20;
}

function spotExchangeInfo(context: HandlerContext): HandlerResult {
  const { read, venue, nowMs } = context;
  let names: string[] | null = null;
  const single = read.text("symbol");
  const list = read.text("symbols");
  if (single !== null) names = [single];
  if (list !== null) {
    try {
      names = (JSON.parse(list) as unknown[]).map(String);
    } catch {
      return refuse(errors.invalidParameter("symbols"));
    }
  }
  const all = symbolObjects("SPOT", venue.engine.symbolSpecs());
  if (names === null) return answer(exchangeInfoDocument("SPOT", nowMs, all));
  const chosen = names.map((name) => all.find((symbol) => symbol["symbol"] === name));
  if (chosen.some((symbol) => symbol === undefined)) return refuse(errors.invalidSymbol());
  return answer(exchangeInfoDocument("SPOT", nowMs, chosen as Json[]));
}

/** USDⓈ-M exchangeInfo ignores `symbol` (always the full list). */
function futuresExchangeInfo(context: HandlerContext): HandlerResult {
  const symbols = symbolObjects("FUT", context.venue.engine.symbolSpecs());
  return answer(exchangeInfoDocument("FUT", context.nowMs, symbols));
}

function depthOf(context: HandlerContext, market: Market, levels: number): SimDepth | null {
  const spec = symbolSpec(context, market);
  if (spec === null) return null;
  const depth = context.venue.engine.depth(market, spec.rules.symbol, levels, context.nowMs);
  return depth.ok ? depth.value : null;
}

function spotDepth(context: HandlerContext): HandlerResult {
  const limit = context.read.integer("limit") ?? 100;
  const depth = depthOf(context, "SPOT", Math.min(Math.max(limit, 1), spotDepthLimitMax));
  if (depth === null) return invalid(context.read) ?? refuse(errors.invalidSymbol());
  const side = (levels: SimDepth["bids"]) => levels.map((l) => [spot(l.price), spot(l.qty)]);
  return answer({ lastUpdateId: depth.updateId, bids: side(depth.bids), asks: side(depth.asks) });
}

function futuresDepth(context: HandlerContext): HandlerResult {
  const limitText = context.read.text("limit");
  const limit = context.read.integer("limit") ?? 500;
  if (limitText !== null && !futuresDepthLimits.includes(limit)) {
    return refuse(futuresErrors.depthLimit(limitText));
  }
  const depth = depthOf(context, "FUT", limit);
  if (depth === null) return invalid(context.read) ?? refuse(errors.invalidSymbol());
  const format = futuresFormat(context.venue, depth.symbol);
  const side = (levels: SimDepth["bids"]) =>
    levels.map((l) => [format.price(l.price), format.qty(l.qty)]);
  return answer({
    lastUpdateId: depth.updateId,
    E: depth.tsMs,
    T: depth.tsMs,
    bids: side(depth.bids),
    asks: side(depth.asks),
  });
}

/** Names from a `symbols` parameter (a JSON array of strings); null when malformed. */
function symbolList(text: string): string[] | null {
  try {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value) || value.some((name) => typeof name !== "string")) return null;
    return value as string[];
  } catch {
    return null;
  }
}

/** The symbols a ticker covers: the one asked for, the spot `symbols` list, or every one. */
function tickerSymbols(context: HandlerContext, market: Market): string[] | null {
  const { read } = context;
  const list = market === "SPOT" ? read.text("symbols") : null;
  if (list !== null) {
    if (read.params.has("symbol")) return read.fail(errors.badCombination());
    const names = symbolList(list);
    if (names === null || names.length === 0) return read.fail(errors.invalidParameter("symbols"));
    const unknown = names.some((name) => context.venue.engine.spec(market, name) === null);
    return unknown ? read.fail(errors.invalidSymbol()) : names;
  }
  const single = optionalSymbol(context, market);
  if (read.failure !== null) return null;
  if (single !== null) return [single];
  return symbolsOf(context, market);
}

/** One object when `symbol` was sent, an array otherwise (Binance's rule for every ticker). */
function oneOrAll(context: HandlerContext, rows: Json[]): HandlerResult {
  return answer(context.read.params.has("symbol") ? rows[0] : rows);
}

function bookTicker(market: Market) {
  return (context: HandlerContext): HandlerResult => {
    const symbols = tickerSymbols(context, market);
    if (symbols === null) return invalid(context.read)!;
    const rows = symbols.map((symbol) =>
      bookTickerRow(context.venue, market, symbol, context.nowMs),
    );
    return oneOrAll(context, rows);
  };
}

export function bookTickerRow(venue: VenueState, market: Market, symbol: string, nowMs: number) {
  const depth = venue.engine.depth(market, symbol, 1, nowMs);
  if (!depth.ok) throw new Error(`Condition failed: no book for ${market} ${symbol}`);
  const bid = depth.value.bids[0];
  const ask = depth.value.asks[0];
  if (market === "SPOT") {
    return {
      symbol,
      bidPrice: spot(bid?.price ?? null),
      bidQty: spot(bid?.qty ?? null),
      askPrice: spot(ask?.price ?? null),
      askQty: spot(ask?.qty ?? null),
    };
  }
  const format = futuresFormat(venue, symbol);
  return {
    symbol,
    bidPrice: format.price(bid?.price ?? null),
    bidQty: format.qty(bid?.qty ?? null),
    askPrice: format.price(ask?.price ?? null),
    askQty: format.qty(ask?.qty ?? null),
    time: depth.value.tsMs,
    lastUpdateId: depth.value.updateId,
  };
}

function lastPrice(engine: SimEngine, market: Market, symbol: string, nowMs: number) {
  const top = engine.bookTop(market, symbol, nowMs);
  if (!top.ok) throw new Error(`Condition failed: no book for ${market} ${symbol}`);
  return top.value;
}

function tickerPrice(market: Market) {
  return (context: HandlerContext): HandlerResult => {
    const symbols = tickerSymbols(context, market);
    if (symbols === null) return invalid(context.read)!;
    const rows = symbols.map((symbol) => {
      const top = lastPrice(context.venue.engine, market, symbol, context.nowMs);
      if (market === "SPOT") return { symbol, price: spot(top.lastPrice) };
      const format = futuresFormat(context.venue, symbol);
      return { symbol, price: format.price(top.lastPrice), time: top.tsMs };
    });
    return oneOrAll(context, rows);
  };
}

function ticker24hr(market: Market) {
  return (context: HandlerContext): HandlerResult => {
    const symbols = tickerSymbols(context, market);
    const invalidType = () => errors.invalidParameter("type");
    const type = context.read.oneOf("type", ["FULL", "MINI"] as const, invalidType, false);
    if (symbols === null || context.read.failure !== null) return invalid(context.read)!;
    const { venue, nowMs } = context;
    const rows = symbols.map((symbol) => {
      const stats = venue.stats.window(market, symbol, nowMs);
      const top = lastPrice(venue.engine, market, symbol, nowMs);
      return market === "SPOT"
        ? spotTicker24hr(symbol, stats, top, type ?? "FULL")
        : futuresTicker24hr(symbol, stats, top, futuresFormat(venue, symbol));
    });
    return oneOrAll(context, rows);
  };
}

function avgPrice(context: HandlerContext): HandlerResult {
  const spec = symbolSpec(context, "SPOT");
  if (spec === null) return invalid(context.read)!;
  const top = lastPrice(context.venue.engine, "SPOT", spec.rules.symbol, context.nowMs);
  return answer({ mins: 5, price: spot(top.lastPrice), closeTime: top.tsMs });
}

export function nextFundingTime(nowMs: number): number {
  return (Math.floor(nowMs / fundingIntervalMs) + 1) * fundingIntervalMs;
}

function premiumIndex(context: HandlerContext): HandlerResult {
  const symbols = tickerSymbols(context, "FUT");
  if (symbols === null) return invalid(context.read)!;
  const rows = symbols.map((symbol) => {
    const mark = context.venue.engine.markPrice(symbol, context.nowMs);
    if (!mark.ok) throw new Error(`Condition failed: no mark price for ${symbol}`);
    return {
      symbol,
      markPrice: fixed(mark.value.markPrice, 8),
      indexPrice: fixed(mark.value.indexPrice, 8),
      estimatedSettlePrice: fixed(mark.value.markPrice, 8),
      lastFundingRate: fundingRate,
      interestRate: "0.00010000",
      nextFundingTime: nextFundingTime(context.nowMs),
      time: mark.value.tsMs,
    };
  });
  return oneOrAll(context, rows);
}

/** Spot 24-hour ticker: 2 for one symbol or up to 20 listed, 40 up to 100, else 80. */
function spotTicker24hrWeight(params: RequestParams): number {
  if (params.has("symbol")) return 2;
  const list = params.get("symbols");
  const count = list === null ? Number.POSITIVE_INFINITY : (symbolList(list)?.length ?? 1);
  if (count <= 20) return 2;
  return count <= 100 ? 40 : 80;
}

export const marketDataRoutes: readonly Route[] = [
  publicRoute("SPOT", "/api/v3/ping", weight(1), () => answer({})),
  publicRoute("SPOT", "/api/v3/time", weight(1), (c) => answer({ serverTime: c.nowMs })),
  publicRoute("SPOT", "/api/v3/exchangeInfo", weight(20), spotExchangeInfo),
  publicRoute("SPOT", "/api/v3/depth", spotDepthWeight, spotDepth),
  publicRoute("SPOT", "/api/v3/ticker/bookTicker", bySymbol(2, 4), bookTicker("SPOT")),
  publicRoute("SPOT", "/api/v3/ticker/price", bySymbol(2, 4), tickerPrice("SPOT")),
  publicRoute("SPOT", "/api/v3/ticker/24hr", spotTicker24hrWeight, ticker24hr("SPOT")),
  publicRoute("SPOT", "/api/v3/avgPrice", weight(2), avgPrice),
  publicRoute("FUT", "/fapi/v1/ping", weight(1), () => answer({})),
  publicRoute("FUT", "/fapi/v1/time", weight(1), (c) => answer({ serverTime: c.nowMs })),
  publicRoute("FUT", "/fapi/v1/exchangeInfo", weight(1), futuresExchangeInfo),
  publicRoute("FUT", "/fapi/v1/depth", futuresDepthWeight, futuresDepth),
  publicRoute("FUT", "/fapi/v1/ticker/bookTicker", bySymbol(2, 5), bookTicker("FUT")),
  publicRoute("FUT", "/fapi/v1/ticker/price", bySymbol(1, 2), tickerPrice("FUT")),
  publicRoute("FUT", "/fapi/v2/ticker/price", bySymbol(1, 2), tickerPrice("FUT")),
  publicRoute("FUT", "/fapi/v1/ticker/24hr", bySymbol(1, 40), ticker24hr("FUT")),
  publicRoute("FUT", "/fapi/v1/premiumIndex", bySymbol(1, 10), premiumIndex),
];
