// The synthetic order book of one (market, symbol): integer ticks and steps around the path's mid.
// Levels are a pure function of the path and a seeded hash (looking never moves the market);
// takers consume depth from the top, and the consumed depth refills over time.

import type { Decimal } from "../../../domain/decimal/index.ts";
import { fromSteps } from "../../../domain/decimal/index.ts";
import type { Market } from "../../../domain/instrument/index.ts";
import type { Side } from "../../../domain/order/index.ts";
import type { ScenarioParams } from "./scenarios.ts";

export interface BookState {
  readonly market: Market;
  readonly symbol: string;
  readonly tick: Decimal;
  readonly step: Decimal;
  readonly tickValue: number;
  readonly stepValue: number;
  bidTicks: number;
  askTicks: number;
  lastTicks: number;
  consumedBidSteps: number;
  consumedAskSteps: number;
  /** Increases with every step (Binance lastUpdateId). */
  updateId: number;
}

/** The shape of the levels at the current step. */
export interface BookShape {
  readonly mid: number;
  readonly gapTicks: number;
  readonly params: ScenarioParams;
  readonly noiseSeed: number;
  readonly noiseEpoch: number;
}

export interface WalkLevel {
  readonly ticks: number;
  readonly steps: number;
}

/** Levels per side; a taker that exhausts them gets the rest expired. */
export const bookLevelCountMax = 40;

export function newBookState(
  market: Market,
  symbol: string,
  tick: Decimal,
  step: Decimal,
): BookState {
  return {
    market,
    symbol,
    tick,
    step,
    tickValue: Number(tick.units) / 10 ** tick.scale,
    stepValue: Number(step.units) / 10 ** step.scale,
    bidTicks: 0,
    askTicks: 0,
    lastTicks: 0,
    consumedBidSteps: 0,
    consumedAskSteps: 0,
    updateId: 0,
  };
}

/** Re-quotes the touch around `mid` with the given spread. */
export function quoteTouch(book: BookState, mid: number, spreadBps: number): void {
  const midTicks = mid / book.tickValue;
  const half = Math.max(0.5, (midTicks * spreadBps) / 20_000);
  book.bidTicks = Math.max(1, Math.floor(midTicks - half));
  book.askTicks = Math.max(book.bidTicks + 1, Math.ceil(midTicks + half));
}

export function bookShape(
  book: BookState,
  mid: number,
  params: ScenarioParams,
  noiseSeed: number,
  stepIndex: number,
): BookShape {
  const gapTicks = Math.max(1, Math.round((mid * params.levelGapBps) / 10_000 / book.tickValue));
  return { mid, gapTicks, params, noiseSeed, noiseEpoch: Math.floor(stepIndex / 10) };
}

function hash01(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul((b | 0) + 0x632be5ab, 0xc2b2ae35);
  h ^= Math.imul(c + 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/** Quantity of level `k` on a side, in steps, before consumption. */
export function levelSteps(book: BookState, shape: BookShape, side: Side, k: number): number {
  const noise =
    0.6 + 0.8 * hash01(shape.noiseSeed, shape.noiseEpoch, k * 2 + (side === "BUY" ? 0 : 1));
  const notional = shape.params.topLevelNotional * shape.params.levelGrowth ** k * noise;
  return Math.max(1, Math.floor(notional / shape.mid / book.stepValue));
}

/** Price of level `k` in ticks; `bookSide` BUY is the bid side. Zero or less: no such level. */
export function levelTicks(book: BookState, shape: BookShape, bookSide: Side, k: number): number {
  return bookSide === "BUY"
    ? book.bidTicks - k * shape.gapTicks
    : book.askTicks + k * shape.gapTicks;
}

/** The side of the book a taker on `takerSide` consumes. */
export function oppositeSide(side: Side): Side {
  return side === "BUY" ? "SELL" : "BUY";
}

/**
 * Levels (after consumed depth) from the top of `bookSide`, up to `countMax` non-empty levels.
 */
export function depthLevels(
  book: BookState,
  shape: BookShape,
  bookSide: Side,
  countMax: number,
): WalkLevel[] {
  const levels: WalkLevel[] = [];
  let consumed = bookSide === "BUY" ? book.consumedBidSteps : book.consumedAskSteps;
  for (let k = 0; k < bookLevelCountMax && levels.length < countMax; k += 1) {
    const ticks = levelTicks(book, shape, bookSide, k);
    if (ticks <= 0) break;
    const size = levelSteps(book, shape, bookSide, k);
    const used = Math.min(consumed, size);
    consumed -= used;
    if (size - used > 0) levels.push({ ticks, steps: size - used });
  }
  return levels;
}

export interface WalkLimits {
  /** Worst acceptable price in ticks (limit orders); null walks any price. */
  readonly limitTicks: number | null;
  readonly maxSteps: number;
  /** Budget in tick × step units (spot quoteOrderQty); null when unbounded. */
  readonly maxQuoteUnits: number | null;
}

/** What a taker on `takerSide` would get, best price first; consumes nothing. Levels are built
 *  only as far as the walk goes. */
export function walkBook(
  book: BookState,
  shape: BookShape,
  takerSide: Side,
  limits: WalkLimits,
): WalkLevel[] {
  const bookSide = oppositeSide(takerSide);
  const out: WalkLevel[] = [];
  let consumed = bookSide === "BUY" ? book.consumedBidSteps : book.consumedAskSteps;
  let remaining = limits.maxSteps;
  let budget = limits.maxQuoteUnits;
  for (let k = 0; k < bookLevelCountMax && remaining > 0; k += 1) {
    const ticks = levelTicks(book, shape, bookSide, k);
    if (ticks <= 0) break;
    if (limits.limitTicks !== null) {
      const beyond = takerSide === "BUY" ? ticks > limits.limitTicks : ticks < limits.limitTicks;
      if (beyond) break;
    }
    const size = levelSteps(book, shape, bookSide, k);
    const used = Math.min(consumed, size);
    consumed -= used;
    let take = Math.min(remaining, size - used);
    if (budget !== null) take = Math.min(take, Math.floor(budget / ticks));
    if (take <= 0) {
      if (size - used > 0) break;
      continue;
    }
    out.push({ ticks, steps: take });
    remaining -= take;
    if (budget !== null) budget -= take * ticks;
  }
  return out;
}

export function consumeDepth(book: BookState, takerSide: Side, steps: number): void {
  if (takerSide === "BUY") book.consumedAskSteps += steps;
  else book.consumedBidSteps += steps;
}

export function refillDepth(book: BookState, share: number): void {
  book.consumedAskSteps = Math.floor(book.consumedAskSteps * (1 - share));
  book.consumedBidSteps = Math.floor(book.consumedBidSteps * (1 - share));
}

export function ticksToPrice(book: BookState, ticks: number): Decimal {
  return fromSteps(BigInt(ticks), book.tick);
}

export function stepsToQty(book: BookState, steps: number): Decimal {
  return fromSteps(BigInt(steps), book.step);
}
