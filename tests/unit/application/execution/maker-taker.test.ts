// Maker→taker under a manual clock against the scripted venue: every branch of DESIGN §4 at the
// moment the test chooses — a fill inside the window, a partial fill then the taker remainder, a
// plain timeout, post-only rejections, fills racing the cancel, a cancel that cannot be confirmed,
// thin liquidity, the route table's fallbacks and the wide-spread probe.

import { describe, expect, test } from "bun:test";
import { settle } from "../../../../adapters/clock/manual-clock.ts";
import { add, dec, eq, formatDecimal, zero } from "../../../../domain/decimal/index.ts";
import {
  type ExecutionApp,
  intent,
  makerPolicy,
  startExecutionApp,
  t0,
  tableWith,
} from "./execution-harness.ts";
import { ScriptedVenue } from "./scripted-venue.ts";
import { ManualClock } from "../../../../adapters/clock/manual-clock.ts";
import type { OrderIntent } from "../../../../domain/order/index.ts";

const makerId = "exec-1/mk1";
const repriceId = "exec-1/mk2";
const takerId = "exec-1/tk";

async function setUp(options: Parameters<typeof startExecutionApp>[1] = {}) {
  const clock = new ManualClock(t0);
  const venue = new ScriptedVenue(clock);
  const app = await startExecutionApp(venue, { clock, ...options });
  return { clock, venue, app };
}

/**
 * Starts placement and lets it run (without moving time) until the venue has `count` orders.
 * The pending placement comes back wrapped: awaiting a bare promise here would wait it out.
 */
async function placeUntil(app: ExecutionApp, venue: ScriptedVenue, wanted: OrderIntent, count = 1) {
  const pending = app.place.execute(wanted);
  for (let round = 0; round < 50 && venue.placed.length < count; round += 1) await settle();
  expect(venue.placed.length).toBeGreaterThanOrEqual(count);
  return { pending };
}

function filledSum(fills: readonly { qty: string }[]) {
  return fills.reduce((total, fill) => add(total, dec(fill.qty)), zero);
}

/**
 * When the first cancel reached the venue, relative to t0. The manual clock wakes the waiting leg
 * exactly on time; the woken code's writes may finish only in the driver's next 1 ms step.
 */
function cancelOffsetMs(venue: ScriptedVenue): number | undefined {
  const first = venue.canceled[0];
  return first === undefined ? undefined : first.atMs - t0;
}

function expectAbout(actual: number | undefined, expected: number): void {
  expect(actual).toBeGreaterThanOrEqual(expected);
  expect(actual).toBeLessThanOrEqual(expected + 1);
}

async function metricValue(app: ExecutionApp, line: string): Promise<string | undefined> {
  const text = await app.metrics.text();
  return text.split("\n").find((candidate) => candidate.startsWith(line));
}

