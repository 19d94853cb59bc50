// Runs the GuardStore contract against the memory twin (ManualClock) and RedisGuardStore on a
// private standalone server and a private 3-master Cluster, then checks Redis specifics: the key
// layout of DESIGN §7, the value as JSON, the lease as PTTL, one slot for every key.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Cluster } from "ioredis";
import { ManualClock } from "../../adapters/clock/manual-clock.ts";
import { MemoryGuardStore } from "../../adapters/memory/memory-guard-store.ts";
import {
  guardIndexKey,
  guardLeaseKey,
  guardValueKey,
  RedisGuardStore,
} from "../../adapters/redis/redis-guard-store.ts";
import {
  type RedisMode,
  type RedisTestTarget,
  startRedisTarget,
} from "../support/redis-fixtures.ts";
import { redisBinariesAvailable, redisSkipReason } from "../support/redis-server.ts";
import { runGuardStoreContract } from "./guard-store.contract.ts";

runGuardStoreContract(
  "MemoryGuardStore",
  async () => {
    const clock = new ManualClock();
    return {
      store: new MemoryGuardStore({ clock }),
      advanceMs: (ms) => clock.advanceMs(ms),
      dispose: async () => {},
    };
  },
  { clockControlled: true },
);

describe("MemoryGuardStore bounds", () => {
  test("a put past guardsMax is refused loudly; replacing an existing guard is not", async () => {
    const store = new MemoryGuardStore({ clock: new ManualClock(), guardsMax: 1 });
    await store.put({ symbol: "BTCUSDT", intentId: "a" }, { state: "armed" }, "o");
    await store.put({ symbol: "BTCUSDT", intentId: "a" }, { state: "triggered" }, "o");
    expect(
      store.put({ symbol: "BTCUSDT", intentId: "b" }, { state: "armed" }, "o"),
    ).rejects.toThrow("more than 1 guards");
  });
});

const redisSuite = redisBinariesAvailable() ? describe : describe.skip;
if (!redisBinariesAvailable()) console.warn(`Redis guard store suites skipped: ${redisSkipReason}`);

for (const mode of ["standalone", "cluster"] as const satisfies readonly RedisMode[]) {
  redisSuite(`RedisGuardStore (${mode})`, () => {
    let target: RedisTestTarget;
    beforeAll(async () => {
      target = await startRedisTarget(mode);
    }, 20_000);
    afterAll(async () => {
      await target?.stop();
    });

    runGuardStoreContract(`RedisGuardStore (${mode})`, async () => {
      await target.flush();
      return { store: new RedisGuardStore(target.client), dispose: async () => {} };
    });

    test("keys: guard:{stop}:<symbol>:<intent_id> holds JSON, the lease has a PTTL", async () => {
      await target.flush();
      const store = new RedisGuardStore(target.client);
      const key = { symbol: "BTCUSDT", intentId: "i-7" };
      expect(guardValueKey(key)).toBe("guard:{stop}:BTCUSDT:i-7");
      await store.acquireLease(key, "router-a", 5_000);
      await store.put(key, { state: "armed", armed_at: 1 }, "router-a");
      const raw = target.connect();
      expect(JSON.parse((await raw.get("guard:{stop}:BTCUSDT:i-7")) ?? "null")).toEqual({
        state: "armed",
        armed_at: 1,
      });
      expect(await raw.get(guardLeaseKey(key))).toBe("router-a");
      const pttl = await raw.pttl(guardLeaseKey(key));
      expect(pttl).toBeGreaterThan(4_000);
      expect(pttl).toBeLessThanOrEqual(5_000);
      expect(await raw.zrange(guardIndexKey, "0", "-1")).toEqual(["BTCUSDT:i-7"]);
      if (mode === "cluster") {
        const cluster = raw as Cluster;
        const names = [guardValueKey(key), guardLeaseKey(key), guardIndexKey];
        const slots = await Promise.all(names.map((name) => cluster.cluster("KEYSLOT", name)));
        expect(new Set(slots).size).toBe(1);
      }
    });

    test("a key that would break the hash tag is refused before Redis sees it", async () => {
      const store = new RedisGuardStore(target.client);
      expect(() => guardValueKey({ symbol: "BTCUSDT", intentId: "a{b}" })).toThrow();
      expect(store.get({ symbol: "btc", intentId: "x" })).rejects.toThrow("cannot be a guard key");
    });
  });
}
