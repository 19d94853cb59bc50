// Persistence: the venue survives a restart from its SQLite file, resumes exactly where an
// uninterrupted venue would be, and a fill written by one call is on disk before its events.

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../adapters/clock/manual-clock.ts";
import { orderHistoryMax, SimEngine } from "../../../adapters/sim/engine/index.ts";
import { SimStateStore } from "../../../adapters/sim/sim-state-store.ts";
import { openSimVenue } from "../../../adapters/sim/sim-venue.ts";
import { dec, formatDecimal } from "../../../domain/decimal/index.ts";
import { limit, market, must, scaled, t0 } from "./sim-kit.ts";

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "sim-state-"));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** A session touching every kind of state: orders, lists, algos, positions, transfers. */
function session(engine: SimEngine): void {
  const at = t0 + 2_000;
  const top = must(engine.bookTop("SPOT", "BTCUSDT", at));
  must(
    engine.placeOrder(
      limit({
        side: "BUY",
        price: scaled(top.bid, "0.99"),
        qty: dec("0.2"),
        clientOrderId: "rest-1",
      }),
      at,
    ),
  );
  must(
    engine.placeOrder(market({ side: "SELL", qty: dec("0.1"), clientOrderId: "mkt-1" }), at + 10),
  );
  must(
    engine.placeOco(
      {
        symbol: "BTCUSDT",
        side: "SELL",
        qty: dec("0.3"),
        listClientOrderId: "oco-1",
        above: {
          type: "LIMIT_MAKER",
          price: scaled(top.ask, "1.02"),
          stopPrice: null,
          timeInForce: null,
          clientOrderId: "oco-tp",
        },
        below: {
          type: "STOP_LOSS_LIMIT",
          price: scaled(top.bid, "0.97"),
          stopPrice: scaled(top.bid, "0.98"),
          timeInForce: "GTC",
          clientOrderId: "oco-sl",
        },
      },
      at + 20,
    ),
  );
  must(engine.setMarginType("BTCUSDT", "ISOLATED", at + 30));
  must(
    engine.placeOrder(
      market({ market: "FUT", side: "BUY", qty: dec("0.05"), clientOrderId: "fut-1" }),
      at + 30,
    ),
  );
  const mark = must(engine.markPrice("BTCUSDT", at + 40)).markPrice;
  must(
    engine.placeAlgo(
      {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_MARKET",
        triggerPrice: scaled(mark, "0.97", "0.1"),
        workingType: "MARK_PRICE",
        qty: null,
        reduceOnly: false,
        closePosition: true,
        clientAlgoId: "sl-1",
      },
      at + 40,
    ),
  );
  must(engine.transfer("SPOT_TO_FUT", "USDT", dec("1000"), at + 50));
  engine.advanceTo(at + 30_000);
}

function fingerprint(engine: SimEngine, at: number): string {
  const parts = {
    open: engine
      .openOrders("SPOT", null, at)
      .map((o) => [o.orderId, o.clientOrderId, o.status, formatDecimal(o.filledQty)]),
    futOpen: engine.openOrders("FUT", null, at).map((o) => o.orderId),
    lists: engine.openOrderLists(null, at).map((l) => [l.list.orderListId, l.list.listOrderStatus]),
    algos: engine.openAlgos(null, at).map((a) => [a.algoId, a.clientAlgoId, a.status]),
    balances: engine
      .spotBalances(at)
      .map((b) => [b.asset, formatDecimal(b.free), formatDecimal(b.locked)]),
    positions: engine
      .positions(null, at)
      .map((p) => [p.symbol, formatDecimal(p.qty), formatDecimal(p.entryPrice), p.marginType]),
    wallet: formatDecimal(engine.futuresAccount(at).walletBalance),
    top: (["SPOT", "FUT"] as const).map((m) => {
      const book = must(engine.bookTop(m, "BTCUSDT", at));
      return [formatDecimal(book.bid), formatDecimal(book.ask), formatDecimal(book.bidQty)];
    }),
    mark: formatDecimal(must(engine.markPrice("BTCUSDT", at)).markPrice),
    filled: formatDecimal(
      must(
        engine.queryOrder(
          { market: "SPOT", symbol: "BTCUSDT", orderId: null, clientOrderId: "mkt-1" },
          at,
        ),
      ).filledQty,
    ),
  };
  return JSON.stringify(parts);
}

