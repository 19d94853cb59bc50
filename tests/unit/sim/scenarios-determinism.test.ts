// Scenarios look as named (spread, depth, drift, gaps) and the engine is deterministic: the same
// seed and calls give the same events; another seed gives another market.

import { describe, expect, test } from "bun:test";
import {
  type ScenarioName,
  SimEngine,
  type SimEvent,
  scenarioNames,
} from "../../../adapters/sim/engine/index.ts";
import { dec, formatDecimal, sub, toNumber } from "../../../domain/decimal/index.ts";
import { limit, market, must, scaled, t0 } from "./sim-kit.ts";

function spreadBps(engine: SimEngine, at: number): number {
  const top = must(engine.bookTop("SPOT", "BTCUSDT", at));
  const mid = (toNumber(top.bid) + toNumber(top.ask)) / 2;
  return (toNumber(sub(top.ask, top.bid)) / mid) * 10_000;
}

function meanSpread(scenario: ScenarioName, seed: number): number {
  const engine = new SimEngine({ seed, scenario, startMs: t0 });
  let total = 0;
  for (let i = 1; i <= 60; i += 1) total += spreadBps(engine, t0 + i * 1_000);
  return total / 60;
}

function eventLog(seed: number, scenario: ScenarioName): string {
  const engine = new SimEngine({ seed, scenario, startMs: t0 });
  const events: SimEvent[] = [];
  engine.onEvent((event) => events.push(event));
  const top = must(engine.bookTop("SPOT", "BTCUSDT", t0 + 500));
  engine.placeOrder(
    limit({ side: "BUY", price: top.bid, qty: dec("0.05"), clientOrderId: "d1" }),
    t0 + 600,
  );
  engine.placeOrder(
    market({ market: "FUT", side: "SELL", qty: dec("0.3"), clientOrderId: "d2" }),
    t0 + 700,
  );
  engine.placeOrder(
    limit({
      market: "FUT",
      side: "BUY",
      price: scaled(top.bid, "0.999", "0.1"),
      qty: dec("0.3"),
      clientOrderId: "d3",
    }),
    t0 + 800,
  );
  engine.advanceTo(t0 + 120_000);
  return JSON.stringify(events, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

describe("determinism", () => {
  test("the same seed and calls give the same events, for every scenario", () => {
    for (const scenario of scenarioNames) {
      expect(eventLog(17, scenario)).toBe(eventLog(17, scenario));
    }
  });

  test("another seed gives another market", () => {
    expect(eventLog(17, "calm")).not.toBe(eventLog(18, "calm"));
  });

  test("looking at the book does not move the market", () => {
    const quiet = new SimEngine({ seed: 3, scenario: "calm", startMs: t0 });
    const curious = new SimEngine({ seed: 3, scenario: "calm", startMs: t0 });
    for (let i = 1; i <= 50; i += 1) {
      curious.depth("FUT", "BTCUSDT", 20, t0 + i * 333);
      curious.markPrice("BTCUSDT", t0 + i * 333);
    }
    const a = must(quiet.bookTop("FUT", "BTCUSDT", t0 + 60_000));
    const b = must(curious.bookTop("FUT", "BTCUSDT", t0 + 60_000));
    expect(formatDecimal(a.bid)).toBe(formatDecimal(b.bid));
    expect(formatDecimal(a.askQty)).toBe(formatDecimal(b.askQty));
  });
});

describe("scenarios", () => {
  test("spreads: calm about a basis point, wide_spread tens of bps, thin_book a few", () => {
    const calm = meanSpread("calm", 1);
    const wide = meanSpread("wide_spread", 1);
    const thin = meanSpread("thin_book", 1);
    expect(calm).toBeLessThan(2);
    expect(wide).toBeGreaterThan(20);
    expect(thin).toBeGreaterThan(calm);
    expect(thin).toBeLessThan(wide);
  });

  test("depth: the thin book's top level is a fraction of the calm one's", () => {
    const calm = new SimEngine({ seed: 2, scenario: "calm", startMs: t0 });
    const thin = new SimEngine({ seed: 2, scenario: "thin_book", startMs: t0 });
    const calmTop = must(calm.bookTop("SPOT", "BTCUSDT", t0)).askQty;
    const thinTop = must(thin.bookTop("SPOT", "BTCUSDT", t0)).askQty;
    expect(toNumber(thinTop) * 3).toBeLessThan(toNumber(calmTop));
  });

  test("trends drift their way over half an hour for most seeds", () => {
    let up = 0;
    let down = 0;
    for (let seed = 1; seed <= 10; seed += 1) {
      const rising = new SimEngine({ seed, scenario: "trend_up", startMs: t0 });
      const falling = new SimEngine({ seed, scenario: "trend_down", startMs: t0 });
      const end = t0 + 30 * 60_000;
      if (toNumber(must(rising.markPrice("BTCUSDT", end)).indexPrice) > 95_000) up += 1;
      if (toNumber(must(falling.markPrice("ETHUSDT", end)).indexPrice) < 3_500) down += 1;
    }
    expect(up).toBeGreaterThanOrEqual(8);
    expect(down).toBeGreaterThanOrEqual(8);
  });

  test("gap_down jumps more than 2 % in one step within its first minute", () => {
    const engine = new SimEngine({ seed: 4, scenario: "gap_down", startMs: t0 });
    let previous = toNumber(must(engine.markPrice("BTCUSDT", t0)).indexPrice);
    let biggest = 0;
    for (let at = t0 + 100; at <= t0 + 60_000; at += 100) {
      const mid = toNumber(must(engine.markPrice("BTCUSDT", at)).indexPrice);
      biggest = Math.max(biggest, (previous - mid) / previous);
      previous = mid;
    }
    expect(biggest).toBeGreaterThan(0.02);
  });
});
