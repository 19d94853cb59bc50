// The exclusivity run (issue 5 acceptance): many protected positions, opened in waves across spot
// and futures lanes, driven over the in-process simulated venue by a manual clock, with event
// duplicates, reorders and stream drops, lost and late cancels, and lost placements injected; and,
// if asked, the router crashing mid-operation and a new one taking over. Every position is then
// audited from the store: one exit path executed, the other leg ended unexecuted, exits summing to
// the protected position, no trade counted twice; and every futures wave ends flat on the venue.

import { SeededRng } from "../../adapters/clock/seeded-rng.ts";
import { MemoryGuardStore } from "../../adapters/memory/memory-guard-store.ts";
import type { ScenarioName } from "../../adapters/sim/engine/index.ts";
import { type FaultPlan, noFaults } from "../../adapters/sim/fault-plan.ts";
import {
  add,
  type Decimal,
  dec,
  eq,
  formatDecimal,
  isPositive,
  isZero,
  zero,
} from "../../domain/decimal/index.ts";
import { isTerminal, type OrderIntent } from "../../domain/order/index.ts";
import { protectedQuantity } from "../../domain/protection/index.ts";
import type { ExchangeEvent } from "../../ports/exchange-gateway.ts";
import {
  advance,
  intent,
  midOf,
  ocoPolicy,
  openShared,
  type Router,
  type RouterOptions,
  type Shared,
  startRouter,
} from "../unit/application/protection/protection-kit.ts";

export const exclusivityScenarios: readonly ScenarioName[] = [
  "calm",
  "trend_up",
  "trend_down",
  "gap_down",
];

export interface ExclusivityOptions {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly positions: number;
  readonly guardianForced: boolean;
  /** Crash the router mid-operation about this often per wave (0: never). */
  readonly crashPerWave: number;
  /** Looks at the venue and the router after the first wave (debugging). */
  readonly inspect?: (shared: Shared, router: Router) => Promise<void>;
}

export interface ExclusivityCounts {
  scenario: string;
  positions: number;
  skipped: number;
  tp: number;
  sl: number;
  tpPartialThenSl: number;
  guardianExits: number;
  backstopExits: number;
  restarts: number;
  violations: string[];
}

interface Lane {
  readonly market: "SPOT" | "FUT";
  readonly symbol: string;
  readonly tick: number;
  readonly qtys: readonly string[];
}

const lanes: readonly Lane[] = [
  { market: "SPOT", symbol: "BTCUSDT", tick: 0.01, qtys: ["0.002", "0.003", "0.005"] },
  { market: "SPOT", symbol: "ETHUSDT", tick: 0.01, qtys: ["0.05", "0.08", "0.12"] },
  { market: "FUT", symbol: "BTCUSDT", tick: 0.1, qtys: ["0.002", "0.003", "0.004"] },
  { market: "FUT", symbol: "ETHUSDT", tick: 0.01, qtys: ["0.03", "0.04", "0.05"] },
];

/** Positions per lane opened together (futures lanes share one direction per wave). */
const perLane = 8;
const stepMs = 100;
const waveLimitMs = 3_600_000;

export const faultPlan: FaultPlan = {
  ...noFaults,
  appliesTo: ["PLACE", "CANCEL"],
  probabilities: {
    // Lost and late cancels: the order keeps working (and filling) while the cancel is in doubt.
    TIMEOUT_BEFORE_ARRIVAL: 0.05,
    UNKNOWN_AFTER_EXECUTION: 0.05,
    UNAVAILABLE: 0.02,
  },
  events: {
    duplicateProbability: 0.03,
    reorderProbability: 0.03,
    dropProbability: 0.001,
    dropDurationMs: 2_000,
  },
};

function price(value: number, tick: number, rounding: "floor" | "ceil"): string {
  const ticks = rounding === "floor" ? Math.floor(value / tick) : Math.ceil(value / tick);
  const decimals = Math.round(-Math.log10(tick));
  return (ticks * tick).toFixed(decimals);
}

function makeIntent(shared: Shared, rng: SeededRng, lane: Lane, id: string, buy: boolean) {
  const mid = midOf(shared, lane.market, lane.symbol);
  const slBps = 4 + rng.nextFloat() * 8;
  const tpBps = 4 + rng.nextFloat() * 8;
  const below = (bps: number) => price(mid * (1 - bps / 10_000), lane.tick, "floor");
  const above = (bps: number) => price(mid * (1 + bps / 10_000), lane.tick, "ceil");
  const sl = buy ? below(slBps) : above(slBps);
  const tp = buy ? above(tpBps) : below(tpBps);
  const qty = lane.qtys[Math.floor(rng.nextFloat() * lane.qtys.length)]!;
  const base = { intentId: id, market: lane.market, symbol: lane.symbol, qty } as const;
  const side = buy ? ("BUY" as const) : ("SELL" as const);
  if (lane.market === "SPOT") return intent({ ...base, side, execPolicy: ocoPolicy(tp, sl) });
  const draw = rng.nextFloat();
  const notional = Number(qty) * mid;
  const target: OrderIntent["tp"] =
    draw < 0.7
      ? { type: "TAKE_PROFIT_MARKET", target: "price", value: dec(tp) }
      : draw < 0.85
        ? {
            type: "TAKE_PROFIT_MARKET",
            target: "net_profit_usdt",
            value: dec(((notional * tpBps) / 10_000).toFixed(4)),
          }
        : {
            type: "TAKE_PROFIT_MARKET",
            target: "roe",
            value: dec(((tpBps / 10_000) * 20).toFixed(6)),
          };
  return intent({ ...base, side, sl: { type: "STOP_MARKET", price: dec(sl) }, tp: target });
}

