// Market snapshots read from the exchange gateway itself (the embedded default, DESIGN §7),
// cached for a short time so bursts of intents do not each ask the venue.

import type { Market } from "../../domain/instrument/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { BookSnapshot, ExchangeGateway } from "../../ports/exchange-gateway.ts";
import type { MarketData } from "../../ports/market-data.ts";

export class GatewayMarketData implements MarketData {
  private readonly cache = new Map<string, BookSnapshot>();

  constructor(
    private readonly exchange: ExchangeGateway,
    private readonly clock: Clock,
    private readonly maxAgeMs = 0,
  ) {}

  async snapshot(market: Market, symbol: string): Promise<BookSnapshot | null> {
    const key = `${market}:${symbol}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && this.clock.nowMs() - cached.tsMs <= this.maxAgeMs) return cached;
    const answer = await this.exchange.bookTop(market, symbol);
    if (!answer.ok) return cached ?? null;
    if (this.cache.size < 10_000) this.cache.set(key, answer.value);
    return answer.value;
  }
}
