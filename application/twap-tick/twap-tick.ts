// The TWAP tick (DESIGN §8): claims the tasks that are due, runs each slice under its intent's
// lock while the lease holds, and answers how long to sleep: until the next due time (a lease end
// counts: a crashed instance's slice is due again then), never longer than the idle bound. The
// driver in main.ts sleeps exactly that long, so a 600 ms gap is kept, not rounded to a tick.

import type { Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import type { ClaimedTwapTask, TwapQueue } from "../../ports/twap-queue.ts";
import type { KeyedMutex } from "../shared/keyed-mutex.ts";
import type { TwapSlices } from "./twap-slice.ts";

export interface TwapTickSettings {
  readonly leaseMs: number;
  /** Tasks claimed per run. */
  readonly claimMax: number;
  /** Slices running at once in this process. */
  readonly inFlightMax: number;
  /** The longest sleep: tasks another instance queued are seen at least this often. */
  readonly idleWakeMs: number;
  /** A task claimed this often without being handed on stops its plan (with an alert). */
  readonly claimsMax: number;
}

export const defaultTwapTickSettings: TwapTickSettings = {
  leaseMs: 30_000,
  claimMax: 64,
  inFlightMax: 256,
  idleWakeMs: 1_000,
  claimsMax: 20,
};

export interface TwapTickDeps {
  readonly clock: Clock;
  readonly queue: TwapQueue;
  readonly mutex: KeyedMutex;
  readonly slices: TwapSlices;
  readonly logger: Logger;
  /** This instance's lease owner id (unique per process). */
  readonly owner: string;
  readonly settings: TwapTickSettings;
}

export class TwapTick {
  private readonly inFlight = new Map<string, Promise<void>>();
  private wake: () => void = () => {};

  constructor(private readonly deps: TwapTickDeps) {}

  /** Called when a slice finishes or a task is queued: the next due time may have moved. */
  onWake(wake: () => void): void {
    this.wake = wake;
  }

  /** Starts what is due; answers the ms to sleep before the next run. */
  async runOnce(): Promise<number> {
    const { clock, queue, settings } = this.deps;
    const free = settings.inFlightMax - this.inFlight.size;
    let claimedAll = false;
    if (free > 0) {
      const limit = Math.min(free, settings.claimMax);
      const claimed = await queue.claim(this.deps.owner, clock.nowMs(), settings.leaseMs, limit);
      for (const task of claimed) this.start(task);
      claimedAll = claimed.length === limit;
    }
    if (claimedAll) return 0;
    const nextMs = await queue.nextDueMs();
    if (nextMs === null) return settings.idleWakeMs;
    return Math.max(0, Math.min(nextMs - clock.nowMs(), settings.idleWakeMs));
  }

  /** Resolves once every slice started so far has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }

  inFlightCount(): number {
    return this.inFlight.size;
  }

  private start(task: ClaimedTwapTask): void {
    // Our own task whose lease ran out while its slice still runs: the running slice hands it on.
    if (this.inFlight.has(task.intentId)) return;
    const running = this.runTask(task)
      .catch((error: unknown) =>
        this.deps.logger.error("TWAP slice failed", {
          intentId: task.intentId,
          slice: task.sliceIndex + 1,
          error: String(error),
        }),
      )
      .finally(() => {
        this.inFlight.delete(task.intentId);
        this.wake();
      });
    this.inFlight.set(task.intentId, running);
  }

  private async runTask(task: ClaimedTwapTask): Promise<void> {
    const { deps } = this;
    if (task.claims > deps.settings.claimsMax) {
      deps.logger.error("TWAP task claimed too often; the plan stops", {
        intentId: task.intentId,
        claims: task.claims,
      });
      await deps.mutex.run(task.intentId, () => deps.slices.abandon(task, deps.owner));
      return;
    }
    await deps.mutex.run(task.intentId, () => deps.slices.run(task, deps.owner));
  }
}
