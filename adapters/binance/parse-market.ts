// Market and account payloads: exchangeInfo filters into SymbolRules, books, tickers, mark
// prices, commissions, balances and positions. Spot and futures filter shapes differ.

import { add, type Decimal, isPositive, sub, zero } from "../../domain/decimal/index.ts";
import type { LotRule, Market, NotionalRule, SymbolRules } from "../../domain/instrument/index.ts";
import type { BookLevel } from "../../domain/order/index.ts";
import type { Balance, Commission, Position } from "../../ports/exchange-gateway.ts";
import {
  asArray,
  asObject,
  decimalField,
  decimalValue,
  flag,
  integer,
  optionalDecimal,
  optionalInteger,
  optionalText,
  text,
  type WireObject,
  WireError,
} from "./wire.ts";

function filtersByType(symbol: WireObject): Map<string, WireObject> {
  const filters = new Map<string, WireObject>();
  for (const raw of asArray(symbol["filters"] ?? [], "filters")) {
    const filter = asObject(raw, "filter");
    filters.set(text(filter, "filterType"), filter);
  }
  return filters;
}

function lotRule(filter: WireObject): LotRule {
  return {
    min: decimalField(filter, "minQty"),
    max: decimalField(filter, "maxQty"),
    step: decimalField(filter, "stepSize"),
  };
}

/** MARKET_LOT_SIZE with every field zero is no rule at all; a zero part is a disabled part. */
function marketLotRule(filter: WireObject | undefined): LotRule | null {
  if (filter === undefined) return null;
  const rule = lotRule(filter);
  const enabled = isPositive(rule.min) || isPositive(rule.max) || isPositive(rule.step);
  return enabled ? rule : null;
}

/** Spot NOTIONAL (current) or MIN_NOTIONAL (legacy, minNotional + applyToMarket). */
function spotNotional(filters: Map<string, WireObject>): NotionalRule | null {
  const notional = filters.get("NOTIONAL");
  if (notional !== undefined) {
    return {
      min: decimalField(notional, "minNotional"),
      applyMinToMarket: flag(notional, "applyMinToMarket"),
      max: optionalDecimal(notional, "maxNotional") ?? zero,
      applyMaxToMarket: flag(notional, "applyMaxToMarket"),
      waivedForReduceOnly: false,
    };
  }
  const legacy = filters.get("MIN_NOTIONAL");
  if (legacy === undefined) return null;
  return {
    min: decimalField(legacy, "minNotional"),
    applyMinToMarket: flag(legacy, "applyToMarket"),
    max: zero,
    applyMaxToMarket: false,
    waivedForReduceOnly: false,
  };
}

/** Futures MIN_NOTIONAL's key is `notional`; it applies to market orders, not to reduce-only. */
function futuresNotional(filters: Map<string, WireObject>): NotionalRule | null {
  const filter = filters.get("MIN_NOTIONAL");
  if (filter === undefined) return null;
  return {
    min: decimalField(filter, "notional"),
    applyMinToMarket: true,
    max: zero,
    applyMaxToMarket: false,
    waivedForReduceOnly: true,
  };
}

function symbolRules(market: Market, raw: unknown): SymbolRules {
  const symbol = asObject(raw, "exchangeInfo symbol");
  const filters = filtersByType(symbol);
  const price = filters.get("PRICE_FILTER");
  const lot = filters.get("LOT_SIZE");
  const name = text(symbol, "symbol");
  if (price === undefined || lot === undefined) {
    throw new WireError(`${name}: PRICE_FILTER and LOT_SIZE are required`);
  }
  return {
    market,
    symbol: name,
    status: text(symbol, "status"),
    baseAsset: text(symbol, "baseAsset"),
    quoteAsset: text(symbol, "quoteAsset"),
    price: {
      min: decimalField(price, "minPrice"),
      max: decimalField(price, "maxPrice"),
      tick: decimalField(price, "tickSize"),
    },
    lot: lotRule(lot),
    marketLot: marketLotRule(filters.get("MARKET_LOT_SIZE")),
    notional: market === "SPOT" ? spotNotional(filters) : futuresNotional(filters),
  };
}

/** GET /api/v3/exchangeInfo or /fapi/v1/exchangeInfo; `only` filters symbols client-side. */
export function parseExchangeInfo(
  market: Market,
  raw: unknown,
  only?: ReadonlySet<string>,
): SymbolRules[] {
  const info = asObject(raw, "exchangeInfo");
  return asArray(info["symbols"], "symbols")
    .filter((symbol) => only === undefined || only.has(text(asObject(symbol, "symbol"), "symbol")))
    .map((symbol) => symbolRules(market, symbol));
}

function levels(raw: unknown, what: string, count: number): BookLevel[] {
  return asArray(raw, what)
    .slice(0, count)
    .map((level) => {
      const pair = asArray(level, `${what} level`);
      return {
        price: decimalValue(pair[0], `${what} price`),
        qty: decimalValue(pair[1], `${what} qty`),
      };
    });
}

export interface DepthTop {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** Futures depth carries E (event time); spot's does not. */
  readonly tsMs: number | null;
}

