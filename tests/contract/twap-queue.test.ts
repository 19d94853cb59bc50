// Runs the TwapQueue contract against the in-memory twin and RedisTwapQueue on a private
// standalone server and a private 3-master Cluster, then checks the Redis key layout.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MemoryTwapQueue } from "../../adapters/memory/memory-twap-queue.ts";
import { RedisTwapQueue, twapQueueKeys } from "../../adapters/redis/redis-twap-queue.ts";
import {
  type RedisMode,
  type RedisTestTarget,
  startRedisTarget,
} from "../support/redis-fixtures.ts";
import { redisBinariesAvailable, redisSkipReason } from "../support/redis-server.ts";
import { runTwapQueueContract, task } from "./twap-queue.contract.ts";

runTwapQueueContract("MemoryTwapQueue", async () => {
  const queue = new MemoryTwapQueue();
  return { queue, other: queue, dispose: async () => {} };
});

describe("MemoryTwapQueue bounds", () => {
  test("past tasksMax a new task is refused loudly", async () => {
    const queue = new MemoryTwapQueue(2);
    await queue.add(task("a", 0));
    await queue.add(task("b", 0));
    await expect(queue.add(task("c", 0))).rejects.toThrow(/more than 2 TWAP tasks/);
    expect(await queue.add(task("a", 0))).toBe(false);
  });
});

const redisSuite = redisBinariesAvailable() ? describe : describe.skip;
if (!redisBinariesAvailable()) console.warn(`Redis TWAP queue suites skipped: ${redisSkipReason}`);

for (const mode of ["standalone", "cluster"] as const satisfies readonly RedisMode[]) {
  redisSuite(`RedisTwapQueue (${mode})`, () => {
    let target: RedisTestTarget;
    beforeAll(async () => {
      target = await startRedisTarget(mode);
    }, 20_000);
    afterAll(async () => {
      await target?.stop();
    });

    runTwapQueueContract(`RedisTwapQueue (${mode})`, async () => {
      await target.flush();
      return {
        queue: new RedisTwapQueue(target.client),
        other: new RedisTwapQueue(target.connect()),
        dispose: async () => {},
      };
    });

    test("the queue is the ZSet prod:{exec}:twap:queue scored by due ms", async () => {
      await target.flush();
      const queue = new RedisTwapQueue(target.client);
      expect(queue.keys.queue).toBe("prod:{exec}:twap:queue");
      await queue.add(task("i-1", 1_800_000_000_123));
      const raw = await target.client.zrange("prod:{exec}:twap:queue", "0", "-1", "WITHSCORES");
      expect(raw).toEqual(["i-1", "1800000000123"]);
    });

    test("a key prefix without a hash tag is refused (its keys could land in other slots)", () => {
      expect(() => twapQueueKeys("prod:exec:twap:")).toThrow(/hash tag/);
    });
  });
}
