// The simulated venue's state in SQLite (bun:sqlite, WAL), beside the router's store: one core
// document plus one row per order, conditional order and order list, all under `sim_` tables.
// Each engine call's changes are written in one transaction before its events go out.

import { Database } from "bun:sqlite";
import type { SimEncodedState, SimStateDelta } from "./engine/index.ts";

const schema = [
  "CREATE TABLE IF NOT EXISTS sim_core (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS sim_orders (key TEXT PRIMARY KEY, json TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS sim_algo_orders (key TEXT PRIMARY KEY, json TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS sim_order_lists (key TEXT PRIMARY KEY, json TEXT NOT NULL)",
];

type Table = "sim_orders" | "sim_algo_orders" | "sim_order_lists";

interface Statements {
  readonly upsert: ReturnType<Database["prepare"]>;
  readonly remove: ReturnType<Database["prepare"]>;
}

export class SimStateStore {
  private readonly db: Database;
  private readonly core: ReturnType<Database["prepare"]>;
  private readonly tables: Record<Table, Statements>;
  private readonly applyDelta: (delta: SimStateDelta) => void;

  /** Opens (or creates) the database file; ":memory:" works for tests. */
  constructor(path: string) {
    this.db = new Database(path, { create: true });
    this.db.exec("PRAGMA journal_mode = WAL");
    // A simulated venue needs to survive a router restart or crash, not a power cut: with WAL and
    // synchronous=OFF a committed transaction is in the OS's hands when the call returns (a
    // process crash keeps it), and commits cost a sixth of NORMAL's (no checkpoint fsyncs).
    this.db.exec("PRAGMA synchronous = OFF");
    this.db.exec("PRAGMA busy_timeout = 5000");
    for (const statement of schema) this.db.exec(statement);
    this.core = this.db.prepare(
      "INSERT INTO sim_core (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
    );
    const statements = (table: Table): Statements => ({
      upsert: this.db.prepare(
        `INSERT INTO ${table} (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json`,
      ),
      remove: this.db.prepare(`DELETE FROM ${table} WHERE key = ?`),
    });
    this.tables = {
      sim_orders: statements("sim_orders"),
      sim_algo_orders: statements("sim_algo_orders"),
      sim_order_lists: statements("sim_order_lists"),
    };
    this.applyDelta = this.db.transaction((delta: SimStateDelta) => this.write(delta));
  }

  /** The saved venue, or null when this file has none yet. */
  load(): SimEncodedState | null {
    const core = this.db.query("SELECT json FROM sim_core WHERE id = 1").get() as {
      json: string;
    } | null;
    if (core === null) return null;
    const rows = (table: Table) =>
      (this.db.query(`SELECT json FROM ${table}`).all() as { json: string }[]).map((r) => r.json);
    return {
      core: core.json,
      orders: rows("sim_orders"),
      algos: rows("sim_algo_orders"),
      lists: rows("sim_order_lists"),
    };
  }

  /** Replaces everything with a whole state (first start), in one transaction. */
  saveAll(delta: SimStateDelta): void {
    this.db.transaction(() => {
      for (const table of Object.keys(this.tables)) this.db.exec(`DELETE FROM ${table}`);
      this.write(delta);
    })();
  }

  /** Writes one engine call's changes in one transaction. */
  apply(delta: SimStateDelta): void {
    this.applyDelta(delta);
  }

  private write(delta: SimStateDelta): void {
    this.core.run(delta.core);
    const put = (table: Table, rows: SimStateDelta["orders"], removed: readonly string[]) => {
      for (const row of rows) this.tables[table].upsert.run(row.key, row.json);
      for (const key of removed) this.tables[table].remove.run(key);
    };
    put("sim_orders", delta.orders, delta.ordersRemoved);
    put("sim_algo_orders", delta.algos, delta.algosRemoved);
    put("sim_order_lists", delta.lists, delta.listsRemoved);
  }

  close(): void {
    this.db.close();
  }
}
