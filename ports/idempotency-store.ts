// The fast path of "one intent, one order": a shared record per client order id that says
// "in flight" (with the request fingerprint) and later holds the result. The store's unique
// intent id stays the guarantee; this only saves work and answers duplicates quickly.

import type { OrderResult } from "../domain/order/index.ts";

export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly state: "IN_FLIGHT" | "DONE";
  readonly result: OrderResult | null;
}

export type ClaimOutcome =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly record: IdempotencyRecord };

export interface IdempotencyStore {
  /** Claims the key for `leaseMs` unless a record exists; atomic across processes. */
  claim(key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome>;
  complete(key: string, fingerprint: string, result: OrderResult, ttlMs: number): Promise<void>;
  get(key: string): Promise<IdempotencyRecord | null>;
  /** Drops an in-flight claim (the request failed before anything was stored). */
  release(key: string): Promise<void>;
  ping(): Promise<boolean>;
}
