// GET /api/v3/exchangeInfo and /fapi/v1/exchangeInfo: Binance's documents for the symbols the
// engine trades (the recorded BTCUSDT/ETHUSDT objects, every field a generic client needs to
// load markets), with serverTime set to now. A symbol without a recorded object is described
// from its rules in the same shape.

import { formatFixed, normalize } from "../../../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../../../domain/instrument/index.ts";
import { defaultExchangeInfo, type SimSymbolSpec } from "../engine/index.ts";
import { spot } from "./wire-format.ts";

type Json = Record<string, unknown>;

export interface FuturesPrecision {
  readonly price: number;
  readonly quantity: number;
}

function recordedSymbols(market: Market): Map<string, Json> {
  const document = defaultExchangeInfo[market] as { symbols: Json[] };
  return new Map(document.symbols.map((symbol) => [String(symbol["symbol"]), symbol]));
}

const recorded: Record<Market, Map<string, Json>> = {
  SPOT: recordedSymbols("SPOT"),
  FUT: recordedSymbols("FUT"),
};

/** pricePrecision / quantityPrecision of a futures symbol (recorded, else the grid's scale). */
export function futuresPrecision(rules: SymbolRules): FuturesPrecision {
  const symbol = recorded.FUT.get(rules.symbol);
  const price = symbol?.["pricePrecision"];
  const quantity = symbol?.["quantityPrecision"];
  return {
    price: typeof price === "number" ? price : normalize(rules.price.tick).scale,
    quantity: typeof quantity === "number" ? quantity : normalize(rules.lot.step).scale,
  };
}

function futuresText(value: SymbolRules["price"]["min"]): string {
  return formatFixed(normalize(value), normalize(value).scale);
}

function describedSpot(rules: SymbolRules): Json {
  return {
    symbol: rules.symbol,
    status: rules.status,
    baseAsset: rules.baseAsset,
    baseAssetPrecision: 8,
    quoteAsset: rules.quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT"],
    icebergAllowed: false,
    ocoAllowed: true,
    otoAllowed: false,
    opoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: spot(rules.price.min),
        maxPrice: spot(rules.price.max),
        tickSize: spot(rules.price.tick),
      },
      {
        filterType: "LOT_SIZE",
        minQty: spot(rules.lot.min),
        maxQty: spot(rules.lot.max),
        stepSize: spot(rules.lot.step),
      },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "EXPIRE_MAKER",
    allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
  };
}

function describedFutures(rules: SymbolRules): Json {
  const precision = futuresPrecision(rules);
  return {
    symbol: rules.symbol,
    pair: rules.symbol,
    contractType: "PERPETUAL",
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: rules.status,
    maintMarginPercent: "2.5000",
    requiredMarginPercent: "5.0000",
    baseAsset: rules.baseAsset,
    quoteAsset: rules.quoteAsset,
    marginAsset: rules.quoteAsset,
    pricePrecision: precision.price,
    quantityPrecision: precision.quantity,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: "COIN",
    underlyingSubType: [],
    triggerProtect: "0.0500",
    liquidationFee: "0.012500",
    marketTakeBound: "0.05",
    maxMoveOrderLimit: 10000,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: futuresText(rules.price.min),
        maxPrice: futuresText(rules.price.max),
        tickSize: futuresText(rules.price.tick),
      },
      {
        filterType: "LOT_SIZE",
        minQty: futuresText(rules.lot.min),
        maxQty: futuresText(rules.lot.max),
        stepSize: futuresText(rules.lot.step),
      },
    ],
    orderTypes: [
      "LIMIT",
      "MARKET",
      "STOP",
      "STOP_MARKET",
      "TAKE_PROFIT",
      "TAKE_PROFIT_MARKET",
      "TRAILING_STOP_MARKET",
    ],
    timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
    permissionSets: ["GRID", "COPY"],
  };
}

/** The symbol objects of a market, recorded where possible, in the engine's order. */
export function symbolObjects(market: Market, specs: readonly SimSymbolSpec[]): Json[] {
  return specs
    .filter((spec) => spec.rules.market === market)
    .map((spec) => {
      const saved = recorded[market].get(spec.rules.symbol);
      if (saved !== undefined) return saved;
      return market === "SPOT" ? describedSpot(spec.rules) : describedFutures(spec.rules);
    });
}

/** The whole document with serverTime = now and the given symbol objects. */
export function exchangeInfoDocument(market: Market, nowMs: number, symbols: Json[]): Json {
  const document = defaultExchangeInfo[market] as Json;
  return { ...document, serverTime: nowMs, symbols };
}

/** The rateLimits of a market's document (the limits the server enforces). */
export function rateLimitsOf(market: Market): readonly Json[] {
  const document = defaultExchangeInfo[market] as { rateLimits: Json[] };
  return document.rateLimits;
}
