// Rules, books, commissions, balances, positions, symbol settings and wallet transfers. Reads
// retry (bounded); a transfer has no client id, so an unknown outcome is answered as such.

import type { Decimal } from "../../domain/decimal/index.ts";
import type { Market, SymbolRules } from "../../domain/instrument/index.ts";
import type {
  Balance,
  BookSnapshot,
  Commission,
  ExchangeResult,
  Position,
  TransferDirection,
} from "../../ports/exchange-gateway.ts";
import { type AdapterContext, read, toResult } from "./context.ts";
import {
  futuresBalance,
  futuresCommissionRate,
  futuresDepth,
  futuresExchangeInfo,
  futuresLeverage,
  futuresMarginType,
  futuresPositionRisk,
  futuresPremiumIndex,
  futuresSymbolConfig,
} from "./futures-requests.ts";
import {
  parseDepth,
  parseExchangeInfo,
  parseFuturesBalances,
  parseFuturesCommission,
  parsePositions,
  parsePremiumIndex,
  parseSpotBalances,
  parseSpotCommission,
  parseSymbolConfigs,
  type SymbolConfig,
} from "./parse-market.ts";
import { callParsed, withRetries } from "./rest-call.ts";
import {
  spotAccount,
  spotCommission,
  spotDepth,
  spotExchangeInfo,
  walletTransfer,
} from "./spot-requests.ts";
import { asObject, id } from "./wire.ts";

/** Levels kept per side in a snapshot; depth is asked for with the smallest limit covering it. */
export const bookLevelsMax = 3;
const depthLimit = 5;

/** Latest mark prices and leverage per futures symbol, for events that lack them. */
export class FuturesSymbolState {
  private readonly marks = new Map<string, Decimal>();
  private readonly leverages = new Map<string, number>();

  markPrice(symbol: string): Decimal | null {
    return this.marks.get(symbol) ?? null;
  }

  leverage(symbol: string): number {
    return this.leverages.get(symbol) ?? 0;
  }

  setMark(symbol: string, price: Decimal): void {
    this.marks.set(symbol, price);
  }

  setLeverage(symbol: string, leverage: number): void {
    this.leverages.set(symbol, leverage);
  }
}

export class AccountOperations {
  private readonly context: AdapterContext;
  private readonly symbols: readonly string[] | undefined;
  private readonly futuresState: FuturesSymbolState;

  constructor(
    context: AdapterContext,
    symbols: readonly string[] | undefined,
    futuresState: FuturesSymbolState,
  ) {
    this.context = context;
    this.symbols = symbols;
    this.futuresState = futuresState;
  }

  async symbolRules(markets: readonly Market[]): Promise<ExchangeResult<readonly SymbolRules[]>> {
    const only = this.symbols === undefined ? undefined : new Set(this.symbols);
    const rules: SymbolRules[] = [];
    for (const market of markets) {
      const call = market === "SPOT" ? spotExchangeInfo(this.symbols) : futuresExchangeInfo();
      const result = await read(this.context, call, (raw) => parseExchangeInfo(market, raw, only));
      if (!result.ok) return toResult(result);
      rules.push(...result.value);
    }
    return { ok: true, value: rules };
  }

