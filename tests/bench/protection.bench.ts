// Protection benchmark (issue 5): guardian reaction time, from the price event that touches a
// stop (delivered by the in-process simulated venue, a local stream) to the exit order being sent,
// and protective-order placement latency, from the entry's fill to the protective orders being
// acknowledged; with the in-memory store and with SQLite on disk. Wall-clock times around the
// router's own work (the venue answers in microseconds); the simulated market runs on a manual
// clock. `bun run bench` runs it; `bun run tests/bench/protection.bench.ts` too. Figures are
// reported, never asserted.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteOrderStore } from "../../adapters/sqlite/sqlite-order-store.ts";
import { dec } from "../../domain/decimal/index.ts";
import type { ExchangeEvent, ExchangeGateway } from "../../ports/exchange-gateway.ts";
import {
  advance,
  intent,
  midOf,
  ocoPolicy,
  openShared,
  type Shared,
  startRouter,
} from "../unit/application/protection/protection-kit.ts";
import { percentile, printTable } from "./stats.ts";

export interface ProtectionBenchRow extends Record<string, string | number> {
  measure: string;
  market: string;
  store: string;
  samples: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface ProtectionBenchOptions {
  /** Positions per market and store. */
  readonly trials?: number;
}

type StoreKind = "memory" | "sqlite";

interface Timings {
  reaction: Record<"SPOT" | "FUT", number[]>;
  placement: Record<"SPOT" | "FUT", number[]>;
}

const exitSuffix = /\/(gsl|gtg|gx\d+)$/;

/** Times the router's venue calls; the price touch is timed by a listener ahead of the router. */
function instrument(shared: Shared, timings: Timings) {
  const gateway = shared.gateway as unknown as ExchangeGateway & Record<string, unknown>;
  let touchAtMs = 0;
  const entryFilledAt = new Map<string, number>();
  shared.gateway.onEvent((event: ExchangeEvent) => {
    if (event.kind === "MARK_PRICE" || event.kind === "BOOK_TOP") touchAtMs = performance.now();
  });
  const placeOrder = shared.gateway.placeOrder.bind(shared.gateway);
  gateway.placeOrder = async (request: Parameters<ExchangeGateway["placeOrder"]>[0]) => {
    const sentAtMs = performance.now();
    if (exitSuffix.test(request.clientOrderId)) {
      timings.reaction[request.market].push(sentAtMs - touchAtMs);
    }
    const answer = await placeOrder(request);
    if (!request.clientOrderId.includes("/"))
      entryFilledAt.set(request.clientOrderId, performance.now());
    return answer;
  };
  const placed = (market: "SPOT" | "FUT", clientId: string) => {
    const started = entryFilledAt.get(clientId.split("/")[0]!);
    if (started !== undefined) timings.placement[market].push(performance.now() - started);
  };
  const placeConditional = shared.gateway.placeConditional.bind(shared.gateway);
  let legsLeft = 0;
  gateway.placeConditional = async (
    request: Parameters<ExchangeGateway["placeConditional"]>[0],
  ) => {
    const answer = await placeConditional(request);
    // Both legs go out together: the second acknowledgement ends the placement.
    legsLeft = legsLeft === 0 ? 1 : 0;
    if (legsLeft === 0) placed("FUT", request.clientAlgoId);
    return answer;
  };
  const placeOco = shared.gateway.placeOco.bind(shared.gateway);
  gateway.placeOco = async (request: Parameters<ExchangeGateway["placeOco"]>[0]) => {
    const answer = await placeOco(request);
    placed("SPOT", request.listClientOrderId);
    return answer;
  };
}

function openStore(kind: StoreKind) {
  if (kind === "memory") return { shared: openShared({ seed: 5 }), close: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "s4-protection-bench-"));
  const shared = openShared({
    seed: 5,
    store: (clock) => new SqliteOrderStore({ path: join(dir, "s4.sqlite"), clock }),
  });
  return {
    shared,
    close: () => {
      void shared.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Placement latency: native legs (futures algo orders, spot OCO) after market entries. */
async function placements(kind: StoreKind, trials: number, timings: Timings) {
  const { shared, close } = openStore(kind);
  try {
    const router = await startRouter(shared);
    instrument(shared, timings);
    for (let trial = 0; trial < trials; trial += 1) {
      for (const market of ["FUT", "SPOT"] as const) {
        const mid = midOf(shared, market, "BTCUSDT");
        const id = `place-${market}-${trial}`;
        const request =
          market === "FUT"
            ? intent({
                intentId: id,
                side: trial % 2 === 0 ? "BUY" : "SELL",
                sl: {
                  type: "STOP_MARKET",
                  price: dec((trial % 2 === 0 ? mid * 0.99 : mid * 1.01).toFixed(1)),
                },
                tp: { type: "TAKE_PROFIT_MARKET", target: "net_profit_usdt", value: dec("2") },
              })
            : intent({
                intentId: id,
                market: "SPOT",
                qty: "0.001",
                execPolicy: ocoPolicy((mid * 1.01).toFixed(2), (mid * 0.99).toFixed(2)),
              });
        const placed = await router.place.execute(request);
        // Flatten and clean up (venue limits on open lists and algo orders): cancel a leg with
        // its sibling, and for futures send the rest to market.
        const leg = placed.result.legs.find((candidate) => candidate.status === "ACCEPTED");
        if (leg !== undefined) {
          await router.cancel.execute({
            orderId: leg.order_id,
            clientOrderId: null,
            cascadeOco: true,
            reason: "bench",
            afterCancel: market === "FUT" ? "MARKET" : "NONE",
          });
        }
      }
      await advance(shared, router, 100);
    }
    router.crash();
  } finally {
    close();
  }
}

/** Reaction: one guarded position per market at a time, then a jump through its stop. */
async function reactions(kind: StoreKind, trials: number, timings: Timings) {
  const { shared, close } = openStore(kind);
  try {
    const router = await startRouter(shared, {
      settings: { spotGuardian: true, futuresGuardian: true },
    });
    instrument(shared, timings);
    for (let trial = 0; trial < trials; trial += 1) {
      const spot = midOf(shared, "SPOT", "BTCUSDT");
      await router.place.execute(
        intent({ intentId: `react-fut-${trial}`, sl: stopBelow(midOf(shared, "FUT", "BTCUSDT")) }),
      );
      await router.place.execute(
        intent({
          intentId: `react-spot-${trial}`,
          market: "SPOT",
          qty: "0.001",
          execPolicy: ocoPolicy((spot * 1.01).toFixed(2), (spot * 0.999).toFixed(2)),
        }),
      );
      await advance(shared, router, 100);
      shared.engine.setMid("BTCUSDT", dec((spot * 0.995).toFixed(2)), shared.clock.nowMs());
      await advance(shared, router, 200);
      shared.engine.setMid("BTCUSDT", dec(spot.toFixed(2)), shared.clock.nowMs());
      await advance(shared, router, 100);
    }
    router.crash();
  } finally {
    close();
  }
}

function stopBelow(mid: number) {
  return { type: "STOP_MARKET" as const, price: dec((mid * 0.999).toFixed(1)) };
}

export async function runProtectionBench(
  options: ProtectionBenchOptions = {},
): Promise<ProtectionBenchRow[]> {
  const trials = options.trials ?? 300;
  const rows: ProtectionBenchRow[] = [];
  for (const kind of ["memory", "sqlite"] as const) {
    const timings: Timings = {
      reaction: { SPOT: [], FUT: [] },
      placement: { SPOT: [], FUT: [] },
    };
    await reactions(kind, trials, timings);
    await placements(kind, trials, timings);
    for (const market of ["FUT", "SPOT"] as const) {
      const row = (measure: string, values: number[]): ProtectionBenchRow => ({
        measure,
        market,
        store: kind,
        samples: values.length,
        p50_ms: percentile(values, 0.5),
        p99_ms: percentile(values, 0.99),
        max_ms: Math.max(...values),
      });
      const exit = market === "FUT" ? "exit sent" : "TP cancelled, exit sent";
      rows.push(row(`guardian reaction: price touch → ${exit}`, timings.reaction[market]));
      const legs = market === "FUT" ? "SL+TP algo orders acknowledged" : "OCO list acknowledged";
      rows.push(row(`placement: entry fill → ${legs}`, timings.placement[market]));
    }
  }
  return rows;
}

if (import.meta.main) {
  const trials = Number(process.env["S4_BENCH_PROTECTION_TRIALS"] ?? 300);
  const startedMs = Date.now();
  const rows = await runProtectionBench({ trials });
  printTable(
    `protection: ${trials} positions per market and store (in-process simulated venue), ` +
      `in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
    rows,
  );
}
