// Shared helpers for the simulator's unit tests: an engine at a fixed start, request builders,
// and result unwrapping that fails loudly.

import {
  type ScenarioName,
  SimEngine,
  type SimEvent,
  type SimPlaceOrderRequest,
  type SimReject,
  type SimResult,
} from "../../../adapters/sim/engine/index.ts";
import { type Decimal, dec, mul, roundToStep } from "../../../domain/decimal/index.ts";

export const t0 = 1_700_000_000_000;

export function makeEngine(scenario: ScenarioName = "calm", seed = 7): SimEngine {
  return new SimEngine({ seed, scenario, startMs: t0 });
}

export function recordEvents(engine: SimEngine): SimEvent[] {
  const events: SimEvent[] = [];
  engine.onEvent((event) => events.push(event));
  return events;
}

export function must<T>(result: SimResult<T>): T {
  if (!result.ok) throw new Error(`expected ok: ${result.reject.code} ${result.reject.message}`);
  return result.value;
}

export function refused<T>(result: SimResult<T>): SimReject {
  if (result.ok) throw new Error("expected a rejection");
  return result.reject;
}

let sequence = 0;
export function nextId(tag = "c"): string {
  sequence += 1;
  return `${tag}-${sequence}`;
}

export function market(
  overrides: Partial<SimPlaceOrderRequest> & Pick<SimPlaceOrderRequest, "side">,
): SimPlaceOrderRequest {
  return {
    market: "SPOT",
    symbol: "BTCUSDT",
    type: "MARKET",
    timeInForce: null,
    qty: dec("0.01"),
    price: null,
    stopPrice: null,
    clientOrderId: nextId(),
    reduceOnly: false,
    ...overrides,
  };
}

export function limit(
  overrides: Partial<SimPlaceOrderRequest> & Pick<SimPlaceOrderRequest, "side" | "price">,
): SimPlaceOrderRequest {
  return market({ type: "LIMIT", timeInForce: "GTC", ...overrides });
}

/** price × factor on a tick grid. */
export function scaled(price: Decimal, factor: string, tick = "0.01"): Decimal {
  return roundToStep(mul(price, dec(factor)), dec(tick), "floor");
}
