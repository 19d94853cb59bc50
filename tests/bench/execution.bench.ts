// Execution benchmark (issue 4): per simulator scenario, 200 maker→taker intents through the
// application under a manual clock (maker fill ratio, taker rate, slippage p50/p95, timeouts),
// and 200 three-slice TWAP intents through the whole router over HTTP on the system clock (the
// schedule error: when each slice actually started minus when it was planned, p50/p99).
// `bun run bench` runs it; `bun run tests/bench/execution.bench.ts` too. Figures are reported,
// never asserted.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import type { ScenarioName } from "../../adapters/sim/engine/index.ts";
import { openSimVenue } from "../../adapters/sim/sim-venue.ts";
import defaultTableJson from "../../config/route-table.json";
import { startTestRouter } from "../support/router-harness.ts";
import {
  intent,
  policy,
  startExecutionApp,
  t0,
  tableWith,
} from "../unit/application/execution/execution-harness.ts";
import { percentile, printTable } from "./stats.ts";

export interface ExecutionBenchRow extends Record<string, string | number> {
  scenario: string;
  table: string;
  intents: number;
  maker_fill_ratio: number;
  taker_rate: number;
  maker_timeouts: number;
  slippage_p50_bps: number;
  slippage_p95_bps: number;
  twap_slices: number;
  twap_error_p50_ms: number;
  twap_error_p99_ms: number;
  /** Slices 2 and 3 only: due after the burst of 200 first slices has been worked off. */
  later_error_p50_ms: number;
  later_error_p99_ms: number;
}

export interface ExecutionBenchOptions {
  readonly intents?: number;
  readonly scenarios?: readonly ScenarioName[];
}

const scenariosDefault: readonly ScenarioName[] = [
  "calm",
  "thin_book",
  "wide_spread",
  "trend_up",
  "trend_down",
];

/** A desk trading the 40 bps market sets its limits for it; elsewhere the shipped table runs. */
const wideLimits = { spread_bps_max: 200, slip_bp_max: 100 };

export async function runExecutionBench(
  options: ExecutionBenchOptions = {},
): Promise<ExecutionBenchRow[]> {
  const intents = options.intents ?? 200;
  const rows: ExecutionBenchRow[] = [];
  for (const scenario of options.scenarios ?? scenariosDefault) {
    const maker = await makerTaker(scenario, intents);
    const twap = await twapSchedule(scenario, intents);
    rows.push({
      scenario,
      table: scenario === "wide_spread" ? "wide limits" : "default",
      intents,
      ...maker,
      ...twap,
    });
  }
  return rows;
}

/** 200 maker→taker intents of 0.05 BTC (the table's wait, ~1.3 s), 5 s of market between. */
async function makerTaker(scenario: ScenarioName, intents: number) {
  const clock = new ManualClock(t0);
  const venue = openSimVenue({ clock, seed: 17, scenario, dbPath: null });
  const app = await startExecutionApp(venue.gateway, {
    clock,
    table: tableWith(scenario === "wide_spread" ? wideLimits : {}),
    onStep: () => venue.gateway.tick(),
  });
  await app.runFor(60_000, 1_000);
  let makerQty = 0;
  let filledQty = 0;
  let timeouts = 0;
  const slippages: number[] = [];
  for (let index = 0; index < intents; index += 1) {
    const wanted = intent({
      intentId: `bench-${scenario}-${index}`,
      qty: "0.05",
      side: index % 2 === 0 ? "BUY" : "SELL",
      execPolicy: policy({ type: "MAKER_THEN_TAKER" }),
    });
    const { result } = await app.run(app.place.execute(wanted), 50);
    for (const fill of result.fills) {
      filledQty += Number(fill.qty);
      if (fill.liquidity === "MAKER") makerQty += Number(fill.qty);
    }
    if (result.exec?.maker_timeout === true) timeouts += 1;
    if (result.slippage_bps !== undefined) slippages.push(result.slippage_bps);
    await app.runFor(5_000, 1_000);
  }
  venue.close();
  return {
    maker_fill_ratio: filledQty === 0 ? 0 : makerQty / filledQty,
    taker_rate: filledQty === 0 ? 0 : 1 - makerQty / filledQty,
    maker_timeouts: timeouts,
    slippage_p50_bps: percentile(slippages, 0.5),
    slippage_p95_bps: percentile(slippages, 0.95),
  };
}

/**
 * 200 TWAP intents (3 slices, 500 ms apart) posted at once to the embedded router on the system
 * clock, its spread limits opened so the probe never delays a slice: what is measured is the
 * scheduler waking for each slice, under the burst of 200 first slices due together.
 */
async function twapSchedule(scenario: ScenarioName, intents: number) {
  const dir = mkdtempSync(join(tmpdir(), "s4-bench-twap-"));
  const table = structuredClone(defaultTableJson) as { routes: Record<string, unknown>[] };
  for (const row of table.routes) Object.assign(row, wideLimits);
  writeFileSync(join(dir, "routes.json"), JSON.stringify(table));
  const router = await startTestRouter({
    dir,
    env: {
      S4_SIM_SCENARIO: scenario,
      S4_ROUTE_TABLE_PATH: join(dir, "routes.json"),
      S4_LOG_LEVEL: "warn",
    },
  });
  try {
    const ids = Array.from({ length: intents }, (_, index) => `twap-${scenario}-${index}`);
    await Promise.all(
      ids.map((intentId) =>
        router.post("/orders", {
          intent_id: intentId,
          market: "FUT",
          symbol: "BTCUSDT",
          side: "BUY",
          qty: "0.003",
          exec_policy: { type: "TWAP", twap: { slices: 3, gap_ms: 500 } },
        }),
      ),
    );
    const deadline = Date.now() + 60_000;
    const errors: number[] = [];
    const laterErrors: number[] = [];
    for (const intentId of ids) {
      for (;;) {
        const events = await router.router.store.strategyEvents(intentId);
        const slices = events.filter((event) => event.kind === "TWAP_SLICE");
        if (slices.length >= 3 || Date.now() > deadline) {
          for (const slice of slices) {
            const payload = slice.payload as {
              slice: number;
              started_ms: number;
              planned_due_ms: number;
            };
            const errorMs = payload.started_ms - payload.planned_due_ms;
            errors.push(errorMs);
            if (payload.slice > 1) laterErrors.push(errorMs);
          }
          break;
        }
        await Bun.sleep(50);
      }
    }
    return {
      twap_slices: errors.length,
      twap_error_p50_ms: percentile(errors, 0.5),
      twap_error_p99_ms: percentile(errors, 0.99),
      later_error_p50_ms: percentile(laterErrors, 0.5),
      later_error_p99_ms: percentile(laterErrors, 0.99),
    };
  } finally {
    await router.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const intents = Number(process.env["S4_BENCH_INTENTS"] ?? 200);
  const startedMs = Date.now();
  const rows = await runExecutionBench({ intents });
  printTable(
    `execution: ${intents} maker→taker intents (0.05 BTC FUT, table's wait) and ${intents} TWAPs ` +
      `(3 × 0.001 BTC, 500 ms apart) per scenario, in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
    rows,
  );
}
