// The risk gate under a manual clock: the kill switch refuses only new positions, the breaker
// opens on the exchange error rate, refuses entries but not exits, and closes after probes.

import { describe, expect, test } from "bun:test";
import { ManualClock, settle } from "../../../../adapters/clock/manual-clock.ts";
import { MemoryKillSwitch } from "../../../../adapters/memory/memory-kill-switch.ts";
import { MemoryOrderStore } from "../../../../adapters/memory/memory-order-store.ts";
import { MemoryLogger } from "../../../../adapters/observability/console-logger.ts";
import { PrometheusMetrics } from "../../../../adapters/observability/prometheus-metrics.ts";
import {
  callOutcome,
  observeExchange,
} from "../../../../application/risk-gate/observed-exchange.ts";
import { RiskGate } from "../../../../application/risk-gate/risk-gate.ts";
import { dec } from "../../../../domain/decimal/index.ts";
import type { OrderIntent } from "../../../../domain/order/index.ts";
import { defaultBreakerConfig } from "../../../../domain/risk/index.ts";
import type { ExchangeGateway } from "../../../../ports/exchange-gateway.ts";

const entry: OrderIntent = {
  intentId: "gate-1",
  uuid: null,
  kind: "ENTRY",
  market: "FUT",
  symbol: "BTCUSDT",
  side: "BUY",
  qty: dec("0.002"),
  clientOrderId: null,
  reduceOnly: false,
  execPolicy: null,
  sl: null,
  tp: null,
};
const exit: OrderIntent = { ...entry, intentId: "gate-2", kind: "EXIT", side: "SELL" };

function makeGate() {
  const clock = new ManualClock();
  const killSwitch = new MemoryKillSwitch();
  const store = new MemoryOrderStore();
  const gate = new RiskGate({
    clock,
    killSwitch,
    store,
    logger: new MemoryLogger(),
    metrics: new PrometheusMetrics(),
    config: { ...defaultBreakerConfig, sampleMin: 5, coolDownMs: 10_000, halfOpenProbeCount: 2 },
  });
  return { clock, killSwitch, store, gate };
}

describe("kill switch", () => {
  test("global and per-symbol flags refuse entries, never exits", async () => {
    const { gate, killSwitch } = makeGate();
    expect(await gate.gate(entry)).toBeNull();
    killSwitch.set(true, "BTCUSDT");
    expect((await gate.gate(entry))?.code).toBe("KILL_SWITCH");
    expect(await gate.gate({ ...entry, symbol: "ETHUSDT" })).toBeNull();
    expect(await gate.gate(exit)).toBeNull();
    expect(await gate.gate({ ...entry, reduceOnly: true })).toBeNull();
    killSwitch.set(false, "BTCUSDT");
    killSwitch.set(true);
    expect((await gate.gate({ ...entry, symbol: "ETHUSDT" }))?.rule).toBe("global");
  });
});

describe("circuit breaker", () => {
  test("opens on the error rate, refuses entries with Retry-After, lets exits through, closes after probes", async () => {
    const { gate, clock, store } = makeGate();
    for (let call = 0; call < 4; call += 1) gate.recordCall("SUCCESS");
    for (let call = 0; call < 2; call += 1) gate.recordCall("SERVER_ERROR");
    expect(gate.status()).toBe("OPEN");
    const refused = await gate.gate(entry);
    expect(refused).toMatchObject({ code: "CIRCUIT_OPEN", rule: "circuit_open" });
    expect(refused?.retryAfterMs).toBe(10_000);
    expect(await gate.gate(exit)).toBeNull();
    await settle();
    expect((await store.recentAlerts(5)).map((alert) => alert.code)).toContain("CIRCUIT_OPENED");
    await clock.advanceMs(10_000);
    expect(gate.status()).toBe("HALF_OPEN");
    expect(await gate.gate(entry)).toBeNull();
    gate.recordCall("SUCCESS");
    expect(await gate.gate(entry)).toBeNull();
    gate.recordCall("SUCCESS");
    expect(gate.status()).toBe("CLOSED");
  });

  test("three consecutive /orders failed at the exchange freeze new positions", async () => {
    const { gate } = makeGate();
    const failed = { result: "FAIL", code: "EXCHANGE_UNAVAILABLE" } as const;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await gate.gate(entry)).toBeNull();
      gate.observeResult({ ...failed } as never);
    }
    expect((await gate.gate(entry))?.rule).toBe("orders_frozen");
    expect(await gate.gate(exit)).toBeNull();
    gate.observeResult({ result: "OK" } as never);
    expect(await gate.gate(entry)).toBeNull();
  });

  test("validation refusals do not count as exchange failures", async () => {
    const { gate } = makeGate();
    for (let attempt = 0; attempt < 5; attempt += 1)
      gate.observeResult({ result: "FAIL", code: "LOT_SIZE" } as never);
    expect(await gate.gate(entry)).toBeNull();
  });
});

describe("observed exchange", () => {
  test("maps results to breaker outcomes and passes values through", async () => {
    expect(callOutcome({ ok: true, value: 1 })).toBe("SUCCESS");
    expect(callOutcome({ ok: false, error: { kind: "UNAVAILABLE", message: "" } })).toBe(
      "SERVER_ERROR",
    );
    expect(
      callOutcome({ ok: false, error: { kind: "RATE_LIMITED", retryAfterMs: 1, message: "" } }),
    ).toBe("RATE_LIMITED");
    expect(callOutcome({ ok: false, error: { kind: "OUTCOME_UNKNOWN", message: "" } })).toBe(
      "TIMEOUT",
    );
    expect(callOutcome({ ok: false, error: { kind: "INSUFFICIENT_BALANCE", message: "" } })).toBe(
      "CLIENT_ERROR",
    );
    const seen: string[] = [];
    const inner = {
      name: "fake",
      bookTop: async () => ({ ok: false, error: { kind: "UNAVAILABLE", message: "down" } }),
    } as unknown as ExchangeGateway;
    const observed = observeExchange(inner, (outcome) => seen.push(outcome));
    expect(observed.name).toBe("fake");
    const answer = await observed.bookTop("FUT", "BTCUSDT");
    expect(answer.ok).toBe(false);
    expect(seen).toEqual(["SERVER_ERROR"]);
  });
});
