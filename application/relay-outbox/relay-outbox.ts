// Moves stored outbox events to the streams, oldest first, at least once: a batch is marked
// published only after the publisher accepted all of it, so a failure leaves it pending for the
// next run (consumers dedupe on event id). A driver outside the application calls runOnce() and
// waits `nextRunInMs` on its clock between runs.

import type { EventOutbox } from "../../ports/event-outbox.ts";
import type { EventPublisher } from "../../ports/event-publisher.ts";

export interface RelayOutboxConfig {
  /** Events taken per run. */
  readonly batchSizeMax: number;
  /** Wait suggested after a run that found nothing. */
  readonly idleWaitMs: number;
  /** First wait after a failure; doubles per consecutive failure up to `backoffMsMax`. */
  readonly backoffMsBase: number;
  readonly backoffMsMax: number;
}

export const relayOutboxConfigDefault: RelayOutboxConfig = {
  batchSizeMax: 100,
  idleWaitMs: 200,
  backoffMsBase: 100,
  backoffMsMax: 10_000,
};

/** Upper bound on `batchSizeMax`: one publish call stays small enough to finish promptly. */
export const relayBatchSizeLimit = 1_000;

export type RelayOutcome =
  /** Nothing was pending. */
  | { readonly code: "IDLE"; readonly relayedCount: 0; readonly nextRunInMs: number }
  /** A batch went out and was marked; `moreWaiting` when the batch was full. */
  | {
      readonly code: "RELAYED";
      readonly relayedCount: number;
      readonly moreWaiting: boolean;
      readonly nextRunInMs: number;
    }
  /** The outbox could not be read. */
  | RelayFailure<"READ_FAILED">
  /** The publisher refused the batch; every event of it stays pending. */
  | RelayFailure<"PUBLISH_FAILED">
  /** Published but not marked: the batch will be published again (duplicates, not losses). */
  | RelayFailure<"MARK_FAILED">
  /** Another runOnce of this relay is still running; nothing was done. */
  | { readonly code: "BUSY"; readonly relayedCount: 0; readonly nextRunInMs: number };

export interface RelayFailure<Code extends string> {
  readonly code: Code;
  readonly relayedCount: 0;
  /** Events in the batch that stays pending (or is due to be republished). */
  readonly pendingCount: number;
  readonly error: string;
  readonly consecutiveFailures: number;
  readonly nextRunInMs: number;
}

/** Exponential backoff without jitter: one relay per process, nothing to de-synchronise. */
export function relayBackoffMs(consecutiveFailures: number, config: RelayOutboxConfig): number {
  const exponent = Math.min(Math.max(consecutiveFailures - 1, 0), 30);
  return Math.min(config.backoffMsBase * 2 ** exponent, config.backoffMsMax);
}

export class OutboxRelay {
  private readonly config: RelayOutboxConfig;
  private running = false;
  private consecutiveFailures = 0;

  constructor(
    private readonly outbox: EventOutbox,
    private readonly publisher: EventPublisher,
    config: Partial<RelayOutboxConfig> = {},
  ) {
    this.config = { ...relayOutboxConfigDefault, ...config };
    const size = this.config.batchSizeMax;
    if (!Number.isInteger(size) || size < 1 || size > relayBatchSizeLimit) {
      throw new Error(`Condition failed: batch size ${size} outside 1..${relayBatchSizeLimit}`);
    }
  }

  async runOnce(): Promise<RelayOutcome> {
    if (this.running) return { code: "BUSY", relayedCount: 0, nextRunInMs: this.config.idleWaitMs };
    this.running = true;
    try {
      return await this.relayBatch();
    } finally {
      this.running = false;
    }
  }

  private async relayBatch(): Promise<RelayOutcome> {
    let batch: Awaited<ReturnType<EventOutbox["pending"]>>;
    try {
      batch = await this.outbox.pending(this.config.batchSizeMax);
    } catch (error) {
      return this.failure("READ_FAILED", 0, error);
    }
    if (batch.length === 0) {
      this.consecutiveFailures = 0;
      return { code: "IDLE", relayedCount: 0, nextRunInMs: this.config.idleWaitMs };
    }
    const events = batch.map(({ stream, eventId, payload }) => ({ stream, eventId, payload }));
    try {
      await this.publisher.publish(events);
    } catch (error) {
      return this.failure("PUBLISH_FAILED", batch.length, error);
    }
    try {
      await this.outbox.markPublished(batch.map((event) => event.sequence));
    } catch (error) {
      return this.failure("MARK_FAILED", batch.length, error);
    }
    this.consecutiveFailures = 0;
    const moreWaiting = batch.length === this.config.batchSizeMax;
    return {
      code: "RELAYED",
      relayedCount: batch.length,
      moreWaiting,
      nextRunInMs: moreWaiting ? 0 : this.config.idleWaitMs,
    };
  }

  private failure<Code extends string>(
    code: Code,
    pendingCount: number,
    error: unknown,
  ): RelayFailure<Code> {
    this.consecutiveFailures += 1;
    return {
      code,
      relayedCount: 0,
      pendingCount,
      error: error instanceof Error ? error.message : String(error),
      consecutiveFailures: this.consecutiveFailures,
      nextRunInMs: relayBackoffMs(this.consecutiveFailures, this.config),
    };
  }
}
