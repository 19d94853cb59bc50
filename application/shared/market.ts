// Small helpers over a book snapshot: the mid, the top three levels, the reference price.

import { add, type Decimal, div, isPositive } from "../../domain/decimal/index.ts";
import type { BookTop3, Side } from "../../domain/order/index.ts";
import type { BookSnapshot } from "../../ports/exchange-gateway.ts";

export function midPrice(snapshot: BookSnapshot | null): Decimal | null {
  if (snapshot === null || !isPositive(snapshot.bid) || !isPositive(snapshot.ask)) return null;
  const scale = Math.max(snapshot.bid.scale, snapshot.ask.scale) + 1;
  return div(add(snapshot.bid, snapshot.ask), { units: 2n, scale: 0 }, scale, "half_up");
}

export function bookTop3(snapshot: BookSnapshot | null): BookTop3 | null {
  if (snapshot === null) return null;
  return { bids: snapshot.bids.slice(0, 3), asks: snapshot.asks.slice(0, 3) };
}

/** The price a market order of `side` would trade near: the far touch. */
export function takingPrice(snapshot: BookSnapshot, side: Side): Decimal {
  return side === "BUY" ? snapshot.ask : snapshot.bid;
}