describe("SimStateStore", () => {
  test("a restart resumes the venue exactly where an uninterrupted one would be", () => {
    const path = join(directory, "venue.sqlite");
    const clock = new ManualClock(t0);
    const first = openSimVenue({ clock, seed: 5, scenario: "calm", dbPath: path });
    expect(first.resumed).toBe(false);
    session(first.engine);
    first.close();

    const twin = new SimEngine({ seed: 5, scenario: "calm", startMs: t0 });
    session(twin);

    const second = openSimVenue({ clock, seed: 999, scenario: "wide_spread", dbPath: path });
    expect(second.resumed).toBe(true);
    const later = t0 + 90_000;
    expect(fingerprint(second.engine, later)).toBe(fingerprint(twin, later));
    const next = must(second.engine.placeOrder(market({ side: "BUY", qty: dec("0.001") }), later));
    const twinNext = must(twin.placeOrder(market({ side: "BUY", qty: dec("0.001") }), later));
    expect(next.orderId).toBe(twinNext.orderId);
    expect(next.fills.map((f) => f.tradeId)).toEqual(twinNext.fills.map((f) => f.tradeId));
    second.close();
  });

  test("a fill is on disk when its events go out (a crash right after loses nothing)", () => {
    const path = join(directory, "crash.sqlite");
    const clock = new ManualClock(t0);
    const venue = openSimVenue({ clock, seed: 8, scenario: "calm", dbPath: path });
    const seenOnDisk: string[] = [];
    venue.engine.onEvent((event) => {
      if (event.kind !== "ORDER_UPDATE" || event.fill === null) return;
      const reader = new SimStateStore(path);
      const saved = reader.load()!;
      reader.close();
      const stored = saved.orders.find((json) =>
        json.includes(`"clientOrderId":"${event.order.clientOrderId}"`),
      );
      if (stored?.includes(`"tradeId":${event.fill.tradeId}`))
        seenOnDisk.push(String(event.fill.tradeId));
    });
    const order = must(
      venue.engine.placeOrder(
        market({ market: "FUT", side: "BUY", qty: dec("0.3"), clientOrderId: "crash-1" }),
        t0 + 1_000,
      ),
    );
    expect(seenOnDisk).toEqual(order.fills.map((fill) => String(fill.tradeId)));
    // "Crash": no close, no further writes; a new process opens the same file.
    const reopened = openSimVenue({ clock, seed: 8, scenario: "calm", dbPath: path });
    const found = must(
      reopened.engine.queryOrder(
        { market: "FUT", symbol: "BTCUSDT", orderId: null, clientOrderId: "crash-1" },
        t0 + 1_000,
      ),
    );
    expect(found.status).toBe("FILLED");
    expect(found.fills).toHaveLength(order.fills.length);
    expect(formatDecimal(reopened.engine.positions("BTCUSDT", t0 + 1_000)[0]!.qty)).toBe("0.3");
    reopened.close();
    venue.close();
  });

  test("history beyond its limit is deleted from the file too", () => {
    const store = new SimStateStore(":memory:");
    const engine = new SimEngine({ seed: 1, scenario: "calm", startMs: t0 });
    store.saveAll(engine.fullDelta());
    engine.setStateSink((delta) => store.apply(delta));
    for (let i = 0; i < orderHistoryMax + 5; i += 1) {
      const side = i % 2 === 0 ? "BUY" : "SELL";
      must(engine.placeOrder(market({ market: "FUT", side, qty: dec("0.001") }), t0 + i));
    }
    const saved = store.load()!;
    expect(saved.orders).toHaveLength(orderHistoryMax);
    expect(saved.orders.some((json) => json.includes('"orderId":1,'))).toBe(false);
    const ref = { market: "FUT" as const, symbol: "BTCUSDT", clientOrderId: null };
    expect(engine.queryOrder({ ...ref, orderId: 1 }, t0 + 20_000).ok).toBe(false);
    expect(engine.queryOrder({ ...ref, orderId: 6 }, t0 + 20_000).ok).toBe(true);
    store.close();
  });
});
