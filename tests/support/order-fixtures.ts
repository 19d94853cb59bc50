// Builders for store records in tests: valid defaults, overridable field by field.

import { dec } from "../../domain/decimal/index.ts";
import type { Fill, Order, OrderResult } from "../../domain/order/index.ts";
import type { Alert, IntentRecord, OutboxEvent, StrategyEvent } from "../../ports/order-store.ts";

export const fixtureNowMs = 1_700_000_000_000;

export function makeIntent(overrides: Partial<IntentRecord> = {}): IntentRecord {
  const intentId = overrides.intentId ?? "intent-1";
  return {
    intentId,
    fingerprint: "fp-1",
    orderId: `ord_${intentId}`,
    clientOrderId: intentId,
    request: { intent_id: intentId, market: "FUT", symbol: "BTCUSDT", side: "BUY", qty: "0.01" },
    result: null,
    createdAtMs: fixtureNowMs,
    updatedAtMs: fixtureNowMs,
    ...overrides,
  };
}

export function makeOrder(overrides: Partial<Order> = {}): Order {
  const intentId = overrides.intentId ?? "intent-1";
  const orderId = overrides.orderId ?? `ord_${intentId}`;
  return {
    orderId,
    intentId,
    clientOrderId: orderId.replace(/^ord_/, "c-"),
    exchangeOrderId: null,
    market: "FUT",
    symbol: "BTCUSDT",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    qty: dec("0.01"),
    price: dec("97000.1"),
    stopPrice: null,
    status: "NEW",
    filledQty: dec("0"),
    filledQuote: dec("0"),
    avgPrice: null,
    reduceOnly: false,
    role: "ENTRY",
    parentId: null,
    tradeIds: [],
    midAtSend: dec("97000.05"),
    createdAtMs: fixtureNowMs,
    updatedAtMs: fixtureNowMs,
    ...overrides,
  };
}

export function makeFill(overrides: Partial<Fill> = {}): Fill {
  const orderId = overrides.orderId ?? "ord_intent-1";
  const tradeId = overrides.tradeId ?? "t-1";
  return {
    fillId: `${orderId}:${tradeId}`,
    orderId,
    tradeId,
    price: dec("97000.1"),
    qty: dec("0.004"),
    fee: dec("0.1940002"),
    feeAsset: "USDT",
    feeUsdt: dec("0.1940002"),
    liquidity: "TAKER",
    midAtSend: dec("97000.05"),
    bookTop3: {
      bids: [
        { price: dec("97000"), qty: dec("1.2") },
        { price: dec("96999.9"), qty: dec("0.5") },
      ],
      asks: [{ price: dec("97000.1"), qty: dec("0.8") }],
    },
    slippageBps: 0.0051546,
    tsMs: fixtureNowMs + 5,
    ...overrides,
  };
}

export function makeStrategyEvent(overrides: Partial<StrategyEvent> = {}): StrategyEvent {
  return {
    eventId: "ev-1",
    kind: "ORDER_PLACED",
    intentId: "intent-1",
    orderId: "ord_intent-1",
    payload: { policy: "LIMIT", price: "97000.1", nested: { ok: true, list: [1, "two"] } },
    tsMs: fixtureNowMs,
    ...overrides,
  };
}

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    alertId: "alert-1",
    level: "WARN",
    code: "MAKER_TIMEOUT",
    message: "maker window expired",
    refs: { intent_id: "intent-1" },
    tsMs: fixtureNowMs,
    ...overrides,
  };
}

export function makeOutboxEvent(overrides: Partial<OutboxEvent> = {}): OutboxEvent {
  return {
    eventId: "out-1",
    stream: "ord:{results}",
    payload: { intent_id: "intent-1", status: "NEW", filled_qty: "0" },
    createdAtMs: fixtureNowMs,
    ...overrides,
  };
}

export function makeResult(overrides: Partial<OrderResult> = {}): OrderResult {
  return {
    result: "OK",
    status: "FILLED",
    intent_id: "intent-1",
    order_id: "ord_intent-1",
    client_order_id: "intent-1",
    order_ids: ["ord_intent-1"],
    avg_price: "97000.1",
    filled_qty: "0.01",
    fills: [],
    legs: [],
    exec: { policy: "MARKET" },
    ...overrides,
  };
}
