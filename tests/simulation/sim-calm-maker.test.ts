// Seeded simulation: in the calm scenario a post-only order at the touch fills within a few
// seconds most of the time, as a maker at its price; one 10 bps behind the touch mostly does not.

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import { type ScenarioName, SimEngine } from "../../adapters/sim/engine/index.ts";
import { SimExchangeGateway } from "../../adapters/sim/sim-exchange-gateway.ts";
import { dec, eq, mul, roundToStep } from "../../domain/decimal/index.ts";

async function makerFillsWithin(
  scenario: ScenarioName,
  seed: number,
  windowMs: number,
  behindBps = 0,
) {
  const clock = new ManualClock(1_700_000_000_000);
  const engine = new SimEngine({ seed, scenario, startMs: clock.nowMs() });
  const gateway = new SimExchangeGateway({ engine, clock });
  await clock.advanceMs(1_000);
  const book = await gateway.bookTop("FUT", "BTCUSDT");
  if (!book.ok) throw new Error(book.error.message);
  const side = seed % 2 === 0 ? "BUY" : "SELL";
  const touch = side === "BUY" ? book.value.bid : book.value.ask;
  const factor = dec(String(side === "BUY" ? 1 - behindBps / 10_000 : 1 + behindBps / 10_000));
  const price = roundToStep(mul(touch, factor), dec("0.1"), side === "BUY" ? "floor" : "ceil");
  const clientOrderId = `maker-${seed}`;
  const placed = await gateway.placeOrder({
    market: "FUT",
    symbol: "BTCUSDT",
    side,
    type: "LIMIT",
    timeInForce: "GTX",
    qty: dec("0.05"),
    price,
    stopPrice: null,
    clientOrderId,
    reduceOnly: false,
  });
  if (!placed.ok) throw new Error(placed.error.message);
  const ref = { market: "FUT" as const, symbol: "BTCUSDT", clientOrderId };
  for (let elapsed = 0; elapsed < windowMs; elapsed += 100) {
    await clock.advanceMs(100);
    const order = await gateway.queryOrder(ref);
    if (order.ok && order.value.status === "FILLED") {
      expect(order.value.fills.every((f) => f.liquidity === "MAKER" && eq(f.price, price))).toBe(
        true,
      );
      return true;
    }
  }
  return false;
}

describe("maker fills by scenario", () => {
  test("calm: a touch maker fills within 5 s for most seeds", async () => {
    let filled = 0;
    for (let seed = 1; seed <= 20; seed += 1) {
      if (await makerFillsWithin("calm", seed, 5_000)) filled += 1;
    }
    expect(filled).toBeGreaterThanOrEqual(14);
  });

  test("calm: a maker 10 bps behind the touch rarely fills in 5 s", async () => {
    let filled = 0;
    for (let seed = 1; seed <= 10; seed += 1) {
      if (await makerFillsWithin("calm", seed, 5_000, 10)) filled += 1;
    }
    expect(filled).toBeLessThanOrEqual(2);
  });
});
