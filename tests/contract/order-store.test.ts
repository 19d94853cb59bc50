// Runs the OrderStore contract against SqliteOrderStore (on a temp file) and MemoryOrderStore,
// then checks what only one of them promises: SQLite's on-disk format, migrations, durability
// settings and cross-process intent creation; the memory twin's bounds.

import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryOrderStore } from "../../adapters/memory/memory-order-store.ts";
import { schemaVersionLatest } from "../../adapters/sqlite/schema.ts";
import { SqliteOrderStore } from "../../adapters/sqlite/sqlite-order-store.ts";
import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import { dec } from "../../domain/decimal/index.ts";
import {
  fixtureNowMs,
  makeAlert,
  makeFill,
  makeIntent,
  makeOrder,
  makeOutboxEvent,
} from "../support/order-fixtures.ts";
import { runOrderStoreContract } from "./order-store.contract.ts";

const tempRoot = mkdtempSync(join(tmpdir(), "s4-store-"));
let fileCount = 0;
function tempPath(): string {
  fileCount += 1;
  return join(tempRoot, `db-${fileCount}`, "s4.sqlite");
}
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

runOrderStoreContract("SqliteOrderStore", async () => {
  const store = new SqliteOrderStore({ path: tempPath() });
  return { store, dispose: () => store.close() };
});

runOrderStoreContract("MemoryOrderStore", async () => {
  const store = new MemoryOrderStore();
  return { store, dispose: () => store.close() };
});

describe("SqliteOrderStore file, schema and settings", () => {
  test("creates the directory; WAL, synchronous=NORMAL, busy timeout", async () => {
    const path = tempPath();
    expect(existsSync(join(path, ".."))).toBe(false);
    const store = new SqliteOrderStore({ path, busyTimeoutMs: 2_500 });
    expect(existsSync(path)).toBe(true);
    expect(store.settings()).toEqual({ journalMode: "wal", synchronous: 1, busyTimeoutMs: 2_500 });
    await store.close();
    expect(await store.ping()).toBe(false);
  });

  test("decimals are TEXT in canonical form, JSON columns hold JSON, nothing is REAL", async () => {
    const path = tempPath();
    const store = new SqliteOrderStore({ path });
    await store.commit({
      orders: [makeOrder({ qty: { units: 1500n, scale: 3 }, price: dec("97000.10") })],
      fills: [makeFill()],
    });
    await store.close();
    const db = new Database(path, { readonly: true });
    const order = db
      .query("SELECT qty, typeof(qty) AS kind, price, trade_ids_json FROM orders")
      .get() as Record<string, unknown>;
    expect(order).toEqual({ qty: "1.5", kind: "text", price: "97000.1", trade_ids_json: "[]" });
    const fill = db
      .query("SELECT fee_usdt, typeof(fee_usdt) AS kind, book_top3_json FROM fills")
      .get() as Record<string, unknown>;
    expect(fill["fee_usdt"]).toBe("0.1940002");
    expect(fill["kind"]).toBe("text");
    expect(JSON.parse(String(fill["book_top3_json"]))).toEqual({
      bids: [
        { price: "97000", qty: "1.2" },
        { price: "96999.9", qty: "0.5" },
      ],
      asks: [{ price: "97000.1", qty: "0.8" }],
    });
    const realColumns = db
      .query(
        `SELECT m.name AS tbl, p.name AS col FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND p.type = 'REAL'`,
      )
      .all() as { tbl: string; col: string }[];
    expect(realColumns).toEqual([{ tbl: "fills", col: "slippage_bps" }]); // statistics, not money
    db.close();
  });

  test("records the schema version; data survives reopening; newer files refused", async () => {
    const path = tempPath();
    const clock = new ManualClock(fixtureNowMs);
    const first = new SqliteOrderStore({ path, clock });
    await first.createIntent(makeIntent(), { orders: [makeOrder()] });
    await first.close();
    const second = new SqliteOrderStore({ path });
    expect((await second.getIntent("intent-1"))?.fingerprint).toBe("fp-1");
    expect(await second.ordersOfIntent("intent-1")).toHaveLength(1);
    await second.close();

    const db = new Database(path);
    const versions = db.query("SELECT version, applied_at_ms FROM schema_migrations").all();
    expect(versions).toEqual([{ version: schemaVersionLatest, applied_at_ms: fixtureNowMs }]);
    db.run("INSERT INTO schema_migrations VALUES (?, 'from the future', 0)", [
      schemaVersionLatest + 1,
    ]);
    db.close();
    expect(() => new SqliteOrderStore({ path })).toThrow(/newer than this build/);
  });

  test("markPublished stamps the clock's time; pruning drops only old published rows", async () => {
    const clock = new ManualClock(fixtureNowMs);
    const path = tempPath();
    const store = new SqliteOrderStore({ path, clock });
    await store.commit({
      outbox: ["e1", "e2", "e3"].map((eventId) => makeOutboxEvent({ eventId })),
    });
    const [e1, e2] = await store.pending(2);
    await store.markPublished([e1!.sequence]);
    await clock.advanceMs(1_000);
    await store.markPublished([e2!.sequence]);
    expect(store.prunePublishedOutbox(fixtureNowMs + 1)).toBe(1);
    expect(store.prunePublishedOutbox(fixtureNowMs + 1)).toBe(0);
    expect((await store.pending(10)).map((event) => event.eventId)).toEqual(["e3"]);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(
      db.query("SELECT event_id, published_at_ms FROM outbox ORDER BY sequence").all(),
    ).toEqual([
      { event_id: "e2", published_at_ms: fixtureNowMs + 1_000 },
      { event_id: "e3", published_at_ms: null },
    ]);
    db.close();
  });

  test("an in-memory database works for throwaway stores", async () => {
    const store = new SqliteOrderStore({ path: ":memory:" });
    expect((await store.createIntent(makeIntent(), {})).created).toBe(true);
    expect(store.settings().journalMode).toBe("memory");
    await store.close();
  });
});