export async function runExclusivity(options: ExclusivityOptions): Promise<ExclusivityCounts> {
  const shared = openShared({ scenario: options.scenario, seed: options.seed, faultPlan });
  const rng = new SeededRng(options.seed * 7919 + 17);
  const settings: RouterOptions["settings"] = options.guardianForced
    ? { spotGuardian: true, futuresGuardian: true }
    : {};
  const counts: ExclusivityCounts = {
    scenario: options.scenario,
    positions: 0,
    skipped: 0,
    tp: 0,
    sl: 0,
    tpPartialThenSl: 0,
    guardianExits: 0,
    backstopExits: 0,
    restarts: 0,
    violations: [],
  };
  let generation = 0;
  const start = async () => {
    generation += 1;
    const owner = `router-${generation}`;
    // Its restore, a reconcile and a sweep run beside the clock (the wave loop starts them).
    return startRouter(shared, { owner, settings });
  };
  let router = await start();
  const intents: string[] = [];
  const perWave = lanes.length * perLane;
  // Waves until enough positions were opened and protected (entries the faults refused are
  // counted as skipped, not as positions).
  for (let wave = 0; counts.positions < options.positions; wave += 1) {
    const ids: string[] = [];
    const wanted = Math.min(perWave, options.positions - counts.positions);
    for (const lane of lanes) {
      const buy = rng.nextFloat() < 0.5;
      for (let index = 0; index < perLane && ids.length < wanted; index += 1) {
        const id = `x${options.seed}-${wave}-${lane.market[0]}${lane.symbol[0]}-${index}`;
        ids.push(id);
        // Not awaited: a router that crashes mid-placement never answers.
        void router.place.execute(makeIntent(shared, rng, lane, id, buy));
      }
    }
    intents.push(...ids);
    if (options.crashPerWave > 0 && rng.nextFloat() < options.crashPerWave) {
      router.crashAfterCalls(1 + Math.floor(rng.nextFloat() * perWave * 3));
    }
    router = await runWave(shared, router, ids, start, counts);
    await audit(shared, router, ids, counts);
    if (wave === 0) await options.inspect?.(shared, router);
  }
  router.crash();
  return counts;
}

/** Drives the venue until every position of the wave is closed, restarting a crashed router. */
async function runWave(
  shared: Shared,
  first: Router,
  ids: readonly string[],
  start: () => Promise<Router>,
  counts: ExclusivityCounts,
): Promise<Router> {
  let router = first;
  let reconnected = false;
  const listen = (target: Router) =>
    shared.gateway.onEvent((event: ExchangeEvent) => {
      if (event.kind === "STREAM_STATE" && event.connected && !target.isDead()) reconnected = true;
    });
  let unlisten = listen(router);
  let sweeping: Promise<void> | null = null;
  let restarted = false;
  for (let elapsedMs = 0; elapsedMs < waveLimitMs; elapsedMs += stepMs) {
    await advance(shared, router, stepMs, stepMs);
    if (router.isDead()) {
      router.crash();
      unlisten();
      counts.restarts += 1;
      // Half the restarts keep the guard store (Redis: leases must expire first), half lose it.
      if (counts.restarts % 2 === 0) shared.guards = new MemoryGuardStore({ clock: shared.clock });
      sweeping = null;
      restarted = true;
      router = await start();
      unlisten = listen(router);
      continue;
    }
    // Periodic jobs run beside the clock, as main.ts's loops do: one may wait on an intent a
    // placement holds while that placement waits for time to pass (a retry backoff).
    const polling = router.protection.userStreamDown() && elapsedMs % 500 === 0;
    if (sweeping === null && (reconnected || polling || elapsedMs % 10_000 === 0 || restarted)) {
      restarted = false;
      reconnected = false;
      const current = router;
      sweeping = (async () => {
        await current.reconcile.runOnce();
        await current.protection.sweep({ venue: true });
      })().finally(() => {
        sweeping = null;
      });
    } else if (sweeping === null && elapsedMs % 5_000 === 0) {
      sweeping = router.protection.sweep({ venue: false }).then(
        () => undefined,
        () => undefined,
      );
      void sweeping.finally(() => {
        sweeping = null;
      });
    }
    if (elapsedMs % 5_000 === 0 && (await allClosed(router, ids))) break;
  }
  unlisten();
  return router;
}

