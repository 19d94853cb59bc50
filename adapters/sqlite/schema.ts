// The store's schema as an ordered list of forward migrations, applied once each under a write
// lock, so two processes opening the same file never migrate it twice.

import type { Database } from "bun:sqlite";

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

/** Statuses that end an order; the open-orders index and query must spell the same list. */
export const terminalStatusSql = "('FILLED', 'CANCELED', 'REJECTED', 'EXPIRED')";

// Decimals are TEXT holding canonical strings (formatDecimal): never REAL, so no value is ever
// rounded by the database. Timestamps are integer milliseconds since the epoch.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: "intents, orders, fills, strategy events, alerts, outbox",
    statements: [
      `CREATE TABLE intents (
        intent_id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        order_id TEXT NOT NULL,
        client_order_id TEXT NOT NULL,
        request_json TEXT NOT NULL,
        result_json TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT`,
      `CREATE TABLE orders (
        order_id TEXT PRIMARY KEY,
        intent_id TEXT NOT NULL,
        client_order_id TEXT NOT NULL UNIQUE,
        exchange_order_id TEXT,
        market TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        type TEXT NOT NULL,
        time_in_force TEXT,
        qty TEXT NOT NULL,
        price TEXT,
        stop_price TEXT,
        status TEXT NOT NULL,
        filled_qty TEXT NOT NULL,
        filled_quote TEXT NOT NULL,
        avg_price TEXT,
        reduce_only INTEGER NOT NULL,
        role TEXT NOT NULL,
        parent_id TEXT,
        trade_ids_json TEXT NOT NULL,
        mid_at_send TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT`,
      "CREATE INDEX orders_by_intent ON orders (intent_id, created_at_ms)",
      `CREATE INDEX orders_open ON orders (created_at_ms)
        WHERE status NOT IN ${terminalStatusSql}`,
      `CREATE TABLE fills (
        fill_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        trade_id TEXT NOT NULL,
        price TEXT NOT NULL,
        qty TEXT NOT NULL,
        fee TEXT NOT NULL,
        fee_asset TEXT NOT NULL,
        fee_usdt TEXT,
        liquidity TEXT NOT NULL,
        mid_at_send TEXT,
        book_top3_json TEXT,
        slippage_bps REAL,
        ts_ms INTEGER NOT NULL,
        UNIQUE (order_id, trade_id)
      ) STRICT`,
      `CREATE TABLE strategy_events (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        intent_id TEXT,
        order_id TEXT,
        payload_json TEXT NOT NULL,
        ts_ms INTEGER NOT NULL
      ) STRICT`,
      "CREATE INDEX strategy_events_by_intent ON strategy_events (intent_id, ts_ms)",
      `CREATE TABLE alerts (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL UNIQUE,
        level TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        refs_json TEXT NOT NULL,
        ts_ms INTEGER NOT NULL
      ) STRICT`,
      "CREATE INDEX alerts_by_time ON alerts (ts_ms, sequence)",
      `CREATE TABLE outbox (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        stream TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        published_at_ms INTEGER
      ) STRICT`,
      "CREATE INDEX outbox_pending ON outbox (sequence) WHERE published_at_ms IS NULL",
    ],
  },
];

export const schemaVersionLatest = migrations.reduce((max, m) => Math.max(max, m.version), 0);

export function schemaVersion(db: Database): number {
  const row = db.query("SELECT MAX(version) AS version FROM schema_migrations").get() as {
    version: number | null;
  } | null;
  return row?.version ?? 0;
}

/**
 * Brings the file to the latest schema. Runs under BEGIN IMMEDIATE: a second process waits on
 * the lock (busy timeout), then finds the work done. A file newer than this code is refused.
 */
export function migrate(db: Database, nowMs: number): { from: number; to: number } {
  db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL
  ) STRICT`);
  const apply = db.transaction(() => {
    const from = schemaVersion(db);
    if (from > schemaVersionLatest) {
      throw new Error(
        `Condition failed: database schema version ${from} is newer than this build ` +
          `(${schemaVersionLatest})`,
      );
    }
    const record = db.prepare(
      "INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (?, ?, ?)",
    );
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      for (const statement of migration.statements) db.run(statement);
      record.run(migration.version, migration.description, nowMs);
    }
    return { from, to: schemaVersion(db) };
  });
  return apply.immediate();
}
