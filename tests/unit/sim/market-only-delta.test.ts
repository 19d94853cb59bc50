// The venue's write-through skips nothing an account holder can see: a delta is market-only
// exactly when no order, balance or position changed, and only those writes are deferred.

import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { SimEngine, type SimStateDelta } from "../../../adapters/sim/engine/index.ts";
import { marketOnlyWriteEveryMs, openSimVenue } from "../../../adapters/sim/sim-venue.ts";
import { SimStateStore } from "../../../adapters/sim/sim-state-store.ts";
import { dec } from "../../../domain/decimal/index.ts";

const t0 = 1_790_000_000_000;

describe("market-only deltas", () => {
  test("the path stepping is market-only; an order is not", () => {
    const engine = new SimEngine({ seed: 4, scenario: "calm", startMs: t0 });
    const deltas: SimStateDelta[] = [];
    engine.setStateSink((delta) => deltas.push(delta));
    engine.advanceTo(t0 + 100);
    engine.advanceTo(t0 + 5_000);
    const placed = engine.placeOrder(
      {
        market: "FUT",
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        timeInForce: null,
        qty: dec("0.002"),
        price: null,
        stopPrice: null,
        clientOrderId: "m-1",
        reduceOnly: false,
      },
      t0 + 5_000,
    );
    expect(placed.ok).toBe(true);
    engine.advanceTo(t0 + 6_000);
    expect(deltas.map((delta) => delta.marketOnly)).toEqual([false, true, false, true]);
  });

  test("the embedded venue defers market-only writes, never an order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "s4-sim-delta-"));
    const path = join(dir, "venue.sqlite");
    try {
      const clock = new ManualClock(t0);
      const venue = openSimVenue({ clock, seed: 4, scenario: "calm", dbPath: path });
      const onDisk = () => {
        const store = new SimStateStore(path);
        const state = store.load();
        store.close();
        return state;
      };
      const coreOnDisk = () => onDisk()?.core;
      await venue.gateway.bookTop("FUT", "BTCUSDT");
      const first = coreOnDisk();
      await clock.advanceMs(marketOnlyWriteEveryMs / 4);
      await venue.gateway.bookTop("FUT", "BTCUSDT");
      expect(coreOnDisk()).toBe(first);
      const placed = await venue.gateway.placeOrder({
        market: "FUT",
        symbol: "BTCUSDT",
        side: "BUY",
        type: "MARKET",
        timeInForce: null,
        qty: dec("0.002"),
        price: null,
        stopPrice: null,
        clientOrderId: "m-2",
        reduceOnly: false,
      });
      expect(placed.ok).toBe(true);
      const afterOrder = onDisk();
      expect(afterOrder?.core).not.toBe(first);
      expect(afterOrder?.orders.some((json) => json.includes("m-2"))).toBe(true);
      venue.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
