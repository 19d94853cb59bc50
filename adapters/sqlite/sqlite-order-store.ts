// The embedded system of record on bun:sqlite: every createIntent/commit is one IMMEDIATE
// transaction, so an intent is created once even when processes share the file, and outbox events
// are stored with the rows they describe.

import { Database, type SQLQueryBindings, type Statement } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Fill, Order } from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import { SystemClock } from "../clock/system-clock.ts";
import type { EventOutbox, StoredOutboxEvent } from "../../ports/event-outbox.ts";
import type {
  Alert,
  CreateIntentOutcome,
  IntentRecord,
  OrderStore,
  StoreChanges,
  StrategyEvent,
} from "../../ports/order-store.ts";
import {
  type AlertRow,
  alertFromRow,
  alertParams,
  type FillRow,
  fillFromRow,
  fillParams,
  type IntentRow,
  intentFromRow,
  intentParams,
  type OrderRow,
  type OutboxRow,
  orderFromRow,
  orderParams,
  outboxFromRow,
  type SqlParams,
  type StrategyEventRow,
  strategyEventFromRow,
  strategyEventParams,
} from "./rows.ts";
import { BackgroundCheckpointer, type CheckpointStats } from "./background-checkpointer.ts";
import { migrate, terminalStatusSql } from "./schema.ts";

export interface SqliteOrderStoreOptions {
  /** File path, or ":memory:" for a private in-memory database. */
  readonly path: string;
  /** Stamps `published_at_ms` and migrations; defaults to wall-clock time. */
  readonly clock?: Clock;
  /** How long a writer waits for another connection's lock before failing. */
  readonly busyTimeoutMs?: number;
  /**
   * Period of the background WAL checkpoint (file databases). Checkpoints fsync; run inline they
   * stall whichever commit crosses SQLite's 1000-page mark for several milliseconds. null keeps
   * SQLite's inline autocheckpoint.
   */
  readonly backgroundCheckpointMs?: number | null;
}

/** Largest page a read may ask for; callers page through more. */
export const sqliteReadLimitMax = 10_000;
const busyTimeoutMsDefault = 5_000;
const backgroundCheckpointMsDefault = 200;
/** With a background checkpointer, the inline one is only a safety net (about 40 MB of WAL). */
const inlineCheckpointPagesFallback = 10_000;

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0 || limit > sqliteReadLimitMax) {
    throw new Error(`Condition failed: limit ${limit} outside 0..${sqliteReadLimitMax}`);
  }
  return limit;
}

const intentColumns =
  "intent_id, fingerprint, order_id, client_order_id, request_json, result_json, " +
  "created_at_ms, updated_at_ms";
const orderColumns =
  "order_id, intent_id, client_order_id, exchange_order_id, market, symbol, side, type, " +
  "time_in_force, qty, price, stop_price, status, filled_qty, filled_quote, avg_price, " +
  "reduce_only, role, parent_id, trade_ids_json, mid_at_send, created_at_ms, updated_at_ms";
const fillColumns =
  "fill_id, order_id, trade_id, price, qty, fee, fee_asset, fee_usdt, liquidity, mid_at_send, " +
  "book_top3_json, slippage_bps, ts_ms";

function placeholders(columns: string): string {
  return columns
    .split(",")
    .map((column) => `$${column.trim()}`)
    .join(", ");
}

function updateAll(columns: string, key: string): string {
  return columns
    .split(",")
    .map((column) => column.trim())
    .filter((column) => column !== key)
    .map((column) => `${column} = excluded.${column}`)
    .join(", ");
}

type Params = [SqlParams];

