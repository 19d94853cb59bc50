// Value copies for the in-memory twins. They mirror what a database round trip does: decimals
// come back canonical (trailing zeros dropped), JSON fields come back as parsed JSON, and nothing
// the caller holds is shared with what the twin stores.

import { type Decimal, normalize } from "../../domain/decimal/index.ts";
import type { BookTop3, Fill, Order, OrderResult } from "../../domain/order/index.ts";
import type { OutboxEvent } from "../../ports/order-store.ts";
import type { Alert, IntentRecord, StrategyEvent } from "../../ports/order-store.ts";

export function copyDecimal(value: Decimal): Decimal {
  const canonical = normalize(value);
  return { units: canonical.units, scale: canonical.scale };
}

function copyOptionalDecimal(value: Decimal | null): Decimal | null {
  return value === null ? null : copyDecimal(value);
}

/** A JSON round trip: throws where a database adapter would (a bigint, a cycle). */
export function copyJson<T>(value: T): T {
  const text = JSON.stringify(value ?? null);
  return JSON.parse(text) as T;
}

export function copyIntent(intent: IntentRecord): IntentRecord {
  return {
    intentId: intent.intentId,
    fingerprint: intent.fingerprint,
    orderId: intent.orderId,
    clientOrderId: intent.clientOrderId,
    request: copyJson(intent.request),
    result: intent.result === null ? null : copyJson<OrderResult>(intent.result),
    createdAtMs: intent.createdAtMs,
    updatedAtMs: intent.updatedAtMs,
  };
}

export function copyOrder(order: Order): Order {
  return {
    ...order,
    qty: copyDecimal(order.qty),
    price: copyOptionalDecimal(order.price),
    stopPrice: copyOptionalDecimal(order.stopPrice),
    filledQty: copyDecimal(order.filledQty),
    filledQuote: copyDecimal(order.filledQuote),
    avgPrice: copyOptionalDecimal(order.avgPrice),
    tradeIds: [...order.tradeIds],
    midAtSend: copyOptionalDecimal(order.midAtSend),
  };
}

function copyBook(book: BookTop3 | null): BookTop3 | null {
  if (book === null) return null;
  const level = (entry: BookTop3["bids"][number]) => ({
    price: copyDecimal(entry.price),
    qty: copyDecimal(entry.qty),
  });
  return { bids: book.bids.map(level), asks: book.asks.map(level) };
}

export function copyFill(fill: Fill): Fill {
  return {
    ...fill,
    price: copyDecimal(fill.price),
    qty: copyDecimal(fill.qty),
    fee: copyDecimal(fill.fee),
    feeUsdt: copyOptionalDecimal(fill.feeUsdt),
    midAtSend: copyOptionalDecimal(fill.midAtSend),
    bookTop3: copyBook(fill.bookTop3),
  };
}

export function copyStrategyEvent(event: StrategyEvent): StrategyEvent {
  return { ...event, payload: copyJson(event.payload) };
}

export function copyAlert(alert: Alert): Alert {
  return { ...alert, refs: copyJson(alert.refs) };
}

export function copyOutboxEvent<T extends OutboxEvent>(event: T): T {
  return { ...event, payload: copyJson(event.payload) };
}
