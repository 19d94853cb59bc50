// Runs the EventPublisher contract against the memory twin and RedisEventPublisher on a private
// standalone server and a private 3-master Cluster, then checks Redis specifics: the entry layout,
// MAXLEN trimming, per-stream pipelines across Cluster slots, and failure on a dead server.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Cluster } from "ioredis";
import { MemoryEventPublisher } from "../../adapters/memory/memory-event-publisher.ts";
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
} from "../../adapters/redis/redis-client.ts";
import { RedisEventPublisher } from "../../adapters/redis/redis-event-publisher.ts";
import type { PublishedEvent } from "../../ports/event-publisher.ts";
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
import { type ReadBackEntry, runEventPublisherContract } from "./event-publisher.contract.ts";

runEventPublisherContract("MemoryEventPublisher", async () => {
  const publisher = new MemoryEventPublisher();
  return {
    publisher,
    read: async (stream) =>
      publisher.read(stream).map(({ eventId, payload }) => ({ eventId, payload })),
    dispose: async () => {},
  };
});

describe("MemoryEventPublisher bounds and views", () => {
  test("each stream keeps its newest entriesPerStreamMax entries", async () => {
    const publisher = new MemoryEventPublisher({ entriesPerStreamMax: 5 });
    for (let index = 0; index < 23; index += 1) {
      await publisher.publish([{ stream: "s", eventId: `e${index}`, payload: {} }]);
    }
    expect(publisher.read("s").map((entry) => entry.eventId)).toEqual([
      "e18",
      "e19",
      "e20",
      "e21",
      "e22",
    ]);
    expect(publisher.read("s", 2).map((entry) => entry.eventId)).toEqual(["e21", "e22"]);
  });

  test("recent() merges streams newest first", async () => {
    const publisher = new MemoryEventPublisher();
    await publisher.publish([
      { stream: "a", eventId: "1", payload: {} },
      { stream: "b", eventId: "2", payload: {} },
      { stream: "a", eventId: "3", payload: {} },
    ]);
    expect(publisher.recent(2).map((entry) => [entry.stream, entry.eventId])).toEqual([
      ["a", "3"],
      ["b", "2"],
    ]);
    expect(publisher.streams()).toEqual(["a", "b"]);
  });

  test("a publish that would open more than streamsMax streams is refused whole", async () => {
    const publisher = new MemoryEventPublisher({ streamsMax: 2 });
    await publisher.publish([{ stream: "a", eventId: "1", payload: {} }]);
    const tooMany = publisher.publish([
      { stream: "b", eventId: "2", payload: {} },
      { stream: "c", eventId: "3", payload: {} },
    ]);
    await expect(tooMany).rejects.toThrow(/streams/);
    expect(publisher.streams()).toEqual(["a"]);
  });
});

async function readStream(client: RedisClient, stream: string): Promise<ReadBackEntry[]> {
  const entries = await client.xrange(stream, "-", "+");
  return entries.map(([, fields]) => {
    const record: Record<string, string> = {};
    for (let index = 0; index + 1 < fields.length; index += 2) {
      record[fields[index]!] = fields[index + 1]!;
    }
    return {
      eventId: record["event_id"] ?? "",
      payload: JSON.parse(record["data"] ?? "null") as Record<string, unknown>,
    };
  });
}

const redisSuite = redisBinariesAvailable() ? describe : describe.skip;
if (!redisBinariesAvailable()) console.warn(`Redis publisher suites skipped: ${redisSkipReason}`);

for (const mode of ["standalone", "cluster"] as const satisfies readonly RedisMode[]) {
  redisSuite(`RedisEventPublisher (${mode})`, () => {
    let target: RedisTestTarget;
    beforeAll(async () => {
      target = await startRedisTarget(mode);
    }, 20_000);
    afterAll(async () => {
      await target?.stop();
    });

    runEventPublisherContract(`RedisEventPublisher (${mode})`, async () => {
      await target.flush();
      return {
        publisher: new RedisEventPublisher(target.client),
        read: (stream) => readStream(target.client, stream),
        dispose: async () => {},
      };
    });

    test("an entry carries exactly the fields event_id and data", async () => {
      await target.flush();
      const publisher = new RedisEventPublisher(target.client);
      await publisher.publish([{ stream: "alerts", eventId: "a1", payload: { level: "WARN" } }]);
      const [entry] = await target.client.xrange("alerts", "-", "+");
      expect(entry?.[1]).toEqual(["event_id", "a1", "data", '{"level":"WARN"}']);
    });

    test("MAXLEN ~ keeps a stream near its cap", async () => {
      await target.flush();
      const publisher = new RedisEventPublisher(target.client, { streamLengthMax: 100 });
      for (let batch = 0; batch < 10; batch += 1) {
        await publisher.publish(
          Array.from({ length: 100 }, (_, index) => ({
            stream: "router:events",
            eventId: `e${batch}-${index}`,
            payload: { batch, index },
          })),
        );
      }
      const length = await target.client.xlen("router:events");
      expect(length).toBeGreaterThanOrEqual(100);
      expect(length).toBeLessThanOrEqual(200);
      const newest = await target.client.xrevrange("router:events", "+", "-", "COUNT", 1);
      expect(newest[0]?.[1]).toContain("e9-99");
    });

    test.skipIf(mode !== "cluster")(
      "one publish spans streams on different Cluster nodes (Cluster only)",
      async () => {
        await target.flush();
        const cluster = target.client as Cluster;
        const streams = ["ord:{results}", "orders:executed", "router:events", "alerts"];
        const owners = new Set<string>();
        const ranges = await cluster.cluster("SLOTS");
        for (const stream of streams) {
          const slot = (await cluster.cluster("KEYSLOT", stream)) as number;
          const range = ranges.find(([start, end]) => slot >= start && slot <= end);
          owners.add(String(range?.[2]?.[1]));
        }
        expect(owners.size).toBeGreaterThan(1); // otherwise this test would prove nothing

        // One pipeline across those slots is exactly what a Cluster refuses...
        const naive = cluster.pipeline();
        for (const stream of streams) naive.xadd(stream, "*", "event_id", "naive", "data", "{}");
        await expect(naive.exec()).rejects.toThrow(/slot/);

        // ...and what the publisher avoids by pipelining per stream.
        const events: PublishedEvent[] = streams.flatMap((stream) => [
          { stream, eventId: `${stream}-1`, payload: { n: 1 } },
          { stream, eventId: `${stream}-2`, payload: { n: 2 } },
        ]);
        await new RedisEventPublisher(cluster).publish(events);
        for (const stream of streams) {
          const entries = await readStream(cluster, stream);
          expect(entries.map((entry) => entry.eventId)).toEqual([`${stream}-1`, `${stream}-2`]);
        }
      },
    );
  });
}

redisSuite("RedisEventPublisher without a server", () => {
  test("publish rejects within the deadline and ping answers false", async () => {
    const server = await startRedisServer();
    const client = createRedisClient([server.address]);
    try {
      const publisher = new RedisEventPublisher(client, { operationTimeoutMs: 500 });
      await publisher.publish([{ stream: "alerts", eventId: "a1", payload: {} }]);
      await server.stop();
      const startedMs = Date.now();
      const late = publisher.publish([{ stream: "alerts", eventId: "a2", payload: {} }]);
      await expect(late).rejects.toThrow();
      expect(await publisher.ping()).toBe(false);
      expect(Date.now() - startedMs).toBeLessThan(2_000);
    } finally {
      await closeRedisClient(client);
      await server.stop();
    }
  });
});
