// Market streams on Binance's paths: spot /ws/<stream> and /stream?streams=a/b with
// <symbol>@bookTicker; USDⓈ-M /public/(ws|stream) bookTicker and /market/(ws|stream)
// <symbol>@markPrice (every 3 s) or @markPrice@1s, on the injected clock. Book tickers are
// pushed on every change of the top of book. SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS work.

import type { SimBookTop, SimEvent, SimMarkPrice } from "../engine/index.ts";
import { nextFundingTime } from "./market-data-routes.ts";
import { futuresFormat } from "./route.ts";
import { type MarketProduct, type MarketSession, type SimSocket, sendText } from "./socket-data.ts";
import type { VenueState } from "./venue-state.ts";
import { fixed, spot } from "./wire-format.ts";

export const marketSocketsMax = 1_000;
/** Binance: up to 1024 streams per connection. */
export const streamsPerSocketMax = 1_024;

const streamPatterns: Readonly<Record<MarketProduct, RegExp>> = {
  SPOT: /^[a-z0-9]+@bookticker$/,
  FUT_PUBLIC: /^[a-z0-9]+@bookticker$/,
  FUT_MARKET: /^[a-z0-9]+@markprice(@1s)?$/,
};

/** Canonical stream name: lower-case symbol, Binance's suffix spelling. */
export function canonicalStream(product: MarketProduct, name: string): string | null {
  const lower = name.toLowerCase();
  if (!streamPatterns[product].test(lower)) return null;
  const [symbol, ...rest] = lower.split("@");
  const suffix = rest
    .join("@")
    .replace("bookticker", "bookTicker")
    .replace("markprice", "markPrice");
  return `${symbol}@${suffix}`;
}

interface MarkSchedule {
  nextDueMs: number;
}

export class MarketStreams {
  private readonly venue: VenueState;
  private readonly sockets = new Set<SimSocket>();
  private readonly marks = new Map<string, SimMarkPrice>();
  private readonly schedules = new Map<string, MarkSchedule>();

  constructor(venue: VenueState) {
    this.venue = venue;
  }

  count(): number {
    return this.sockets.size;
  }

  open(socket: SimSocket): void {
    this.sockets.add(socket);
  }

  close(socket: SimSocket): void {
    this.sockets.delete(socket);
  }

  /** Closes every market connection (an admin-driven drop). */
  dropAll(code = 1001, reason = "going away"): void {
    for (const socket of [...this.sockets]) socket.close(code, reason);
  }

  reset(): void {
    this.marks.clear();
    this.schedules.clear();
  }

