// The in-process twin of the Redis stream publisher: a bounded log per stream, readable by tests
// and by an embedded "recent events" view. Payloads are stored as their JSON round trip, which is
// exactly what a stream consumer would read back.

import type { EventPublisher, PublishedEvent } from "../../ports/event-publisher.ts";
import { copyJson } from "./copies.ts";

export interface MemoryEventPublisherLimits {
  /** Entries kept per stream; the oldest are dropped first (like XADD MAXLEN). */
  readonly entriesPerStreamMax: number;
  /** Distinct streams; a new stream past it is a broken invariant (stream names are fixed). */
  readonly streamsMax: number;
}

export const memoryEventPublisherLimitsDefault: MemoryEventPublisherLimits = {
  entriesPerStreamMax: 10_000,
  streamsMax: 256,
};

export interface StreamEntry {
  /** Publisher-wide, increasing: the order events were appended in. */
  readonly sequence: number;
  readonly stream: string;
  readonly eventId: string;
  readonly payload: Record<string, unknown>;
}

export class MemoryEventPublisher implements EventPublisher {
  private readonly limits: MemoryEventPublisherLimits;
  private readonly logs = new Map<string, StreamEntry[]>();
  private sequence = 0;

  constructor(limits: Partial<MemoryEventPublisherLimits> = {}) {
    this.limits = { ...memoryEventPublisherLimitsDefault, ...limits };
  }

  async publish(events: readonly PublishedEvent[]): Promise<void> {
    const entries = events.map((event) => ({
      stream: event.stream,
      eventId: event.eventId,
      payload: copyJson(event.payload),
    }));
    const newStreams = new Set(
      entries.map((entry) => entry.stream).filter((s) => !this.logs.has(s)),
    );
    if (this.logs.size + newStreams.size > this.limits.streamsMax) {
      throw new Error(`Condition failed: more than ${this.limits.streamsMax} streams`);
    }
    for (const entry of entries) this.append(entry);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  /** A stream's entries, oldest first; `limit` keeps the newest ones. */
  read(stream: string, limit?: number): readonly StreamEntry[] {
    const log = this.logs.get(stream) ?? [];
    const count = Math.min(limit ?? log.length, this.limits.entriesPerStreamMax);
    return log.slice(Math.max(0, log.length - count)).map(copyEntry);
  }

  /** The newest entries over every stream, newest first. */
  recent(limit: number): readonly StreamEntry[] {
    const all: StreamEntry[] = [];
    const count = Math.min(limit, this.limits.entriesPerStreamMax);
    for (const log of this.logs.values()) all.push(...log.slice(Math.max(0, log.length - count)));
    all.sort((a, b) => b.sequence - a.sequence);
    return all.slice(0, limit).map(copyEntry);
  }

  streams(): readonly string[] {
    return [...this.logs.keys()];
  }

  private append(entry: Omit<StreamEntry, "sequence">): void {
    this.sequence += 1;
    let log = this.logs.get(entry.stream);
    if (log === undefined) {
      log = [];
      this.logs.set(entry.stream, log);
    }
    log.push({ ...entry, sequence: this.sequence });
    // Trimmed in chunks so appends stay O(1) amortised; reads never look past the newest max.
    const slack = Math.max(1, this.limits.entriesPerStreamMax >> 3);
    if (log.length > this.limits.entriesPerStreamMax + slack) {
      log.splice(0, log.length - this.limits.entriesPerStreamMax);
    }
  }
}

function copyEntry(entry: StreamEntry): StreamEntry {
  return { ...entry, payload: copyJson(entry.payload) };
}
