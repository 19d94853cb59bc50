// The seeded market path of one symbol: a log random walk with drift, a two-state spread regime,
// a mean-reverting mark basis, scheduled gaps and the taker volume traded per step. The mid is a
// float: it is the simulated market, never a decision over anyone's money; books round it to ticks.

import type { SeededRng } from "../../clock/seeded-rng.ts";
import type { ScenarioParams } from "./scenarios.ts";

export interface PathState {
  readonly symbol: string;
  mid: number;
  /** In the wide-spread regime. */
  wide: boolean;
  basisBps: number;
  /** -1, 0 or 1: the sign of the last step's move (which side the last trade hit). */
  lastMove: number;
  /** Base quantity sold / bought by takers during the last step. */
  sellVolume: number;
  buyVolume: number;
  nextGapMs: number | null;
}

/** The mid never falls below this share of where it started (keeps prices positive). */
const midFloorShare = 0.01;
const basisDecay = 0.95;
const basisNoiseBps = 0.2;

export function newPathState(
  symbol: string,
  mid: number,
  params: ScenarioParams,
  rng: SeededRng,
  startMs: number,
): PathState {
  const gap = params.gap;
  const nextGapMs =
    gap === null
      ? null
      : startMs +
        Math.round(
          gap.firstAfterMsMin + rng.nextFloat() * (gap.firstAfterMsMax - gap.firstAfterMsMin),
        );
  return {
    symbol,
    mid,
    wide: false,
    basisBps: 0,
    lastMove: 0,
    sellVolume: 0,
    buyVolume: 0,
    nextGapMs,
  };
}

/** Moves the path one step of `dtMs` ending at `stepEndMs`. */
export function stepPath(
  state: PathState,
  params: ScenarioParams,
  rng: SeededRng,
  dtMs: number,
  stepEndMs: number,
  startMid: number,
): void {
  const dtSeconds = dtMs / 1000;
  const returnBps =
    params.driftBpsPerSecond * dtSeconds +
    params.volatilityBpsPerSqrtSecond * Math.sqrt(dtSeconds) * rng.nextGaussian();
  const previous = state.mid;
  let mid = previous * Math.exp(returnBps / 10_000);
  const gap = params.gap;
  if (gap !== null && state.nextGapMs !== null && stepEndMs >= state.nextGapMs) {
    mid *= 1 + gap.sizeBps / 10_000;
    state.nextGapMs += gap.everyMs;
  }
  state.mid = Math.max(mid, startMid * midFloorShare);
  stepRegime(state, params, rng.nextFloat(), dtSeconds);
  const basis = state.basisBps * basisDecay + rng.nextGaussian() * basisNoiseBps;
  state.basisBps = Math.max(-params.basisBpsMax, Math.min(params.basisBpsMax, basis));
  state.lastMove = Math.sign(state.mid - previous);
  const meanBase = (params.tradedNotionalPerSecond * dtSeconds) / state.mid;
  const sellSkew = state.lastMove < 0 ? 1.5 : state.lastMove > 0 ? 0.5 : 1;
  state.sellVolume = meanBase * sellSkew * -Math.log(1 - rng.nextFloat());
  state.buyVolume = meanBase * (2 - sellSkew) * -Math.log(1 - rng.nextFloat());
}

function stepRegime(state: PathState, params: ScenarioParams, draw: number, dtSeconds: number) {
  if (state.wide) {
    if (draw < params.wideExitPerSecond * dtSeconds) state.wide = false;
  } else if (draw < params.wideEnterPerSecond * dtSeconds) {
    state.wide = true;
  }
}

export function spreadBps(state: PathState, params: ScenarioParams): number {
  return state.wide ? params.wideSpreadBps : params.spreadBps;
}

/** Mark price as a float: the mid plus the seeded basis. */
export function markValue(state: PathState): number {
  return state.mid * (1 + state.basisBps / 10_000);
}