async function allClosed(router: Router, ids: readonly string[]): Promise<boolean> {
  for (const id of ids) {
    if (router.protection.guardian.stateOf(id) !== null) return false;
    const state = await router.ledger.load(id);
    if (state === null) continue;
    if (state.orders.some((order) => !isTerminal(order.status))) return false;
  }
  return true;
}

/** The audit of one wave, from the store and the venue. */
async function audit(
  shared: Shared,
  router: Router,
  ids: readonly string[],
  counts: ExclusivityCounts,
): Promise<void> {
  const seenTrades = new Set<string>();
  for (const id of ids) {
    const state = await router.ledger.load(id);
    const entry = state?.orders.find((order) => order.orderId === state.record.orderId);
    if (state === null || entry === undefined || !isPositive(entry.filledQty)) {
      counts.skipped += 1;
      continue;
    }
    counts.positions += 1;
    const problem = (message: string) => counts.violations.push(`${id}: ${message}`);
    const open = state.orders.filter((order) => !isTerminal(order.status));
    if (open.length > 0) problem(`still working: ${open.map((o) => o.clientOrderId).join(",")}`);
    let tpQty = zero;
    let slQty = zero;
    for (const fill of state.fills) {
      const order = state.orders.find((candidate) => candidate.orderId === fill.orderId)!;
      const key = `${order.market}:${fill.tradeId}`;
      if (seenTrades.has(key)) problem(`trade ${key} counted twice`);
      seenTrades.add(key);
      if (order.role === "TP") tpQty = add(tpQty, fill.qty);
      if (order.role === "SL") slQty = add(slQty, fill.qty);
    }
    const rules = shared.engine.spec(entry.market, entry.symbol)!.rules;
    const fills = state.fills.filter((fill) => fill.orderId === entry.orderId);
    const held =
      entry.market === "FUT"
        ? entry.filledQty
        : (() => {
            const net = protectedQuantity(
              rules,
              entry.filledQty,
              fills.map((fill) => ({ amount: fill.fee, asset: fill.feeAsset })),
            );
            return net.ok ? net.qty : zero;
          })();
    const exited = add(tpQty, slQty);
    if (!eq(exited, held)) {
      problem(
        `exited ${formatDecimal(exited)} of ${formatDecimal(held)} (tp ${formatDecimal(tpQty)}, sl ${formatDecimal(slQty)})`,
      );
    }
    const legs = state.orders.filter(
      (o) => (o.role === "TP" || o.role === "SL") && o.type !== "MARKET",
    );
    const filledLegs = legs.filter((o) => o.status === "FILLED");
    if (filledLegs.length > 1)
      problem(`both legs filled: ${filledLegs.map((o) => o.clientOrderId)}`);
    classify(counts, tpQty, slQty);
    const exits = state.orders.filter((o) => o.type === "MARKET" && o.role !== "ENTRY");
    if (exits.some((o) => /\/gx\d+$/.test(o.clientOrderId))) {
      if (state.orders.some((o) => o.clientOrderId.endsWith("/gsl"))) counts.guardianExits += 1;
      else counts.backstopExits += 1;
    } else if (
      state.orders.some((o) => o.clientOrderId.endsWith("/gsl") && o.status === "FILLED")
    ) {
      counts.guardianExits += 1;
    }
  }
  for (const symbol of ["BTCUSDT", "ETHUSDT"]) {
    const position = shared.engine.positions(symbol, shared.clock.nowMs())[0];
    if (position !== undefined && !isZero(position.qty)) {
      counts.violations.push(
        `FUT ${symbol} not flat after the wave: ${formatDecimal(position.qty)}`,
      );
    }
  }
}

function classify(counts: ExclusivityCounts, tpQty: Decimal, slQty: Decimal): void {
  if (isPositive(tpQty) && isPositive(slQty)) counts.tpPartialThenSl += 1;
  else if (isPositive(tpQty)) counts.tp += 1;
  else if (isPositive(slQty)) counts.sl += 1;
}

export function formatCounts(title: string, all: readonly ExclusivityCounts[]): string {
  const rows = all.map(
    (c) =>
      `  ${c.scenario.padEnd(10)} positions ${String(c.positions).padStart(4)}  tp ${String(c.tp).padStart(4)}` +
      `  sl ${String(c.sl).padStart(4)}  tp-partial+sl ${String(c.tpPartialThenSl).padStart(3)}` +
      `  guardian stops ${String(c.guardianExits).padStart(4)}  backstop ${String(c.backstopExits).padStart(3)}` +
      `  restarts ${String(c.restarts).padStart(3)}  skipped ${c.skipped}  violations ${c.violations.length}`,
  );
  const total = all.reduce((sum, c) => sum + c.positions, 0);
  const clean =
    all.reduce((sum, c) => sum + c.positions, 0) -
    all.reduce((s, c) => s + new Set(c.violations.map((v) => v.split(":")[0])).size, 0);
  return `${title}: ${clean}/${total} positions with exactly one exit path\n${rows.join("\n")}`;
}