describe("maker→taker", () => {
  test("a fill inside the window finishes as maker, early, with no cancel and no taker", async () => {
    const { clock, venue, app } = await setUp();
    const { pending } = await placeUntil(app, venue, intent({ execPolicy: makerPolicy(2_000) }));
    expect(venue.placed[0]).toMatchObject({
      type: "LIMIT",
      timeInForce: "GTX",
      clientOrderId: makerId,
      price: dec("90000.0"),
    });
    await clock.advanceMs(300);
    venue.fill(makerId, "0.01");
    const { result } = await app.run(pending);
    expect(result).toMatchObject({
      status: "FILLED",
      filled_qty: "0.01",
      exec: {
        policy: "MAKER_THEN_TAKER",
        reason: "requested",
        maker_timeout: false,
        fell_back_to_taker: false,
      },
    });
    expect(result.fills.every((fill) => fill.liquidity === "MAKER")).toBe(true);
    expect(clock.nowMs() - t0).toBeLessThan(2_000);
    expect(venue.canceled).toEqual([]);
    expect(venue.placed).toHaveLength(1);
  });

  test("a partial fill, then at the timeout the maker is cancelled and (1 − φ)·Q goes market", async () => {
    const { clock, venue, app } = await setUp();
    const { pending } = await placeUntil(app, venue, intent({ execPolicy: makerPolicy(1_000) }));
    await clock.advanceMs(300);
    venue.fill(makerId, "0.004");
    const { result } = await app.run(pending, 1);
    expect(venue.canceled.map((each) => each.clientOrderId)).toEqual([makerId]);
    expectAbout(cancelOffsetMs(venue), 1_000);
    expect(venue.placed[1]).toMatchObject({
      type: "MARKET",
      qty: dec("0.006"),
      clientOrderId: takerId,
    });
    expect(result).toMatchObject({
      status: "FILLED",
      filled_qty: "0.01",
      exec: { maker_timeout: true, fell_back_to_taker: true },
    });
    expect(result.fills.map((fill) => [fill.liquidity, fill.qty])).toEqual([
      ["MAKER", "0.004"],
      ["TAKER", "0.006"],
    ]);
    const events = await app.store.strategyEvents("exec-1");
    const timeout = events.find((event) => event.kind === "MAKER_TIMEOUT");
    expect(timeout?.payload).toMatchObject({
      level: "WARN",
      filled_qty: "0.004",
      remainder_qty: "0.006",
    });
    expect(
      app.logger.lines.some((line) => line.level === "warn" && /maker window/.test(line.message)),
    ).toBe(true);
    expect(await metricValue(app, 'maker_timeout_count{market="FUT"}')).toBe(
      'maker_timeout_count{market="FUT"} 1',
    );
    expect(await metricValue(app, 'maker_fill_ratio_sum{market="FUT"}')).toBe(
      'maker_fill_ratio_sum{market="FUT"} 0.4',
    );
  });

  test("a timeout with nothing filled sends all of it taker, slippage recorded on the fill", async () => {
    const { venue, app } = await setUp();
    const { pending } = await placeUntil(app, venue, intent({ execPolicy: makerPolicy(800) }));
    const { result } = await app.run(pending);
    expect(venue.placed.map((each) => each.type)).toEqual(["LIMIT", "MARKET"]);
    expect(venue.placed[1]?.qty).toEqual(dec("0.01"));
    expect(result).toMatchObject({
      status: "FILLED",
      exec: { maker_timeout: true, fell_back_to_taker: true },
    });
    expect(result.fills).toHaveLength(1);
    expect(result.fills[0]?.slippage_bps).toBeGreaterThan(0);
    const stored = await app.store.fillsOfIntent("exec-1");
    expect(stored[0]).toMatchObject({ liquidity: "TAKER", midAtSend: dec("90000.05") });
    expect(stored[0]?.bookTop3?.asks).toHaveLength(3);
    expect(stored[0]?.feeUsdt).not.toBeNull();
  });

  test("a post-only rejection re-prices once from a fresh book, and that maker can fill", async () => {
    const { clock, venue, app } = await setUp();
    venue.placeScript.push({
      kind: "error",
      error: { kind: "POST_ONLY_REJECTED", message: "Order would immediately match and take." },
      after: () => venue.setBook("FUT", "BTCUSDT", "90001.0", "90001.1"),
    });
    const { pending } = await placeUntil(app, venue, intent({ execPolicy: makerPolicy(2_000) }), 2);
    expect(
      venue.placed.map((each) => [each.clientOrderId, formatDecimal(each.price ?? zero)]),
    ).toEqual([
      [makerId, "90000"],
      [repriceId, "90001"],
    ]);
    await clock.advanceMs(100);
    venue.fill(repriceId, "0.01");
    const { result } = await app.run(pending);
    expect(result).toMatchObject({
      status: "FILLED",
      exec: { maker_timeout: false, fell_back_to_taker: false },
    });
    expect(result.order_ids).toHaveLength(3);
  });

  test("a second post-only rejection falls back to taker for the whole quantity", async () => {
    const { venue, app } = await setUp();
    const reject = {
      kind: "error" as const,
      error: { kind: "POST_ONLY_REJECTED" as const, message: "would take" },
    };
    venue.placeScript.push(reject, reject);
    const { result } = await app.run(app.place.execute(intent({ execPolicy: makerPolicy(2_000) })));
    expect(venue.placed.map((each) => each.clientOrderId)).toEqual([makerId, repriceId, takerId]);
    expect(venue.placed[2]).toMatchObject({ type: "MARKET", qty: dec("0.01") });
    expect(result).toMatchObject({
      status: "FILLED",
      exec: { maker_timeout: false, fell_back_to_taker: true },
    });
    expect(venue.canceled).toEqual([]);
  });

  test("fills racing the cancel are counted once: never doubled, never lost", async () => {
    const { clock, venue, app } = await setUp();
    const { pending } = await placeUntil(app, venue, intent({ execPolicy: makerPolicy(1_000) }));
    await clock.advanceMs(200);
    venue.fill(makerId, "0.003");
    // 0.002 more trades while the cancel is in flight: it is in the cancel's answer, and its
    // pushed update arrives only after the answer (and again, duplicated, later still).
    venue.cancelScript.push({ kind: "fill_first", qty: "0.002" });
    const { result } = await app.run(pending);
    venue.emitUpdate(makerId, venue.orderOf(makerId)?.fills[1] ?? null);
    await settle();
    await app.drainEvents();
    expect(venue.placed[1]).toMatchObject({ type: "MARKET", qty: dec("0.005") });
    const fills = await app.store.fillsOfIntent("exec-1");
    expect(fills.map((fill) => formatDecimal(fill.qty)).sort()).toEqual([
      "0.002",
      "0.003",
      "0.005",
    ]);
    expect(eq(filledSum(result.fills), dec("0.01"))).toBe(true);
    expect(eq(venue.netQty(), dec("0.01"))).toBe(true);
    const after = await app.ledger.load("exec-1");
    expect(after === null ? null : app.ledger.preview(after, {}).result.filled_qty).toBe("0.01");
  });

  test("a maker that fills completely during the cancel needs no taker", async () => {
    const { venue, app } = await setUp();
    const { pending } = await placeUntil(app, venue, intent({ execPolicy: makerPolicy(500) }));
    venue.cancelScript.push({ kind: "fill_first", qty: "0.01" });
    const { result } = await app.run(pending);
    expect(venue.placed).toHaveLength(1);
    expect(venue.queried).toContain(makerId);
    expect(result).toMatchObject({
      status: "FILLED",
      filled_qty: "0.01",
      exec: { maker_timeout: false, fell_back_to_taker: false },
    });
  });

  test("a cancel that cannot be confirmed sends no taker and raises a FATAL alert", async () => {
    const { venue, app } = await setUp();
    const { pending } = await placeUntil(app, venue, intent({ execPolicy: makerPolicy(500) }));
    for (let attempt = 0; attempt < 5; attempt += 1) {
      venue.cancelScript.push({
        kind: "error",
        error: { kind: "UNAVAILABLE", message: "Service Unavailable." },
      });
    }
    const { result } = await app.run(pending);
    expect(venue.canceled).toHaveLength(5);
    expect(venue.placed).toHaveLength(1);
    expect(result).toMatchObject({ status: "ACCEPTED", code: "CANCEL_FAILED" });
    const alerts = await app.store.recentAlerts(10);
    expect(alerts[0]).toMatchObject({ level: "FATAL", code: "CANCEL_FAILED" });
  });

  test("liquidity judged insufficient cuts the window short, recorded in router:events", async () => {
    const { clock, venue, app } = await setUp();
    venue.setBook("FUT", "BTCUSDT", "90000.0", "90000.1", "0.001");
    const { result } = await app.run(app.place.execute(intent({ execPolicy: makerPolicy(2_000) })));
    expect(clock.nowMs() - t0).toBeLessThan(100);
    expect(venue.canceled).toHaveLength(1);
    expect(result).toMatchObject({ exec: { maker_timeout: false, fell_back_to_taker: true } });
    const decisions = (await app.store.pending(100)).filter(
      (event) => event.stream === "router:events",
    );
    expect(decisions.map((event) => event.payload["decision"])).toContain("maker_cut_short");
  });

  test("an order too small to leave a valid remainder goes taker at once, and says so", async () => {
    const { venue, app } = await setUp();
    const { result } = await app.run(
      app.place.execute(intent({ qty: "0.001", execPolicy: makerPolicy(2_000) })),
    );
    expect(venue.placed.map((each) => [each.type, each.clientOrderId])).toEqual([
      ["MARKET", "exec-1"],
    ]);
    expect(result).toMatchObject({
      status: "FILLED",
      exec: { policy: "MARKET", reason: "too_small_for_maker" },
    });
    // The intent is the market order itself: its fills carry the intent's own order id.
    expect(result.fills.every((fill) => fill.order_id === result.order_id)).toBe(true);
  });

  test("a small ticket the route table gives no maker wait is a plain market order", async () => {
    const { venue, app } = await setUp();
    // 0.004 BTC ≈ 360 USDT: below the 500 USDT where the FUT BTCUSDT curve starts waiting.
    const { result } = await app.run(app.place.execute(intent({ qty: "0.004" })));
    expect(venue.placed.map((each) => each.type)).toEqual(["MARKET"]);
    expect(result).toMatchObject({
      status: "FILLED",
      exec: { policy: "MARKET", reason: "maker_wait_zero" },
    });
  });

  test("spot posts LIMIT_MAKER; the wait is the request's, capped by S4_MAKER_MAX_WAIT_MS", async () => {
    const { venue, app } = await setUp({ makerTaker: { makerWaitCapMs: 1_500 } });
    const spot = intent({ market: "SPOT", qty: "0.001", execPolicy: makerPolicy(10_000) });
    const { result } = await app.run(app.place.execute(spot), 1);
    expect(venue.placed[0]).toMatchObject({ type: "LIMIT_MAKER", timeInForce: null });
    expectAbout(cancelOffsetMs(venue), 1_500);
    expect(result.status).toBe("FILLED");
  });

  test("without a requested wait the route table's curve decides it (0.01 BTC ≈ 900 USDT)", async () => {
    const { venue, app } = await setUp();
    const { result } = await app.run(
      app.place.execute(intent({ execPolicy: { ...makerPolicy(null) } })),
      1,
    );
    // FUT BTCUSDT curve: 0 ms up to 500 USDT, 1000 ms at 1000 → 1000 × (900.001 − 500) / 500.
    expectAbout(cancelOffsetMs(venue), 800);
    expect(result.exec).toMatchObject({ policy: "MAKER_THEN_TAKER", reason: "requested" });
  });

  test("a remainder below the symbol's minimum is left unfilled and reported", async () => {
    const { clock, venue, app } = await setUp();
    const eth = intent({ symbol: "ETHUSDT", qty: "0.014", execPolicy: makerPolicy(1_000) });
    const { pending } = await placeUntil(app, venue, eth);
    await clock.advanceMs(100);
    venue.fill(makerId, "0.01");
    const { result } = await app.run(pending);
    expect(venue.placed).toHaveLength(1);
    expect(result).toMatchObject({
      status: "PARTIALLY_FILLED",
      filled_qty: "0.01",
      code: "REMAINDER_BELOW_MINIMUM",
    });
  });

  test("the table's LIMIT_THROUGH_TOUCH sends the remainder as an IOC one tick through", async () => {
    const { venue, app } = await setUp({
      table: tableWith({ maker_fallback: "LIMIT_THROUGH_TOUCH" }),
    });
    const { result } = await app.run(app.place.execute(intent({ execPolicy: makerPolicy(500) })));
    expect(venue.placed[1]).toMatchObject({
      type: "LIMIT",
      timeInForce: "IOC",
      price: dec("90000.2"),
    });
    expect(result.status).toBe("FILLED");
  });

  test("a wide spread at the fallback is waited out within the cap, then met with a capped limit", async () => {
    const { clock, venue, app } = await setUp({ makerTaker: { makerWaitCapMs: 3_000 } });
    venue.setBook("FUT", "BTCUSDT", "90000.0", "90100.0");
    const { result } = await app.run(app.place.execute(intent({ execPolicy: makerPolicy(1_000) })));
    expect(clock.nowMs() - t0).toBeLessThanOrEqual(3_100);
    const decisions = (await app.store.pending(100))
      .filter((event) => event.stream === "router:events")
      .map((event) => [event.payload["decision"], event.payload["reason"]]);
    expect(decisions[0]).toEqual(["delay", "spread_above_limit"]);
    const last = decisions[decisions.length - 1];
    expect(["split", "switch_to_limit"]).toContain(String(last?.[0]));
    expect(last?.[1]).toBe("spread_retries_exhausted");
    const taker = venue.placed[venue.placed.length - 1];
    expect(taker).toMatchObject({ type: "LIMIT", timeInForce: "IOC" });
    expect(result.exec).toMatchObject({ fell_back_to_taker: true });
    const entry = (await app.store.pending(100)).find((event) => event.stream === "router:events");
    expect(entry?.payload["inputs"]).toMatchObject({ spreadLimitBps: 3, stage: "taker" });
  });

  test("while the user stream is down the maker is polled, so a fill still ends the wait early", async () => {
    const { clock, venue, app } = await setUp();
    venue.streamConnected = false;
    const { pending } = await placeUntil(app, venue, intent({ execPolicy: makerPolicy(2_000) }));
    await clock.advanceMs(100);
    venue.fill(makerId, "0.01", { emit: false });
    const { result } = await app.run(pending);
    expect(venue.queried).toContain(makerId);
    expect(clock.nowMs() - t0).toBeLessThan(600);
    expect(result).toMatchObject({ status: "FILLED", exec: { fell_back_to_taker: false } });
  });

  test("without exec_policy the route table picks maker→taker and says why", async () => {
    const { app } = await setUp();
    const { result } = await app.run(app.place.execute(intent({ execPolicy: null })));
    expect(result.exec).toMatchObject({ policy: "MAKER_THEN_TAKER", reason: "route_default" });
    const decision = (await app.store.pending(100)).find(
      (event) => event.stream === "router:events" && event.payload["decision"] === "policy",
    );
    expect(decision?.payload["inputs"]).toMatchObject({
      policy: "MAKER_THEN_TAKER",
      route: "FUT:BTCUSDT",
      maker_wait_reason: "route_curve",
    });
  });
});
