// The TWAP work queue (DESIGN §4, §7): one task per working TWAP intent, due when its next slice
// is. A claim leases due tasks to one owner, so several router instances never hold the same task
// at once, and the task of an owner that vanished becomes due again when its lease runs out.

/** One planned slice: its quantity in whole lot steps and its planned due time. */
export interface TwapPlannedSlice {
  readonly qtySteps: bigint;
  readonly dueMs: number;
}

export interface TwapTask {
  /** One task per intent: the key of the task. */
  readonly intentId: string;
  /** When the task is due: the slice's planned time, or later after a delay decision. */
  readonly dueMs: number;
  /** 0-based index of the slice this task runs. */
  readonly sliceIndex: number;
  /** The whole plan; a split decision can replace one slice by several. */
  readonly slices: readonly TwapPlannedSlice[];
  /** Spread delays already spent on this slice (bounded by the route table's retries). */
  readonly spreadDelays: number;
  /** Splits the liquidity probe has applied to this plan (bounded). */
  readonly splits: number;
  /** Each slice runs maker→taker with this window; null: each slice is a market order. */
  readonly makerWaitMs: number | null;
}

export interface ClaimedTwapTask extends TwapTask {
  /** Claims of this task since it was added or completed: above one, a lease ran out. */
  readonly claims: number;
}

export interface TwapQueue {
  /** Adds the task unless the intent already has one (then nothing changes); true when added. */
  add(task: TwapTask): Promise<boolean>;
  /**
   * Leases up to `limit` tasks due at `nowMs` to `owner` until `nowMs + leaseMs`, earliest first.
   * Atomic: two claimers never receive the same task while its lease holds.
   */
  claim(
    owner: string,
    nowMs: number,
    leaseMs: number,
    limit: number,
  ): Promise<readonly ClaimedTwapTask[]>;
  /** Extends the lease while `owner` still holds it; false when the lease was lost. */
  renew(intentId: string, owner: string, nowMs: number, leaseMs: number): Promise<boolean>;
  /**
   * Ends `owner`'s lease: the task is replaced by `next` (due at next.dueMs), or removed when
   * `next` is null. False, and nothing changes, when `owner` no longer holds the lease.
   */
  complete(intentId: string, owner: string, next: TwapTask | null): Promise<boolean>;
  /** The earliest time anything becomes claimable (a due time or a lease end); null when empty. */
  nextDueMs(): Promise<number | null>;
  size(): Promise<number>;
}
