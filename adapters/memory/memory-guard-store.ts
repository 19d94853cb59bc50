// The in-process twin of the Redis guard store: values and leases keyed like
// `guard:{stop}:<symbol>:<intent_id>`, leases measured on the injected Clock, writes fenced by the
// lease exactly as the Redis scripts fence them.

import type { Clock } from "../../ports/clock.ts";
import type { GuardEntry, GuardKey, GuardStore, GuardValue } from "../../ports/guard-store.ts";
import { copyJson } from "./copies.ts";

/** Guards kept at most; a put past it is refused loudly (guardians are bounded by positions). */
export const memoryGuardsMaxDefault = 100_000;

interface Lease {
  readonly owner: string;
  readonly expiresAtMs: number;
}

function keyText(key: GuardKey): string {
  return `${key.symbol}\u0000${key.intentId}`;
}

export class MemoryGuardStore implements GuardStore {
  private readonly values = new Map<string, GuardEntry>();
  private readonly leases = new Map<string, Lease>();
  private readonly clock: Clock;
  private readonly guardsMax: number;

  constructor(options: { clock: Clock; guardsMax?: number }) {
    this.clock = options.clock;
    this.guardsMax = options.guardsMax ?? memoryGuardsMaxDefault;
  }

  async put(key: GuardKey, value: GuardValue, owner: string): Promise<boolean> {
    const text = keyText(key);
    if (!this.writable(text, owner)) return false;
    if (!this.values.has(text) && this.values.size >= this.guardsMax) {
      throw new Error(`Condition failed: more than ${this.guardsMax} guards`);
    }
    this.values.set(text, { key: { ...key }, value: copyJson(value) });
    return true;
  }

  async get(key: GuardKey): Promise<GuardValue | null> {
    const entry = this.values.get(keyText(key));
    return entry === undefined ? null : copyJson(entry.value);
  }

  async remove(key: GuardKey, owner: string): Promise<boolean> {
    const text = keyText(key);
    if (!this.writable(text, owner)) return false;
    this.values.delete(text);
    this.leases.delete(text);
    return true;
  }

  async list(limit: number): Promise<readonly GuardEntry[]> {
    const keys = [...this.values.keys()].sort();
    return keys.slice(0, Math.max(0, limit)).map((text) => {
      const entry = this.values.get(text)!;
      return { key: { ...entry.key }, value: copyJson(entry.value) };
    });
  }

  async acquireLease(key: GuardKey, owner: string, leaseMs: number): Promise<boolean> {
    if (!Number.isInteger(leaseMs) || leaseMs <= 0) {
      throw new Error(`Condition failed: lease must be a positive whole number of ms`);
    }
    const text = keyText(key);
    if (!this.writable(text, owner)) return false;
    this.leases.set(text, { owner, expiresAtMs: this.clock.nowMs() + leaseMs });
    return true;
  }

  async releaseLease(key: GuardKey, owner: string): Promise<void> {
    const text = keyText(key);
    if (this.leases.get(text)?.owner === owner) this.leases.delete(text);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  /** Free, expired, or held by `owner`. */
  private writable(text: string, owner: string): boolean {
    const lease = this.leases.get(text);
    if (lease === undefined || lease.owner === owner) return true;
    if (lease.expiresAtMs <= this.clock.nowMs()) {
      this.leases.delete(text);
      return true;
    }
    return false;
  }
}
