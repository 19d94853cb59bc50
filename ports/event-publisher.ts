// Publishes events to named streams (Redis streams in production, an in-memory log otherwise).

export interface PublishedEvent {
  readonly stream: string;
  readonly eventId: string;
  /** Serialised as a JSON `data` field beside `event_id`. */
  readonly payload: Record<string, unknown>;
}

export interface EventPublisher {
  /** Appends every event; throws only on transport failure (the relay retries). */
  publish(events: readonly PublishedEvent[]): Promise<void>;
  ping(): Promise<boolean>;
}
