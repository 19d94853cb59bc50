// One guardian as this process runs it: the domain state, its metadata, the queue its commands
// run through (one at a time, in the order the steps produced them) and the chain of its writes to
// the guard store (in order, so a later write is never overtaken by an earlier one).

import type { GuardianState } from "../../domain/protection/index.ts";
import type { GuardKey } from "../../ports/guard-store.ts";
import type { Guard, GuardMeta } from "./guard-model.ts";

/** Commands queued per guardian at most; a healthy guardian has one or two. */
export const guardCommandsQueuedMax = 64;

export class LiveGuard {
  state: GuardianState;
  /** The tail of the command queue. */
  chain: Promise<void> = Promise.resolve();
  /** The tail of the guard-store writes. */
  persisted: Promise<void> = Promise.resolve();
  queued = 0;
  /** Removed from the guard store (done, disarmed) or handed to another owner. */
  gone = false;
  /** When the price that triggered it was seen (reaction time starts here). */
  seenAtMs: number | null = null;
  /** Last time a step applied: a guardian in motion that stops moving is re-asked. */
  progressAtMs: number;
  /** A query of the exit or the take-profit is due at this time (unknown outcomes, errors). */
  queryDueAtMs: number | null = null;
  /** When the current exit attempt was last sent. */
  exitSentAtMs: number | null = null;
  /** Resends of the current exit attempt after definite, retryable failures. */
  resends = 0;
  resendsAttempt = 0;
  /** Take-profit legs sent again after they never arrived. */
  tpResends = 0;
  lastPollMs: number;
  lastRenewMs: number;

  constructor(
    readonly meta: GuardMeta,
    state: GuardianState,
    nowMs: number,
  ) {
    this.state = state;
    this.progressAtMs = nowMs;
    this.lastPollMs = nowMs;
    this.lastRenewMs = nowMs;
  }

  get key(): GuardKey {
    return { symbol: this.meta.symbol, intentId: this.meta.intentId };
  }

  snapshot(): Guard {
    return { meta: this.meta, state: this.state };
  }

  /** Runs `work` after everything queued before it; false when the queue is full. */
  enqueue(work: () => Promise<void>, onError: (error: unknown) => void): boolean {
    if (this.queued >= guardCommandsQueuedMax) return false;
    this.queued += 1;
    this.chain = this.chain
      .then(work)
      .catch(onError)
      .finally(() => {
        this.queued -= 1;
      });
    return true;
  }

  idle(): boolean {
    return this.queued === 0;
  }
}
