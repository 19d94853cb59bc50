// The Redis per-key lock against a private redis-server: exclusive across instances, renewed
// while held, released by its owner only, and freed by the lease when a holder dies. Redis
// leases run on Redis's own clock, so the expiry cases use short real leases.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KeyedMutex } from "../../../application/shared/keyed-mutex.ts";
import { createRedisClient, type RedisClient } from "../../../adapters/redis/redis-client.ts";
import { lockKey, RedisDistributedLock } from "../../../adapters/redis/redis-distributed-lock.ts";
import {
  redisBinariesAvailable,
  redisSkipReason,
  startRedisServer,
  type RedisServerHandle,
} from "../../support/redis-server.ts";

const available = redisBinariesAvailable();
if (!available) console.warn(`skipping Redis lock tests: ${redisSkipReason}`);

describe.skipIf(!available)("RedisDistributedLock", () => {
  let server: RedisServerHandle;
  let clients: RedisClient[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    clients = [createRedisClient([server.address]), createRedisClient([server.address])];
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server.stop();
  });

  test("two instances never hold one key at once", async () => {
    const [first, second] = clients.map(
      (client) => new KeyedMutex(new RedisDistributedLock(client)),
    );
    let active = 0;
    let activeMax = 0;
    let counter = 0;
    const critical = async () => {
      active += 1;
      activeMax = Math.max(activeMax, active);
      const seen = counter;
      await Bun.sleep(1);
      counter = seen + 1;
      active -= 1;
    };
    const runs = Array.from({ length: 40 }, (_, index) =>
      ((index % 2 === 0 ? first : second) as KeyedMutex).run("intent-a", critical),
    );
    await Promise.all(runs);
    expect(counter).toBe(40);
    expect(activeMax).toBe(1);
  });

  test("different keys do not wait for each other", async () => {
    const lock = new RedisDistributedLock(clients[0] as RedisClient);
    const order: string[] = [];
    let releaseSlow: () => void = () => {};
    const slow = lock.withLock(
      "intent-slow",
      () =>
        new Promise<void>((resolve) => {
          releaseSlow = resolve;
        }),
    );
    await lock.withLock("intent-fast", async () => {
      order.push("fast");
    });
    releaseSlow();
    await slow;
    expect(order).toEqual(["fast"]);
  });

  test("a dead holder's lock is taken once its lease runs out", async () => {
    const client = clients[0] as RedisClient;
    await client.set(lockKey("intent-dead"), "crashed-owner", "PX", 150);
    const lock = new RedisDistributedLock(clients[1] as RedisClient);
    const started = Date.now();
    await lock.withLock("intent-dead", async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(await client.get(lockKey("intent-dead"))).toBeNull();
  });

  test("a holder renews its lease, and only the owner releases", async () => {
    const holder = new RedisDistributedLock(clients[0] as RedisClient, { leaseMs: 90 });
    const rival = new RedisDistributedLock(clients[1] as RedisClient, {
      leaseMs: 90,
      waitMsMax: 5_000,
    });
    let rivalRanAt = 0;
    let holderDoneAt = 0;
    const held = holder.withLock("intent-renew", async () => {
      await Bun.sleep(300);
      holderDoneAt = Date.now();
    });
    await Bun.sleep(20);
    await rival.withLock("intent-renew", async () => {
      rivalRanAt = Date.now();
    });
    await held;
    expect(rivalRanAt).toBeGreaterThanOrEqual(holderDoneAt);
  });

  test("waiting is bounded", async () => {
    const client = clients[0] as RedisClient;
    await client.set(lockKey("intent-stuck"), "someone", "PX", 5_000);
    const lock = new RedisDistributedLock(clients[1] as RedisClient, { waitMsMax: 50 });
    await expect(lock.withLock("intent-stuck", async () => "ran")).rejects.toThrow("still held");
    await client.del(lockKey("intent-stuck"));
  });
});
