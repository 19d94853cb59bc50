// Market streams: spot <symbol>@bookTicker on the spot stream root, futures bookTicker on
// /public and markPrice on /market, all as combined streams. They become BOOK_TOP and
// MARK_PRICE events.

import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Market } from "../../domain/instrument/index.ts";
import { type ParsedMessage, parseMarketMessage } from "./parse-events.ts";
import {
  type BinanceUrls,
  futuresMarketStreamUrl,
  futuresPublicStreamUrl,
  spotMarketStreamUrl,
} from "./urls.ts";
import { WireError } from "./wire.ts";

export interface MarketStreamPlan {
  readonly name: string;
  readonly market: Market;
  readonly url: string;
}

/** The connections needed for the symbols asked for (none when no symbols are given). */
export function marketStreamPlans(
  urls: BinanceUrls,
  spotSymbols: readonly string[],
  futuresSymbols: readonly string[],
): MarketStreamPlan[] {
  const plans: MarketStreamPlan[] = [];
  const lower = (symbols: readonly string[], suffix: string) =>
    symbols.map((symbol) => `${symbol.toLowerCase()}${suffix}`);
  if (spotSymbols.length > 0) {
    plans.push({
      name: "spot-book",
      market: "SPOT",
      url: spotMarketStreamUrl(urls, lower(spotSymbols, "@bookTicker")),
    });
  }
  if (futuresSymbols.length > 0) {
    plans.push({
      name: "futures-book",
      market: "FUT",
      url: futuresPublicStreamUrl(urls, lower(futuresSymbols, "@bookTicker")),
    });
    plans.push({
      name: "futures-mark",
      market: "FUT",
      url: futuresMarketStreamUrl(urls, lower(futuresSymbols, "@markPrice@1s")),
    });
  }
  return plans;
}

/** Parses one market frame; unreadable frames are logged and dropped. */
export function readMarketFrame(
  market: Market,
  text: string,
  clock: Clock,
  logger: Logger,
): ParsedMessage | null {
  try {
    return parseMarketMessage(market, JSON.parse(text), clock.nowMs());
  } catch (error) {
    if (!(error instanceof WireError) && !(error instanceof SyntaxError)) throw error;
    logger.warn("binance market frame unreadable", { market, error: String(error) });
    return null;
  }
}
