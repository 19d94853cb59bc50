// A clock that moves only when told to: sleepers wake in due-time order as it is advanced, so
// every waiting policy runs deterministically in tests.

import type { Clock } from "../../ports/clock.ts";

interface Sleeper {
  readonly dueMs: number;
  readonly order: number;
  readonly wake: () => void;
}

export class ManualClock implements Clock {
  private currentMs: number;
  private sleepers: Sleeper[] = [];
  private sleeperCount = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  sleepMs(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleeperCount += 1;
      this.sleepers.push({
        dueMs: this.currentMs + Math.max(0, ms),
        order: this.sleeperCount,
        wake: resolve,
      });
    });
  }

  /** How many sleepers are waiting (lets tests wait until a use case has started waiting). */
  pendingSleepers(): number {
    return this.sleepers.length;
  }

  /** Lets pending work run until at least `count` sleepers wait; false if they never do. */
  async waitForSleepers(count = 1, roundsMax = 200): Promise<boolean> {
    for (let round = 0; round < roundsMax; round += 1) {
      if (this.sleepers.length >= count) return true;
      await settle();
    }
    return this.sleepers.length >= count;
  }

  /**
   * Moves time forward by `ms`, waking each sleeper at its due time and letting the woken code
   * run (microtasks and a macrotask turn) before time moves on.
   */
  async advanceMs(ms: number): Promise<void> {
    const targetMs = this.currentMs + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.dueMs - b.dueMs || a.order - b.order);
      const next = this.sleepers[0];
      if (next === undefined || next.dueMs > targetMs) break;
      this.sleepers.shift();
      this.currentMs = Math.max(this.currentMs, next.dueMs);
      next.wake();
      await settle();
    }
    this.currentMs = targetMs;
    await settle();
  }

  /** Advances in steps until `condition` holds or `limitMs` has passed; returns whether it held. */
  async advanceUntil(condition: () => boolean, stepMs: number, limitMs: number): Promise<boolean> {
    for (let elapsedMs = 0; elapsedMs <= limitMs; elapsedMs += stepMs) {
      if (condition()) return true;
      await this.advanceMs(stepMs);
    }
    return condition();
  }
}

/** Lets pending promise chains (and one macrotask turn) run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