  /** Handles SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS frames. */
  message(socket: SimSocket, session: MarketSession, text: string): void {
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      sendText(socket, JSON.stringify({ error: { code: 3, msg: "Invalid JSON" }, id: null }));
      return;
    }
    const id = request.id ?? null;
    const params = Array.isArray(request.params) ? request.params.map(String) : [];
    const reply = (body: Record<string, unknown>) =>
      sendText(socket, JSON.stringify({ ...body, id }));
    switch (request.method) {
      case "SUBSCRIBE":
      case "UNSUBSCRIBE": {
        const names = params.map((name) => canonicalStream(session.product, name));
        if (names.some((name) => name === null)) {
          reply({ error: { code: 2, msg: "Invalid request: unknown stream name" } });
          return;
        }
        for (const name of names as string[]) {
          if (request.method === "UNSUBSCRIBE") session.streams.delete(name);
          else if (session.streams.size < streamsPerSocketMax) session.streams.add(name);
        }
        reply({ result: null });
        return;
      }
      case "LIST_SUBSCRIPTIONS":
        reply({ result: [...session.streams] });
        return;
      default:
        reply({ error: { code: 1, msg: "Invalid request: unknown method" } });
    }
  }

  onEngineEvent(event: SimEvent): void {
    if (event.kind === "BOOK_TOP") this.pushBook(event.top, event.updateId);
    if (event.kind === "MARK_PRICE") this.marks.set(event.mark.symbol, event.mark);
  }

  private pushBook(top: SimBookTop, updateId: number): void {
    const product: MarketProduct = top.market === "SPOT" ? "SPOT" : "FUT_PUBLIC";
    const stream = `${top.symbol.toLowerCase()}@bookTicker`;
    const data = this.bookTicker(top, updateId);
    this.publish(product, stream, data);
  }

  private bookTicker(top: SimBookTop, updateId: number): Record<string, unknown> {
    if (top.market === "SPOT") {
      return {
        u: updateId,
        s: top.symbol,
        b: spot(top.bid),
        B: spot(top.bidQty),
        a: spot(top.ask),
        A: spot(top.askQty),
      };
    }
    const format = futuresFormat(this.venue, top.symbol);
    return {
      e: "bookTicker",
      u: updateId,
      E: top.tsMs,
      T: top.tsMs,
      s: top.symbol,
      b: format.price(top.bid),
      B: format.qty(top.bidQty),
      a: format.price(top.ask),
      A: format.qty(top.askQty),
      st: 1,
      ps: top.symbol,
    };
  }

  private publish(product: MarketProduct, stream: string, data: Record<string, unknown>): void {
    let raw: string | null = null;
    let combined: string | null = null;
    for (const socket of this.sockets) {
      const session = socket.data as MarketSession;
      if (session.product !== product || !session.streams.has(stream)) continue;
      if (session.combined) {
        combined ??= JSON.stringify({ stream, data });
        sendText(socket, combined);
      } else {
        raw ??= JSON.stringify(data);
        sendText(socket, raw);
      }
    }
  }

  /** Pushes the mark-price streams that are due at `nowMs`. */
  tick(nowMs: number): void {
    const wanted = new Set<string>();
    for (const socket of this.sockets) {
      const session = socket.data as MarketSession;
      if (session.product !== "FUT_MARKET") continue;
      for (const stream of session.streams) wanted.add(stream);
    }
    for (const stream of wanted) this.pushMarkIfDue(stream, nowMs);
  }

  private pushMarkIfDue(stream: string, nowMs: number): void {
    const intervalMs = stream.endsWith("@1s") ? 1_000 : 3_000;
    let schedule = this.schedules.get(stream);
    if (schedule === undefined) {
      schedule = { nextDueMs: nowMs };
      this.schedules.set(stream, schedule);
    }
    if (nowMs < schedule.nextDueMs) return;
    schedule.nextDueMs = (Math.floor(nowMs / intervalMs) + 1) * intervalMs;
    const symbol = (stream.split("@")[0] ?? "").toUpperCase();
    const mark = this.markOf(symbol, nowMs);
    if (mark === null) return;
    this.publish("FUT_MARKET", stream, {
      e: "markPriceUpdate",
      E: nowMs,
      s: symbol,
      p: fixed(mark.markPrice, 8),
      i: fixed(mark.indexPrice, 8),
      P: fixed(mark.markPrice, 8),
      r: "0.00010000",
      T: nextFundingTime(nowMs),
      st: 1,
    });
  }

  private markOf(symbol: string, nowMs: number): SimMarkPrice | null {
    const cached = this.marks.get(symbol);
    if (cached !== undefined) return cached;
    const mark = this.venue.engine.markPrice(symbol, nowMs);
    if (!mark.ok) return null;
    this.marks.set(symbol, mark.value);
    return mark.value;
  }
}

/** Which product a stream path serves, and whether it is combined. */
export function marketPath(
  path: string,
): { product: MarketProduct; combined: boolean; rawStreams: string[] } | null {
  const routes: readonly [string, MarketProduct][] = [
    ["/public", "FUT_PUBLIC"],
    ["/market", "FUT_MARKET"],
    ["", "SPOT"],
  ];
  for (const [prefix, product] of routes) {
    if (path === `${prefix}/stream`) return { product, combined: true, rawStreams: [] };
    if (path.startsWith(`${prefix}/ws/`)) {
      const names = path
        .slice(prefix.length + 4)
        .split("/")
        .filter((name) => name !== "");
      return { product, combined: false, rawStreams: names.map(decodeURIComponent) };
    }
    if (path === `${prefix}/ws`) return { product, combined: false, rawStreams: [] };
  }
  return null;
}
