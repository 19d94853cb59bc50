// Runs the IdempotencyStore contract against the memory twin (ManualClock) and
// RedisIdempotencyStore on a private standalone server and a private 3-master Cluster, then
// checks Redis specifics: key layout and hash tag, lease/TTL as PTTL, races, a dead server.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import { MemoryIdempotencyStore } from "../../adapters/memory/memory-idempotency-store.ts";
import {
  closeRedisClient,
  createRedisClient,
  parseRedisAddress,
} from "../../adapters/redis/redis-client.ts";
import {
  idempotencyKey,
  RedisIdempotencyStore,
} from "../../adapters/redis/redis-idempotency-store.ts";
import { makeResult } from "../support/order-fixtures.ts";
import {
  type RedisMode,
  type RedisTestTarget,
  startRedisTarget,
} from "../support/redis-fixtures.ts";
import {
  redisBinariesAvailable,
  redisSkipReason,
  startRedisServer,
} from "../support/redis-server.ts";
import { runIdempotencyStoreContract } from "./idempotency-store.contract.ts";

runIdempotencyStoreContract(
  "MemoryIdempotencyStore",
  async () => {
    const clock = new ManualClock();
    return {
      store: new MemoryIdempotencyStore({ clock }),
      advanceMs: (ms) => clock.advanceMs(ms),
      dispose: async () => {},
    };
  },
  { clockControlled: true },
);

describe("MemoryIdempotencyStore bounds", () => {
  test("past recordsMax expired records go first, then the oldest written", async () => {
    const clock = new ManualClock();
    const store = new MemoryIdempotencyStore({ clock, recordsMax: 3 });
    await store.claim("short", "fp", 10);
    await store.claim("a", "fp", 60_000);
    await store.claim("b", "fp", 60_000);
    await clock.advanceMs(10);
    await store.claim("c", "fp", 60_000);
    expect(store.size()).toBe(3);
    await store.claim("d", "fp", 60_000);
    expect(store.size()).toBe(3);
    expect(await store.get("a")).toBeNull();
    expect((await store.get("d"))?.state).toBe("IN_FLIGHT");
  });
});

const redisSuite = redisBinariesAvailable() ? describe : describe.skip;
if (!redisBinariesAvailable()) console.warn(`Redis idempotency suites skipped: ${redisSkipReason}`);

for (const mode of ["standalone", "cluster"] as const satisfies readonly RedisMode[]) {
  redisSuite(`RedisIdempotencyStore (${mode})`, () => {
    let target: RedisTestTarget;
    beforeAll(async () => {
      target = await startRedisTarget(mode);
    }, 20_000);
    afterAll(async () => {
      await target?.stop();
    });

    runIdempotencyStoreContract(`RedisIdempotencyStore (${mode})`, async () => {
      await target.flush();
      return { store: new RedisIdempotencyStore(target.client), dispose: async () => {} };
    });

    test("the record is a hash at idem:order:{<client order id>}, lease as PTTL", async () => {
      await target.flush();
      const store = new RedisIdempotencyStore(target.client);
      await store.claim("base/tp", "fp-a", 30_000);
      const key = "idem:order:{base/tp}";
      expect(idempotencyKey("base/tp")).toBe(key);
      expect(await target.client.hgetall(key)).toEqual({ fingerprint: "fp-a", state: "IN_FLIGHT" });
      const leftMs = await target.client.pttl(key);
      expect(leftMs).toBeGreaterThan(25_000);
      expect(leftMs).toBeLessThanOrEqual(30_000);

      const result = makeResult();
      await store.complete("base/tp", "fp-a", result, 86_400_000);
      expect(await target.client.hgetall(key)).toEqual({
        fingerprint: "fp-a",
        state: "DONE",
        result: JSON.stringify(result),
      });
      expect(await target.client.pttl(key)).toBeGreaterThan(86_000_000);
    });

    test.skipIf(mode !== "cluster")(
      "the hash tag puts the key in the slot of the client order id (Cluster only)",
      async () => {
        for (const clientOrderId of ["intent-1", "base/tp", "a", "Intent.1:x-y_z"]) {
          const keySlot = await target.client.cluster("KEYSLOT", idempotencyKey(clientOrderId));
          expect(keySlot).toBe(await target.client.cluster("KEYSLOT", clientOrderId));
        }
      },
    );

    test("client order ids that would break the hash tag are refused", async () => {
      const store = new RedisIdempotencyStore(target.client);
      await expect(store.claim("a{b}", "fp", 1_000)).rejects.toThrow(/idempotency key/);
      await expect(store.get("")).rejects.toThrow(/idempotency key/);
    });

    test("claims racing over 5 connections: exactly one wins", async () => {
      await target.flush();
      const stores = Array.from({ length: 5 }, () => new RedisIdempotencyStore(target.connect()));
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          stores[index % stores.length]!.claim("c-race", `fp-${index}`, 30_000),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.claimed)).toHaveLength(1);
      const seen = new Set(outcomes.flatMap((o) => (o.claimed ? [] : [o.record.fingerprint])));
      expect(seen.size).toBe(1);
    });

    test("a record that is not ours is reported, not silently overwritten", async () => {
      await target.flush();
      await target.client.set(idempotencyKey("c-x"), "a plain string");
      const store = new RedisIdempotencyStore(target.client);
      await expect(store.claim("c-x", "fp", 1_000)).rejects.toThrow(/WRONGTYPE/);
    });
  });
}

