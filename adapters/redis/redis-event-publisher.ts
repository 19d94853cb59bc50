// Appends events to Redis streams: `XADD <stream> MAXLEN ~ <n> * event_id <id> data <json>`.
// Order holds within each stream. On a Cluster each stream is its own key in its own slot, so
// events are pipelined per stream, never one pipeline across slots.

import type { EventPublisher, PublishedEvent } from "../../ports/event-publisher.ts";
import { pingRedis, type RedisClient, withDeadline } from "./redis-client.ts";

export interface RedisEventPublisherOptions {
  /** Approximate cap per stream (`MAXLEN ~`): Redis trims whole nodes, so a few more may stay. */
  readonly streamLengthMax?: number;
  /** Deadline for one publish call. */
  readonly operationTimeoutMs?: number;
}

export const streamLengthMaxDefault = 100_000;

type PipelineResult = [Error | null, unknown][] | null;

export class RedisEventPublisher implements EventPublisher {
  private readonly streamLengthMax: number;
  private readonly operationTimeoutMs: number;

  constructor(
    private readonly client: RedisClient,
    options: RedisEventPublisherOptions = {},
  ) {
    this.streamLengthMax = options.streamLengthMax ?? streamLengthMaxDefault;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 2_000;
  }

  /**
   * Throws if any append failed. Some may have landed: the relay then publishes the batch again
   * and consumers dedupe on `event_id`.
   */
  async publish(events: readonly PublishedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const batches = this.client.isCluster ? [...groupByStream(events).values()] : [events];
    const results = await withDeadline(
      Promise.all(batches.map((batch) => this.append(batch))),
      this.operationTimeoutMs,
      "stream publish",
    );
    for (const result of results) {
      if (result === null) throw new Error("Redis stream publish was aborted");
      for (const [error] of result) if (error !== null) throw error;
    }
  }

  async ping(): Promise<boolean> {
    return pingRedis(this.client, this.operationTimeoutMs);
  }

  private append(batch: readonly PublishedEvent[]): Promise<PipelineResult> {
    const pipeline = this.client.pipeline();
    for (const event of batch) {
      pipeline.xadd(
        event.stream,
        "MAXLEN",
        "~",
        this.streamLengthMax,
        "*",
        "event_id",
        event.eventId,
        "data",
        JSON.stringify(event.payload),
      );
    }
    return pipeline.exec();
  }
}

function groupByStream(events: readonly PublishedEvent[]): Map<string, PublishedEvent[]> {
  const groups = new Map<string, PublishedEvent[]>();
  for (const event of events) {
    const group = groups.get(event.stream);
    if (group === undefined) groups.set(event.stream, [event]);
    else group.push(event);
  }
  return groups;
}
