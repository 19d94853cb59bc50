// Market snapshots written by the market-data service to `mkt:{snap}:<MARKET>:<SYMBOL>` (DESIGN
// §7): bid, ask, sizes, top-3 levels, mark and ts, as a JSON string or as hash fields (levels as
// JSON text). A snapshot that is absent, unreadable or older than maxAgeMs is replaced by the
// fallback's (the exchange gateway's own book), so a stalled feed never drives a decision.

import { type Decimal, isPositive, parseDecimal } from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type { BookLevel } from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type { BookSnapshot } from "../../ports/exchange-gateway.ts";
import type { Logger } from "../../ports/logger.ts";
import type { MarketData } from "../../ports/market-data.ts";
import { type RedisClient, withDeadline } from "./redis-client.ts";
import { redisScript, runScript } from "./redis-script.ts";

export function snapshotKey(market: Market, symbol: string): string {
  return `mkt:{snap}:${market}:${symbol}`;
}

// KEYS[1] snapshot. Answers {"string", value}, {"hash", field, value, ...} or {"none"}.
const readScript = redisScript(`
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'string' then return {'string', redis.call('GET', KEYS[1])} end
if kind == 'hash' then
  local out = {'hash'}
  for _, item in ipairs(redis.call('HGETALL', KEYS[1])) do table.insert(out, item) end
  return out
end
return {'none'}
`);

export const levelsMax = 3;
/** Keys whose bad snapshot was already logged; past it nothing more is logged. */
const warnedKeysMax = 1_024;

export interface RedisMarketDataOptions {
  /** A snapshot older than this is stale (default 2 s). */
  readonly maxAgeMs?: number;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export class RedisMarketData implements MarketData {
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;
  private readonly warned = new Set<string>();

  constructor(
    private readonly client: RedisClient,
    private readonly fallback: MarketData,
    private readonly clock: Clock,
    private readonly options: RedisMarketDataOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 2_000;
    this.timeoutMs = options.timeoutMs ?? 500;
  }

  async snapshot(market: Market, symbol: string): Promise<BookSnapshot | null> {
    const key = snapshotKey(market, symbol);
    const stored = await this.read(key).catch((error: unknown) => {
      this.warnOnce(key, "market snapshot unreadable; using the exchange's book", error);
      return null;
    });
    if (stored !== null) {
      const parsed = parseSnapshot(market, symbol, stored);
      if (parsed === null)
        this.warnOnce(key, "market snapshot malformed; using the exchange's book");
      else if (this.clock.nowMs() - parsed.tsMs <= this.maxAgeMs) return parsed;
    }
    return this.fallback.snapshot(market, symbol);
  }

  private async read(key: string): Promise<Record<string, unknown> | null> {
    const reply = (await withDeadline(
      runScript(this.client, readScript, key, []),
      this.timeoutMs,
      "market snapshot read",
    )) as string[];
    if (reply[0] === "string") return JSON.parse(reply[1] ?? "null") as Record<string, unknown>;
    if (reply[0] !== "hash") return null;
    const fields: Record<string, unknown> = {};
    for (let index = 1; index + 1 < reply.length; index += 2) {
      fields[reply[index]!] = reply[index + 1];
    }
    return fields;
  }

  private warnOnce(key: string, message: string, error?: unknown): void {
    if (this.warned.has(key) || this.warned.size >= warnedKeysMax) return;
    this.warned.add(key);
    this.options.logger?.warn(message, {
      key,
      ...(error === undefined ? {} : { error: String(error) }),
    });
  }
}

function decimalOf(value: unknown): Decimal | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const parsed = parseDecimal(String(value));
  return parsed.ok ? parsed.value : null;
}

function levelsOf(value: unknown): BookLevel[] | null {
  const list = typeof value === "string" ? safeJson(value) : value;
  if (!Array.isArray(list)) return null;
  const levels: BookLevel[] = [];
  for (const item of list.slice(0, levelsMax)) {
    const pair = Array.isArray(item)
      ? { price: item[0], qty: item[1] }
      : (item as Record<string, unknown>);
    const price = decimalOf(pair?.["price"]);
    const qty = decimalOf(pair?.["qty"]);
    if (price === null || qty === null) return null;
    levels.push({ price, qty });
  }
  return levels;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The stored fields as a snapshot, or null when any required field is missing or malformed. */
export function parseSnapshot(
  market: Market,
  symbol: string,
  fields: Record<string, unknown>,
): BookSnapshot | null {
  const bid = decimalOf(fields["bid"]);
  const ask = decimalOf(fields["ask"]);
  const bidQty = decimalOf(fields["bid_qty"]);
  const askQty = decimalOf(fields["ask_qty"]);
  const tsMs = Number(fields["ts"]);
  if (bid === null || ask === null || bidQty === null || askQty === null) return null;
  if (!isPositive(bid) || !isPositive(ask) || !Number.isSafeInteger(tsMs)) return null;
  const bids =
    fields["bids"] === undefined ? [{ price: bid, qty: bidQty }] : levelsOf(fields["bids"]);
  const asks =
    fields["asks"] === undefined ? [{ price: ask, qty: askQty }] : levelsOf(fields["asks"]);
  if (bids === null || asks === null) return null;
  const mark =
    fields["mark"] === undefined || fields["mark"] === null ? null : decimalOf(fields["mark"]);
  return { market, symbol, bid, ask, bidQty, askQty, bids, asks, markPrice: mark, tsMs };
}
