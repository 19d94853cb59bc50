// --state: the venue kept in SQLite survives a restart of the server (orders, balances, history),
// and a fresh file starts from the default account.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { signed } from "./sim-server-kit.ts";

const folder = mkdtempSync(join(tmpdir(), "sim-binance-state-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("state file", () => {
  test("a restarted server resumes open orders, balances and order history", async () => {
    const statePath = join(folder, "venue.sqlite");
    const clock = new ManualClock(1_800_000_000_000);
    const first = startBinanceSimServer({ clock, seed: 4, statePath });
    const placed = await signed(first, "POST", "/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.01",
      price: "90000",
      newClientOrderId: "kept-1",
    });
    expect(placed.body.status).toBe("NEW");
    await first.stop();
    const second = startBinanceSimServer({ clock, seed: 4, statePath });
    try {
      const open = await signed(second, "GET", "/api/v3/openOrders", { symbol: "BTCUSDT" });
      expect(open.body.map((order: { clientOrderId: string }) => order.clientOrderId)).toEqual([
        "kept-1",
      ]);
      const history = await signed(second, "GET", "/api/v3/allOrders", { symbol: "BTCUSDT" });
      expect(history.body).toHaveLength(1);
      const account = await signed(second, "GET", "/api/v3/account", { omitZeroBalances: "true" });
      const usdt = account.body.balances.find((b: { asset: string }) => b.asset === "USDT");
      expect(usdt).toEqual({ asset: "USDT", free: "99100.00000000", locked: "900.00000000" });
    } finally {
      await second.stop();
    }
  });
});
