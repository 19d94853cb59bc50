// 24-hour rolling-window ticker rows in Binance's shapes: spot FULL and MINI (GET
// /api/v3/ticker/24hr) and USDⓈ-M (GET /fapi/v1/ticker/24hr). The last price and the book top are
// the venue's now; open, high, low and volumes come from the window statistics (ticker-stats.ts).

import {
  type Decimal,
  div,
  fromInteger,
  isZero,
  max,
  min,
  mul,
  sub,
  zero,
} from "../../../domain/decimal/index.ts";
import type { SimBookTop } from "../engine/index.ts";
import type { FuturesFormat } from "./futures-views.ts";
import { money } from "./futures-views.ts";
import type { Json } from "./spot-views.ts";
import type { WindowStats } from "./ticker-stats.ts";
import { derivedScale, fixed, spot } from "./wire-format.ts";

/** priceChangePercent carries three places, as Binance prints it. */
const percentScale = 3;

interface Window {
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly last: Decimal;
  readonly change: Decimal;
  readonly changePercent: string;
  readonly weightedAverage: Decimal;
}

/** The window's prices with the venue's current last price folded in. */
function windowOf(stats: WindowStats, top: SimBookTop): Window {
  const last = top.lastPrice;
  const open = stats.open ?? last;
  const change = sub(last, open);
  const percent = isZero(open)
    ? zero
    : div(mul(change, fromInteger(100)), open, percentScale, "half_up");
  return {
    open,
    high: stats.high === null ? last : max(stats.high, last),
    low: stats.low === null ? last : min(stats.low, last),
    last,
    change,
    changePercent: fixed(percent, percentScale),
    weightedAverage: isZero(stats.volume)
      ? zero
      : div(stats.quoteVolume, stats.volume, derivedScale, "half_up"),
  };
}

function tradeFields(stats: WindowStats): Json {
  return {
    openTime: stats.openTimeMs,
    closeTime: stats.closeTimeMs,
    firstId: stats.firstId,
    lastId: stats.lastId,
    count: stats.count,
  };
}

/** GET /api/v3/ticker/24hr row; MINI drops the change, average, previous close and book. */
export function spotTicker24hr(
  symbol: string,
  stats: WindowStats,
  top: SimBookTop,
  type: "FULL" | "MINI",
): Json {
  const window = windowOf(stats, top);
  if (type === "MINI") {
    return {
      symbol,
      openPrice: spot(window.open),
      highPrice: spot(window.high),
      lowPrice: spot(window.low),
      lastPrice: spot(window.last),
      volume: spot(stats.volume),
      quoteVolume: spot(stats.quoteVolume),
      ...tradeFields(stats),
    };
  }
  return {
    symbol,
    priceChange: spot(window.change),
    priceChangePercent: window.changePercent,
    weightedAvgPrice: spot(window.weightedAverage),
    prevClosePrice: spot(window.open),
    lastPrice: spot(window.last),
    lastQty: spot(stats.lastQty),
    bidPrice: spot(top.bid),
    bidQty: spot(top.bidQty),
    askPrice: spot(top.ask),
    askQty: spot(top.askQty),
    openPrice: spot(window.open),
    highPrice: spot(window.high),
    lowPrice: spot(window.low),
    volume: spot(stats.volume),
    quoteVolume: spot(stats.quoteVolume),
    ...tradeFields(stats),
  };
}

/** GET /fapi/v1/ticker/24hr row (no book, no previous close). */
export function futuresTicker24hr(
  symbol: string,
  stats: WindowStats,
  top: SimBookTop,
  format: FuturesFormat,
): Json {
  const window = windowOf(stats, top);
  return {
    symbol,
    priceChange: format.price(window.change),
    priceChangePercent: window.changePercent,
    weightedAvgPrice: format.price(window.weightedAverage),
    lastPrice: format.price(window.last),
    lastQty: format.qty(stats.lastQty),
    openPrice: format.price(window.open),
    highPrice: format.price(window.high),
    lowPrice: format.price(window.low),
    volume: format.qty(stats.volume),
    quoteVolume: money(stats.quoteVolume),
    ...tradeFields(stats),
  };
}