  async bookTop(market: Market, symbol: string): Promise<ExchangeResult<BookSnapshot>> {
    const depthCall =
      market === "SPOT" ? spotDepth(symbol, depthLimit) : futuresDepth(symbol, depthLimit);
    const [depth, mark] = await Promise.all([
      read(this.context, depthCall, (raw) => parseDepth(raw, bookLevelsMax)),
      market === "FUT"
        ? read(this.context, futuresPremiumIndex(symbol), parsePremiumIndex)
        : Promise.resolve(null),
    ]);
    if (!depth.ok) return toResult(depth);
    if (mark !== null && !mark.ok) return toResult(mark);
    const bestBid = depth.value.bids[0];
    const bestAsk = depth.value.asks[0];
    if (bestBid === undefined || bestAsk === undefined) {
      return { ok: false, error: { kind: "REJECTED", message: `${market} ${symbol}: empty book` } };
    }
    if (mark !== null) this.futuresState.setMark(symbol, mark.value.markPrice);
    return {
      ok: true,
      value: {
        market,
        symbol,
        bid: bestBid.price,
        ask: bestAsk.price,
        bidQty: bestBid.qty,
        askQty: bestAsk.qty,
        bids: depth.value.bids,
        asks: depth.value.asks,
        markPrice: mark === null ? null : mark.value.markPrice,
        tsMs:
          depth.value.tsMs ??
          Math.round(this.context.clock.nowMs() + this.context.rest.offset(market).offsetMs),
      },
    };
  }

  async commission(market: Market, symbol: string): Promise<ExchangeResult<Commission>> {
    const result =
      market === "SPOT"
        ? await read(this.context, spotCommission(symbol), parseSpotCommission)
        : await read(this.context, futuresCommissionRate(symbol), parseFuturesCommission);
    return toResult(result);
  }

  async balances(market: Market): Promise<ExchangeResult<readonly Balance[]>> {
    const result =
      market === "SPOT"
        ? await read(this.context, spotAccount(), parseSpotBalances)
        : await read(this.context, futuresBalance(), parseFuturesBalances);
    return toResult(result);
  }

  async positions(symbol?: string): Promise<ExchangeResult<readonly Position[]>> {
    const configs = await read(this.context, futuresSymbolConfig(symbol), parseSymbolConfigs);
    if (!configs.ok) return toResult(configs);
    const bySymbol = new Map<string, SymbolConfig>();
    for (const config of configs.value) {
      bySymbol.set(config.symbol, config);
      this.futuresState.setLeverage(config.symbol, config.leverage);
    }
    const result = await read(this.context, futuresPositionRisk(symbol), (raw) =>
      parsePositions(raw, bySymbol),
    );
    if (result.ok)
      for (const position of result.value)
        this.futuresState.setMark(position.symbol, position.markPrice);
    return toResult(result);
  }

  /** Margin type first (it cannot change with open orders), then leverage; "already so" is success. */
  async configureSymbol(
    symbol: string,
    settings: { readonly leverage: number; readonly marginType: "ISOLATED" | "CROSSED" },
  ): Promise<ExchangeResult<void>> {
    const margin = await read(
      this.context,
      futuresMarginType(symbol, settings.marginType),
      () => null,
    );
    if (!margin.ok && !margin.noChange) return toResult(margin);
    const leverage = await read(
      this.context,
      futuresLeverage(symbol, settings.leverage),
      () => null,
    );
    if (!leverage.ok) return toResult(leverage);
    this.futuresState.setLeverage(symbol, settings.leverage);
    return { ok: true, value: undefined };
  }

  /** Sent once (plus definite-failure retries): no client id exists to resolve an unknown. */
  async transfer(
    direction: TransferDirection,
    asset: string,
    amount: Decimal,
  ): Promise<ExchangeResult<{ readonly transferId: string }>> {
    const result = await withRetries(this.context, false, () =>
      callParsed(this.context.rest, walletTransfer(direction, asset, amount), (raw) => ({
        transferId: id(asObject(raw, "transfer"), "tranId"),
      })),
    );
    return toResult(result);
  }

  /** One asset's spot balance, for turning a balanceUpdate delta into an absolute value. */
  async spotBalance(asset: string): Promise<ExchangeResult<Balance>> {
    const result = await read(this.context, spotAccount(), parseSpotBalances);
    if (!result.ok) return toResult(result);
    const found = result.value.find((balance) => balance.asset === asset);
    return {
      ok: true,
      value: found ?? { asset, free: { units: 0n, scale: 0 }, locked: { units: 0n, scale: 0 } },
    };
  }
}
