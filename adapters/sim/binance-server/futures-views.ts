// USDⓈ-M REST answers in Binance's shapes (USDⓈ-M docs; fixtures futures-*.json): order objects
// (no fills; trades come from userTrades), algo orders, positions (v2 and v3), balances,
// account, symbol config and commission. Prices carry the symbol's pricePrecision at least.

import {
  abs,
  add,
  type Decimal,
  dec,
  div,
  formatDecimal,
  fromInteger,
  isZero,
  mul,
  sub,
  zero,
} from "../../../domain/decimal/index.ts";
import type {
  SimAlgoOrder,
  SimFill,
  SimFuturesAccount,
  SimOrderState,
  SimPosition,
  SimSymbolConfig,
} from "../engine/index.ts";
import type { FuturesPrecision } from "./exchange-info.ts";
import { defaultStpMode, type Json } from "./spot-views.ts";
import { atLeast, derivedScale, fixed } from "./wire-format.ts";

export type FuturesResponseType = "ACK" | "RESULT";
/** Quote amounts (cumQuote, balances) carry at least this many places. */
export const quoteScale = 8;

/** The futures wire formats of one symbol. */
export class FuturesFormat {
  readonly precision: FuturesPrecision;

  constructor(precision: FuturesPrecision) {
    this.precision = precision;
  }

  price(value: Decimal | null): string {
    return atLeast(value ?? zero, this.precision.price);
  }

  qty(value: Decimal | null): string {
    return atLeast(value ?? zero, this.precision.quantity);
  }

  /** An average of fills: the exact quotient rounded half up to eight places. */
  average(quote: Decimal, qty: Decimal): string {
    return atLeast(averageOf(quote, qty), this.precision.price);
  }
}

/** quote / qty rounded half up to `derivedScale` places; zero when nothing filled. */
export function averageOf(quote: Decimal, qty: Decimal): Decimal {
  return isZero(qty) ? zero : div(quote, qty, derivedScale, "half_up");
}

export function money(value: Decimal): string {
  return atLeast(value, quoteScale);
}

/** Futures order object; an ACK shows the order as accepted, before any execution. */
export function futuresOrder(
  order: SimOrderState,
  format: FuturesFormat,
  origType: string | null,
  accepted = false,
): Json {
  const filledQty = accepted ? zero : order.filledQty;
  const filledQuote = accepted ? zero : order.filledQuote;
  return {
    orderId: order.orderId,
    symbol: order.symbol,
    status: accepted ? "NEW" : order.status,
    clientOrderId: order.clientOrderId,
    price: format.price(order.price),
    avgPrice: format.average(filledQuote, filledQty),
    origQty: format.qty(order.qty),
    executedQty: format.qty(filledQty),
    cumQty: format.qty(filledQty),
    cumQuote: money(filledQuote),
    timeInForce: order.timeInForce ?? "GTC",
    type: order.type,
    reduceOnly: order.reduceOnly,
    closePosition: order.closePosition,
    side: order.side,
    positionSide: "BOTH",
    stopPrice: format.price(order.stopPrice),
    workingType: "CONTRACT_PRICE",
    priceProtect: false,
    origType: origType ?? order.type,
    priceMatch: "NONE",
    selfTradePreventionMode: defaultStpMode,
    goodTillDate: 0,
    time: order.createdMs,
    updateTime: accepted ? order.createdMs : order.updatedMs,
  };
}

/** GET /fapi/v1/userTrades rows. */
export function futuresTrade(order: SimOrderState, fill: SimFill, format: FuturesFormat): Json {
  return {
    buyer: order.side === "BUY",
    commission: money(fill.fee),
    commissionAsset: fill.feeAsset,
    id: fill.tradeId,
    maker: fill.liquidity === "MAKER",
    orderId: order.orderId,
    price: format.price(fill.price),
    qty: format.qty(fill.qty),
    quoteQty: money(fill.quoteQty),
    realizedPnl: money(fill.realizedPnl),
    side: order.side,
    positionSide: "BOTH",
    symbol: order.symbol,
    time: fill.tsMs,
  };
}

/** POST/GET /fapi/v1/algoOrder and openAlgoOrders rows. */
export function algoOrder(algo: SimAlgoOrder, format: FuturesFormat): Json {
  const triggered = algo.actualOrderId !== null;
  return {
    algoId: algo.algoId,
    clientAlgoId: algo.clientAlgoId,
    algoType: "CONDITIONAL",
    orderType: algo.type,
    symbol: algo.symbol,
    side: algo.side,
    positionSide: "BOTH",
    timeInForce: "GTC",
    quantity: format.qty(algo.qty),
    algoStatus: algo.status,
    actualOrderId: triggered ? String(algo.actualOrderId) : "",
    actualPrice: format.average(algo.filledQuote, algo.filledQty),
    actualType: triggered ? "MARKET" : "",
    actualQty: format.qty(algo.filledQty),
    triggerPrice: format.price(algo.triggerPrice),
    price: format.price(zero),
    icebergQuantity: null,
    selfTradePreventionMode: "NONE",
    workingType: algo.workingType,
    priceMatch: "NONE",
    closePosition: algo.closePosition,
    priceProtect: false,
    reduceOnly: algo.reduceOnly,
    createTime: algo.createdMs,
    updateTime: algo.updatedMs,
    triggerTime: algo.triggerTimeMs ?? 0,
    goodTillDate: 0,
  };
}