redisSuite("RedisIdempotencyStore without a server", () => {
  test("operations fail within the deadline and ping answers false", async () => {
    const server = await startRedisServer();
    const client = createRedisClient([server.address]);
    try {
      const store = new RedisIdempotencyStore(client, { operationTimeoutMs: 500 });
      expect(await store.ping()).toBe(true);
      await server.stop();
      const startedMs = Date.now();
      await expect(store.claim("c-1", "fp", 1_000)).rejects.toThrow();
      expect(await store.ping()).toBe(false);
      expect(Date.now() - startedMs).toBeLessThan(2_000);
    } finally {
      await closeRedisClient(client);
      await server.stop();
    }
  });
});

describe("createRedisClient", () => {
  test("parses host:port, URLs, IPv6 and unix socket addresses", () => {
    expect(parseRedisAddress("10.0.0.5:7001")).toEqual({
      kind: "tcp",
      host: "10.0.0.5",
      port: 7001,
    });
    expect(parseRedisAddress(" redis://cache.internal:6380/0 ")).toEqual({
      kind: "tcp",
      host: "cache.internal",
      port: 6380,
    });
    expect(parseRedisAddress("[::1]:7000")).toEqual({ kind: "tcp", host: "::1", port: 7000 });
    expect(parseRedisAddress("localhost")).toEqual({ kind: "tcp", host: "localhost", port: 6379 });
    expect(parseRedisAddress("unix:/run/redis.sock")).toEqual({
      kind: "unix",
      path: "/run/redis.sock",
    });
    expect(parseRedisAddress("/tmp/r.sock")).toEqual({ kind: "unix", path: "/tmp/r.sock" });
    expect(() => parseRedisAddress("host:99999")).toThrow();
    expect(() => parseRedisAddress("a:b:c")).toThrow();
  });

  test("one address is a standalone client, several a Cluster; neither connects eagerly", () => {
    const single = createRedisClient(["127.0.0.1:1"]);
    const cluster = createRedisClient(["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]);
    expect(single.isCluster).toBe(false);
    expect(cluster.isCluster).toBe(true);
    expect(single.status).toBe("wait");
    expect(cluster.status).toBe("wait");
    single.disconnect();
    cluster.disconnect();
    expect(() => createRedisClient([])).toThrow();
    expect(() => createRedisClient(["unix:/a.sock", "127.0.0.1:2"])).toThrow(/host:port/);
  });
});
