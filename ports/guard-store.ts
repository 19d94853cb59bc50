// Where guardians live between steps (DESIGN §5, §7): the value at
// `guard:{stop}:<symbol>:<intent_id>` and the lease that says which router instance acts on it.
// Writes are fenced by the lease, so an instance that lost its guardian cannot overwrite it.

import type { GuardianRecord } from "../domain/protection/index.ts";

export interface GuardKey {
  readonly symbol: string;
  readonly intentId: string;
}

/** The guardian record plus what restoring it needs (ids, market, armed_at, ...). */
export type GuardValue = GuardianRecord;

export interface GuardEntry {
  readonly key: GuardKey;
  readonly value: GuardValue;
}

export interface GuardStore {
  /**
   * Writes (replaces) the value while `owner` holds the lease or nobody does; answers false, and
   * writes nothing, when another owner holds it.
   */
  put(key: GuardKey, value: GuardValue, owner: string): Promise<boolean>;
  get(key: GuardKey): Promise<GuardValue | null>;
  /** Removes the value and its lease, under the same fencing as put. */
  remove(key: GuardKey, owner: string): Promise<boolean>;
  /** Stored guards, at most `limit`, ordered by symbol then intent id. */
  list(limit: number): Promise<readonly GuardEntry[]>;
  /**
   * Takes the lease when it is free, expired or already `owner`'s, and (re)sets it to expire
   * `leaseMs` from now. True when `owner` holds it afterwards.
   */
  acquireLease(key: GuardKey, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it; harmless otherwise. */
  releaseLease(key: GuardKey, owner: string): Promise<void>;
  ping(): Promise<boolean>;
}
