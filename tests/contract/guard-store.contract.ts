// The GuardStore contract: values round-trip, listing is ordered and bounded, leases are exclusive
// and fence every write, and an expired lease can be taken over (checked where the test controls
// the store's clock; real-time stores check expiry through PTTL in their own tests).

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { GuardKey, GuardStore, GuardValue } from "../../ports/guard-store.ts";

export interface GuardStoreUnderTest {
  readonly store: GuardStore;
  /** Moves the store's time forward; absent for stores on real time (Redis). */
  readonly advanceMs?: (ms: number) => Promise<void>;
  dispose(): Promise<void>;
}

const leaseMs = 10_000;
const key: GuardKey = { symbol: "BTCUSDT", intentId: "int-1" };
const other: GuardKey = { symbol: "BTCUSDT", intentId: "int-2" };
const eth: GuardKey = { symbol: "ETHUSDT", intentId: "int-0:a.b" };

function value(state: string, extra: Record<string, string | number | null> = {}): GuardValue {
  return { state, stop_price: "64000.1", armed_at: 1_700_000_000_000, exit_reason: null, ...extra };
}

export function runGuardStoreContract(
  name: string,
  make: () => Promise<GuardStoreUnderTest>,
  options: { readonly clockControlled: boolean } = { clockControlled: false },
): void {
  describe(`GuardStore contract: ${name}`, () => {
    let subject: GuardStoreUnderTest;
    let store: GuardStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    test("a value round-trips with strings, numbers and nulls, and is replaced by put", async () => {
      expect(await store.get(key)).toBeNull();
      expect(await store.put(key, value("armed"), "a")).toBe(true);
      expect(await store.get(key)).toEqual(value("armed"));
      expect(await store.put(key, value("triggered", { exit_attempt: 1 }), "a")).toBe(true);
      expect(await store.get(key)).toEqual(value("triggered", { exit_attempt: 1 }));
    });

    test("list is ordered by symbol then intent id, bounded by its limit", async () => {
      await store.put(eth, value("armed"), "a");
      await store.put(other, value("armed"), "a");
      await store.put(key, value("exiting"), "a");
      const listed = await store.list(10);
      expect(listed.map((entry) => entry.key)).toEqual([key, other, eth]);
      expect(listed[0]?.value).toEqual(value("exiting"));
      expect((await store.list(2)).map((entry) => entry.key)).toEqual([key, other]);
      expect(await store.list(0)).toEqual([]);
    });

    test("remove deletes the value, its lease and its index entry", async () => {
      await store.acquireLease(key, "a", leaseMs);
      await store.put(key, value("armed"), "a");
      expect(await store.remove(key, "a")).toBe(true);
      expect(await store.get(key)).toBeNull();
      expect(await store.list(10)).toEqual([]);
      expect(await store.acquireLease(key, "b", leaseMs)).toBe(true);
    });

    test("a lease is exclusive: the holder renews it, another owner is refused", async () => {
      expect(await store.acquireLease(key, "a", leaseMs)).toBe(true);
      expect(await store.acquireLease(key, "b", leaseMs)).toBe(false);
      expect(await store.acquireLease(key, "a", leaseMs)).toBe(true);
      expect(await store.acquireLease(other, "b", leaseMs)).toBe(true);
    });

    test("writes are fenced: another owner's put and remove change nothing", async () => {
      await store.acquireLease(key, "a", leaseMs);
      await store.put(key, value("armed"), "a");
      expect(await store.put(key, value("stolen"), "b")).toBe(false);
      expect(await store.remove(key, "b")).toBe(false);
      expect(await store.get(key)).toEqual(value("armed"));
    });

    test("an unleased guard can be written by anyone; release frees it for the next owner", async () => {
      expect(await store.put(key, value("armed"), "a")).toBe(true);
      expect(await store.put(key, value("armed", { by: "b" }), "b")).toBe(true);
      await store.acquireLease(key, "a", leaseMs);
      await store.releaseLease(key, "b"); // not b's: harmless
      expect(await store.acquireLease(key, "b", leaseMs)).toBe(false);
      await store.releaseLease(key, "a");
      expect(await store.acquireLease(key, "b", leaseMs)).toBe(true);
    });

    const expiryTest = test.skipIf(!options.clockControlled);
    expiryTest("an expired lease is taken over, and then fences the old owner", async () => {
      const advanceMs = subject.advanceMs;
      if (advanceMs === undefined) throw new Error("clockControlled without advanceMs");
      await store.acquireLease(key, "a", 1_000);
      await advanceMs(999);
      expect(await store.acquireLease(key, "b", 1_000)).toBe(false);
      await advanceMs(1);
      expect(await store.acquireLease(key, "b", 1_000)).toBe(true);
      expect(await store.put(key, value("late"), "a")).toBe(false);
      expect(await store.acquireLease(key, "a", 1_000)).toBe(false);
    });
  });
}
