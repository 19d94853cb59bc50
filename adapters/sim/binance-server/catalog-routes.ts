// Catalogue endpoints a generic Binance client reads while it loads markets and currencies, so
// that start-up works against the simulator unchanged: the wallet's coin list (GET
// /sapi/v1/capital/config/getall, every spot asset with its balance; no deposit or withdrawal
// networks), the margin pair lists (empty: the simulator has no margin trading), the COIN-M
// exchangeInfo (no symbols: the simulator has no COIN-M products), the system status (always
// normal) and the spot trade fees (the venue's commission).

import { formatDecimal, normalize } from "../../../domain/decimal/index.ts";
import { rateLimitsOf } from "./exchange-info.ts";
import {
  answer,
  type HandlerContext,
  type HandlerResult,
  invalid,
  optionalSymbol,
  type Route,
  symbolsOf,
  weight,
} from "./route.ts";
import type { Json } from "./spot-views.ts";
import { spot } from "./wire-format.ts";

const coinNames: Readonly<Record<string, string>> = {
  BTC: "Bitcoin",
  ETH: "Ethereum",
  USDT: "TetherUS",
  BNB: "BNB",
};

/** One coin of GET /sapi/v1/capital/config/getall. */
function coinInfo(asset: string, free: string, locked: string): Json {
  return {
    coin: asset,
    depositAllEnable: false,
    withdrawAllEnable: false,
    name: coinNames[asset] ?? asset,
    free,
    locked,
    freeze: "0",
    withdrawing: "0",
    ipoing: "0",
    ipoable: "0",
    storage: "0",
    isLegalMoney: false,
    trading: true,
    networkList: [],
  };
}

function allCoins(context: HandlerContext): HandlerResult {
  const balances = context.venue.engine.spotBalances(context.nowMs);
  return answer(balances.map((b) => coinInfo(b.asset, spot(b.free), spot(b.locked))));
}

/** GET /sapi/v1/asset/tradeFee: one row per spot symbol (or the one asked for). */
function tradeFees(context: HandlerContext): HandlerResult {
  const symbol = optionalSymbol(context, "SPOT");
  if (context.read.failure !== null) return invalid(context.read)!;
  const { engine } = context.venue;
  const rates = engine.commission("SPOT");
  const names = symbol === null ? symbolsOf(context, "SPOT") : [symbol];
  return answer(
    names.map((name) => ({
      symbol: name,
      makerCommission: formatDecimal(normalize(rates.maker)),
      takerCommission: formatDecimal(normalize(rates.taker)),
    })),
  );
}

function noMarginPairs(): HandlerResult {
  return answer([]);
}

/** The COIN-M document: Binance's top-level fields, no symbols. */
function coinMarginedExchangeInfo(context: HandlerContext): HandlerResult {
  return answer({
    timezone: "UTC",
    serverTime: context.nowMs,
    rateLimits: rateLimitsOf("FUT"),
    exchangeFilters: [],
    symbols: [],
  });
}

export const catalogRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/sapi/v1/system/status",
    market: "SPOT",
    security: "NONE",
    kind: "MARKET_DATA",
    weight: weight(1),
    handle: () => answer({ status: 0, msg: "normal" }),
  },
  {
    method: "GET",
    path: "/sapi/v1/asset/tradeFee",
    market: "SPOT",
    security: "SIGNED",
    kind: "ACCOUNT",
    weight: weight(1),
    handle: tradeFees,
  },
  {
    method: "GET",
    path: "/sapi/v1/capital/config/getall",
    market: "SPOT",
    security: "SIGNED",
    kind: "ACCOUNT",
    weight: weight(10),
    handle: allCoins,
  },
  {
    method: "GET",
    path: "/sapi/v1/margin/allPairs",
    market: "SPOT",
    security: "API_KEY",
    kind: "MARKET_DATA",
    weight: weight(1),
    handle: noMarginPairs,
  },
  {
    method: "GET",
    path: "/sapi/v1/margin/isolated/allPairs",
    market: "SPOT",
    security: "SIGNED",
    kind: "MARKET_DATA",
    weight: weight(10),
    handle: noMarginPairs,
  },
  {
    method: "GET",
    path: "/dapi/v1/exchangeInfo",
    market: "FUT",
    security: "NONE",
    kind: "MARKET_DATA",
    weight: weight(1),
    handle: coinMarginedExchangeInfo,
  },
];
