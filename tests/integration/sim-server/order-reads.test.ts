// The order reads spot and USDⓈ-M share (order-reads.ts) keep each product's own rules: the order
// in which -1102 names the two ids, and the longest history window (spot 24 h, USDⓈ-M 7 days).

import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { startBinanceSimServer } from "../../../adapters/sim/binance-server/server.ts";
import { signed } from "./sim-server-kit.ts";

const startMs = 1_800_000_000_000;
const hourMs = 60 * 60 * 1000;
const server = startBinanceSimServer({ clock: new ManualClock(startMs), seed: 23 });
afterAll(() => server.stop());

const markets = [
  {
    name: "spot",
    prefix: "/api/v3",
    trades: "myTrades",
    idsMessage: "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    windowHours: 24,
  },
  {
    name: "USDⓈ-M",
    prefix: "/fapi/v1",
    trades: "userTrades",
    idsMessage: "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
    windowHours: 168,
  },
] as const;

for (const market of markets) {
  describe(market.name, () => {
    test("a read without either id is -1102, the ids in the product's order", async () => {
      for (const method of ["GET", "DELETE"]) {
        const read = await signed(server, method, `${market.prefix}/order`, { symbol: "BTCUSDT" });
        expect(read.status).toBe(400);
        expect(read.body).toEqual({ code: -1102, msg: market.idsMessage });
      }
    });

    test("history takes a window up to the product's limit, not 1 ms more", async () => {
      for (const path of ["allOrders", market.trades]) {
        const longest = { symbol: "BTCUSDT", startTime: startMs };
        const endMs = startMs + market.windowHours * hourMs;
        const atLimit = await signed(server, "GET", `${market.prefix}/${path}`, {
          ...longest,
          endTime: endMs,
        });
        expect(atLimit.status).toBe(200);
        expect(atLimit.body).toEqual([]);
        const over = await signed(server, "GET", `${market.prefix}/${path}`, {
          ...longest,
          endTime: endMs + 1,
        });
        expect(over.body).toEqual({
          code: -1127,
          msg: `More than ${market.windowHours} hours between startTime and endTime.`,
        });
      }
    });
  });
}
