// The in-process twin of the Redis idempotency store: claims hold for a lease and results for a
// TTL, both measured on the injected Clock, so lease expiry is testable under a ManualClock.

import type { OrderResult } from "../../domain/order/index.ts";
import type { Clock } from "../../ports/clock.ts";
import type {
  ClaimOutcome,
  IdempotencyRecord,
  IdempotencyStore,
} from "../../ports/idempotency-store.ts";
import { copyJson } from "./copies.ts";

/** Records kept at most; past it expired ones go first, then the oldest written. */
export const memoryIdempotencyRecordsMaxDefault = 100_000;

interface Entry {
  readonly record: IdempotencyRecord;
  readonly expiresAtMs: number;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly recordsMax: number;

  constructor(options: { clock: Clock; recordsMax?: number }) {
    this.clock = options.clock;
    this.recordsMax = options.recordsMax ?? memoryIdempotencyRecordsMaxDefault;
  }

  async claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
    checkDuration(leaseMs, "lease");
    const existing = this.live(key);
    if (existing !== null) return { claimed: false, record: copyRecord(existing.record) };
    this.put(key, { fingerprint, state: "IN_FLIGHT", result: null }, leaseMs);
    return { claimed: true };
  }

  async complete(
    key: string,
    fingerprint: string,
    result: OrderResult,
    ttlMs: number,
  ): Promise<void> {
    checkDuration(ttlMs, "ttl");
    this.put(key, { fingerprint, state: "DONE", result: copyJson(result) }, ttlMs);
  }

  async get(key: string): Promise<IdempotencyRecord | null> {
    const entry = this.live(key);
    return entry === null ? null : copyRecord(entry.record);
  }

  async release(key: string): Promise<void> {
    const entry = this.live(key);
    if (entry !== null && entry.record.state === "IN_FLIGHT") this.entries.delete(key);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  /** Live records held (expired ones are dropped lazily). */
  size(): number {
    return this.entries.size;
  }

  private live(key: string): Entry | null {
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAtMs <= this.clock.nowMs()) {
      this.entries.delete(key);
      return null;
    }
    return entry;
  }

  private put(key: string, record: IdempotencyRecord, lifetimeMs: number): void {
    this.entries.delete(key); // re-inserting moves the key to the young end of the map
    this.entries.set(key, { record, expiresAtMs: this.clock.nowMs() + lifetimeMs });
    if (this.entries.size > this.recordsMax) this.shrink();
  }

  private shrink(): void {
    const nowMs = this.clock.nowMs();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAtMs <= nowMs) this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.recordsMax) break;
      this.entries.delete(key);
    }
  }
}

function checkDuration(ms: number, what: string): void {
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(`Condition failed: ${what} must be a positive whole number of ms, got ${ms}`);
  }
}

function copyRecord(record: IdempotencyRecord): IdempotencyRecord {
  return {
    fingerprint: record.fingerprint,
    state: record.state,
    result: record.result === null ? null : copyJson(record.result),
  };
}