describe("SqliteOrderStore across processes", () => {
  test("processes racing createIntent on one file: each intent created once", async () => {
    const path = tempPath();
    new SqliteOrderStore({ path }).close(); // migrate up front: the race is about intents
    const intentCount = 600;
    const workers = ["alpha", "beta", "gamma"];
    const directions = ["up", "down", "up"];
    const script = join(import.meta.dir, "..", "support", "sqlite-intent-racer.ts");
    const children = workers.map((worker, i) =>
      Bun.spawn([process.execPath, script, path, worker, String(intentCount), directions[i]!], {
        stdin: "pipe",
        stdout: "pipe",
        stderr: "inherit",
      }),
    );
    const readers = children.map((child) => child.stdout.getReader());
    const decoder = new TextDecoder();
    const buffers = children.map(() => "");
    const readLine = async (index: number): Promise<string> => {
      for (;;) {
        const newline = buffers[index]!.indexOf("\n");
        if (newline >= 0) {
          const line = buffers[index]!.slice(0, newline);
          buffers[index] = buffers[index]!.slice(newline + 1);
          return line;
        }
        const { value, done } = await readers[index]!.read();
        if (done) throw new Error(`worker ${workers[index]} ended early`);
        buffers[index] += decoder.decode(value);
      }
    };
    expect(await Promise.all(children.map((_, index) => readLine(index)))).toEqual(
      workers.map(() => "ready"),
    );
    for (const child of children) {
      child.stdin.write("go\n");
      child.stdin.flush();
    }
    const reports = (await Promise.all(children.map((_, index) => readLine(index)))).map(
      (line) =>
        JSON.parse(line) as {
          worker: string;
          won: string[];
          startedAtMs: number;
          finishedAtMs: number;
        },
    );
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0, 0]);

    const winners = reports.flatMap((report) => report.won);
    expect(winners).toHaveLength(intentCount);
    expect(new Set(winners).size).toBe(intentCount);
    // The race was real: every worker was already trying before any of them had finished.
    // (Who wins is up to SQLite's lock, which is not fair: one writer often takes them all.)
    const lastStartMs = Math.max(...reports.map((report) => report.startedAtMs));
    const firstFinishMs = Math.min(...reports.map((report) => report.finishedAtMs));
    expect(lastStartMs).toBeLessThan(firstFinishMs);

    const store = new SqliteOrderStore({ path });
    for (const report of reports) {
      for (const intentId of report.won.slice(0, 20)) {
        expect((await store.getIntent(intentId))?.fingerprint).toBe(report.worker);
        const orders = await store.ordersOfIntent(intentId);
        expect(orders.map((order) => order.orderId)).toEqual([
          `ord_${report.worker}_${intentId.slice("race-".length)}`,
        ]);
      }
    }
    expect(await store.pending(1_000)).toHaveLength(intentCount);
    await store.close();
  }, 30_000);
});

