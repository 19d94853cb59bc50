// Rolling 24-hour statistics per symbol for GET /api/v3/ticker/24hr and /fapi/v1/ticker/24hr.
// Prices come from the venue's book-top events and volumes from the account's own fills (the
// only trades this venue prints), kept in one-minute buckets: at most a day of buckets per symbol.

import type { Market } from "../../../domain/instrument/index.ts";
import { add, type Decimal, max, min, zero } from "../../../domain/decimal/index.ts";
import type { SimEvent, SimFill } from "../engine/index.ts";

export const statsWindowMs = 24 * 60 * 60 * 1000;
export const statsBucketMs = 60_000;
/** Buckets kept per symbol: one day of minutes. */
export const statsBucketsMax = statsWindowMs / statsBucketMs;

interface Bucket {
  readonly startMs: number;
  open: Decimal | null;
  high: Decimal | null;
  low: Decimal | null;
  volume: Decimal;
  quoteVolume: Decimal;
  count: number;
  firstId: number;
  lastId: number;
  lastQty: Decimal;
}

/** The window as Binance reports it; prices null when the symbol has not been seen moving. */
export interface WindowStats {
  readonly open: Decimal | null;
  readonly high: Decimal | null;
  readonly low: Decimal | null;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly count: number;
  /** -1 when no trade happened in the window (Binance's convention). */
  readonly firstId: number;
  readonly lastId: number;
  readonly lastQty: Decimal;
  readonly openTimeMs: number;
  readonly closeTimeMs: number;
}

/** A bucket or window before any price or trade. */
const quiet: Omit<WindowStats, "openTimeMs" | "closeTimeMs"> = {
  open: null,
  high: null,
  low: null,
  volume: zero,
  quoteVolume: zero,
  count: 0,
  firstId: -1,
  lastId: -1,
  lastQty: zero,
};

function emptyBucket(startMs: number): Bucket {
  return { startMs, ...quiet };
}

export class TickerStats {
  private readonly buckets = new Map<string, Bucket[]>();

  /** Feeds one venue event (book tops and fills; everything else is ignored). */
  onEvent(event: SimEvent): void {
    if (event.kind === "BOOK_TOP") {
      const { market, symbol, lastPrice, tsMs } = event.top;
      this.price(market, symbol, lastPrice, tsMs);
    }
    if (event.kind === "ORDER_UPDATE" && event.fill !== null) {
      this.fill(event.order.market, event.order.symbol, event.fill);
    }
  }

  reset(): void {
    this.buckets.clear();
  }

  price(market: Market, symbol: string, price: Decimal, tsMs: number): void {
    const bucket = this.bucketAt(market, symbol, tsMs);
    bucket.open ??= price;
    bucket.high = bucket.high === null ? price : max(bucket.high, price);
    bucket.low = bucket.low === null ? price : min(bucket.low, price);
  }

  fill(market: Market, symbol: string, fill: SimFill): void {
    this.price(market, symbol, fill.price, fill.tsMs);
    const bucket = this.bucketAt(market, symbol, fill.tsMs);
    bucket.volume = add(bucket.volume, fill.qty);
    bucket.quoteVolume = add(bucket.quoteVolume, fill.quoteQty);
    bucket.count += 1;
    if (bucket.firstId < 0) bucket.firstId = fill.tradeId;
    bucket.lastId = fill.tradeId;
    bucket.lastQty = fill.qty;
  }

  /** The last 24 hours up to `nowMs`, oldest bucket first. */
  window(market: Market, symbol: string, nowMs: number): WindowStats {
    const fromMs = nowMs - statsWindowMs;
    const rows = (this.buckets.get(`${market}:${symbol}`) ?? []).filter(
      (bucket) => bucket.startMs + statsBucketMs > fromMs && bucket.startMs <= nowMs,
    );
    let stats: WindowStats = { ...quiet, openTimeMs: fromMs, closeTimeMs: nowMs };
    for (const bucket of rows) stats = merge(stats, bucket);
    return stats;
  }

  private bucketAt(market: Market, symbol: string, tsMs: number): Bucket {
    const key = `${market}:${symbol}`;
    let rows = this.buckets.get(key);
    if (rows === undefined) {
      rows = [];
      this.buckets.set(key, rows);
    }
    const startMs = Math.floor(tsMs / statsBucketMs) * statsBucketMs;
    const last = rows[rows.length - 1];
    if (last !== undefined && last.startMs >= startMs) {
      // Events arrive in time order; a late one joins the newest bucket.
      return last;
    }
    const bucket = emptyBucket(startMs);
    rows.push(bucket);
    while (rows.length > statsBucketsMax) rows.shift();
    return bucket;
  }
}

function merge(stats: WindowStats, bucket: Bucket): WindowStats {
  const traded = bucket.count > 0;
  return {
    ...stats,
    open: stats.open ?? bucket.open,
    high: pick(stats.high, bucket.high, max),
    low: pick(stats.low, bucket.low, min),
    volume: add(stats.volume, bucket.volume),
    quoteVolume: add(stats.quoteVolume, bucket.quoteVolume),
    count: stats.count + bucket.count,
    firstId: stats.firstId >= 0 ? stats.firstId : bucket.firstId,
    lastId: traded ? bucket.lastId : stats.lastId,
    lastQty: traded ? bucket.lastQty : stats.lastQty,
  };
}

function pick(
  a: Decimal | null,
  b: Decimal | null,
  choose: (x: Decimal, y: Decimal) => Decimal,
): Decimal | null {
  if (a === null) return b;
  return b === null ? a : choose(a, b);
}
