// Translation between domain records and table rows. Decimals travel as canonical strings, JSON
// columns hold plain JSON, and a row that does not decode is a broken invariant, not a value.

import { dec, type Decimal, formatDecimal } from "../../domain/decimal/index.ts";
import type { Market } from "../../domain/instrument/index.ts";
import type {
  BookLevel,
  BookTop3,
  Fill,
  Liquidity,
  Order,
  OrderResult,
  OrderRole,
  OrderStatus,
  OrderType,
  Side,
  TimeInForce,
} from "../../domain/order/index.ts";
import type { StoredOutboxEvent } from "../../ports/event-outbox.ts";
import type {
  Alert,
  AlertLevel,
  IntentRecord,
  StrategyEvent,
  StrategyEventKind,
} from "../../ports/order-store.ts";

export type SqlValue = string | number | null;
export type SqlParams = Record<string, SqlValue>;

function decimalText(value: Decimal): string {
  return formatDecimal(value);
}

function optionalDecimalText(value: Decimal | null): string | null {
  return value === null ? null : formatDecimal(value);
}

function optionalDecimal(text: string | null): Decimal | null {
  return text === null ? null : dec(text);
}

export interface IntentRow {
  intent_id: string;
  fingerprint: string;
  order_id: string;
  client_order_id: string;
  request_json: string;
  result_json: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export function intentParams(intent: IntentRecord): SqlParams {
  return {
    intent_id: intent.intentId,
    fingerprint: intent.fingerprint,
    order_id: intent.orderId,
    client_order_id: intent.clientOrderId,
    request_json: JSON.stringify(intent.request ?? null),
    result_json: intent.result === null ? null : JSON.stringify(intent.result),
    created_at_ms: intent.createdAtMs,
    updated_at_ms: intent.updatedAtMs,
  };
}

export function intentFromRow(row: IntentRow): IntentRecord {
  return {
    intentId: row.intent_id,
    fingerprint: row.fingerprint,
    orderId: row.order_id,
    clientOrderId: row.client_order_id,
    request: JSON.parse(row.request_json) as unknown,
    result: row.result_json === null ? null : (JSON.parse(row.result_json) as OrderResult),
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

export interface OrderRow {
  order_id: string;
  intent_id: string;
  client_order_id: string;
  exchange_order_id: string | null;
  market: string;
  symbol: string;
  side: string;
  type: string;
  time_in_force: string | null;
  qty: string;
  price: string | null;
  stop_price: string | null;
  status: string;
  filled_qty: string;
  filled_quote: string;
  avg_price: string | null;
  reduce_only: number;
  role: string;
  parent_id: string | null;
  trade_ids_json: string;
  mid_at_send: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export function orderParams(order: Order): SqlParams {
  return {
    order_id: order.orderId,
    intent_id: order.intentId,
    client_order_id: order.clientOrderId,
    exchange_order_id: order.exchangeOrderId,
    market: order.market,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    time_in_force: order.timeInForce,
    qty: decimalText(order.qty),
    price: optionalDecimalText(order.price),
    stop_price: optionalDecimalText(order.stopPrice),
    status: order.status,
    filled_qty: decimalText(order.filledQty),
    filled_quote: decimalText(order.filledQuote),
    avg_price: optionalDecimalText(order.avgPrice),
    reduce_only: order.reduceOnly ? 1 : 0,
    role: order.role,
    parent_id: order.parentId,
    trade_ids_json: JSON.stringify(order.tradeIds),
    mid_at_send: optionalDecimalText(order.midAtSend),
    created_at_ms: order.createdAtMs,
    updated_at_ms: order.updatedAtMs,
  };
}

export function orderFromRow(row: OrderRow): Order {
  return {
    orderId: row.order_id,
    intentId: row.intent_id,
    clientOrderId: row.client_order_id,
    exchangeOrderId: row.exchange_order_id,
    market: row.market as Market,
    symbol: row.symbol,
    side: row.side as Side,
    type: row.type as OrderType,
    timeInForce: row.time_in_force as TimeInForce | null,
    qty: dec(row.qty),
    price: optionalDecimal(row.price),
    stopPrice: optionalDecimal(row.stop_price),
    status: row.status as OrderStatus,
    filledQty: dec(row.filled_qty),
    filledQuote: dec(row.filled_quote),
    avgPrice: optionalDecimal(row.avg_price),
    reduceOnly: row.reduce_only === 1,
    role: row.role as OrderRole,
    parentId: row.parent_id,
    tradeIds: JSON.parse(row.trade_ids_json) as string[],
    midAtSend: optionalDecimal(row.mid_at_send),
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

interface BookLevelJson {
  price: string;
  qty: string;
}

interface BookTop3Json {
  bids: BookLevelJson[];
  asks: BookLevelJson[];
}

function levelsToJson(levels: readonly BookLevel[]): BookLevelJson[] {
  return levels.map((level) => ({ price: decimalText(level.price), qty: decimalText(level.qty) }));
}

function levelsFromJson(levels: readonly BookLevelJson[]): BookLevel[] {
  return levels.map((level) => ({ price: dec(level.price), qty: dec(level.qty) }));
}

function bookTop3Json(book: BookTop3 | null): string | null {
  if (book === null) return null;
  const json: BookTop3Json = { bids: levelsToJson(book.bids), asks: levelsToJson(book.asks) };
  return JSON.stringify(json);
}

function bookTop3FromJson(text: string | null): BookTop3 | null {
  if (text === null) return null;
  const json = JSON.parse(text) as BookTop3Json;
  return { bids: levelsFromJson(json.bids), asks: levelsFromJson(json.asks) };
}

export interface FillRow {
  fill_id: string;
  order_id: string;
  trade_id: string;
  price: string;
  qty: string;
  fee: string;
  fee_asset: string;
  fee_usdt: string | null;
  liquidity: string;
  mid_at_send: string | null;
  book_top3_json: string | null;
  slippage_bps: number | null;
  ts_ms: number;
}

export function fillParams(fill: Fill): SqlParams {
  return {
    fill_id: fill.fillId,
    order_id: fill.orderId,
    trade_id: fill.tradeId,
    price: decimalText(fill.price),
    qty: decimalText(fill.qty),
    fee: decimalText(fill.fee),
    fee_asset: fill.feeAsset,
    fee_usdt: optionalDecimalText(fill.feeUsdt),
    liquidity: fill.liquidity,
    mid_at_send: optionalDecimalText(fill.midAtSend),
    book_top3_json: bookTop3Json(fill.bookTop3),
    slippage_bps: fill.slippageBps,
    ts_ms: fill.tsMs,
  };
}

export function fillFromRow(row: FillRow): Fill {
  return {
    fillId: row.fill_id,
    orderId: row.order_id,
    tradeId: row.trade_id,
    price: dec(row.price),
    qty: dec(row.qty),
    fee: dec(row.fee),
    feeAsset: row.fee_asset,
    feeUsdt: optionalDecimal(row.fee_usdt),
    liquidity: row.liquidity as Liquidity,
    midAtSend: optionalDecimal(row.mid_at_send),
    bookTop3: bookTop3FromJson(row.book_top3_json),
    slippageBps: row.slippage_bps,
    tsMs: row.ts_ms,
  };
}

export interface StrategyEventRow {
  event_id: string;
  kind: string;
  intent_id: string | null;
  order_id: string | null;
  payload_json: string;
  ts_ms: number;
}

export function strategyEventParams(event: StrategyEvent): SqlParams {
  return {
    event_id: event.eventId,
    kind: event.kind,
    intent_id: event.intentId,
    order_id: event.orderId,
    payload_json: JSON.stringify(event.payload),
    ts_ms: event.tsMs,
  };
}

export function strategyEventFromRow(row: StrategyEventRow): StrategyEvent {
  return {
    eventId: row.event_id,
    kind: row.kind as StrategyEventKind,
    intentId: row.intent_id,
    orderId: row.order_id,
    payload: JSON.parse(row.payload_json) as Record<string, unknown>,
    tsMs: row.ts_ms,
  };
}

export interface AlertRow {
  alert_id: string;
  level: string;
  code: string;
  message: string;
  refs_json: string;
  ts_ms: number;
}

export function alertParams(alert: Alert): SqlParams {
  return {
    alert_id: alert.alertId,
    level: alert.level,
    code: alert.code,
    message: alert.message,
    refs_json: JSON.stringify(alert.refs),
    ts_ms: alert.tsMs,
  };
}

export function alertFromRow(row: AlertRow): Alert {
  return {
    alertId: row.alert_id,
    level: row.level as AlertLevel,
    code: row.code,
    message: row.message,
    refs: JSON.parse(row.refs_json) as Record<string, string>,
    tsMs: row.ts_ms,
  };
}

export interface OutboxRow {
  sequence: number;
  event_id: string;
  stream: string;
  payload_json: string;
  created_at_ms: number;
}

export function outboxFromRow(row: OutboxRow): StoredOutboxEvent {
  return {
    sequence: row.sequence,
    eventId: row.event_id,
    stream: row.stream,
    payload: JSON.parse(row.payload_json) as Record<string, unknown>,
    createdAtMs: row.created_at_ms,
  };
}
