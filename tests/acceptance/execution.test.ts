// Execution policies over real HTTP against the router as `bun start` runs it (embedded default:
// in-process simulator, SQLite, in-memory twins): the route table's rev in /health, the default
// policy chosen by the table and said in the exec block and router:events, maker→taker answering
// once final, a TWAP answering ACCEPTED then filling at its 600 ms gaps, cancel of a TWAP parent,
// the TCA metrics, and an invalid route table file stopping start-up with the problem named.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "bun";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemoryEventPublisher } from "../../adapters/memory/memory-event-publisher.ts";
import defaultTableJson from "../../config/route-table.json";
import { startTestRouter, type TestRouter } from "../support/router-harness.ts";

const fut = (intentId: string, extra: Record<string, unknown> = {}) => ({
  intent_id: intentId,
  market: "FUT",
  symbol: "BTCUSDT",
  side: "BUY",
  qty: "0.02",
  ...extra,
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, limitMs = 10_000) {
  const deadline = Date.now() + limitMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await Bun.sleep(25);
    value = await read();
  }
  return value;
}

describe("execution over HTTP (embedded)", () => {
  let router: TestRouter;
  beforeAll(async () => {
    router = await startTestRouter();
  });
  afterAll(async () => {
    await router.stop();
  });

  test("/health reports the route table's rev; the banner says where it came from", async () => {
    const health = await router.get("/health");
    expect(health.body["route_table_rev"]).toBe(defaultTableJson.rev);
    expect(router.router.banner["route_table"]).toBe(`rev ${defaultTableJson.rev} (file)`);
  });

  test("without exec_policy the route table picks the policy and the answer says why", async () => {
    const placed = await router.post("/orders", fut("acc-x-default"));
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({
      status: "FILLED",
      exec: { policy: "MAKER_THEN_TAKER", reason: "route_default" },
    });
    const publisher = router.router.publisher as MemoryEventPublisher;
    const decisions = await until(
      async () =>
        publisher
          .read("router:events")
          .filter((entry) => entry.payload["intent_id"] === "acc-x-default"),
      (entries) => entries.length > 0,
    );
    expect(decisions[0]?.payload).toMatchObject({
      decision: "policy",
      reason: "route_default",
      inputs: { policy: "MAKER_THEN_TAKER", route_table_rev: defaultTableJson.rev },
    });
  });

  test("maker→taker answers once final, with every fill's TCA", async () => {
    const placed = await router.post(
      "/orders",
      fut("acc-x-mt", { exec_policy: { type: "MAKER_THEN_TAKER", maker_wait_ms: 1_500 } }),
    );
    expect(placed.body).toMatchObject({ status: "FILLED", filled_qty: "0.02" });
    expect(placed.body["exec"]).toMatchObject({ policy: "MAKER_THEN_TAKER", reason: "requested" });
    const exec = placed.body["exec"] as Record<string, unknown>;
    expect(typeof exec["maker_timeout"]).toBe("boolean");
    expect(exec["fell_back_to_taker"]).toBe(exec["maker_timeout"]);
    const fills = await router.router.store.fillsOfIntent("acc-x-mt");
    expect(fills.length).toBeGreaterThan(0);
    for (const fill of fills) {
      expect(fill.midAtSend).not.toBeNull();
      expect(fill.bookTop3?.bids.length).toBeGreaterThan(0);
      expect(fill.slippageBps).not.toBeNull();
      expect(fill.feeUsdt).not.toBeNull();
    }
  });

  test("a TWAP answers ACCEPTED with its parent, shows progress, and fills 600 ms apart", async () => {
    const placed = await router.post(
      "/orders",
      fut("acc-x-twap", {
        qty: "0.03",
        exec_policy: { type: "TWAP", twap: { slices: 3, gap_ms: 600 } },
      }),
    );
    expect(placed.body).toMatchObject({
      status: "ACCEPTED",
      exec: { policy: "TWAP", slices_total: 3, slices_done: 0 },
    });
    const parentId = placed.body["order_id"];
    const done = await until(
      async () => (await router.get(`/orders/${String(parentId)}`)).body,
      (body) => body["status"] === "FILLED",
    );
    expect(done).toMatchObject({
      status: "FILLED",
      filled_qty: "0.03",
      exec: { slices_total: 3, slices_done: 3 },
    });
    const events = await router.router.store.strategyEvents("acc-x-twap");
    const slices = events
      .filter((event) => event.kind === "TWAP_SLICE")
      .map((event) => event.payload as { planned_due_ms: number; started_ms: number });
    expect(slices).toHaveLength(3);
    // The tick wakes at each due time: every slice starts within tens of ms of its plan.
    for (const slice of slices) {
      expect(slice.started_ms - slice.planned_due_ms).toBeGreaterThanOrEqual(0);
      expect(slice.started_ms - slice.planned_due_ms).toBeLessThan(100);
    }
  });

  test("cancelling a TWAP parent stops the slices still to come", async () => {
    const placed = await router.post(
      "/orders",
      fut("acc-x-twap-cancel", {
        qty: "0.03",
        exec_policy: { type: "TWAP", twap: { slices: 3, gap_ms: 1_500 } },
      }),
    );
    await until(
      async () => (await router.get("/orders/acc-x-twap-cancel")).body,
      (body) => (body["exec"] as Record<string, unknown>)["slices_done"] === 1,
    );
    const canceled = await router.post("/cancel", { order_id: placed.body["order_id"] });
    expect(canceled.body).toMatchObject({ result: "OK", status: "CANCELED" });
    await Bun.sleep(1_700);
    const after = await router.get("/orders/acc-x-twap-cancel");
    expect(after.body).toMatchObject({
      status: "PARTIALLY_FILLED",
      filled_qty: "0.01",
      exec: { slices_done: 1 },
    });
  });

  test("GET /metrics carries the TCA metrics of DESIGN §9", async () => {
    const metrics = await fetch(`${router.url}/metrics`).then((response) => response.text());
    for (const name of [
      "slippage_bps",
      "maker_fill_ratio",
      "taker_rate",
      "twap_slice_fill_ratio",
      "fee_usdt_total",
    ]) {
      expect(metrics).toContain(name);
    }
  });
});

describe("an invalid route table file stops start-up", () => {
  async function start(routeTablePath: string) {
    const dir = mkdtempSync(join(tmpdir(), "s4-bad-table-"));
    try {
      const child = spawn([process.execPath, "run", "main.ts"], {
        env: {
          ...process.env,
          PORT: "0",
          S4_DB_SQLITE_PATH: join(dir, "s4.sqlite"),
          S4_ROUTE_TABLE_PATH: routeTablePath,
        },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
      return { code, stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test("a table with a bad row exits 2 naming the variable, the path and the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "s4-table-"));
    try {
      const table = structuredClone(defaultTableJson) as { routes: Record<string, unknown>[] };
      if (table.routes[0] !== undefined) table.routes[0]["maker_fill_ratio_min"] = "1.5";
      const path = join(dir, "routes.json");
      writeFileSync(path, JSON.stringify(table));
      const { code, stderr } = await start(path);
      expect(code).toBe(2);
      expect(stderr).toContain(`S4 cannot start: S4_ROUTE_TABLE_PATH=${path}`);
      expect(stderr).toContain(
        "$.routes[0].maker_fill_ratio_min: maker_fill_ratio_min must be in [0, 1]",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a missing file exits 2 too", async () => {
    const { code, stderr } = await start("/nonexistent/routes.json");
    expect(code).toBe(2);
    expect(stderr).toContain("S4_ROUTE_TABLE_PATH=/nonexistent/routes.json cannot be read");
  });
});