function prepareStatements(db: Database) {
  const prepare = <Row = unknown>(sql: string) => db.prepare<Row, Params>(sql);
  const prepareArgs = <Row = unknown, Args extends SQLQueryBindings[] = []>(sql: string) =>
    db.prepare<Row, Args>(sql);
  return {
    insertIntent: prepare(
      `INSERT INTO intents (${intentColumns}) VALUES (${placeholders(intentColumns)})
       ON CONFLICT (intent_id) DO NOTHING`,
    ),
    upsertIntent: prepare(
      `INSERT INTO intents (${intentColumns}) VALUES (${placeholders(intentColumns)})
       ON CONFLICT (intent_id) DO UPDATE SET ${updateAll(intentColumns, "intent_id")}`,
    ),
    upsertOrder: prepare(
      `INSERT INTO orders (${orderColumns}) VALUES (${placeholders(orderColumns)})
       ON CONFLICT (order_id) DO UPDATE SET ${updateAll(orderColumns, "order_id")}`,
    ),
    insertFill: prepare(
      `INSERT INTO fills (${fillColumns}) VALUES (${placeholders(fillColumns)})
       ON CONFLICT DO NOTHING`,
    ),
    insertStrategyEvent: prepare(
      `INSERT INTO strategy_events (event_id, kind, intent_id, order_id, payload_json, ts_ms)
       VALUES ($event_id, $kind, $intent_id, $order_id, $payload_json, $ts_ms)
       ON CONFLICT DO NOTHING`,
    ),
    insertAlert: prepare(
      `INSERT INTO alerts (alert_id, level, code, message, refs_json, ts_ms)
       VALUES ($alert_id, $level, $code, $message, $refs_json, $ts_ms)
       ON CONFLICT DO NOTHING`,
    ),
    insertOutbox: prepare(
      `INSERT INTO outbox (event_id, stream, payload_json, created_at_ms)
       VALUES ($event_id, $stream, $payload_json, $created_at_ms)
       ON CONFLICT DO NOTHING`,
    ),
    intentById: prepareArgs<IntentRow, [string]>("SELECT * FROM intents WHERE intent_id = ?"),
    orderById: prepareArgs<OrderRow, [string]>("SELECT * FROM orders WHERE order_id = ?"),
    orderByClientId: prepareArgs<OrderRow, [string]>(
      "SELECT * FROM orders WHERE client_order_id = ?",
    ),
    ordersOfIntent: prepareArgs<OrderRow, [string]>(
      "SELECT * FROM orders WHERE intent_id = ? ORDER BY created_at_ms, rowid",
    ),
    fillsOfIntent: prepareArgs<FillRow, [string]>(
      `SELECT fills.* FROM fills JOIN orders ON orders.order_id = fills.order_id
       WHERE orders.intent_id = ? ORDER BY fills.ts_ms, fills.rowid`,
    ),
    openOrders: prepareArgs<OrderRow, [number]>(
      `SELECT * FROM orders WHERE status NOT IN ${terminalStatusSql}
       ORDER BY created_at_ms, rowid LIMIT ?`,
    ),
    strategyEvents: prepareArgs<StrategyEventRow, [string]>(
      "SELECT * FROM strategy_events WHERE intent_id = ? ORDER BY ts_ms, sequence",
    ),
    recentAlerts: prepareArgs<AlertRow, [number]>(
      "SELECT * FROM alerts ORDER BY ts_ms DESC, sequence DESC LIMIT ?",
    ),
    pendingOutbox: prepareArgs<OutboxRow, [number]>(
      `SELECT sequence, event_id, stream, payload_json, created_at_ms FROM outbox
       WHERE published_at_ms IS NULL ORDER BY sequence LIMIT ?`,
    ),
    markPublished: prepareArgs<unknown, [number, number]>(
      "UPDATE outbox SET published_at_ms = ? WHERE sequence = ? AND published_at_ms IS NULL",
    ),
    prunePublished: prepareArgs<unknown, [number]>(
      "DELETE FROM outbox WHERE published_at_ms IS NOT NULL AND published_at_ms < ?",
    ),
    ping: prepareArgs<{ one: number }, []>("SELECT 1 AS one"),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export class SqliteOrderStore implements OrderStore, EventOutbox {
  private readonly db: Database;
  private readonly statements: Statements;
  private readonly clock: Clock;
  /** Returns null when it created the intent, else the row that was already there. */
  private readonly createIntentTx: (
    intent: IntentRecord,
    changes: StoreChanges,
  ) => IntentRow | null;
  private readonly commitTx: (changes: StoreChanges) => void;
  private readonly markPublishedTx: (sequences: readonly number[], nowMs: number) => void;
  private readonly checkpointer: BackgroundCheckpointer | null;
  private closed = false;

  constructor(options: SqliteOrderStoreOptions) {
    this.clock = options.clock ?? new SystemClock();
    const busyTimeoutMs = options.busyTimeoutMs ?? busyTimeoutMsDefault;
    this.db = openDatabase(options.path, busyTimeoutMs);
    try {
      migrate(this.db, this.clock.nowMs());
      this.statements = prepareStatements(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const statements = this.statements;
    this.createIntentTx = this.db.transaction((intent: IntentRecord, changes: StoreChanges) => {
      if (statements.insertIntent.run(intentParams(intent)).changes === 0) {
        return statements.intentById.get(intent.intentId);
      }
      writeChanges(statements, changes);
      return null;
    }).immediate;
    this.commitTx = this.db.transaction((changes: StoreChanges) => {
      writeChanges(statements, changes);
    }).immediate;
    this.markPublishedTx = this.db.transaction((sequences: readonly number[], nowMs: number) => {
      for (const sequence of sequences) statements.markPublished.run(nowMs, sequence);
    }).immediate;
    const checkpointMs =
      options.backgroundCheckpointMs === undefined
        ? backgroundCheckpointMsDefault
        : options.backgroundCheckpointMs;
    const background = checkpointMs !== null && !isInMemory(options.path);
    if (background) this.db.run(`PRAGMA wal_autocheckpoint = ${inlineCheckpointPagesFallback}`);
    this.checkpointer = background
      ? new BackgroundCheckpointer(options.path, checkpointMs, busyTimeoutMs)
      : null;
  }

  async createIntent(intent: IntentRecord, changes: StoreChanges): Promise<CreateIntentOutcome> {
    const existing = this.createIntentTx(intent, changes);
    return existing === null
      ? { created: true }
      : { created: false, existing: intentFromRow(existing) };
  }

  async commit(changes: StoreChanges): Promise<void> {
    this.commitTx(changes);
  }

  async getIntent(intentId: string): Promise<IntentRecord | null> {
    const row = this.statements.intentById.get(intentId);
    return row === null ? null : intentFromRow(row);
  }

  async getOrder(orderId: string): Promise<Order | null> {
    const row = this.statements.orderById.get(orderId);
    return row === null ? null : orderFromRow(row);
  }

  async getOrderByClientId(clientOrderId: string): Promise<Order | null> {
    const row = this.statements.orderByClientId.get(clientOrderId);
    return row === null ? null : orderFromRow(row);
  }

  async ordersOfIntent(intentId: string): Promise<readonly Order[]> {
    return this.statements.ordersOfIntent.all(intentId).map(orderFromRow);
  }

  async fillsOfIntent(intentId: string): Promise<readonly Fill[]> {
    return this.statements.fillsOfIntent.all(intentId).map(fillFromRow);
  }

  async openOrders(limit: number): Promise<readonly Order[]> {
    return this.statements.openOrders.all(checkLimit(limit)).map(orderFromRow);
  }

  async strategyEvents(intentId: string): Promise<readonly StrategyEvent[]> {
    return this.statements.strategyEvents.all(intentId).map(strategyEventFromRow);
  }

  async recentAlerts(limit: number): Promise<readonly Alert[]> {
    return this.statements.recentAlerts.all(checkLimit(limit)).map(alertFromRow);
  }

  async pending(limit: number): Promise<readonly StoredOutboxEvent[]> {
    return this.statements.pendingOutbox.all(checkLimit(limit)).map(outboxFromRow);
  }

  async markPublished(sequences: readonly number[]): Promise<void> {
    if (sequences.length === 0) return;
    this.markPublishedTx(sequences, this.clock.nowMs());
  }

  /** The connection's durability settings, for diagnostics and tests. */
  settings(): { journalMode: string; synchronous: number; busyTimeoutMs: number } {
    const pragma = (name: string) =>
      Object.values(this.db.query(`PRAGMA ${name}`).get() as Record<string, unknown>)[0];
    return {
      journalMode: String(pragma("journal_mode")),
      synchronous: Number(pragma("synchronous")),
      busyTimeoutMs: Number(pragma("busy_timeout")),
    };
  }

  /** Deletes outbox rows published before `publishedBeforeMs`; returns how many went. */
  prunePublishedOutbox(publishedBeforeMs: number): number {
    return this.statements.prunePublished.run(publishedBeforeMs).changes;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return this.statements.ping.get()?.one === 1;
    } catch {
      return false;
    }
  }

  /** Background checkpoint progress; null when checkpoints run inline. */
  checkpointStats(): CheckpointStats | null {
    return this.checkpointer?.stats() ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.checkpointer?.stop();
    for (const statement of Object.values(this.statements) as Statement[]) statement.finalize();
    this.db.close();
  }
}

function isInMemory(path: string): boolean {
  return path === ":memory:" || path === "";
}

function openDatabase(path: string, busyTimeoutMs: number): Database {
  const inMemory = isInMemory(path);
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  try {
    // The busy timeout comes first: switching to WAL takes a lock another process may hold.
    db.run(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    if (!inMemory) {
      const mode = db.query("PRAGMA journal_mode = WAL").get() as { journal_mode: string } | null;
      if (mode?.journal_mode !== "wal") {
        throw new Error(`Condition failed: ${path} refused WAL (${mode?.journal_mode})`);
      }
    }
    // NORMAL under WAL: a commit survives a process crash; a power loss may drop the last few.
    db.run("PRAGMA synchronous = NORMAL");
    db.run("PRAGMA foreign_keys = OFF");
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function writeChanges(statements: Statements, changes: StoreChanges): void {
  for (const intent of changes.intents ?? []) statements.upsertIntent.run(intentParams(intent));
  for (const order of changes.orders ?? []) statements.upsertOrder.run(orderParams(order));
  for (const fill of changes.fills ?? []) statements.insertFill.run(fillParams(fill));
  for (const event of changes.strategyEvents ?? []) {
    statements.insertStrategyEvent.run(strategyEventParams(event));
  }
  for (const alert of changes.alerts ?? []) statements.insertAlert.run(alertParams(alert));
  for (const event of changes.outbox ?? []) {
    statements.insertOutbox.run({
      event_id: event.eventId,
      stream: event.stream,
      payload_json: JSON.stringify(event.payload),
      created_at_ms: event.createdAtMs,
    });
  }
}
