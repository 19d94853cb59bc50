// GET /api/v3/exchangeInfo and /fapi/v1/exchangeInfo: Binance's documents for the symbols the
// engine trades (the recorded BTCUSDT/ETHUSDT objects the engine's rules were parsed from, with
// every field a generic client needs to load markets), serverTime set to now.

import { normalize } from "../../../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../../../domain/instrument/index.ts";
import { defaultExchangeInfo, type SimSymbolSpec } from "../engine/index.ts";

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

/**
 * What the simulator does not do, said the way exchangeInfo says it, so a client that reads the
 * flags never tries it: no iceberg, trailing, pegged, OTO/OPO, cancel-replace, amend or margin
 * trading on spot; on USDⓈ-M only the conditional types the algo service simulates, and no GTD.
 */
const capabilities: Readonly<Record<Market, Json>> = {
  SPOT: {
    icebergAllowed: false,
    otoAllowed: false,
    opoAllowed: false,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isMarginTradingAllowed: false,
  },
  FUT: {
    orderTypes: ["LIMIT", "MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET"],
    timeInForce: ["GTC", "IOC", "FOK", "GTX"],
  },
};

/** The recorded symbol objects of the symbols the engine trades on `market`, in its order. */
export function symbolObjects(market: Market, specs: readonly SimSymbolSpec[]): Json[] {
  return specs
    .filter((spec) => spec.rules.market === market)
    .map((spec) => {
      const saved = recorded[market].get(spec.rules.symbol);
      if (saved === undefined) {
        throw new Error(`Condition failed: no recorded exchangeInfo for ${spec.rules.symbol}`);
      }
      return { ...saved, ...capabilities[market] };
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