interface Bracket {
  readonly initialLeverage: number;
  readonly notionalCap: number;
  readonly maintMarginRatio: string;
}

/** BTCUSDT-like notional brackets (every symbol uses them), smallest notional first. */
const brackets: readonly Bracket[] = [
  { initialLeverage: 125, notionalCap: 300_000, maintMarginRatio: "0.004" },
  { initialLeverage: 100, notionalCap: 800_000, maintMarginRatio: "0.005" },
  { initialLeverage: 75, notionalCap: 3_000_000, maintMarginRatio: "0.0065" },
  { initialLeverage: 50, notionalCap: 12_000_000, maintMarginRatio: "0.01" },
  { initialLeverage: 25, notionalCap: 70_000_000, maintMarginRatio: "0.02" },
  { initialLeverage: 20, notionalCap: 100_000_000, maintMarginRatio: "0.025" },
  { initialLeverage: 10, notionalCap: 230_000_000, maintMarginRatio: "0.05" },
  { initialLeverage: 5, notionalCap: 480_000_000, maintMarginRatio: "0.1" },
  { initialLeverage: 4, notionalCap: 600_000_000, maintMarginRatio: "0.125" },
  { initialLeverage: 3, notionalCap: 800_000_000, maintMarginRatio: "0.15" },
  { initialLeverage: 2, notionalCap: 1_200_000_000, maintMarginRatio: "0.25" },
  { initialLeverage: 1, notionalCap: 1_800_000_000, maintMarginRatio: "0.5" },
];

/** Max notional at a leverage: the cap of the last bracket that still allows it. */
export function maxNotional(leverage: number): string {
  let cap = brackets[0]!.notionalCap;
  for (const bracket of brackets) {
    if (bracket.initialLeverage >= leverage) cap = bracket.notionalCap;
  }
  return String(cap);
}

/**
 * GET /fapi/v1/leverageBracket entry: numbers, as Binance sends them. `cum` is the maintenance
 * amount carried from lower brackets: cum(i) = cum(i−1) + floor(i) × (ratio(i) − ratio(i−1)).
 */
export function leverageBrackets(symbol: string): Json {
  let cum = zero;
  let floor = 0;
  let previousRatio = zero;
  const rows = brackets.map((bracket, index) => {
    const ratio = dec(bracket.maintMarginRatio);
    cum = add(cum, mul(fromInteger(floor), sub(ratio, previousRatio)));
    const row = {
      bracket: index + 1,
      initialLeverage: bracket.initialLeverage,
      notionalCap: bracket.notionalCap,
      notionalFloor: floor,
      maintMarginRatio: Number(bracket.maintMarginRatio),
      cum: Number(formatDecimal(cum)),
    };
    floor = bracket.notionalCap;
    previousRatio = ratio;
    return row;
  });
  return { symbol, brackets: rows };
}

function marginTypeText(position: SimPosition): "isolated" | "cross" {
  return position.marginType === "ISOLATED" ? "isolated" : "cross";
}

function isolatedWallet(position: SimPosition): Decimal {
  return position.marginType === "ISOLATED" ? position.initialMargin : zero;
}

function notional(position: SimPosition): Decimal {
  return mul(position.qty, position.markPrice);
}

/** Size, prices and profit, in the key order positionRisk v2 and v3 share. */
function positionPrices(position: SimPosition, format: FuturesFormat): Json {
  return {
    positionAmt: format.qty(position.qty),
    entryPrice: atLeast(position.entryPrice, 1),
    breakEvenPrice: atLeast(position.entryPrice, 1),
    markPrice: fixed(position.markPrice, derivedScale),
    unRealizedProfit: money(position.unrealizedPnl),
    liquidationPrice: "0",
  };
}

/** GET /fapi/v2/positionRisk row (every symbol, flat ones too). */
export function positionV2(position: SimPosition, format: FuturesFormat, nowMs: number): Json {
  return {
    symbol: position.symbol,
    ...positionPrices(position, format),
    leverage: String(position.leverage),
    maxNotionalValue: maxNotional(position.leverage),
    marginType: marginTypeText(position),
    isolatedMargin: money(add(isolatedWallet(position), isolatedPnl(position))),
    isAutoAddMargin: "false",
    positionSide: "BOTH",
    notional: money(notional(position)),
    isolatedWallet: money(isolatedWallet(position)),
    updateTime: isZero(position.qty) ? 0 : nowMs,
  };
}

function isolatedPnl(position: SimPosition): Decimal {
  return position.marginType === "ISOLATED" ? position.unrealizedPnl : zero;
}

