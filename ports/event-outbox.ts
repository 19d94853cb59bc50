// The read side of the outbox: the relay takes stored events in order and marks them published.

import type { OutboxEvent } from "./order-store.ts";

export interface StoredOutboxEvent extends OutboxEvent {
  /** Store-assigned, increasing. */
  readonly sequence: number;
}

export interface EventOutbox {
  pending(limit: number): Promise<readonly StoredOutboxEvent[]>;
  markPublished(sequences: readonly number[]): Promise<void>;
}
