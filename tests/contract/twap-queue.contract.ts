// The TwapQueue contract: tasks are claimable once due, a claim leases a task to one owner, only
// the owner renews or hands it on, an expired lease makes the task due again (with its claim count
// rising), and concurrent claimers never receive the same task. Time is passed in, so every
// implementation runs every case.

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { TwapQueue, TwapTask } from "../../ports/twap-queue.ts";

export interface TwapQueueUnderTest {
  readonly queue: TwapQueue;
  /** A second handle on the same queue (another router instance). */
  readonly other: TwapQueue;
  dispose(): Promise<void>;
}

const t0 = 1_800_000_000_000;
const leaseMs = 30_000;

export function task(intentId: string, dueMs: number, overrides: Partial<TwapTask> = {}): TwapTask {
  return {
    intentId,
    dueMs,
    sliceIndex: 0,
    slices: [
      { qtySteps: 3n, dueMs },
      { qtySteps: 4n, dueMs: dueMs + 600 },
    ],
    spreadDelays: 0,
    splits: 0,
    makerWaitMs: null,
    ...overrides,
  };
}

export function runTwapQueueContract(name: string, make: () => Promise<TwapQueueUnderTest>): void {
  describe(`TwapQueue contract: ${name}`, () => {
    let subject: TwapQueueUnderTest;
    let queue: TwapQueue;

    beforeEach(async () => {
      subject = await make();
      queue = subject.queue;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    test("a task is claimable once due, and only then; adding twice keeps the first", async () => {
      expect(await queue.add(task("i-1", t0 + 100))).toBe(true);
      expect(await queue.add(task("i-1", t0, { sliceIndex: 1 }))).toBe(false);
      expect(await queue.claim("a", t0 + 99, leaseMs, 10)).toEqual([]);
      const claimed = await queue.claim("a", t0 + 100, leaseMs, 10);
      expect(claimed).toEqual([{ ...task("i-1", t0 + 100), claims: 1 }]);
      expect(await queue.size()).toBe(1);
    });

    test("the plan survives the round trip exactly, big quantities and maker windows included", async () => {
      const big = task("i-big", t0, {
        slices: [
          { qtySteps: 123_456_789_012_345_678_901n, dueMs: t0 },
          { qtySteps: 1n, dueMs: t0 + 1 },
        ],
        sliceIndex: 1,
        spreadDelays: 2,
        splits: 1,
        makerWaitMs: 1_500,
      });
      await queue.add(big);
      const [claimed] = await queue.claim("a", t0, leaseMs, 1);
      expect(claimed).toEqual({ ...big, claims: 1 });
    });

    test("a leased task is invisible to other claimers until its lease ends, then re-claimed", async () => {
      await queue.add(task("i-1", t0));
      expect(await queue.claim("a", t0, leaseMs, 10)).toHaveLength(1);
      expect(await subject.other.claim("b", t0 + leaseMs - 1, leaseMs, 10)).toEqual([]);
      const again = await subject.other.claim("b", t0 + leaseMs, leaseMs, 10);
      expect(again.map((each) => [each.intentId, each.claims])).toEqual([["i-1", 2]]);
      // The first owner lost it: it can neither renew nor hand it on.
      expect(await queue.renew("i-1", "a", t0 + leaseMs, leaseMs)).toBe(false);
      expect(await queue.complete("i-1", "a", null)).toBe(false);
      expect(await queue.size()).toBe(1);
      expect(await subject.other.complete("i-1", "b", null)).toBe(true);
      expect(await queue.size()).toBe(0);
    });

    test("renew extends the lease for its owner only", async () => {
      await queue.add(task("i-1", t0));
      await queue.claim("a", t0, leaseMs, 10);
      expect(await queue.renew("i-1", "a", t0 + 20_000, leaseMs)).toBe(true);
      expect(await subject.other.claim("b", t0 + leaseMs, leaseMs, 10)).toEqual([]);
      expect(await queue.nextDueMs()).toBe(t0 + 20_000 + leaseMs);
      expect(await subject.other.renew("i-1", "b", t0 + 20_000, leaseMs)).toBe(false);
      expect(await queue.renew("i-unknown", "a", t0, leaseMs)).toBe(false);
    });

    test("complete hands the task on to its next slice, due then, with a fresh claim count", async () => {
      await queue.add(task("i-1", t0));
      const [claimed] = await queue.claim("a", t0, leaseMs, 10);
      const next: TwapTask = { ...task("i-1", t0), sliceIndex: 1, dueMs: t0 + 600 };
      expect(claimed).toBeDefined();
      expect(await queue.complete("i-1", "a", next)).toBe(true);
      expect(await queue.nextDueMs()).toBe(t0 + 600);
      expect(await queue.claim("b", t0 + 599, leaseMs, 10)).toEqual([]);
      const [handed] = await subject.other.claim("b", t0 + 600, leaseMs, 10);
      expect(handed).toEqual({ ...next, claims: 1 });
      // A completed lease is over: its old owner cannot touch the new one.
      expect(await queue.complete("i-1", "a", null)).toBe(false);
    });

    test("complete with nothing next removes the task; an unclaimed task cannot be completed", async () => {
      await queue.add(task("i-1", t0));
      expect(await queue.complete("i-1", "a", null)).toBe(false);
      await queue.claim("a", t0, leaseMs, 10);
      expect(await queue.complete("i-1", "a", null)).toBe(true);
      expect(await queue.size()).toBe(0);
      expect(await queue.nextDueMs()).toBeNull();
      expect(await queue.claim("a", t0 + 10 * leaseMs, leaseMs, 10)).toEqual([]);
      // Removed means gone: the intent can be queued again.
      expect(await queue.add(task("i-1", t0))).toBe(true);
    });

    test("claims come earliest first, bounded by the limit; nextDueMs is the earliest score", async () => {
      expect(await queue.nextDueMs()).toBeNull();
      await queue.add(task("i-c", t0 + 30));
      await queue.add(task("i-a", t0 + 10));
      await queue.add(task("i-b", t0 + 20));
      expect(await queue.nextDueMs()).toBe(t0 + 10);
      const first = await queue.claim("a", t0 + 100, leaseMs, 2);
      expect(first.map((each) => each.intentId)).toEqual(["i-a", "i-b"]);
      expect(await queue.nextDueMs()).toBe(t0 + 30);
      const rest = await queue.claim("a", t0 + 100, leaseMs, 2);
      expect(rest.map((each) => each.intentId)).toEqual(["i-c"]);
      expect(await queue.nextDueMs()).toBe(t0 + 100 + leaseMs);
      expect(await queue.claim("a", t0 + 100, leaseMs, 0)).toEqual([]);
    });

    test("claimers racing over 50 due tasks receive each task exactly once", async () => {
      for (let index = 0; index < 50; index += 1)
        await queue.add(task(`race-${index}`, t0 + index));
      const claimers = [queue, subject.other, queue, subject.other];
      const batches = await Promise.all(
        Array.from({ length: 20 }, (_, round) =>
          claimers[round % claimers.length]!.claim(`owner-${round % 4}`, t0 + 1_000, leaseMs, 7),
        ),
      );
      const ids = batches.flat().map((each) => each.intentId);
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(50);
    });
  });
}
