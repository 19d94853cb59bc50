// Named market scenarios: the parameters of the seeded price path and the synthetic book.
// Sizes are notional (USDT) and distances are basis points, so one scenario fits every symbol.

export type ScenarioName =
  | "calm"
  | "wide_spread"
  | "thin_book"
  | "trend_up"
  | "trend_down"
  | "gap_down";

export const scenarioNames: readonly ScenarioName[] = [
  "calm",
  "wide_spread",
  "thin_book",
  "trend_up",
  "trend_down",
  "gap_down",
];

export interface GapPlan {
  /** First jump falls uniformly in [firstAfterMsMin, firstAfterMsMax] after the engine starts. */
  readonly firstAfterMsMin: number;
  readonly firstAfterMsMax: number;
  /** Then one jump every this many ms. */
  readonly everyMs: number;
  /** Signed jump size (negative is down). */
  readonly sizeBps: number;
}

export interface ScenarioParams {
  readonly name: string;
  /** Standard deviation of the mid's log return per √second, in bps. */
  readonly volatilityBpsPerSqrtSecond: number;
  /** Deterministic drift of the mid per second, in bps. */
  readonly driftBpsPerSecond: number;
  /** Quoted spread in the normal regime, and in the wide regime. */
  readonly spreadBps: number;
  readonly wideSpreadBps: number;
  /** Per-second probabilities of entering and leaving the wide-spread regime. */
  readonly wideEnterPerSecond: number;
  readonly wideExitPerSecond: number;
  /** Distance between synthetic book levels. */
  readonly levelGapBps: number;
  /** Notional of the first level; level k holds first × growth^k (± seeded noise). */
  readonly topLevelNotional: number;
  readonly levelGrowth: number;
  /** Traded notional per second on each side of the book (takers hitting the synthetic book). */
  readonly tradedNotionalPerSecond: number;
  /** Share of touch-level taker volume that reaches an order resting at the touch (queue). */
  readonly touchShare: number;
  /** Share of consumed depth replenished per second after a taker walked the book. */
  readonly refillPerSecond: number;
  /** The mark price's basis to the mid stays within ± this. */
  readonly basisBpsMax: number;
  readonly gap: GapPlan | null;
}

const calm: ScenarioParams = {
  name: "calm",
  volatilityBpsPerSqrtSecond: 1,
  driftBpsPerSecond: 0,
  spreadBps: 1,
  wideSpreadBps: 4,
  wideEnterPerSecond: 0.002,
  wideExitPerSecond: 0.1,
  levelGapBps: 0.5,
  topLevelNotional: 150_000,
  levelGrowth: 1.1,
  tradedNotionalPerSecond: 300_000,
  touchShare: 0.5,
  refillPerSecond: 0.5,
  basisBpsMax: 2,
  gap: null,
};

const scenarios: Readonly<Record<ScenarioName, ScenarioParams>> = {
  calm,
  wide_spread: {
    ...calm,
    name: "wide_spread",
    volatilityBpsPerSqrtSecond: 2,
    spreadBps: 40,
    wideSpreadBps: 80,
    wideEnterPerSecond: 0.02,
    wideExitPerSecond: 0.05,
    levelGapBps: 4,
    topLevelNotional: 60_000,
    tradedNotionalPerSecond: 60_000,
    touchShare: 0.3,
  },
  thin_book: {
    ...calm,
    name: "thin_book",
    spreadBps: 3,
    wideSpreadBps: 10,
    levelGapBps: 1.5,
    topLevelNotional: 20_000,
    levelGrowth: 1.05,
    tradedNotionalPerSecond: 30_000,
    refillPerSecond: 0.1,
  },
  trend_up: { ...calm, name: "trend_up", driftBpsPerSecond: 0.3 },
  trend_down: { ...calm, name: "trend_down", driftBpsPerSecond: -0.3 },
  gap_down: {
    ...calm,
    name: "gap_down",
    gap: { firstAfterMsMin: 20_000, firstAfterMsMax: 40_000, everyMs: 120_000, sizeBps: -250 },
  },
};

export function isScenarioName(name: string): name is ScenarioName {
  return (scenarioNames as readonly string[]).includes(name);
}

export function scenarioParams(name: ScenarioName): ScenarioParams {
  return scenarios[name];
}