export function parseDepth(raw: unknown, levelCount: number): DepthTop {
  const depth = asObject(raw, "depth");
  return {
    bids: levels(depth["bids"], "bids", levelCount),
    asks: levels(depth["asks"], "asks", levelCount),
    tsMs: optionalInteger(depth, "E") ?? optionalInteger(depth, "T"),
  };
}

export interface BookTicker {
  readonly symbol: string;
  readonly bid: Decimal;
  readonly bidQty: Decimal;
  readonly ask: Decimal;
  readonly askQty: Decimal;
  readonly tsMs: number | null;
}

/** GET ticker/bookTicker (spot or futures). */
export function parseBookTicker(raw: unknown): BookTicker {
  const ticker = asObject(raw, "bookTicker");
  return {
    symbol: text(ticker, "symbol"),
    bid: decimalField(ticker, "bidPrice"),
    bidQty: decimalField(ticker, "bidQty"),
    ask: decimalField(ticker, "askPrice"),
    askQty: decimalField(ticker, "askQty"),
    tsMs: optionalInteger(ticker, "time"),
  };
}

/** GET /fapi/v1/premiumIndex?symbol. */
export function parsePremiumIndex(raw: unknown): { markPrice: Decimal; tsMs: number } {
  const index = asObject(raw, "premiumIndex");
  return { markPrice: decimalField(index, "markPrice"), tsMs: integer(index, "time") };
}

/**
 * GET /api/v3/account/commission: the rate charged is standard + special + tax (each part
 * documented separately); BNB discounts are not applied here.
 */
export function parseSpotCommission(raw: unknown): Commission {
  const body = asObject(raw, "account/commission");
  let maker = zero;
  let taker = zero;
  for (const part of ["standardCommission", "specialCommission", "taxCommission"]) {
    if (body[part] === undefined) continue;
    const rates = asObject(body[part], part);
    maker = add(maker, decimalField(rates, "maker"));
    taker = add(taker, decimalField(rates, "taker"));
  }
  return { maker, taker };
}

/** GET /fapi/v1/commissionRate. */
export function parseFuturesCommission(raw: unknown): Commission {
  const body = asObject(raw, "commissionRate");
  return {
    maker: decimalField(body, "makerCommissionRate"),
    taker: decimalField(body, "takerCommissionRate"),
  };
}

/** GET /api/v3/account balances. */
export function parseSpotBalances(raw: unknown): Balance[] {
  const account = asObject(raw, "account");
  return asArray(account["balances"], "balances").map((row) => {
    const balance = asObject(row, "balance");
    return {
      asset: text(balance, "asset"),
      free: decimalField(balance, "free"),
      locked: decimalField(balance, "locked"),
    };
  });
}

/**
 * GET /fapi/v3/balance: free is what can be used or moved (availableBalance); locked is the rest
 * of the wallet balance, so free + locked is the wallet balance.
 */
export function parseFuturesBalances(raw: unknown): Balance[] {
  return asArray(raw, "balance").map((row) => {
    const balance = asObject(row, "futures balance");
    const wallet = decimalField(balance, "balance");
    const free = optionalDecimal(balance, "availableBalance") ?? wallet;
    const locked = sub(wallet, free);
    return { asset: text(balance, "asset"), free, locked: locked.units < 0n ? zero : locked };
  });
}

export interface SymbolConfig {
  readonly symbol: string;
  readonly leverage: number;
  readonly marginType: "ISOLATED" | "CROSSED";
}

export function marginType(value: string): "ISOLATED" | "CROSSED" {
  const upper = value.toUpperCase();
  if (upper === "ISOLATED") return "ISOLATED";
  if (upper === "CROSS" || upper === "CROSSED") return "CROSSED";
  throw new WireError(`unknown margin type ${value}`);
}

/** GET /fapi/v1/symbolConfig: leverage and margin type per symbol (positionRisk v3 lacks them). */
export function parseSymbolConfigs(raw: unknown): SymbolConfig[] {
  return asArray(raw, "symbolConfig").map((row) => {
    const config = asObject(row, "symbol config");
    return {
      symbol: text(config, "symbol"),
      leverage: integer(config, "leverage"),
      marginType: marginType(text(config, "marginType")),
    };
  });
}

/**
 * GET /fapi/v3/positionRisk (or v2, which also carries leverage and marginType). Zero positions
 * are dropped. Leverage and margin type come from the row when present, else from `configs`.
 */
export function parsePositions(
  raw: unknown,
  configs: ReadonlyMap<string, SymbolConfig>,
): Position[] {
  const positions: Position[] = [];
  for (const row of asArray(raw, "positionRisk")) {
    const position = asObject(row, "position");
    const qty = decimalField(position, "positionAmt");
    if (qty.units === 0n) continue;
    const symbol = text(position, "symbol");
    const config = configs.get(symbol);
    const rowMargin = optionalText(position, "marginType");
    positions.push({
      symbol,
      qty,
      entryPrice: decimalField(position, "entryPrice"),
      markPrice: decimalField(position, "markPrice"),
      leverage: optionalInteger(position, "leverage") ?? config?.leverage ?? 0,
      marginType: rowMargin !== null ? marginType(rowMargin) : (config?.marginType ?? "CROSSED"),
    });
  }
  return positions;
}
