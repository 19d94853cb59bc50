// The IdempotencyStore contract: one claim wins under concurrency, a mismatch is visible through
// the stored fingerprint, complete/get/release behave the same on Redis and in memory, and leases
// and result TTLs expire (checked where the test controls the store's clock).

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { IdempotencyRecord, IdempotencyStore } from "../../ports/idempotency-store.ts";
import { makeResult } from "../support/order-fixtures.ts";

export interface IdempotencyStoreUnderTest {
  readonly store: IdempotencyStore;
  /**
   * Moves the store's time forward. Absent for stores on real time (Redis): their expiry cases
   * are skipped here and checked through PTTL by the adapter's own tests.
   */
  readonly advanceMs?: (ms: number) => Promise<void>;
  dispose(): Promise<void>;
}

const leaseMs = 30_000;
const ttlMs = 86_400_000;

export interface IdempotencyContractOptions {
  /** The subject's `advanceMs` moves its store's time (a ManualClock twin). */
  readonly clockControlled: boolean;
}

export function runIdempotencyStoreContract(
  name: string,
  make: () => Promise<IdempotencyStoreUnderTest>,
  options: IdempotencyContractOptions = { clockControlled: false },
): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let subject: IdempotencyStoreUnderTest;
    let store: IdempotencyStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    test("the first claim wins and leaves an in-flight record with its fingerprint", async () => {
      expect(await store.get("c-1")).toBeNull();
      expect(await store.claim("c-1", "fp-a", leaseMs)).toEqual({ claimed: true });
      const record: IdempotencyRecord = { fingerprint: "fp-a", state: "IN_FLIGHT", result: null };
      expect(await store.get("c-1")).toEqual(record);
      expect(await store.claim("c-1", "fp-a", leaseMs)).toEqual({ claimed: false, record });
    });

    test("a claim with another fingerprint loses and sees the first one (a mismatch)", async () => {
      await store.claim("c-1", "fp-a", leaseMs);
      const outcome = await store.claim("c-1", "fp-b", leaseMs);
      expect(outcome).toEqual({
        claimed: false,
        record: { fingerprint: "fp-a", state: "IN_FLIGHT", result: null },
      });
    });

    test("20 concurrent claims on one key: exactly one wins, all others see it", async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.claim("c-race", `fp-${index}`, leaseMs)),
      );
      const winners = outcomes.flatMap((outcome, index) => (outcome.claimed ? [index] : []));
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if (!outcome.claimed) expect(outcome.record.fingerprint).toBe(`fp-${winners[0]}`);
      }
    });

    test("complete stores the result; later claims get it back", async () => {
      const result = makeResult({ fills: [], legs: [], exec: { policy: "TWAP", slices_total: 4 } });
      await store.claim("c-1", "fp-a", leaseMs);
      await store.complete("c-1", "fp-a", result, ttlMs);
      const record: IdempotencyRecord = { fingerprint: "fp-a", state: "DONE", result };
      expect(await store.get("c-1")).toEqual(record);
      expect(await store.claim("c-1", "fp-a", leaseMs)).toEqual({ claimed: false, record });
      expect(await store.claim("c-1", "fp-b", leaseMs)).toEqual({ claimed: false, record });
    });

    test("complete without a claim still records the result", async () => {
      await store.complete("c-2", "fp-a", makeResult(), ttlMs);
      expect((await store.get("c-2"))?.state).toBe("DONE");
    });

    test("release drops an in-flight claim so the key can be claimed again", async () => {
      await store.claim("c-1", "fp-a", leaseMs);
      await store.release("c-1");
      expect(await store.get("c-1")).toBeNull();
      expect(await store.claim("c-1", "fp-b", leaseMs)).toEqual({ claimed: true });
      expect((await store.get("c-1"))?.fingerprint).toBe("fp-b");
    });

    test("release leaves a completed record alone and ignores unknown keys", async () => {
      await store.claim("c-1", "fp-a", leaseMs);
      await store.complete("c-1", "fp-a", makeResult(), ttlMs);
      await store.release("c-1");
      await store.release("c-unknown");
      expect((await store.get("c-1"))?.state).toBe("DONE");
      expect(await store.get("c-unknown")).toBeNull();
    });

    test("keys are independent; ids with the router's separators work", async () => {
      expect(await store.claim("base/tp", "fp-a", leaseMs)).toEqual({ claimed: true });
      expect(await store.claim("base/sl", "fp-a", leaseMs)).toEqual({ claimed: true });
      expect(await store.claim("Intent.1:x-y_z", "fp-a", leaseMs)).toEqual({ claimed: true });
      await store.release("base/tp");
      expect(await store.get("base/tp")).toBeNull();
      expect((await store.get("base/sl"))?.state).toBe("IN_FLIGHT");
    });

    test("a lease that is not a positive whole number of ms is refused", async () => {
      await expect(store.claim("c-1", "fp-a", 0)).rejects.toThrow();
      await expect(store.claim("c-1", "fp-a", 1.5)).rejects.toThrow();
      await expect(store.complete("c-1", "fp-a", makeResult(), -1)).rejects.toThrow();
      expect(await store.get("c-1")).toBeNull();
    });

    test("ping answers true", async () => {
      expect(await store.ping()).toBe(true);
    });

    const expiryTest = test.skipIf(!options.clockControlled);
    const expiryName = options.clockControlled
      ? "expiry on the store's clock"
      : "expiry (skipped: real-time store, its PTTL test covers expiry)";
    describe(expiryName, () => {
      const advanceMs = (ms: number) => {
        if (subject.advanceMs === undefined) throw new Error("clockControlled without advanceMs");
        return subject.advanceMs(ms);
      };

      expiryTest("an in-flight claim expires after its lease", async () => {
        await store.claim("c-1", "fp-a", 1_000);
        await advanceMs(999);
        expect((await store.claim("c-1", "fp-b", 1_000)).claimed).toBe(false);
        await advanceMs(1);
        expect(await store.get("c-1")).toBeNull();
        expect(await store.claim("c-1", "fp-b", 1_000)).toEqual({ claimed: true });
      });

      expiryTest("a result lives for its TTL, not the claim's lease", async () => {
        await store.claim("c-1", "fp-a", 1_000);
        await store.complete("c-1", "fp-a", makeResult(), 60_000);
        await advanceMs(59_999);
        expect((await store.get("c-1"))?.state).toBe("DONE");
        await advanceMs(1);
        expect(await store.get("c-1")).toBeNull();
      });
    });
  });
}
