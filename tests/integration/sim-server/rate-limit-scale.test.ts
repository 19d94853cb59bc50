// The simulator's order limits are Binance's (100 per 10 s on spot) unless scaled for a bench.

import { describe, expect, test } from "bun:test";
import { RateLimits } from "../../../adapters/sim/binance-server/rate-limits.ts";

function ordersAccepted(limits: RateLimits, nowMs: number): number {
  let accepted = 0;
  while (limits.checkOrders("SPOT", 1, nowMs) === null && accepted < 10_000) {
    limits.addOrders("SPOT", 1, nowMs);
    accepted += 1;
  }
  return accepted;
}

describe("order rate limits", () => {
  test("spot takes 100 orders per 10 s, then answers -1015", () => {
    const limits = new RateLimits(() => 120_000);
    expect(ordersAccepted(limits, 1_700_000_000_000)).toBe(100);
    expect(limits.checkOrders("SPOT", 1, 1_700_000_000_000)?.code).toBe(-1015);
  });

  test("a scale multiplies every limit", () => {
    expect(ordersAccepted(new RateLimits(() => 120_000, 3), 1_700_000_000_000)).toBe(300);
    expect(() => new RateLimits(() => 120_000, 0)).toThrow();
  });
});
