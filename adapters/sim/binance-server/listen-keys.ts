// The account's USDⓈ-M listenKey: POST creates it (or returns the active one, extended), PUT
// extends it, DELETE closes it; without a keep-alive it expires 60 minutes of the injected clock
// after the last one. Keys are derived from the seed and a counter, so runs repeat exactly.

import { createHash } from "node:crypto";

export const listenKeyLifetimeMs = 60 * 60 * 1000;

export interface ListenKeyEvents {
  expired(key: string, expiredAtMs: number): void;
  closed(key: string): void;
}

interface ActiveKey {
  readonly key: string;
  expiresAtMs: number;
}

export class ListenKeys {
  private active: ActiveKey | null = null;
  private created = 0;
  private seed: number;
  private readonly events: ListenKeyEvents;

  /** `events` hears of every key that runs out (whichever call notices) or is closed. */
  constructor(seed: number, events: ListenKeyEvents) {
    this.seed = seed;
    this.events = events;
  }

  /** Forgets the key (venue reset). */
  reset(seed: number): void {
    this.seed = seed;
    this.active = null;
  }

  /** POST: the active key extended, or a new one. */
  create(nowMs: number): string {
    this.expire(nowMs);
    if (this.active !== null) {
      this.active.expiresAtMs = nowMs + listenKeyLifetimeMs;
      return this.active.key;
    }
    this.created += 1;
    const key = createHash("sha256").update(`listenKey:${this.seed}:${this.created}`).digest("hex");
    this.active = { key, expiresAtMs: nowMs + listenKeyLifetimeMs };
    return key;
  }

  /** PUT: extends the active key; null when there is none (-1125). */
  keepAlive(nowMs: number): string | null {
    this.expire(nowMs);
    if (this.active === null) return null;
    this.active.expiresAtMs = nowMs + listenKeyLifetimeMs;
    return this.active.key;
  }

  /** DELETE: closes the active key; answers it (null when there was none). */
  close(): string | null {
    const key = this.active?.key ?? null;
    this.active = null;
    if (key !== null) this.events.closed(key);
    return key;
  }

  isActive(key: string, nowMs: number): boolean {
    this.expire(nowMs);
    return this.active !== null && this.active.key === key;
  }

  current(): { readonly key: string; readonly expiresAtMs: number } | null {
    return this.active === null ? null : { ...this.active };
  }

  /** Drops the key once its time is up; answers the key that just expired. */
  expire(nowMs: number): string | null {
    if (this.active === null || nowMs < this.active.expiresAtMs) return null;
    const { key, expiresAtMs } = this.active;
    this.active = null;
    this.events.expired(key, expiresAtMs);
    return key;
  }
}
