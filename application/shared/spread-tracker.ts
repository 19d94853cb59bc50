// The rolling one-hour spread mean per market and symbol that the liquidity probe compares the
// current spread with (DESIGN §4). Fed by every snapshot the router reads and by book-top events.

import {
  recordSpread,
  type SpreadWindow,
  spreadBps,
  spreadMean,
} from "../../domain/execution/index.ts";
import type { Decimal } from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";

/** Symbols tracked at most; past it new symbols are not tracked (their mean rule stays off). */
export const spreadTrackedSymbolsMax = 4_096;

export class SpreadTracker {
  private readonly windows = new Map<string, SpreadWindow>();

  /** Adds a sample from a touch; a book without a spread is ignored. */
  record(market: Market, symbol: string, bid: Decimal, ask: Decimal, nowMs: number): void {
    const sample = spreadBps(bid, ask);
    if (sample === null) return;
    const key = `${market}:${symbol}`;
    const window = this.windows.get(key);
    if (window === undefined && this.windows.size >= spreadTrackedSymbolsMax) return;
    this.windows.set(key, recordSpread(window ?? { buckets: [] }, nowMs, sample));
  }

  /** The mean over the last hour, null while too few samples are known. */
  meanBps(market: Market, symbol: string, nowMs: number): number | null {
    const window = this.windows.get(`${market}:${symbol}`);
    return window === undefined ? null : spreadMean(window, nowMs).meanBps;
  }
}