/** GET /fapi/v3/positionRow (symbols with a position). */
export function positionV3(position: SimPosition, format: FuturesFormat, nowMs: number): Json {
  const initial = position.initialMargin;
  return {
    symbol: position.symbol,
    positionSide: "BOTH",
    ...positionPrices(position, format),
    isolatedMargin: money(add(isolatedWallet(position), isolatedPnl(position))),
    notional: money(notional(position)),
    marginAsset: "USDT",
    isolatedWallet: money(isolatedWallet(position)),
    initialMargin: money(initial),
    maintMargin: money(maintenance(position)),
    positionInitialMargin: money(initial),
    openOrderInitialMargin: money(zero),
    adl: 0,
    bidNotional: money(zero),
    askNotional: money(zero),
    updateTime: nowMs,
  };
}

/** Maintenance margin at BTCUSDT's first bracket rate (0.4 %). */
function maintenance(position: SimPosition): Decimal {
  return mul(abs(notional(position)), { units: 4n, scale: 3 });
}

export function symbolConfig(config: SimSymbolConfig): Json {
  return {
    symbol: config.symbol,
    marginType: config.marginType,
    isAutoAddMargin: false,
    leverage: config.leverage,
    maxNotionalValue: maxNotional(config.leverage),
  };
}

/** What is usable across margin: the wallet less isolated margins. */
export function crossWallet(account: SimFuturesAccount, positions: readonly SimPosition[]) {
  let isolated = zero;
  for (const position of positions) isolated = add(isolated, isolatedWallet(position));
  return { wallet: account.walletBalance, cross: add(account.walletBalance, mulNeg(isolated)) };
}

function mulNeg(value: Decimal): Decimal {
  return { units: -value.units, scale: value.scale };
}

/** GET /fapi/v2|v3/balance rows. */
export function futuresBalances(
  account: SimFuturesAccount,
  positions: readonly SimPosition[],
  nowMs: number,
): Json[] {
  const { cross } = crossWallet(account, positions);
  return [
    {
      accountAlias: "SgsR",
      asset: "USDT",
      balance: money(account.walletBalance),
      crossWalletBalance: money(cross),
      crossUnPnl: money(account.unrealizedPnl),
      availableBalance: money(account.availableBalance),
      maxWithdrawAmount: money(account.availableBalance),
      marginAvailable: true,
      updateTime: nowMs,
    },
  ];
}

/** GET /fapi/v2|v3/account (v3 shape; v2 adds the account flags). */
export function futuresAccount(
  account: SimFuturesAccount,
  positions: readonly SimPosition[],
  format: (symbol: string) => FuturesFormat,
  version: 2 | 3,
  nowMs: number,
): Json {
  const { cross } = crossWallet(account, positions);
  const initial = add(account.positionMargin, account.openOrderMargin);
  const marginBalance = add(account.walletBalance, account.unrealizedPnl);
  const totals: Json = {
    totalInitialMargin: money(initial),
    totalMaintMargin: money(zero),
    totalWalletBalance: money(account.walletBalance),
    totalUnrealizedProfit: money(account.unrealizedPnl),
    totalMarginBalance: money(marginBalance),
    totalPositionInitialMargin: money(account.positionMargin),
    totalOpenOrderInitialMargin: money(account.openOrderMargin),
    totalCrossWalletBalance: money(cross),
    totalCrossUnPnl: money(account.unrealizedPnl),
    availableBalance: money(account.availableBalance),
    maxWithdrawAmount: money(account.availableBalance),
  };
  const asset = {
    asset: "USDT",
    walletBalance: money(account.walletBalance),
    unrealizedProfit: money(account.unrealizedPnl),
    marginBalance: money(marginBalance),
    maintMargin: money(zero),
    initialMargin: money(initial),
    positionInitialMargin: money(account.positionMargin),
    openOrderInitialMargin: money(account.openOrderMargin),
    crossWalletBalance: money(cross),
    crossUnPnl: money(account.unrealizedPnl),
    availableBalance: money(account.availableBalance),
    maxWithdrawAmount: money(account.availableBalance),
    marginAvailable: true,
    updateTime: nowMs,
  };
  const rows = positions
    .filter((p) => version === 2 || !isZero(p.qty))
    .map((p) => accountPosition(p, format(p.symbol), version, nowMs));
  const flags =
    version === 2
      ? { feeTier: 0, canTrade: true, canDeposit: true, canWithdraw: true, updateTime: 0 }
      : {};
  return { ...flags, ...totals, assets: [asset], positions: rows };
}

function accountPosition(p: SimPosition, format: FuturesFormat, version: 2 | 3, nowMs: number) {
  const row: Json = {
    symbol: p.symbol,
    positionSide: "BOTH",
    positionAmt: format.qty(p.qty),
    unrealizedProfit: money(p.unrealizedPnl),
    isolatedMargin: money(isolatedWallet(p)),
    notional: money(notional(p)),
    isolatedWallet: money(isolatedWallet(p)),
    initialMargin: money(p.initialMargin),
    maintMargin: money(maintenance(p)),
    updateTime: isZero(p.qty) ? 0 : nowMs,
  };
  if (version === 2) {
    row["leverage"] = String(p.leverage);
    row["isolated"] = p.marginType === "ISOLATED";
    row["entryPrice"] = atLeast(p.entryPrice, 1);
    row["maxNotional"] = maxNotional(p.leverage);
  }
  return row;
}