describe("SqliteOrderStore commit cost", () => {
  function percentile(sortedUs: readonly number[], fraction: number): number {
    return sortedUs[Math.floor(fraction * (sortedUs.length - 1))] ?? Number.NaN;
  }

  test("commit of order + fill + outbox event costs well under a millisecond", async () => {
    const store = new SqliteOrderStore({ path: tempPath() });
    const rounds = 2_000;
    const changes = Array.from({ length: rounds }, (_, index) => ({
      orders: [makeOrder({ orderId: `ord_${index}`, clientOrderId: `c-${index}` })],
      fills: [makeFill({ orderId: `ord_${index}`, tradeId: `t-${index}` })],
      outbox: [makeOutboxEvent({ eventId: `out-${index}` })],
    }));
    for (const warm of changes.slice(0, 100)) await store.commit(warm);
    const commitUs: number[] = [];
    for (const change of changes.slice(100)) {
      const startedNs = Bun.nanoseconds();
      await store.commit(change);
      commitUs.push((Bun.nanoseconds() - startedNs) / 1_000);
    }
    const meanUs = commitUs.reduce((total, us) => total + us, 0) / commitUs.length;
    commitUs.sort((a, b) => a - b);
    console.log(
      `sqlite commit(order+fill+outbox) µs: p50 ${percentile(commitUs, 0.5).toFixed(0)}, ` +
        `p99 ${percentile(commitUs, 0.99).toFixed(0)}, mean ${meanUs.toFixed(0)} ` +
        `(${commitUs.length} commits, background checkpoints)`,
    );
    expect(percentile(commitUs, 0.5)).toBeLessThan(1_000);
    await store.close();
  });
});

describe("SqliteOrderStore background checkpoints", () => {
  test("a worker thread checkpoints the WAL; close stops it", async () => {
    const store = new SqliteOrderStore({ path: tempPath(), backgroundCheckpointMs: 20 });
    for (let index = 0; index < 50; index += 1) {
      await store.commit({
        orders: [makeOrder({ orderId: `o${index}`, clientOrderId: `${index}` })],
      });
    }
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const stats = store.checkpointStats();
      if (stats !== null && stats.runs > 0 && stats.framesBehind === 0) break;
      await Bun.sleep(10);
    }
    expect(store.checkpointStats()).toMatchObject({ framesBehind: 0, lastError: null });
    expect(store.checkpointStats()!.runs).toBeGreaterThan(0);
    await store.close();
    const runsAtClose = store.checkpointStats()!.runs;
    await Bun.sleep(60);
    expect(store.checkpointStats()!.runs).toBe(runsAtClose);
  });

  test("inline checkpoints when asked, and always for in-memory databases", async () => {
    const inline = new SqliteOrderStore({ path: tempPath(), backgroundCheckpointMs: null });
    expect(inline.checkpointStats()).toBeNull();
    await inline.close();
    const memory = new SqliteOrderStore({ path: ":memory:" });
    expect(memory.checkpointStats()).toBeNull();
    await memory.close();
  });
});

describe("MemoryOrderStore bounds", () => {
  test("past intentsMax the oldest finished intents go; live ones stay", async () => {
    const store = new MemoryOrderStore({ limits: { intentsMax: 3 } });
    const live = "intent-0";
    for (let index = 0; index < 6; index += 1) {
      const intentId = `intent-${index}`;
      await store.createIntent(makeIntent({ intentId }), {
        orders: [
          makeOrder({
            intentId,
            orderId: `ord_${index}`,
            clientOrderId: `c-${index}`,
            status: intentId === live ? "NEW" : "FILLED",
          }),
        ],
        fills: [makeFill({ orderId: `ord_${index}` })],
      });
    }
    const kept = [];
    for (let index = 0; index < 6; index += 1) {
      if ((await store.getIntent(`intent-${index}`)) !== null) kept.push(index);
    }
    expect(kept).toEqual([0, 4, 5]);
    expect(await store.getOrder("ord_1")).toBeNull();
    expect(await store.getOrderByClientId("c-1")).toBeNull();
    expect(await store.fillsOfIntent("intent-0")).toHaveLength(1);
    expect((await store.openOrders(10)).map((order) => order.orderId)).toEqual(["ord_0"]);
  });

  test("alerts beyond alertsMax drop the oldest", async () => {
    const store = new MemoryOrderStore({ limits: { alertsMax: 2 } });
    for (let index = 0; index < 4; index += 1) {
      await store.commit({
        alerts: [makeAlert({ alertId: `a${index}`, tsMs: fixtureNowMs + index })],
      });
    }
    expect((await store.recentAlerts(10)).map((alert) => alert.alertId)).toEqual(["a3", "a2"]);
  });

  test("a commit that would overflow the unpublished outbox is refused whole", async () => {
    const store = new MemoryOrderStore({ limits: { outboxPendingMax: 2 } });
    await store.commit({ outbox: [makeOutboxEvent({ eventId: "e1" })] });
    const overflow = store.commit({
      orders: [makeOrder()],
      outbox: [makeOutboxEvent({ eventId: "e2" }), makeOutboxEvent({ eventId: "e3" })],
    });
    await expect(overflow).rejects.toThrow(/unpublished/);
    expect(await store.getOrder("ord_intent-1")).toBeNull();
    const [first] = await store.pending(10);
    await store.markPublished([first!.sequence]);
    expect(store.pendingCount()).toBe(0);
    await store.commit({
      outbox: [makeOutboxEvent({ eventId: "e2" }), makeOutboxEvent({ eventId: "e3" })],
    });
    expect(store.pendingCount()).toBe(2);
  });
});
