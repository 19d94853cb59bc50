// exchangeInfo JSON (spot /api/v3, USDⓈ-M /fapi/v1) → the symbol specs the engine enforces.
// Spot's notional filter is NOTIONAL {minNotional, applyMinToMarket, ...}; futures' is
// MIN_NOTIONAL {notional} and is waived for reduce-only; MARKET_LOT_SIZE zeros mean "disabled".

import spotExchangeInfo from "../exchange-rules/exchange-info-spot.json";
import futuresExchangeInfo from "../exchange-rules/exchange-info-usdm.json";
import { type Decimal, dec, isPositive, zero } from "../../../domain/decimal/index.ts";
import type { LotRule, Market, NotionalRule } from "../../../domain/instrument/index.ts";
import type { PercentPriceRule, SimSymbolSpec } from "./types.ts";

type Json = Record<string, unknown>;

function text(filter: Json, key: string): Decimal {
  const value = filter[key];
  if (typeof value === "string") return dec(value);
  if (typeof value === "number") return dec(String(value));
  throw new Error(`Condition failed: exchangeInfo filter field ${key} is missing`);
}

function integer(filter: Json, key: string): number {
  const value = filter[key];
  if (typeof value !== "number") throw new Error(`Condition failed: ${key} is not a number`);
  return value;
}

function lot(filter: Json): LotRule {
  return {
    min: text(filter, "minQty"),
    max: text(filter, "maxQty"),
    step: text(filter, "stepSize"),
  };
}

function spotNotional(filter: Json): NotionalRule {
  if (filter["filterType"] === "MIN_NOTIONAL") {
    return {
      min: text(filter, "minNotional"),
      applyMinToMarket: filter["applyToMarket"] === true,
      max: zero,
      applyMaxToMarket: false,
      waivedForReduceOnly: false,
    };
  }
  return {
    min: text(filter, "minNotional"),
    applyMinToMarket: filter["applyMinToMarket"] === true,
    max: text(filter, "maxNotional"),
    applyMaxToMarket: filter["applyMaxToMarket"] === true,
    waivedForReduceOnly: false,
  };
}

function futuresNotional(filter: Json): NotionalRule {
  return {
    min: text(filter, "notional"),
    applyMinToMarket: true,
    max: zero,
    applyMaxToMarket: false,
    waivedForReduceOnly: true,
  };
}

function percentPrice(filter: Json): PercentPriceRule {
  if (filter["filterType"] === "PERCENT_PRICE_BY_SIDE") {
    return {
      filter: "PERCENT_PRICE_BY_SIDE",
      bidUp: text(filter, "bidMultiplierUp"),
      bidDown: text(filter, "bidMultiplierDown"),
      askUp: text(filter, "askMultiplierUp"),
      askDown: text(filter, "askMultiplierDown"),
    };
  }
  const up = text(filter, "multiplierUp");
  const down = text(filter, "multiplierDown");
  return { filter: "PERCENT_PRICE", bidUp: up, bidDown: down, askUp: up, askDown: down };
}

function isDisabledLot(rule: LotRule): boolean {
  return !isPositive(rule.min) && !isPositive(rule.max) && !isPositive(rule.step);
}

/** Parses one symbol object of an exchangeInfo answer. */
export function parseSymbolSpec(market: Market, symbol: Json): SimSymbolSpec {
  const filters = (symbol["filters"] ?? []) as Json[];
  let price: SimSymbolSpec["rules"]["price"] | null = null;
  let lotRule: LotRule | null = null;
  let marketLot: LotRule | null = null;
  let notional: NotionalRule | null = null;
  let notionalFilter: SimSymbolSpec["notionalFilter"] = null;
  let percent: PercentPriceRule | null = null;
  let maxNumOrders: number | null = null;
  let maxNumOrderLists: number | null = null;
  let maxNumAlgoOrders: number | null = null;
  for (const filter of filters) {
    switch (filter["filterType"]) {
      case "PRICE_FILTER":
        price = {
          min: text(filter, "minPrice"),
          max: text(filter, "maxPrice"),
          tick: text(filter, "tickSize"),
        };
        break;
      case "LOT_SIZE":
        lotRule = lot(filter);
        break;
      case "MARKET_LOT_SIZE":
        marketLot = isDisabledLot(lot(filter)) ? null : lot(filter);
        break;
      case "NOTIONAL":
        notional = spotNotional(filter);
        notionalFilter = "NOTIONAL";
        break;
      case "MIN_NOTIONAL":
        notional = market === "FUT" ? futuresNotional(filter) : spotNotional(filter);
        notionalFilter = "MIN_NOTIONAL";
        break;
      case "PERCENT_PRICE":
      case "PERCENT_PRICE_BY_SIDE":
        percent = percentPrice(filter);
        break;
      case "MAX_NUM_ORDERS":
        maxNumOrders = integer(filter, market === "FUT" ? "limit" : "maxNumOrders");
        break;
      case "MAX_NUM_ORDER_LISTS":
        maxNumOrderLists = integer(filter, "maxNumOrderLists");
        break;
      case "MAX_NUM_ALGO_ORDERS":
        maxNumAlgoOrders = integer(filter, market === "FUT" ? "limit" : "maxNumAlgoOrders");
        break;
      default:
        break;
    }
  }
  if (price === null || lotRule === null) {
    throw new Error(`Condition failed: ${String(symbol["symbol"])} lacks PRICE_FILTER/LOT_SIZE`);
  }
  return {
    rules: {
      market,
      symbol: String(symbol["symbol"]),
      status: String(symbol["status"]),
      baseAsset: String(symbol["baseAsset"]),
      quoteAsset: String(symbol["quoteAsset"]),
      price,
      lot: lotRule,
      marketLot,
      notional,
    },
    notionalFilter,
    percentPrice: percent,
    maxNumOrders,
    maxNumOrderLists,
    maxNumAlgoOrders,
  };
}

/** Parses every symbol of an exchangeInfo answer (spot or USDⓈ-M). */
export function parseExchangeInfo(market: Market, exchangeInfo: unknown): SimSymbolSpec[] {
  const symbols = (exchangeInfo as Json)["symbols"];
  if (!Array.isArray(symbols)) throw new Error("Condition failed: exchangeInfo has no symbols");
  return symbols.map((symbol) => parseSymbolSpec(market, symbol as Json));
}

/** The raw exchangeInfo documents the simulator serves (real BTCUSDT and ETHUSDT rules). */
export const defaultExchangeInfo: { readonly SPOT: unknown; readonly FUT: unknown } = {
  SPOT: spotExchangeInfo,
  FUT: futuresExchangeInfo,
};

/** Spot and futures specs of the default symbols. */
export function defaultSymbolSpecs(): SimSymbolSpec[] {
  return [
    ...parseExchangeInfo("SPOT", defaultExchangeInfo.SPOT),
    ...parseExchangeInfo("FUT", defaultExchangeInfo.FUT),
  ];
}
